package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/reports"
)

// Engine defaults.
const (
	// DefaultMaxInflight bounds the sign-ins in flight at once.
	DefaultMaxInflight = 1000
	// DefaultLateTolerance is how far behind its intended start an iteration may start
	// before it counts as a late start. It exceeds the ~1.2 ms jitter of Go timers on
	// Linux, so that a late start means the engine fell behind, not timer granularity.
	DefaultLateTolerance = 2 * time.Millisecond
	// DefaultInterval is the length of a reporting interval.
	DefaultInterval = time.Second
	// DefaultGrace is how long in-flight sign-ins may finish after ctx is cancelled.
	DefaultGrace = 5 * time.Second
	// DefaultDrain is how long in-flight sign-ins may finish after the schedule ends.
	DefaultDrain = 60 * time.Second
)

// Mode is the workload model.
type Mode string

// The workload models.
const (
	// Open is the open loop: sign-ins start on a schedule, whatever the responses.
	Open Mode = "open"
	// Closed is the closed loop: N users each start a sign-in when the last ended
	// (plus think time). Its latency is its service time: a slow pool slows the load.
	Closed Mode = "closed"
)

// Config configures Run. The zero value is not runnable: set Schedule (open loop) or
// Users (closed loop).
type Config struct {
	// Schedule is the open-loop workload.
	Schedule Schedule
	// Pacer, if set, is Schedule's pacer, built by the caller (a Plan) so that a run
	// builds it once; Run builds it from Schedule otherwise.
	Pacer *Pacer
	// Users > 0 selects the closed loop with that many concurrent looping users;
	// Schedule.Rate/Stages must then be empty, and Duration/Iterations bound it.
	Users int
	// Think is the closed loop's pause between a user's sign-ins.
	Think time.Duration
	// Duration and Iterations bound the closed loop (the open loop uses Schedule's).
	Duration   time.Duration
	Iterations int64
	// MaxInflight bounds concurrent sign-ins in the open loop (default
	// DefaultMaxInflight). When it is reached, the next start waits and counts late.
	MaxInflight int
	// LateTolerance is the lag after which a start counts late (default
	// DefaultLateTolerance).
	LateTolerance time.Duration
	// Interval is the reporting interval (default DefaultInterval).
	Interval time.Duration
	// Grace bounds, after ctx is cancelled, the wait for in-flight sign-ins, whose
	// context is then cancelled (default DefaultGrace).
	Grace time.Duration
	// Drain bounds the same wait after the schedule ended by itself (default
	// DefaultDrain).
	Drain time.Duration
	// Users is the user set; nil runs iterations without users.
	Lease *Lease
	// Start, if set, anchors the schedule: Run waits until Start and gives every
	// iteration its intended start relative to it (a sharded run's common start).
	Start time.Time
	// ShardIndex and ShardCount select this process's share of an open-loop schedule
	// (a sharded run): it runs the arrivals i, i+n, i+2n… of the whole plan, so the
	// shards' rates add up to the plan's and their iteration counts to its total.
	// ShardCount 0 or 1 runs the whole plan.
	ShardIndex, ShardCount int
	// Shards is the number of histogram shards (default GOMAXPROCS).
	Shards int
	// Clock is the time source (default the real clock).
	Clock Clock
	// OnInterval receives each interval as it is flushed (from one goroutine).
	OnInterval func(*Interval)
	// DiscardIntervals leaves Result.Intervals empty: the intervals went to OnInterval
	// (e.g. an IntervalRows stream on disk), so that the run's memory does not grow
	// with its length. Without it Result keeps every interval (about 1 KB each).
	DiscardIntervals bool
	// OnIteration receives every completed iteration, from the iteration's goroutine:
	// it must be safe for concurrent use and fast (e.g. an NDJSON stream).
	OnIteration func(*IterationRecord)
}

