package bench

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"

	"github.com/authbench/authbench/internal/race"
	"github.com/authbench/authbench/reports"
)

// tickingClock is a virtual clock whose ticker ticks: SleepUntil walks the clock to
// its wake-up time one tick boundary at a time and, at each, hands the engine's
// flusher a tick and waits until the flushed interval reached OnInterval (flushed),
// so that a run of hours passes in virtual time, interval by interval.
type tickingClock struct {
	mu      sync.Mutex
	now     time.Time
	every   time.Duration
	next    time.Time
	tick    chan time.Time
	flushed chan struct{}
}

func newTickingClock(every time.Duration) *tickingClock {
	t0 := time.Unix(1_700_000_000, 0).UTC()
	return &tickingClock{now: t0, every: every, next: t0.Add(every), tick: make(chan time.Time), flushed: make(chan struct{}, 1)}
}

func (c *tickingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *tickingClock) SleepUntil(ctx context.Context, t time.Time) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.mu.Lock()
		if t.Before(c.next) {
			if t.After(c.now) {
				c.now = t
			}
			c.mu.Unlock()
			return nil
		}
		b := c.next
		c.now, c.next = b, b.Add(c.every)
		c.mu.Unlock()
		c.tick <- b
		<-c.flushed
	}
}

func (c *tickingClock) Tick(time.Duration) (<-chan time.Time, func()) { return c.tick, func() {} }

// onFlushed is OnInterval's last act: it lets SleepUntil go on (the final flush,
// which nobody waits for, lands in the buffer).
func (c *tickingClock) onFlushed() {
	select {
	case c.flushed <- struct{}{}:
	default:
	}
}

// TestIntervalRowsConstantMemory runs 2,000 intervals (500 under -race) of an
// instant flow on a virtual clock, streaming the summary's rows: the result keeps no
// interval however long the run, while the stream has a row for every interval and
// the rows add up to the run.
func TestIntervalRowsConstantMemory(t *testing.T) {
	t.Parallel()
	n := 2000
	if race.Enabled {
		n = 500 // each interval's histograms cost ~10× under the race detector
	}
	every := 10 * time.Millisecond
	clock := newTickingClock(every)
	var buf bytes.Buffer
	rows := NewIntervalRows(&buf, "intervals.ndjson")
	cfg := Config{Schedule: Schedule{Rate: 1000, Duration: time.Duration(n) * every}, Interval: every, Clock: clock, DiscardIntervals: true,
		OnInterval: func(iv *Interval) { rows.OnInterval(iv); clock.onFlushed() }}
	res, err := Run(t.Context(), cfg, instant)
	if err != nil {
		t.Fatal(err)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(res.Intervals) != 0 {
		t.Errorf("the result kept %d intervals, want none: they stream to disk", len(res.Intervals))
	}
	s := NewSummary(res, Meta{Target: "stub"})
	if len(s.Intervals) != 0 {
		t.Errorf("the summary holds %d intervals in memory, want none", len(s.Intervals))
	}
	got, err := reports.ReadIntervalRows(&buf)
	if err != nil {
		t.Fatal(err)
	}
	// The schedule's last start is at (n·10 − 1) ms: n−1 ticks pass before it, and
	// the final flush adds the last interval.
	if len(got) != n || rows.Rows() != int64(n) {
		t.Fatalf("%d rows read, %d written; want %d", len(got), rows.Rows(), n)
	}
	var started, completed int64
	for i, r := range got {
		started += r.Started
		completed += r.Completed
		if want := float64(i) * every.Seconds(); r.StartS < want-1e-9 || r.StartS > want+1e-9 {
			t.Fatalf("row %d starts at %vs, want %vs (relative to the run's start)", i, r.StartS, want)
		}
	}
	if started != res.Counters.Started || completed != res.Counters.Completed || completed != int64(n)*10 {
		t.Errorf("rows add up to %d started, %d completed; the run had %d, %d (want %d)", started, completed,
			res.Counters.Started, res.Counters.Completed, n*10)
	}
}
