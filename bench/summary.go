package bench

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/authbench/authbench/reports"
)

// SummarySchema is the report schema string shared by authbench's JSON reports;
// a bench summary has Kind "bench".
const SummarySchema = reports.Schema

// Meta describes a run for its summary. It must hold nothing secret.
type Meta struct {
	// Target names the pool: "embedded", or the endpoint / pool id (never
	// credentials or client secrets).
	Target string
	// Mix is the flow mix as weights by flow name.
	Mix map[string]int
	// UserSet is the number of users in the user set.
	UserSet int
	// Run identifies the run (and shard), if known.
	Run *RunInfo
}

// The bench summary's types: the schema (authbench.report/v1, kind "bench") is
// defined in package reports, which reads it back.
type (
	// Summary is the versioned JSON summary of a bench run.
	Summary = reports.BenchSummary
	// SummaryConfig is the run's configuration as reported (no secrets).
	SummaryConfig = reports.BenchConfig
	// SummaryStage is a stage as reported.
	SummaryStage = reports.BenchStage
	// Totals are the run's counts.
	Totals = reports.BenchTotals
	// Rates compares the planned and achieved start rates (per second).
	Rates = reports.BenchRates
	// SummaryInterval is one interval's stats, its bounds as seconds since the start.
	SummaryInterval = reports.BenchInterval
)

// ThrottleCode is Cognito's throttling error code.
const ThrottleCode = "TooManyRequestsException"

// NewSummary builds the summary of res.
func NewSummary(res *Result, meta Meta) Summary {
	cfg := res.Config
	c := res.Counters.Clone()
	wall := res.End.Sub(res.Start)
	s := Summary{
		Schema: SummarySchema, Kind: "bench", Target: meta.Target, Mode: string(res.Mode),
		Start: res.Start.UTC(), End: res.End.UTC(), WallS: round3(wall.Seconds()), Interrupted: res.Interrupted,
		Config: SummaryConfig{
			Rate: cfg.Schedule.Rate, DurationS: cfg.Schedule.Duration.Seconds(), Iterations: cfg.Schedule.Iterations,
			Users: cfg.Users, ThinkS: cfg.Think.Seconds(), LateToleranceUS: cfg.LateTolerance.Microseconds(),
			IntervalS: cfg.Interval.Seconds(), Mix: meta.Mix, UserSet: meta.UserSet,
		},
		Totals: Totals{Planned: res.Planned, Started: c.Started, Completed: c.Completed, OK: c.Outcomes[OutcomeOK],
			Throttles: c.Outcomes[ThrottleCode], LateStarts: c.LateStarts, UserWaits: c.UserWaits, Clamped: c.Clamped,
			HistogramDropped: res.Dropped, MaxStartLagUS: res.MaxLag.Microseconds()},
		Metrics: res.Metrics, Outcomes: c.Outcomes, FlowOutcomes: c.FlowOutcomes, NextSteps: c.NextSteps,
		CPU: res.CPU, Spin: res.Spin, Warnings: []string{}, Run: meta.Run,
	}
	s.Totals.Errors = s.Totals.Completed - s.Totals.OK
	if res.Mode == Open {
		s.Config.MaxInflight = cfg.MaxInflight
		for _, st := range cfg.Schedule.Stages {
			s.Config.Stages = append(s.Config.Stages, SummaryStage{DurationS: st.Duration.Seconds(), From: st.From, To: st.To})
		}
	} else {
		s.Config.DurationS, s.Config.Iterations = cfg.Duration.Seconds(), cfg.Iterations
	}
	if s.Metrics == nil {
		s.Metrics = map[string]Stats{}
	}
	if wall > 0 {
		s.Rates.Achieved = round3(float64(c.Started) / wall.Seconds())
	}
	if res.Mode == Open {
		if p := cfg.Pacer; p != nil && p.End() > 0 {
			s.Rates.Planned = round3(float64(ShardPlanned(p.Planned(), cfg.ShardIndex, cfg.ShardCount)) / p.End().Seconds())
		} else {
			s.Rates.Planned = cfg.Schedule.Rate
			if cfg.ShardCount > 1 {
				s.Rates.Planned = round3(cfg.Schedule.Rate / float64(cfg.ShardCount))
			}
		}
	}
	for i := range res.Intervals {
		s.Intervals = append(s.Intervals, SummaryIntervalOf(&res.Intervals[i], res.Start))
	}
	if s.Intervals == nil {
		s.Intervals = []SummaryInterval{}
	}
	if res.CPU.Saturated {
		s.Warnings = append(s.Warnings, fmt.Sprintf("the load generator used %.0f%% of its %d cores: its numbers measure itself, not the pool; lower the rate or add generators",
			res.CPU.Utilization*100, res.CPU.Cores))
	}
	if w := lateStartWarning(&s); w != "" {
		s.Warnings = append(s.Warnings, w)
	}
	if c.UserWaits > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("%d sign-ins waited for a free user: the user set is too small for this load", c.UserWaits))
	}
	if res.Dropped > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("histogram merges dropped %d values", res.Dropped))
	}
	if res.Mode == Closed {
		s.Warnings = append(s.Warnings, "closed loop: the load adapts to the pool's speed, so latency is service time and stalls are under-reported")
	}
	return s
}

