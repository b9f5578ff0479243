package driver

import (
	"context"

	"github.com/authbench/authbench/mfa"
)

// LoopbackOutbox opens the message outbox of the authbench pool at endpoint (a
// loopback address: `authbench emulate` started apart), from which SMS and email
// codes are read. It reads with the credentials an Admin client of poolID would sign
// with ([AdminCredentials]), since a pool that requires signed requests serves its
// outbox only to its access key; region, when empty, is poolID's. It returns nil
// and no error when the endpoint serves no outbox (another emulator), and an error
// when no credentials can be had or the outbox refuses them (errors.Is
// [mfa.ErrRefused]). opts adjust the outbox (its polling interval, say).
func LoopbackOutbox(ctx context.Context, endpoint, poolID, region string, opts ...func(*mfa.OutboxOptions)) (*mfa.Outbox, error) {
	if region == "" {
		region = RegionOf(poolID)
	}
	creds, err := AdminCredentials(ctx, poolID, Endpoint{URL: endpoint, Region: region})
	if err != nil {
		return nil, err
	}
	ob := mfa.NewOutbox(endpoint, nil, func(o *mfa.OutboxOptions) {
		o.Credentials, o.Region = creds, region
		for _, f := range opts {
			f(o)
		}
	})
	ok, err := ob.Available(ctx)
	if err != nil || !ok {
		ob.CloseIdleConnections()
		return nil, err
	}
	return ob, nil
}
