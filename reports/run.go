package reports

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/authbench/authbench/internal/jsonstream"
)

// Schema is the schema string of authbench's JSON reports.
const Schema = "authbench.report/v1"

// The file names of a run directory.
const (
	// SummaryFile is a bench run's JSON summary.
	SummaryFile = "summary.json"
	// IntervalLogFile is a bench run's HdrHistogram interval log.
	IntervalLogFile = "intervals.hlog"
	// IntervalRowsFile is a bench run's per-interval summary rows (BenchInterval),
	// one JSON object a line, streamed during the run; summary.json's "intervals"
	// array is copied from it.
	IntervalRowsFile = "intervals.ndjson"
	// HTMLFile is the report page `authbench report` writes.
	HTMLFile = "report.html"
	// JUnitFile is the JUnit report `authbench report` writes for a conform run.
	JUnitFile = "junit.xml"
)

// Stats are one metric's statistics, in µs (the bench summary's "metrics" entries).
type Stats struct {
	Count int64   `json:"count"`
	Mean  float64 `json:"mean_us"`
	P50   int64   `json:"p50_us"`
	P90   int64   `json:"p90_us"`
	P95   int64   `json:"p95_us"`
	P99   int64   `json:"p99_us"`
	P999  int64   `json:"p99_9_us"`
	Max   int64   `json:"max_us"`
}

