package bench

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/authbench/authbench/reports"
)

// Options are a bench run's settings as a user gives them: each field is the bench
// command's flag of the same name, and errors name the options by those flags, since
// that is what the user typed. NewPlan checks them and turns them into a Plan.
type Options struct {
	// Rate (e.g. "200/s") or Stages (e.g. "30s:0→200/s,5m:200/s") select the open
	// loop; Users > 0 the closed loop. Exactly one of the three is given.
	Rate, Stages string
	// Mix is the weighted flow mix, e.g. "srp=80,totp=20".
	Mix string
	// Duration and Iterations bound the run.
	Duration   time.Duration
	Iterations int64
	// Users is the closed loop's number of looping users, Think their pause.
	Users int
	Think time.Duration
	// MaxInflight bounds the open loop's sign-ins in flight.
	MaxInflight int
	// Grace is how long in-flight sign-ins may finish after an interrupt; Spin how
	// much of each wait is spun (RealClock.Spin; SpinAuto lets the engine decide).
	Grace, Spin time.Duration
	// StatusEvery is the status line period on a non-terminal.
	StatusEvery time.Duration
	// UsersPerFlow fixes the embedded pool's users per flow (0: sized to the rate).
	UsersPerFlow int
	// Thresholds are pass/fail thresholds (reports.ParseThreshold syntax).
	Thresholds []string
	// Shard and Shards select this process's share of a sharded run; StartAt is the
	// shards' common start (RFC 3339); Out the artifact directory a shard needs.
	Shard, Shards int
	StartAt       string
	Out           string
	// Now is the current time, against which StartAt is checked.
	Now time.Time
}

// maxStartAtPast is how far in the past a start time may be: a shard that starts
// later than its peers has its first arrivals late (and counted so).
const maxStartAtPast = 3 * time.Minute

// Plan is a checked bench run: the engine configuration with the schedule's pacer
// built once and this shard's share applied, the flow mix, the thresholds, and the
// numbers derived from them (planned sign-ins, peak rate, users per flow, requests).
type Plan struct {
	// Config is the engine configuration: Config.Pacer is the run's pacer (nil in the
	// closed loop), and a shard's arrivals (open loop) or users and iterations
	// (closed loop) are its share of the whole run.
	Config Config
	// Mix is the flow mix as weights by flow name.
	Mix map[string]int
	// Thresholds are the parsed thresholds; ThresholdSources their text.
	Thresholds       []reports.Threshold
	ThresholdSources []string
	// Shard and Shards are this process's shard index and the number of shards.
	Shard, Shards int
	// StatusEvery is the status line period on a non-terminal.
	StatusEvery time.Duration

	usersPerFlow int
}

// NewPlan checks o and builds the plan. Every problem is an ErrInvalid error.
func NewPlan(o Options) (*Plan, error) {
	ts, err := reports.ParseThresholds(o.Thresholds)
	if err != nil {
		return nil, invalid(err)
	}
	p := &Plan{Thresholds: ts, ThresholdSources: o.Thresholds, Shard: o.Shard, Shards: o.Shards,
		StatusEvery: o.StatusEvery, usersPerFlow: o.UsersPerFlow}
	if p.Mix, err = ParseMix(o.Mix); err != nil {
		return nil, optionError("mix", err)
	}
	if err := reports.CheckMetrics(ts, MixFlows(p.Mix)); err != nil {
		return nil, invalid(err)
	}
	if err := p.workload(o); err != nil {
		return nil, err
	}
	if err := p.shard(o); err != nil {
		return nil, err
	}
	if p.Config.Users == 0 {
		if p.Config.Pacer, err = NewPacer(p.Config.Schedule); err != nil {
			return nil, invalid(err)
		}
	}
	return p, nil
}

// MixFlows lists the flows of a mix that have a positive weight, sorted: the flows a
// run records flow.<flow>.latency for, and so the ones a threshold may name.
func MixFlows(mix map[string]int) []string {
	out := []string{}
	for f, w := range mix {
		if w > 0 {
			out = append(out, f)
		}
	}
	slices.Sort(out)
	return out
}

// optionError is a parse error of option name, as "--name: what is wrong".
func optionError(name string, err error) error {
	var se *SyntaxError
	if errors.As(err, &se) {
		return invalidf("--%s: %s", name, se.Msg)
	}
	return invalidf("--%s: %w", name, err)
}

// workload fills the engine configuration from the workload options.
func (p *Plan) workload(o Options) error {
	cfg := &p.Config
	if o.Users > 0 && (o.Rate != "" || o.Stages != "") {
		return invalidf("--users (closed loop) excludes --rate and --stages")
	}
	if o.Rate != "" && o.Stages != "" {
		return invalidf("--rate and --stages exclude each other")
	}
	if o.Users == 0 && o.Rate == "" && o.Stages == "" {
		return invalidf("give --rate, --stages or --users")
	}
	if o.Rate != "" {
		r, err := ParseRate(o.Rate)
		if err != nil {
			return optionError("rate", err)
		}
		cfg.Schedule.Rate = r
	}
	if o.Stages != "" {
		st, err := ParseStages(o.Stages)
		if err != nil {
			return optionError("stages", err)
		}
		cfg.Schedule.Stages = st
	}
	if o.Users > 0 {
		cfg.Users, cfg.Think, cfg.Duration, cfg.Iterations = o.Users, o.Think, o.Duration, o.Iterations
	} else {
		cfg.Schedule.Duration, cfg.Schedule.Iterations = o.Duration, o.Iterations
	}
	if o.MaxInflight <= 0 {
		return invalidf("--max-inflight must be positive, got %d", o.MaxInflight)
	}
	if o.Grace <= 0 || (o.Spin < 0 && o.Spin != SpinAuto) || o.StatusEvery <= 0 {
		return invalidf("--grace and --status-every must be positive, --spin not negative")
	}
	cfg.MaxInflight, cfg.Grace, cfg.Clock = o.MaxInflight, o.Grace, RealClock{Spin: o.Spin}
	var ce *ConfigError
	if err := cfg.Validate(); errors.As(err, &ce) {
		return invalidf("%s", strings.Join(ce.Problems, "; "))
	} else if err != nil {
		return invalid(err)
	}
	return nil
}

