package bench

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// TestRecorderMergeEqualsOneHistogram records values from several goroutines into
// sharded histograms over several intervals; the merged run must answer exactly like
// one histogram holding every value.
func TestRecorderMergeEqualsOneHistogram(t *testing.T) {
	t.Parallel()
	const shards, perShard, intervals = 4, 5000, 3
	var ivCount int64
	r := NewRecorder(shards, func(iv *Interval) { ivCount += iv.Metrics[MetricLatency].Count })
	all := newHist()
	var allMu sync.Mutex
	t0 := time.Unix(1000, 0)
	for k := 0; k < intervals; k++ {
		var wg sync.WaitGroup
		for s := 0; s < shards; s++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(s), uint64(k)))
				for i := 0; i < perShard; i++ {
					// log-uniform from 1 µs to ~20 s
					d := time.Duration(float64(time.Microsecond) * math.Pow(10, rng.Float64()*7.3))
					r.Record(s, MetricLatency, d)
					v, _ := toMicros(d)
					allMu.Lock()
					_ = all.RecordValue(v)
					allMu.Unlock()
				}
				r.Count(s, Counters{Completed: perShard, Outcomes: map[string]int64{OutcomeOK: perShard}})
			}()
		}
		wg.Wait()
		r.Flush(t0.Add(time.Duration(k)*time.Second), t0.Add(time.Duration(k+1)*time.Second))
	}
	stats, c := r.Totals()
	got, want := stats[MetricLatency], StatsOf(all)
	if got != want {
		t.Errorf("merged stats:\n got %+v\nwant %+v", got, want)
	}
	if ivCount != want.Count {
		t.Errorf("interval counts add up to %d, want %d", ivCount, want.Count)
	}
	if n := int64(shards * perShard * intervals); c.Completed != n || c.Outcomes[OutcomeOK] != n {
		t.Errorf("counters: got %+v, want %d completed ok", c, n)
	}
	if d := r.Dropped(); d != 0 {
		t.Errorf("Merge dropped %d values", d)
	}
	if h := r.RunHistogram(MetricLatency); h == nil || !h.Equals(all) {
		t.Errorf("run histogram differs from the single histogram")
	}
}

func TestToMicrosClamps(t *testing.T) {
	t.Parallel()
	cases := []struct {
		d       time.Duration
		want    int64
		clamped bool
	}{
		{0, 1, false}, // below 1 µs counts as 1 µs
		{1500 * time.Microsecond, 1500, false},
		{2 * time.Minute, 60_000_000, true}, // above 60 s is cut to 60 s and counted
	}
	for _, c := range cases {
		v, cl := toMicros(c.d)
		if v != c.want || cl != c.clamped {
			t.Errorf("toMicros(%v) = %d, %v; want %d, %v", c.d, v, cl, c.want, c.clamped)
		}
	}
}

// TestRecorderMemoryFlat flushes many intervals: the recorder keeps no samples, so
// the number of histograms stays at one per metric per shard plus two.
func TestRecorderMemoryFlat(t *testing.T) {
	t.Parallel()
	r := NewRecorder(2, nil)
	for k := 0; k < 200; k++ {
		r.Record(k, MetricService, time.Millisecond)
		r.Flush(time.Unix(int64(k), 0), time.Unix(int64(k+1), 0))
	}
	if n := len(r.run) + len(r.iv) + len(r.shards[0].hist) + len(r.shards[1].hist); n != 4 {
		t.Errorf("histograms held: %d, want 4", n)
	}
	stats, _ := r.Totals()
	if stats[MetricService].Count != 200 {
		t.Errorf("count %d, want 200", stats[MetricService].Count)
	}
}