// Validate reports every problem with the configuration.
func (c Config) Validate() error {
	var errs []string
	if c.ShardCount < 0 || c.ShardIndex < 0 || (c.ShardCount > 0 && c.ShardIndex >= c.ShardCount) || (c.ShardCount == 0 && c.ShardIndex != 0) {
		errs = append(errs, fmt.Sprintf("shard %d of %d: want 0 ≤ shard < shards", c.ShardIndex, c.ShardCount))
	}
	if c.Users < 0 || c.MaxInflight < 0 || c.Think < 0 || c.Duration < 0 || c.Iterations < 0 {
		errs = append(errs, "users, max-inflight, think, duration and iterations must not be negative")
	}
	if c.Users > 0 {
		if c.Schedule.Rate > 0 || len(c.Schedule.Stages) > 0 {
			errs = append(errs, "closed-loop users exclude a rate or stages")
		}
		if c.Duration == 0 && c.Iterations == 0 {
			errs = append(errs, "the closed loop needs a duration or an iteration count to stop")
		}
	} else {
		errs = append(errs, c.Schedule.problems()...)
	}
	return newConfigError(errs)
}

// Flow is one kind of sign-in. Run performs one whole sign-in for it.User and
// reports its outcome; it must honour ctx and be safe for concurrent use.
type Flow interface {
	Run(ctx context.Context, it *Iteration) Outcome
}

// Picker is implemented by flows that choose, per iteration, which flow runs and
// which user set it draws from (a Mix). The engine leases the user from the returned
// set (Config.Lease when nil) before running the flow.
type Picker interface {
	Pick(seq int64) (name string, f Flow, users *Lease)
}

// FlowFunc adapts a function to a Flow.
type FlowFunc func(ctx context.Context, it *Iteration) Outcome

// Run calls f.
func (f FlowFunc) Run(ctx context.Context, it *Iteration) Outcome { return f(ctx, it) }

// Outcome is how an iteration ended.
type Outcome struct {
	// Code is "ok" or the error class (Cognito's error code, …); empty means
	// Classify(Err).
	Code string
	// Err is the error, if any.
	Err error
}

// Classify returns the outcome code of err: "ok" for nil, Cognito's error code for a
// service error, the exception name for a driver state or validation error,
// "Canceled"/"Timeout" for context errors, and "ClientError" otherwise.
func Classify(err error) string {
	var se *driver.ServiceError
	var st *driver.StateError
	var ve *driver.ValidationError
	switch {
	case err == nil:
		return OutcomeOK
	case errors.As(err, &se):
		return se.Name
	case errors.As(err, &st):
		return st.Name
	case errors.As(err, &ve):
		return ve.Name
	case errors.Is(err, context.Canceled):
		return "Canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "Timeout"
	}
	return "ClientError"
}

// Iteration is one sign-in as the engine runs it. It is a driver.Observer: pass it
// to driver.WithObserver so SRP time and API round trips are recorded. It is used by
// one goroutine at a time.
type Iteration struct {
	// Seq is the iteration's number, from 0.
	Seq int64
	// Intended is the start the schedule gave it; Started is when it started.
	Intended, Started time.Time
	// User is the leased user (nil without a user set); UserIndex its index.
	User      *User
	UserIndex int
	// Flow is the flow's name (set by a Mix).
	Flow string

	clock   Clock
	samples []sample
	steps   []string
	clamped int64
}

// Record records a duration of metric for this iteration.
func (it *Iteration) Record(metric string, d time.Duration) {
	v, clamped := toMicros(d)
	if clamped {
		it.clamped++
	}
	it.samples = append(it.samples, sample{metric, v})
}

// SRP records SRP computation time (driver.Observer).
func (it *Iteration) SRP(d time.Duration) { it.Record(MetricSRP, d) }

// Call records one API call attempt's round trip (driver.Observer).
func (it *Iteration) Call(op string, d time.Duration, _ error) { it.Record(MetricAPIPrefix+op, d) }

// Step records a sign-in step met (Amplify's step name).
func (it *Iteration) Step(s string) { it.steps = append(it.steps, s) }

// Now reads the engine's clock.
func (it *Iteration) Now() time.Time { return it.clock.Now() }

var _ driver.Observer = (*Iteration)(nil)

