package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Stage is one piece of an arrival-rate schedule: over Duration the total arrival rate
// goes linearly from From to To sign-ins per second (From == To is a constant rate).
type Stage struct {
	// Duration is the stage's length; it must be positive.
	Duration time.Duration
	// From and To are total arrival rates in sign-ins per second (never per worker).
	From, To float64
}

// Schedule is an open-loop workload: a piecewise-linear total arrival rate, bounded by
// Duration and/or Iterations. The zero value plans nothing.
type Schedule struct {
	// Rate is a constant total arrival rate in sign-ins per second; it excludes Stages.
	Rate float64
	// Stages is a piecewise-linear rate profile; it excludes Rate.
	Stages []Stage
	// Duration bounds the run (0: the stages' total, or unbounded for Rate, in which
	// case Iterations must be set).
	Duration time.Duration
	// Iterations bounds the number of sign-ins (0: unbounded).
	Iterations int64
}

// Validate reports every problem with the schedule.
func (s Schedule) Validate() error {
	return newConfigError(s.problems())
}

// problems lists the schedule's problems, in the order Validate reports them.
func (s Schedule) problems() []string {
	var errs []string
	if s.Rate < 0 || math.IsNaN(s.Rate) || math.IsInf(s.Rate, 0) {
		errs = append(errs, fmt.Sprintf("rate %v must be a finite number ≥ 0", s.Rate))
	}
	if s.Rate > 0 && len(s.Stages) > 0 {
		errs = append(errs, "a rate and stages exclude each other")
	}
	if s.Rate == 0 && len(s.Stages) == 0 {
		errs = append(errs, "an open-loop schedule needs a rate or stages")
	}
	if s.Duration < 0 || s.Iterations < 0 {
		errs = append(errs, "duration and iterations must not be negative")
	}
	if len(s.Stages) == 0 && s.Duration == 0 && s.Iterations == 0 {
		errs = append(errs, "a constant rate needs a duration or an iteration count to stop")
	}
	for i, st := range s.Stages {
		if st.Duration <= 0 {
			errs = append(errs, fmt.Sprintf("stage %d: duration must be positive", i+1))
		}
		for _, r := range []float64{st.From, st.To} {
			if r < 0 || math.IsNaN(r) || math.IsInf(r, 0) {
				errs = append(errs, fmt.Sprintf("stage %d: rate %v must be a finite number ≥ 0", i+1, r))
				break
			}
		}
	}
	return errs
}

// Pacer turns a Schedule into intended start times. It is a pure function of the
// schedule: Start(i) always gives the same answer, and nothing sleeps. It is safe for
// concurrent use.
type Pacer struct {
	segs  []segment
	end   time.Duration // 0 = unbounded
	limit int64         // 0 = unbounded
	total int64         // planned iterations, -1 if unbounded
}

// segment is a stage with the cumulative arrival count at its start.
type segment struct {
	start  float64 // seconds since the run's start
	length float64 // seconds; +Inf for an unbounded constant rate
	from   float64 // rate at start, per second
	slope  float64 // rate change per second
	n0     float64 // arrivals before the segment
	n1     float64 // arrivals at its end
}

// eps absorbs floating-point error when an arrival lands exactly on a boundary.
const eps = 1e-9

// NewPacer validates s and returns its pacer.
func NewPacer(s Schedule) (*Pacer, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	stages := s.Stages
	if len(stages) == 0 {
		d := s.Duration
		stages = []Stage{{Duration: d, From: s.Rate, To: s.Rate}}
	}
	p := &Pacer{end: s.Duration, limit: s.Iterations}
	var at, n float64
	for _, st := range stages {
		l := st.Duration.Seconds()
		if st.Duration == 0 { // unbounded constant rate
			l = math.Inf(1)
		}
		sg := segment{start: at, length: l, from: st.From, n0: n}
		if !math.IsInf(l, 1) {
			sg.slope = (st.To - st.From) / l
			sg.n1 = n + (st.From+st.To)/2*l
		} else {
			sg.n1 = math.Inf(1)
		}
		p.segs = append(p.segs, sg)
		at += l
		n = sg.n1
	}
	if p.end == 0 && !math.IsInf(at, 1) {
		p.end = time.Duration(at * float64(time.Second))
	}
	p.total = p.count()
	return p, nil
}

