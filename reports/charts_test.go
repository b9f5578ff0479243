package reports

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	svgTag    = regexp.MustCompile(`<svg class="chart"[^>]*>`)
	tickLabel = regexp.MustCompile(`class="[xy]t">([^<]*)<`)
)

// roundTick reports whether a numeric tick label is round: at most two significant
// digits (1, 2, 5, 15, 0.6, 250 — not 1.003).
func roundTick(s string) bool {
	digits := strings.TrimLeft(strings.NewReplacer(".", "", "-", "").Replace(s), "0")
	digits = strings.TrimRight(digits, "0")
	return len(digits) <= 2
}

// TestChartsResponsiveRoundTicks checks that every chart of the bench page scales to
// the page's width (a viewBox and width 100%, no fixed pixel size), that time and
// value ticks are round even when the intervals end at odd times (1.003 s, 2.003 s,
// … as real runs do), and that the page plots latency over time per flow.
func TestChartsResponsiveRoundTicks(t *testing.T) {
	s := &BenchSummary{Schema: Schema, Kind: "bench", Target: "embedded", Mode: "open",
		Start: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), Metrics: map[string]Stats{}}
	for i := range 12 {
		end := float64(i+1) + 0.003
		m := map[string]Stats{
			MetricLatency:           {Count: 10, P50: 12_345 + int64(i)*1000, P90: 20_001, P99: 33_333, Max: 41_007},
			MetricService:           {Count: 10, P50: 11_111, P90: 19_999, P99: 30_303, Max: 40_404},
			"flow.srp.latency":      {Count: 5, P50: 10_007, P99: 30_001, Max: 31_000},
			"flow.password.latency": {Count: 5, P50: 5_003, P99: 9_001, Max: 9_500},
		}
		s.Intervals = append(s.Intervals, BenchInterval{StartS: end - 1, EndS: end, Started: 10 + int64(i), Completed: 10,
			Outcomes: map[string]int64{"ok": 9, "TooManyRequestsException": 1}, Metrics: m})
	}
	for k, v := range s.Intervals[0].Metrics {
		s.Metrics[k] = v
	}
	var b bytes.Buffer
	if err := WriteBenchHTML(&b, s, nil, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	tags := svgTag.FindAllString(page, -1)
	if len(tags) < 5 {
		t.Fatalf("%d charts", len(tags))
	}
	for _, tag := range tags {
		if !strings.Contains(tag, `viewBox="0 0 `) || !strings.Contains(tag, `width="100%"`) || strings.Contains(tag, "height=") {
			t.Errorf("a chart of fixed size: %s", tag)
		}
	}
	if !strings.Contains(page, "width:100%") {
		t.Error("the charts' style does not fill the width")
	}
	for _, m := range tickLabel.FindAllStringSubmatch(page, -1) {
		if _, err := strconv.ParseFloat(m[1], 64); err != nil {
			continue // a categorical tick (p99, max)
		}
		if !roundTick(m[1]) {
			t.Errorf("tick label %q is not round", m[1])
		}
	}
	for _, want := range []string{"Sign-in latency per flow", "srp p99 — 12.003 s: 30.001 ms", "password p50 — 1.003 s: 5.003 ms"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, tc := range []struct {
		lo, hi float64
		want   string
	}{{0, 12.003, "0 5 10"}, {0, 1.003, "0 0.2 0.4 0.6 0.8 1"}, {0, 0.7, "0 0.2 0.4 0.6"}, {0, 300, "0 50 100 150 200 250 300"}} {
		var got []string
		for _, v := range ticks(tc.lo, tc.hi, 6) {
			got = append(got, num(v))
		}
		if strings.Join(got, " ") != tc.want {
			t.Errorf("ticks(%v, %v) = %v, want %s", tc.lo, tc.hi, got, tc.want)
		}
	}
}
