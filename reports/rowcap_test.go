package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestLoadRunCapsRows writes the summary of runs of n one-second intervals (rows in
// summary.json, or only in intervals.ndjson) and loads them: at most
// MaxReportIntervals rows are kept, in order, covering the run without gap, with
// every count and outcome; a run within the cap is read whole, its rows unchanged.
func TestLoadRunCapsRows(t *testing.T) {
	t.Parallel()
	base, err := ReadReport(filepath.Join("testdata", "bench", SummaryFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{MaxReportIntervals, MaxReportIntervals + 1, 1000} {
		for _, inline := range []bool{true, false} {
			s := *base.Bench
			s.Intervals = nil
			var rows bytes.Buffer
			var started, errs int64
			for i := range n {
				iv := BenchInterval{StartS: float64(i), EndS: float64(i + 1), Started: int64(i % 7), Completed: int64(i % 5),
					Outcomes: map[string]int64{"ok": int64(i % 5)}, Metrics: map[string]Stats{MetricLatency: {Count: 1, P50: int64(i)}}}
				if i%10 == 0 {
					iv.Outcomes["NotAuthorizedException"] = 1
					errs++
				}
				started += iv.Started
				if inline {
					s.Intervals = append(s.Intervals, iv)
				} else if err := json.NewEncoder(&rows).Encode(&iv); err != nil {
					t.Fatal(err)
				}
			}
			dir := t.TempDir()
			if !inline {
				s.Intervals = []BenchInterval{}
				if err := os.WriteFile(filepath.Join(dir, IntervalRowsFile), rows.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteSummaryFile(dir, &s); err != nil {
				t.Fatal(err)
			}
			r, err := LoadRun(dir)
			if err != nil {
				t.Fatal(err)
			}
			got := r.Bench.Intervals
			if len(got) > MaxReportIntervals || len(got) == 0 || (n <= MaxReportIntervals && len(got) != n) {
				t.Fatalf("n=%d inline=%v: %d rows kept, want ≤ %d (all when they fit)", n, inline, len(got), MaxReportIntervals)
			}
			var gotStarted, gotErrs int64
			at := 0.0
			for i, iv := range got {
				if iv.StartS != at {
					t.Fatalf("n=%d inline=%v: row %d starts at %v, want %v (no gap)", n, inline, i, iv.StartS, at)
				}
				at = iv.EndS
				gotStarted += iv.Started
				gotErrs += iv.Outcomes["NotAuthorizedException"]
				merged := iv.EndS-iv.StartS > 1
				if merged != (iv.Metrics == nil) || (!merged && iv.Metrics[MetricLatency].P50 != int64(iv.StartS)) {
					t.Errorf("n=%d inline=%v: row %d [%v, %v] has latency stats %v: want them exactly on unmerged rows only", n, inline, i, iv.StartS, iv.EndS, iv.Metrics)
				}
			}
			if at != float64(n) || gotStarted != started || gotErrs != errs {
				t.Errorf("n=%d inline=%v: rows cover %vs with %d started and %d errors, want %ds, %d and %d", n, inline, at, gotStarted, gotErrs, n, started, errs)
			}
		}
	}
}
