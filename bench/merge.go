package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/internal/jsonstream"
	"github.com/authbench/authbench/reports"
)

// The files of a bench artifact directory.
const (
	SummaryFile   = reports.SummaryFile
	IntervalsFile = reports.IntervalLogFile
)

// Artifact is one run's (or shard's) output directory as read back: its summary,
// without the per-interval rows. Merge streams the rows and the interval log from
// the directory, so an artifact's size does not depend on the run's length.
type Artifact struct {
	Dir string
	// Summary is the directory's summary.json; its Intervals are left empty.
	Summary Summary
}

// ReadArtifact reads dir's summary (all but its per-interval rows) and checks that
// its interval log is there.
func ReadArtifact(dir string) (*Artifact, error) {
	path := filepath.Join(dir, SummaryFile)
	a := &Artifact{Dir: dir}
	if err := readSummaryHead(path, &a.Summary); err != nil {
		return nil, err
	}
	if a.Summary.Schema != SummarySchema || a.Summary.Kind != "bench" {
		return nil, fmt.Errorf("bench: %s: not a bench summary (schema %q, kind %q)", path, a.Summary.Schema, a.Summary.Kind)
	}
	if _, err := os.Stat(filepath.Join(dir, IntervalsFile)); err != nil {
		return nil, err
	}
	return a, nil
}

// readSummaryHead decodes the summary at path into s, skipping its "intervals"
// array one row at a time instead of holding it.
func readSummaryHead(path string, s *Summary) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	head, err := jsonstream.Head(dec, "intervals", func() error { return jsonstream.SkipArray(dec) })
	if err == nil {
		err = json.Unmarshal(head, s)
	}
	if err != nil {
		return fmt.Errorf("bench: %s: %w", path, err)
	}
	return nil
}

// errStopWalk stops a walk of a summary at a key, leaving the decoder at its value.
var errStopWalk = errors.New("stop")

// rowReader reads a summary's "intervals" array one row at a time.
type rowReader struct {
	f    *os.File
	dec  *json.Decoder
	path string
	n    int
}

// openRows opens the summary at path positioned at its first interval row.
func openRows(path string) (*rowReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &rowReader{f: f, dec: json.NewDecoder(bufio.NewReader(f)), path: path}
	err = jsonstream.Object(r.dec, func(key string) error {
		if key == "intervals" {
			return errStopWalk
		}
		var v json.RawMessage
		return r.dec.Decode(&v)
	})
	switch {
	case errors.Is(err, errStopWalk):
		tok, err := r.dec.Token()
		if err == nil && tok == json.Delim('[') {
			return r, nil
		}
		if err == nil && tok != nil {
			err = errors.New(`"intervals" is not an array`)
		}
		r.dec = nil // null: no rows
		if err == nil {
			return r, nil
		}
	case err == nil:
		r.dec = nil // no intervals
		return r, nil
	}
	f.Close()
	return nil, fmt.Errorf("bench: %s: %w", path, err)
}

// next returns the next row, or io.EOF after the last.
func (r *rowReader) next() (SummaryInterval, error) {
	var iv SummaryInterval
	if r.dec == nil || !r.dec.More() {
		return iv, io.EOF
	}
	r.n++
	if err := r.dec.Decode(&iv); err != nil {
		return iv, fmt.Errorf("bench: %s: interval %d: %w", r.path, r.n, err)
	}
	return iv, nil
}

// Merged is the merge of several shards' artifacts; its intervals went to the
// writers given to Merge, none is kept.
type Merged struct {
	Summary Summary
	// Run holds, per metric, one histogram of every shard's values.
	Run map[string]*hdr.Histogram
	// Intervals is the number of merged intervals written.
	Intervals int
	// HeldPeak is the most histograms the merge held at once (the shards' next
	// ones, the interval being merged and Run): it depends on the number of shards
	// and metrics, not on the run's length.
	HeldPeak int
}

// shardStream is one shard's interval log and rows as Merge reads them: the next
// histogram and the next row, each with the merged slot it falls in.
type shardStream struct {
	art     *Artifact
	logFile *os.File
	log     *reports.IntervalLogReader
	rows    *rowReader
	h       *hdr.Histogram // nil when the log is done
	hSlot   int64
	row     *SummaryInterval // nil when the rows are done
	rSlot   int64
}

// close closes the shard's files.
func (st *shardStream) close() {
	if st.logFile != nil {
		st.logFile.Close()
	}
	if st.rows != nil {
		st.rows.f.Close()
	}
}

