package bench

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/mfa"
)

// TargetOptions say which pool a run loads. With none of PoolID, Endpoint and
// UsersFile set the target is the embedded pool, started and provisioned for the
// plan; otherwise the users come from UsersFile (written by 'authbench bench
// provision'). As with Options, errors name these by the bench command's flags.
type TargetOptions struct {
	// PoolID, if set, must be the pool of every flow of the user set.
	PoolID string
	// ClientID overrides the user set's app clients.
	ClientID string
	// Region is the pools' region (default: from the pool id).
	Region string
	// Endpoint is the Cognito endpoint URL (default: the user set's, else AWS).
	Endpoint string
	// UsersFile is the user-set file.
	UsersFile string
	// IOwnThisPool confirms that a non-loopback pool may be loaded.
	IOwnThisPool bool
	// Limits (quotas, latency) apply to the embedded pool; nil: none.
	Limits *emulator.Limits
	// Stderr receives provisioning progress and the safety gate's announcement.
	Stderr io.Writer
}

// Target is an opened bench target: the flow mix over its users, ready to run.
type Target struct {
	// Flow is the plan's mix of driver-backed flows, each over its users.
	Flow Flow
	// Meta describes the target for the summary (no secrets).
	Meta     Meta
	embedded *Embedded
	flows    map[string]Flow
	outbox   *mfa.Outbox // the outbox of a loopback pool opened apart, or nil
}

// Close closes the idle connections of the target's clients and stops the embedded
// pool, if the target started one. Call it once the run is over.
func (t *Target) Close() error {
	CloseIdleConnections(t.flows)
	if t.outbox != nil {
		t.outbox.CloseIdleConnections()
	}
	if t.embedded != nil {
		return t.embedded.Close()
	}
	return nil
}

// OpenTarget opens the plan's target: it starts and provisions the embedded pool, or
// reads the user set and keeps this shard's slice of it. Before it loads a pool that
// is not on a loopback address, it announces the planned load on o.Stderr, and
// refuses (an ErrInvalid error) unless o.IOwnThisPool is set: that is the one safety
// gate of a bench run. Option and user-set problems are ErrInvalid errors.
func (p *Plan) OpenTarget(ctx context.Context, o TargetOptions) (*Target, error) {
	embedded := o.PoolID == "" && o.Endpoint == "" && o.UsersFile == ""
	if !embedded && o.Limits != nil {
		return nil, invalidf("--quota, --quota-per-user and --latency apply to the embedded pool only")
	}
	if embedded {
		return p.openEmbedded(ctx, o)
	}
	if o.UsersFile == "" {
		return nil, invalidf("--users-file is required outside the embedded pool (create one with 'authbench bench provision')")
	}
	set, err := ReadUserSet(o.UsersFile)
	if err != nil {
		return nil, invalid(err)
	}
	endpoint := set.Endpoint
	if o.Endpoint != "" {
		endpoint = o.Endpoint
	}
	if endpoint != "" {
		if u, err := url.Parse(endpoint); err != nil || u.Scheme == "" || u.Host == "" {
			return nil, invalidf("--endpoint %q: want a URL such as http://127.0.0.1:9229", endpoint)
		}
	}
	for f, ref := range set.Pools {
		if o.PoolID != "" && ref.PoolID != o.PoolID {
			return nil, invalidf("--pool-id %s: the user set's %s users live in %s", o.PoolID, f, ref.PoolID)
		}
		if o.ClientID != "" {
			ref.ClientID = o.ClientID
			set.Pools[f] = ref
		}
	}
	for f, w := range p.Mix {
		if w > 0 && len(set.Users[f]) == 0 {
			return nil, invalidf("--mix: the user set has no %s users", f)
		}
	}
	// A shard draws from its own slice of the user set: no user signs in from two
	// shards at once.
	if err := ShardUsers(set, p.Shard, p.Shards); err != nil {
		return nil, invalid(err)
	}
	target := endpoint
	if target == "" {
		pools := map[string]bool{}
		for _, r := range set.Pools {
			pools[r.PoolID] = true
		}
		target = "aws:" + strings.Join(slices.Sorted(maps.Keys(pools)), ",")
	}
	if endpoint == "" || !driver.IsLoopback(endpoint) {
		fmt.Fprintf(o.Stderr, "bench plans %s requests to %s\n", p.describe(), target)
		if !o.IOwnThisPool {
			return nil, invalidf("%s is not a loopback endpoint: add --i-own-this-pool to confirm you may load it", target)
		}
	}
	fo := FlowsOptions{Endpoint: driver.Endpoint{URL: endpoint, Region: o.Region}}
	if driver.IsLoopback(endpoint) {
		ob, err := loopbackOutbox(ctx, set, p.Mix, endpoint, o.Region)
		if err != nil {
			return nil, err
		}
		if ob != nil {
			fo.Codes = ob
		}
	}
	t, err := p.newTarget(set, target, fo, nil)
	if err != nil {
		if ob, ok := fo.Codes.(*mfa.Outbox); ok {
			ob.CloseIdleConnections()
		}
		return nil, err
	}
	t.outbox, _ = fo.Codes.(*mfa.Outbox)
	return t, nil
}

