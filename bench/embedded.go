package bench

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
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

	mu   sync.Mutex
	idle []idleCloser // the HTTP clients of the pool this Embedded made
}

// idleCloser is an HTTP client (or what holds one) whose idle connections can be
// closed.
type idleCloser interface{ CloseIdleConnections() }

// track remembers c (an *http.Client, an *mfa.Outbox, an SDK client's HTTP client),
// whose idle connections Close closes before the pool stops.
func (e *Embedded) track(c any) {
	ic, ok := c.(idleCloser)
	if !ok {
		return
	}
	e.mu.Lock()
	e.idle = append(e.idle, ic)
	e.mu.Unlock()
}

// closeIdle closes the idle connections of every client e made.
func (e *Embedded) closeIdle() {
	e.mu.Lock()
	idle := slices.Clone(e.idle)
	e.mu.Unlock()
	for _, c := range idle {
		c.CloseIdleConnections()
	}
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
	adminHTTP := driver.NewHTTPClient(0)
	admin, err := driver.NewAdminClient(ctx, "us-east-1_x", driver.Endpoint{URL: srv.Endpoint(), Retries: 1, HTTPClient: adminHTTP})
	if err != nil {
		srv.Close()
		return nil, err
	}
	e := &Embedded{Server: srv, TOTP: &mfa.TOTP{Lookahead: true}, Admin: admin}
	e.track(adminHTTP)
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

// Close stops the emulator. First it closes the idle connections of every client it
// made (the Admin client, provisioning's sign-in clients, the outboxes of
// NewOutbox): a connection a client dialed but never used (net/http dials one for a
// waiting request and keeps it idle when another frees up first) is one the server
// has read nothing from, and http.Server.Shutdown waits for such a connection until
// it is 5 s old, then gives up and leaves it open. Closed from the client's side, it
// ends at once and the server stops cleanly. Callers of Flows close the flows'
// connections with CloseIdleConnections before Close.
func (e *Embedded) Close() error {
	e.closeIdle()
	// A connection still being dialed or handed back reaches a client's idle pool
	// only after the first pass: keep closing them while the server shuts down, so
	// that none holds the shutdown for its timeout.
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				e.closeIdle()
			}
		}
	}()
	err := e.Server.Close()
	close(stop)
	<-stopped
	e.closeIdle()
	return err
}

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
			hc := driver.NewHTTPClient(0)
			e.track(hc)
			c, err := driver.New(driver.NewSDKClient(ref.PoolID, driver.Endpoint{URL: e.Endpoint(), Retries: 1, HTTPClient: hc}), driver.Config{PoolID: ref.PoolID, ClientID: ref.ClientID, SkipSideCalls: true})
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
// over its users. Without o.Endpoint.HTTPClient, each pool's flows share an HTTP
// client Flows makes; CloseIdleConnections(flows) closes its idle connections once
// the run is over (before the pool stops).
func Flows(set *UserSet, o FlowsOptions) (map[string]Flow, map[string]*Lease, error) {
	o.Endpoint.Retries = 1 // throttles are outcomes, never retried
	flows, leases := map[string]Flow{}, map[string]*Lease{}
	totp := o.TOTP
	if totp == nil {
		totp = &mfa.TOTP{Lookahead: true}
	}
	sdk := map[string]*cip.Client{}
	owned := map[string]*http.Client{} // the HTTP clients made here, by pool
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
			if ep.HTTPClient == nil {
				ep.HTTPClient = driver.NewHTTPClient(ep.MaxConns)
				owned[ref.PoolID] = ep.HTTPClient
			}
			sdk[ref.PoolID] = driver.NewSDKClient(ref.PoolID, ep)
		}
		// One driver client per flow: the device flow's remembered devices stay its own.
		c, err := driver.New(sdk[ref.PoolID], driver.Config{PoolID: ref.PoolID, ClientID: ref.ClientID, ClientSecret: ref.ClientSecret, Dialect: o.Dialect})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		sf := &SignInFlow{Name: f, Client: c, Codes: o.Codes, TOTP: totp, httpClient: owned[ref.PoolID]}
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
// waiting for a code adds little to a sign-in. It signs its requests with the Admin
// client's credentials (the embedded bench pool does not ask for signatures; a pool
// that does asks them of the outbox too). Close closes its idle connections.
func (e *Embedded) NewOutbox() *mfa.Outbox {
	ob := mfa.NewOutbox(e.Endpoint(), nil, func(o *mfa.OutboxOptions) {
		o.Interval = 20 * time.Millisecond
		o.Credentials, o.Region = e.Admin.Options().Credentials, e.Admin.Options().Region
	})
	e.track(ob)
	return ob
}
