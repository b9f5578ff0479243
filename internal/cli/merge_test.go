package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/exitcode"
)

// buildCLI builds authbench once into tmp/ at the module root.
func buildCLI(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(root, "tmp", "authbench")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/authbench")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

type procResult struct {
	code           int
	stdout, stderr string
}

func runBin(t *testing.T, bin string, args ...string) procResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 45*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return procResult{code, out.String(), errb.String()}
}

func readSummary(t *testing.T, dir string) bench.Summary {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s bench.Summary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestShardsMerge runs three shards of a short bench as separate processes against
// one embedded pool, merges them, and checks the merge against the shards.
func TestShardsMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("three bench processes")
	}
	bin := buildCLI(t)
	dir := t.TempDir()

	// One pool for the three processes, with a user set they split.
	e, err := bench.StartEmbedded(t.Context(), emulator.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	set, err := e.Provision(t.Context(), map[string]int{bench.FlowSRP: 24}, nil)
	if err != nil {
		t.Fatal(err)
	}
	users := filepath.Join(dir, "users.json")
	if err := set.WriteFile(users); err != nil {
		t.Fatal(err)
	}
	ref := set.Pools[bench.FlowSRP]
	startAt := time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339Nano)
	common := []string{"bench", "--rate", "30/s", "--duration", "3s", "--endpoint", e.Endpoint(), "--pool-id", ref.PoolID,
		"--client-id", ref.ClientID, "--users-file", users, "--shards", "3", "--start-at", startAt,
		"--threshold", "signin.errors: rate < 0.5", "--threshold", "late_starts: count < 1000"}
	runDir := filepath.Join(dir, "run")
	results := make([]procResult, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Go(func() {
			results[i] = runBin(t, bin, append(common, "--shard", strconv.Itoa(i), "--out", filepath.Join(runDir, "shard-"+strconv.Itoa(i)))...)
		})
	}
	wg.Wait()
	for i, r := range results {
		if r.code != 0 {
			t.Fatalf("shard %d: exit %d\n%s\n%s", i, r.code, r.stdout, r.stderr)
		}
	}

	// Merge (from the parent directory, waiting as the k8s merge Job does).
	merged := filepath.Join(dir, "merged")
	r := runBin(t, bin, "merge", "--shards", "3", "--wait", "--timeout", "10s", "--out", merged, runDir)
	if r.code != 0 {
		t.Fatalf("merge: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	ms := readSummary(t, merged)
	var shards []bench.Summary
	var sum bench.Totals
	var runIDs []string
	for i := range 3 {
		s := readSummary(t, filepath.Join(runDir, "shard-"+strconv.Itoa(i)))
		shards = append(shards, s)
		runIDs = append(runIDs, s.Run.RunID)
		sum.Planned += s.Totals.Planned
		sum.Started += s.Totals.Started
		sum.Completed += s.Totals.Completed
		sum.OK += s.Totals.OK
		sum.Errors += s.Totals.Errors
		sum.LateStarts += s.Totals.LateStarts
	}
	if runIDs[0] != runIDs[1] || runIDs[1] != runIDs[2] || ms.Run.RunID != runIDs[0] {
		t.Errorf("run ids differ: shards %v, merged %s", runIDs, ms.Run.RunID)
	}
	if sum.Planned != 90 {
		t.Errorf("the shards planned %d sign-ins, want 90 (30/s for 3s)", sum.Planned)
	}
	mt := ms.Totals
	if mt.Planned != sum.Planned || mt.Started != sum.Started || mt.Completed != sum.Completed || mt.OK != sum.OK || mt.Errors != sum.Errors || mt.LateStarts != sum.LateStarts {
		t.Errorf("merged totals %+v, want the shards' sum %+v", mt, sum)
	}
	if ms.Merge == nil || ms.Merge.Partial || len(ms.Merge.Merged) != 3 {
		t.Errorf("merge info %+v", ms.Merge)
	}
	var ivStarted int64
	for _, iv := range ms.Intervals {
		ivStarted += iv.Started
	}
	if ivStarted != mt.Started {
		t.Errorf("merged intervals start %d, totals %d", ivStarted, mt.Started)
	}
	if ms.Intervals[len(ms.Intervals)-1].StartS > 5 || len(ms.Intervals) > 6 {
		t.Errorf("intervals not aligned by absolute time: %d intervals, last at %vs", len(ms.Intervals), ms.Intervals[len(ms.Intervals)-1].StartS)
	}
	// One histogram per metric with every shard's values, rebuilt from their logs.
	all := map[string]*hdr.Histogram{}
	for i := range 3 {
		f, err := os.Open(filepath.Join(runDir, "shard-"+strconv.Itoa(i), "intervals.hlog"))
		if err != nil {
			t.Fatal(err)
		}
		hs, err := bench.ReadHistogramLog(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hs {
			if all[h.Tag()] == nil {
				all[h.Tag()] = hdr.New(1, 60_000_000, 3)
			}
			all[h.Tag()].Merge(h)
		}
	}
	if len(all) == 0 || all[bench.MetricLatency] == nil {
		t.Fatal("no latency histograms in the shards' logs")
	}
	for m, h := range all {
		if got, want := ms.Metrics[m], bench.StatsOf(h); got != want {
			t.Errorf("%s: merged %+v, one histogram of every value %+v", m, got, want)
		}
	}
	if got := ms.Metrics[bench.MetricLatency].Count; got != mt.Completed {
		t.Errorf("merged latency count %d, completed %d", got, mt.Completed)
	}
	// The thresholds the shards carried were checked on the merge, and reported.
	if len(ms.Thresholds) != 2 || !ms.Thresholds[0].Passed {
		t.Errorf("merged thresholds %+v", ms.Thresholds)
	}
	checkJUnit(t, filepath.Join(merged, "thresholds.junit.xml"), 2, 0)

	// A missing shard: exit 4, or a partial merge with --allow-partial.
	two := []string{filepath.Join(runDir, "shard-0"), filepath.Join(runDir, "shard-2")}
	if r := runBin(t, bin, append([]string{"merge", "--out", filepath.Join(dir, "m2")}, two...)...); r.code != exitcode.IncompleteMerge || !strings.Contains(r.stderr, "shards 1 of 3 are missing") {
		t.Errorf("missing shard: exit %d, %q", r.code, r.stderr)
	}
	pdir := filepath.Join(dir, "partial")
	if r := runBin(t, bin, append([]string{"merge", "--allow-partial", "--out", pdir}, two...)...); r.code != 0 || !strings.Contains(r.stdout, "PARTIAL") {
		t.Errorf("partial merge: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	} else if ps := readSummary(t, pdir); ps.Merge == nil || !ps.Merge.Partial || len(ps.Merge.Missing) != 1 || ps.Merge.Missing[0] != 1 ||
		ps.Totals.Started != shards[0].Totals.Started+shards[2].Totals.Started {
		t.Errorf("partial summary: merge %+v, started %d", ps.Merge, ps.Totals.Started)
	}
	// A shard of other settings: exit 2 with one line naming the disagreement.
	odd := filepath.Join(dir, "odd", "shard-1")
	copyDir(t, filepath.Join(runDir, "shard-1"), odd)
	b, _ := os.ReadFile(filepath.Join(odd, "summary.json"))
	b = bytes.Replace(b, []byte(shards[1].Run.ConfigHash), []byte("0000000000000000"), 1)
	if err := os.WriteFile(filepath.Join(odd, "summary.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r = runBin(t, bin, "merge", "--out", filepath.Join(dir, "m3"), two[0], odd, two[1])
	if r.code != exitcode.Usage || !strings.Contains(r.stderr, "config hash") || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 {
		t.Errorf("mixed settings: exit %d, %q", r.code, r.stderr)
	}
	// A shard appearing twice: exit 2.
	if r := runBin(t, bin, "merge", "--out", filepath.Join(dir, "m4"), runDir, two[0]); r.code != exitcode.Usage || !strings.Contains(r.stderr, "appears twice") {
		t.Errorf("duplicate shard: exit %d, %q", r.code, r.stderr)
	}
	// A breached threshold: exit 99, with the JUnit failure written.
	bdir := filepath.Join(dir, "breach")
	r = runBin(t, bin, "merge", "--threshold", "signin.latency: p(99) < 1us", "--out", bdir, runDir)
	if r.code != exitcode.ThresholdsBreached || !strings.Contains(r.stdout, "✗ signin.latency: p(99) < 1us") {
		t.Errorf("breach: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkJUnit(t, filepath.Join(bdir, "thresholds.junit.xml"), 3, 1)
	for _, f := range []string{"report.html", "summary.json", "intervals.hlog", "thresholds.junit.xml"} {
		if !strings.Contains(r.stdout, "  wrote "+filepath.Join(bdir, f)+"\n") {
			t.Errorf("merge does not name the %s it wrote:\n%s", f, r.stdout)
		}
	}
	// Bad threshold syntax: exit 2 with the column.
	r = runBin(t, bin, "merge", "--threshold", "signin.latency: p(99) << 5ms", "--out", bdir, runDir)
	if r.code != exitcode.Usage || !strings.Contains(r.stderr, "column 24") {
		t.Errorf("bad threshold: exit %d, %q", r.code, r.stderr)
	}
	// A single (unsharded) bench checks its thresholds itself: a breach exits 99
	// after writing everything.
	sdir := filepath.Join(dir, "single")
	r = runBin(t, bin, "bench", "--rate", "10/s", "--duration", "1s", "--endpoint", e.Endpoint(), "--pool-id", ref.PoolID,
		"--client-id", ref.ClientID, "--users-file", users, "--out", sdir,
		"--threshold", "signin.latency: p(99) < 1us", "--threshold", "signin.errors: rate < 0.01", "--threshold", "signin.completed: count == 10")
	if r.code != exitcode.ThresholdsBreached || !strings.Contains(r.stdout, "✓ signin.completed: count == 10") {
		t.Errorf("single bench breach: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	checkJUnit(t, filepath.Join(sdir, "thresholds.junit.xml"), 3, 1)
	if s := readSummary(t, sdir); len(s.Thresholds) != 3 {
		t.Errorf("single bench summary thresholds %+v", s.Thresholds)
	}
	if r := runBin(t, bin, "bench", "--rate", "10/s", "--duration", "1s", "--threshold", "signin.latency p(99) < 1s"); r.code != exitcode.Usage || !strings.Contains(r.stderr, "column 26") {
		t.Errorf("bench bad threshold: exit %d, %q", r.code, r.stderr)
	}
}

func checkJUnit(t *testing.T, path string, tests, failures int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	var doc struct {
		Suites []struct {
			Tests    int `xml:"tests,attr"`
			Failures int `xml:"failures,attr"`
			Cases    []struct {
				Name    string    `xml:"name,attr"`
				Failure *struct{} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil || len(doc.Suites) != 1 {
		t.Errorf("%s: %v\n%s", path, err, b)
		return
	}
	s := doc.Suites[0]
	if s.Tests != tests || s.Failures != failures || len(s.Cases) != tests {
		t.Errorf("%s: %d tests %d failures, want %d and %d\n%s", path, s.Tests, s.Failures, tests, failures, b)
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"summary.json", "intervals.hlog"} {
		b, err := os.ReadFile(filepath.Join(from, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestShardFlagsAndConfigHash(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--shards", "3", "--shard", "3", "--out", "x", "--start-at", "2030-01-01T00:00:00Z"}, "--shard 3: want 0 ≤ shard < --shards (3)"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--shards", "2", "--out", "x"}, "--start-at is required"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--shards", "2", "--start-at", "2030-01-01T00:00:00Z"}, "--out is required"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--shards", "2", "--out", "x", "--start-at", "2020-01-01T00:00:00Z"}, "in the past"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--start-at", "tomorrow"}, "--start-at \"tomorrow\""},
		{[]string{"merge", "x"}, "--out is required"},
		{[]string{"merge", "--wait", "--out", "y", "x"}, "--wait needs --shards"},
	} {
		code, _, errOut := run(t, tt.args...)
		if code != exitcode.Usage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tt.args, code, errOut, tt.want)
		}
	}
	hash := func(args ...string) string {
		cmd := newBenchCmd(Env{})
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		return configHash(cmd.Flags())
	}
	a := hash("--rate", "30/s", "--shard", "0", "--out", "a")
	if b := hash("--rate", "30/s", "--shard", "2", "--out", "b"); a != b {
		t.Error("the shard index or --out changed the config hash")
	}
	if b := hash("--rate", "31/s", "--shard", "0", "--out", "a"); a == b {
		t.Error("a different rate kept the config hash")
	}
}
