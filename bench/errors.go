package bench

import (
	"errors"
	"fmt"
	"strings"
)

// The kinds of the package's errors, matched with errors.Is: a command maps them to
// its exit codes without reading their text.
var (
	// ErrInvalid marks a problem the user has to fix in what they asked for: a
	// workload, shard or target option, a user set, an artifact directory that is not
	// a run's, shards of different runs.
	ErrInvalid = errors.New("bench: invalid configuration")
	// ErrIncomplete marks a merge that lacks shards (or found none).
	ErrIncomplete = errors.New("bench: incomplete merge")
)

// kindError is an error of one of the kinds above: its text is its cause's.
type kindError struct {
	kind error
	err  error
}

func (e *kindError) Error() string        { return e.err.Error() }
func (e *kindError) Unwrap() error        { return e.err }
func (e *kindError) Is(target error) bool { return target == e.kind }

// invalid marks err as ErrInvalid (nil stays nil).
func invalid(err error) error {
	if err == nil {
		return nil
	}
	return &kindError{kind: ErrInvalid, err: err}
}

// invalidf is an ErrInvalid error with a formatted message.
func invalidf(format string, args ...any) error {
	return invalid(fmt.Errorf(format, args...))
}

// incompletef is an ErrIncomplete error with a formatted message.
func incompletef(format string, args ...any) error {
	return &kindError{kind: ErrIncomplete, err: fmt.Errorf(format, args...)}
}

// SyntaxError is a rate, stage list or flow mix that does not parse. It matches
// ErrInvalid.
type SyntaxError struct {
	// Msg says what is wrong and where (the 1-based byte position in the input).
	Msg string
}

func (e *SyntaxError) Error() string { return "bench: " + e.Msg }

// Is makes a SyntaxError match ErrInvalid.
func (e *SyntaxError) Is(target error) bool { return target == ErrInvalid }

func syntaxErrorf(format string, args ...any) error {
	return &SyntaxError{Msg: fmt.Sprintf(format, args...)}
}

// ConfigError lists the problems of a Config or Schedule. It matches ErrInvalid.
type ConfigError struct {
	// Problems are the problems found, in a stable order.
	Problems []string
}

// Error gives one "bench: " line per problem.
func (e *ConfigError) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString("bench: " + p)
	}
	return b.String()
}

// Is makes a ConfigError match ErrInvalid.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalid }

// newConfigError returns a *ConfigError of problems, or nil when there are none.
func newConfigError(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	return &ConfigError{Problems: problems}
}
