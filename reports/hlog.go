package reports

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// LogHist is one histogram of an interval log: a metric's values (µs) over one
// interval.
type LogHist struct {
	// Tag is the metric name.
	Tag string
	// StartS is the interval's start, in seconds after the log's base time;
	// LengthS its length.
	StartS, LengthS float64
	// Hist is the histogram. A histogram IntervalLog keeps past its last interval
	// while reading a capped log is held packed instead (see packedHist) and Hist is
	// nil there; the IntervalLog's methods hand out LogHists with Hist set.
	Hist *hdr.Histogram

	packed *packedHist
}

// hist returns h's histogram, unpacking a packed one into a new histogram.
func (h *LogHist) hist() *hdr.Histogram {
	if h.Hist == nil && h.packed != nil {
		return h.packed.unpack()
	}
	return h.Hist
}

// pack replaces h's histogram with its packed form.
func (h *LogHist) pack() {
	if h.Hist != nil {
		h.packed, h.Hist = packHist(h.Hist), nil
	}
}

// packedHist is a histogram held compactly: its geometry and its non-zero counts as
// varints (the gap from the previous non-zero index, then the count). A decoded
// HdrHistogram is a dense array (~140 KB for the bench's 1 µs – 60 s at 3 digits)
// however few values it holds; a second of a run's values packs to a few hundred
// bytes, so a capped log of hours keeps its MaxReportIntervals histograms per
// metric in a few MB instead of hundreds.
type packedHist struct {
	lowest, highest, digits int64
	n                       int // the dense array's length
	counts                  []byte
}

func packHist(h *hdr.Histogram) *packedHist {
	s := h.Export()
	p := &packedHist{lowest: s.LowestTrackableValue, highest: s.HighestTrackableValue, digits: s.SignificantFigures, n: len(s.Counts)}
	var buf []byte
	last := -1
	for i, c := range s.Counts {
		if c <= 0 {
			continue
		}
		buf = binary.AppendUvarint(buf, uint64(i-last))
		buf = binary.AppendUvarint(buf, uint64(c))
		last = i
	}
	p.counts = slices.Clip(buf)
	return p
}

// unpack returns a new histogram equal to the one packed.
func (p *packedHist) unpack() *hdr.Histogram {
	counts := make([]int64, p.n)
	i := -1
	for b := p.counts; len(b) > 0; {
		gap, k := binary.Uvarint(b)
		c, k2 := binary.Uvarint(b[k:])
		b = b[k+k2:]
		i += int(gap)
		counts[i] = int64(c)
	}
	return hdr.Import(&hdr.Snapshot{LowestTrackableValue: p.lowest, HighestTrackableValue: p.highest, SignificantFigures: p.digits, Counts: counts})
}

// IntervalLog is an HdrHistogram interval log (format 1.3) as authbench bench writes
// it: one tagged histogram per metric per interval, timestamps relative to the
// run's start.
type IntervalLog struct {
	Hists []LogHist
	// BaseTime is the log's base time (its timestamps are relative to it); zero when
	// the log has no BaseTime line.
	BaseTime time.Time

	// baseS and startS are the BaseTime and StartTime lines as written (seconds since
	// the epoch), for absolute interval times computed as HdrHistogram computes them.
	baseS, startS         float64
	hasBase, hasStartTime bool
}

// Offset is how many seconds after start the log's time 0 is (its base time − start),
// to place its intervals on the run's clock; 0 when either is unknown.
func (l *IntervalLog) Offset(start time.Time) float64 {
	if l == nil || l.BaseTime.IsZero() || start.IsZero() {
		return 0
	}
	return l.BaseTime.Sub(start).Seconds()
}

// ReadIntervalLog parses an interval log. Comment and legend lines are skipped; a
// histogram line that does not parse is an error naming its line.
func ReadIntervalLog(r io.Reader) (*IntervalLog, error) {
	return readIntervalLog(r, 0)
}

// MaxReportIntervals is how many histograms per metric, and how many per-interval
// rows, LoadRun keeps of a run: a decoded histogram takes ~140 KB whatever it
// holds, so the log of an hours-long run (one per metric per second) could not be
// held whole, nor, over days, its rows.
const MaxReportIntervals = 240

