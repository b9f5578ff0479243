package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestLateStartsMaterial checks the rule (over 1% late, or p99 start lag over 10 ms,
// open loop only) and that the HTML page marks the late-start tile red only then.
func TestLateStartsMaterial(t *testing.T) {
	mk := func(mode string, late, p99 int64) *BenchSummary {
		return &BenchSummary{Schema: Schema, Kind: "bench", Mode: mode, Totals: BenchTotals{Started: 1000, LateStarts: late},
			Metrics: map[string]Stats{MetricStartLag: {Count: 1000, P99: p99}}}
	}
	for _, tc := range []struct {
		s    *BenchSummary
		want bool
	}{
		{mk("open", 10, 2_000), false}, {mk("open", 11, 2_000), true}, {mk("open", 1, 10_001), true},
		{mk("open", 0, 50_000), false}, {mk("closed", 500, 50_000), false},
	} {
		if got := LateStartsMaterial(tc.s); got != tc.want {
			t.Errorf("%s, %d late, p99 lag %d µs: material %v, want %v", tc.s.Mode, tc.s.Totals.LateStarts, tc.s.Metrics[MetricStartLag].P99, got, tc.want)
		}
		if tc.s.Mode != "open" {
			continue
		}
		var b bytes.Buffer
		if err := WriteBenchHTML(&b, tc.s, nil, HTMLOptions{}); err != nil {
			t.Fatal(err)
		}
		red := strings.Contains(b.String(), `<div class="tile bad"><b>`+itoa(tc.s.Totals.LateStarts)+`</b><span>late starts`)
		if red != tc.want {
			t.Errorf("%d late, p99 lag %d µs: tile red %v, want %v", tc.s.Totals.LateStarts, tc.s.Metrics[MetricStartLag].P99, red, tc.want)
		}
	}
}

func itoa(v int64) string { return strings.TrimSpace(num(float64(v))) }
