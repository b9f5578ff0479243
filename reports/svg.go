package reports

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// The charts are inline SVG built here, with no script: they render the same in any
// browser, offline, and the page is byte-for-byte deterministic.

// palette colours series in order.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"}

func colour(i int) string { return palette[i%len(palette)] }

// series is one line of a line chart.
type series struct {
	Name   string
	Colour string
	Dash   bool
	X, Y   []float64
}

// lineChart describes a line chart.
type lineChart struct {
	Title, XLabel, YLabel string
	Series                []series
	// XTicks, when set, labels the x positions 0, 1, … (a categorical axis).
	XTicks []string
	// LogY plots y on a log scale (values ≤ 0 are left out).
	LogY bool
	// YUnit is appended to the values in the point tooltips.
	YUnit string
	// XFmt formats x values in tooltips (default: seconds).
	XFmt func(float64) string
}

const (
	chartW, chartH                     = 560, 300
	padL, padR, padT, padB             = 64, 16, 30, 62
	plotW, plotH                       = chartW - padL - padR, chartH - padT - padB
	legendRowH                         = 16
	barChartRowH, barChartLabelW, barW = 22, 260, 280
)

// num formats a number for display and SVG: at most 3 decimals, no trailing zeros.
func num(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return "0"
	}
	s := strconv.FormatFloat(v, 'f', 3, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		s = "0"
	}
	return s
}

