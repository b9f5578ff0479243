package bench

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// ProgressPrinter returns a progress callback (as Provision takes) that prints
// "  done/total what" to w at most once a second, and at the end.
func ProgressPrinter(w io.Writer, what string) func(done, total int) {
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

// IsTerminal reports whether w is a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(interface{ Fd() uintptr })
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// Progress is a run's live view on stderr: an mpb bar of sign-ins started on a
// terminal, a one-line status every period otherwise. Its Interval method takes the
// run's intervals (from one goroutine); Close stops the bar.
type Progress struct {
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

// NewProgress starts the live view on w for a run of planned sign-ins (-1: unknown),
// printing a status line every period when w is not a terminal.
func NewProgress(ctx context.Context, w io.Writer, planned int64, every time.Duration) *Progress {
	v := &Progress{w: w, every: every, start: time.Now(), last: time.Now(), planned: planned}
	if IsTerminal(w) {
		total := max(v.planned, 0)
		v.p = mpb.NewWithContext(context.WithoutCancel(ctx), mpb.WithOutput(w), mpb.WithWidth(30), mpb.WithAutoRefresh())
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

// Interval shows the interval's counts and latency.
func (v *Progress) Interval(iv *Interval) {
	v.mu.Lock()
	c := iv.Counters
	v.started += c.Started
	v.errs += c.Completed - c.Outcomes[OutcomeOK]
	v.thr += c.Outcomes[ThrottleCode]
	secs := iv.End.Sub(iv.Start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(c.Started) / secs
	}
	lat := iv.Metrics[MetricLatency]
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

// Close stops the bar (and waits for its last render).
func (v *Progress) Close() {
	if v.p != nil {
		v.bar.Abort(false)
		v.p.Wait()
	}
}
