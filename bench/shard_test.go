package bench

import (
	"slices"
	"sync"
	"testing"
	"time"
)

// TestRunShardsSplitThePlan: three shards of one schedule, anchored to a common
// start, run disjoint arrivals whose union is exactly the single run's plan, at the
// same intended start times.
func TestRunShardsSplitThePlan(t *testing.T) {
	t.Parallel()
	startAt := time.Unix(1_700_000_010, 0).UTC()
	sched := Schedule{Stages: []Stage{{Duration: time.Second, From: 0, To: 100}, {Duration: time.Second, From: 100, To: 100}}, Iterations: 131}
	intended := func(cfg Config) map[int64]time.Time {
		var mu sync.Mutex
		out := map[int64]time.Time{}
		cfg.Clock, cfg.Schedule, cfg.Start = newFakeClock(), sched, startAt
		cfg.OnIteration = func(r *IterationRecord) {
			mu.Lock()
			defer mu.Unlock()
			out[r.Seq] = r.Intended
		}
		res, err := Run(t.Context(), cfg, instant)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Start.Equal(startAt) {
			t.Errorf("start %v, want the common start %v", res.Start, startAt)
		}
		if res.Planned != int64(len(out)) {
			t.Errorf("shard %d: planned %d, ran %d", cfg.ShardIndex, res.Planned, len(out))
		}
		return out
	}
	whole := intended(Config{})
	if len(whole) != 131 {
		t.Fatalf("the single run ran %d, want 131", len(whole))
	}
	union := map[int64]time.Time{}
	var sizes []int
	for i := range 3 {
		part := intended(Config{ShardIndex: i, ShardCount: 3})
		sizes = append(sizes, len(part))
		for seq, at := range part {
			if _, dup := union[seq]; dup {
				t.Errorf("iteration %d ran in two shards", seq)
			}
			if seq%3 != int64(i) {
				t.Errorf("shard %d ran iteration %d", i, seq)
			}
			union[seq] = at
		}
	}
	if !slices.Equal(sizes, []int{44, 44, 43}) {
		t.Errorf("shard sizes %v, want 44 44 43", sizes)
	}
	for seq, at := range whole {
		if !union[seq].Equal(at) {
			t.Errorf("iteration %d: sharded intended start %v, single run %v", seq, union[seq], at)
		}
	}
}

func TestShardShareAndUsers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ total, n int64 }{{10, 3}, {2, 3}, {0, 4}, {99, 1}} {
		var sum int64
		for i := range tc.n {
			sum += ShardShare(tc.total, int(i), int(tc.n))
		}
		if sum != tc.total {
			t.Errorf("ShardShare(%d) over %d shards adds to %d", tc.total, tc.n, sum)
		}
	}
	mk := func() *UserSet {
		us := make([]User, 7)
		for i := range us {
			us[i].Username = string(rune('a' + i))
		}
		return &UserSet{Users: map[string][]User{"srp": us}}
	}
	seen := map[string]int{}
	for i := range 3 {
		s := mk()
		if err := ShardUsers(s, i, 3); err != nil {
			t.Fatal(err)
		}
		for _, u := range s.Users["srp"] {
			seen[u.Username]++
		}
	}
	if len(seen) != 7 {
		t.Errorf("users over the shards: %v", seen)
	}
	for u, n := range seen {
		if n != 1 {
			t.Errorf("user %s in %d shards", u, n)
		}
	}
	if err := ShardUsers(mk(), 7, 8); err == nil {
		t.Error("a shard without users was accepted")
	}
	if err := (Config{Schedule: Schedule{Rate: 1, Duration: time.Second}, ShardIndex: 3, ShardCount: 3}).Validate(); err == nil {
		t.Error("shard 3 of 3 validated")
	}
}