// BenchSummary is the versioned JSON summary of a bench run (kind "bench"). Package
// bench writes it (bench.Summary is this type) and reports read it; the schema is
// defined here, below bench, so the engine may import reports. Maps are written with
// sorted keys (encoding/json sorts them), so summaries diff cleanly.
type BenchSummary struct {
	Schema string    `json:"schema"`
	Kind   string    `json:"kind"`
	Target string    `json:"target"`
	Mode   string    `json:"mode"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	// WallS is End − Start in seconds.
	WallS       float64     `json:"wall_s"`
	Interrupted bool        `json:"interrupted"`
	Config      BenchConfig `json:"config"`
	Totals      BenchTotals `json:"totals"`
	Rates       BenchRates  `json:"rates"`
	// Metrics are the run's stats per metric (µs).
	Metrics      map[string]Stats            `json:"metrics"`
	Outcomes     map[string]int64            `json:"outcomes"`
	FlowOutcomes map[string]map[string]int64 `json:"flowOutcomes"`
	NextSteps    map[string]int64            `json:"nextSteps"`
	CPU          CPUUsage                    `json:"loadGeneratorCPU"`
	// Spin is the pacer's spinning (added to schema v1; absent in older summaries
	// and on a virtual clock).
	Spin      *SpinUsage      `json:"pacerSpin,omitempty"`
	Warnings  []string        `json:"warnings"`
	Intervals []BenchInterval `json:"intervals"`
	// Run identifies the run and shard (with --out).
	Run *RunInfo `json:"run,omitempty"`
	// Merge is set on a summary merged from shards.
	Merge *MergeInfo `json:"merge,omitempty"`
	// Thresholds are the evaluated thresholds (absent on a shard: merge checks them).
	Thresholds []ThresholdOutcome `json:"thresholds,omitempty"`
}

// BenchConfig is the run's configuration as reported (no secrets).
type BenchConfig struct {
	Rate            float64        `json:"rate_per_s,omitempty"`
	Stages          []BenchStage   `json:"stages,omitempty"`
	DurationS       float64        `json:"duration_s,omitempty"`
	Iterations      int64          `json:"iterations,omitempty"`
	Users           int            `json:"users,omitempty"`
	ThinkS          float64        `json:"think_s,omitempty"`
	MaxInflight     int            `json:"maxInflight,omitempty"`
	LateToleranceUS int64          `json:"lateTolerance_us"`
	IntervalS       float64        `json:"interval_s"`
	Mix             map[string]int `json:"mix,omitempty"`
	UserSet         int            `json:"userSet,omitempty"`
}

// BenchStage is a stage as reported.
type BenchStage struct {
	DurationS float64 `json:"duration_s"`
	From      float64 `json:"from_per_s"`
	To        float64 `json:"to_per_s"`
}

// BenchTotals are the run's counts.
type BenchTotals struct {
	Planned   int64 `json:"planned"`
	Started   int64 `json:"started"`
	Completed int64 `json:"completed"`
	OK        int64 `json:"ok"`
	Errors    int64 `json:"errors"`
	// Throttles counts TooManyRequestsException outcomes.
	Throttles  int64 `json:"throttles"`
	LateStarts int64 `json:"lateStarts"`
	UserWaits  int64 `json:"userWaits"`
	Clamped    int64 `json:"clamped"`
	// HistogramDropped is what histogram merges dropped (0 unless something broke).
	HistogramDropped int64 `json:"histogramDropped"`
	MaxStartLagUS    int64 `json:"maxStartLag_us"`
}

// BenchRates compares the planned and achieved start rates (per second).
type BenchRates struct {
	Planned  float64 `json:"planned_per_s"`
	Achieved float64 `json:"achieved_per_s"`
}

// BenchInterval is one interval's stats, its bounds as seconds since the start.
type BenchInterval struct {
	StartS    float64          `json:"start_s"`
	EndS      float64          `json:"end_s"`
	Started   int64            `json:"started"`
	Completed int64            `json:"completed"`
	Outcomes  map[string]int64 `json:"outcomes"`
	Metrics   map[string]Stats `json:"metrics"`
}

// CPUUsage is the load generator's own CPU use over a run.
type CPUUsage struct {
	// User and System are the process's CPU time in seconds.
	User   float64 `json:"user_s"`
	System float64 `json:"system_s"`
	// Wall is the run's length in seconds; Cores is GOMAXPROCS.
	Wall  float64 `json:"wall_s"`
	Cores int     `json:"cores"`
	// Utilization is (User+System) / (Wall·Cores), from 0 to 1.
	Utilization float64 `json:"utilization"`
	// Saturated is set when Utilization exceeds bench.SaturationThreshold.
	Saturated bool `json:"saturated"`
	// Known is false where the platform gives no process CPU time.
	Known bool `json:"known"`
}

// SpinUsage is the open loop's spinning over a run: the waits whose last stretch it
// spent yielding in a loop for sub-millisecond start accuracy, and the CPU that took.
type SpinUsage struct {
	// Mode is "auto" (spinning only while starts are under 2 ms apart, part of each
	// gap), "fixed" (--spin D) or "off" (--spin 0).
	Mode string `json:"mode"`
	// SpinUS is the fixed spin, or for "auto" the spin at the peak rate (µs);
	// PeakGapUS the mean gap between starts at the peak rate (µs).
	SpinUS    int64 `json:"spin_us"`
	PeakGapUS int64 `json:"peakGap_us"`
	// Waits counts the waits that spun; CPUS is the time spent spinning, from each
	// timer's wake-up to its start (one core busy while it lasts: an upper bound on
	// the spin's CPU), Share that time over the run's wall time.
	Waits int64   `json:"waits"`
	CPUS  float64 `json:"cpu_s"`
	Share float64 `json:"share"`
}

// RunInfo identifies a run and, for a sharded run, the shard; shards of one run carry
// the same RunID, ConfigHash, StartAt and Histogram, and merging refuses any mix.
type RunInfo struct {
	// RunID names the run: its common start time and its config hash.
	RunID string `json:"id"`
	// ConfigHash hashes the settings every shard must share (every flag but the
	// shard index and the output paths).
	ConfigHash string `json:"configHash"`
	// Shard is this shard's index (0-based) of Shards.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// StartAt is the common start time the schedule is anchored to.
	StartAt time.Time `json:"startAt"`
	// Histogram describes the histograms, which must match to be merged.
	Histogram HistogramSettings `json:"histogram"`
	// Thresholds are the run's thresholds as written, checked on the merged data.
	Thresholds []string `json:"thresholds,omitempty"`
}

// HistogramSettings are the recorder's histogram parameters.
type HistogramSettings struct {
	Unit      string  `json:"unit"`
	Lowest    int64   `json:"lowest"`
	Highest   int64   `json:"highest"`
	Digits    int     `json:"significantDigits"`
	IntervalS float64 `json:"interval_s"`
}

// MergeInfo describes a merged summary: which shards went into it.
type MergeInfo struct {
	Shards  int   `json:"shards"`
	Merged  []int `json:"merged"`
	Missing []int `json:"missing"`
	// Partial is set when shards were missing (merge --allow-partial).
	Partial bool `json:"partial"`
}

// ThresholdOutcome is an evaluated threshold as the summary reports it. Actual is
// the raw value in Unit (µs for latency aggregates); ActualText the same value as
// people read it ("6.82ms"). Unit and ActualText were added to schema v1 without
// changing its meaning: summaries without them read as before, and a reader
// derives them from the threshold with [ThresholdOutcome.Text].
type ThresholdOutcome struct {
	Threshold  string  `json:"threshold"`
	Passed     bool    `json:"passed"`
	Actual     float64 `json:"actual"`
	Unit       string  `json:"unit,omitempty"`
	ActualText string  `json:"actualText,omitempty"`
	Missing    bool    `json:"missing,omitempty"`
}

// Text is the outcome's actual value with its unit: ActualText when the summary
// has it, else formatted from the threshold (older summaries), else the bare
// number; "no such metric" when the run lacked it.
func (o ThresholdOutcome) Text() string {
	switch {
	case o.Missing:
		return "no such metric"
	case o.ActualText != "":
		return o.ActualText
	}
	if t, err := ParseThreshold(o.Threshold); err == nil {
		return t.Format(o.Actual)
	}
	return num(o.Actual)
}

// WriteJSON writes s as indented JSON.
func (s *BenchSummary) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// WriteJSONRows writes s as WriteJSON does, byte for byte, except that its
// "intervals" array is copied from rows (BenchInterval objects, one JSON value
// after another, as intervals.ndjson holds them) one at a time instead of from
// s.Intervals, which must be empty: writing the summary of an hours-long run holds
// one interval in memory, not all of them.
func (s *BenchSummary) WriteJSONRows(w io.Writer, rows io.Reader) error {
	if len(s.Intervals) > 0 {
		return errors.New("reports: a summary written from interval rows holds no intervals of its own")
	}
	c := *s
	c.Intervals = []BenchInterval{}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return err
	}
	const mark = "\n  \"intervals\": []"
	head, tail, ok := bytes.Cut(b, []byte(mark))
	if !ok {
		return errors.New("reports: no intervals array in the summary")
	}
	bw := bufio.NewWriter(w)
	bw.Write(head)
	bw.WriteString("\n  \"intervals\": [")
	dec := json.NewDecoder(rows)
	n := 0
	for {
		var iv BenchInterval
		if err := dec.Decode(&iv); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return fmt.Errorf("interval row %d: %w", n+1, err)
		}
		e, err := json.MarshalIndent(&iv, "    ", "  ")
		if err != nil {
			return err
		}
		if n > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(e)
		n++
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteByte(']')
	bw.Write(tail)
	bw.WriteByte('\n')
	return bw.Flush()
}

// ReadIntervalRows reads an intervals.ndjson stream.
func ReadIntervalRows(r io.Reader) ([]BenchInterval, error) {
	out := []BenchInterval{}
	err := EachIntervalRow(r, func(iv BenchInterval) { out = append(out, iv) })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// EachIntervalRow calls fn with each row of an intervals.ndjson stream, in order,
// holding one at a time.
func EachIntervalRow(r io.Reader, fn func(BenchInterval)) error {
	dec := json.NewDecoder(r)
	for n := 1; ; n++ {
		var iv BenchInterval
		if err := dec.Decode(&iv); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return fmt.Errorf("interval row %d: %w", n, err)
		}
		fn(iv)
	}
}

// When late starts matter: an open-loop run's lateness is material when more than
// LateWarnFraction of its sign-ins started late or its p99 start lag exceeds
// LateWarnP99. Below both, lateness is timer noise or a brief hiccup that moves no
// percentile a user reads (latency is measured from the intended start anyway); the
// counts are still reported.
const (
	LateWarnFraction = 0.01
	LateWarnP99      = 10 * time.Millisecond
)

// LateStartsMaterial reports whether s's late starts are material (see
// LateWarnFraction): bench warns about them and the HTML page marks them.
func LateStartsMaterial(s *BenchSummary) bool {
	t := s.Totals
	if s.Mode != "open" || t.LateStarts == 0 || t.Started == 0 {
		return false
	}
	p99 := time.Duration(s.Metrics[MetricStartLag].P99) * time.Microsecond
	return float64(t.LateStarts)/float64(t.Started) > LateWarnFraction || p99 > LateWarnP99
}

// ErrorRate is the fraction of completed sign-ins that did not end "ok".
func (s *BenchSummary) ErrorRate() float64 {
	if s.Totals.Completed == 0 {
		return 0
	}
	return float64(s.Totals.Errors) / float64(s.Totals.Completed)
}

// ConformSpec is one spec of a conformance report.
type ConformSpec struct {
	Name       string   `json:"name"`
	Labels     []string `json:"labels"`
	State      string   `json:"state"`
	DurationMS int64    `json:"duration_ms"`
	SkipReason string   `json:"skip_reason,omitempty"`
	Failure    string   `json:"failure,omitempty"`
	Location   string   `json:"location,omitempty"`
}

// ConformTarget names the pool and app client a conformance run tested, and where:
// identifiers only, never a secret. For the embedded pool, whose specs each create
// their own pool, PoolID says so.
type ConformTarget struct {
	PoolID   string `json:"poolId,omitempty"`
	ClientID string `json:"clientId,omitempty"`
	Region   string `json:"region,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

// Properties lists the target's fields as name/value pairs, in a fixed order, for
// JUnit properties and the HTML page; empty fields are left out.
func (t *ConformTarget) Properties() [][2]string {
	if t == nil {
		return nil
	}
	var out [][2]string
	for _, p := range [][2]string{{"poolId", t.PoolID}, {"clientId", t.ClientID}, {"region", t.Region}, {"endpoint", t.Endpoint}} {
		if p[1] != "" {
			out = append(out, p)
		}
	}
	return out
}

// ConformReport is the JSON report of a conformance run (kind "conform"). Pool
// (added to schema v1; absent in older reports) names what was tested.
type ConformReport struct {
	Schema  string         `json:"schema"`
	Kind    string         `json:"kind"`
	Target  string         `json:"target"`
	Pool    *ConformTarget `json:"pool,omitempty"`
	Start   time.Time      `json:"start"`
	End     time.Time      `json:"end"`
	Passed  int            `json:"passed"`
	Failed  int            `json:"failed"`
	Skipped int            `json:"skipped"`
	// NotSelected counts the specs --label-filter or --focus left out (state "not
	// selected"); added to schema v1, zero in older reports, where such specs
	// counted as skipped.
	NotSelected int           `json:"notSelected,omitempty"`
	Specs       []ConformSpec `json:"specs"`
}

// Run is what a run directory holds: a bench summary with its interval log, or a
// conformance report.
type Run struct {
	// Dir is the run directory; Path the JSON report read from it.
	Dir, Path string
	// Kind is "bench" or "conform".
	Kind    string
	Bench   *BenchSummary
	Log     *IntervalLog // nil when the directory has no interval log
	Conform *ConformReport
}

type header struct {
	Schema string `json:"schema"`
	Kind   string `json:"kind"`
}

// ReadReport reads a JSON report file (a bench summary or a conform report).
func ReadReport(path string) (*Run, error) {
	return readReport(path, 0)
}

// readReport reads a JSON report file as ReadReport does, decoding it as a stream:
// a bench summary's "intervals" rows are read one at a time and, with maxRows > 0,
// kept in at most maxRows rows (capRows), so that the summary of a run of any
// length is read in bounded memory.
func readReport(path string, maxRows int) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	var rows *capBuckets[BenchInterval]
	b, err := jsonstream.Head(dec, "intervals", func() error {
		rows = newRowBuckets()
		return jsonstream.Array(dec, func() error {
			var iv BenchInterval
			if err := dec.Decode(&iv); err != nil {
				return err
			}
			rows.add(iv, capOrAll(maxRows))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if h.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, h.Schema, Schema)
	}
	r := &Run{Dir: filepath.Dir(path), Path: path, Kind: h.Kind}
	switch h.Kind {
	case "bench":
		r.Bench = new(BenchSummary)
		err = json.Unmarshal(b, r.Bench)
		if rows != nil {
			r.Bench.Intervals = append([]BenchInterval{}, rows.items...)
		}
	case "conform":
		r.Conform = new(ConformReport)
		err = json.Unmarshal(b, r.Conform)
	default:
		return nil, fmt.Errorf("%s: unknown report kind %q", path, h.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// capRows: a run's per-interval rows are kept as its interval log's histograms are
// (capBuckets): past the cap, neighbouring rows are merged into one row spanning
// both, their counts and outcomes summed. Per-interval latency statistics do not
// merge (a percentile of two intervals is not made of theirs), so a merged row has
// none: the page takes per-interval latency from the interval log, whose histograms
// merge exactly.
func newRowBuckets() *capBuckets[BenchInterval] {
	return &capBuckets[BenchInterval]{join: joinRows}
}

// joinRows merges next, the row of the interval that follows into's, into into.
func joinRows(into *BenchInterval, next BenchInterval) {
	into.EndS = next.EndS
	into.Started += next.Started
	into.Completed += next.Completed
	if len(next.Outcomes) > 0 {
		o := make(map[string]int64, len(into.Outcomes)+len(next.Outcomes))
		for k, v := range into.Outcomes {
			o[k] += v
		}
		for k, v := range next.Outcomes {
			o[k] += v
		}
		into.Outcomes = o
	}
	into.Metrics = nil
}

// capOrAll is maxRows, or no cap (the largest int) when it is 0.
func capOrAll(maxRows int) int {
	if maxRows > 0 {
		return maxRows
	}
	return math.MaxInt
}

// LoadRun reads a run from path: a run directory (its summary.json, or else the one
// authbench JSON report in it) or a JSON report file. A bench run's interval log is
// read when it is next to the summary, at most MaxReportIntervals histograms per
// metric (ReadIntervalLogCapped), and its per-interval rows (from the summary, or
// from the intervals.ndjson next to a summary without them) at most
// MaxReportIntervals rows, neighbours merged past that (their latency statistics
// dropped: see newRowBuckets), so that the report of an hours-long run fits in
// memory. A run of at most MaxReportIntervals intervals is read whole.
func LoadRun(path string) (*Run, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	file := path
	if fi.IsDir() {
		if file, err = findReport(path); err != nil {
			return nil, err
		}
	}
	r, err := readReport(file, MaxReportIntervals)
	if err != nil {
		return nil, err
	}
	if r.Kind == "bench" {
		if err := r.readRows(MaxReportIntervals); err != nil {
			return nil, err
		}
		f, err := os.Open(filepath.Join(r.Dir, IntervalLogFile))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			defer f.Close()
			if r.Log, err = ReadIntervalLogCapped(f, MaxReportIntervals); err != nil {
				return nil, fmt.Errorf("%s: %w", f.Name(), err)
			}
		}
	}
	return r, nil
}

// readRows fills a bench summary that holds no intervals from the intervals.ndjson
// next to it, when there is one (a summary written without them), keeping at most
// maxRows rows (0: all) as readReport does.
func (r *Run) readRows(maxRows int) error {
	if len(r.Bench.Intervals) > 0 {
		return nil
	}
	f, err := os.Open(filepath.Join(r.Dir, IntervalRowsFile))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	}
	defer f.Close()
	rows := newRowBuckets()
	if err := EachIntervalRow(bufio.NewReader(f), func(iv BenchInterval) { rows.add(iv, capOrAll(maxRows)) }); err != nil {
		return fmt.Errorf("%s: %w", f.Name(), err)
	}
	r.Bench.Intervals = append([]BenchInterval{}, rows.items...)
	return nil
}

// findReport picks the JSON report of a run directory: summary.json, or else the only
// *.json file whose schema is authbench's.
func findReport(dir string) (string, error) {
	p := filepath.Join(dir, SummaryFile)
	if _, err := os.Stat(p); err == nil {
		return p, nil
	}
	names, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return "", err
	}
	slices.Sort(names)
	var found []string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			return "", err
		}
		var h header
		if json.Unmarshal(b, &h) == nil && h.Schema == Schema {
			found = append(found, n)
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("%s: no %s and no authbench JSON report", dir, SummaryFile)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%s: several JSON reports (%s, %s, …): name the file", dir, filepath.Base(found[0]), filepath.Base(found[1]))
}
