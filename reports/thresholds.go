package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Threshold is one parsed threshold: `<metric>: <aggregate> <op> <value>`.
type Threshold struct {
	// Source is the threshold as written.
	Source string
	// Metric is the metric name, e.g. "signin.latency".
	Metric string
	// Aggregate is "p(99)", "avg", "min", "max", "med", "count", "rate".
	Aggregate string
	// Percentile is the percentile of a p(N) aggregate (0–100).
	Percentile float64
	// Op is one of <, <=, >, >=, ==, !=.
	Op string
	// Value is the bound: durations are in microseconds (the unit of the latency
	// histograms); counts and rates are plain numbers.
	Value float64
	// Duration reports whether Value was written as a duration.
	Duration bool
}

// SyntaxError is a threshold that does not parse; Pos is the byte offset of the
// problem in Source (0-based).
type SyntaxError struct {
	Source string
	Pos    int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("threshold %q: column %d: %s", e.Source, e.Pos+1, e.Msg)
}

var aggregates = []string{"avg", "min", "max", "med", "count", "rate"}

// ParseThreshold parses `<metric>: <aggregate> <op> <value>`, where the aggregate is
// p(N) (a percentile, 0 < N ≤ 100), avg, min, max, med, count or rate, the operator
// is <, <=, >, >=, == or !=, and the value a number or a duration (800ms, 1.5s, 250us).
func ParseThreshold(s string) (Threshold, error) {
	t := Threshold{Source: s}
	fail := func(pos int, format string, a ...any) (Threshold, error) {
		return Threshold{}, &SyntaxError{Source: s, Pos: pos, Msg: fmt.Sprintf(format, a...)}
	}
	colon := strings.IndexByte(s, ':')
	if colon < 0 {
		return fail(len(s), "want <metric>: <aggregate> <operator> <value>")
	}
	t.Metric = strings.TrimSpace(s[:colon])
	if t.Metric == "" {
		return fail(0, "missing metric name")
	}
	for i, r := range t.Metric {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-') {
			return fail(strings.Index(s, t.Metric)+i, "unexpected %q in metric name", r)
		}
	}
	pos := colon + 1
	skip := func() {
		for pos < len(s) && s[pos] == ' ' {
			pos++
		}
	}
	skip()
	// The aggregate.
	switch {
	case strings.HasPrefix(s[pos:], "p("):
		end := strings.IndexByte(s[pos:], ')')
		if end < 0 {
			return fail(len(s), "missing ) after p(")
		}
		num := s[pos+2 : pos+end]
		p, err := strconv.ParseFloat(num, 64)
		if err != nil || p <= 0 || p > 100 {
			return fail(pos+2, "percentile %q: want a number in (0, 100]", num)
		}
		t.Aggregate, t.Percentile = "p("+num+")", p
		pos += end + 1
	default:
		word := pos
		for pos < len(s) && unicode.IsLetter(rune(s[pos])) {
			pos++
		}
		agg := s[word:pos]
		found := false
		for _, a := range aggregates {
			found = found || a == agg
		}
		if !found {
			return fail(word, "unknown aggregate %q: want p(N), %s", agg, strings.Join(aggregates, ", "))
		}
		t.Aggregate = agg
		if agg == "med" {
			t.Percentile = 50
		}
	}
	skip()
	// The operator.
	for _, op := range []string{"<=", ">=", "==", "!=", "<", ">"} {
		if strings.HasPrefix(s[pos:], op) {
			t.Op = op
			pos += len(op)
			break
		}
	}
	if t.Op == "" {
		return fail(pos, "want an operator: <, <=, >, >=, == or !=")
	}
	skip()
	// The value.
	raw := strings.TrimSpace(s[pos:])
	if raw == "" {
		return fail(pos, "missing value")
	}
	if v, err := strconv.ParseFloat(raw, 64); err == nil {
		t.Value = v
	} else if d, err := time.ParseDuration(strings.ReplaceAll(raw, "µ", "u")); err == nil {
		t.Value, t.Duration = float64(d.Microseconds())+float64(d%time.Microsecond)/1000, true
	} else {
		return fail(pos, "value %q: want a number or a duration such as 800ms", raw)
	}
	if t.Duration && (t.Aggregate == "count" || t.Aggregate == "rate") {
		return fail(pos, "a %s is not a duration", t.Aggregate)
	}
	if math.IsNaN(t.Value) || math.IsInf(t.Value, 0) {
		return fail(pos, "value must be finite")
	}
	return t, nil
}

// Metrics is what thresholds are evaluated against: merged run data.
type Metrics interface {
	// Percentile returns the metric's p-th percentile (0–100) in microseconds, and
	// whether the metric exists.
	Percentile(metric string, p float64) (float64, bool)
	// Stat returns avg, min or max in microseconds.
	Stat(metric, which string) (float64, bool)
	// Count returns a counter's value (or a histogram's number of values).
	Count(metric string) (float64, bool)
	// Rate returns a rate metric's value (a fraction, e.g. errors / sign-ins).
	Rate(metric string) (float64, bool)
}

