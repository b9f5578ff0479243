package bench

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/authbench/authbench/driver"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeClock is a virtual clock: SleepUntil jumps to the wake-up time (plus overshoot,
// to simulate a scheduler that wakes late) instead of sleeping. Its ticker never
// ticks: a run's values all land in the final interval.
type fakeClock struct {
	mu        sync.Mutex
	now       time.Time
	overshoot time.Duration
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0).UTC()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.now) {
		c.now = t.Add(c.overshoot)
	}
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Tick(time.Duration) (<-chan time.Time, func()) { return nil, func() {} }

var instant = FlowFunc(func(context.Context, *Iteration) Outcome { return Outcome{} })

func TestRunOpenLoopCounts(t *testing.T) {
	t.Parallel()
	var seen atomic.Int64
	cfg := Config{Schedule: Schedule{Rate: 500, Duration: 2 * time.Second}, Clock: newFakeClock(),
		OnIteration: func(*IterationRecord) { seen.Add(1) }}
	res, err := Run(t.Context(), cfg, instant)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Counters
	if res.Mode != Open || res.Planned != 1000 || c.Started != 1000 || c.Completed != 1000 || c.Outcomes[OutcomeOK] != 1000 {
		t.Errorf("got mode %s planned %d counters %+v; want open, 1000 ok", res.Mode, res.Planned, c)
	}
	if c.LateStarts != 0 {
		t.Errorf("late starts on a perfect clock: %d", c.LateStarts)
	}
	if got := res.Metrics[MetricLatency].Count; got != 1000 {
		t.Errorf("latency count %d", got)
	}
	if seen.Load() != 1000 {
		t.Errorf("OnIteration saw %d", seen.Load())
	}
	if got := res.End.Sub(res.Start); got != 1998*time.Millisecond {
		t.Errorf("virtual run length %v, want the last start at 1.998s", got)
	}
}

// TestRunLateStartsFromLag: a scheduler that wakes 3 ms late starts every iteration
// after the first late (beyond the 2 ms tolerance), and says so.
func TestRunLateStartsFromLag(t *testing.T) {
	t.Parallel()
	clk := newFakeClock()
	clk.overshoot = 3 * time.Millisecond
	res, err := Run(t.Context(), Config{Schedule: Schedule{Rate: 10, Iterations: 20}, Clock: clk}, instant)
	if err != nil {
		t.Fatal(err)
	}
	// The first iteration is due at once (no sleep); the 19 others wake 3 ms late, beyond the 2 ms tolerance.
	if got := res.Counters.LateStarts; got != 19 {
		t.Errorf("late starts: got %d, want 19", got)
	}
	if res.MaxLag != 3*time.Millisecond {
		t.Errorf("max lag %v, want 3ms", res.MaxLag)
	}
	if lag := res.Metrics[MetricStartLag]; lag.Max < 2990 || lag.Max > 3010 {
		t.Errorf("start.lag max %dµs, want ≈3000", lag.Max)
	}
}

