package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/reports"
)

// mergeT0 is the common start of the generated shards' run.
var mergeT0 = time.Unix(1_700_000_000, 0).UTC()

// fakeShard describes a shard directory written by writeFakeShard: shard Index of
// Shards, n intervals of one second (the last one 0.6 s), starting Skew after the
// common start.
type fakeShard struct {
	Index, Shards, N int
	Skew             time.Duration
	// Metrics are the interval log's metrics; Spin, if set, the shard's pacerSpin.
	Metrics []string
	Spin    *SpinUsage
	// Fast writes the log's lines with a few precomputed encodings instead of
	// encoding every histogram (for long logs).
	Fast bool
}

// fakeValues are the values of shard i's interval k of metric j: a few, varying.
func fakeValues(i, k, j int) []int64 {
	n := 1 + (i+k+j)%4
	out := make([]int64, n)
	for v := range out {
		out[v] = int64(500*(j+1) + 37*((i*7+k*3+v)%50) + 1000*i)
	}
	return out
}

// writeFakeShard writes a shard's artifacts into dir: summary.json (with its
// intervals), intervals.hlog and intervals.ndjson, as a shard of one run would.
func writeFakeShard(t testing.TB, dir string, fs fakeShard) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := mergeT0.Add(fs.Skew)
	lf, err := os.Create(filepath.Join(dir, IntervalsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer lf.Close()
	bw := bufio.NewWriter(lf)
	hl, err := NewHistogramLog(bw, start)
	if err != nil {
		t.Fatal(err)
	}
	rf, err := os.Create(filepath.Join(dir, IntervalRowsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer rf.Close()
	rbw := bufio.NewWriter(rf)
	rows := NewIntervalRows(rbw, rf.Name())
	// Fast mode: one encoding per distinct value set, written as the log writer does.
	cache := map[string]string{}
	base := start.Truncate(time.Second)
	run := map[string]*hdr.Histogram{}
	var c Counters
	end := start
	for k := range fs.N {
		ivStart := start.Add(time.Duration(k) * time.Second)
		ivEnd := ivStart.Add(time.Second)
		if k == fs.N-1 {
			ivEnd = ivStart.Add(600 * time.Millisecond)
		}
		end = ivEnd
		iv := &Interval{Start: ivStart, End: ivEnd, RunStart: start, Metrics: map[string]Stats{}, Histograms: map[string]*hdr.Histogram{}}
		for j, m := range fs.Metrics {
			h := hdr.New(1, 60_000_000, 2)
			vals := fakeValues(fs.Index, k, j)
			for _, v := range vals {
				_ = h.RecordValue(v)
			}
			h.SetStartTimeMs(ivStart.UnixMilli())
			h.SetEndTimeMs(ivEnd.UnixMilli())
			iv.Histograms[m] = h
			iv.Metrics[m] = StatsOf(h)
			if run[m] == nil {
				run[m] = newHist()
			}
			run[m].Merge(h)
			if fs.Fast {
				key := fmt.Sprint(vals)
				enc, ok := cache[key]
				if !ok {
					b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
					if err != nil {
						t.Fatal(err)
					}
					enc = string(b)
					cache[key] = enc
				}
				fmt.Fprintf(bw, "Tag=%s,%.6f,%.6f,%.6f,%s\n", m, ivStart.Sub(base).Seconds(), ivEnd.Sub(ivStart).Seconds(), float64(h.Max())/1e6, enc)
			}
		}
		ok := int64(len(fakeValues(fs.Index, k, 0)))
		iv.Counters = Counters{Started: ok + 1, Completed: ok, Outcomes: map[string]int64{OutcomeOK: ok}}
		if k%3 == 1 {
			iv.Counters.Completed++
			iv.Counters.Outcomes["NotAuthorizedException"] = 1
		}
		c.add(&iv.Counters)
		if !fs.Fast {
			hl.OnInterval(iv)
		}
		rows.OnInterval(iv)
	}
	if err := hl.Err(); err != nil {
		t.Fatal(err)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := rbw.Flush(); err != nil {
		t.Fatal(err)
	}
	wall := end.Sub(start)
	s := Summary{Schema: SummarySchema, Kind: "bench", Target: "embedded", Mode: string(Open), Start: start, End: end,
		WallS: round3(wall.Seconds()),
		Config: SummaryConfig{Rate: 30, DurationS: float64(fs.N), LateToleranceUS: DefaultLateTolerance.Microseconds(), IntervalS: 1,
			Mix: map[string]int{FlowSRP: 1}, UserSet: 10},
		Totals: Totals{Planned: c.Started + 1, Started: c.Started, Completed: c.Completed, OK: c.Outcomes[OutcomeOK],
			Errors: c.Completed - c.Outcomes[OutcomeOK], LateStarts: int64(fs.Index), MaxStartLagUS: int64(100 * (fs.Index + 1))},
		Rates:   Rates{Planned: 10, Achieved: round3(float64(c.Started) / wall.Seconds())},
		Metrics: map[string]Stats{}, Outcomes: c.Outcomes,
		FlowOutcomes: map[string]map[string]int64{FlowSRP: c.Outcomes}, NextSteps: map[string]int64{"done": c.Completed},
		CPU: CPUUsage{User: 0.5 + float64(fs.Index)/10, System: 0.125, Wall: round3(wall.Seconds()), Cores: 2,
			Utilization: round3((0.625 + float64(fs.Index)/10) / wall.Seconds() / 2), Known: true},
		Spin: fs.Spin, Warnings: []string{fmt.Sprintf("warning of shard %d", fs.Index)},
		Run: &RunInfo{RunID: "run-1", ConfigHash: "0123456789abcdef", Shard: fs.Index, Shards: fs.Shards, StartAt: mergeT0,
			Histogram: HistogramSettingsOf(time.Second), Thresholds: []string{"signin.errors: rate < 0.5"}}}
	for m, h := range run {
		s.Metrics[m] = StatsOf(h)
	}
	if err := writeSummaryRows(dir, &s); err != nil {
		t.Fatal(err)
	}
}

// mergeShardsForTest writes shards (each a shard-i directory under a temporary run
// directory), merges them into out, and returns merge's output with out replaced by
// OUT.
func mergeShardsForTest(t *testing.T, shards []fakeShard, out string) string {
	t.Helper()
	runDir := t.TempDir()
	for _, fs := range shards {
		writeFakeShard(t, filepath.Join(runDir, fmt.Sprintf("shard-%d", fs.Index)), fs)
	}
	var stdout bytes.Buffer
	err := MergeShards(t.Context(), MergeOptions{Dirs: []string{runDir}, Out: out, Timeout: time.Second, Poll: time.Second,
		Stdout: &stdout, Now: func() time.Time { return mergeT0.Add(time.Hour) }})
	if err != nil {
		t.Fatalf("merge: %v\n%s", err, stdout.String())
	}
	return strings.ReplaceAll(stdout.String(), out, "OUT")
}

// goldenShards are three shards of a 5-interval run, started a few ms apart, the
// last of which stopped after 3 intervals.
func goldenShards(spin func(i int) *SpinUsage) []fakeShard {
	var out []fakeShard
	for i := range 3 {
		n := 5
		if i == 2 {
			n = 3 // a shard that stopped early
		}
		fs := fakeShard{Index: i, Shards: 3, N: n, Skew: time.Duration(i*7) * time.Millisecond,
			Metrics: []string{MetricLatency, MetricService, "api.InitiateAuth"}}
		if spin != nil {
			fs.Spin = spin(i)
		}
		out = append(out, fs)
	}
	return out
}

// TestMergeGolden merges three generated shards and compares the merged summary and
// interval log with golden files (written by the merge as it was before it
// streamed: a short run's merge is unchanged byte for byte).
func TestMergeGolden(t *testing.T) {
	out := filepath.Join(t.TempDir(), "merged")
	mergeShardsForTest(t, goldenShards(nil), out)
	for _, f := range []string{SummaryFile, IntervalsFile} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "merge-"+f, b)
	}
	if _, err := reports.LoadRun(out); err != nil {
		t.Fatal(err)
	}
}

// TestMergeGoldenRowsAndSpin checks the files the streaming merge added or changed:
// the merged intervals.ndjson (the rows summary.json's "intervals" is copied from)
// and, for shards that report their pacer's spin, the merged pacerSpin.
func TestMergeGoldenRowsAndSpin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "merged")
	stdout := mergeShardsForTest(t, goldenShards(nil), out)
	b, err := os.ReadFile(filepath.Join(out, IntervalRowsFile))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "merge-intervals.ndjson", b)
	golden(t, "merge-stdout.txt", []byte(stdout))

	spin := filepath.Join(t.TempDir(), "spin")
	stdout = mergeShardsForTest(t, goldenShards(goldenSpin), spin)
	golden(t, "merge-spin-stdout.txt", []byte(stdout))
	b, err = os.ReadFile(filepath.Join(spin, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "merge-spin-summary.json", b)
}