// count returns how many iterations the schedule plans, or -1 if unbounded.
func (p *Pacer) count() int64 {
	var n float64
	if p.end == 0 {
		n = math.Inf(1)
	} else {
		n = p.arrivalsBefore(p.end.Seconds())
	}
	var c int64 = -1
	if !math.IsInf(n, 1) {
		c = int64(math.Ceil(n - eps))
		if c < 0 {
			c = 0
		}
	}
	if p.limit > 0 && (c < 0 || p.limit < c) {
		c = p.limit
	}
	return c
}

// arrivalsBefore is the cumulative arrival function N(t) (t in seconds).
func (p *Pacer) arrivalsBefore(t float64) float64 {
	var n float64
	for _, sg := range p.segs {
		if t <= sg.start {
			break
		}
		dt := math.Min(t-sg.start, sg.length)
		n = sg.n0 + sg.from*dt + sg.slope*dt*dt/2
	}
	return n
}

// Planned returns the number of iterations the schedule plans, or -1 if unbounded
// (never for a valid schedule: one of Duration, Iterations or Stages bounds it).
func (p *Pacer) Planned() int64 { return p.total }

// End returns the schedule's length (0 when only the iteration count bounds it).
func (p *Pacer) End() time.Duration { return p.end }

// Start returns the intended start of iteration i (0-based) as an offset from the
// run's start, and false when the schedule has no iteration i. Iteration i starts when
// the cumulative arrival count ∫rate reaches i, so the first starts at the first
// instant the rate is positive.
func (p *Pacer) Start(i int64) (time.Duration, bool) {
	if i < 0 || (p.total >= 0 && i >= p.total) {
		return 0, false
	}
	k := float64(i)
	for _, sg := range p.segs {
		if k >= sg.n1-eps*math.Max(1, sg.n1) {
			continue
		}
		r := k - sg.n0 // arrivals still due inside this segment
		// Solve from·t + slope·t²/2 = r for the smallest t ≥ 0, in the form that is
		// stable when slope is 0 or tiny: t = 2r / (from + √(from² + 2·slope·r)).
		disc := sg.from*sg.from + 2*sg.slope*r
		if disc < 0 {
			continue
		}
		den := sg.from + math.Sqrt(disc)
		var t float64
		switch {
		case r <= 0:
			t = 0
		case den <= 0:
			continue
		default:
			t = 2 * r / den
		}
		if t > sg.length {
			t = sg.length
		}
		d := time.Duration((sg.start + t) * float64(time.Second))
		if p.end > 0 && d >= p.end {
			return 0, false
		}
		return d, true
	}
	return 0, false
}

// ParseRate reads a total arrival rate: a number followed by "/s", "/m" or "/h"
// (a bare number is per second), e.g. "200/s", "90/m". It returns sign-ins per second.
func ParseRate(s string) (float64, error) {
	return parseRateAt(s, 0, "")
}

func parseRateAt(s string, off int, defUnit string) (float64, error) {
	num, unit, hasUnit := strings.Cut(s, "/")
	if !hasUnit {
		unit = defUnit
	}
	ts := strings.TrimSpace(num)
	if ts == "" {
		return 0, syntaxErrorf("rate %q at position %d: expected a number", s, off+1)
	}
	v, err := strconv.ParseFloat(ts, 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, syntaxErrorf("rate %q at position %d: %q is not a number ≥ 0", s, off+1, ts)
	}
	switch strings.TrimSpace(unit) {
	case "", "s", "sec", "1s":
		return v, nil
	case "m", "min", "1m":
		return v / 60, nil
	case "h", "1h":
		return v / 3600, nil
	}
	return 0, syntaxErrorf("rate %q at position %d: unit %q is not /s, /m or /h", s, off+len(num)+2, unit)
}

// ParseStages reads a comma-separated stage list: "DURATION:RATE" for a constant
// stage, "DURATION:FROM→TO" (or "->") for a linear ramp; a unit on either rate applies
// to both. Example: "30s:0→200/s,5m:200/s,30s:200→0/s". Errors name the position
// (1-based, in bytes) of the part at fault.
func ParseStages(s string) ([]Stage, error) {
	if strings.TrimSpace(s) == "" {
		return nil, syntaxErrorf("stages: empty")
	}
	var out []Stage
	off := 0
	for _, part := range strings.Split(s, ",") {
		st, err := parseStage(part, off)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		off += len(part) + 1
	}
	return out, nil
}

