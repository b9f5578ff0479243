package cli

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/exitcode"
)

// benchFlags are the bench command's flags: the plan's options, the target's, the
// embedded pool's limits and the outputs.
type benchFlags struct {
	plan              bench.Options
	target            bench.TargetOptions
	quotas, latencies []string
	perUser           int
	out, ndjson       string
	metrics           bench.MetricsOptions
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
			return runBench(cmd, env, fl, configHash(cmd.Flags()))
		},
	}
	f := cmd.Flags()
	p, t := &fl.plan, &fl.target
	f.String("config", "", "YAML file of flag values (keys are flag names; the command line wins), e.g. thresholds and stages")
	f.StringVar(&p.Rate, "rate", "", "total arrival rate of sign-ins, e.g. 200/s or 600/m (open loop)")
	f.StringVar(&p.Stages, "stages", "", "rate stages, e.g. 30s:0→200/s,5m:200/s,30s:200→0/s (open loop)")
	f.DurationVar(&p.Duration, "duration", 0, "run length (with --rate or --users)")
	f.Int64Var(&p.Iterations, "iterations", 0, "stop after this many sign-ins")
	f.IntVar(&p.Users, "users", 0, "closed loop: this many concurrent looping users instead of a rate")
	f.DurationVar(&p.Think, "think", 0, "closed loop: pause between a user's sign-ins")
	f.IntVar(&p.MaxInflight, "max-inflight", bench.DefaultMaxInflight, "most sign-ins in flight at once (open loop); more wait and count as late starts")
	f.StringVar(&p.Mix, "mix", "srp", "weighted flow mix, e.g. srp=80,password=10,totp=10 (flows: "+strings.Join(bench.FlowNames, ", ")+")")
	f.StringVar(&t.PoolID, "pool-id", "", "the pool (live or behind --endpoint); default: the embedded pool")
	f.StringVar(&t.ClientID, "client-id", "", "the app client (overrides the user set's)")
	f.StringVar(&t.Region, "region", "", "the pool's region (default: from the pool id)")
	f.StringVar(&t.Endpoint, "endpoint", "", "Cognito endpoint URL (an emulator); default AWS")
	f.StringVar(&t.UsersFile, "users-file", "", "user set from 'authbench bench provision' (required outside the embedded pool)")
	f.BoolVar(&t.IOwnThisPool, "i-own-this-pool", false, "confirm that you may load this non-loopback pool")
	f.StringVar(&fl.out, "out", "", "directory for summary.json and intervals.hlog")
	f.StringVar(&fl.ndjson, "ndjson", "", "file to stream one JSON line per sign-in to")
	f.IntVar(&p.UsersPerFlow, "users-per-flow", 0, "embedded pool: users to provision per flow (default: sized to the rate)")
	f.DurationVar(&p.Grace, "grace", bench.DefaultGrace, "on Ctrl-C, how long in-flight sign-ins may finish")
	f.Var(newSpinValue(&p.Spin), "spin", "spin the last part of each wait for sub-millisecond start accuracy: auto spins part of each gap when starts are under 2ms apart; 0 never; e.g. 1.2ms always (costs CPU)")
	f.DurationVar(&p.StatusEvery, "status-every", 5*time.Second, "status line period when stderr is not a terminal")
	f.StringArrayVar(&fl.quotas, "quota", nil, "embedded pool: a request-rate quota, Category=RPS; repeatable")
	f.IntVar(&fl.perUser, "quota-per-user", 0, "embedded pool: operations per user per second (0: off)")
	f.StringArrayVar(&fl.latencies, "latency", nil, "embedded pool: injected latency, Operation|Category|*=D; repeatable")
	f.StringArrayVar(&p.Thresholds, "threshold", nil, "a pass/fail threshold, e.g. 'signin.latency: p(99) < 800ms' or 'signin.errors: rate < 0.01'; repeatable; a breach exits 99")
	f.IntVar(&p.Shard, "shard", 0, "this process's shard index (0 ≤ i < --shards)")
	f.IntVar(&p.Shards, "shards", 1, "run 1/n of the plan as one of n shards (merge them with 'authbench merge')")
	f.StringVar(&fl.metrics.Addr, "metrics-addr", "", "serve live Prometheus metrics at host:port/metrics while the run lasts, e.g. 127.0.0.1:9464")
	f.BoolVar(&fl.metrics.AllowRemote, "metrics-allow-remote", false, "allow a non-loopback --metrics-addr (the endpoint has no authentication)")
	f.StringVar(&fl.metrics.OTLPEndpoint, "otlp-endpoint", "", "push metrics over OTLP/HTTP to this collector, e.g. http://127.0.0.1:4318 (headers from OTEL_EXPORTER_OTLP_HEADERS)")
	f.DurationVar(&fl.metrics.OTLPInterval, "otlp-interval", bench.DefaultOTLPInterval, "OTLP push period (the last values are pushed at the end)")
	f.StringVar(&p.StartAt, "start-at", "", "common start time of a sharded run (RFC 3339); the run waits for it")
	cmd.AddCommand(newBenchProvisionCmd(env))
	return cmd
}