// SummaryIntervalOf is iv as the summary reports it, its bounds in seconds since the
// run's start.
func SummaryIntervalOf(iv *Interval, start time.Time) SummaryInterval {
	return SummaryInterval{
		StartS: round3(iv.Start.Sub(start).Seconds()), EndS: round3(iv.End.Sub(start).Seconds()),
		Started: iv.Counters.Started, Completed: iv.Counters.Completed, Outcomes: iv.Counters.Outcomes, Metrics: iv.Metrics,
	}
}

// When late starts are worth a warning: see reports.LateStartsMaterial.
const (
	LateWarnFraction = reports.LateWarnFraction
	LateWarnP99      = reports.LateWarnP99
)

// inflightBound is the share of --max-inflight the average number of sign-ins in
// flight must reach for the cap to be named as the cause of late starts.
const inflightBound = 0.8

// lateStartWarning is the open-loop summary's warning about late starts, or "" when
// lateness is not material (reports.LateStartsMaterial). Its advice follows the cause:
// a CPU-bound load generator needs more cores or shards; sign-ins piling up to
// --max-inflight (by Little's law, achieved rate × mean service time in flight on
// average) need a higher cap or a lower rate; otherwise the generator's scheduler
// fell behind, which more cores or shards fix.
func lateStartWarning(s *Summary) string {
	if !reports.LateStartsMaterial(s) {
		return ""
	}
	t := s.Totals
	frac := float64(t.LateStarts) / float64(t.Started)
	p99 := time.Duration(s.Metrics[MetricStartLag].P99) * time.Microsecond
	inflight := s.Rates.Achieved * s.Metrics[MetricService].Mean / 1e6
	var why string
	switch {
	case s.CPU.Saturated:
		why = fmt.Sprintf("the load generator is CPU-bound (%.0f%% of %d cores): give it more cores, split the load over more shards (--shards), or lower the rate",
			s.CPU.Utilization*100, s.CPU.Cores)
	case s.Config.MaxInflight > 0 && inflight >= inflightBound*float64(s.Config.MaxInflight):
		why = fmt.Sprintf("about %.0f sign-ins were in flight on average against --max-inflight %d: the pool is slow for this rate; raise --max-inflight or lower the rate",
			inflight, s.Config.MaxInflight)
	default:
		why = "the load generator's scheduler fell behind: give it more cores or split the load over more shards (--shards), or lower the rate"
	}
	return fmt.Sprintf("%d of %d sign-ins (%.1f%%) started late, p99 start lag %v: %s",
		t.LateStarts, t.Started, 100*frac, p99.Round(10*time.Microsecond), why)
}

// ms formats µs as milliseconds.
func ms(us int64) string { return fmt.Sprintf("%.3f", float64(us)/1000) }