// TestRunLateStartsFromInflightCap: with one slot and a sign-in that holds it, the
// next starts wait for the slot and count late, even on a clock that shows no lag.
func TestRunLateStartsFromInflightCap(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var first atomic.Bool
	flow := FlowFunc(func(ctx context.Context, it *Iteration) Outcome {
		if first.CompareAndSwap(false, true) {
			<-release
		}
		return Outcome{}
	})
	clk := newFakeClock()
	go func() {
		time.Sleep(20 * time.Millisecond)
		close(release)
	}()
	res, err := Run(t.Context(), Config{Schedule: Schedule{Rate: 100, Iterations: 5}, MaxInflight: 1, Clock: clk}, flow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counters.Completed != 5 {
		t.Errorf("completed %d, want 5", res.Counters.Completed)
	}
	// The second waits for the held slot; later ones may too (the slot is freed after
	// the record is committed), so at least one late start.
	if res.Counters.LateStarts < 1 {
		t.Errorf("late starts: got %d, want ≥ 1", res.Counters.LateStarts)
	}
}

// TestRunCancelGrace: cancelling stops scheduling; in-flight sign-ins get the grace
// period, then their context is cancelled; every started sign-in is in the result.
func TestRunCancelGrace(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	var started atomic.Int64
	flow := FlowFunc(func(ctx context.Context, it *Iteration) Outcome {
		if started.Add(1) == 10 {
			cancel()
		}
		<-ctx.Done() // a sign-in that never answers
		return Outcome{Err: ctx.Err()}
	})
	res, err := Run(ctx, Config{Schedule: Schedule{Rate: 1000, Duration: time.Hour}, Grace: 20 * time.Millisecond, Clock: newFakeClock()}, flow)
	if !errors.Is(err, context.Canceled) || res == nil || !res.Interrupted {
		t.Fatalf("got %v, %+v; want an interrupted result and context.Canceled", err, res)
	}
	c := res.Counters
	if c.Started < 10 || c.Started != c.Completed || c.Outcomes["Canceled"] != c.Started {
		t.Errorf("counters %+v: want every started sign-in completed as Canceled", c)
	}
}

func TestRunClosedLoop(t *testing.T) {
	t.Parallel()
	lease, _ := NewLease(users(3))
	var maxConc, conc atomic.Int32
	flow := FlowFunc(func(ctx context.Context, it *Iteration) Outcome {
		n := conc.Add(1)
		defer conc.Add(-1)
		for {
			m := maxConc.Load()
			if n <= m || maxConc.CompareAndSwap(m, n) {
				break
			}
		}
		if it.User == nil {
			return Outcome{Code: "NoUser"}
		}
		return Outcome{}
	})
	res, err := Run(t.Context(), Config{Users: 3, Iterations: 60, Think: time.Millisecond, Lease: lease, Clock: newFakeClock()}, flow)
	if err != nil {
		t.Fatal(err)
	}
	if res.Mode != Closed || res.Counters.Completed != 60 || res.Counters.Outcomes[OutcomeOK] != 60 {
		t.Errorf("mode %s counters %+v", res.Mode, res.Counters)
	}
	if maxConc.Load() > 3 {
		t.Errorf("max concurrency %d > 3 users", maxConc.Load())
	}
}

func TestRunObserverAndOutcomes(t *testing.T) {
	t.Parallel()
	lease, _ := NewLease(users(4))
	flow := FlowFunc(func(ctx context.Context, it *Iteration) Outcome {
		it.Flow = "srp"
		it.SRP(time.Millisecond)
		it.Call("InitiateAuth", 2*time.Millisecond, nil)
		it.Step("done")
		if it.Seq%4 == 0 {
			return Outcome{Err: &driver.ServiceError{Name: "TooManyRequestsException", Message: "Rate exceeded"}}
		}
		return Outcome{}
	})
	res, err := Run(t.Context(), Config{Schedule: Schedule{Rate: 100, Iterations: 40}, Lease: lease, Clock: newFakeClock()}, flow)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Counters
	if c.Outcomes["TooManyRequestsException"] != 10 || c.Outcomes[OutcomeOK] != 30 || c.FlowOutcomes["srp"]["ok"] != 30 || c.NextSteps["done"] != 40 {
		t.Errorf("counters %+v", c)
	}
	for _, m := range []string{MetricSRP, "api.InitiateAuth", MetricLatency, MetricService, "flow.srp.latency"} {
		if res.Metrics[m].Count != 40 {
			t.Errorf("%s: count %d, want 40", m, res.Metrics[m].Count)
		}
	}
	if got := res.Metrics["api.InitiateAuth"].P50; got < 1998 || got > 2002 {
		t.Errorf("api.InitiateAuth p50 %dµs, want ≈2000", got)
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"open", Config{Schedule: Schedule{Rate: 1, Duration: time.Second}}, true},
		{"closed", Config{Users: 2, Duration: time.Second}, true},
		{"closed unbounded", Config{Users: 2}, false},
		{"closed with rate", Config{Users: 2, Duration: time.Second, Schedule: Schedule{Rate: 1}}, false},
		{"nothing", Config{}, false},
	}
	for _, c := range cases {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: got %v", c.name, err)
		}
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want string
	}{
		{nil, "ok"},
		{&driver.ServiceError{Name: "NotAuthorizedException"}, "NotAuthorizedException"},
		{&driver.StateError{Name: "InvalidStateException"}, "InvalidStateException"},
		{context.Canceled, "Canceled"},
		{context.DeadlineExceeded, "Timeout"},
		{errors.New("dial tcp: refused"), "ClientError"},
	}
	for _, c := range cases {
		if got := Classify(c.err); got != c.want {
			t.Errorf("Classify(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}

// TestRunRealClockStops runs a short real-clock schedule: it stops by itself.
func TestRunRealClockStops(t *testing.T) {
	t.Parallel()
	res, err := Run(t.Context(), Config{Schedule: Schedule{Rate: 200, Duration: 300 * time.Millisecond}, Interval: 100 * time.Millisecond}, instant)
	if err != nil {
		t.Fatal(err)
	}
	if res.Counters.Completed != 60 {
		t.Errorf("completed %d, want 60", res.Counters.Completed)
	}
	var sum int64
	for _, iv := range res.Intervals {
		sum += iv.Counters.Completed
	}
	if sum != 60 || len(res.Intervals) < 2 {
		t.Errorf("intervals %d add up to %d, want ≥2 adding to 60", len(res.Intervals), sum)
	}
}