// px formats an SVG coordinate (1 decimal).
func px(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func esc(s string) string { return html.EscapeString(s) }

// niceStep returns a round step (1, 2 or 5 × 10^k) so that max/step is about n.
func niceStep(max float64, n int) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// ticks returns the round values (multiples of a 1, 2 or 5 × 10^k step) from lo to
// hi, about n of them; each is computed as a multiple of the step, not by adding
// steps up, so no float error creeps into a label.
func ticks(lo, hi float64, n int) []float64 {
	step := niceStep(hi-lo, n)
	var out []float64
	for k := math.Ceil(lo/step - 1e-9); k*step <= hi+step*1e-6; k++ {
		out = append(out, k*step)
	}
	return out
}

// xTicks draws round time ticks from lo to hi on the x axis.
func xTicks(b *strings.Builder, lo, hi float64, sx func(float64) float64) {
	for _, v := range ticks(lo, hi, 6) {
		x := sx(v)
		fmt.Fprintf(b, `<line x1="%s" x2="%s" y1="%d" y2="%d" class="tick"/><text x="%s" y="%d" class="xt">%s</text>`, px(x), px(x), padT+plotH, padT+plotH+4, px(x), padT+plotH+18, num(v))
	}
}

// render draws the chart.
func (c lineChart) render() template.HTML {
	var b strings.Builder
	cols := 3
	for _, s := range c.Series {
		if len(s.Name) > 18 {
			cols = 2
		}
	}
	h := chartH + legendRowH*((len(c.Series)+cols-1)/cols)
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`, esc(c.Title), chartW, h)
	fmt.Fprintf(&b, `<text x="%d" y="18" class="ct">%s</text>`, padL, esc(c.Title))
	// Ranges.
	xmin, xmax, ymin, ymax := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	have := false
	for _, s := range c.Series {
		for i := range s.X {
			if c.LogY && s.Y[i] <= 0 {
				continue
			}
			have = true
			xmin, xmax = math.Min(xmin, s.X[i]), math.Max(xmax, s.X[i])
			ymin, ymax = math.Min(ymin, s.Y[i]), math.Max(ymax, s.Y[i])
		}
	}
	if !have {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="na">no data</text></svg>`, chartW/2-30, chartH/2)
		return template.HTML(b.String())
	}
	if c.XTicks != nil {
		xmin, xmax = 0, float64(len(c.XTicks)-1)
	}
	if xmin > 0 && c.XTicks == nil {
		xmin = 0
	}
	if xmax == xmin {
		xmax = xmin + 1
	}
	var yticks []float64
	var ylo, yhi float64
	if c.LogY {
		ylo, yhi = math.Floor(math.Log10(ymin)), math.Ceil(math.Log10(ymax))
		if yhi == ylo {
			yhi++
		}
		for e := ylo; e <= yhi; e++ {
			for _, m := range []float64{1, 2, 5} {
				if v := m * math.Pow(10, e); math.Log10(v) <= yhi+1e-9 {
					yticks = append(yticks, v)
				}
			}
		}
	} else {
		step := niceStep(ymax, 5)
		yhi = math.Ceil(ymax/step) * step
		if yhi == 0 {
			yhi = 1
		}
		for k := 0.0; k*step <= yhi+step/2; k++ {
			yticks = append(yticks, k*step)
		}
	}
	sx := func(x float64) float64 { return padL + (x-xmin)/(xmax-xmin)*plotW }
	sy := func(y float64) float64 {
		if c.LogY {
			return padT + plotH - (math.Log10(y)-ylo)/(yhi-ylo)*plotH
		}
		return padT + plotH - (y-ylo)/(yhi-ylo)*plotH
	}
	// Grid and axes.
	for _, v := range yticks {
		y := sy(v)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" class="grid"/><text x="%d" y="%s" class="yt">%s</text>`,
			padL, padL+plotW, px(y), px(y), padL-6, px(y+4), num(v))
	}
	if c.XTicks != nil {
		for i, t := range c.XTicks {
			x := sx(float64(i))
			fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%d" y2="%d" class="tick"/><text x="%s" y="%d" class="xt">%s</text>`, px(x), px(x), padT+plotH, padT+plotH+4, px(x), padT+plotH+18, esc(t))
		}
	} else {
		xTicks(&b, xmin, xmax, sx)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="frame"/>`, padL, padT, plotW, plotH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="xl">%s</text>`, padL+plotW/2, padT+plotH+36, esc(c.XLabel))
	fmt.Fprintf(&b, `<text transform="translate(14 %d) rotate(-90)" class="yl">%s</text>`, padT+plotH/2, esc(c.YLabel))
	xf := c.XFmt
	if xf == nil {
		xf = func(x float64) string { return num(x) + " s" }
	}
	// Lines and points (a <title> on each point is its tooltip).
	for i, s := range c.Series {
		col := s.Colour
		if col == "" {
			col = colour(i)
		}
		var pts []string
		var dots strings.Builder
		for j := range s.X {
			if c.LogY && s.Y[j] <= 0 {
				continue
			}
			x, y := px(sx(s.X[j])), px(sy(s.Y[j]))
			pts = append(pts, x+","+y)
			label := xf(s.X[j])
			if c.XTicks != nil {
				label = c.XTicks[int(s.X[j])]
			}
			fmt.Fprintf(&dots, `<circle cx="%s" cy="%s" r="2.5" fill="%s"><title>%s — %s: %s%s</title></circle>`, x, y, col, esc(s.Name), esc(label), num(s.Y[j]), esc(c.YUnit))
		}
		dash := ""
		if s.Dash {
			dash = ` stroke-dasharray="5 3"`
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="1.8"%s/>%s`, strings.Join(pts, " "), col, dash, dots.String())
		lx, ly := padL+(i%cols)*(plotW/cols), chartH+legendRowH*(i/cols)-6
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2.5"%s/><text x="%d" y="%d" class="lg">%s</text>`, lx, lx+18, ly-4, ly-4, col, dash, lx+22, ly, esc(s.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// stackedBars is a stacked bar chart over time: one bar per span (an interval, in
// seconds since the start), placed on a linear time axis with round ticks, one
// segment per category.
type stackedBars struct {
	Title, XLabel, YLabel string
	// Spans are the bars' [start, end] in seconds.
	Spans      [][2]float64
	Categories []string
	Colours    []string
	// Values[c][x] is category c's value at bar x.
	Values [][]float64
}

func (c stackedBars) render() template.HTML {
	var b strings.Builder
	h := chartH + legendRowH*((len(c.Categories)+1)/2)
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`, esc(c.Title), chartW, h)
	fmt.Fprintf(&b, `<text x="%d" y="18" class="ct">%s</text>`, padL, esc(c.Title))
	n := len(c.Spans)
	if n == 0 || len(c.Categories) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="na">no data</text></svg>`, chartW/2-30, chartH/2)
		return template.HTML(b.String())
	}
	max := 0.0
	for x := range n {
		t := 0.0
		for ci := range c.Categories {
			t += c.Values[ci][x]
		}
		max = math.Max(max, t)
	}
	step := niceStep(max, 5)
	yhi := math.Max(math.Ceil(max/step)*step, step)
	sy := func(v float64) float64 { return float64(padT+plotH) - v/yhi*plotH }
	for k := 0.0; k*step <= yhi+step/2; k++ {
		v := k * step
		y := sy(v)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%s" y2="%s" class="grid"/><text x="%d" y="%s" class="yt">%s</text>`, padL, padL+plotW, px(y), px(y), padL-6, px(y+4), num(v))
	}
	xmax := 0.0
	for _, sp := range c.Spans {
		xmax = math.Max(xmax, sp[1])
	}
	if xmax <= 0 {
		xmax = 1
	}
	sx := func(t float64) float64 { return padL + t/xmax*plotW }
	xTicks(&b, 0, xmax, sx)
	for x := range n {
		sp := c.Spans[x]
		w := sx(sp[1]) - sx(sp[0])
		bw := math.Max(w*0.8, 1)
		x0 := sx(sp[0]) + (w-bw)/2
		label := num(sp[0]) + "–" + num(sp[1]) + " s"
		base := 0.0
		for ci, cat := range c.Categories {
			v := c.Values[ci][x]
			if v <= 0 {
				continue
			}
			fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s — %s: %s</title></rect>`,
				px(x0), px(sy(base+v)), px(bw), px(sy(base)-sy(base+v)), c.Colours[ci], esc(label), esc(cat), num(v))
			base += v
		}
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" class="frame"/>`, padL, padT, plotW, plotH)
	fmt.Fprintf(&b, `<text x="%d" y="%d" class="xl">%s</text>`, padL+plotW/2, padT+plotH+36, esc(c.XLabel))
	fmt.Fprintf(&b, `<text transform="translate(14 %d) rotate(-90)" class="yl">%s</text>`, padT+plotH/2, esc(c.YLabel))
	for ci, cat := range c.Categories {
		lx, ly := padL+(ci%2)*(plotW/2), chartH+legendRowH*(ci/2)-6
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="10" fill="%s"/><text x="%d" y="%d" class="lg">%s</text>`, lx, ly-9, c.Colours[ci], lx+16, ly, esc(cat))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// barRow is one bar of a horizontal bar chart.
type barRow struct {
	Label, Value string
	Frac         float64 // 0–1 of the bar's full width
	Colour       string
	// Marker, when > 0, draws a vertical line at that fraction (a threshold).
	Marker float64
}

// hbars renders horizontal bars.
func hbars(title string, rows []barRow) template.HTML {
	var b strings.Builder
	h := 28 + barChartRowH*len(rows) + 6
	w := barChartLabelW + barW + 200
	fmt.Fprintf(&b, `<svg class="chart" role="img" aria-label="%s" viewBox="0 0 %d %d" width="100%%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">`, esc(title), w, h)
	fmt.Fprintf(&b, `<text x="4" y="18" class="ct">%s</text>`, esc(title))
	for i, r := range rows {
		y := 28 + barChartRowH*i
		col := r.Colour
		if col == "" {
			col = colour(i)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="bl">%s</text>`, barChartLabelW-6, y+15, esc(r.Label))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" class="track"/>`, barChartLabelW, y+2, barW)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%s" height="16" fill="%s"><title>%s: %s</title></rect>`, barChartLabelW, y+2, px(math.Min(math.Max(r.Frac, 0), 1)*barW), col, esc(r.Label), esc(r.Value))
		if r.Marker > 0 {
			mx := px(barChartLabelW + r.Marker*barW)
			fmt.Fprintf(&b, `<line x1="%s" x2="%s" y1="%d" y2="%d" class="marker"/>`, mx, mx, y, y+20)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="bv">%s</text>`, barChartLabelW+barW+6, y+15, esc(r.Value))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
