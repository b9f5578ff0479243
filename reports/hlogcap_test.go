package reports

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/authbench/authbench/internal/race"
)

// TestReadIntervalLogCapped writes a long interval log (two metrics, n intervals)
// and reads it back with a cap per metric: every length keeps at most the cap
// histograms per metric, in time order, covering the whole run without gap, and each
// metric's merged histogram is the uncapped one's.
func TestReadIntervalLogCapped(t *testing.T) {
	t.Parallel()
	const maxPerTag = 16
	lengths := []int{1, 15, 16, 17, 33, 100, 1000}
	if race.Enabled {
		lengths[len(lengths)-1] = 250 // each histogram costs ~10× under the race detector
	}
	for _, n := range lengths {
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

// TestPackedHistRoundTrip packs and unpacks histograms of several shapes (empty, one
// value, values spread over the whole range, counts past one varint byte) and gets
// the same counts, total and geometry back.
func TestPackedHistRoundTrip(t *testing.T) {
	t.Parallel()
	shapes := map[string]func(h *hdr.Histogram){
		"empty": func(*hdr.Histogram) {},
		"one":   func(h *hdr.Histogram) { _ = h.RecordValue(1) },
		"top":   func(h *hdr.Histogram) { _ = h.RecordValue(60_000_000) },
		"spread": func(h *hdr.Histogram) {
			for v := int64(1); v < 60_000_000; v = v*3 + 1 {
				_ = h.RecordValues(v, v%1000+1)
			}
		},
		"heavy": func(h *hdr.Histogram) { _ = h.RecordValues(4321, 1<<40); _ = h.RecordValues(5, 300) },
	}
	for name, fill := range shapes {
		h := hdr.New(1, 60_000_000, 3)
		fill(h)
		got := packHist(h).unpack()
		a, b := h.Export(), got.Export()
		if a.LowestTrackableValue != b.LowestTrackableValue || a.HighestTrackableValue != b.HighestTrackableValue ||
			a.SignificantFigures != b.SignificantFigures || !slices.Equal(a.Counts, b.Counts) ||
			h.TotalCount() != got.TotalCount() || h.Max() != got.Max() {
			t.Errorf("%s: the unpacked histogram differs from the packed one", name)
		}
	}
}

// TestReadIntervalLogCappedHeldPacked reads a log of 1,200 intervals (300 under
// -race, still past the cap) of three metrics (each second a few hundred
// values) capped at MaxReportIntervals: every kept histogram but each metric's last
// is held packed, and the log held takes a small fraction of what 240 decoded
// histograms per metric take (~100 MB here).
//
// It measures the process's heap, so it does not run in parallel with other tests.
func TestReadIntervalLogCappedHeldPacked(t *testing.T) {
	n := 1200
	if race.Enabled {
		n = 300 // each histogram costs ~10× under the race detector
	}
	tags := []string{"a", "b", "c"}
	start := time.Unix(1_700_000_000, 0)
	var buf bytes.Buffer
	w, err := NewIntervalLogWriter(&buf, start)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range n {
		hs := map[string]*hdr.Histogram{}
		for _, tag := range tags {
			h := hdr.New(1, 60_000_000, 3)
			for range 300 {
				_ = h.RecordValue(1000 + int64(rng.ExpFloat64()*5000))
			}
			hs[tag] = h
		}
		if err := w.WriteInterval(hs); err != nil {
			t.Fatal(err)
		}
	}
	full, err := ReadIntervalLogCapped(bytes.NewReader(buf.Bytes()), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Stats{}
	for _, tag := range tags {
		want[tag] = StatsOf(full.Merged(tag))
	}
	full = nil

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	capped, err := ReadIntervalLogCapped(bytes.NewReader(buf.Bytes()), MaxReportIntervals)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	held := int64(after.HeapAlloc) - int64(before.HeapAlloc)

	decoded := map[string]int{}
	for _, h := range capped.Hists {
		if h.Hist != nil {
			decoded[h.Tag]++
		}
	}
	for _, tag := range tags {
		if got := len(capped.Series(tag)); got > MaxReportIntervals || got < MaxReportIntervals/2 {
			t.Errorf("%s: %d histograms kept, want between %d and %d", tag, got, MaxReportIntervals/2, MaxReportIntervals)
		}
		if decoded[tag] > 1 {
			t.Errorf("%s: %d histograms held decoded, want at most the last", tag, decoded[tag])
		}
		if got := StatsOf(capped.Merged(tag)); got != want[tag] {
			t.Errorf("%s: merged %+v, want %+v", tag, got, want[tag])
		}
		// The page's walk decodes one at a time and leaves the log packed.
		series, walked := capped.Series(tag), 0
		capped.EachOfSeries(tag, func(h LogHist) {
			if s := series[walked]; h.StartS != s.StartS || StatsOf(h.Hist) != StatsOf(s.Hist) {
				t.Errorf("%s: histogram %d of the walk differs from the series'", tag, walked)
			}
			walked++
		})
		if walked != len(series) {
			t.Errorf("%s: the walk met %d histograms, the series has %d", tag, walked, len(series))
		}
	}
	for _, h := range capped.Hists {
		if h.Hist != nil {
			decoded[h.Tag]--
		}
	}
	for tag, n := range decoded {
		if n != 0 {
			t.Errorf("%s: the walks left %d more histograms decoded in the log", tag, -n)
		}
	}
	// 240 decoded histograms per metric would hold 3 × 240 × ~140 KB ≈ 100 MB.
	if held > 16<<20 {
		t.Errorf("the capped log holds %.1f MiB, want under 16 MiB", float64(held)/(1<<20))
	}
	t.Logf("capped log of %d intervals × %d metrics holds %.2f MiB", n, len(tags), float64(held)/(1<<20))
	runtime.KeepAlive(capped)
}
