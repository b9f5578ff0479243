package driver

import (
	"context"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go/middleware"
)

// Observer receives the timing of one sign-in's phases. Implementations must be safe
// for use from the goroutine running the sign-in; they should be fast.
type Observer interface {
	// SRP reports time spent computing SRP (SRP_A, the PASSWORD_VERIFIER and device
	// responses).
	SRP(d time.Duration)
	// Call reports one attempt of an API call: the operation name, its round-trip
	// time, and its error (nil on success).
	Call(op string, d time.Duration, err error)
}

type observerKey struct{}

// WithObserver returns a context whose driver calls report to o.
func WithObserver(ctx context.Context, o Observer) context.Context {
	return context.WithValue(ctx, observerKey{}, o)
}

func observerFrom(ctx context.Context) Observer {
	o, _ := ctx.Value(observerKey{}).(Observer)
	return o
}

// TimingMiddleware installs, at the end of the SDK's Finalize step (after the retry
// loop, so each attempt is seen), a middleware that reports each attempt to the
// context's Observer. With no Observer it costs one context lookup. NewSDKClient
// installs it; add it to the APIOptions of SDK clients you build yourself.
func TimingMiddleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("authbench.Timing",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			o := observerFrom(ctx)
			if o == nil {
				return next.HandleFinalize(ctx, in)
			}
			start := time.Now()
			out, md, err := next.HandleFinalize(ctx, in)
			o.Call(awsmiddleware.GetOperationName(ctx), time.Since(start), err)
			return out, md, err
		}), middleware.After)
}

// timeSRP runs f and reports its duration as SRP time.
func timeSRP[T any](ctx context.Context, f func() (T, error)) (T, error) {
	o := observerFrom(ctx)
	if o == nil {
		return f()
	}
	start := time.Now()
	v, err := f()
	o.SRP(time.Since(start))
	return v, err
}
