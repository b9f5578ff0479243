package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/reports"
)

// ThresholdsJUnitFile is the JUnit report of the thresholds, in --out.
const ThresholdsJUnitFile = "thresholds.junit.xml"

// shardLocalFlags are the bench flags shards may set differently: the shard index,
// where its own outputs go, how it shows progress, and the config file that may have
// set the others (their values are hashed). Every other flag is hashed
// into the config hash that merge checks.
var shardLocalFlags = map[string]bool{"shard": true, "out": true, "ndjson": true, "status-every": true, "config": true}

// configHash hashes the name and value of every flag (set or defaulted) but the
// shard-local ones, sorted by name (VisitAll's order).
func configHash(fs *pflag.FlagSet) string {
	h := sha256.New()
	fs.VisitAll(func(f *pflag.Flag) {
		if shardLocalFlags[f.Name] || f.Name == "help" {
			return
		}
		fmt.Fprintf(h, "%s=%q\n", f.Name, f.Value.String())
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// runMetrics is a run's (or a merge's) data as thresholds see it: histogram metrics
// by name (signin.latency, signin.service, srp, start.lag, api.<Op>,
// flow.<f>.latency) and counters.
type runMetrics struct {
	s     *bench.Summary
	hists map[string]*hdr.Histogram
}

var _ reports.Metrics = runMetrics{}

func (m runMetrics) Percentile(metric string, p float64) (float64, bool) {
	h := m.hists[metric]
	if h == nil || h.TotalCount() == 0 {
		return 0, false
	}
	return float64(h.ValueAtPercentile(p)), true
}

func (m runMetrics) Stat(metric, which string) (float64, bool) {
	h := m.hists[metric]
	if h == nil || h.TotalCount() == 0 {
		return 0, false
	}
	switch which {
	case "avg":
		return h.Mean(), true
	case "min":
		return float64(h.Min()), true
	case "max":
		return float64(h.Max()), true
	}
	return 0, false
}

// counter returns a counter by name: signin.planned/started/completed/ok/errors/
// throttles, late_starts, user_waits, clamped, histogram_dropped, outcome.<code>,
// next_step.<step>.
func (m runMetrics) counter(metric string) (float64, bool) {
	t := m.s.Totals
	switch metric {
	case "signin.planned":
		return float64(t.Planned), true
	case "signin.started", "iterations":
		return float64(t.Started), true
	case "signin.completed":
		return float64(t.Completed), true
	case "signin.ok":
		return float64(t.OK), true
	case "signin.errors", "errors":
		return float64(t.Errors), true
	case "signin.throttles", "throttles":
		return float64(t.Throttles), true
	case "late_starts":
		return float64(t.LateStarts), true
	case "user_waits":
		return float64(t.UserWaits), true
	case "clamped":
		return float64(t.Clamped), true
	case "histogram_dropped":
		return float64(t.HistogramDropped), true
	}
	if code, ok := strings.CutPrefix(metric, "outcome."); ok {
		return float64(m.s.Outcomes[code]), true
	}
	if step, ok := strings.CutPrefix(metric, "next_step."); ok {
		return float64(m.s.NextSteps[step]), true
	}
	return 0, false
}

func (m runMetrics) Count(metric string) (float64, bool) {
	if v, ok := m.counter(metric); ok {
		return v, true
	}
	if h := m.hists[metric]; h != nil {
		return float64(h.TotalCount()), true
	}
	return 0, false
}

// Rate is a counter over its base: outcomes (signin.errors, signin.throttles,
// signin.ok, outcome.<code>) over completed sign-ins; late_starts and user_waits
// over started ones.
func (m runMetrics) Rate(metric string) (float64, bool) {
	v, ok := m.counter(metric)
	if !ok {
		return 0, false
	}
	base := m.s.Totals.Completed
	switch metric {
	case "late_starts", "user_waits", "signin.started", "iterations", "signin.completed":
		base = m.s.Totals.Started
	case "signin.planned":
		return 0, false
	}
	if base == 0 {
		return 0, true
	}
	return v / float64(base), true
}

// evaluateThresholds checks ts against the summary and run histograms, and records
// the outcomes in the summary.
func evaluateThresholds(ts []reports.Threshold, s *bench.Summary, hists map[string]*hdr.Histogram) []reports.Result {
	var out []reports.Result
	m := runMetrics{s: s, hists: hists}
	for _, t := range ts {
		r := t.Evaluate(m)
		out = append(out, r)
		s.Thresholds = append(s.Thresholds, bench.ThresholdOutcome{Threshold: t.Source, Passed: r.Passed, Actual: r.Actual, Missing: r.Missing})
	}
	return out
}

func printThresholds(w io.Writer, rs []reports.Result) {
	if len(rs) == 0 {
		return
	}
	fmt.Fprintln(w, "  thresholds:")
	for _, r := range rs {
		fmt.Fprintf(w, "    %s\n", r)
	}
}

func thresholdsBreachedErr(rs []reports.Result) error {
	n := 0
	for _, r := range rs {
		if !r.Passed {
			n++
		}
	}
	return fmt.Errorf("%d of %d thresholds breached", n, len(rs))
}

// writeFileAtomic writes a file through a temporary file and a rename, so that a
// reader polling for it (merge --wait) never sees half of it.
func writeFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func writeSummaryFile(dir string, s bench.Summary) error {
	return writeFileAtomic(filepath.Join(dir, bench.SummaryFile), s.WriteJSON)
}

func writeThresholdsJUnit(dir string, start time.Time, rs []reports.Result) error {
	return writeFileAtomic(filepath.Join(dir, ThresholdsJUnitFile), func(w io.Writer) error {
		return reports.WriteJUnit(w, "thresholds", start, rs)
	})
}

type mergeFlags struct {
	out          string
	shards       int
	wait         bool
	timeout      time.Duration
	poll         time.Duration
	allowPartial bool
	thresholds   []string
}

func newMergeCmd(env Env) *cobra.Command {
	var fl mergeFlags
	cmd := &cobra.Command{
		Use:   "merge [flags] DIR...",
		Short: "Merge the artifacts of a sharded bench into one run's summary",
		Long: `merge reads the artifact directories of a sharded bench (each DIR a shard's --out,
or a directory holding shard-* directories), checks that every shard 0..n-1 is there
once and that they all belong to one run (run id, config hash, histogram settings),
merges their histograms per metric and per interval of absolute time, sums their
counters, recomputes rates over the union of their windows, checks the thresholds
(the shards' own --threshold flags and merge's), and writes summary.json,
intervals.hlog and thresholds.junit.xml into --out as for a single run.

Exit codes: 2 shards of different runs or settings, 4 shards missing (unless
--allow-partial, which labels the summary partial), 99 a threshold breached.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd.Context(), env, fl, args)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.out, "out", "", "directory for the merged summary.json, intervals.hlog and thresholds.junit.xml (required)")
	f.IntVar(&fl.shards, "shards", 0, "the number of shards to expect (default: as the shards say)")
	f.BoolVar(&fl.wait, "wait", false, "wait until every shard's artifacts exist (needs --shards; bounded by --timeout)")
	f.DurationVar(&fl.timeout, "timeout", 30*time.Minute, "with --wait, how long to wait for the shards")
	f.DurationVar(&fl.poll, "poll", time.Second, "with --wait, how often to look")
	f.BoolVar(&fl.allowPartial, "allow-partial", false, "merge what is there when shards are missing, labelled partial")
	f.StringArrayVar(&fl.thresholds, "threshold", nil, "a threshold checked on the merged data, as for bench; repeatable")
	return cmd
}

// findShardDirs lists the artifact directories under args: an arg holding a
// summary is one; otherwise its shard-* subdirectories with a summary are.
func findShardDirs(args []string) ([]string, error) {
	var dirs []string
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil {
			return nil, exitcode.Usagef("%v", err)
		}
		if !st.IsDir() {
			return nil, exitcode.Usagef("%s is not a directory", a)
		}
		if _, err := os.Stat(filepath.Join(a, bench.SummaryFile)); err == nil {
			dirs = append(dirs, a)
			continue
		}
		subs, err := filepath.Glob(filepath.Join(a, "shard-*"))
		if err != nil {
			return nil, err
		}
		for _, s := range subs {
			if _, err := os.Stat(filepath.Join(s, bench.SummaryFile)); err == nil {
				dirs = append(dirs, s)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
		}
	}
	return dirs, nil
}

// readShards reads the artifacts; with shards > 0, only shards with an index below
// it count toward "present".
func readShards(dirs []string) ([]*bench.Artifact, error) {
	var arts []*bench.Artifact
	for _, d := range dirs {
		a, err := bench.ReadArtifact(d)
		if err != nil {
			return nil, exitcode.Wrap(exitcode.Usage, err)
		}
		if a.Summary.Run == nil {
			return nil, exitcode.Usagef("%s: the summary has no run id (written by an older authbench?)", d)
		}
		arts = append(arts, a)
	}
	return arts, nil
}

// checkShards checks that the artifacts are shards of one run, each at most once,
// and returns them by index and the missing indices.
func checkShards(arts []*bench.Artifact, n int) (map[int]*bench.Artifact, []int, error) {
	if len(arts) == 0 {
		return nil, nil, nil
	}
	ref := arts[0]
	r0 := ref.Summary.Run
	if n == 0 {
		n = r0.Shards
	}
	byIdx := map[int]*bench.Artifact{}
	for _, a := range arts {
		r := a.Summary.Run
		switch {
		case r.RunID != r0.RunID:
			return nil, nil, exitcode.Usagef("refusing to merge different runs: %s has run id %s, %s has %s", a.Dir, r.RunID, ref.Dir, r0.RunID)
		case r.ConfigHash != r0.ConfigHash:
			return nil, nil, exitcode.Usagef("refusing to merge different settings: %s has config hash %s, %s has %s", a.Dir, r.ConfigHash, ref.Dir, r0.ConfigHash)
		case r.Histogram != r0.Histogram:
			return nil, nil, exitcode.Usagef("refusing to merge different histogram settings: %s has %+v, %s has %+v", a.Dir, r.Histogram, ref.Dir, r0.Histogram)
		case r.Shards != n:
			return nil, nil, exitcode.Usagef("%s is shard %d of %d, want %d shards", a.Dir, r.Shard, r.Shards, n)
		case !slices.Equal(r.Thresholds, r0.Thresholds):
			return nil, nil, exitcode.Usagef("refusing to merge different thresholds: %s has %q, %s has %q", a.Dir, r.Thresholds, ref.Dir, r0.Thresholds)
		case r.Shard < 0 || r.Shard >= n:
			return nil, nil, exitcode.Usagef("%s: shard index %d out of range 0..%d", a.Dir, r.Shard, n-1)
		}
		if o := byIdx[r.Shard]; o != nil {
			return nil, nil, exitcode.Usagef("shard %d appears twice: %s and %s", r.Shard, o.Dir, a.Dir)
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

func runMerge(ctx context.Context, env Env, fl mergeFlags, args []string) error {
	if fl.out == "" {
		return exitcode.Usagef("--out is required")
	}
	if fl.wait && fl.shards < 1 {
		return exitcode.Usagef("--wait needs --shards (how many shards to wait for)")
	}
	if fl.shards < 0 || fl.timeout <= 0 || fl.poll <= 0 {
		return exitcode.Usagef("--shards must not be negative, --timeout and --poll must be positive")
	}
	extra, err := reports.ParseThresholds(fl.thresholds)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	var arts []*bench.Artifact
	var byIdx map[int]*bench.Artifact
	var missing []int
	deadline := time.Now().Add(fl.timeout)
	for {
		dirs, err := findShardDirs(args)
		if err != nil {
			return err
		}
		if arts, err = readShards(dirs); err != nil {
			return err
		}
		if byIdx, missing, err = checkShards(arts, fl.shards); err != nil {
			return err
		}
		done := len(arts) > 0 && len(missing) == 0
		if done || !fl.wait || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(fl.poll):
		}
	}
	if len(arts) == 0 {
		msg := fmt.Sprintf("no shard artifacts (%s) in %s", bench.SummaryFile, strings.Join(args, " "))
		if fl.wait {
			msg += fmt.Sprintf(" after waiting %v", fl.timeout)
		}
		return exitcode.Wrap(exitcode.IncompleteMerge, errors.New(msg))
	}
	n := arts[0].Summary.Run.Shards
	if fl.shards > 0 {
		n = fl.shards
	}
	if len(missing) > 0 && !fl.allowPartial {
		return exitcode.Wrap(exitcode.IncompleteMerge, fmt.Errorf("shards %s of %d are missing (found %d; --allow-partial merges what is there)", joinInts(missing), n, len(byIdx)))
	}
	info := bench.MergeInfo{Shards: n, Missing: missing, Partial: len(missing) > 0}
	if info.Missing == nil {
		info.Missing = []int{}
	}
	var ordered []*bench.Artifact
	for i := range n {
		if a := byIdx[i]; a != nil {
			ordered = append(ordered, a)
			info.Merged = append(info.Merged, i)
		}
	}
	m, err := bench.Merge(ordered, info)
	if err != nil {
		return err
	}
	s := m.Summary
	// The shards' thresholds, then merge's own.
	recorded, err := reports.ParseThresholds(arts[0].Summary.Run.Thresholds)
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, fmt.Errorf("the shards' thresholds: %w", err))
	}
	results := evaluateThresholds(append(recorded, extra...), &s, m.Run)
	if err := os.MkdirAll(fl.out, 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(filepath.Join(fl.out, bench.IntervalsFile), m.WriteHistogramLog); err != nil {
		return err
	}
	if len(results) > 0 {
		if err := writeThresholdsJUnit(fl.out, s.Start, results); err != nil {
			return err
		}
	}
	if err := writeSummaryFile(fl.out, s); err != nil {
		return err
	}
	if err := writeRunPage(env, fl.out); err != nil {
		return fmt.Errorf("writing the HTML report: %w", err)
	}
	if info.Partial {
		fmt.Fprintf(env.Stdout, "authbench merge: PARTIAL: shards %s of %d missing\n", joinInts(missing), n)
	}
	fmt.Fprintf(env.Stdout, "authbench merge: run %s, %d of %d shards\n", s.Run.RunID, len(ordered), n)
	if err := bench.WriteText(env.Stdout, &s); err != nil {
		return err
	}
	printThresholds(env.Stdout, results)
	if reports.Breached(results) {
		return exitcode.Wrap(exitcode.ThresholdsBreached, thresholdsBreachedErr(results))
	}
	return nil
}

func joinInts(xs []int) string {
	var b []string
	for _, x := range xs {
		b = append(b, strconv.Itoa(x))
	}
	return strings.Join(b, ",")
}
