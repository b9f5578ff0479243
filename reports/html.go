package reports

import (
	"cmp"
	"fmt"
	"html/template"
	"io"
	"maps"
	"slices"
	"strings"
	"time"
)

// HTMLOptions are the inputs of a page that do not come from the run.
type HTMLOptions struct {
	// Generated is when the page was made (shown in the footer; omitted when zero).
	// Tests pass a fixed time so the output is deterministic.
	Generated time.Time
	// Sources names the files the page was built from (shown in the footer).
	Sources []string
}

// The metric names a bench summary holds; package bench records them and documents
// what each measures.
const (
	MetricLatency  = "signin.latency"
	MetricService  = "signin.service"
	MetricSRP      = "srp"
	MetricStartLag = "start.lag"
	MetricAPI      = "api."
)

const (
	outcomeOK    = "ok"
	throttleCode = "TooManyRequestsException"
	// cpuSaturation is bench.SaturationThreshold.
	cpuSaturation = 0.85
)

// style is shared by both pages.
const style = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5em 2em;color:#1d1d1f;background:#fff}
h1{font-size:1.45em;margin:.2em 0}h2{font-size:1.15em;margin:1.6em 0 .5em;border-bottom:1px solid #ddd;padding-bottom:.2em}
.meta{color:#555}.tiles{display:flex;flex-wrap:wrap;gap:.6em;margin:1em 0}
.tile{border:1px solid #ddd;border-radius:6px;padding:.45em .8em;min-width:7.5em}.tile b{display:block;font-size:1.3em}.tile span{color:#666;font-size:.85em}
.bad b{color:#b00020}.good b{color:#176f2c}
.warn{background:#fff4e5;border-left:4px solid #f0a000;padding:.5em .8em;margin:.4em 0}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr));gap:1em}
table{border-collapse:collapse;margin:.4em 0}th,td{border-bottom:1px solid #e4e4e4;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f5f5f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.passed{color:#176f2c}.failed,.panicked,.timedout,.interrupted,.aborted{color:#b00020;font-weight:600}.skipped,.pending{color:#777}
.labels{color:#555;font-size:.85em}pre{white-space:pre-wrap;margin:.3em 0 0;font-size:.85em;background:#f7f7f7;padding:.4em;border-radius:4px}
footer{margin-top:2em;color:#777;font-size:.85em}
svg.chart{font:11px system-ui,sans-serif;border:1px solid #eee;border-radius:6px;background:#fff;width:100%;height:auto;max-width:1100px}
svg .ct{font-size:13px;font-weight:600}svg .grid{stroke:#eee}svg .tick{stroke:#999}svg .frame{fill:none;stroke:#bbb}
svg .yt{text-anchor:end;fill:#444}svg .xt{text-anchor:middle;fill:#444}svg .xl,svg .yl{text-anchor:middle;fill:#333}
svg .lg{fill:#333}svg .na{fill:#999}svg .bl{text-anchor:end;fill:#333}svg .bv{fill:#333}svg .track{fill:#f1f1f1}svg .marker{stroke:#b00020;stroke-width:2}`

// ms converts µs to ms.
func ms(us float64) float64 { return us / 1000 }

func fmtMS(us int64) string { return fmt.Sprintf("%.3f", float64(us)/1000) }

func pct(a, b int64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f%%", 100*float64(a)/float64(b))
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "–"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000 UTC")
}

// MetricOrder lists the metrics of m in display order: the headline metrics (whole
// sign-in latency and service time, SRP, start lag) first, then the rest sorted by name.
// Every text and HTML view of a summary uses it, so they list metrics alike.
func MetricOrder(m map[string]Stats) []string {
	head := []string{MetricLatency, MetricService, MetricSRP, MetricStartLag}
	var out []string
	for _, h := range head {
		if _, ok := m[h]; ok {
			out = append(out, h)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if !slices.Contains(head, k) {
			out = append(out, k)
		}
	}
	return out
}

// phaseMetrics are the metrics of the per-phase distribution: SRP, each API round
// trip, the whole sign-in (service time and from the intended start).
func phaseMetrics(names []string) []string {
	var out []string
	if slices.Contains(names, MetricSRP) {
		out = append(out, MetricSRP)
	}
	for _, n := range names {
		if strings.HasPrefix(n, MetricAPI) {
			out = append(out, n)
		}
	}
	for _, n := range []string{MetricService, MetricLatency} {
		if slices.Contains(names, n) {
			out = append(out, n)
		}
	}
	return out
}

type tile struct {
	Value, Label, Class string
}

type statRow struct {
	Name                                string
	Count                               int64
	P50, P90, P95, P99, P999, Max, Mean string
}

type flowRow struct {
	Flow   string
	Counts []int64
	Total  int64
}

type kv struct{ K, V string }

type benchPage struct {
	Title, Target, Mode, Start, End, Wall string
	Interrupted                           bool
	Warnings                              []string
	Tiles                                 []tile
	LatencyCharts                         []template.HTML
	PhaseChart                            template.HTML
	PhaseSource                           string
	Stats                                 []statRow
	RateChart, OutcomeChart               template.HTML
	NextSteps, CPU                        template.HTML
	CPUText                               string
	FlowCodes                             []string
	Flows                                 []flowRow
	Config                                []kv
	Thresholds                            []kv
	ThresholdsBad                         []bool
	Generated                             string
	Sources                               []string
	TimeSource                            string
}

var benchTmpl = template.Must(template.New("bench").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>
<style>` + style + `</style></head><body>
<h1>{{.Title}}</h1>
<p class="meta">{{.Mode}} · {{.Start}} – {{.End}} · {{.Wall}}{{if .Interrupted}} · <b class="failed">interrupted</b>{{end}}</p>
{{range .Warnings}}<div class="warn">⚠ {{.}}</div>
{{end}}<div class="tiles">{{range .Tiles}}<div class="tile {{.Class}}"><b>{{.Value}}</b><span>{{.Label}}</span></div>{{end}}</div>
{{if .Thresholds}}<h2>Thresholds</h2>
<table><tbody>{{range $i, $t := .Thresholds}}<tr><td class="{{if index $.ThresholdsBad $i}}failed{{else}}passed{{end}}">{{$t.V}}</td><td>{{$t.K}}</td></tr>{{end}}</tbody></table>
{{end}}<h2>Latency over time</h2>
<p class="meta">Per interval ({{.TimeSource}}). Intended-start latency counts from when the sign-in should have started (free of coordinated omission); service time from when it actually started.</p>
<div class="charts">{{range .LatencyCharts}}{{.}}{{end}}</div>
<h2>Rate and outcomes over time</h2>
<div class="charts">{{.RateChart}}{{.OutcomeChart}}</div>
<h2>Latency distribution per phase</h2>
<p class="meta">Whole run, {{.PhaseSource}}.</p>
<div class="charts">{{.PhaseChart}}</div>
<table><thead><tr><th>metric (ms)</th><th class="n">count</th><th class="n">p50</th><th class="n">p90</th><th class="n">p95</th><th class="n">p99</th><th class="n">p99.9</th><th class="n">max</th><th class="n">mean</th></tr></thead><tbody>
{{range .Stats}}<tr><td>{{.Name}}</td><td class="n">{{.Count}}</td><td class="n">{{.P50}}</td><td class="n">{{.P90}}</td><td class="n">{{.P95}}</td><td class="n">{{.P99}}</td><td class="n">{{.P999}}</td><td class="n">{{.Max}}</td><td class="n">{{.Mean}}</td></tr>
{{end}}</tbody></table>
<h2>Sign-in steps and outcomes</h2>
<div class="charts">{{.NextSteps}}</div>
{{if .Flows}}<table><thead><tr><th>flow</th>{{range .FlowCodes}}<th class="n">{{.}}</th>{{end}}<th class="n">total</th></tr></thead><tbody>
{{range .Flows}}<tr><td>{{.Flow}}</td>{{range .Counts}}<td class="n">{{.}}</td>{{end}}<td class="n">{{.Total}}</td></tr>
{{end}}</tbody></table>{{end}}
<h2>Load generator</h2>
<div class="charts">{{.CPU}}</div>
<p class="meta">{{.CPUText}}</p>
<h2>Configuration</h2>
<table><tbody>{{range .Config}}<tr><th>{{.K}}</th><td>{{.V}}</td></tr>{{end}}</tbody></table>
<footer>authbench report{{if .Sources}} from {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}{{end}}{{if .Generated}} · generated {{.Generated}}{{end}}</footer>
</body></html>
`))

// outcomeCodes lists outcome codes: ok first, then by total count, then by name.
func outcomeCodes(total map[string]int64) []string {
	codes := slices.Collect(maps.Keys(total))
	slices.SortFunc(codes, func(a, b string) int {
		if (a == outcomeOK) != (b == outcomeOK) {
			if a == outcomeOK {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(total[b], total[a]), cmp.Compare(a, b))
	})
	return codes
}

func outcomeColour(code string, i int) string {
	switch code {
	case outcomeOK:
		return "#2ca02c"
	case throttleCode:
		return "#ff7f0e"
	}
	others := []string{"#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22", "#1f77b4"}
	return others[i%len(others)]
}

// plannedRate is the open-loop schedule's rate at t seconds.
func plannedRate(s *BenchSummary, t float64) float64 {
	if len(s.Config.Stages) == 0 {
		if s.Config.DurationS > 0 && t > s.Config.DurationS {
			return 0
		}
		return s.Config.Rate
	}
	at := 0.0
	for _, st := range s.Config.Stages {
		if t <= at+st.DurationS {
			if st.DurationS == 0 {
				return st.To
			}
			return st.From + (st.To-st.From)*(t-at)/st.DurationS
		}
		at += st.DurationS
	}
	return 0
}

// latencySeries returns metric's p50/p90/p99/max per interval, in ms, from the log when
// it has the metric and from the summary's intervals otherwise.
func latencySeries(s *BenchSummary, log *IntervalLog, metric string) []series {
	names := []string{"p50", "p90", "p99", "max"}
	out := make([]series, len(names))
	for i, n := range names {
		out[i] = series{Name: n, Colour: colour(i)}
	}
	add := func(x float64, v [4]int64) {
		for i := range out {
			out[i].X = append(out[i].X, x)
			out[i].Y = append(out[i].Y, ms(float64(v[i])))
		}
	}
	off, seen := log.Offset(s.Start), false
	log.EachOfSeries(metric, func(h LogHist) {
		q := h.Hist.ValueAtPercentiles([]float64{50, 90, 99})
		add(h.StartS+h.LengthS+off, [4]int64{q[50], q[90], q[99], h.Hist.Max()})
		seen = true
	})
	if seen {
		return out
	}
	for _, iv := range s.Intervals {
		if st, ok := iv.Metrics[metric]; ok && st.Count > 0 {
			add(iv.EndS, [4]int64{st.P50, st.P90, st.P99, st.Max})
		}
	}
	return out
}

// flowLatencySeries returns, for every flow the run recorded (its flow.<f>.latency
// metrics, by flow name), the p99 and, dashed in the same colour, the p50 per
// interval, in ms.
func flowLatencySeries(s *BenchSummary, log *IntervalLog) []series {
	var flows []string
	for m := range s.Metrics {
		if _, f := MetricKindOf(m); f != "" {
			flows = append(flows, f)
		}
	}
	slices.Sort(flows)
	var out []series
	for i, f := range flows {
		ls := latencySeries(s, log, "flow."+f+".latency")
		p99, p50 := ls[2], ls[0]
		p99.Name, p99.Colour = f+" p99", colour(i)
		p50.Name, p50.Colour, p50.Dash = f+" p50", colour(i), true
		out = append(out, p99, p50)
	}
	return out
}

// WriteBenchHTML writes the self-contained report page of a bench run. log may be nil
// (the summary's intervals are used then).
func WriteBenchHTML(w io.Writer, s *BenchSummary, log *IntervalLog, opt HTMLOptions) error {
	p := benchPage{
		Title:       "authbench bench — " + s.Target,
		Target:      s.Target,
		Mode:        s.Mode + " loop",
		Start:       fmtTime(s.Start),
		End:         fmtTime(s.End),
		Wall:        num(s.WallS) + " s",
		Interrupted: s.Interrupted,
		Warnings:    s.Warnings,
		Sources:     opt.Sources,
		TimeSource:  "from the summary's intervals",
	}
	if log != nil && len(log.Hists) > 0 {
		p.TimeSource = "from the HdrHistogram interval log"
	}
	if !opt.Generated.IsZero() {
		p.Generated = fmtTime(opt.Generated)
	}
	t := s.Totals
	errClass := "good"
	if t.Errors > 0 {
		errClass = "bad"
	}
	lateClass := "good"
	if LateStartsMaterial(s) {
		lateClass = "bad"
	}
	p.Tiles = []tile{
		{fmt.Sprint(t.Started), fmt.Sprintf("started of %d planned", t.Planned), ""},
		{fmt.Sprint(t.Completed), "completed", ""},
		{fmt.Sprint(t.OK), "ok", "good"},
		{fmt.Sprintf("%d (%s)", t.Errors, pct(t.Errors, t.Completed)), "errors", errClass},
		{fmt.Sprint(t.Throttles), "throttled", ""},
		{num(s.Rates.Achieved) + "/s", fmt.Sprintf("achieved (planned %s/s)", num(s.Rates.Planned)), ""},
	}
	if s.Mode != "closed" {
		p.Tiles = append(p.Tiles, tile{fmt.Sprint(t.LateStarts), fmt.Sprintf("late starts (max lag %s ms)", fmtMS(t.MaxStartLagUS)), lateClass})
	}
	if st, ok := s.Metrics[MetricLatency]; ok {
		p.Tiles = append(p.Tiles, tile{fmtMS(st.P99) + " ms", "sign-in p99 (intended start)", ""})
	}

	// Latency over time.
	for _, m := range []struct{ metric, title string }{
		{MetricLatency, "Sign-in latency from the intended start (" + MetricLatency + ")"},
		{MetricService, "Sign-in service time (" + MetricService + ")"},
	} {
		p.LatencyCharts = append(p.LatencyCharts, lineChart{Title: m.title, XLabel: "time since start (s), interval end", YLabel: "ms",
			Series: latencySeries(s, log, m.metric), YUnit: " ms"}.render())
	}
	if fs := flowLatencySeries(s, log); len(fs) > 0 {
		p.LatencyCharts = append(p.LatencyCharts, lineChart{Title: "Sign-in latency per flow: p99, p50 dashed",
			XLabel: "time since start (s), interval end", YLabel: "ms", Series: fs, YUnit: " ms"}.render())
	}

	// Per-phase distribution.
	var names []string
	pcts := []float64{50, 75, 90, 95, 99, 99.9, 99.99, 100}
	ticks := []string{"p50", "p75", "p90", "p95", "p99", "p99.9", "p99.99", "max"}
	hists := log != nil && len(log.Hists) > 0
	if hists {
		names = log.Tags()
		p.PhaseSource = "every value of the interval log"
	} else {
		names = slices.Sorted(maps.Keys(s.Metrics))
		pcts = []float64{50, 90, 95, 99, 99.9, 100}
		ticks = []string{"p50", "p90", "p95", "p99", "p99.9", "max"}
		p.PhaseSource = "from the summary's percentiles"
	}
	var phases []series
	for i, m := range phaseMetrics(names) {
		sr := series{Name: m, Colour: colour(i), Dash: m == MetricLatency}
		var ys []int64
		if hists {
			h := log.Merged(m)
			ys = h.ValueAtPercentilesSlice(pcts[:len(pcts)-1])
			ys = append(ys, h.Max())
		} else {
			st := s.Metrics[m]
			ys = []int64{st.P50, st.P90, st.P95, st.P99, st.P999, st.Max}
		}
		for j, y := range ys {
			sr.X = append(sr.X, float64(j))
			sr.Y = append(sr.Y, ms(float64(y)))
		}
		phases = append(phases, sr)
	}
	p.PhaseChart = lineChart{Title: "Percentile distribution per phase", XLabel: "percentile", YLabel: "ms (log scale)",
		Series: phases, XTicks: ticks, LogY: true, YUnit: " ms"}.render()
	for _, m := range MetricOrder(s.Metrics) {
		st := s.Metrics[m]
		p.Stats = append(p.Stats, statRow{m, st.Count, fmtMS(st.P50), fmtMS(st.P90), fmtMS(st.P95), fmtMS(st.P99), fmtMS(st.P999), fmtMS(st.Max), fmt.Sprintf("%.3f", st.Mean/1000)})
	}

	// Rates and outcomes per interval.
	achieved := series{Name: "achieved starts/s", Colour: "#1f77b4"}
	completed := series{Name: "completions/s", Colour: "#2ca02c"}
	planned := series{Name: "planned starts/s", Colour: "#7f7f7f", Dash: true}
	totals := map[string]int64{}
	var spans [][2]float64
	for _, iv := range s.Intervals {
		d := iv.EndS - iv.StartS
		if d <= 0 {
			continue
		}
		achieved.X, achieved.Y = append(achieved.X, iv.EndS), append(achieved.Y, float64(iv.Started)/d)
		completed.X, completed.Y = append(completed.X, iv.EndS), append(completed.Y, float64(iv.Completed)/d)
		if s.Mode != "closed" {
			planned.X, planned.Y = append(planned.X, iv.EndS), append(planned.Y, plannedRate(s, (iv.StartS+iv.EndS)/2))
		}
		for k, v := range iv.Outcomes {
			totals[k] += v
		}
		spans = append(spans, [2]float64{iv.StartS, iv.EndS})
	}
	rs := []series{achieved, completed}
	if s.Mode != "closed" {
		rs = append(rs, planned)
	}
	p.RateChart = lineChart{Title: "Achieved vs planned rate", XLabel: "time since start (s), interval end", YLabel: "per second", Series: rs, YUnit: "/s"}.render()
	codes := outcomeCodes(totals)
	sb := stackedBars{Title: "Outcomes by code per interval", XLabel: "time since start (s)", YLabel: "sign-ins", Spans: spans, Categories: codes}
	for i, c := range codes {
		sb.Colours = append(sb.Colours, outcomeColour(c, i))
		var vals []float64
		for _, iv := range s.Intervals {
			if iv.EndS-iv.StartS > 0 {
				vals = append(vals, float64(iv.Outcomes[c]))
			}
		}
		sb.Values = append(sb.Values, vals)
	}
	p.OutcomeChart = sb.render()

	// Next-step mix.
	var steps []barRow
	var stepMax int64
	for _, v := range s.NextSteps {
		stepMax = max(stepMax, v)
	}
	keys := slices.Collect(maps.Keys(s.NextSteps))
	slices.SortFunc(keys, func(a, b string) int { return cmp.Or(cmp.Compare(s.NextSteps[b], s.NextSteps[a]), cmp.Compare(a, b)) })
	for _, k := range keys {
		v := s.NextSteps[k]
		steps = append(steps, barRow{Label: k, Value: fmt.Sprintf("%d (%s of starts)", v, pct(v, t.Started)), Frac: float64(v) / float64(stepMax)})
	}
	p.NextSteps = hbars("Next-step mix (steps met)", steps)

	// Flow outcomes.
	fc := map[string]int64{}
	for _, m := range s.FlowOutcomes {
		for k, v := range m {
			fc[k] += v
		}
	}
	p.FlowCodes = outcomeCodes(fc)
	for _, f := range slices.Sorted(maps.Keys(s.FlowOutcomes)) {
		r := flowRow{Flow: f}
		for _, c := range p.FlowCodes {
			r.Counts = append(r.Counts, s.FlowOutcomes[f][c])
			r.Total += s.FlowOutcomes[f][c]
		}
		p.Flows = append(p.Flows, r)
	}

	// Load generator CPU.
	c := s.CPU
	if c.Known {
		col := "#2ca02c"
		if c.Saturated {
			col = "#d62728"
		}
		p.CPU = hbars("Load-generator CPU", []barRow{{Label: fmt.Sprintf("utilization of %d cores", c.Cores), Value: fmt.Sprintf("%.1f%%", 100*c.Utilization), Frac: c.Utilization, Colour: col, Marker: cpuSaturation}})
		p.CPUText = fmt.Sprintf("%s s user + %s s system over %s s on %d cores; above %.0f%% (the red line) the numbers measure the load generator, not the pool.",
			num(c.User), num(c.System), num(c.Wall), c.Cores, 100*cpuSaturation)
	} else {
		p.CPUText = "This platform reports no process CPU time."
	}

	// Configuration.
	cfg := s.Config
	add := func(k, v string) { p.Config = append(p.Config, kv{k, v}) }
	add("target", s.Target)
	add("mode", s.Mode)
	if cfg.Rate > 0 {
		add("rate", num(cfg.Rate)+"/s")
	}
	for i, st := range cfg.Stages {
		add(fmt.Sprintf("stage %d", i+1), fmt.Sprintf("%s s from %s/s to %s/s", num(st.DurationS), num(st.From), num(st.To)))
	}
	if cfg.DurationS > 0 {
		add("duration", num(cfg.DurationS)+" s")
	}
	if cfg.Iterations > 0 {
		add("iterations", fmt.Sprint(cfg.Iterations))
	}
	if cfg.Users > 0 {
		add("users (closed loop)", fmt.Sprint(cfg.Users))
	}
	if cfg.ThinkS > 0 {
		add("think time", num(cfg.ThinkS)+" s")
	}
	if cfg.MaxInflight > 0 {
		add("max in flight", fmt.Sprint(cfg.MaxInflight))
	}
	add("late tolerance", fmtMS(cfg.LateToleranceUS)+" ms")
	add("interval", num(cfg.IntervalS)+" s")
	if len(cfg.Mix) > 0 {
		var mix []string
		for _, k := range slices.Sorted(maps.Keys(cfg.Mix)) {
			mix = append(mix, fmt.Sprintf("%s %d", k, cfg.Mix[k]))
		}
		add("flow mix", strings.Join(mix, ", "))
	}
	if cfg.UserSet > 0 {
		add("user set", fmt.Sprint(cfg.UserSet))
	}
	if r := s.Run; r != nil {
		add("run id", r.RunID)
		add("config hash", r.ConfigHash)
		if r.Shards > 1 {
			add("shard", fmt.Sprintf("%d of %d", r.Shard, r.Shards))
		}
	}
	if m := s.Merge; m != nil {
		v := fmt.Sprintf("%d of %d shards merged", len(m.Merged), m.Shards)
		if m.Partial {
			v += fmt.Sprintf(" — PARTIAL, missing %v", m.Missing)
		}
		add("merge", v)
	}
	for _, th := range s.Thresholds {
		res := "pass"
		if !th.Passed {
			res = "FAIL"
		}
		p.Thresholds = append(p.Thresholds, kv{th.Threshold + " (actual " + th.Text() + ")", res})
		p.ThresholdsBad = append(p.ThresholdsBad, !th.Passed)
	}
	if t.Clamped > 0 || t.HistogramDropped > 0 || t.UserWaits > 0 {
		add("clamped / dropped / user waits", fmt.Sprintf("%d / %d / %d", t.Clamped, t.HistogramDropped, t.UserWaits))
	}
	return benchTmpl.Execute(w, p)
}
