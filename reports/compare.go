package reports

import (
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// CompareStats are the statistics a comparison shows per metric, in order; "errors"
// is the run's error rate (a run-wide row).
var CompareStats = []string{"p50", "p90", "p99", "max", "mean"}

// ErrorRateStat names the error-rate row of a comparison.
const ErrorRateStat = "errors"

// Change is one statistic of one metric in two runs.
type Change struct {
	Metric, Stat string
	Old, New     float64
	// Delta is (New − Old) / Old in percent; +Inf when Old is 0 and New is not.
	Delta float64
	// Gated reports whether the change was checked against the regression limit;
	// Regressed whether it exceeded it.
	Gated, Regressed bool
}

// CompareOptions choose what a comparison gates on.
type CompareOptions struct {
	// MaxRegression is the largest allowed increase in percent; < 0 disables the gate.
	MaxRegression float64
	// Metrics and Stats name what is gated ("signin.latency", "p99", "errors", …).
	Metrics, Stats []string
}

func statValue(st Stats, name string) (float64, bool) {
	switch name {
	case "p50":
		return float64(st.P50), true
	case "p90":
		return float64(st.P90), true
	case "p95":
		return float64(st.P95), true
	case "p99":
		return float64(st.P99), true
	case "p99.9":
		return float64(st.P999), true
	case "max":
		return float64(st.Max), true
	case "mean":
		return st.Mean, true
	}
	return 0, false
}

// ValidStat reports whether name can be gated on.
func ValidStat(name string) bool {
	_, ok := statValue(Stats{}, name)
	return ok || name == ErrorRateStat
}

func delta(o, n float64) float64 {
	switch {
	case o == n:
		return 0
	case o == 0:
		return math.Inf(1)
	}
	return (n - o) / math.Abs(o) * 100
}

// Compare lists the change of every metric both runs have (headline metrics first)
// and of the error rate. A change is gated when its metric and statistic are chosen
// (the error rate when Stats holds "errors"), and regressed when it grew by more
// than MaxRegression percent.
func Compare(old, cur *BenchSummary, opt CompareOptions) []Change {
	var out []Change
	gate := func(c *Change) {
		if opt.MaxRegression < 0 || !slices.Contains(opt.Stats, c.Stat) {
			return
		}
		if c.Stat != ErrorRateStat && !slices.Contains(opt.Metrics, c.Metric) {
			return
		}
		c.Gated = true
		c.Regressed = c.Delta > opt.MaxRegression
	}
	stats := slices.Clone(CompareStats)
	for _, s := range opt.Stats {
		if s != ErrorRateStat && !slices.Contains(stats, s) {
			stats = append(stats, s)
		}
	}
	for _, m := range MetricOrder(cur.Metrics) {
		o, ok := old.Metrics[m]
		if !ok {
			continue
		}
		n := cur.Metrics[m]
		for _, s := range stats {
			ov, _ := statValue(o, s)
			nv, _ := statValue(n, s)
			c := Change{Metric: m, Stat: s, Old: ov, New: nv, Delta: delta(ov, nv)}
			gate(&c)
			out = append(out, c)
		}
	}
	c := Change{Metric: "signin", Stat: ErrorRateStat, Old: old.ErrorRate(), New: cur.ErrorRate()}
	c.Delta = delta(c.Old, c.New)
	gate(&c)
	return append(out, c)
}

// Regressions returns the changes that exceeded the limit.
func Regressions(cs []Change) []Change {
	var out []Change
	for _, c := range cs {
		if c.Regressed {
			out = append(out, c)
		}
	}
	return out
}

// FormatDelta formats a change in percent with its sign ("+12.5%", "-3.0%", "+inf").
func FormatDelta(d float64) string {
	if math.IsInf(d, 1) {
		return "+inf"
	}
	return fmt.Sprintf("%+.1f%%", d)
}

func fmtChangeValue(c Change, v float64) string {
	if c.Stat == ErrorRateStat {
		return fmt.Sprintf("%.3f%%", 100*v)
	}
	return strconv.FormatFloat(v/1000, 'f', 3, 64)
}

// WriteComparison writes the changes as a table: latencies in ms, the error rate in
// percent; gated rows are marked ok or REGRESSED.
func WriteComparison(w io.Writer, cs []Change, opt CompareOptions) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "metric\tstat\told\tnew\tdelta\t\t")
	for _, c := range cs {
		mark := ""
		switch {
		case c.Regressed:
			mark = "REGRESSED"
		case c.Gated:
			mark = "ok"
		}
		unit := " ms"
		if c.Stat == ErrorRateStat {
			unit = ""
		}
		fmt.Fprintf(tw, "%s\t%s\t%s%s\t%s%s\t%s\t%s\t\n", c.Metric, c.Stat, fmtChangeValue(c, c.Old), unit, fmtChangeValue(c, c.New), unit, FormatDelta(c.Delta), mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if opt.MaxRegression >= 0 {
		r := Regressions(cs)
		if len(r) == 0 {
			_, err := fmt.Fprintf(w, "no regression above %s%% on %s of %s\n", num(opt.MaxRegression), strings.Join(opt.Stats, ","), strings.Join(opt.Metrics, ","))
			return err
		}
		_, err := fmt.Fprintf(w, "%d regression(s) above %s%%\n", len(r), num(opt.MaxRegression))
		return err
	}
	return nil
}

// RunDifferences lists how two bench runs differ in what was asked of them — the
// target, the loop (open or closed), the flow mix, the planned load (rate, stages or
// users) — one "what: old vs new" string each: a comparison of runs that differ
// there compares the settings as much as the pool.
func RunDifferences(old, cur *BenchSummary) []string {
	var out []string
	add := func(what, o, n string) {
		if o != n {
			out = append(out, fmt.Sprintf("%s: %s vs %s", what, o, n))
		}
	}
	add("target", old.Target, cur.Target)
	add("mode", old.Mode, cur.Mode)
	add("mix", mixString(old.Config.Mix), mixString(cur.Config.Mix))
	add("load", loadString(old), loadString(cur))
	return out
}

// mixString writes a mix as the --mix flag does, flows sorted by name.
func mixString(m map[string]int) string {
	if len(m) == 0 {
		return "(not recorded)"
	}
	keys := slices.Sorted(maps.Keys(m))
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return strings.Join(parts, ",")
}

// loadString describes a run's planned load: its rate, its stages or its users.
func loadString(s *BenchSummary) string {
	c := s.Config
	switch {
	case c.Users > 0:
		return fmt.Sprintf("%d users (closed loop), think %ss", c.Users, num(c.ThinkS))
	case len(c.Stages) > 0:
		parts := make([]string, len(c.Stages))
		for i, st := range c.Stages {
			parts[i] = fmt.Sprintf("%ss:%s→%s/s", num(st.DurationS), num(st.From), num(st.To))
		}
		return "stages " + strings.Join(parts, ",")
	}
	return num(c.Rate) + "/s"
}
