package bench

import (
	"strings"
	"testing"
)

// TestLateStartWarning checks when late starts earn a warning (more than 1% of the
// sign-ins late, or a p99 start lag over 10 ms) and that its advice follows the
// cause: CPU, the --max-inflight cap, or the scheduler falling behind.
func TestLateStartWarning(t *testing.T) {
	base := func(late int64, p99LagUS int64) Summary {
		return Summary{Mode: string(Open),
			Totals:  Totals{Started: 1000, LateStarts: late},
			Rates:   Rates{Achieved: 100},
			Config:  SummaryConfig{MaxInflight: 1000},
			Metrics: map[string]Stats{MetricStartLag: {P99: p99LagUS}, MetricService: {Mean: 50_000}}}
	}
	tests := []struct {
		name string
		s    func() Summary
		want []string // nil: no warning
	}{
		{"immaterial", func() Summary { return base(10, 3_000) }, nil},
		{"none late", func() Summary { return base(0, 30_000) }, nil},
		{"closed loop", func() Summary { s := base(500, 30_000); s.Mode = string(Closed); return s }, nil},
		{"cpu", func() Summary {
			s := base(20, 3_000)
			s.CPU.Saturated, s.CPU.Utilization, s.CPU.Cores = true, 0.97, 2
			return s
		}, []string{"20 of 1000 sign-ins (2.0%) started late", "CPU-bound (97% of 2 cores)", "more cores", "--shards", "lower the rate"}},
		{"inflight cap", func() Summary {
			s := base(20, 3_000)
			s.Rates.Achieved, s.Metrics[MetricService] = 1000, Stats{Mean: 900_000}
			return s
		}, []string{"about 900 sign-ins were in flight on average against --max-inflight 1000", "raise --max-inflight or lower the rate"}},
		{"scheduler, by lag", func() Summary { return base(5, 25_000) }, []string{"5 of 1000 sign-ins (0.5%)", "p99 start lag 25ms", "scheduler fell behind", "more cores", "--shards"}},
	}
	for _, tt := range tests {
		s := tt.s()
		got := lateStartWarning(&s)
		if tt.want == nil {
			if got != "" {
				t.Errorf("%s: warned %q", tt.name, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tt.name, got, w)
			}
		}
		if tt.name != "inflight cap" && strings.Contains(got, "--max-inflight") {
			t.Errorf("%s: advises --max-inflight when the cap was not reached: %q", tt.name, got)
		}
	}
}
