package reports

import (
	"bytes"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestReadIntervalLogCapped writes a long interval log (two metrics, n intervals)
// and reads it back with a cap per metric: every length keeps at most the cap
// histograms per metric, in time order, covering the whole run without gap, and each
// metric's merged histogram is the uncapped one's.
func TestReadIntervalLogCapped(t *testing.T) {
	t.Parallel()
	const maxPerTag = 16
	for _, n := range []int{1, 15, 16, 17, 33, 100, 1000} {
		start := time.Unix(1_700_000_000, 0)
		var buf bytes.Buffer
		w, err := NewIntervalLogWriter(&buf, start)
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			hs := map[string]*hdr.Histogram{}
			for j, tag := range []string{"a", "b"} {
				h := hdr.New(1, 60_000_000, 3)
				for k := range 3 + j {
					_ = h.RecordValue(int64(100*(i+1) + k))
				}
				h.SetStartTimeMs(start.Add(time.Duration(i) * time.Second).UnixMilli())
				h.SetEndTimeMs(start.Add(time.Duration(i+1) * time.Second).UnixMilli())
				hs[tag] = h
			}
			if err := w.WriteInterval(hs); err != nil {
				t.Fatal(err)
			}
		}
		full, err := ReadIntervalLog(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		capped, err := ReadIntervalLogCapped(bytes.NewReader(buf.Bytes()), maxPerTag)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range []string{"a", "b"} {
			s := capped.Series(tag)
			if len(s) > maxPerTag || len(s) == 0 || (n <= maxPerTag && len(s) != n) {
				t.Fatalf("n=%d %s: %d histograms kept, want ≤ %d (all %d when they fit)", n, tag, len(s), maxPerTag, n)
			}
			at := s[0].StartS
			for i, h := range s {
				if d := h.StartS - at; d > 1e-6 || d < -1e-6 {
					t.Fatalf("n=%d %s: histogram %d starts at %v, want %v (no gap)", n, tag, i, h.StartS, at)
				}
				at = h.StartS + h.LengthS
			}
			if d := at - s[0].StartS - float64(n); d > 1e-3 || d < -1e-3 {
				t.Errorf("n=%d %s: the kept histograms cover %vs, want %ds", n, tag, at-s[0].StartS, n)
			}
			if got, want := StatsOf(capped.Merged(tag)), StatsOf(full.Merged(tag)); got != want {
				t.Errorf("n=%d %s: merged %+v, want %+v", n, tag, got, want)
			}
		}
	}
}
