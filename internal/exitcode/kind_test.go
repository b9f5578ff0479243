package exitcode

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

type typedErr struct{}

func (typedErr) Error() string { return "typed" }

func TestOfKinds(t *testing.T) {
	invalid := errors.New("invalid")
	kinds := []Kind{Is(invalid, Usage), As[typedErr](IncompleteMerge)}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"a sentinel wrapped with %w", fmt.Errorf("plan: %w", invalid), Usage},
		{"a typed error in the chain", fmt.Errorf("merge: %w", typedErr{}), IncompleteMerge},
		{"an explicit code wins over a kind", Wrap(ThresholdsBreached, invalid), ThresholdsBreached},
		{"a kind wins over cancellation", errors.Join(context.Canceled, invalid), Usage},
		{"no kind: cancellation", fmt.Errorf("run: %w", context.Canceled), Interrupted},
		{"no kind: failure", errors.New("invalid"), Failure},
	}
	for _, tt := range tests {
		if got := Of(tt.err, kinds...); got != tt.want {
			t.Errorf("%s: Of = %d, want %d", tt.name, got, tt.want)
		}
	}
}
