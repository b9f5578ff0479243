package reports

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// MetricKind says what a metric holds: a latency histogram (in µs) or a counter.
type MetricKind int

// The kinds of metric.
const (
	// KindUnknown is a name no bench run records.
	KindUnknown MetricKind = iota
	// KindHistogram is a latency histogram: p(N), avg, min, max, med and count apply.
	KindHistogram
	// KindCounter is an event count: count and rate apply.
	KindCounter
)

// The metric names a bench run records, in the order they are listed to users. The
// families api.<Operation>, flow.<flow>.latency, outcome.<code> and next_step.<step>
// are matched by MetricKindOf.
var (
	histogramMetrics = []string{MetricLatency, MetricService, MetricSRP, MetricStartLag, "mfa.code", "lease.wait"}
	counterMetrics   = []string{"signin.planned", "signin.started", "signin.completed", "signin.ok",
		"signin.errors", "signin.throttles", "iterations", "errors", "throttles", "late_starts",
		"user_waits", "clamped", "histogram_dropped"}
	metricFamilies = []string{"api.<Operation>", "flow.<flow>.latency", "outcome.<code>", "next_step.<step>"}
)

// MetricNames lists every metric a threshold may name: the fixed names, then the
// families written with a placeholder (api.<Operation>, flow.<flow>.latency, …).
func MetricNames() []string {
	out := slices.Concat(histogramMetrics, counterMetrics, metricFamilies)
	return out
}

// MetricKindOf says what kind of metric name is, and for a flow.<flow>.latency name
// the flow it names ("" otherwise). api.<Operation> needs an operation name such as
// InitiateAuth (a capitalised identifier); outcome.<code> and next_step.<step> any
// non-empty suffix.
func MetricKindOf(name string) (kind MetricKind, flow string) {
	switch {
	case slices.Contains(histogramMetrics, name):
		return KindHistogram, ""
	case slices.Contains(counterMetrics, name):
		return KindCounter, ""
	}
	if op, ok := strings.CutPrefix(name, MetricAPI); ok {
		if op == "" || !unicode.IsUpper(rune(op[0])) || strings.ContainsAny(op, ".-") {
			return KindUnknown, ""
		}
		return KindHistogram, ""
	}
	if rest, ok := strings.CutPrefix(name, "flow."); ok {
		if f, ok := strings.CutSuffix(rest, ".latency"); ok && f != "" && !strings.Contains(f, ".") {
			return KindHistogram, f
		}
		return KindUnknown, ""
	}
	for _, p := range []string{"outcome.", "next_step."} {
		if rest, ok := strings.CutPrefix(name, p); ok && rest != "" {
			return KindCounter, ""
		}
	}
	return KindUnknown, ""
}

// UnknownMetricError is a threshold naming a metric no bench run records (or a flow
// the run's mix does not have, or an aggregate its metric has not); Valid lists what
// the user may write instead.
type UnknownMetricError struct {
	// Threshold is the threshold as written.
	Threshold string
	// Metric is the name it gives.
	Metric string
	// Problem says what is wrong with it.
	Problem string
	// Valid lists the valid names (or, for a flow, the mix's flows).
	Valid []string
}

func (e *UnknownMetricError) Error() string {
	return fmt.Sprintf("threshold %q: %s; valid: %s", e.Threshold, e.Problem, strings.Join(e.Valid, ", "))
}

// CheckMetrics checks that every threshold names a metric a bench run records and an
// aggregate that metric has, before any load: a misspelt name would otherwise only
// show as a missing metric after the run. flows are the flows of the run's mix, which
// flow.<flow>.latency must name; nil accepts any flow name. The first problem is
// returned as an *UnknownMetricError.
func CheckMetrics(ts []Threshold, flows []string) error {
	for _, t := range ts {
		kind, flow := MetricKindOf(t.Metric)
		fail := func(valid []string, format string, a ...any) error {
			return &UnknownMetricError{Threshold: t.Source, Metric: t.Metric, Problem: fmt.Sprintf(format, a...), Valid: valid}
		}
		switch {
		case kind == KindUnknown:
			if near := nearestMetric(t.Metric); near != "" {
				return fail(MetricNames(), "no metric named %q (did you mean %q?)", t.Metric, near)
			}
			return fail(MetricNames(), "no metric named %q", t.Metric)
		case flow != "" && flows != nil && !slices.Contains(flows, flow):
			names := make([]string, len(flows))
			for i, f := range flows {
				names[i] = "flow." + f + ".latency"
			}
			slices.Sort(names)
			return fail(names, "flow %q is not in the mix", flow)
		case kind == KindCounter && t.Aggregate != "count" && t.Aggregate != "rate":
			return fail([]string{"count", "rate"}, "%s is a counter, so %s does not apply", t.Metric, t.Aggregate)
		case kind == KindHistogram && t.Aggregate == "rate":
			return fail([]string{"p(N)", "avg", "min", "max", "med", "count"}, "%s is a latency histogram, so rate does not apply", t.Metric)
		}
	}
	return nil
}

// nearestMetric is the fixed metric name closest to name by edit distance, when it
// is close enough to be a typo (at most 2 edits), or "".
func nearestMetric(name string) string {
	best, bestD := "", 3
	for _, m := range slices.Concat(histogramMetrics, counterMetrics) {
		if d := editDistance(name, m); d < bestD {
			best, bestD = m, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
