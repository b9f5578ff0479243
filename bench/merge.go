package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/reports"
)

// The files of a bench artifact directory.
const (
	SummaryFile   = reports.SummaryFile
	IntervalsFile = reports.IntervalLogFile
)

// Artifact is one run's (or shard's) output directory as read back.
type Artifact struct {
	Dir     string
	Summary Summary
	// Intervals are the interval histograms of the interval log, tagged with their
	// metric, with absolute start and end times (ms).
	Intervals []*hdr.Histogram
}

// ReadArtifact reads dir's summary and interval log.
func ReadArtifact(dir string) (*Artifact, error) {
	b, err := os.ReadFile(filepath.Join(dir, SummaryFile))
	if err != nil {
		return nil, err
	}
	a := &Artifact{Dir: dir}
	if err := json.Unmarshal(b, &a.Summary); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", filepath.Join(dir, SummaryFile), err)
	}
	if a.Summary.Schema != SummarySchema || a.Summary.Kind != "bench" {
		return nil, fmt.Errorf("bench: %s: not a bench summary (schema %q, kind %q)", filepath.Join(dir, SummaryFile), a.Summary.Schema, a.Summary.Kind)
	}
	f, err := os.Open(filepath.Join(dir, IntervalsFile))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if a.Intervals, err = ReadHistogramLog(f); err != nil {
		return nil, fmt.Errorf("bench: %s: %w", filepath.Join(dir, IntervalsFile), err)
	}
	return a, nil
}

// ReadHistogramLog reads every interval histogram of an interval log written by
// HistogramLog, through reports.ReadIntervalLog: each tagged with its metric, with
// absolute start and end times (ms since the epoch).
func ReadHistogramLog(r io.Reader) ([]*hdr.Histogram, error) {
	l, err := reports.ReadIntervalLog(r)
	if err != nil {
		return nil, err
	}
	return l.Histograms(), nil
}

// Merged is the merge of several shards' artifacts.
type Merged struct {
	Summary Summary
	// Run holds, per metric, one histogram of every shard's values.
	Run map[string]*hdr.Histogram
	// Intervals are the merged intervals, in time order.
	Intervals []MergedInterval
}

// MergedInterval is one interval of absolute time with every shard's values in it.
type MergedInterval struct {
	Start, End time.Time
	Counters   Counters
	Histograms map[string]*hdr.Histogram
}