// loopbackOutbox returns the outbox of the authbench pool at endpoint (a loopback
// address: `authbench emulate`, started apart), from which the SMS and email flows
// of the mix read their codes, or nil when no flow needs codes or endpoint serves
// no outbox (another emulator). It reads the outbox with the credentials the Admin
// calls of 'bench provision' signed with (driver.LoopbackOutbox); a refusal is an
// ErrInvalid error that says so, before the run starts.
func loopbackOutbox(ctx context.Context, set *UserSet, mix map[string]int, endpoint, region string) (*mfa.Outbox, error) {
	poolID := ""
	for _, f := range []string{FlowSMS, FlowEmail} {
		if ref, ok := set.Pools[f]; ok && mix[f] > 0 && len(set.Users[f]) > 0 && poolID == "" {
			poolID = ref.PoolID
		}
	}
	if poolID == "" {
		return nil, nil
	}
	if region == "" {
		region = set.Region
	}
	ob, err := driver.LoopbackOutbox(ctx, endpoint, poolID, region, func(o *mfa.OutboxOptions) { o.Interval = 20 * time.Millisecond })
	if err != nil {
		return nil, invalid(err)
	}
	return ob, nil
}

// openEmbedded starts the embedded pool and provisions the plan's users in it.
func (p *Plan) openEmbedded(ctx context.Context, o TargetOptions) (*Target, error) {
	var limits emulator.Limits
	if o.Limits != nil {
		limits = *o.Limits
	}
	e, err := StartEmbedded(ctx, limits)
	if err != nil {
		return nil, err
	}
	counts := p.UsersPerFlow()
	total := 0
	for _, n := range counts {
		total += n
	}
	fmt.Fprintf(o.Stderr, "embedded pool at %s: provisioning %d users\n", e.Endpoint(), total)
	set, err := e.Provision(ctx, counts, ProgressPrinter(o.Stderr, "users provisioned"))
	if err != nil {
		e.Close()
		return nil, err
	}
	fo := FlowsOptions{Codes: e.NewOutbox(), TOTP: e.TOTP, Endpoint: driver.Endpoint{URL: e.Endpoint(), Region: o.Region}}
	t, err := p.newTarget(set, "embedded", fo, e)
	if err != nil {
		e.Close()
		return nil, err
	}
	return t, nil
}

// newTarget keeps the flows of the mix in set and builds the mix over them.
func (p *Plan) newTarget(set *UserSet, name string, fo FlowsOptions, e *Embedded) (*Target, error) {
	for f := range set.Users {
		if p.Mix[f] == 0 {
			delete(set.Users, f)
		}
	}
	fo.Endpoint.MaxConns = min(p.Config.MaxInflight, 1024)
	if p.Config.Users > 0 {
		fo.Endpoint.MaxConns = p.Config.Users
	}
	flows, leases, err := Flows(set, fo)
	if err != nil {
		return nil, err
	}
	m, err := NewMix(p.Mix, flows, leases)
	if err != nil {
		CloseIdleConnections(flows)
		return nil, err
	}
	return &Target{Flow: m, Meta: Meta{Target: name, Mix: p.Mix, UserSet: set.Count()}, embedded: e, flows: flows}, nil
}
