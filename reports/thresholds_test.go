package reports

import (
	"errors"
	"testing"
)

func TestParseThreshold(t *testing.T) {
	tests := []struct {
		in        string
		metric    string
		aggregate string
		pct       float64
		op        string
		value     float64
		duration  bool
	}{
		{"signin.latency: p(99) < 800ms", "signin.latency", "p(99)", 99, "<", 800_000, true},
		{"signin.latency:p(99.9)<=1.5s", "signin.latency", "p(99.9)", 99.9, "<=", 1_500_000, true},
		{"signin.errors: rate < 0.01", "signin.errors", "rate", 0, "<", 0.01, false},
		{"late_starts: count == 0", "late_starts", "count", 0, "==", 0, false},
		{"api.InitiateAuth: med >= 250us", "api.InitiateAuth", "med", 50, ">=", 250, true},
		{"srp: avg != 2", "srp", "avg", 0, "!=", 2, false},
		{"x: max > 1µs", "x", "max", 0, ">", 1, true},
	}
	for _, tt := range tests {
		got, err := ParseThreshold(tt.in)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got.Metric != tt.metric || got.Aggregate != tt.aggregate || got.Percentile != tt.pct || got.Op != tt.op || got.Value != tt.value || got.Duration != tt.duration {
			t.Errorf("%q: got %+v", tt.in, got)
		}
	}
}

func TestParseThresholdErrors(t *testing.T) {
	tests := []struct {
		in  string
		pos int // 0-based column of the problem
	}{
		{"signin.latency p(99) < 800ms", 28}, // no colon: at the end
		{": p(99) < 1s", 0},                  // no metric
		{"sign in: p(99) < 1s", 4},           // a space in the name
		{"m: p(99 < 1s", 12},                 // unclosed p(
		{"m: p(0) < 1s", 5},                  // percentile out of range
		{"m: p(abc) < 1s", 5},                // not a number
		{"m: mean < 1s", 3},                  // unknown aggregate
		{"m: p(99) ~ 1s", 9},                 // no operator
		{"m: p(99) <", 10},                   // no value
		{"m: p(99) < fast", 11},              // not a value
		{"m: count < 5s", 11},                // a count is not a duration
	}
	for _, tt := range tests {
		_, err := ParseThreshold(tt.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: err %v, want a SyntaxError", tt.in, err)
			continue
		}
		if se.Pos != tt.pos {
			t.Errorf("%q: position %d, want %d (%v)", tt.in, se.Pos, tt.pos, err)
		}
	}
}

// fakeMetrics is a fixed set of merged metrics.
type fakeMetrics map[string]float64

func (f fakeMetrics) Percentile(m string, p float64) (float64, bool) {
	v, ok := f[m+":p"]
	return v * p / 100, ok // a linear toy distribution
}
func (f fakeMetrics) Stat(m, which string) (float64, bool) { v, ok := f[m+":"+which]; return v, ok }
func (f fakeMetrics) Count(m string) (float64, bool)       { v, ok := f[m+":count"]; return v, ok }
func (f fakeMetrics) Rate(m string) (float64, bool)        { v, ok := f[m+":rate"]; return v, ok }

func TestEvaluate(t *testing.T) {
	m := fakeMetrics{"signin.latency:p": 1_000_000, "signin.errors:rate": 0.02, "late_starts:count": 0, "srp:avg": 1200}
	tests := []struct {
		th   string
		pass bool
		miss bool
	}{
		{"signin.latency: p(99) < 1s", true, false},     // 990ms
		{"signin.latency: p(99) < 900ms", false, false}, // 990ms
		{"signin.latency: med <= 500ms", true, false},
		{"signin.errors: rate < 0.01", false, false},
		{"signin.errors: rate < 0.05", true, false},
		{"late_starts: count == 0", true, false},
		{"srp: avg < 1ms", false, false},
		{"nothing: count == 0", false, true}, // a missing metric fails
	}
	for _, tt := range tests {
		th, err := ParseThreshold(tt.th)
		if err != nil {
			t.Fatal(err)
		}
		r := th.Evaluate(m)
		if r.Passed != tt.pass || r.Missing != tt.miss {
			t.Errorf("%q: %+v", tt.th, r)
		}
		if r.String() == "" {
			t.Error("empty description")
		}
	}
}

func FuzzParseThreshold(f *testing.F) {
	for _, s := range []string{"signin.latency: p(99) < 800ms", "x: rate < 0.1", "a:", "::", "m: p(", "m: count == 1e309"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		th, err := ParseThreshold(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Pos < 0 || se.Pos > len(s) {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		if th.Metric == "" || th.Op == "" {
			t.Fatalf("parsed without metric or operator: %+v", th)
		}
	})
}