// IterationRecord is a completed iteration, as OnIteration receives it.
type IterationRecord struct {
	Seq      int64     `json:"seq"`
	Flow     string    `json:"flow,omitempty"`
	User     string    `json:"user,omitempty"`
	Intended time.Time `json:"intended"`
	Started  time.Time `json:"started"`
	End      time.Time `json:"end"`
	// LatencyUS is End − Intended and ServiceUS End − Started, in µs.
	LatencyUS int64    `json:"latency_us"`
	ServiceUS int64    `json:"service_us"`
	Outcome   string   `json:"outcome"`
	Late      bool     `json:"late,omitempty"`
	Steps     []string `json:"steps,omitempty"`
	Error     string   `json:"error,omitempty"`
}

// Result is a run's outcome: every iteration that started is in it.
type Result struct {
	Mode Mode
	// Start and End are the run's wall-clock bounds.
	Start, End time.Time
	// Planned is the number of iterations planned (-1: unknown, closed loop by
	// duration).
	Planned int64
	// Interrupted is set when ctx was cancelled before the schedule ended.
	Interrupted bool
	// Metrics are the run's stats per metric.
	Metrics map[string]Stats
	// Counters are the run's counts.
	Counters Counters
	// Intervals are the per-interval stats (no histograms; about 1 KB per interval),
	// empty with Config.DiscardIntervals.
	Intervals []Interval
	// MaxLag is the largest start lag seen (actual − intended start).
	MaxLag time.Duration
	// Dropped is the number of values histogram merges dropped (should be 0).
	Dropped int64
	// CPU is the load generator's own CPU use over the run.
	CPU CPUUsage
	// Spin is the pacer's spinning, nil unless the clock is a RealClock.
	Spin *SpinUsage
	// Config is the run's configuration (with defaults applied; Config.Pacer is the
	// pacer the open loop ran, nil for the closed loop).
	Config Config
}

