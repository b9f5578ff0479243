package bench

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/reports"
)

// embeddedRun starts the embedded pool with limits, provisions counts[flow] users,
// and runs cfg with the mix; before, if set, is called just before the run.
func embeddedRun(t *testing.T, limits emulator.Limits, mix, counts map[string]int, cfg Config, before func()) *Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	e, err := StartEmbedded(ctx, limits)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	set, err := e.Provision(ctx, counts, nil)
	if err != nil {
		t.Fatalf("provision: %v", err)
	}
	flows, leases, err := Flows(set, FlowsOptions{Endpoint: driver.Endpoint{URL: e.Endpoint(), MaxConns: 64}, Codes: e.NewOutbox(), TOTP: e.TOTP})
	if err != nil {
		t.Fatal(err)
	}
	defer CloseIdleConnections(flows) // before e.Close: nothing of the run stays connected
	m, err := NewMix(mix, flows, leases)
	if err != nil {
		t.Fatal(err)
	}
	if before != nil {
		before()
	}
	res, err := Run(ctx, cfg, m)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestEmbeddedMixEveryFlow runs a short bench touching every flow against the
// embedded pool and checks the summary adds up.
func TestEmbeddedMixEveryFlow(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded bench")
	}
	mix, counts := map[string]int{}, map[string]int{}
	for _, f := range FlowNames {
		mix[f], counts[f] = 1, 12
	}
	counts[FlowRefresh] = 2 // few users: most refresh iterations refresh
	var mu sync.Mutex
	var errs []string
	cfg := Config{Schedule: Schedule{Rate: 40, Duration: 2 * time.Second}, OnIteration: func(r *IterationRecord) {
		if r.Outcome != OutcomeOK {
			mu.Lock()
			errs = append(errs, r.Flow+": "+r.Error)
			mu.Unlock()
		}
	}}
	// 12 users per flow: each TOTP user signs in about once, plus its setup, within
	// one 30 s window (two codes per window with Lookahead: no waiting).
	res := embeddedRun(t, emulator.Limits{}, mix, counts, cfg, nil)
	s := NewSummary(res, Meta{Target: "embedded", Mix: mix})
	tot := s.Totals
	if tot.Planned != 80 || tot.Started != 80 || tot.Completed != 80 {
		t.Errorf("planned/started/completed: %+v (no sign-in may be lost)", tot)
	}
	if tot.OK+tot.Errors != tot.Completed {
		t.Errorf("outcomes do not add up: %+v", tot)
	}
	if tot.OK != tot.Completed {
		t.Errorf("errors: %v", errs)
	}
	for _, f := range FlowNames {
		if n := s.FlowOutcomes[f]["ok"]; n == 0 {
			t.Errorf("flow %s: no successful sign-in (%v)", f, s.FlowOutcomes[f])
		}
	}
	for _, m := range []string{MetricLatency, MetricService, MetricSRP, "api.InitiateAuth", "api.RespondToAuthChallenge", "mfa.code"} {
		if s.Metrics[m].Count == 0 {
			t.Errorf("metric %s missing", m)
		}
	}
	// Every metric the engine records is one a threshold may name.
	for m := range s.Metrics {
		if k, _ := reports.MetricKindOf(m); k != reports.KindHistogram {
			t.Errorf("metric %s is not a histogram name thresholds accept (reports.MetricNames)", m)
		}
	}
	if s.NextSteps["refresh"] == 0 {
		t.Errorf("no refresh: %v", s.NextSteps)
	}
	for _, step := range []driver.Step{driver.Done, driver.ConfirmSignInWithSMSMFACode, driver.ConfirmSignInWithTOTPMFACode, driver.ConfirmSignInWithCustomChallenge} {
		if s.NextSteps[string(step)] == 0 {
			t.Errorf("next step %s never met: %v", step, s.NextSteps)
		}
	}
	t.Logf("outcomes %v steps %v", s.Outcomes, s.NextSteps)
}

// TestEmbeddedStall stalls the pool's InitiateAuth for 1 s in a 3 s run at 50/s with
// at most 2 sign-ins in flight: the engine must start the queued sign-ins late and
// the stall must show in signin.latency (from the intended start) while service
// time (from the actual start) stays low — coordinated omission is handled.
func TestEmbeddedStall(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded bench")
	}
	var stalled atomic.Bool
	release := make(chan struct{})
	var limits emulator.Limits
	if err := limits.SetLatency("InitiateAuth=1us"); err != nil {
		t.Fatal(err)
	}
	limits.Sleep = func(ctx context.Context, d time.Duration) error {
		if stalled.Load() {
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}
	var timers []*time.Timer
	before := func() {
		timers = append(timers, time.AfterFunc(500*time.Millisecond, func() { stalled.Store(true) }),
			time.AfterFunc(1500*time.Millisecond, func() { stalled.Store(false); close(release) }))
	}
	mix := map[string]int{FlowSRP: 1}
	res := embeddedRun(t, limits, mix, map[string]int{FlowSRP: 20}, Config{Schedule: Schedule{Rate: 50, Duration: 3 * time.Second}, MaxInflight: 2}, before)
	for _, tm := range timers {
		tm.Stop()
	}
	lat, svc := res.Metrics[MetricLatency], res.Metrics[MetricService]
	t.Logf("latency %+v\nservice %+v\nlate %d", lat, svc, res.Counters.LateStarts)
	if res.Counters.Completed != 150 || res.Counters.Outcomes[OutcomeOK] != 150 {
		t.Errorf("counters %+v", res.Counters)
	}
	if res.Counters.LateStarts < 20 {
		t.Errorf("late starts %d: the stall should have queued ~50 starts", res.Counters.LateStarts)
	}
	if lat.P90 < 300_000 || lat.Max < 800_000 {
		t.Errorf("signin.latency p90 %dµs max %dµs: the 1 s stall is hidden", lat.P90, lat.Max)
	}
	// Only the 2 in-flight sign-ins saw the stall in their service time: the bulk of
	// service times stays far below the latency measured from intended starts (a
	// ratio, not a wall-clock bound: a loaded machine slows both alike).
	if svc.P95*3 > lat.P90 {
		t.Errorf("signin.service p95 %dµs vs signin.latency p90 %dµs: the stall leaked into service time", svc.P95, lat.P90)
	}
}

// TestEmbeddedQuota runs srp sign-ins at 40/s against a pool allowing 10 sign-in
// requests per second: the excess is counted as TooManyRequestsException, not
// retried, and every sign-in is accounted for.
func TestEmbeddedQuota(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded bench")
	}
	var limits emulator.Limits
	if err := limits.SetQuota("UserAuthentication=10"); err != nil {
		t.Fatal(err)
	}
	mix := map[string]int{FlowSRP: 1}
	res := embeddedRun(t, limits, mix, map[string]int{FlowSRP: 20}, Config{Schedule: Schedule{Rate: 40, Duration: 2 * time.Second}}, nil)
	c := res.Counters
	thr := c.Outcomes[ThrottleCode]
	t.Logf("outcomes %v", c.Outcomes)
	if thr == 0 || c.Outcomes[OutcomeOK] == 0 {
		t.Errorf("outcomes %v: want both throttles and successes", c.Outcomes)
	}
	if c.Completed != 80 || thr+c.Outcomes[OutcomeOK] != 80 {
		t.Errorf("outcomes %v do not add up to 80", c.Outcomes)
	}
	if res.Metrics["api.InitiateAuth"].Count < 80 {
		t.Errorf("api.InitiateAuth count %d: want one attempt per sign-in at least (no retries)", res.Metrics["api.InitiateAuth"].Count)
	}
}
