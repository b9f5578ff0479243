package reports

import (
	"errors"
	"fmt"
	"io"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ErrBreached marks the error returned when a run's thresholds (or a comparison's
// regression gate) failed; match it with errors.Is.
var ErrBreached = errors.New("thresholds breached")

// RunMetrics is a bench run's (or a merge's) data as thresholds see it: histogram
// metrics by name (signin.latency, signin.service, srp, start.lag, api.<Op>,
// flow.<f>.latency) and the summary's counters.
type RunMetrics struct {
	// Summary holds the counters.
	Summary *BenchSummary
	// Hists holds the run's histograms by metric name (values in µs).
	Hists map[string]*hdr.Histogram
}

var _ Metrics = RunMetrics{}

// Percentile returns metric's p-th percentile.
func (m RunMetrics) Percentile(metric string, p float64) (float64, bool) {
	h := m.Hists[metric]
	if h == nil || h.TotalCount() == 0 {
		return 0, false
	}
	return float64(h.ValueAtPercentile(p)), true
}

// Stat returns metric's avg, min or max.
func (m RunMetrics) Stat(metric, which string) (float64, bool) {
	h := m.Hists[metric]
	if h == nil || h.TotalCount() == 0 {
		return 0, false
	}
	switch which {
	case "avg":
		return h.Mean(), true
	case "min":
		return float64(h.Min()), true
	case "max":
		return float64(h.Max()), true
	}
	return 0, false
}

// counter returns a counter by name: signin.planned/started/completed/ok/errors/
// throttles, late_starts, user_waits, clamped, histogram_dropped, outcome.<code>,
// next_step.<step>.
func (m RunMetrics) counter(metric string) (float64, bool) {
	t := m.Summary.Totals
	switch metric {
	case "signin.planned":
		return float64(t.Planned), true
	case "signin.started", "iterations":
		return float64(t.Started), true
	case "signin.completed":
		return float64(t.Completed), true
	case "signin.ok":
		return float64(t.OK), true
	case "signin.errors", "errors":
		return float64(t.Errors), true
	case "signin.throttles", "throttles":
		return float64(t.Throttles), true
	case "late_starts":
		return float64(t.LateStarts), true
	case "user_waits":
		return float64(t.UserWaits), true
	case "clamped":
		return float64(t.Clamped), true
	case "histogram_dropped":
		return float64(t.HistogramDropped), true
	}
	if code, ok := strings.CutPrefix(metric, "outcome."); ok {
		return float64(m.Summary.Outcomes[code]), true
	}
	if step, ok := strings.CutPrefix(metric, "next_step."); ok {
		return float64(m.Summary.NextSteps[step]), true
	}
	return 0, false
}

// Count returns a counter's value, or a histogram's number of values.
func (m RunMetrics) Count(metric string) (float64, bool) {
	if v, ok := m.counter(metric); ok {
		return v, true
	}
	if h := m.Hists[metric]; h != nil {
		return float64(h.TotalCount()), true
	}
	return 0, false
}

// Rate is a counter over its base: outcomes (signin.errors, signin.throttles,
// signin.ok, outcome.<code>) over completed sign-ins; late_starts and user_waits
// over started ones.
func (m RunMetrics) Rate(metric string) (float64, bool) {
	v, ok := m.counter(metric)
	if !ok {
		return 0, false
	}
	base := m.Summary.Totals.Completed
	switch metric {
	case "late_starts", "user_waits", "signin.started", "iterations", "signin.completed":
		base = m.Summary.Totals.Started
	case "signin.planned":
		return 0, false
	}
	if base == 0 {
		return 0, true
	}
	return v / float64(base), true
}

// EvaluateRun checks ts against the summary and the run's histograms, and records the
// outcomes in the summary's Thresholds.
func EvaluateRun(ts []Threshold, s *BenchSummary, hists map[string]*hdr.Histogram) []Result {
	var out []Result
	m := RunMetrics{Summary: s, Hists: hists}
	for _, t := range ts {
		r := t.Evaluate(m)
		out = append(out, r)
		o := ThresholdOutcome{Threshold: t.Source, Passed: r.Passed, Actual: r.Actual, Unit: t.Unit(), Missing: r.Missing}
		if !r.Missing {
			o.ActualText = t.Format(r.Actual)
		}
		s.Thresholds = append(s.Thresholds, o)
	}
	return out
}

// WriteResults writes the results under a "thresholds:" heading, one a line; nothing
// when there are none.
func WriteResults(w io.Writer, rs []Result) error {
	if len(rs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString("  thresholds:\n")
	for _, r := range rs {
		fmt.Fprintf(&b, "    %s\n", r)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// BreachError is the error of a run whose thresholds failed; it matches ErrBreached.
type BreachError struct {
	// Failed and Total count the failed and all thresholds.
	Failed, Total int
}

func (e *BreachError) Error() string {
	return fmt.Sprintf("%d of %d thresholds breached", e.Failed, e.Total)
}

// Is makes a BreachError match ErrBreached.
func (e *BreachError) Is(target error) bool { return target == ErrBreached }

// CheckResults returns a *BreachError when a result failed, nil otherwise.
func CheckResults(rs []Result) error {
	n := 0
	for _, r := range rs {
		if !r.Passed {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &BreachError{Failed: n, Total: len(rs)}
}