// goldenSpin is shard i's pacerSpin in the generated runs: auto, spinning.
func goldenSpin(i int) *SpinUsage {
	return &SpinUsage{Mode: "auto", SpinUS: 600, PeakGapUS: 1200, Waits: int64(1000 * (i + 1)), CPUS: 0.25 * float64(i+1), Share: 0.05}
}

// TestMergePacerSpin checks that the merged pacerSpin is the shards' combined:
// their waits and spin CPU summed, that CPU's share of the merged wall time, and the
// shards' (common) plan; and that it is absent when no shard reports one.
func TestMergePacerSpin(t *testing.T) {
	t.Parallel()
	arts := func(spins ...*SpinUsage) []*Artifact {
		var out []*Artifact
		for _, sp := range spins {
			out = append(out, &Artifact{Summary: Summary{Spin: sp}})
		}
		return out
	}
	wall := 4 * time.Second
	got := mergeSpin(arts(goldenSpin(0), goldenSpin(1), goldenSpin(2)), wall)
	want := &SpinUsage{Mode: "auto", SpinUS: 600, PeakGapUS: 1200, Waits: 1000 + 2000 + 3000, CPUS: 0.25 + 0.5 + 0.75, Share: round3(1.5 / 4)}
	if got == nil || *got != *want {
		t.Errorf("merged spin %+v, want %+v", got, want)
	}
	if got := mergeSpin(arts(nil, nil), wall); got != nil {
		t.Errorf("merged spin of shards without one: %+v, want none", got)
	}
	// An older shard without pacerSpin adds nothing; a shard that spun more per
	// wait names the plan.
	fixed := &SpinUsage{Mode: "fixed", SpinUS: 1200, Waits: 10, CPUS: 0.012, Share: 0.003}
	got = mergeSpin(arts(goldenSpin(0), nil, fixed), wall)
	want = &SpinUsage{Mode: "fixed", SpinUS: 1200, Waits: 1010, CPUS: 0.262, Share: round3(0.262 / 4)}
	if got == nil || *got != *want {
		t.Errorf("merged spin %+v, want %+v", got, want)
	}
	// Through the whole merge, into summary.json.
	out := filepath.Join(t.TempDir(), "merged")
	mergeShardsForTest(t, goldenShards(goldenSpin), out)
	var s Summary
	if err := readSummaryHead(filepath.Join(out, SummaryFile), &s); err != nil {
		t.Fatal(err)
	}
	want = &SpinUsage{Mode: "auto", SpinUS: 600, PeakGapUS: 1200, Waits: 6000, CPUS: 1.5, Share: round3(1.5 / s.WallS)}
	if s.Spin == nil || *s.Spin != *want {
		t.Errorf("summary.json pacerSpin %+v, want %+v", s.Spin, want)
	}
}

