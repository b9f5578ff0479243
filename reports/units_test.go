package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestThresholdValuesCarryUnits checks that a threshold's actual value reads the
// same in the terminal, summary.json and the HTML page: 6823 µs is "6.82ms"
// everywhere, with the raw value and its unit beside it in the JSON, and that an
// older summary without the text still renders with units.
func TestThresholdValuesCarryUnits(t *testing.T) {
	h := hdr.New(1, 60_000_000, 3)
	for range 100 {
		h.RecordValue(6823)
	}
	s := &BenchSummary{Schema: Schema, Kind: "bench", Totals: BenchTotals{Started: 100, Completed: 100, OK: 99, Errors: 1}}
	ts, err := ParseThresholds([]string{"signin.latency: p(99) < 5ms", "signin.completed: count == 100", "signin.errors: rate < 0.05"})
	if err != nil {
		t.Fatal(err)
	}
	rs := EvaluateRun(ts, s, map[string]*hdr.Histogram{MetricLatency: h})
	var term bytes.Buffer
	if err := WriteResults(&term, rs); err != nil {
		t.Fatal(err)
	}
	want := []struct{ unit, text string }{{UnitMicroseconds, "6.82ms"}, {UnitCount, "100"}, {UnitRatio, "0.01"}}
	for i, w := range want {
		o := s.Thresholds[i]
		if o.Unit != w.unit || o.ActualText != w.text || o.Text() != w.text {
			t.Errorf("%s: unit %q, text %q; want %q, %q", o.Threshold, o.Unit, o.ActualText, w.unit, w.text)
		}
		if !strings.Contains(term.String(), "= "+w.text+")") {
			t.Errorf("the terminal lacks %q:\n%s", w.text, term.String())
		}
	}
	if s.Thresholds[0].Actual < 6823 || s.Thresholds[0].Actual > 6830 {
		t.Errorf("the raw value is %v, want µs", s.Thresholds[0].Actual)
	}
	var js bytes.Buffer
	if err := s.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"unit": "us"`, `"actualText": "6.82ms"`, `"unit": "ratio"`} {
		if !strings.Contains(js.String(), w) {
			t.Errorf("summary.json lacks %s", w)
		}
	}
	// An older summary (no unit, no text) reads back and renders with units.
	var old BenchSummary
	if err := json.Unmarshal([]byte(`{"schema":"authbench.report/v1","kind":"bench","thresholds":[{"threshold":"signin.latency: p(99) < 5ms","passed":false,"actual":6823}]}`), &old); err != nil {
		t.Fatal(err)
	}
	for _, sum := range []*BenchSummary{s, &old} {
		var page bytes.Buffer
		if err := WriteBenchHTML(&page, sum, nil, HTMLOptions{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(page.String(), "signin.latency: p(99) &lt; 5ms (actual 6.82ms)") || strings.Contains(page.String(), "actual 6823") {
			t.Errorf("the HTML page does not show the value with its unit")
		}
	}
}