// Result is one evaluated threshold.
type Result struct {
	Threshold Threshold
	// Actual is the value the metric had, in the threshold's unit.
	Actual float64
	// Passed is false when the bound was breached or the metric is missing.
	Passed bool
	// Missing is set when the run has no such metric.
	Missing bool
}

// Evaluate checks a threshold against the metrics.
func (t Threshold) Evaluate(m Metrics) Result {
	var v float64
	var ok bool
	switch t.Aggregate {
	case "count":
		v, ok = m.Count(t.Metric)
	case "rate":
		v, ok = m.Rate(t.Metric)
	case "avg", "min", "max":
		v, ok = m.Stat(t.Metric, t.Aggregate)
	default:
		v, ok = m.Percentile(t.Metric, t.Percentile)
	}
	if !ok {
		return Result{Threshold: t, Missing: true}
	}
	pass := false
	switch t.Op {
	case "<":
		pass = v < t.Value
	case "<=":
		pass = v <= t.Value
	case ">":
		pass = v > t.Value
	case ">=":
		pass = v >= t.Value
	case "==":
		pass = v == t.Value
	case "!=":
		pass = v != t.Value
	}
	return Result{Threshold: t, Actual: v, Passed: pass}
}

// String describes a result for people: `✓ signin.latency: p(99) < 800ms (p(99) = 412ms)`.
func (r Result) String() string {
	mark := "✓"
	if !r.Passed {
		mark = "✗"
	}
	if r.Missing {
		return fmt.Sprintf("%s %s (no such metric in this run)", mark, r.Threshold.Source)
	}
	return fmt.Sprintf("%s %s (%s = %s)", mark, r.Threshold.Source, r.Threshold.Aggregate, r.Threshold.Format(r.Actual))
}

// The units of a threshold's values, as the JSON summary names them.
const (
	// UnitMicroseconds is the unit of latency aggregates (p(N), avg, min, max, med).
	UnitMicroseconds = "us"
	// UnitCount is the unit of a count.
	UnitCount = "count"
	// UnitRatio is the unit of a rate: a fraction of sign-ins, from 0 to 1.
	UnitRatio = "ratio"
)

// Unit is the unit of the threshold's values (its bound and the metric's actual
// value): UnitMicroseconds, UnitCount or UnitRatio.
func (t Threshold) Unit() string {
	switch t.Aggregate {
	case "count":
		return UnitCount
	case "rate":
		return UnitRatio
	}
	return UnitMicroseconds
}

// Format writes a value of the threshold's unit for people, as the terminal, the
// HTML page and the summary's actualText show it: a duration rounded to 10 µs
// (6823 µs is "6.82ms"), a count or a ratio as a plain number.
func (t Threshold) Format(v float64) string {
	if t.Unit() == UnitMicroseconds {
		return time.Duration(v * float64(time.Microsecond)).Round(10 * time.Microsecond).String()
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// ParseThresholds parses every threshold; the first syntax error is returned as is
// (a *SyntaxError with its position).
func ParseThresholds(srcs []string) ([]Threshold, error) {
	var out []Threshold
	for _, s := range srcs {
		t, err := ParseThreshold(s)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// Breached reports whether any result failed.
func Breached(rs []Result) bool {
	for _, r := range rs {
		if !r.Passed {
			return true
		}
	}
	return false
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Errors    int         `xml:"errors,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the results as a JUnit XML report: one testsuite named suite,
// one testcase per threshold (its source), failed when breached or missing.
// timestamp, if not zero, is the run's start.
func WriteJUnit(w io.Writer, suite string, timestamp time.Time, rs []Result) error {
	s := junitSuite{Name: suite, Tests: len(rs), Time: "0", Cases: []junitCase{}}
	if !timestamp.IsZero() {
		s.Timestamp = timestamp.UTC().Format("2006-01-02T15:04:05")
	}
	for _, r := range rs {
		c := junitCase{Name: r.Threshold.Source, Classname: "authbench.thresholds." + r.Threshold.Metric, Time: "0", SystemOut: r.String()}
		if !r.Passed {
			s.Failures++
			msg := "threshold breached"
			if r.Missing {
				msg = "no such metric in this run"
			}
			c.Failure = &junitFailure{Message: msg, Type: "ThresholdBreached", Text: r.String()}
		}
		s.Cases = append(s.Cases, c)
	}
	doc := junitSuites{Name: "authbench thresholds", Tests: s.Tests, Failures: s.Failures, Suites: []junitSuite{s}}
	b, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