func parseStage(part string, off int) (Stage, error) {
	ds, rs, ok := strings.Cut(part, ":")
	if !ok {
		return Stage{}, syntaxErrorf("stage %q at position %d: expected DURATION:RATE or DURATION:FROM→TO", part, off+1)
	}
	d, err := time.ParseDuration(strings.TrimSpace(ds))
	if err != nil || d <= 0 {
		return Stage{}, syntaxErrorf("stage %q at position %d: %q is not a positive duration", part, off+1, strings.TrimSpace(ds))
	}
	roff := off + len(ds) + 1
	arrow := "→"
	i := strings.Index(rs, arrow)
	if i < 0 {
		arrow = "->"
		i = strings.Index(rs, arrow)
	}
	if i < 0 {
		r, err := parseRateAt(rs, roff, "")
		if err != nil {
			return Stage{}, err
		}
		return Stage{Duration: d, From: r, To: r}, nil
	}
	fs, tos := rs[:i], rs[i+len(arrow):]
	unit := func(x string) string {
		if _, u, ok := strings.Cut(x, "/"); ok {
			return u
		}
		return ""
	}
	fu, tu := unit(fs), unit(tos)
	if fu == "" {
		fu = tu
	}
	if tu == "" {
		tu = fu
	}
	from, err := parseRateAt(fs, roff, fu)
	if err != nil {
		return Stage{}, err
	}
	to, err := parseRateAt(tos, roff+i+len(arrow), tu)
	if err != nil {
		return Stage{}, err
	}
	return Stage{Duration: d, From: from, To: to}, nil
}

// The pacer's spin. Go's timers wake on a millisecond grid on Linux: a wait ends up
// to ~1.2 ms after its deadline (DefaultLateTolerance is set above that). While the
// gaps between starts are long, that lateness is a fraction of a gap and the next
// start is still on time; once the mean gap falls under AutoSpinBelow, a timer's
// lateness is as long as a gap and starts drift late, so the open loop spins (yields
// in a loop) through the last stretch of each wait instead of sleeping through it.
// The spin is bounded: at most AutoSpinFraction of the gap and never more than
// AutoSpinMax, so it costs at most that share of one core.
const (
	// SpinAuto, as RealClock.Spin (--spin's default), lets the open loop choose each
	// wait's spin with AutoSpin; --spin 0 turns spinning off, --spin D fixes it.
	SpinAuto time.Duration = -1
	// AutoSpinBelow is the gap between starts under which the open loop spins: 2 ms,
	// about twice a timer's lateness (above 500 starts/s per process).
	AutoSpinBelow = 2 * time.Millisecond
	// AutoSpinFraction is the largest share of a gap that is spun.
	AutoSpinFraction = 0.5
	// AutoSpinMax is the longest spin: a timer's worst lateness.
	AutoSpinMax = 1200 * time.Microsecond
)

// AutoSpin is how much of a wait the open loop spins when the gap since the last
// start is gap: nothing when gap ≥ AutoSpinBelow (timers hold the schedule) or gap ≤
// 0, else AutoSpinFraction of gap, at most AutoSpinMax. It is a pure function.
func AutoSpin(gap time.Duration) time.Duration {
	if gap <= 0 || gap >= AutoSpinBelow {
		return 0
	}
	return min(time.Duration(float64(gap)*AutoSpinFraction), AutoSpinMax)
}

// SpinPlan is the spin a run's pacer will use, decided before it starts.
type SpinPlan struct {
	// Mode is "auto" (AutoSpin per wait), "fixed" (--spin D) or "off".
	Mode string
	// Spin is the fixed spin, or, for "auto", the spin at the schedule's peak rate
	// (0 when the peak's gap is long enough for timers).
	Spin time.Duration
	// PeakGap is the mean gap between this process's starts at the peak rate (0 in
	// the closed loop).
	PeakGap time.Duration
}

// DecideSpin decides the spin of a run from override (RealClock.Spin: SpinAuto, 0 or
// a fixed spin), the peak total rate per second (0 in the closed loop) and the
// number of shards sharing it. It is a pure function.
func DecideSpin(override time.Duration, peakRate float64, shards int) SpinPlan {
	var p SpinPlan
	if shards < 1 {
		shards = 1
	}
	if peakRate > 0 {
		p.PeakGap = time.Duration(float64(time.Second) * float64(shards) / peakRate)
	}
	switch {
	case override > 0:
		p.Mode, p.Spin = "fixed", override
	case override == 0:
		p.Mode = "off"
	case peakRate > 0:
		p.Mode, p.Spin = "auto", AutoSpin(p.PeakGap)
	default:
		// The closed loop has no schedule to keep.
		p.Mode = "off"
	}
	return p
}

// PeakRate is the schedule's highest total rate per second.
func (s Schedule) PeakRate() float64 {
	r := s.Rate
	for _, st := range s.Stages {
		r = max(r, st.From, st.To)
	}
	return r
}