// ReadIntervalLogCapped parses an interval log as ReadIntervalLog does while keeping
// at most maxPerTag histograms per metric (0: no bound): whenever a metric has more,
// adjacent pairs of its histograms are merged, so each kept histogram covers 1, 2,
// 4, … consecutive intervals of the file. Merging is lossless for the whole run
// (Merged gives the same histogram); only the per-interval resolution of Series
// coarsens. Memory is bounded by maxPerTag whatever the log's length. Hists are
// grouped by metric, each metric's in time order.
func ReadIntervalLogCapped(r io.Reader, maxPerTag int) (*IntervalLog, error) {
	return readIntervalLog(r, maxPerTag)
}

// capBuckets keep a series (one metric's histograms, a run's rows) in at most a
// given number of items, read one at a time: each kept item covers width
// consecutive items of the series (the last one, n of them so far), and join merges
// an item into the one before it.
type capBuckets[T any] struct {
	items []T
	width int
	n     int
	join  func(into *T, next T)
	// seal, when set, is called on a bucket that will take no more items (all but
	// the last), so that it can be held in a compact form.
	seal func(*T)
}

// add appends x, merging it into the last bucket while that is not full, and halves
// the buckets by merging pairs when there are more than max.
func (b *capBuckets[T]) add(x T, max int) {
	if b.width == 0 {
		b.width = 1
	}
	if k := len(b.items); k > 0 && b.n < b.width {
		b.join(&b.items[k-1], x)
		b.n++
		return
	}
	if k := len(b.items); k > 0 && b.seal != nil {
		b.seal(&b.items[k-1])
	}
	b.items = append(b.items, x)
	b.n = 1
	if len(b.items) <= max {
		return
	}
	out := b.items[:0]
	for i := 0; i < len(b.items); i += 2 {
		m := b.items[i]
		if i+1 < len(b.items) {
			b.join(&m, b.items[i+1])
		}
		out = append(out, m)
	}
	// The newest item was alone in the last bucket: it joined the full bucket before
	// it (even count) or stays alone (odd count).
	if len(b.items)%2 == 0 {
		b.n = b.width + 1
	} else {
		b.n = 1
	}
	clear(b.items[len(out):])
	b.items = out
	b.width *= 2
	if b.seal != nil {
		for i := range len(out) - 1 {
			b.seal(&out[i])
		}
	}
}

// joinHists merges next, the histogram of the intervals that follow into's, into
// into.
func joinHists(into *LogHist, next LogHist) {
	if into.Hist == nil {
		into.Hist, into.packed = into.hist(), nil
	}
	into.Hist.Merge(next.hist())
	into.LengthS = next.StartS + next.LengthS - into.StartS
}

func readIntervalLog(r io.Reader, maxPerTag int) (*IntervalLog, error) {
	lr := NewIntervalLogReader(r)
	var tags map[string]*capBuckets[LogHist]
	var order []string
	if maxPerTag > 0 {
		tags = map[string]*capBuckets[LogHist]{}
	}
	var hists []LogHist
	for {
		h, err := lr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if tags == nil {
			hists = append(hists, h)
			continue
		}
		b := tags[h.Tag]
		if b == nil {
			b = &capBuckets[LogHist]{join: joinHists, seal: (*LogHist).pack}
			tags[h.Tag] = b
			order = append(order, h.Tag)
		}
		b.add(h, maxPerTag)
	}
	l := lr.log
	for _, t := range order {
		hists = append(hists, tags[t].items...)
	}
	l.Hists = hists
	return &l, nil
}

// IntervalLogReader reads an interval log one histogram at a time, in file order:
// it holds the log's header and the histogram it returned last, not the log, so a
// log of any length is read in constant memory. ReadIntervalLog and
// ReadIntervalLogCapped read through it.
type IntervalLogReader struct {
	sc   *bufio.Scanner
	line int
	// log holds the header lines read so far (no histograms).
	log IntervalLog
	// base is the offset of the log's timestamps (seconds since the epoch), fixed
	// at the first histogram.
	base      float64
	baseFixed bool
}

// NewIntervalLogReader reads the interval log r.
func NewIntervalLogReader(r io.Reader) *IntervalLogReader {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	return &IntervalLogReader{sc: sc}
}

// BaseTime is the log's base time as read so far (zero before its BaseTime line,
// or when it has none).
func (lr *IntervalLogReader) BaseTime() time.Time { return lr.log.BaseTime }

