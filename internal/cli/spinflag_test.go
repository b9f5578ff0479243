package cli

import (
	"testing"
	"time"

	"github.com/authbench/authbench/bench"
)

// TestSpinValue checks --spin: auto by default, 0 and durations as given, negative
// and malformed values refused.
func TestSpinValue(t *testing.T) {
	t.Parallel()
	var d time.Duration
	v := newSpinValue(&d)
	if d != bench.SpinAuto || v.String() != "auto" {
		t.Fatalf("default %v (%q), want auto", d, v.String())
	}
	for in, want := range map[string]time.Duration{"0": 0, "1.2ms": 1200 * time.Microsecond, "auto": bench.SpinAuto} {
		if err := v.Set(in); err != nil || d != want {
			t.Errorf("Set(%q): %v, %v; want %v", in, d, err, want)
		}
	}
	for _, in := range []string{"-1ms", "fast", ""} {
		if err := v.Set(in); err == nil {
			t.Errorf("Set(%q) accepted", in)
		}
	}
}
