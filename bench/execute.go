package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/reports"
)

// Outputs are where a run's results go.
type Outputs struct {
	// Dir, if set, receives summary.json, intervals.hlog, report.html and (for an
	// unsharded run with thresholds) thresholds.junit.xml.
	Dir string
	// NDJSON, if set, is a file that receives one JSON line per sign-in.
	NDJSON string
	// ConfigHash hashes the settings every shard of a run shares; with the start time
	// it makes the run id.
	ConfigHash string
	// Stdout receives the human summary; Stderr the live view and notices.
	Stdout, Stderr io.Writer
	// Now is the clock.
	Now func() time.Time
	// Metrics, if set, is fed every interval (live Prometheus and OTLP metrics).
	Metrics *Metrics
}

// Execute runs the plan against the target with its sinks: the NDJSON stream, the
// interval log, the live view and the run's histograms for the thresholds. It writes
// every output, even when interrupted, and returns the run's error (ctx's when
// interrupted), else a *reports.BreachError when a threshold failed (an unsharded
// run's thresholds are checked here, a shard's by MergeShards).
func Execute(ctx context.Context, p *Plan, t *Target, out Outputs) error {
	cfg := p.Config
	var closers []func() error
	defer func() {
		for _, c := range closers {
			_ = c()
		}
	}()
	var nd *NDJSON
	if out.NDJSON != "" {
		f, err := os.Create(out.NDJSON)
		if err != nil {
			return err
		}
		closers = append(closers, f.Close)
		nd = NewNDJSON(f, out.NDJSON)
		cfg.OnIteration = nd.OnIteration
	}
	startAt := cfg.Start
	if startAt.IsZero() {
		startAt = out.Now()
	}
	meta := t.Meta
	meta.Run = &RunInfo{RunID: RunID(startAt, out.ConfigHash), ConfigHash: out.ConfigHash, Shard: p.Shard, Shards: p.Shards,
		StartAt: startAt.UTC(), Histogram: HistogramSettingsOf(cfg.Interval), Thresholds: p.ThresholdSources}
	if p.Shards > 1 {
		fmt.Fprintf(out.Stderr, "bench: shard %d of %d of run %s, starting at %s\n", p.Shard, p.Shards, meta.Run.RunID, startAt.UTC().Format(time.RFC3339Nano))
	}
	// The summary's per-interval rows stream to intervals.ndjson (or nowhere, without
	// a directory: the human summary has no use for them), so a run's memory does not
	// grow with its length.
	cfg.DiscardIntervals = true
	var hlog *HistogramLog
	var rows *IntervalRows
	if out.Dir != "" {
		if err := os.MkdirAll(out.Dir, 0o755); err != nil {
			return err
		}
		f, err := os.Create(filepath.Join(out.Dir, IntervalsFile))
		if err != nil {
			return err
		}
		closers = append(closers, f.Close)
		if hlog, err = NewHistogramLog(f, out.Now()); err != nil {
			return err
		}
		rf, err := os.Create(filepath.Join(out.Dir, IntervalRowsFile))
		if err != nil {
			return err
		}
		closers = append(closers, rf.Close)
		rows = NewIntervalRows(rf, rf.Name())
	}
	live := NewProgress(ctx, out.Stderr, p.Planned(), p.StatusEvery)
	var hists *RunHistograms
	if len(p.Thresholds) > 0 {
		hists = &RunHistograms{}
	}
	cfg.OnInterval = func(iv *Interval) {
		if hlog != nil {
			hlog.OnInterval(iv)
			rows.OnInterval(iv)
		}
		hists.OnInterval(iv)
		out.Metrics.OnInterval(iv)
		live.Interval(iv)
	}
	res, runErr := Run(ctx, cfg, t.Flow)
	live.Close()
	if res == nil {
		return runErr
	}
	s := NewSummary(res, meta)
	// Thresholds are checked on the final data: a shard's are checked by merge.
	var results []reports.Result
	if p.Shards == 1 {
		results = reports.EvaluateRun(p.Thresholds, &s, hists.Histograms())
	}
	if out.Dir != "" {
		if err := writeRun(out, &s, hlog, rows, results); err != nil {
			return err
		}
	}
	if err := WriteText(out.Stdout, &s); err != nil {
		return err
	}
	if len(p.Thresholds) > 0 && p.Shards > 1 {
		fmt.Fprintf(out.Stdout, "  thresholds: %d, checked on the merged data by 'authbench merge'\n", len(p.Thresholds))
	}
	if err := reports.WriteResults(out.Stdout, results); err != nil {
		return err
	}
	if err := reports.WriteWrote(out.Stdout, outputFiles(out, len(results) > 0)); err != nil {
		return err
	}
	if err := nd.Err(); err != nil && runErr == nil {
		return err
	}
	if runErr != nil {
		return runErr
	}
	return reports.CheckResults(results)
}