// Next returns the log's next histogram, its times relative to the log's base time
// as written, or io.EOF after the last. Comment and legend lines are skipped; a
// histogram line that does not parse is an error naming its line.
func (lr *IntervalLogReader) Next() (LogHist, error) {
	for lr.sc.Scan() {
		lr.line++
		n := lr.line
		line := strings.TrimSpace(lr.sc.Text())
		if b, ok := strings.CutPrefix(line, "#[BaseTime: "); ok {
			f, _, _ := strings.Cut(b, " ")
			if v, err := strconv.ParseFloat(f, 64); err == nil {
				lr.log.BaseTime = time.UnixMilli(int64(math.Round(v * 1000))).UTC()
				lr.log.baseS, lr.log.hasBase = v, true
			}
			continue
		}
		if b, ok := strings.CutPrefix(line, "#[StartTime: "); ok {
			f, _, _ := strings.Cut(b, " ")
			if v, err := strconv.ParseFloat(f, 64); err == nil {
				lr.log.startS, lr.log.hasStartTime = v, true
			}
			continue
		}
		if line == "" || line[0] == '#' || line[0] == '"' {
			continue
		}
		var h LogHist
		if rest, ok := strings.CutPrefix(line, "Tag="); ok {
			tag, tail, ok := strings.Cut(rest, ",")
			if !ok {
				return LogHist{}, fmt.Errorf("line %d: no fields after the tag", n)
			}
			h.Tag, line = tag, tail
		}
		f := strings.Split(line, ",")
		if len(f) != 4 {
			return LogHist{}, fmt.Errorf("line %d: %d fields, want start,length,max,histogram", n, len(f))
		}
		var err error
		if h.StartS, err = strconv.ParseFloat(f[0], 64); err != nil {
			return LogHist{}, fmt.Errorf("line %d: start: %v", n, err)
		}
		if h.LengthS, err = strconv.ParseFloat(f[1], 64); err != nil {
			return LogHist{}, fmt.Errorf("line %d: length: %v", n, err)
		}
		if h.Hist, err = hdr.Decode([]byte(f[3])); err != nil {
			return LogHist{}, fmt.Errorf("line %d: histogram: %v", n, err)
		}
		if !lr.baseFixed {
			lr.base, lr.baseFixed = lr.log.absBase(h.StartS), true
		}
		return h, nil
	}
	if err := lr.sc.Err(); err != nil {
		return LogHist{}, err
	}
	return LogHist{}, io.EOF
}

// NextHistogram returns the log's next histogram as Histograms returns it: tagged
// with its metric, its start and end absolute times in ms since the epoch. It
// returns io.EOF after the last.
func (lr *IntervalLogReader) NextHistogram() (*hdr.Histogram, error) {
	h, err := lr.Next()
	if err != nil {
		return nil, err
	}
	return h.stamp(lr.base), nil
}

// absBase is the offset (seconds since the epoch) of the log's timestamps, given its
// first histogram's start, computed as HdrHistogram's own log reader computes it: the
// BaseTime line; without one, the timestamps are absolute, or relative to the
// StartTime (or the first start) when they lie more than a year before it.
func (l *IntervalLog) absBase(firstStartS float64) float64 {
	if l.hasBase {
		return l.baseS
	}
	start := l.startS
	if !l.hasStartTime {
		start = firstStartS
	}
	if firstStartS < start-365*24*3600.0 {
		return start
	}
	return 0
}

// stamp sets h's histogram's start and end to absolute times (ms since the epoch)
// given the log's base (seconds since the epoch), and its tag, and returns it.
func (h LogHist) stamp(base float64) *hdr.Histogram {
	abs := h.StartS + base
	hist := h.hist()
	hist.SetStartTimeMs(int64(abs * 1000.0))
	hist.SetEndTimeMs(int64((abs + h.LengthS) * 1000.0))
	if h.Tag != "" {
		hist.SetTag(h.Tag)
	}
	return hist
}

// Histograms returns the log's histograms in file order, each tagged with its metric
// and with its start and end set to absolute times in ms since the epoch, computed as
// HdrHistogram's own log reader computes them (a log without a BaseTime line has
// absolute timestamps, or timestamps relative to its StartTime when they lie more
// than a year before it). The histograms are the log's own where it holds them decoded,
// new ones where it holds them packed (a capped log).
func (l *IntervalLog) Histograms() []*hdr.Histogram {
	if l == nil || len(l.Hists) == 0 {
		return nil
	}
	base := l.absBase(l.Hists[0].StartS)
	out := make([]*hdr.Histogram, 0, len(l.Hists))
	for _, h := range l.Hists {
		out = append(out, h.stamp(base))
	}
	return out
}

