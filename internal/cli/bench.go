package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/mfa"
	"github.com/authbench/authbench/reports"
)

// benchFlags are the bench command's flags.
type benchFlags struct {
	rate, stages, mix          string
	duration, think, grace     time.Duration
	spin                       time.Duration
	iterations                 int64
	users, maxInflight         int
	usersPerFlow               int
	poolID, clientID, region   string
	endpoint, usersFile        string
	iOwn                       bool
	out, ndjson                string
	status                     time.Duration
	quotas, latencies, lambdas []string
	perUser                    int
	thresholds                 []string
	shard, shards              int
	startAt                    string
	// configHash hashes the flags every shard must share (set by the command).
	configHash string
}

func newBenchCmd(env Env) *cobra.Command {
	var fl benchFlags
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load a pool with sign-ins and measure where the time goes",
		Long: `bench runs sign-ins through the driver at a planned total arrival rate (open loop,
the default) or with N looping users (closed loop, --users), and reports latency from
each sign-in's intended start (coordinated-omission free), service time, SRP time and
every API call's round trip, outcomes by Cognito error code and the next-step mix.

Without --pool-id/--endpoint it starts the embedded pool and provisions its users
itself. Against any other pool it needs a user set from 'authbench bench provision'
(--users-file) and, unless the endpoint is loopback, --i-own-this-pool.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if path, _ := cmd.Flags().GetString("config"); path != "" {
				if err := applyConfigFile(cmd, path); err != nil {
					return err
				}
			}
			fl.configHash = configHash(cmd.Flags())
			return runBench(cmd.Context(), env, fl)
		},
	}
	f := cmd.Flags()
	f.String("config", "", "YAML file of flag values (keys are flag names; the command line wins), e.g. thresholds and stages")
	f.StringVar(&fl.rate, "rate", "", "total arrival rate of sign-ins, e.g. 200/s or 600/m (open loop)")
	f.StringVar(&fl.stages, "stages", "", "rate stages, e.g. 30s:0→200/s,5m:200/s,30s:200→0/s (open loop)")
	f.DurationVar(&fl.duration, "duration", 0, "run length (with --rate or --users)")
	f.Int64Var(&fl.iterations, "iterations", 0, "stop after this many sign-ins")
	f.IntVar(&fl.users, "users", 0, "closed loop: this many concurrent looping users instead of a rate")
	f.DurationVar(&fl.think, "think", 0, "closed loop: pause between a user's sign-ins")
	f.IntVar(&fl.maxInflight, "max-inflight", bench.DefaultMaxInflight, "most sign-ins in flight at once (open loop); more wait and count as late starts")
	f.StringVar(&fl.mix, "mix", "srp", "weighted flow mix, e.g. srp=80,password=10,totp=10 (flows: "+strings.Join(bench.FlowNames, ", ")+")")
	f.StringVar(&fl.poolID, "pool-id", "", "the pool (live or behind --endpoint); default: the embedded pool")
	f.StringVar(&fl.clientID, "client-id", "", "the app client (overrides the user set's)")
	f.StringVar(&fl.region, "region", "", "the pool's region (default: from the pool id)")
	f.StringVar(&fl.endpoint, "endpoint", "", "Cognito endpoint URL (an emulator); default AWS")
	f.StringVar(&fl.usersFile, "users-file", "", "user set from 'authbench bench provision' (required outside the embedded pool)")
	f.BoolVar(&fl.iOwn, "i-own-this-pool", false, "confirm that you may load this non-loopback pool")
	f.StringVar(&fl.out, "out", "", "directory for summary.json and intervals.hlog")
	f.StringVar(&fl.ndjson, "ndjson", "", "file to stream one JSON line per sign-in to")
	f.IntVar(&fl.usersPerFlow, "users-per-flow", 0, "embedded pool: users to provision per flow (default: sized to the rate)")
	f.DurationVar(&fl.grace, "grace", bench.DefaultGrace, "on Ctrl-C, how long in-flight sign-ins may finish")
	f.DurationVar(&fl.spin, "spin", 0, "spin the last part of each wait for sub-millisecond start accuracy (costs CPU; e.g. 1.2ms)")
	f.DurationVar(&fl.status, "status-every", 5*time.Second, "status line period when stderr is not a terminal")
	f.StringArrayVar(&fl.quotas, "quota", nil, "embedded pool: a request-rate quota, Category=RPS; repeatable")
	f.IntVar(&fl.perUser, "quota-per-user", 0, "embedded pool: operations per user per second (0: off)")
	f.StringArrayVar(&fl.latencies, "latency", nil, "embedded pool: injected latency, Operation|Category|*=D; repeatable")
	f.StringArrayVar(&fl.thresholds, "threshold", nil, "a pass/fail threshold, e.g. 'signin.latency: p(99) < 800ms' or 'signin.errors: rate < 0.01'; repeatable; a breach exits 99")
	f.IntVar(&fl.shard, "shard", 0, "this process's shard index (0 ≤ i < --shards)")
	f.IntVar(&fl.shards, "shards", 1, "run 1/n of the plan as one of n shards (merge them with 'authbench merge')")
	f.StringVar(&fl.startAt, "start-at", "", "common start time of a sharded run (RFC 3339); the run waits for it")
	cmd.AddCommand(newBenchProvisionCmd(env))
	return cmd
}

// benchConfig turns the workload flags into an engine configuration; every problem
// is a usage error.
func benchConfig(fl benchFlags) (bench.Config, map[string]int, error) {
	var cfg bench.Config
	mix, err := bench.ParseMix(fl.mix)
	if err != nil {
		return cfg, nil, exitcode.Usagef("--mix: %v", strings.TrimPrefix(err.Error(), "bench: "))
	}
	if fl.users > 0 && (fl.rate != "" || fl.stages != "") {
		return cfg, nil, exitcode.Usagef("--users (closed loop) excludes --rate and --stages")
	}
	if fl.rate != "" && fl.stages != "" {
		return cfg, nil, exitcode.Usagef("--rate and --stages exclude each other")
	}
	if fl.users == 0 && fl.rate == "" && fl.stages == "" {
		return cfg, nil, exitcode.Usagef("give --rate, --stages or --users")
	}
	if fl.rate != "" {
		r, err := bench.ParseRate(fl.rate)
		if err != nil {
			return cfg, nil, exitcode.Usagef("--rate: %v", strings.TrimPrefix(err.Error(), "bench: "))
		}
		cfg.Schedule.Rate = r
	}
	if fl.stages != "" {
		st, err := bench.ParseStages(fl.stages)
		if err != nil {
			return cfg, nil, exitcode.Usagef("--stages: %v", strings.TrimPrefix(err.Error(), "bench: "))
		}
		cfg.Schedule.Stages = st
	}
	if fl.users > 0 {
		cfg.Users, cfg.Think, cfg.Duration, cfg.Iterations = fl.users, fl.think, fl.duration, fl.iterations
	} else {
		cfg.Schedule.Duration, cfg.Schedule.Iterations = fl.duration, fl.iterations
	}
	if fl.maxInflight <= 0 {
		return cfg, nil, exitcode.Usagef("--max-inflight must be positive, got %d", fl.maxInflight)
	}
	if fl.grace <= 0 || fl.spin < 0 || fl.status <= 0 {
		return cfg, nil, exitcode.Usagef("--grace and --status-every must be positive, --spin not negative")
	}
	cfg.MaxInflight, cfg.Grace, cfg.Clock = fl.maxInflight, fl.grace, bench.RealClock{Spin: fl.spin}
	if err := cfg.Validate(); err != nil {
		return cfg, nil, exitcode.Usagef("%s", strings.ReplaceAll(strings.ReplaceAll(err.Error(), "bench: ", ""), "\n", "; "))
	}
	return cfg, mix, nil
}

// requestsPerSignIn estimates the API requests of one sign-in per flow (Flutter
// dialect, side calls included).
var requestsPerSignIn = map[string]float64{
	bench.FlowSRP: 2, bench.FlowPassword: 1, bench.FlowSMS: 5, bench.FlowTOTP: 5, bench.FlowEmail: 5,
	bench.FlowCustom: 2, bench.FlowRefresh: 1, bench.FlowDevice: 4,
}

func plannedRequests(planned int64, mix map[string]int) int64 {
	var w, sum float64
	for f, n := range mix {
		w += float64(n)
		sum += float64(n) * requestsPerSignIn[f]
	}
	return int64(math.Ceil(float64(planned) * sum / w))
}

// peakRate is the schedule's highest rate (per second), or the closed loop's users.
func peakRate(cfg bench.Config) float64 {
	if cfg.Users > 0 {
		return float64(cfg.Users)
	}
	r := cfg.Schedule.Rate
	for _, s := range cfg.Schedule.Stages {
		r = math.Max(r, math.Max(s.From, s.To))
	}
	return r
}

// usersPerFlow sizes the embedded user set: enough users that no sign-in waits for a
// free one at the peak rate, and for TOTP enough that no user needs a third code in
// one 30 s window (two codes per window with look-ahead).
func usersPerFlow(cfg bench.Config, mix map[string]int, fixed int) map[string]int {
	total := 0
	for _, w := range mix {
		total += w
	}
	out := map[string]int{}
	for f, w := range mix {
		if w == 0 {
			continue
		}
		if fixed > 0 {
			out[f] = fixed
			continue
		}
		share := peakRate(cfg) * float64(w) / float64(total)
		n := int(math.Ceil(share * 2)) // ~2 s of sign-ins
		if f == bench.FlowTOTP {
			n = int(math.Ceil(share * 16))
		}
		if cfg.Users > 0 {
			n = int(math.Ceil(share)) + 1
		}
		out[f] = min(max(n, 8), 5000)
	}
	return out
}

// maxStartAtPast is how far in the past --start-at may be: a shard that starts
// later than its peers has its first arrivals late (and counted so).
const maxStartAtPast = 3 * time.Minute

// shardConfig validates the sharding flags and applies them to cfg.
func shardConfig(env Env, fl benchFlags, cfg *bench.Config) error {
	if fl.shards < 1 {
		return exitcode.Usagef("--shards must be at least 1, got %d", fl.shards)
	}
	if fl.shard < 0 || fl.shard >= fl.shards {
		return exitcode.Usagef("--shard %d: want 0 ≤ shard < --shards (%d)", fl.shard, fl.shards)
	}
	if fl.shards > 1 && fl.startAt == "" {
		return exitcode.Usagef("--start-at is required with --shards > 1 (the shards' common start time, RFC 3339)")
	}
	if fl.shards > 1 && fl.out == "" {
		return exitcode.Usagef("--out is required with --shards > 1 (the shard's artifact directory)")
	}
	if fl.startAt != "" {
		t, err := time.Parse(time.RFC3339Nano, fl.startAt)
		if err != nil {
			return exitcode.Usagef("--start-at %q: want an RFC 3339 time such as 2026-01-02T15:04:05Z", fl.startAt)
		}
		if past := env.Now().Sub(t); past > maxStartAtPast {
			return exitcode.Usagef("--start-at %s is %v in the past (at most %v allowed)", fl.startAt, past.Round(time.Second), maxStartAtPast)
		}
		cfg.Start = t
	}
	if fl.shards > 1 {
		if cfg.Users > 0 {
			// Closed loop: split the users and the iteration bound.
			cfg.Users = int(bench.ShardShare(int64(cfg.Users), fl.shard, fl.shards))
			if cfg.Users == 0 {
				return exitcode.Usagef("--users %d over %d shards leaves shard %d without users", fl.users, fl.shards, fl.shard)
			}
			if cfg.Iterations > 0 {
				cfg.Iterations = bench.ShardShare(cfg.Iterations, fl.shard, fl.shards)
				if cfg.Iterations == 0 {
					return exitcode.Usagef("--iterations %d over %d shards leaves shard %d nothing to do", fl.iterations, fl.shards, fl.shard)
				}
			}
		} else {
			cfg.ShardIndex, cfg.ShardCount = fl.shard, fl.shards
		}
	}
	return nil
}

func runBench(ctx context.Context, env Env, fl benchFlags) error {
	if _, err := reports.ParseThresholds(fl.thresholds); err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	cfg, mix, err := benchConfig(fl)
	if err != nil {
		return err
	}
	if err := shardConfig(env, fl, &cfg); err != nil {
		return err
	}
	var limits emulator.Limits
	var triggers emulator.Triggers
	if err := limitFlags(&limits, &triggers, fl.quotas, fl.latencies, nil, fl.perUser, 0); err != nil {
		return err
	}
	embedded := fl.poolID == "" && fl.endpoint == "" && fl.usersFile == ""
	if !embedded && (len(fl.quotas) > 0 || len(fl.latencies) > 0 || fl.perUser > 0) {
		return exitcode.Usagef("--quota, --quota-per-user and --latency apply to the embedded pool only")
	}
	var set *bench.UserSet
	var target, endpoint string
	var flowsOpt bench.FlowsOptions
	if embedded {
		e, err := bench.StartEmbedded(ctx, limits)
		if err != nil {
			return err
		}
		defer e.Close()
		counts := usersPerFlow(cfg, mix, fl.usersPerFlow)
		total := 0
		for _, n := range counts {
			total += n
		}
		fmt.Fprintf(env.Stderr, "embedded pool at %s: provisioning %d users\n", e.Endpoint(), total)
		set, err = e.Provision(ctx, counts, progressTo(env.Stderr, "users provisioned"))
		if err != nil {
			return err
		}
		target, endpoint = "embedded", e.Endpoint()
		flowsOpt = bench.FlowsOptions{Codes: e.NewOutbox(), TOTP: e.TOTP}
	} else {
		if fl.usersFile == "" {
			return exitcode.Usagef("--users-file is required outside the embedded pool (create one with 'authbench bench provision')")
		}
		set, err = bench.ReadUserSet(fl.usersFile)
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		endpoint = set.Endpoint
		if fl.endpoint != "" {
			endpoint = fl.endpoint
		}
		if endpoint != "" {
			if u, err := url.Parse(endpoint); err != nil || u.Scheme == "" || u.Host == "" {
				return exitcode.Usagef("--endpoint %q: want a URL such as http://127.0.0.1:9229", endpoint)
			}
		}
		for f, ref := range set.Pools {
			if fl.poolID != "" && ref.PoolID != fl.poolID {
				return exitcode.Usagef("--pool-id %s: the user set's %s users live in %s", fl.poolID, f, ref.PoolID)
			}
			if fl.clientID != "" {
				ref.ClientID = fl.clientID
				set.Pools[f] = ref
			}
		}
		for f, w := range mix {
			if w > 0 && len(set.Users[f]) == 0 {
				return exitcode.Usagef("--mix: the user set has no %s users", f)
			}
		}
		// A shard draws from its own slice of the user set: no user signs in from two
		// shards at once.
		if err := bench.ShardUsers(set, fl.shard, fl.shards); err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		target = endpoint
		if target == "" {
			target = "aws:" + strings.Join(slices.Sorted(maps.Keys(poolIDs(set))), ",")
		}
	}
	if !embedded && (endpoint == "" || !isLoopback(endpoint)) {
		planned := "an unbounded number of"
		if p, err := bench.NewPacer(cfg.Schedule); err == nil && cfg.Users == 0 {
			planned = fmt.Sprintf("%d sign-ins, about %d", p.Planned(), plannedRequests(p.Planned(), mix))
		} else if cfg.Iterations > 0 {
			planned = fmt.Sprintf("%d sign-ins, about %d", cfg.Iterations, plannedRequests(cfg.Iterations, mix))
		}
		fmt.Fprintf(env.Stderr, "bench plans %s requests to %s\n", planned, target)
		if !fl.iOwn {
			return exitcode.Usagef("%s is not a loopback endpoint: add --i-own-this-pool to confirm you may load it", target)
		}
	}
	// Keep only the flows of the mix.
	for f := range set.Users {
		if mix[f] == 0 {
			delete(set.Users, f)
		}
	}
	flowsOpt.Endpoint = driver.Endpoint{URL: endpoint, Region: fl.region, MaxConns: min(cfg.MaxInflight, 1024)}
	if cfg.Users > 0 {
		flowsOpt.Endpoint.MaxConns = cfg.Users
	}
	flows, leases, err := bench.Flows(set, flowsOpt)
	if err != nil {
		return err
	}
	m, err := bench.NewMix(mix, flows, leases)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	return executeBench(ctx, env, fl, cfg, m, bench.Meta{Target: target, Mix: mix, UserSet: countUsers(set)})
}

func poolIDs(set *bench.UserSet) map[string]bool {
	out := map[string]bool{}
	for _, r := range set.Pools {
		out[r.PoolID] = true
	}
	return out
}

func countUsers(set *bench.UserSet) int { return set.Count() }

// executeBench runs the engine with the live view and writes every output, even
// when interrupted.
func executeBench(ctx context.Context, env Env, fl benchFlags, cfg bench.Config, flow bench.Flow, meta bench.Meta) error {
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	ndjsonErr := func() error { return nil }
	if fl.ndjson != "" {
		f, err := os.Create(fl.ndjson)
		if err != nil {
			return err
		}
		closers = append(closers, f.Close)
		var mu sync.Mutex
		enc := json.NewEncoder(f)
		var werr error
		cfg.OnIteration = func(r *bench.IterationRecord) {
			mu.Lock()
			defer mu.Unlock()
			if werr == nil {
				werr = enc.Encode(r)
			}
		}
		ndjsonErr = func() error {
			mu.Lock()
			defer mu.Unlock()
			if werr != nil {
				return fmt.Errorf("writing %s: %w", fl.ndjson, werr)
			}
			return nil
		}
	}
	thresholds, err := reports.ParseThresholds(fl.thresholds)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	startAt := cfg.Start
	if startAt.IsZero() {
		startAt = env.Now()
	}
	meta.Run = &bench.RunInfo{RunID: bench.RunID(startAt, fl.configHash), ConfigHash: fl.configHash, Shard: fl.shard, Shards: fl.shards,
		StartAt: startAt.UTC(), Histogram: bench.HistogramSettingsOf(cfg.Interval), Thresholds: fl.thresholds}
	if fl.shards > 1 {
		fmt.Fprintf(env.Stderr, "bench: shard %d of %d of run %s, starting at %s\n", fl.shard, fl.shards, meta.Run.RunID, startAt.UTC().Format(time.RFC3339Nano))
	}
	var hlog *bench.HistogramLog
	if fl.out != "" {
		if err := os.MkdirAll(fl.out, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(fl.out, "intervals.hlog"))
		if err != nil {
			return err
		}
		closers = append(closers, f.Close)
		if hlog, err = bench.NewHistogramLog(f, env.Now()); err != nil {
			return err
		}
	}
	live := newLiveView(ctx, env, fl, cfg)
	// The run's histograms, for the thresholds (OnInterval runs on one goroutine).
	runHists := map[string]*hdr.Histogram{}
	cfg.OnInterval = func(iv *bench.Interval) {
		if hlog != nil {
			hlog.OnInterval(iv)
		}
		if len(thresholds) > 0 {
			for m, h := range iv.Histograms {
				if runHists[m] == nil {
					runHists[m] = hdr.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
				}
				runHists[m].Merge(h)
			}
		}
		live.interval(iv)
	}
	res, runErr := bench.Run(ctx, cfg, flow)
	live.close()
	if res == nil {
		return runErr
	}
	s := bench.NewSummary(res, meta)
	// Thresholds are checked on the final data: a shard's are checked by merge.
	var results []reports.Result
	if fl.shards == 1 {
		results = evaluateThresholds(thresholds, &s, runHists)
	}
	if fl.out != "" {
		if err := writeSummaryFile(fl.out, s); err != nil {
			return err
		}
		if len(results) > 0 {
			if err := writeThresholdsJUnit(fl.out, s.Start, results); err != nil {
				return err
			}
		}
		if err := hlog.Err(); err != nil {
			return fmt.Errorf("writing the interval log: %w", err)
		}
		if err := writeRunPage(env, fl.out); err != nil {
			return fmt.Errorf("writing the HTML report: %w", err)
		}
	}
	if err := bench.WriteText(env.Stdout, &s); err != nil {
		return err
	}
	if len(thresholds) > 0 && fl.shards > 1 {
		fmt.Fprintf(env.Stdout, "  thresholds: %d, checked on the merged data by 'authbench merge'\n", len(thresholds))
	}
	printThresholds(env.Stdout, results)
	if err := ndjsonErr(); err != nil && runErr == nil {
		return err
	}
	if runErr == nil && reports.Breached(results) {
		return exitcode.Wrap(exitcode.ThresholdsBreached, thresholdsBreachedErr(results))
	}
	return runErr
}

// liveView shows progress on stderr: mpb bars on a terminal, a status line every
// --status-every otherwise.
type liveView struct {
	env     Env
	w       io.Writer
	p       *mpb.Progress
	bar     *mpb.Bar
	mu      sync.Mutex
	line    string
	started int64
	errs    int64
	thr     int64
	planned int64
	every   time.Duration
	last    time.Time
	start   time.Time
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func newLiveView(ctx context.Context, env Env, fl benchFlags, cfg bench.Config) *liveView {
	v := &liveView{env: env, w: env.Stderr, every: fl.status, start: time.Now(), last: time.Now(), planned: -1}
	if p, err := bench.NewPacer(cfg.Schedule); err == nil && cfg.Users == 0 {
		v.planned = bench.ShardPlanned(p.Planned(), cfg.ShardIndex, cfg.ShardCount)
	} else if cfg.Iterations > 0 {
		v.planned = cfg.Iterations
	}
	if isTerminal(env.Stderr) {
		total := v.planned
		if total <= 0 {
			total = 0
		}
		v.p = mpb.NewWithContext(context.WithoutCancel(ctx), mpb.WithOutput(env.Stderr), mpb.WithWidth(30), mpb.WithAutoRefresh())
		v.bar = v.p.AddBar(total,
			mpb.PrependDecorators(decor.Name("sign-ins "), decor.CountersNoUnit("%d/%d")),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
				v.mu.Lock()
				defer v.mu.Unlock()
				return v.line
			})))
	}
	return v
}

func (v *liveView) interval(iv *bench.Interval) {
	v.mu.Lock()
	c := iv.Counters
	v.started += c.Started
	v.errs += c.Completed - c.Outcomes[bench.OutcomeOK]
	v.thr += c.Outcomes[bench.ThrottleCode]
	secs := iv.End.Sub(iv.Start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(c.Started) / secs
	}
	lat := iv.Metrics[bench.MetricLatency]
	el := time.Since(v.start).Round(time.Second)
	v.line = fmt.Sprintf("%v elapsed  %.1f/s  p50 %.1fms p99 %.1fms (last %.0fs)  errors %d  throttles %d",
		el, rate, float64(lat.P50)/1000, float64(lat.P99)/1000, secs, v.errs, v.thr)
	line, started := v.line, v.started
	due := time.Since(v.last) >= v.every
	if due {
		v.last = time.Now()
	}
	v.mu.Unlock()
	if v.bar != nil {
		v.bar.SetCurrent(started)
		return
	}
	if due {
		planned := ""
		if v.planned >= 0 {
			planned = fmt.Sprintf("/%d", v.planned)
		}
		fmt.Fprintf(v.w, "bench: %d%s started  %s\n", started, planned, line)
	}
}

func (v *liveView) close() {
	if v.p != nil {
		v.bar.Abort(false)
		v.p.Wait()
	}
}

// newBenchProvisionCmd is 'bench provision': create (or --delete) a user set in a
// pool through the Admin API.
func newBenchProvisionCmd(env Env) *cobra.Command {
	var (
		n                           int
		out, mixS, poolID, clientID string
		region, endpoint, secret    string
		del, iOwn                   bool
		parallel                    int
	)
	cmd := &cobra.Command{
		Use:   "provision",
		Short: "Create (or --delete) a bench user set in a pool",
		Long: `provision creates --users users per flow of --mix in a pool through the Admin API
(AWS credentials from the usual chain), in parallel, and writes them with their
secrets to --out (mode 0600): keep that file to yourself. --delete removes the users
listed in --out. TOTP, SMS, email and device flows need a pool configured for them;
srp, password and refresh users work in any pool allowing those flows.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if poolID == "" && !del {
				return exitcode.Usagef("--pool-id is required")
			}
			if endpoint == "" || !isLoopback(endpoint) {
				if !iOwn {
					return exitcode.Usagef("add --i-own-this-pool to confirm you may create and delete users in this pool")
				}
			}
			if del {
				set, err := bench.ReadUserSet(out)
				if err != nil {
					return exitcode.Wrap(exitcode.Usage, err)
				}
				for f, us := range set.Users {
					ref := set.Pools[f]
					admin, err := adminClient(ctx, ref.PoolID, endpoint, region)
					if err != nil {
						return err
					}
					if err := bench.Deprovision(ctx, admin, ref.PoolID, us, parallel, progressTo(env.Stderr, "deleted")); err != nil {
						return err
					}
				}
				fmt.Fprintf(env.Stderr, "deleted %d users listed in %s\n", set.Count(), out)
				return nil
			}
			if n <= 0 {
				return exitcode.Usagef("--users must be positive, got %d", n)
			}
			if clientID == "" {
				return exitcode.Usagef("--client-id is required")
			}
			mix, err := bench.ParseMix(mixS)
			if err != nil {
				return exitcode.Usagef("--mix: %v", strings.TrimPrefix(err.Error(), "bench: "))
			}
			if driver.RegionOf(poolID) == "" {
				return exitcode.Usagef("--pool-id %q: want <region>_<id>", poolID)
			}
			admin, err := adminClient(ctx, poolID, endpoint, region)
			if err != nil {
				return err
			}
			ref := bench.PoolRef{PoolID: poolID, ClientID: clientID, ClientSecret: secret}
			set := &bench.UserSet{Schema: bench.UserSetSchema, Endpoint: endpoint, Region: region, Pools: map[string]bench.PoolRef{}, Users: map[string][]bench.User{}}
			for _, f := range slices.Sorted(maps.Keys(mix)) {
				if mix[f] == 0 {
					continue
				}
				o := bench.ProvisionOptions{PoolID: poolID, Flow: f, Count: n, Parallel: parallel, Random: env.Random, Progress: progressTo(env.Stderr, f+" users provisioned")}
				if f == bench.FlowTOTP {
					c, err := driver.New(driver.NewSDKClient(poolID, driver.Endpoint{URL: endpoint, Region: region, Retries: 1}), driver.Config{PoolID: poolID, ClientID: clientID, ClientSecret: secret, SkipSideCalls: true})
					if err != nil {
						return exitcode.Wrap(exitcode.Usage, err)
					}
					o.Client, o.TOTP = c, &mfa.TOTP{Lookahead: true}
				}
				us, err := bench.Provision(ctx, admin, o)
				set.Pools[f], set.Users[f] = ref, us
				if err != nil {
					// Keep what was made, so --delete can remove it.
					_ = set.WriteFile(out)
					return fmt.Errorf("%w (the users made so far are in %s)", err, out)
				}
			}
			if err := set.WriteFile(out); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "wrote %d users to %s (mode 0600: it holds their passwords)\n", set.Count(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&n, "users", 0, "users to create per flow")
	f.StringVar(&out, "out", "users.json", "the user-set file (written, or read with --delete)")
	f.StringVar(&mixS, "mix", "srp", "the flows to create users for (weights are ignored)")
	f.StringVar(&poolID, "pool-id", "", "the pool")
	f.StringVar(&clientID, "client-id", "", "the app client the bench signs in through")
	f.StringVar(&secret, "client-secret", "", "the app client's secret, if it has one (kept in the user-set file)")
	f.StringVar(&region, "region", "", "the pool's region (default: from the pool id)")
	f.StringVar(&endpoint, "endpoint", "", "Cognito endpoint URL (an emulator); default AWS")
	f.BoolVar(&del, "delete", false, "delete the users listed in --out")
	f.BoolVar(&iOwn, "i-own-this-pool", false, "confirm that you may create and delete users in this non-loopback pool")
	f.IntVar(&parallel, "parallel", bench.DefaultProvisionParallel, "users provisioned at once")
	return cmd
}

// adminClient is an Admin API client with credentials from the default chain (a
// loopback emulator takes any).
func adminClient(ctx context.Context, poolID, endpoint, region string) (bench.Admin, error) {
	ep := driver.Endpoint{URL: endpoint, Region: region, Retries: 3}
	if endpoint == "" || !isLoopback(endpoint) {
		r := region
		if r == "" {
			r = driver.RegionOf(poolID)
		}
		awsCfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(r))
		if err != nil {
			return nil, fmt.Errorf("AWS credentials: %w", err)
		}
		ep.Credentials = awsCfg.Credentials
	}
	if poolID == "" {
		return nil, errors.New("no pool id")
	}
	return driver.NewSDKClient(poolID, ep), nil
}

// progressTo prints provisioning progress at most once a second, and at the end.
func progressTo(w io.Writer, what string) func(done, total int) {
	var mu sync.Mutex
	last := time.Time{}
	return func(done, total int) {
		mu.Lock()
		defer mu.Unlock()
		if done == total || time.Since(last) > time.Second {
			last = time.Now()
			fmt.Fprintf(w, "  %d/%d %s\n", done, total, what)
		}
	}
}
