package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/authbench/authbench/reports"
)

// MergeOptions configure MergeShards.
type MergeOptions struct {
	// Dirs are shard artifact directories, or directories holding shard-* ones.
	Dirs []string
	// Out is the directory the merged summary.json, intervals.hlog,
	// intervals.ndjson, thresholds.junit.xml and report.html are written to.
	Out string
	// Shards is the number of shards to expect (0: as the shards say).
	Shards int
	// Wait polls every Poll until every shard is there, for at most Timeout.
	Wait          bool
	Timeout, Poll time.Duration
	// AllowPartial merges what is there when shards are missing (labelled partial).
	AllowPartial bool
	// Thresholds are checked on the merged data after the shards' own.
	Thresholds []string
	// Stdout receives the merged run's human summary.
	Stdout io.Writer
	// Now is the clock (the HTML page's generation time).
	Now func() time.Time
}

// MergeShards merges the artifacts of a sharded run: it finds the shards (waiting
// for them with Wait), checks that they are the shards 0..n-1 of one run (CheckShards),
// merges them (Merge, which streams the merged interval log and rows into Out),
// evaluates the thresholds on the merged data, writes the other merged artifacts
// atomically into Out and the human summary to Stdout. Its memory does not grow
// with the run's length: the shards' interval logs and rows are streamed, and the
// page is built from the merged log read back with reports.LoadRun's cap
// (reports.MaxReportIntervals histograms per metric). Bad options,
// unreadable artifacts and shards of different runs are ErrInvalid errors; missing
// shards are an ErrIncomplete error; breached thresholds a *reports.BreachError.
func MergeShards(ctx context.Context, o MergeOptions) error {
	extra, err := reports.ParseThresholds(o.Thresholds)
	if err != nil {
		return invalid(err)
	}
	// The names first (before any waiting for shards), the flows once the shards
	// say what their mix was.
	if err := reports.CheckMetrics(extra, nil); err != nil {
		return invalid(err)
	}
	arts, byIdx, missing, err := waitShards(ctx, o)
	if err != nil {
		return err
	}
	if len(arts) == 0 {
		msg := fmt.Sprintf("no shard artifacts (%s) in %s", SummaryFile, strings.Join(o.Dirs, " "))
		if o.Wait {
			msg += fmt.Sprintf(" after waiting %v", o.Timeout)
		}
		return incompletef("%s", msg)
	}
	n := arts[0].Summary.Run.Shards
	if o.Shards > 0 {
		n = o.Shards
	}
	if len(missing) > 0 && !o.AllowPartial {
		return incompletef("shards %s of %d are missing (found %d; --allow-partial merges what is there)", joinInts(missing), n, len(byIdx))
	}
	info := MergeInfo{Shards: n, Missing: missing, Partial: len(missing) > 0}
	if info.Missing == nil {
		info.Missing = []int{}
	}
	var ordered []*Artifact
	for i := range n {
		if a := byIdx[i]; a != nil {
			ordered = append(ordered, a)
			info.Merged = append(info.Merged, i)
		}
	}
	// The shards' thresholds, then merge's own, checked before anything is written.
	recorded, err := reports.ParseThresholds(arts[0].Summary.Run.Thresholds)
	if err != nil {
		return invalid(fmt.Errorf("the shards' thresholds: %w", err))
	}
	var flows []string // nil (any flow) when the shards do not say their mix
	if mix := ordered[0].Summary.Config.Mix; len(mix) > 0 {
		flows = MixFlows(mix)
	}
	if err := reports.CheckMetrics(extra, flows); err != nil {
		return invalid(err)
	}
	m, err := mergeInto(ctx, o.Out, ordered, info)
	if err != nil {
		return err
	}
	s := m.Summary
	results := reports.EvaluateRun(append(recorded, extra...), &s, m.Run)
	if err := writeMerged(o, &s, results); err != nil {
		return err
	}
	if info.Partial {
		fmt.Fprintf(o.Stdout, "authbench merge: PARTIAL: shards %s of %d missing\n", joinInts(missing), n)
	}
	fmt.Fprintf(o.Stdout, "authbench merge: run %s, %d of %d shards\n", s.Run.RunID, len(ordered), n)
	if err := WriteText(o.Stdout, &s); err != nil {
		return err
	}
	if err := reports.WriteResults(o.Stdout, results); err != nil {
		return err
	}
	if err := reports.WriteWrote(o.Stdout, append(reports.RunFiles(o.Out, len(results) > 0), filepath.Join(o.Out, IntervalRowsFile))); err != nil {
		return err
	}
	return reports.CheckResults(results)
}

// waitShards finds, reads and checks the shards, polling until all are there when
// o.Wait is set (bounded by o.Timeout and ctx).
func waitShards(ctx context.Context, o MergeOptions) ([]*Artifact, map[int]*Artifact, []int, error) {
	deadline := time.Now().Add(o.Timeout)
	for {
		dirs, err := FindShardDirs(o.Dirs)
		if err != nil {
			return nil, nil, nil, err
		}
		arts, err := readShards(dirs)
		if err != nil {
			return nil, nil, nil, err
		}
		byIdx, missing, err := CheckShards(arts, o.Shards)
		if err != nil {
			return nil, nil, nil, err
		}
		done := len(arts) > 0 && len(missing) == 0
		if done || !o.Wait || time.Now().After(deadline) {
			return arts, byIdx, missing, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, nil, ctx.Err()
		case <-time.After(o.Poll):
		}
	}
}

