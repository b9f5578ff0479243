package bench

import (
	"maps"
	"slices"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/reports"
)

// The metric names the engine records. API calls are recorded as MetricAPIPrefix
// followed by the operation ("api.InitiateAuth", "api.RespondToAuthChallenge", …),
// and per flow as "flow.<name>.latency".
const (
	// MetricLatency is a whole sign-in, from its intended start to its end (free of
	// coordinated omission).
	MetricLatency = reports.MetricLatency
	// MetricService is a whole sign-in from its actual start to its end.
	MetricService = reports.MetricService
	// MetricSRP is client-side SRP computation (each SRP step separately).
	MetricSRP = reports.MetricSRP
	// MetricStartLag is how late an iteration started: actual − intended start.
	MetricStartLag = reports.MetricStartLag
	// MetricAPIPrefix prefixes each API operation's round-trip metric.
	MetricAPIPrefix = reports.MetricAPI
)

// Histogram bounds: values are in microseconds, 1 µs to 60 s, 3 significant digits.
const (
	histLowest  = 1
	histHighest = 60_000_000
	histDigits  = 3
)

// OutcomeOK is the outcome code of a successful sign-in.
const OutcomeOK = "ok"

func newHist() *hdr.Histogram { return hdr.New(histLowest, histHighest, histDigits) }

// toMicros converts d to µs within the histograms' range; clamped reports whether it
// had to be cut to the highest trackable value.
func toMicros(d time.Duration) (v int64, clamped bool) {
	v = d.Microseconds()
	switch {
	case v < histLowest:
		return histLowest, false
	case v > histHighest:
		return histHighest, true
	}
	return v, false
}

// Counters are the run's event counts. The zero value is empty and ready to use.
type Counters struct {
	// Started and Completed count iterations.
	Started   int64 `json:"started"`
	Completed int64 `json:"completed"`
	// Outcomes counts completed sign-ins by outcome: "ok" or Cognito's error code
	// (TooManyRequestsException, NotAuthorizedException, …), or a client-side class.
	Outcomes map[string]int64 `json:"outcomes"`
	// FlowOutcomes counts outcomes per flow.
	FlowOutcomes map[string]map[string]int64 `json:"flowOutcomes"`
	// NextSteps counts the sign-in steps met (Amplify's step names).
	NextSteps map[string]int64 `json:"nextSteps"`
	// LateStarts counts iterations started more than the tolerance after their
	// intended start (the engine could not keep up).
	LateStarts int64 `json:"lateStarts"`
	// UserWaits counts iterations that waited for a free user.
	UserWaits int64 `json:"userWaits"`
	// Clamped counts values above the histograms' 60 s ceiling (recorded as 60 s).
	Clamped int64 `json:"clamped"`
}

// add adds o to c.
func (c *Counters) add(o *Counters) {
	c.Started += o.Started
	c.Completed += o.Completed
	c.LateStarts += o.LateStarts
	c.UserWaits += o.UserWaits
	c.Clamped += o.Clamped
	c.Outcomes = addMap(c.Outcomes, o.Outcomes)
	c.NextSteps = addMap(c.NextSteps, o.NextSteps)
	for f, m := range o.FlowOutcomes {
		if c.FlowOutcomes == nil {
			c.FlowOutcomes = map[string]map[string]int64{}
		}
		c.FlowOutcomes[f] = addMap(c.FlowOutcomes[f], m)
	}
}

func addMap(dst, src map[string]int64) map[string]int64 {
	if dst == nil {
		dst = map[string]int64{}
	}
	for k, v := range src {
		dst[k] += v
	}
	return dst
}

func (c *Counters) reset() {
	*c = Counters{Outcomes: clearMap(c.Outcomes), NextSteps: clearMap(c.NextSteps), FlowOutcomes: c.FlowOutcomes}
	for _, m := range c.FlowOutcomes {
		clear(m)
	}
}

func clearMap(m map[string]int64) map[string]int64 {
	clear(m)
	return m
}

// Clone returns a deep copy of c, with empty maps made non-nil.
func (c Counters) Clone() Counters {
	out := Counters{}
	out.add(&c)
	if out.FlowOutcomes == nil {
		out.FlowOutcomes = map[string]map[string]int64{}
	}
	return out
}

// Stats are a histogram's summary; every value is in microseconds (defined with the
// summary schema in package reports).
type Stats = reports.Stats

// StatsOf summarises h. Percentiles are HdrHistogram's (equivalent-value upper
// bounds, within 0.1%).
func StatsOf(h *hdr.Histogram) Stats {
	if h.TotalCount() == 0 {
		return Stats{}
	}
	q := h.ValueAtPercentiles([]float64{50, 90, 95, 99, 99.9})
	return Stats{Count: h.TotalCount(), Mean: float64(int64(h.Mean()*10)) / 10,
		P50: q[50], P90: q[90], P95: q[95], P99: q[99], P999: q[99.9], Max: h.Max()}
}

// sample is one value waiting to be committed.
type sample struct {
	metric string
	v      int64
}

// shard is one worker's histograms and counters. The recorder merges and resets
// shards at every interval.
type shard struct {
	mu   sync.Mutex
	hist map[string]*hdr.Histogram
	c    Counters
}

