package cli

import (
	"fmt"
	"time"

	"github.com/authbench/authbench/bench"
)

// spinValue is --spin: "auto" (bench.SpinAuto, the default: the open loop spins only
// when starts come faster than timers hold), 0 (never spin) or a duration (spin
// that much of every wait).
type spinValue struct{ d *time.Duration }

// newSpinValue sets *d to its default, auto, and returns the flag's value.
func newSpinValue(d *time.Duration) spinValue {
	*d = bench.SpinAuto
	return spinValue{d}
}

// String returns "auto" or the duration.
func (v spinValue) String() string {
	if v.d == nil || *v.d == bench.SpinAuto {
		return "auto"
	}
	return v.d.String()
}

// Set parses "auto" or a duration that is not negative.
func (v spinValue) Set(s string) error {
	if s == "auto" {
		*v.d = bench.SpinAuto
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want auto, 0 or a duration such as 1.2ms, got %q", s)
	}
	*v.d = d
	return nil
}

// Type names the value in help.
func (spinValue) Type() string { return "duration|auto" }
