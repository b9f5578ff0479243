package reports

import (
	"bytes"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestIntervalLogRoundTrip: what IntervalLogWriter writes, ReadIntervalLog reads back
// with the tags, counts and absolute times HdrHistogram's own reader gives.
func TestIntervalLogRoundTrip(t *testing.T) {
	t.Parallel()
	start := time.UnixMilli(1_700_000_000_250)
	var buf bytes.Buffer
	w, err := NewIntervalLogWriter(&buf, start)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		hs := map[string]*hdr.Histogram{}
		for j, m := range []string{"signin.latency", "srp"} {
			h := hdr.New(1, 60_000_000, 3)
			for v := range 10 * (i + j + 1) {
				_ = h.RecordValue(int64(100 + v))
			}
			h.SetStartTimeMs(start.Add(time.Duration(i) * time.Second).UnixMilli())
			h.SetEndTimeMs(start.Add(time.Duration(i+1)*time.Second - 3*time.Millisecond).UnixMilli())
			hs[m] = h
		}
		if err := w.WriteInterval(hs); err != nil {
			t.Fatal(err)
		}
	}
	l, err := ReadIntervalLog(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	got := l.Histograms()
	r := hdr.NewHistogramLogReader(bytes.NewReader(buf.Bytes()))
	var want []*hdr.Histogram
	for h, err := r.NextIntervalHistogram(); h != nil && err == nil; h, err = r.NextIntervalHistogram() {
		want = append(want, h)
	}
	if len(got) != 6 || len(want) != 6 {
		t.Fatalf("read %d histograms, HdrHistogram's reader %d; want 6", len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if g.Tag() != w.Tag() || g.TotalCount() != w.TotalCount() || g.StartTimeMs() != w.StartTimeMs() || g.EndTimeMs() != w.EndTimeMs() {
			t.Errorf("histogram %d: %s %d [%d, %d], want %s %d [%d, %d]", i, g.Tag(), g.TotalCount(), g.StartTimeMs(), g.EndTimeMs(),
				w.Tag(), w.TotalCount(), w.StartTimeMs(), w.EndTimeMs())
		}
	}
	if !l.BaseTime.Equal(start.Truncate(time.Second)) {
		t.Errorf("base time %v", l.BaseTime)
	}
}