func (s *shard) commit(samples []sample, c *Counters) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, x := range samples {
		h := s.hist[x.metric]
		if h == nil {
			h = newHist()
			s.hist[x.metric] = h
		}
		_ = h.RecordValue(x.v) // in range by construction (toMicros)
	}
	s.c.add(c)
}

// Interval is what the recorder merged over one interval.
type Interval struct {
	// Start and End bound the interval; values are attributed to the interval in
	// which their iteration completed (or, for counts like Started, happened).
	Start, End time.Time
	// RunStart is the run's start, which the engine sets before OnInterval sees the
	// interval (zero from a bare Recorder).
	RunStart time.Time
	// Metrics summarises each metric recorded in the interval.
	Metrics map[string]Stats
	// Counters are the interval's counts.
	Counters Counters
	// Histograms are the interval's merged histograms by metric. They are reused by
	// the recorder: valid only during the OnInterval call.
	Histograms map[string]*hdr.Histogram `json:"-"`
}

// Recorder streams values into per-worker HdrHistograms and merges them, on Flush,
// into interval histograms and the run's histograms. It keeps no sample: its memory
// depends on the number of metrics and shards, not on the run's length. Its methods
// are safe for concurrent use.
type Recorder struct {
	shards []*shard

	mu      sync.Mutex // serialises Flush and the run totals
	iv      map[string]*hdr.Histogram
	ivc     Counters
	run     map[string]*hdr.Histogram
	runC    Counters
	dropped int64
	// OnInterval, if set, receives every flushed interval (from Flush's goroutine).
	onInterval func(*Interval)
}

// NewRecorder returns a recorder with n shards (n < 1 means 1). onInterval, if not
// nil, receives each interval from Flush.
func NewRecorder(n int, onInterval func(*Interval)) *Recorder {
	if n < 1 {
		n = 1
	}
	r := &Recorder{iv: map[string]*hdr.Histogram{}, run: map[string]*hdr.Histogram{}, onInterval: onInterval}
	for i := 0; i < n; i++ {
		r.shards = append(r.shards, &shard{hist: map[string]*hdr.Histogram{}})
	}
	return r
}

// Shards returns the number of shards.
func (r *Recorder) Shards() int { return len(r.shards) }

// commit records samples and counts into shard i (mod the shard count).
func (r *Recorder) commit(i int, samples []sample, c *Counters) {
	r.shards[i%len(r.shards)].commit(samples, c)
}

// Record records one value of metric into shard i; a convenience for tests and
// callers outside the engine.
func (r *Recorder) Record(i int, metric string, d time.Duration) {
	v, clamped := toMicros(d)
	c := Counters{}
	if clamped {
		c.Clamped = 1
	}
	r.commit(i, []sample{{metric, v}}, &c)
}

// Count adds counts to shard i.
func (r *Recorder) Count(i int, c Counters) { r.commit(i, nil, &c) }

// Flush merges every shard into the interval [start, end), hands the interval to
// OnInterval, adds it to the run, and resets the interval. It returns the interval's
// counts and stats (the histograms are not returned).
func (r *Recorder) Flush(start, end time.Time) Interval {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.shards {
		s.mu.Lock()
		for m, h := range s.hist {
			if h.TotalCount() == 0 {
				continue
			}
			ih := r.iv[m]
			if ih == nil {
				ih = newHist()
				r.iv[m] = ih
			}
			r.dropped += ih.Merge(h)
			h.Reset()
		}
		r.ivc.add(&s.c)
		s.c.reset()
		s.mu.Unlock()
	}
	iv := Interval{Start: start, End: end, Metrics: map[string]Stats{}, Counters: r.ivc.Clone(), Histograms: map[string]*hdr.Histogram{}}
	for _, m := range slices.Sorted(maps.Keys(r.iv)) {
		h := r.iv[m]
		if h.TotalCount() == 0 {
			continue
		}
		iv.Metrics[m] = StatsOf(h)
		h.SetStartTimeMs(start.UnixMilli())
		h.SetEndTimeMs(end.UnixMilli())
		iv.Histograms[m] = h
	}
	if r.onInterval != nil {
		r.onInterval(&iv)
	}
	for m, h := range iv.Histograms {
		rh := r.run[m]
		if rh == nil {
			rh = newHist()
			r.run[m] = rh
		}
		r.dropped += rh.Merge(h)
		h.Reset()
	}
	r.runC.add(&r.ivc)
	r.ivc.reset()
	iv.Histograms = nil
	return iv
}

// Totals returns the run's merged stats per metric and counts, as of the last Flush.
func (r *Recorder) Totals() (map[string]Stats, Counters) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]Stats{}
	for m, h := range r.run {
		if h.TotalCount() > 0 {
			out[m] = StatsOf(h)
		}
	}
	return out, r.runC.Clone()
}

// RunHistogram returns a copy of the run's histogram of metric, or nil.
func (r *Recorder) RunHistogram(metric string) *hdr.Histogram {
	r.mu.Lock()
	defer r.mu.Unlock()
	if h := r.run[metric]; h != nil {
		return h.Clone()
	}
	return nil
}

// Dropped returns how many values merges had to drop (always 0 when every histogram
// has the same range, as here; reported so a regression cannot hide).
func (r *Recorder) Dropped() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.dropped
}