// Run runs the workload and returns its result. It always stops by itself (the
// schedule, Duration or Iterations bound it). When ctx is cancelled it stops
// scheduling, gives in-flight sign-ins Grace to finish, cancels the rest, and still
// returns everything that ran, with Interrupted set and ctx's error.
func Run(ctx context.Context, cfg Config, flow Flow) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MaxInflight == 0 {
		cfg.MaxInflight = DefaultMaxInflight
	}
	if cfg.LateTolerance == 0 {
		cfg.LateTolerance = DefaultLateTolerance
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Grace == 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Drain == 0 {
		cfg.Drain = DefaultDrain
	}
	if cfg.Shards == 0 {
		cfg.Shards = runtime.GOMAXPROCS(0)
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	e := &engine{cfg: cfg, flow: flow, clock: cfg.Clock}
	if rc, ok := cfg.Clock.(RealClock); ok {
		// The real clock spins as DecideSpin says, and counts what spinning costs.
		peak := 0.0
		if cfg.Users == 0 {
			peak = cfg.Schedule.PeakRate()
		}
		e.spin = DecideSpin(rc.Spin, peak, cfg.ShardCount)
		rc.Spin = max(rc.Spin, 0)
		rc.meter = &spinMeter{}
		e.real, e.clock = &rc, rc
	}
	res := &Result{Planned: -1, Config: cfg}
	e.rec = NewRecorder(cfg.Shards, func(iv *Interval) {
		iv.RunStart = res.Start
		if !cfg.DiscardIntervals {
			res.Intervals = append(res.Intervals, Interval{Start: iv.Start, End: iv.End, RunStart: res.Start, Metrics: iv.Metrics, Counters: iv.Counters})
		}
		if cfg.OnInterval != nil {
			cfg.OnInterval(iv)
		}
	})
	// In-flight iterations get their own context: cancelling ctx stops scheduling, and
	// only the grace period's end cancels them.
	itCtx, itCancel := context.WithCancel(context.WithoutCancel(ctx))
	defer itCancel()
	e.itCtx = itCtx

	start := e.clock.Now()
	if !cfg.Start.IsZero() {
		if err := e.clock.SleepUntil(ctx, cfg.Start); err != nil {
			return nil, err
		}
		start = cfg.Start
	}
	cpu0 := readCPU()
	res.Start = start

	// The flusher merges the shards every interval.
	flushDone := make(chan struct{})
	stopFlush := make(chan struct{})
	lastFlush := start
	go func() {
		defer close(flushDone)
		tick, stop := e.clock.Tick(cfg.Interval)
		defer stop()
		for {
			select {
			case <-stopFlush:
				return
			case <-tick:
				now := e.clock.Now()
				e.rec.Flush(lastFlush, now)
				lastFlush = now
			}
		}
	}()

	if cfg.Users > 0 {
		res.Mode = Closed
		if cfg.Iterations > 0 {
			res.Planned = cfg.Iterations
		}
		e.closed(ctx, start)
	} else {
		res.Mode = Open
		p := cfg.Pacer
		if p == nil {
			var err error
			if p, err = NewPacer(cfg.Schedule); err != nil {
				return nil, err
			}
			res.Config.Pacer = p
		}
		res.Planned = ShardPlanned(p.Planned(), cfg.ShardIndex, cfg.ShardCount)
		e.open(ctx, start, p)
	}
	res.Interrupted = ctx.Err() != nil

	// Let in-flight iterations finish, within a bound.
	done := make(chan struct{})
	go func() { e.wg.Wait(); close(done) }()
	wait := cfg.Drain
	if res.Interrupted {
		wait = cfg.Grace
	}
	t := time.NewTimer(wait)
	select {
	case <-done:
	case <-t.C:
		itCancel()
		<-done
	}
	t.Stop()

	close(stopFlush)
	<-flushDone
	end := e.clock.Now()
	e.rec.Flush(lastFlush, end)
	res.End = end
	res.Metrics, res.Counters = e.rec.Totals()
	res.Dropped = e.rec.Dropped()
	res.MaxLag = time.Duration(e.maxLag.Load())
	res.CPU = cpuUsage(cpu0, readCPU(), end.Sub(start))
	if e.real != nil {
		res.Spin = e.spinUsage(end.Sub(start))
	}
	if res.Interrupted {
		return res, ctx.Err()
	}
	return res, nil
}

type engine struct {
	cfg   Config
	flow  Flow
	clock Clock
	// real is the clock when it is a RealClock (with its spin meter), and spin what
	// DecideSpin made of its Spin.
	real   *RealClock
	spin   SpinPlan
	rec    *Recorder
	itCtx  context.Context
	wg     sync.WaitGroup
	maxLag atomic.Int64
	pool   sync.Pool
}

// open runs the open loop: every iteration starts at its intended start on its own
// goroutine, bounded by MaxInflight.
func (e *engine) open(ctx context.Context, start time.Time, p *Pacer) {
	sem := make(chan struct{}, e.cfg.MaxInflight)
	auto := e.real != nil && e.spin.Mode == "auto"
	prev := start
	for i := int64(0); ; i++ {
		seq := i
		if n := int64(e.cfg.ShardCount); n > 1 {
			seq = i*n + int64(e.cfg.ShardIndex)
		}
		off, ok := p.Start(seq)
		if !ok {
			return
		}
		intended := start.Add(off)
		var err error
		if auto {
			// Spin through the last part of the gap when starts come too fast for
			// timers alone (AutoSpin).
			err = e.real.sleepUntil(ctx, intended, AutoSpin(intended.Sub(prev)))
		} else {
			err = e.clock.SleepUntil(ctx, intended)
		}
		if err != nil {
			return
		}
		prev = intended
		late := false
		select {
		case sem <- struct{}{}:
		default:
			// Every slot is busy: wait for one, and say so.
			late = true
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
		// The actual start is taken here, at dispatch, so that the lag and the
		// late-start decision do not depend on goroutine scheduling.
		started := e.clock.Now()
		e.wg.Add(1)
		go func() {
			defer func() { <-sem }()
			e.iterate(seq, intended, started, late)
		}()
	}
}

// closed runs the closed loop: Users goroutines, each signing in again after the last
// sign-in plus Think.
func (e *engine) closed(ctx context.Context, start time.Time) {
	var next atomic.Int64
	var deadline time.Time
	if e.cfg.Duration > 0 {
		deadline = start.Add(e.cfg.Duration)
	}
	var vus sync.WaitGroup
	for u := 0; u < e.cfg.Users; u++ {
		vus.Add(1)
		go func() {
			defer vus.Done()
			for ctx.Err() == nil {
				now := e.clock.Now()
				if !deadline.IsZero() && !now.Before(deadline) {
					return
				}
				seq := next.Add(1) - 1
				if e.cfg.Iterations > 0 && seq >= e.cfg.Iterations {
					return
				}
				e.wg.Add(1)
				e.iterate(seq, now, now, false)
				if e.cfg.Think > 0 {
					if e.clock.SleepUntil(ctx, e.clock.Now().Add(e.cfg.Think)) != nil {
						return
					}
				}
			}
		}()
	}
	vus.Wait()
}

func (e *engine) getIteration() *Iteration {
	if it, ok := e.pool.Get().(*Iteration); ok {
		return it
	}
	return &Iteration{samples: make([]sample, 0, 16)}
}

// iterate runs one iteration and records it. wg.Add(1) was done by the caller.
func (e *engine) iterate(seq int64, intended, started time.Time, late bool) {
	defer e.wg.Done()
	it := e.getIteration()
	*it = Iteration{Seq: seq, Intended: intended, clock: e.clock, samples: it.samples[:0], steps: it.steps[:0], UserIndex: -1}
	c := Counters{Started: 1, Completed: 1}
	lag := started.Sub(intended)
	if lag > e.cfg.LateTolerance {
		late = true
	}
	for {
		old := e.maxLag.Load()
		if int64(lag) <= old || e.maxLag.CompareAndSwap(old, int64(lag)) {
			break
		}
	}
	if late {
		c.LateStarts = 1
	}
	it.Record(MetricStartLag, lag)
	ctx := e.itCtx
	var out Outcome
	var leased *Leased
	flow, lease := e.flow, e.cfg.Lease
	if p, ok := flow.(Picker); ok {
		var l *Lease
		it.Flow, flow, l = p.Pick(seq)
		if l != nil {
			lease = l
		}
	}
	if lease != nil {
		var ok bool
		if leased, ok = lease.TryAcquire(); !ok {
			c.UserWaits = 1
			var err error
			if leased, err = lease.Acquire(ctx); err != nil {
				out = Outcome{Code: "NoFreeUser", Err: err}
			}
		}
		if leased != nil {
			it.User, it.UserIndex = leased.User(), leased.Index()
			now := e.clock.Now()
			if c.UserWaits > 0 {
				it.Record("lease.wait", now.Sub(started))
			}
			started = now
		}
	}
	it.Started = started
	if out.Code == "" && out.Err == nil {
		out = flow.Run(ctx, it)
	}
	end := e.clock.Now()
	leased.Release()
	if out.Code == "" {
		out.Code = Classify(out.Err)
	}
	it.Record(MetricLatency, end.Sub(intended))
	it.Record(MetricService, end.Sub(started))
	if it.Flow != "" {
		it.Record("flow."+it.Flow+".latency", end.Sub(intended))
		c.FlowOutcomes = map[string]map[string]int64{it.Flow: {out.Code: 1}}
	}
	c.Outcomes = map[string]int64{out.Code: 1}
	if len(it.steps) > 0 {
		c.NextSteps = make(map[string]int64, len(it.steps))
		for _, s := range it.steps {
			c.NextSteps[s]++
		}
	}
	c.Clamped = it.clamped
	e.rec.commit(int(seq), it.samples, &c)
	if e.cfg.OnIteration != nil {
		r := &IterationRecord{Seq: seq, Flow: it.Flow, Intended: intended, Started: started, End: end,
			LatencyUS: end.Sub(intended).Microseconds(), ServiceUS: end.Sub(started).Microseconds(),
			Outcome: out.Code, Late: late, Steps: append([]string(nil), it.steps...)}
		if it.User != nil {
			r.User = it.User.Username
		}
		if out.Err != nil {
			r.Error = out.Err.Error()
		}
		e.cfg.OnIteration(r)
	}
	it.User = nil
	e.pool.Put(it)
}

// Clock is the engine's time source. RealClock is the production one; tests use a
// fake to run schedules without sleeping.
type Clock interface {
	Now() time.Time
	// SleepUntil returns at t, or with ctx's error when ctx is done first.
	SleepUntil(ctx context.Context, t time.Time) error
	// Tick returns a channel ticking every d and a function stopping it.
	Tick(d time.Duration) (<-chan time.Time, func())
}

// spinUsage reports the run's spinning over wall.
func (e *engine) spinUsage(wall time.Duration) *SpinUsage {
	m := e.real.meter
	u := &SpinUsage{Mode: e.spin.Mode, SpinUS: e.spin.Spin.Microseconds(), PeakGapUS: e.spin.PeakGap.Microseconds(),
		Waits: m.waits.Load(), CPUS: round3(time.Duration(m.spun.Load()).Seconds())}
	if wall > 0 {
		u.Share = round3(time.Duration(m.spun.Load()).Seconds() / wall.Seconds())
	}
	return u
}

// SpinUsage is the pacer's spinning over a run.
type SpinUsage = reports.SpinUsage

// RealClock is the wall clock. Go's timers wake on a millisecond grid on Linux (a
// sub-millisecond sleep lasts about 1 ms), so with timers alone a start can be up to
// ~1.2 ms late. Spin > 0 trades CPU for precision: the last Spin of every wait is
// spent yielding in a loop instead of sleeping. At 1,000 starts/s, Spin = 1.2 ms keeps
// starts within ~0.1 ms of plan but keeps about one core busy. Spin = SpinAuto (the
// bench's default) leaves it to the open loop: it spins only when starts come faster
// than timers can hold (AutoSpin), and other waits sleep.
type RealClock struct {
	// Spin is how much of each wait is spent spinning (0: sleep only; SpinAuto: see
	// AutoSpin).
	Spin time.Duration

	meter *spinMeter
}

// spinMeter counts the waits that spun and the time spent spinning: from the end of
// the timer's sleep to the deadline, at most the spin (an upper bound on the CPU).
type spinMeter struct {
	waits, spun atomic.Int64
}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// SleepUntil sleeps until t (returning at once when t is past), spinning through the
// last Spin of the wait.
func (c RealClock) SleepUntil(ctx context.Context, t time.Time) error {
	return c.sleepUntil(ctx, t, max(c.Spin, 0))
}

// sleepUntil sleeps until t, spinning through its last spin.
func (c RealClock) sleepUntil(ctx context.Context, t time.Time, spin time.Duration) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	if d > spin {
		tm := time.NewTimer(d - spin)
		select {
		case <-tm.C:
		case <-ctx.Done():
			tm.Stop()
			return ctx.Err()
		}
	}
	if spin > 0 && c.meter != nil {
		// The loop burns CPU from now until t; past t it only waits for the scheduler
		// (Gosched on a busy process), which is not spinning.
		if s0 := time.Now(); s0.Before(t) {
			c.meter.waits.Add(1)
			c.meter.spun.Add(int64(t.Sub(s0)))
		}
	}
	for time.Now().Before(t) {
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.Gosched()
	}
	return nil
}

// Tick returns a time.Ticker's channel.
func (RealClock) Tick(d time.Duration) (<-chan time.Time, func()) {
	t := time.NewTicker(d)
	return t.C, t.Stop
}

// String describes the workload for humans.
func (c Config) String() string {
	if c.Users > 0 {
		return fmt.Sprintf("closed loop: %d users, think %v", c.Users, c.Think)
	}
	s := c.Schedule
	if s.Rate > 0 {
		return fmt.Sprintf("open loop: %g/s", s.Rate)
	}
	return fmt.Sprintf("open loop: %d stages", len(s.Stages))
}
