package bench

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func planOptions() Options {
	return Options{Mix: "srp=3,password=1", MaxInflight: DefaultMaxInflight, Grace: DefaultGrace, StatusEvery: time.Second, Shards: 1, Now: time.Now()}
}

// TestPlanBuildsThePacerOnce: the plan's pacer is the one the engine runs and the
// summary reads.
func TestPlanBuildsThePacerOnce(t *testing.T) {
	t.Parallel()
	o := planOptions()
	o.Rate, o.Duration = "20/s", time.Second
	p, err := NewPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.Pacer == nil || p.Planned() != 20 || p.PeakRate() != 20 {
		t.Fatalf("plan: pacer %v, planned %d, peak %v", p.Config.Pacer, p.Planned(), p.PeakRate())
	}
	cfg := p.Config
	cfg.Clock = newFakeClock()
	res, err := Run(t.Context(), cfg, instant)
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Pacer != p.Config.Pacer || res.Planned != 20 {
		t.Errorf("the run did not use the plan's pacer (planned %d)", res.Planned)
	}
	if s := NewSummary(res, Meta{}); s.Rates.Planned != 20 {
		t.Errorf("planned rate %v, want 20", s.Rates.Planned)
	}
	// 3 SRP sign-ins (2 requests each) per password one (1 request).
	if got := p.Requests(20); got != 35 {
		t.Errorf("Requests(20) = %d, want 35", got)
	}
}

func TestPlanShardSplit(t *testing.T) {
	t.Parallel()
	o := planOptions()
	o.Rate, o.Duration, o.Shard, o.Shards, o.StartAt, o.Out = "10/s", time.Second, 2, 3, time.Now().Add(time.Minute).Format(time.RFC3339), "x"
	p, err := NewPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	if p.Config.ShardIndex != 2 || p.Config.ShardCount != 3 || p.Planned() != 3 || p.Config.Start.IsZero() {
		t.Errorf("open loop shard: %+v, planned %d", p.Config, p.Planned())
	}
	o = planOptions()
	o.Users, o.Iterations, o.Shard, o.Shards, o.StartAt, o.Out = 5, 7, 2, 3, time.Now().Format(time.RFC3339), "x"
	if p, err = NewPlan(o); err != nil {
		t.Fatal(err)
	}
	if p.Config.Users != 1 || p.Config.Iterations != 2 || p.Config.Pacer != nil || p.Planned() != 2 {
		t.Errorf("closed loop shard: users %d, iterations %d, planned %d", p.Config.Users, p.Config.Iterations, p.Planned())
	}
	if n := p.UsersPerFlow(); n["srp"] != 8 || n["password"] != 8 || len(n) != 2 {
		t.Errorf("users per flow %v", n)
	}
	o.Users, o.Iterations = 2, 0
	o.Duration = time.Second
	if _, err := NewPlan(o); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--users 2 over 3 shards leaves shard 2 without users") {
		t.Errorf("closed loop shard without users: %v", err)
	}
}

func TestPlanErrorsAreInvalid(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) {}, "give --rate, --stages or --users"},
		{func(o *Options) { o.Rate = "fast" }, `--rate: rate "fast" at position 1`},
		{func(o *Options) { o.Rate, o.Mix = "1/s", "warp" }, `--mix: mix "warp" at position 1: unknown flow "warp"`},
		{func(o *Options) { o.Rate = "1/s" }, "a constant rate needs a duration or an iteration count to stop"},
		{func(o *Options) { o.Users = 2 }, "the closed loop needs a duration or an iteration count to stop"},
		{func(o *Options) { o.Rate, o.Duration, o.Thresholds = "1/s", time.Second, []string{"nope"} }, "nope"},
	} {
		o := planOptions()
		tc.edit(&o)
		_, err := NewPlan(o)
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v; want ErrInvalid with %q", o, err, tc.want)
		}
	}
}

// TestOpenTargetGate: a non-loopback target is announced with the planned load and
// refused without IOwnThisPool.
func TestOpenTargetGate(t *testing.T) {
	t.Parallel()
	users := filepath.Join(t.TempDir(), "users.json")
	set := &UserSet{Schema: UserSetSchema, Endpoint: "https://cognito-idp.us-east-1.amazonaws.com",
		Pools: map[string]PoolRef{"srp": {PoolID: "us-east-1_abc", ClientID: "client"}},
		Users: map[string][]User{"srp": {{Username: "u1", Password: "p"}}}}
	if err := set.WriteFile(users); err != nil {
		t.Fatal(err)
	}
	o := planOptions()
	o.Rate, o.Duration, o.Mix = "2/s", 5*time.Second, "srp"
	p, err := NewPlan(o)
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	_, err = p.OpenTarget(t.Context(), TargetOptions{UsersFile: users, Stderr: &stderr})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "--i-own-this-pool") {
		t.Errorf("not refused: %v", err)
	}
	if want := "bench plans 10 sign-ins, about 20 requests to https://cognito-idp.us-east-1.amazonaws.com\n"; stderr.String() != want {
		t.Errorf("announcement %q, want %q", stderr.String(), want)
	}
	if _, err := p.OpenTarget(t.Context(), TargetOptions{UsersFile: filepath.Join(t.TempDir(), "none.json")}); !errors.Is(err, ErrInvalid) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing user set: %v", err)
	}
}

func TestCheckShardsRefusesMixedRuns(t *testing.T) {
	t.Parallel()
	art := func(dir, run string, shard int) *Artifact {
		return &Artifact{Dir: dir, Summary: Summary{Run: &RunInfo{RunID: run, ConfigHash: "h", Shard: shard, Shards: 3}}}
	}
	byIdx, missing, err := CheckShards([]*Artifact{art("a", "r", 0), art("b", "r", 2)}, 0)
	if err != nil || len(byIdx) != 2 || len(missing) != 1 || missing[0] != 1 {
		t.Errorf("CheckShards: %v %v %v", byIdx, missing, err)
	}
	for _, arts := range [][]*Artifact{
		{art("a", "r", 0), art("b", "other", 1)},
		{art("a", "r", 0), art("b", "r", 0)},
		{art("a", "r", 5)},
	} {
		if _, _, err := CheckShards(arts, 0); !errors.Is(err, ErrInvalid) {
			t.Errorf("%v: %v, want ErrInvalid", arts, err)
		}
	}
}
