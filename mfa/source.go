package mfa

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// Media a Request may name, as Cognito spells them in CodeDeliveryDetails.
const (
	MediumSMS   = "SMS"
	MediumEmail = "EMAIL"
)

// Purposes a Request may name. An empty purpose matches any message.
const (
	PurposeMFA               = "MFA"
	PurposeOTP               = "OTP"
	PurposeSignUp            = "SIGN_UP"
	PurposeForgotPassword    = "FORGOT_PASSWORD"
	PurposeTemporaryPassword = "TEMPORARY_PASSWORD"
	PurposeVerifyAttribute   = "VERIFY_ATTRIBUTE"
)

// Request says which code is wanted.
type Request struct {
	// PoolID is the user pool that sent the code, for example "us-east-1_AbCdEf123".
	PoolID string
	// Username is the canonical username Cognito returned in the challenge
	// (USER_ID_FOR_SRP or USERNAME), which may differ from the alias the user typed.
	Username string
	// Medium is MediumSMS or MediumEmail; empty matches either.
	Medium string
	// Purpose says why the code was sent (PurposeMFA, PurposeSignUp, ...); empty
	// matches any purpose.
	Purpose string
	// Destination is the masked destination from CodeDeliveryDetails, for example
	// "+*******1234". It is informational: sources show it but do not match on it.
	Destination string
	// After is the moment the call that triggered the code was sent; only codes sent
	// at or after it count. The zero time accepts any code.
	After time.Time
}

// Source supplies SMS and email codes.
type Source interface {
	// Code returns the code r asks for, waiting for it if needed, until ctx ends.
	// The returned error is a *NoCodeError when no code could be had.
	Code(ctx context.Context, r Request) (string, error)
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context, r Request) (string, error)

// Code calls f(ctx, r).
func (f SourceFunc) Code(ctx context.Context, r Request) (string, error) {
	return f(ctx, r)
}

// ErrNoCode is matched (with errors.Is) by every error a Source in this package
// returns when it gives up without a code.
var ErrNoCode = errors.New("mfa: no code")

// NoCodeError says a source could not supply the code a Request asked for, and why.
// It names the user, medium and purpose, never the code. It matches ErrNoCode and
// unwraps to Err.
type NoCodeError struct {
	// Source names the source that gave up: "outbox", "command" or "prompt".
	Source string
	// Username, Medium and Purpose repeat the Request.
	Username, Medium, Purpose string
	// Reason is a short description of what went wrong, without secrets.
	Reason string
	// Err is the underlying cause, such as context.DeadlineExceeded, a
	// *StatusError or an *exec.ExitError; it may be nil.
	Err error
}

func newNoCode(source string, r Request, reason string, err error) *NoCodeError {
	return &NoCodeError{Source: source, Username: r.Username, Medium: r.Medium, Purpose: r.Purpose, Reason: reason, Err: err}
}

// Error describes the failure, for example
// `mfa: outbox: no SMS MFA code for "alice": context deadline exceeded`.
func (e *NoCodeError) Error() string {
	var b strings.Builder
	b.WriteString("mfa: ")
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	b.WriteString("no ")
	if e.Medium != "" {
		b.WriteString(e.Medium)
		b.WriteByte(' ')
	}
	if e.Purpose != "" {
		b.WriteString(e.Purpose)
		b.WriteByte(' ')
	}
	b.WriteString("code for ")
	b.WriteString(quote(e.Username))
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns ErrNoCode and the cause, so errors.Is matches both.
func (e *NoCodeError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrNoCode}
	}
	return []error{ErrNoCode, e.Err}
}

// quote quotes s for an error message, cutting it short if it is long.
func quote(s string) string {
	return `"` + truncate(s, 128) + `"`
}

// truncate returns s cut to at most n bytes on a rune boundary, with an ellipsis
// when something was cut, and with control characters replaced by spaces.
func truncate(s string, n int) string {
	cut := false
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s, cut = s[:n], true
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	if cut {
		s += "…"
	}
	return s
}

// sleepCtx waits for d or until ctx ends, whichever comes first, and returns
// ctx.Err() in the second case. It is the default sleep function of this package.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