// outputFiles lists the files a run wrote: its artifact directory's and the NDJSON
// stream.
func outputFiles(out Outputs, thresholds bool) []string {
	var files []string
	if out.Dir != "" {
		files = append(reports.RunFiles(out.Dir, thresholds), filepath.Join(out.Dir, IntervalRowsFile))
	}
	if out.NDJSON != "" {
		files = append(files, out.NDJSON)
	}
	return files
}

// writeRun writes a run's artifacts into out.Dir: the summary, its intervals copied
// from the rows streamed to intervals.ndjson, the thresholds' JUnit and the page.
func writeRun(out Outputs, s *Summary, hlog *HistogramLog, rows *IntervalRows, results []reports.Result) error {
	if err := rows.Err(); err != nil {
		return err
	}
	if err := writeSummaryRows(out.Dir, s); err != nil {
		return err
	}
	if len(results) > 0 {
		if err := reports.WriteThresholdsJUnit(out.Dir, s.Start, results); err != nil {
			return err
		}
	}
	if err := hlog.Err(); err != nil {
		return fmt.Errorf("writing the interval log: %w", err)
	}
	if err := reports.WriteRunPage(out.Dir, out.Now()); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}

// writeSummaryRows writes dir/summary.json atomically, its intervals read from
// dir/intervals.ndjson one at a time.
func writeSummaryRows(dir string, s *Summary) error {
	f, err := os.Open(filepath.Join(dir, IntervalRowsFile))
	if err != nil {
		return err
	}
	defer f.Close()
	return reports.WriteFileAtomic(filepath.Join(dir, SummaryFile), func(w io.Writer) error {
		return s.WriteJSONRows(w, f)
	})
}

// NDJSON is the per-sign-in sink: one JSON IterationRecord a line. Its OnIteration
// method plugs into Config.OnIteration and is safe for concurrent use; the first
// write error stops the stream and is returned by Err.
type NDJSON struct {
	mu   sync.Mutex
	enc  *json.Encoder
	name string
	err  error
}

// NewNDJSON streams to w; name is the file's name, for the error.
func NewNDJSON(w io.Writer, name string) *NDJSON {
	return &NDJSON{enc: json.NewEncoder(w), name: name}
}

// OnIteration writes r as one line.
func (n *NDJSON) OnIteration(r *IterationRecord) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err == nil {
		n.err = n.enc.Encode(r)
	}
}

// Err returns the first write error, naming the file; nil for a nil sink.
func (n *NDJSON) Err() error {
	if n == nil {
		return nil
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err != nil {
		return fmt.Errorf("writing %s: %w", n.name, n.err)
	}
	return nil
}

// RunHistograms merges the intervals' histograms into one per metric for the whole
// run (for thresholds). OnInterval runs on the engine's one interval goroutine; a nil
// RunHistograms ignores intervals.
type RunHistograms struct {
	hists map[string]*hdr.Histogram
}

// OnInterval merges the interval's histograms.
func (r *RunHistograms) OnInterval(iv *Interval) {
	if r == nil {
		return
	}
	if r.hists == nil {
		r.hists = map[string]*hdr.Histogram{}
	}
	for m, h := range iv.Histograms {
		if r.hists[m] == nil {
			r.hists[m] = hdr.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
		}
		r.hists[m].Merge(h)
	}
}

// Histograms returns the run's histograms by metric.
func (r *RunHistograms) Histograms() map[string]*hdr.Histogram {
	if r == nil || r.hists == nil {
		return map[string]*hdr.Histogram{}
	}
	return r.hists
}
