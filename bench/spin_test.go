package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestAutoSpin checks the per-wait spin: none while gaps are long enough for timers,
// half of a short gap, never more than a timer's lateness.
func TestAutoSpin(t *testing.T) {
	t.Parallel()
	cases := []struct{ gap, want time.Duration }{
		{0, 0},
		{-time.Millisecond, 0},
		{10 * time.Millisecond, 0},
		{2 * time.Millisecond, 0},
		{1999 * time.Microsecond, 999500 * time.Nanosecond},
		{time.Millisecond, 500 * time.Microsecond},
		{100 * time.Microsecond, 50 * time.Microsecond},
	}
	for _, c := range cases {
		if got := AutoSpin(c.gap); got != c.want {
			t.Errorf("AutoSpin(%v) = %v, want %v", c.gap, got, c.want)
		}
		if got := AutoSpin(c.gap); got > AutoSpinMax || (c.gap > 0 && float64(got) > AutoSpinFraction*float64(c.gap)) {
			t.Errorf("AutoSpin(%v) = %v exceeds its bounds", c.gap, got)
		}
	}
}

// TestDecideSpin checks the run's decision: auto by rate (per shard), the --spin
// override either way, off in the closed loop.
func TestDecideSpin(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	cases := []struct {
		name     string
		override time.Duration
		rate     float64
		shards   int
		want     SpinPlan
	}{
		{"slow: timers hold", SpinAuto, 100, 1, SpinPlan{Mode: "auto", Spin: 0, PeakGap: 10 * ms}},
		{"at the threshold", SpinAuto, 500, 1, SpinPlan{Mode: "auto", Spin: 0, PeakGap: 2 * ms}},
		{"fast: spin half the gap", SpinAuto, 1000, 1, SpinPlan{Mode: "auto", Spin: 500 * time.Microsecond, PeakGap: ms}},
		{"fast but sharded in 4", SpinAuto, 1000, 4, SpinPlan{Mode: "auto", Spin: 0, PeakGap: 4 * ms}},
		{"--spin 0 turns it off", 0, 5000, 1, SpinPlan{Mode: "off", PeakGap: 200 * time.Microsecond}},
		{"--spin fixes it", 1200 * time.Microsecond, 10, 1, SpinPlan{Mode: "fixed", Spin: 1200 * time.Microsecond, PeakGap: 100 * ms}},
		{"closed loop", SpinAuto, 0, 1, SpinPlan{Mode: "off"}},
	}
	for _, c := range cases {
		if got := DecideSpin(c.override, c.rate, c.shards); got != c.want {
			t.Errorf("%s: DecideSpin(%v, %v, %d) = %+v, want %+v", c.name, c.override, c.rate, c.shards, got, c.want)
		}
	}
}

// TestRunReportsSpin runs short real-clock schedules and checks that the result, the
// JSON summary and the human summary report the pacer's spin as decided.
func TestRunReportsSpin(t *testing.T) {
	t.Parallel()
	cases := []struct {
		spin     time.Duration
		rate     float64
		mode     string
		spinUS   int64
		text     string
		spunSome bool
	}{
		{SpinAuto, 2000, "auto", 250, "pacer spin: auto, starts 0.500ms apart at the peak (< 2ms): up to 0.250ms of each gap spun", false},
		{SpinAuto, 100, "auto", 0, "pacer spin: auto, off (starts 10.000ms apart at the peak", false},
		{0, 2000, "off", 0, "", false},
		{20 * time.Millisecond, 100, "fixed", 20000, "pacer spin: --spin 20.000ms on every wait;", true},
	}
	for _, c := range cases {
		res, err := Run(t.Context(), Config{Schedule: Schedule{Rate: c.rate, Duration: 100 * time.Millisecond}, Clock: RealClock{Spin: c.spin}}, instant)
		if err != nil {
			t.Fatal(err)
		}
		sp := res.Spin
		if sp == nil || sp.Mode != c.mode || sp.SpinUS != c.spinUS {
			t.Fatalf("spin %v at %v/s: result's spin %+v, want mode %s, %d µs", c.spin, c.rate, sp, c.mode, c.spinUS)
		}
		if c.mode == "off" && (sp.Waits != 0 || sp.CPUS != 0) {
			t.Errorf("--spin 0 spun %d waits", sp.Waits)
		}
		// A fixed spin of 20 ms on 10 ms gaps spins every wait that is not already
		// over when it begins.
		if c.spunSome && (sp.Waits == 0 || sp.CPUS <= 0) {
			t.Errorf("--spin %v at %v/s: %d waits spun, %vs", c.spin, c.rate, sp.Waits, sp.CPUS)
		}
		s := NewSummary(res, Meta{Target: "stub"})
		var js bytes.Buffer
		if err := s.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		var back struct {
			Spin *SpinUsage `json:"pacerSpin"`
		}
		if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Spin == nil || *back.Spin != *sp {
			t.Errorf("the JSON summary's pacerSpin is %+v (%v), want %+v", back.Spin, err, sp)
		}
		var txt bytes.Buffer
		if err := WriteText(&txt, &s); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(txt.String(), "pacer spin:"); c.text == "" && got || c.text != "" && !strings.Contains(txt.String(), c.text) {
			t.Errorf("spin %v at %v/s: the human summary should say %q:\n%s", c.spin, c.rate, c.text, txt.String())
		}
	}
}