// runBench plans the run, opens its target and executes it.
func runBench(cmd *cobra.Command, env Env, fl benchFlags, hash string) error {
	ctx := cmd.Context()
	fl.plan.Out, fl.plan.Now = fl.out, env.Now()
	plan, err := bench.NewPlan(fl.plan)
	if err != nil {
		return err
	}
	var limits emulator.Limits
	var triggers emulator.Triggers
	if err := limitFlags(&limits, &triggers, fl.quotas, fl.latencies, nil, fl.perUser, 0); err != nil {
		return err
	}
	if len(fl.quotas) > 0 || len(fl.latencies) > 0 || fl.perUser > 0 {
		fl.target.Limits = &limits
	}
	fl.target.Stderr = env.Stderr
	fl.metrics.Stderr = env.Stderr
	metrics, err := bench.NewMetrics(ctx, fl.metrics)
	if err != nil {
		return err
	}
	defer closeMetrics(ctx, env, metrics)
	target, err := plan.OpenTarget(ctx, fl.target)
	if err != nil {
		return err
	}
	defer target.Close()
	return bench.Execute(ctx, plan, target, bench.Outputs{Dir: fl.out, NDJSON: fl.ndjson, ConfigHash: hash,
		Stdout: env.Stdout, Stderr: env.Stderr, Now: env.Now, Metrics: metrics})
}

// closeMetrics stops the live metrics, pushing the last OTLP values even after an
// interrupt (for at most 10 s); a failure is a notice, not the run's error.
func closeMetrics(ctx context.Context, env Env, m *bench.Metrics) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		fmt.Fprintf(env.Stderr, "bench: live metrics: %v\n", err)
	}
}

// newBenchProvisionCmd is 'bench provision': create (or --delete) a user set in a
// pool through the Admin API.
func newBenchProvisionCmd(env Env) *cobra.Command {
	var o bench.UserSetOptions
	var del bool
	cmd := &cobra.Command{
		Use:   "provision",
		Short: "Create (or --delete) a bench user set in a pool",
		Long: `provision creates --users users per flow of --mix in a pool through the Admin API
(AWS credentials from the usual chain), in parallel, and writes them with their
secrets to --out (mode 0600): keep that file to yourself. --delete removes the users
listed in --out. TOTP, SMS, email and device flows need a pool configured for them;
srp, password and refresh users work in any pool allowing those flows.

The app client's secret, if it has one, comes from AUTHBENCH_CLIENT_SECRET or
--client-secret-file (a flag's value would be visible to every user of ps).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("client-secret") {
				return exitcode.Usagef("--client-secret is not taken (ps would show it): set AUTHBENCH_CLIENT_SECRET or use --client-secret-file")
			}
			o.Random, o.Stderr = env.Random, env.Stderr
			o.ClientSecret = env.Getenv("AUTHBENCH_CLIENT_SECRET")
			if del {
				return bench.DeprovisionUserSet(cmd.Context(), o)
			}
			return bench.ProvisionUserSet(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Users, "users", 0, "users to create per flow")
	f.StringVar(&o.File, "out", "users.json", "the user-set file (written, or read with --delete)")
	f.StringVar(&o.Mix, "mix", "srp", "the flows to create users for (weights are ignored)")
	f.StringVar(&o.PoolID, "pool-id", "", "the pool")
	f.StringVar(&o.ClientID, "client-id", "", "the app client the bench signs in through")
	f.StringVar(&o.ClientSecretFile, "client-secret-file", "", "file holding the app client's secret, if it has one (or AUTHBENCH_CLIENT_SECRET); kept in the user-set file")
	// --client-secret is refused with a pointer to the two ways above.
	f.String("client-secret", "", "refused: use AUTHBENCH_CLIENT_SECRET or --client-secret-file")
	_ = f.MarkHidden("client-secret")
	f.StringVar(&o.Region, "region", "", "the pool's region (default: from the pool id)")
	f.StringVar(&o.Endpoint, "endpoint", "", "Cognito endpoint URL (an emulator); default AWS")
	f.BoolVar(&del, "delete", false, "delete the users listed in --out")
	f.BoolVar(&o.IOwnThisPool, "i-own-this-pool", false, "confirm that you may create and delete users in this non-loopback pool")
	f.IntVar(&o.Parallel, "parallel", bench.DefaultProvisionParallel, "users provisioned at once")
	return cmd
}
