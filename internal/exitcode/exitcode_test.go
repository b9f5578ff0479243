package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil is success", nil, OK},
		{"plain error is a failure", errors.New("boom"), Failure},
		{"usage error", Usagef("bad flag %q", "x"), Usage},
		{"wrapped with %w keeps the code", fmt.Errorf("outer: %w", Wrap(ThresholdsBreached, errors.New("p99"))), ThresholdsBreached},
		{"cancelled context is an interrupt", fmt.Errorf("run: %w", context.Canceled), Interrupted},
		{"explicit code wins over cancellation", Wrap(ConformanceFailed, context.Canceled), ConformanceFailed},
	}
	for _, tt := range tests {
		if got := Of(tt.err); got != tt.want {
			t.Errorf("%s: Of = %d, want %d", tt.name, got, tt.want)
		}
	}
	if Wrap(Usage, nil) != nil {
		t.Error("Wrap(nil) != nil")
	}
}
