package bench

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/mfa"
)

// Embedded is the embedded pool as a bench target: an emulator on 127.0.0.1 with
// the bench pools.
type Embedded struct {
	Server *emulator.Server
	// Admin is an Admin API client of the emulator.
	Admin *cip.Client
	// Pools are the pools by flow.
	Pools map[string]PoolRef
	// TOTP hands out TOTP codes once per window per user; share it with Flows so the
	// codes used to set TOTP up are not used again.
	TOTP *mfa.TOTP
}

// StartEmbedded starts an emulator on a free loopback port with limits (quotas,
// latency; zero: none) and the bench pools of fixtures/bench.yaml: one for the srp,
// password, MFA and refresh flows, one with a declarative custom challenge answered
// by CustomAnswer, and one that remembers devices.
func StartEmbedded(ctx context.Context, limits emulator.Limits) (*Embedded, error) {
	srv, loaded, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Options: emulator.Options{Limits: limits}, Fixtures: []string{"bench"}})
	if err != nil {
		return nil, fmt.Errorf("bench: embedded pools: %w", err)
	}
	admin, err := driver.NewAdminClient(ctx, "us-east-1_x", driver.Endpoint{URL: srv.Endpoint(), Retries: 1})
	if err != nil {
		srv.Close()
		return nil, err
	}
	e := &Embedded{Server: srv, TOTP: &mfa.TOTP{Lookahead: true}, Admin: admin}
	byName := map[string]PoolRef{}
	for _, p := range loaded.Pools {
		byName[p.Name] = PoolRef{PoolID: p.ID, ClientID: p.Clients[0].ID}
	}
	e.Pools = map[string]PoolRef{FlowCustom: byName["authbench-bench-custom"], FlowDevice: byName["authbench-bench-devices"]}
	for _, fl := range []string{FlowSRP, FlowPassword, FlowSMS, FlowTOTP, FlowEmail, FlowRefresh} {
		e.Pools[fl] = byName["authbench-bench"]
	}
	return e, nil
}

// Close stops the emulator.
func (e *Embedded) Close() error { return e.Server.Close() }

// Endpoint returns the emulator's URL.
func (e *Embedded) Endpoint() string { return e.Server.Endpoint() }

// Provision creates counts[flow] users for every flow with a positive count and
// returns the user set.
func (e *Embedded) Provision(ctx context.Context, counts map[string]int, progress func(done, total int)) (*UserSet, error) {
	set := &UserSet{Schema: UserSetSchema, Endpoint: e.Endpoint(), Region: "us-east-1", Pools: map[string]PoolRef{}, Users: map[string][]User{}}
	var flows []string
	total := 0
	for f, n := range counts {
		if n > 0 {
			flows = append(flows, f)
			total += n
		}
	}
	slices.Sort(flows)
	base := 0
	for _, f := range flows {
		ref, ok := e.Pools[f]
		if !ok {
			return set, fmt.Errorf("bench: flow %q has no embedded pool", f)
		}
		set.Pools[f] = ref
		o := ProvisionOptions{PoolID: ref.PoolID, Flow: f, Count: counts[f], TOTP: e.TOTP}
		if f == FlowTOTP {
			c, err := driver.New(driver.NewSDKClient(ref.PoolID, driver.Endpoint{URL: e.Endpoint(), Retries: 1}), driver.Config{PoolID: ref.PoolID, ClientID: ref.ClientID, SkipSideCalls: true})
			if err != nil {
				return set, err
			}
			o.Client = c
		}
		if progress != nil {
			b := base
			o.Progress = func(done, _ int) { progress(b+done, total) }
		}
		us, err := Provision(ctx, e.Admin, o)
		set.Users[f] = us
		if err != nil {
			return set, err
		}
		base += counts[f]
	}
	return set, nil
}

// FlowsOptions configures Flows.
type FlowsOptions struct {
	// Endpoint reaches the pools (URL, region, MaxConns); Retries is forced to 1.
	Endpoint driver.Endpoint
	// Codes supplies SMS and email codes (for the embedded pool: its outbox).
	Codes mfa.Source
	// Dialect is the Amplify dialect the driver copies (default Flutter).
	Dialect driver.Dialect
	// TOTP computes TOTP codes (nil: a new one with Lookahead). Share the one used in
	// provisioning within a process.
	TOTP *mfa.TOTP
}

// Flows builds, for every flow of the user set, a driver-backed Flow and a Lease
// over its users.
func Flows(set *UserSet, o FlowsOptions) (map[string]Flow, map[string]*Lease, error) {
	o.Endpoint.Retries = 1 // throttles are outcomes, never retried
	flows, leases := map[string]Flow{}, map[string]*Lease{}
	totp := o.TOTP
	if totp == nil {
		totp = &mfa.TOTP{Lookahead: true}
	}
	sdk := map[string]*cip.Client{}
	var errs []error
	for f, users := range set.Users {
		ref, ok := set.Pools[f]
		if !ok {
			errs = append(errs, fmt.Errorf("bench: flow %q has users but no pool", f))
			continue
		}
		l, err := NewLease(users)
		if err != nil {
			errs = append(errs, fmt.Errorf("bench: flow %q: %w", f, err))
			continue
		}
		for _, u := range users {
			// A code provisioning used is spent: Cognito refuses it a second time.
			if u.TOTPSecret != "" && !u.TOTPSpent.IsZero() {
				if err := totp.Spent(u.TOTPSecret, u.TOTPSpent); err != nil {
					errs = append(errs, fmt.Errorf("bench: user %s: %w", u.Username, err))
				}
			}
		}
		if sdk[ref.PoolID] == nil {
			ep := o.Endpoint
			if ep.Region == "" {
				ep.Region = set.Region
			}
			sdk[ref.PoolID] = driver.NewSDKClient(ref.PoolID, ep)
		}
		// One driver client per flow: the device flow's remembered devices stay its own.
		c, err := driver.New(sdk[ref.PoolID], driver.Config{PoolID: ref.PoolID, ClientID: ref.ClientID, ClientSecret: ref.ClientSecret, Dialect: o.Dialect})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sf := &SignInFlow{Name: f, Client: c, Codes: o.Codes, TOTP: totp}
		switch f {
		case FlowPassword:
			sf.Options.Flow = driver.UserPasswordAuth
		case FlowCustom:
			sf.Options.Flow = driver.CustomWithoutSRP
		case FlowRefresh:
			sf.Refresh = true
		}
		flows[f], leases[f] = sf, l
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	return flows, leases, nil
}

// NewOutbox returns the embedded pool's code source, polling often enough that
// waiting for a code adds little to a sign-in.
func (e *Embedded) NewOutbox() *mfa.Outbox {
	return mfa.NewOutbox(e.Endpoint(), nil, func(o *mfa.OutboxOptions) { o.Interval = 20 * time.Millisecond })
}