// Merge merges shard artifacts (already checked to belong to one run) into one
// summary, as if one process had run them: histograms merged per metric and per
// interval of absolute time (aligned to the common start), counters summed, rates
// recomputed over the union window (earliest start to latest end). info says
// which shards went in.
func Merge(arts []*Artifact, info MergeInfo) (*Merged, error) {
	if len(arts) == 0 {
		return nil, fmt.Errorf("bench: nothing to merge")
	}
	first := arts[0].Summary
	anchor := first.Start
	iv := first.Config.IntervalS
	if first.Run != nil {
		anchor, iv = first.Run.StartAt, first.Run.Histogram.IntervalS
	}
	if iv <= 0 {
		iv = DefaultInterval.Seconds()
	}
	slot := func(t time.Time) int64 { return int64(math.Round(t.Sub(anchor).Seconds() / iv)) }
	type bucket struct {
		end  time.Time
		c    Counters
		hist map[string]*hdr.Histogram
	}
	buckets := map[int64]*bucket{}
	get := func(k int64) *bucket {
		b := buckets[k]
		if b == nil {
			b = &bucket{hist: map[string]*hdr.Histogram{}}
			buckets[k] = b
		}
		return b
	}
	m := &Merged{Run: map[string]*hdr.Histogram{}}
	s := Summary{Schema: first.Schema, Kind: first.Kind, Target: first.Target, Mode: first.Mode, Config: first.Config,
		Start: first.Start, End: first.End, Warnings: []string{}, Merge: &info}
	s.Config.UserSet = 0
	if first.Run != nil {
		r := *first.Run
		r.Shard = -1
		s.Run = &r
	}
	var all Counters
	var dropped int64
	var cpuBusy float64
	for _, a := range arts {
		as := a.Summary
		if as.Start.Before(s.Start) {
			s.Start = as.Start
		}
		if as.End.After(s.End) {
			s.End = as.End
		}
		s.Interrupted = s.Interrupted || as.Interrupted
		s.Config.UserSet += as.Config.UserSet
		t := as.Totals
		s.Totals.Planned += t.Planned
		s.Totals.HistogramDropped += t.HistogramDropped
		s.Totals.MaxStartLagUS = max(s.Totals.MaxStartLagUS, t.MaxStartLagUS)
		all.add(&Counters{Started: t.Started, Completed: t.Completed, LateStarts: t.LateStarts, UserWaits: t.UserWaits, Clamped: t.Clamped,
			Outcomes: as.Outcomes, FlowOutcomes: as.FlowOutcomes, NextSteps: as.NextSteps})
		s.Rates.Planned += as.Rates.Planned
		s.CPU.User += as.CPU.User
		s.CPU.System += as.CPU.System
		s.CPU.Cores += as.CPU.Cores
		cpuBusy += as.CPU.Utilization * as.CPU.Wall * float64(as.CPU.Cores)
		s.CPU.Known = s.CPU.Known || as.CPU.Known
		s.CPU.Saturated = s.CPU.Saturated || as.CPU.Saturated
		label := a.Dir
		if as.Run != nil {
			label = fmt.Sprintf("shard %d", as.Run.Shard)
		}
		for _, w := range as.Warnings {
			s.Warnings = append(s.Warnings, label+": "+w)
		}
		for _, si := range as.Intervals {
			start := as.Start.Add(time.Duration(si.StartS * float64(time.Second)))
			end := as.Start.Add(time.Duration(si.EndS * float64(time.Second)))
			b := get(slot(start))
			if end.After(b.end) {
				b.end = end
			}
			b.c.add(&Counters{Started: si.Started, Completed: si.Completed, Outcomes: si.Outcomes})
		}
		for _, h := range a.Intervals {
			metric := h.Tag()
			b := get(slot(time.UnixMilli(h.StartTimeMs())))
			if end := time.UnixMilli(h.EndTimeMs()); end.After(b.end) {
				b.end = end
			}
			for _, dst := range []map[string]*hdr.Histogram{b.hist, m.Run} {
				if dst[metric] == nil {
					dst[metric] = newHist()
				}
				dropped += dst[metric].Merge(h)
			}
		}
	}
	c := all.Clone()
	wall := s.End.Sub(s.Start)
	s.WallS = round3(wall.Seconds())
	s.Totals.Started, s.Totals.Completed, s.Totals.OK = c.Started, c.Completed, c.Outcomes[OutcomeOK]
	s.Totals.Errors = c.Completed - c.Outcomes[OutcomeOK]
	s.Totals.Throttles = c.Outcomes[ThrottleCode]
	s.Totals.LateStarts, s.Totals.UserWaits, s.Totals.Clamped = c.LateStarts, c.UserWaits, c.Clamped
	s.Totals.HistogramDropped += dropped
	s.Outcomes, s.FlowOutcomes, s.NextSteps = c.Outcomes, c.FlowOutcomes, c.NextSteps
	s.Rates.Planned = round3(s.Rates.Planned)
	if wall > 0 {
		s.Rates.Achieved = round3(float64(c.Started) / wall.Seconds())
	}
	s.CPU.User, s.CPU.System, s.CPU.Wall = round3(s.CPU.User), round3(s.CPU.System), round3(wall.Seconds())
	if s.CPU.Cores > 0 && wall > 0 {
		// Each shard's busy core-seconds over the union window and every shard's cores.
		s.CPU.Utilization = round3(cpuBusy / (wall.Seconds() * float64(s.CPU.Cores)))
	}
	s.Metrics = map[string]Stats{}
	for name, h := range m.Run {
		s.Metrics[name] = StatsOf(h)
	}
	s.Intervals = []SummaryInterval{}
	for _, k := range slices.Sorted(maps.Keys(buckets)) {
		b := buckets[k]
		start := anchor.Add(time.Duration(float64(k) * iv * float64(time.Second)))
		if start.Before(s.Start) {
			start = s.Start
		}
		mi := MergedInterval{Start: start, End: b.end, Counters: b.c.Clone(), Histograms: b.hist}
		m.Intervals = append(m.Intervals, mi)
		si := SummaryInterval{StartS: round3(start.Sub(s.Start).Seconds()), EndS: round3(b.end.Sub(s.Start).Seconds()),
			Started: mi.Counters.Started, Completed: mi.Counters.Completed, Outcomes: mi.Counters.Outcomes, Metrics: map[string]Stats{}}
		for name, h := range b.hist {
			si.Metrics[name] = StatsOf(h)
		}
		s.Intervals = append(s.Intervals, si)
	}
	if info.Partial {
		s.Warnings = append(s.Warnings, fmt.Sprintf("PARTIAL merge: shards %v of %d are missing; the totals cover only shards %v", info.Missing, info.Shards, info.Merged))
	}
	if dropped > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("merging the shards' histograms dropped %d values", dropped))
	}
	m.Summary = s
	return m, nil
}

// WriteHistogramLog writes the merged intervals as an interval log.
func (m *Merged) WriteHistogramLog(w io.Writer) error {
	l, err := NewHistogramLog(w, m.Summary.Start)
	if err != nil {
		return err
	}
	for _, mi := range m.Intervals {
		for _, h := range mi.Histograms {
			h.SetStartTimeMs(mi.Start.UnixMilli())
			h.SetEndTimeMs(mi.End.UnixMilli())
		}
		l.OnInterval(&Interval{Start: mi.Start, End: mi.End, Histograms: mi.Histograms})
	}
	return l.Err()
}