// mergeInto merges the shards (Merge) into dir: the interval log and the
// intervals.ndjson rows stream to disk as they are merged, each file written
// atomically.
func mergeInto(ctx context.Context, dir string, arts []*Artifact, info MergeInfo) (*Merged, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var m *Merged
	err := reports.WriteFileAtomic(filepath.Join(dir, IntervalsFile), func(hw io.Writer) error {
		return reports.WriteFileAtomic(filepath.Join(dir, IntervalRowsFile), func(rw io.Writer) error {
			hb, rb := bufio.NewWriter(hw), bufio.NewWriter(rw)
			var err error
			if m, err = Merge(ctx, arts, info, hb, rb); err != nil {
				return err
			}
			if err := rb.Flush(); err != nil {
				return fmt.Errorf("writing %s: %w", IntervalRowsFile, err)
			}
			if err := hb.Flush(); err != nil {
				return fmt.Errorf("writing %s: %w", IntervalsFile, err)
			}
			return nil
		})
	})
	return m, err
}

// writeMerged writes the rest of the merged artifacts into o.Out, each atomically:
// the thresholds' JUnit, the summary (its intervals copied from intervals.ndjson
// one at a time, as a single run's) and the page.
func writeMerged(o MergeOptions, s *Summary, results []reports.Result) error {
	if len(results) > 0 {
		if err := reports.WriteThresholdsJUnit(o.Out, s.Start, results); err != nil {
			return err
		}
	}
	if err := writeSummaryRows(o.Out, s); err != nil {
		return err
	}
	if err := reports.WriteRunPage(o.Out, o.Now()); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	return nil
}

// FindShardDirs lists the artifact directories under dirs: a directory holding a
// summary is one; otherwise its shard-* subdirectories with a summary are.
func FindShardDirs(dirs []string) ([]string, error) {
	var out []string
	for _, a := range dirs {
		st, err := os.Stat(a)
		if err != nil {
			return nil, invalid(err)
		}
		if !st.IsDir() {
			return nil, invalidf("%s is not a directory", a)
		}
		if _, err := os.Stat(filepath.Join(a, SummaryFile)); err == nil {
			out = append(out, a)
			continue
		}
		subs, err := filepath.Glob(filepath.Join(a, "shard-*"))
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			if _, err := os.Stat(filepath.Join(s, SummaryFile)); err == nil {
				out = append(out, s)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	return out, nil
}

// readShards reads the artifacts of dirs; each must carry a run id.
func readShards(dirs []string) ([]*Artifact, error) {
	var arts []*Artifact
	for _, d := range dirs {
		a, err := ReadArtifact(d)
		if err != nil {
			return nil, invalid(err)
		}
		if a.Summary.Run == nil {
			return nil, invalidf("%s: the summary has no run id (written by an older authbench?)", d)
		}
		arts = append(arts, a)
	}
	return arts, nil
}

// CheckShards checks that the artifacts are shards of one run (run id, config hash,
// histogram settings, shard count and thresholds all equal), each at most once, and
// returns them by index and the missing indices. n is the number of shards expected
// (0: as the first artifact says). Every refusal is an ErrInvalid error.
func CheckShards(arts []*Artifact, n int) (map[int]*Artifact, []int, error) {
	if len(arts) == 0 {
		return nil, nil, nil
	}
	ref := arts[0]
	r0 := ref.Summary.Run
	if n == 0 {
		n = r0.Shards
	}
	byIdx := map[int]*Artifact{}
	for _, a := range arts {
		r := a.Summary.Run
		switch {
		case r.RunID != r0.RunID:
			return nil, nil, invalidf("refusing to merge different runs: %s has run id %s, %s has %s", a.Dir, r.RunID, ref.Dir, r0.RunID)
		case r.ConfigHash != r0.ConfigHash:
			return nil, nil, invalidf("refusing to merge different settings: %s has config hash %s, %s has %s", a.Dir, r.ConfigHash, ref.Dir, r0.ConfigHash)
		case r.Histogram != r0.Histogram:
			return nil, nil, invalidf("refusing to merge different histogram settings: %s has %+v, %s has %+v", a.Dir, r.Histogram, ref.Dir, r0.Histogram)
		case r.Shards != n:
			return nil, nil, invalidf("%s is shard %d of %d, want %d shards", a.Dir, r.Shard, r.Shards, n)
		case !slices.Equal(r.Thresholds, r0.Thresholds):
			return nil, nil, invalidf("refusing to merge different thresholds: %s has %q, %s has %q", a.Dir, r.Thresholds, ref.Dir, r0.Thresholds)
		case r.Shard < 0 || r.Shard >= n:
			return nil, nil, invalidf("%s: shard index %d out of range 0..%d", a.Dir, r.Shard, n-1)
		}
		if o := byIdx[r.Shard]; o != nil {
			return nil, nil, invalidf("shard %d appears twice: %s and %s", r.Shard, o.Dir, a.Dir)
		}
		byIdx[r.Shard] = a
	}
	var missing []int
	for i := range n {
		if byIdx[i] == nil {
			missing = append(missing, i)
		}
	}
	return byIdx, missing, nil
}

func joinInts(xs []int) string {
	var b []string
	for _, x := range xs {
		b = append(b, strconv.Itoa(x))
	}
	return strings.Join(b, ",")
}