// shard checks the shard options and applies this shard's share: in the open loop
// the arrivals i, i+n, i+2n… of the plan (Config.ShardIndex/ShardCount), in the
// closed loop its share of the users and of the iteration bound (ShardShare).
func (p *Plan) shard(o Options) error {
	cfg := &p.Config
	if o.Shards < 1 {
		return invalidf("--shards must be at least 1, got %d", o.Shards)
	}
	if o.Shard < 0 || o.Shard >= o.Shards {
		return invalidf("--shard %d: want 0 ≤ shard < --shards (%d)", o.Shard, o.Shards)
	}
	if o.Shards > 1 && o.StartAt == "" {
		return invalidf("--start-at is required with --shards > 1 (the shards' common start time, RFC 3339)")
	}
	if o.Shards > 1 && o.Out == "" {
		return invalidf("--out is required with --shards > 1 (the shard's artifact directory)")
	}
	if o.StartAt != "" {
		t, err := time.Parse(time.RFC3339Nano, o.StartAt)
		if err != nil {
			return invalidf("--start-at %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", o.StartAt)
		}
		if past := o.Now.Sub(t); past > maxStartAtPast {
			return invalidf("--start-at %s is %v in the past (at most %v allowed)", o.StartAt, past.Round(time.Second), maxStartAtPast)
		}
		cfg.Start = t
	}
	if o.Shards < 2 {
		return nil
	}
	if cfg.Users == 0 {
		cfg.ShardIndex, cfg.ShardCount = o.Shard, o.Shards
		return nil
	}
	cfg.Users = int(ShardShare(int64(cfg.Users), o.Shard, o.Shards))
	if cfg.Users == 0 {
		return invalidf("--users %d over %d shards leaves shard %d without users", o.Users, o.Shards, o.Shard)
	}
	if cfg.Iterations > 0 {
		cfg.Iterations = ShardShare(cfg.Iterations, o.Shard, o.Shards)
		if cfg.Iterations == 0 {
			return invalidf("--iterations %d over %d shards leaves shard %d nothing to do", o.Iterations, o.Shards, o.Shard)
		}
	}
	return nil
}

// Planned is the number of sign-ins this shard plans, or -1 when unknown (a closed
// loop bounded by its duration).
func (p *Plan) Planned() int64 {
	if pc := p.Config.Pacer; pc != nil {
		return ShardPlanned(pc.Planned(), p.Config.ShardIndex, p.Config.ShardCount)
	}
	if p.Config.Iterations > 0 {
		return p.Config.Iterations
	}
	return -1
}

// PeakRate is the schedule's highest rate (per second), or the closed loop's users.
func (p *Plan) PeakRate() float64 {
	cfg := p.Config
	if cfg.Users > 0 {
		return float64(cfg.Users)
	}
	r := cfg.Schedule.Rate
	for _, s := range cfg.Schedule.Stages {
		r = math.Max(r, math.Max(s.From, s.To))
	}
	return r
}

// UsersPerFlow sizes the embedded user set: the fixed count when one was given;
// otherwise enough users that no sign-in waits for a free one at the peak rate, and
// for TOTP enough that no user needs a third code in one 30 s window (two codes per
// window with look-ahead).
func (p *Plan) UsersPerFlow() map[string]int {
	total := 0
	for _, w := range p.Mix {
		total += w
	}
	out := map[string]int{}
	for f, w := range p.Mix {
		if w == 0 {
			continue
		}
		if p.usersPerFlow > 0 {
			out[f] = p.usersPerFlow
			continue
		}
		share := p.PeakRate() * float64(w) / float64(total)
		n := int(math.Ceil(share * 2)) // ~2 s of sign-ins
		if f == FlowTOTP {
			n = int(math.Ceil(share * 16))
		}
		if p.Config.Users > 0 {
			n = int(math.Ceil(share)) + 1
		}
		out[f] = min(max(n, 8), 5000)
	}
	return out
}

// requestsPerSignIn estimates the API requests of one sign-in of flow (Flutter
// dialect, side calls included).
func requestsPerSignIn(flow string) float64 {
	switch flow {
	case FlowSRP, FlowCustom:
		return 2
	case FlowPassword, FlowRefresh:
		return 1
	case FlowSMS, FlowTOTP, FlowEmail:
		return 5
	case FlowDevice:
		return 4
	}
	return 0
}

// Requests estimates the API requests of n sign-ins of the plan's mix.
func (p *Plan) Requests(n int64) int64 {
	var w, sum float64
	for f, k := range p.Mix {
		w += float64(k)
		sum += float64(k) * requestsPerSignIn(f)
	}
	return int64(math.Ceil(float64(n) * sum / w))
}

// describe says how much load the plan puts on a target, for the safety gate: the
// whole run's sign-ins in the open loop, this shard's in a closed loop bounded by
// iterations.
func (p *Plan) describe() string {
	if pc := p.Config.Pacer; pc != nil {
		return fmt.Sprintf("%d sign-ins, about %d", pc.Planned(), p.Requests(pc.Planned()))
	}
	if p.Config.Iterations > 0 {
		return fmt.Sprintf("%d sign-ins, about %d", p.Config.Iterations, p.Requests(p.Config.Iterations))
	}
	return "an unbounded number of"
}
