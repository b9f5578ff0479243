package reports

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestWriteJSONRows checks that a summary written with its intervals copied from an
// intervals.ndjson stream is byte for byte the summary WriteJSON writes, with and
// without intervals, and that LoadRun fills a summary without intervals from the
// stream next to it.
func TestWriteJSONRows(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{"bench", "ramp"} {
		r, err := ReadReport(filepath.Join("testdata", dir, SummaryFile))
		if err != nil {
			t.Fatal(err)
		}
		for _, ivs := range [][]BenchInterval{r.Bench.Intervals, {}} {
			s := *r.Bench
			s.Intervals = ivs
			var want bytes.Buffer
			if err := s.WriteJSON(&want); err != nil {
				t.Fatal(err)
			}
			var rows bytes.Buffer
			enc := json.NewEncoder(&rows)
			for i := range ivs {
				if err := enc.Encode(&ivs[i]); err != nil {
					t.Fatal(err)
				}
			}
			s.Intervals = nil
			var got bytes.Buffer
			if err := s.WriteJSONRows(&got, &rows); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("%s with %d intervals: WriteJSONRows differs from WriteJSON:\n%s", dir, len(ivs), got.Bytes())
			}
		}
		if len(r.Bench.Intervals) == 0 {
			t.Fatalf("%s: the fixture has no intervals", dir)
		}
		// A summary without intervals, next to the rows: LoadRun reads them.
		tmp := t.TempDir()
		s := *r.Bench
		ivs := s.Intervals
		s.Intervals = []BenchInterval{}
		if err := WriteSummaryFile(tmp, &s); err != nil {
			t.Fatal(err)
		}
		var rows bytes.Buffer
		for i := range ivs {
			if err := json.NewEncoder(&rows).Encode(&ivs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.WriteFile(filepath.Join(tmp, IntervalRowsFile), rows.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		lr, err := LoadRun(tmp)
		if err != nil {
			t.Fatal(err)
		}
		if len(lr.Bench.Intervals) != len(ivs) || lr.Bench.Intervals[len(ivs)-1].EndS != ivs[len(ivs)-1].EndS {
			t.Errorf("%s: LoadRun read %d intervals from the rows, want %d", dir, len(lr.Bench.Intervals), len(ivs))
		}
	}
}