// Merge merges shard artifacts (already checked to belong to one run) into one
// summary, as if one process had run them: histograms merged per metric and per
// interval of absolute time (aligned to the common start), counters summed, rates
// recomputed over the union window (earliest start to latest end). info says
// which shards went in.
//
// The shards' interval logs and rows are streamed, not loaded: Merge reads them
// interval by interval, in time order across the shards, merges what falls into
// one interval, writes it (to hlog as an interval log, to rows as intervals.ndjson
// rows, as a single run streams them; either may be nil) and lets it go. Its
// memory depends on the number of shards and metrics, not on the run's length. A
// log or rows that go back in time are an ErrInvalid error, as are logs and rows
// that do not parse.
func Merge(ctx context.Context, arts []*Artifact, info MergeInfo, hlog, rows io.Writer) (*Merged, error) {
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
	}
	wall := s.End.Sub(s.Start)
	s.Spin = mergeSpin(arts, wall)

	// The intervals, streamed in time order across the shards.
	var hl *HistogramLog
	if hlog != nil {
		var err error
		if hl, err = NewHistogramLog(hlog, s.Start); err != nil {
			return nil, err
		}
	}
	var rs *IntervalRows
	if rows != nil {
		rs = NewIntervalRows(rows, IntervalRowsFile)
	}
	streams := make([]*shardStream, 0, len(arts))
	defer func() {
		for _, st := range streams {
			st.close()
		}
	}()
	for _, a := range arts {
		st := &shardStream{art: a}
		streams = append(streams, st)
		f, err := os.Open(filepath.Join(a.Dir, IntervalsFile))
		if err != nil {
			return nil, invalid(err)
		}
		st.logFile, st.log = f, reports.NewIntervalLogReader(bufio.NewReader(f))
		if st.rows, err = openRows(filepath.Join(a.Dir, SummaryFile)); err != nil {
			return nil, invalid(err)
		}
	}
	// advance reads a stream's next histogram and row where they are used up,
	// refusing any that falls before the interval already merged (cur).
	advance := func(st *shardStream, cur int64, started bool) error {
		as := st.art.Summary
		if st.h == nil && st.log != nil {
			h, err := st.log.NextHistogram()
			switch {
			case errors.Is(err, io.EOF):
				st.log = nil
			case err != nil:
				return invalid(fmt.Errorf("bench: %s: %w", st.logFile.Name(), err))
			default:
				st.h, st.hSlot = h, slot(time.UnixMilli(h.StartTimeMs()))
				if started && st.hSlot < cur {
					return invalidf("bench: %s: the interval log goes back in time at %s", st.logFile.Name(), time.UnixMilli(h.StartTimeMs()).UTC().Format(time.RFC3339Nano))
				}
			}
		}
		if st.row == nil && st.rows != nil {
			r, err := st.rows.next()
			switch {
			case errors.Is(err, io.EOF):
				st.rows.f.Close()
				st.rows = nil
			case err != nil:
				return invalid(err)
			default:
				st.row, st.rSlot = &r, slot(as.Start.Add(time.Duration(r.StartS*float64(time.Second))))
				if started && st.rSlot < cur {
					return invalidf("bench: %s: the intervals go back in time at %vs", st.rows.path, r.StartS)
				}
			}
		}
		return nil
	}
	for _, st := range streams {
		if err := advance(st, 0, false); err != nil {
			return nil, err
		}
	}
	// The interval being merged: its histograms by metric (from spare, reused from
	// one interval to the next) and its counters.
	hists, spare := map[string]*hdr.Histogram{}, map[string]*hdr.Histogram{}
	var dropped int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cur, found := int64(0), false
		for _, st := range streams {
			for _, k := range []struct {
				ok   bool
				slot int64
			}{{st.h != nil, st.hSlot}, {st.row != nil, st.rSlot}} {
				if k.ok && (!found || k.slot < cur) {
					cur, found = k.slot, true
				}
			}
		}
		if !found {
			break
		}
		var end time.Time
		var c Counters
		clear(hists)
		for _, st := range streams {
			for st.row != nil && st.rSlot == cur {
				r := st.row
				if e := st.art.Summary.Start.Add(time.Duration(r.EndS * float64(time.Second))); e.After(end) {
					end = e
				}
				c.add(&Counters{Started: r.Started, Completed: r.Completed, Outcomes: r.Outcomes})
				st.row = nil
				if err := advance(st, cur, true); err != nil {
					return nil, err
				}
			}
			for st.h != nil && st.hSlot == cur {
				h := st.h
				metric := h.Tag()
				if e := time.UnixMilli(h.EndTimeMs()); e.After(end) {
					end = e
				}
				dst := hists[metric]
				if dst == nil {
					if dst = spare[metric]; dst == nil {
						dst = newHist()
						spare[metric] = dst
					} else {
						dst.Reset()
					}
					hists[metric] = dst
				}
				if m.Run[metric] == nil {
					m.Run[metric] = newHist()
				}
				// A value out of range is dropped from both; count it once.
				dst.Merge(h)
				dropped += m.Run[metric].Merge(h)
				st.h = nil
				if err := advance(st, cur, true); err != nil {
					return nil, err
				}
			}
		}
		held := len(m.Run) + len(spare)
		for _, st := range streams {
			if st.h != nil {
				held++
			}
		}
		m.HeldPeak = max(m.HeldPeak, held)
		start := anchor.Add(time.Duration(float64(cur) * iv * float64(time.Second)))
		if start.Before(s.Start) {
			start = s.Start
		}
		out := &Interval{Start: start, End: end, RunStart: s.Start, Counters: c.Clone(), Metrics: map[string]Stats{}, Histograms: hists}
		for name, h := range hists {
			out.Metrics[name] = StatsOf(h)
			h.SetStartTimeMs(start.UnixMilli())
			h.SetEndTimeMs(end.UnixMilli())
		}
		if hl != nil {
			hl.OnInterval(out)
		}
		if rs != nil {
			rs.OnInterval(out)
		}
		m.Intervals++
	}
	if hl != nil {
		if err := hl.Err(); err != nil {
			return nil, fmt.Errorf("writing the merged interval log: %w", err)
		}
	}
	if err := rs.Err(); err != nil {
		return nil, err
	}

	c := all.Clone()
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
	if info.Partial {
		s.Warnings = append(s.Warnings, fmt.Sprintf("PARTIAL merge: shards %v of %d are missing; the totals cover only shards %v", info.Missing, info.Shards, info.Merged))
	}
	if dropped > 0 {
		s.Warnings = append(s.Warnings, fmt.Sprintf("merging the shards' histograms dropped %d values", dropped))
	}
	m.Summary = s
	return m, nil
}