// heapSampler is the rows writer of TestMergeMemoryBounded: every every-th write
// (one merged interval's row) it collects garbage and notes the live heap.
type heapSampler struct {
	every, n int
	peak     uint64
}

func (h *heapSampler) Write(p []byte) (int, error) {
	h.n++
	if h.n%h.every == 0 {
		h.peak = max(h.peak, liveHeap())
	}
	return len(p), nil
}

func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestMergeMemoryBounded merges three shards of a short run and of a run 30 times
// as long (4,500 interval histograms in all): the merge holds the same number of
// histograms at once whatever the length, and its live heap, sampled after GC while
// it merges, stays under a fixed bound (holding the long run's decoded histograms,
// ~20 KB each, would take about four times that).
func TestMergeMemoryBounded(t *testing.T) {
	metrics := []string{MetricLatency}
	const shards = 3
	peaks := map[int]int{}
	for _, n := range []int{50, 1500} {
		dir := t.TempDir()
		var arts []*Artifact
		for i := range shards {
			d := filepath.Join(dir, fmt.Sprintf("shard-%d", i))
			writeFakeShard(t, d, fakeShard{Index: i, Shards: shards, N: n, Skew: time.Duration(i*3) * time.Millisecond, Metrics: metrics, Fast: true})
			a, err := ReadArtifact(d)
			if err != nil {
				t.Fatal(err)
			}
			arts = append(arts, a)
		}
		base := liveHeap()
		rows := &heapSampler{every: 200}
		m, err := Merge(t.Context(), arts, MergeInfo{Shards: shards, Merged: []int{0, 1, 2}, Missing: []int{}}, nil, rows)
		if err != nil {
			t.Fatal(err)
		}
		if m.Intervals != n || rows.n != n {
			t.Errorf("n=%d: %d merged intervals, %d rows written, want %d", n, m.Intervals, rows.n, n)
		}
		var started, count int64
		for _, a := range arts {
			started += a.Summary.Totals.Started
			count += a.Summary.Metrics[MetricLatency].Count
		}
		if m.Summary.Totals.Started != started || m.Summary.Metrics[MetricLatency].Count != count {
			t.Errorf("n=%d: merged %d started, %d latencies; the shards %d and %d", n, m.Summary.Totals.Started, m.Summary.Metrics[MetricLatency].Count, started, count)
		}
		// The shards' next histograms, the interval's and the run's per metric.
		if limit := shards + 2*len(metrics); m.HeldPeak > limit || m.HeldPeak == 0 {
			t.Errorf("n=%d: the merge held up to %d histograms at once, want at most %d", n, m.HeldPeak, limit)
		}
		peaks[n] = m.HeldPeak
		if n > 1000 {
			const bound = 24 << 20
			if rows.peak == 0 || rows.peak > base+bound {
				t.Errorf("n=%d: live heap while merging %d MiB over the %d MiB before, want under %d MiB", n, (int64(rows.peak)-int64(base))>>20, base>>20, bound>>20)
			}
			t.Logf("n=%d: live heap while merging: %d KiB over the baseline", n, (int64(rows.peak)-int64(base))>>10)
		}
	}
	if peaks[50] != peaks[1500] {
		t.Errorf("histograms held at once: %d for 50 intervals, %d for 1500: it grows with the run", peaks[50], peaks[1500])
	}
}

