package idp

import "context"

// Quotas and injected latency: Cognito's request-rate categories and per-user limits,
// answered with TooManyRequestsException when exceeded, and an optional delay per
// operation so a bench can rehearse a slow region. Both are off by default.

// admit applies the quotas and the injected latency to one call of op.
func (s *Service) admit(ctx context.Context, op string, in any) *Error {
	return nil
}