// mergeSpin is the merged run's pacerSpin, nil when no shard reports one (older
// shards, or a virtual clock). Every shard paced its own share of the schedule with
// its own spin, so the merge reports the sum of their costs:
//
//   - Waits and CPUS are the shards' sums: every wait that spun in any shard, and the
//     CPU (core-seconds) all of them spent spinning;
//   - Share is that CPU over the merged run's wall time (earliest start to latest
//     end), as a single run's is over its own: the share of one core the spinning
//     took, so that three shards each spinning half a core make 1.5;
//   - Mode, SpinUS and PeakGapUS are the plan, which is per process: shards of one
//     run share their settings (config hash), so they decide the same plan, and
//     the merge reports the first shard's, or, should shards disagree, that of the
//     shard that spun the most per wait (the highest SpinUS).
func mergeSpin(arts []*Artifact, wall time.Duration) *SpinUsage {
	var out *SpinUsage
	var cpu float64
	for _, a := range arts {
		sp := a.Summary.Spin
		if sp == nil {
			continue
		}
		if out == nil {
			out = &SpinUsage{Mode: sp.Mode, SpinUS: sp.SpinUS, PeakGapUS: sp.PeakGapUS}
		} else if sp.SpinUS > out.SpinUS {
			out.Mode, out.SpinUS, out.PeakGapUS = sp.Mode, sp.SpinUS, sp.PeakGapUS
		}
		out.Waits += sp.Waits
		cpu += sp.CPUS
	}
	if out == nil {
		return nil
	}
	out.CPUS = round3(cpu)
	if wall > 0 {
		out.Share = round3(cpu / wall.Seconds())
	}
	return out
}

// ReadHistogramLog reads every interval histogram of an interval log written by
// HistogramLog, through reports.ReadIntervalLog: each tagged with its metric, with
// absolute start and end times (ms since the epoch). It holds the whole log: Merge
// streams instead.
func ReadHistogramLog(r io.Reader) ([]*hdr.Histogram, error) {
	l, err := reports.ReadIntervalLog(r)
	if err != nil {
		return nil, err
	}
	return l.Histograms(), nil
}