// WriteText writes the human summary of s.
func WriteText(w io.Writer, s *Summary) error {
	var b strings.Builder
	mode := "open loop"
	if Mode(s.Mode) == Closed {
		mode = fmt.Sprintf("CLOSED loop (%d users)", s.Config.Users)
	}
	fmt.Fprintf(&b, "authbench bench: %s against %s, %.3fs", mode, s.Target, s.WallS)
	if s.Interrupted {
		b.WriteString(" (interrupted)")
	}
	b.WriteString("\n")
	t := s.Totals
	fmt.Fprintf(&b, "  sign-ins: %d planned, %d started, %d completed, %d ok, %d errors (%d throttled)\n", t.Planned, t.Started, t.Completed, t.OK, t.Errors, t.Throttles)
	fmt.Fprintf(&b, "  rate: %.1f/s achieved", s.Rates.Achieved)
	if Mode(s.Mode) == Open {
		fmt.Fprintf(&b, ", %.1f/s planned; late starts %d, max start lag %sms", s.Rates.Planned, t.LateStarts, ms(t.MaxStartLagUS))
	}
	b.WriteString("\n")
	writeCounts(&b, "outcomes", s.Outcomes, t.Completed)
	writeCounts(&b, "next steps", s.NextSteps, 0)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  metric (ms)\tcount\tp50\tp90\tp95\tp99\tp99.9\tmax\tmean\t")
	for _, m := range reports.MetricOrder(s.Metrics) {
		st := s.Metrics[m]
		fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%.3f\t\n", m, st.Count, ms(st.P50), ms(st.P90), ms(st.P95), ms(st.P99), ms(st.P999), ms(st.Max), st.Mean/1000)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.CPU.Known {
		fmt.Fprintf(&b, "  load generator CPU: %.1f%% of %d cores (%.3fs user, %.3fs system)\n", s.CPU.Utilization*100, s.CPU.Cores, s.CPU.User, s.CPU.System)
	}
	if sp := s.Spin; sp != nil {
		b.WriteString(spinLine(sp))
	}
	b.WriteString("  signin.latency is from the intended start (coordinated-omission free); signin.service from the actual start\n")
	for _, wmsg := range s.Warnings {
		fmt.Fprintf(&b, "  WARNING: %s\n", wmsg)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// spinLine is the human summary's line about the pacer's spinning.
func spinLine(sp *SpinUsage) string {
	cost := fmt.Sprintf("%d waits spun, %.3fs of CPU (%.1f%% of a core)", sp.Waits, sp.CPUS, 100*sp.Share)
	switch {
	case sp.Mode == "fixed":
		return fmt.Sprintf("  pacer spin: --spin %sms on every wait; %s\n", ms(sp.SpinUS), cost)
	case sp.Mode == "auto" && sp.SpinUS > 0:
		return fmt.Sprintf("  pacer spin: auto, starts %sms apart at the peak (< %v): up to %sms of each gap spun; %s\n",
			ms(sp.PeakGapUS), AutoSpinBelow, ms(sp.SpinUS), cost)
	case sp.Mode == "auto" && sp.PeakGapUS > 0:
		return fmt.Sprintf("  pacer spin: auto, off (starts %sms apart at the peak: timers hold the schedule)\n", ms(sp.PeakGapUS))
	}
	return ""
}

func writeCounts(b *strings.Builder, label string, m map[string]int64, total int64) {
	if len(m) == 0 {
		return
	}
	keys := slices.Collect(maps.Keys(m))
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	fmt.Fprintf(b, "  %s:", label)
	for _, k := range keys {
		if total > 0 {
			fmt.Fprintf(b, " %s %d (%.1f%%)", k, m[k], 100*float64(m[k])/float64(total))
		} else {
			fmt.Fprintf(b, " %s %d", k, m[k])
		}
	}
	b.WriteString("\n")
}

// HistogramLog is the interval-log sink of a run: it writes each interval's
// histograms to a reports.IntervalLogWriter (the HdrHistogram interval log format,
// one tagged line per metric per interval). Its OnInterval method plugs into
// Config.OnInterval. It is safe for concurrent use.
type HistogramLog struct {
	mu  sync.Mutex
	w   *reports.IntervalLogWriter
	err error
}

// NewHistogramLog writes the log header (start as the start time, and truncated to
// the second as the base time) to w.
func NewHistogramLog(w io.Writer, start time.Time) (*HistogramLog, error) {
	lw, err := reports.NewIntervalLogWriter(w, start)
	if err != nil {
		return nil, err
	}
	return &HistogramLog{w: lw}, nil
}

// OnInterval writes the interval's histograms, in metric order. The first write
// error is kept and returned by Err.
func (l *HistogramLog) OnInterval(iv *Interval) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err == nil {
		l.err = l.w.WriteInterval(iv.Histograms)
	}
}

// Err returns the first write error.
func (l *HistogramLog) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}