// IntervalLogWriter writes interval histograms as an HdrHistogram interval log (the
// Java HdrHistogram log format, version 1.3): one line per metric per interval,
// tagged with the metric name, with a base64 compressed histogram of µs values and
// timestamps relative to a whole-second base time. It is not safe for concurrent use.
type IntervalLogWriter struct {
	lw *hdr.HistogramLogWriter
}

// NewIntervalLogWriter writes the log header to w: the format version, a comment,
// start as the start time and start truncated to the second as the base time.
func NewIntervalLogWriter(w io.Writer, start time.Time) (*IntervalLogWriter, error) {
	lw := hdr.NewHistogramLogWriter(w)
	// The log format writes the base time in whole seconds: keep it a whole second so
	// that a reader gets the intervals' absolute times right.
	base := start.Truncate(time.Second).UnixMilli()
	lw.SetBaseTime(base)
	for _, f := range []func() error{
		lw.OutputLogFormatVersion,
		func() error {
			return lw.OutputComment("[authbench bench: values in microseconds; Interval_Max in seconds]")
		},
		func() error { return lw.OutputStartTime(start.UnixMilli()) },
		func() error { return lw.OutputBaseTime(base) },
		lw.OutputLegend,
	} {
		if err := f(); err != nil {
			return nil, err
		}
	}
	return &IntervalLogWriter{lw: lw}, nil
}

// WriteInterval writes one interval: each metric's histogram (its start and end times
// set by the caller, in ms since the epoch), in metric-name order, tagged with the
// name. The histograms' tags are left empty.
func (l *IntervalLogWriter) WriteInterval(hists map[string]*hdr.Histogram) error {
	for _, m := range slices.Sorted(maps.Keys(hists)) {
		h := hists[m]
		h.SetTag(m)
		err := l.lw.OutputIntervalHistogram(h)
		h.SetTag("")
		if err != nil {
			return err
		}
	}
	return nil
}

// Tags lists the log's metric names, sorted.
func (l *IntervalLog) Tags() []string {
	if l == nil {
		return nil
	}
	set := map[string]bool{}
	for _, h := range l.Hists {
		set[h.Tag] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// Series returns tag's histograms in time order, every one decoded: for a long
// run's capped log, prefer [IntervalLog.EachOfSeries], which decodes one at a time.
func (l *IntervalLog) Series(tag string) []LogHist {
	var out []LogHist
	l.EachOfSeries(tag, func(h LogHist) { out = append(out, h) })
	return out
}

// EachOfSeries calls fn with each of tag's histograms in time order, decoded (Hist
// set) one at a time, so that the packed histograms of a capped log stay packed: a
// report page of an hours-long run holds one decoded histogram, not 240 per metric.
func (l *IntervalLog) EachOfSeries(tag string, fn func(LogHist)) {
	if l == nil {
		return
	}
	var idx []int
	for i := range l.Hists {
		if l.Hists[i].Tag == tag {
			idx = append(idx, i)
		}
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch sa, sb := l.Hists[a].StartS, l.Hists[b].StartS; {
		case sa < sb:
			return -1
		case sa > sb:
			return 1
		}
		return 0
	})
	for _, i := range idx {
		h := l.Hists[i]
		h.Hist, h.packed = h.hist(), nil
		fn(h)
	}
}

// Merged returns one histogram holding all of tag's values, or nil when the log has
// none.
func (l *IntervalLog) Merged(tag string) *hdr.Histogram {
	if l == nil {
		return nil
	}
	var m *hdr.Histogram
	for i := range l.Hists {
		if l.Hists[i].Tag != tag {
			continue
		}
		h := l.Hists[i].hist() // one at a time: packed histograms stay packed
		if m == nil {
			m = hdr.New(h.LowestTrackableValue(), h.HighestTrackableValue(), int(h.SignificantFigures()))
		}
		m.Merge(h)
	}
	return m
}

// StatsOf summarises h as the bench summary does.
func StatsOf(h *hdr.Histogram) Stats {
	if h == nil || h.TotalCount() == 0 {
		return Stats{}
	}
	q := h.ValueAtPercentiles([]float64{50, 90, 95, 99, 99.9})
	return Stats{Count: h.TotalCount(), Mean: float64(int64(h.Mean()*10)) / 10,
		P50: q[50], P90: q[90], P95: q[95], P99: q[99], P999: q[99.9], Max: h.Max()}
}
