package reports

import (
	"bytes"
	"errors"
	"io"
	"strings"
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
	// The streaming reader gives the same histograms, one at a time.
	var streamed []*hdr.Histogram
	lr := NewIntervalLogReader(bytes.NewReader(buf.Bytes()))
	for {
		h, err := lr.NextHistogram()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		streamed = append(streamed, h)
	}
	if !lr.BaseTime().Equal(start.Truncate(time.Second)) {
		t.Errorf("streaming reader: base time %v", lr.BaseTime())
	}
	r := hdr.NewHistogramLogReader(bytes.NewReader(buf.Bytes()))
	var want []*hdr.Histogram
	for h, err := r.NextIntervalHistogram(); h != nil && err == nil; h, err = r.NextIntervalHistogram() {
		want = append(want, h)
	}
	if len(got) != 6 || len(want) != 6 || len(streamed) != 6 {
		t.Fatalf("read %d histograms (%d streamed), HdrHistogram's reader %d; want 6", len(got), len(streamed), len(want))
	}
	for i := range 2 * len(got) {
		g, w := got[i%6], want[i%6]
		if i >= 6 {
			g = streamed[i-6]
		}
		if g.Tag() != w.Tag() || g.TotalCount() != w.TotalCount() || g.StartTimeMs() != w.StartTimeMs() || g.EndTimeMs() != w.EndTimeMs() {
			t.Errorf("histogram %d: %s %d [%d, %d], want %s %d [%d, %d]", i, g.Tag(), g.TotalCount(), g.StartTimeMs(), g.EndTimeMs(),
				w.Tag(), w.TotalCount(), w.StartTimeMs(), w.EndTimeMs())
		}
	}
	if !l.BaseTime.Equal(start.Truncate(time.Second)) {
		t.Errorf("base time %v", l.BaseTime)
	}
}

// TestIntervalLogReaderErrors: a histogram line that does not parse is an error
// naming its line, from the streaming reader as from ReadIntervalLog.
func TestIntervalLogReaderErrors(t *testing.T) {
	t.Parallel()
	log := "#[Histogram log format version 1.3]\n#[BaseTime: 1700000000 (seconds since epoch)]\nTag=a,0.0,1.0,0.1,HISTbroken\n"
	lr := NewIntervalLogReader(strings.NewReader(log))
	if _, err := lr.Next(); err == nil || !strings.Contains(err.Error(), "line 3: histogram") {
		t.Errorf("streaming: %v, want an error naming line 3", err)
	}
	if _, err := ReadIntervalLog(strings.NewReader(log)); err == nil || !strings.Contains(err.Error(), "line 3: histogram") {
		t.Errorf("ReadIntervalLog: %v, want an error naming line 3", err)
	}
	if _, err := NewIntervalLogReader(strings.NewReader("")).Next(); !errors.Is(err, io.EOF) {
		t.Errorf("empty log: %v, want io.EOF", err)
	}
}
