// Package exitcode is the one table of authbench's process exit codes, and the error
// wrapper that carries a code from deep in a command up to main, where it is mapped
// once.
package exitcode

import (
	"context"
	"errors"
	"fmt"
)

// The exit codes authbench returns.
const (
	// OK means success.
	OK = 0
	// Failure is an unexpected runtime error (I/O, a bug).
	Failure = 1
	// Usage is a bad command line or an invalid configuration.
	Usage = 2
	// ConformanceFailed means at least one conformance spec failed.
	ConformanceFailed = 3
	// IncompleteMerge means shards were missing or failed in a merge.
	IncompleteMerge = 4
	// ThresholdsBreached means at least one threshold failed.
	ThresholdsBreached = 99
	// Interrupted means the run was stopped by SIGINT or SIGTERM.
	Interrupted = 130
)

// Error is an error with an exit code.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Wrap attaches code to err; a nil err stays nil.
func Wrap(code int, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Err: err}
}

// Usagef returns a usage error (exit code 2) with a formatted message.
func Usagef(format string, args ...any) error {
	return &Error{Code: Usage, Err: fmt.Errorf(format, args...)}
}

// Of returns the exit code for err: 0 for nil, the code of the outermost [*Error] in
// the chain, 130 for a cancelled context, 1 otherwise.
func Of(err error) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return Failure
}