// TestMergeRefusesLogsOutOfOrder merges a shard whose interval log goes back in
// time: an ErrInvalid error, not a silent mis-merge.
func TestMergeRefusesLogsOutOfOrder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	d := filepath.Join(dir, "shard-0")
	writeFakeShard(t, d, fakeShard{Index: 0, Shards: 1, N: 4, Metrics: []string{MetricLatency}})
	b, err := os.ReadFile(filepath.Join(d, IntervalsFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	n := len(lines)
	lines[n-1], lines[n-3] = lines[n-3], lines[n-1]
	if err := os.WriteFile(filepath.Join(d, IntervalsFile), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := ReadArtifact(d)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Merge(t.Context(), []*Artifact{a}, MergeInfo{Shards: 1}, nil, nil)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "back in time") {
		t.Errorf("merge of a log out of order: %v, want an ErrInvalid error", err)
	}
}

// TestMergeAboveTheCap merges shards of more intervals than the report keeps
// (reports.MaxReportIntervals): the merged summary.json, intervals.ndjson and
// intervals.hlog keep every interval, and the page is built, as a single run's, from
// at most the cap of rows and of histograms per metric.
func TestMergeAboveTheCap(t *testing.T) {
	t.Parallel()
	n := reports.MaxReportIntervals + 60
	var shards []fakeShard
	for i := range 2 {
		shards = append(shards, fakeShard{Index: i, Shards: 2, N: n, Skew: time.Duration(i) * time.Millisecond, Metrics: []string{MetricLatency}, Fast: true})
	}
	out := filepath.Join(t.TempDir(), "merged")
	mergeShardsForTest(t, shards, out)
	f, err := os.Open(filepath.Join(out, IntervalsFile))
	if err != nil {
		t.Fatal(err)
	}
	hs, err := ReadHistogramLog(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(out, IntervalRowsFile))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := reports.ReadIntervalRows(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	full, err := reports.ReadReport(filepath.Join(out, SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != n || len(rows) != n || len(full.Bench.Intervals) != n {
		t.Errorf("merged %d histograms, %d ndjson rows, %d summary rows; want %d each", len(hs), len(rows), len(full.Bench.Intervals), n)
	}
	r, err := reports.LoadRun(out)
	if err != nil {
		t.Fatal(err)
	}
	if k := len(r.Log.Series(MetricLatency)); k > reports.MaxReportIntervals || k < reports.MaxReportIntervals/2 {
		t.Errorf("the page reads %d histograms of %s, want at most %d", k, MetricLatency, reports.MaxReportIntervals)
	}
	if k := len(r.Bench.Intervals); k > reports.MaxReportIntervals || k < reports.MaxReportIntervals/2 {
		t.Errorf("the page reads %d rows, want at most %d", k, reports.MaxReportIntervals)
	}
	if got, want := reports.StatsOf(r.Log.Merged(MetricLatency)), full.Bench.Metrics[MetricLatency]; got != want {
		t.Errorf("the capped log's latency %+v, the summary's %+v", got, want)
	}
}
