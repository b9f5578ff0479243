// Package exitcode is the one table of authbench's process exit codes, and the error
// wrapper that carries a code from deep in a command up to main, where it is mapped
// once. Library packages do not know exit codes: their errors carry a kind (a typed
// error or a sentinel wrapped with %w), and the command tree passes [Of] the [Kind]s
// that map those kinds to codes. Nothing here reads an error's text.
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

// Kind maps a kind of error to an exit code.
type Kind struct {
	// Match reports whether err is of the kind (with errors.Is or errors.As, which
	// look through the whole chain).
	Match func(err error) bool
	// Code is the kind's exit code.
	Code int
}

// Is is the Kind of errors matching target with errors.Is.
func Is(target error, code int) Kind {
	return Kind{Match: func(err error) bool { return errors.Is(err, target) }, Code: code}
}

// As is the Kind of errors whose chain holds an error of type T (errors.As).
func As[T error](code int) Kind {
	return Kind{Match: func(err error) bool {
		var t T
		return errors.As(err, &t)
	}, Code: code}
}

// Of returns the exit code for err: 0 for nil, the code of the outermost [*Error] in
// the chain, else the code of the first of kinds that err matches, 130 for a
// cancelled context, 1 otherwise.
func Of(err error, kinds ...Kind) int {
	if err == nil {
		return OK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	for _, k := range kinds {
		if k.Match(err) {
			return k.Code
		}
	}
	if errors.Is(err, context.Canceled) {
		return Interrupted
	}
	return Failure
}
