package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Schema is the schema string of authbench's JSON reports.
const Schema = "authbench.report/v1"

// The file names of a run directory.
const (
	// SummaryFile is a bench run's JSON summary.
	SummaryFile = "summary.json"
	// IntervalLogFile is a bench run's HdrHistogram interval log.
	IntervalLogFile = "intervals.hlog"
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

// BenchSummary is the part of a bench summary (kind "bench") that reports read. It
// mirrors bench.Summary field for field by JSON name, so reports need not import the
// engine (and the engine may import reports).
type BenchSummary struct {
	Schema      string    `json:"schema"`
	Kind        string    `json:"kind"`
	Target      string    `json:"target"`
	Mode        string    `json:"mode"`
	Start       time.Time `json:"start"`
	End         time.Time `json:"end"`
	WallS       float64   `json:"wall_s"`
	Interrupted bool      `json:"interrupted"`
	Config      struct {
		Rate   float64 `json:"rate_per_s,omitempty"`
		Stages []struct {
			DurationS float64 `json:"duration_s"`
			From      float64 `json:"from_per_s"`
			To        float64 `json:"to_per_s"`
		} `json:"stages,omitempty"`
		DurationS       float64        `json:"duration_s,omitempty"`
		Iterations      int64          `json:"iterations,omitempty"`
		Users           int            `json:"users,omitempty"`
		ThinkS          float64        `json:"think_s,omitempty"`
		MaxInflight     int            `json:"maxInflight,omitempty"`
		LateToleranceUS int64          `json:"lateTolerance_us"`
		IntervalS       float64        `json:"interval_s"`
		Mix             map[string]int `json:"mix,omitempty"`
		UserSet         int            `json:"userSet,omitempty"`
	} `json:"config"`
	Totals struct {
		Planned          int64 `json:"planned"`
		Started          int64 `json:"started"`
		Completed        int64 `json:"completed"`
		OK               int64 `json:"ok"`
		Errors           int64 `json:"errors"`
		Throttles        int64 `json:"throttles"`
		LateStarts       int64 `json:"lateStarts"`
		UserWaits        int64 `json:"userWaits"`
		Clamped          int64 `json:"clamped"`
		HistogramDropped int64 `json:"histogramDropped"`
		MaxStartLagUS    int64 `json:"maxStartLag_us"`
	} `json:"totals"`
	Rates struct {
		Planned  float64 `json:"planned_per_s"`
		Achieved float64 `json:"achieved_per_s"`
	} `json:"rates"`
	Metrics      map[string]Stats            `json:"metrics"`
	Outcomes     map[string]int64            `json:"outcomes"`
	FlowOutcomes map[string]map[string]int64 `json:"flowOutcomes"`
	NextSteps    map[string]int64            `json:"nextSteps"`
	CPU          struct {
		User        float64 `json:"user_s"`
		System      float64 `json:"system_s"`
		Wall        float64 `json:"wall_s"`
		Cores       int     `json:"cores"`
		Utilization float64 `json:"utilization"`
		Saturated   bool    `json:"saturated"`
		Known       bool    `json:"known"`
	} `json:"loadGeneratorCPU"`
	Warnings []string `json:"warnings"`
	// Run identifies the run and shard; Merge is set on a summary merged from
	// shards; Thresholds are the thresholds evaluated on it.
	Run *struct {
		ID         string    `json:"id"`
		ConfigHash string    `json:"configHash"`
		Shard      int       `json:"shard"`
		Shards     int       `json:"shards"`
		StartAt    time.Time `json:"startAt"`
	} `json:"run,omitempty"`
	Merge *struct {
		Shards  int   `json:"shards"`
		Merged  []int `json:"merged"`
		Missing []int `json:"missing"`
		Partial bool  `json:"partial"`
	} `json:"merge,omitempty"`
	Thresholds []struct {
		Threshold string  `json:"threshold"`
		Passed    bool    `json:"passed"`
		Actual    float64 `json:"actual"`
		Missing   bool    `json:"missing,omitempty"`
	} `json:"thresholds,omitempty"`
	Intervals []struct {
		StartS    float64          `json:"start_s"`
		EndS      float64          `json:"end_s"`
		Started   int64            `json:"started"`
		Completed int64            `json:"completed"`
		Outcomes  map[string]int64 `json:"outcomes"`
		Metrics   map[string]Stats `json:"metrics"`
	} `json:"intervals"`
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

// ConformReport is the JSON report of a conformance run (kind "conform").
type ConformReport struct {
	Schema  string        `json:"schema"`
	Kind    string        `json:"kind"`
	Target  string        `json:"target"`
	Start   time.Time     `json:"start"`
	End     time.Time     `json:"end"`
	Passed  int           `json:"passed"`
	Failed  int           `json:"failed"`
	Skipped int           `json:"skipped"`
	Specs   []ConformSpec `json:"specs"`
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
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var h header
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if h.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, want %q", path, h.Schema, Schema)
	}
	r := &Run{Dir: filepath.Dir(path), Path: path, Kind: h.Kind}
	switch h.Kind {
	case "bench":
		r.Bench = new(BenchSummary)
		err = json.Unmarshal(b, r.Bench)
	case "conform":
		r.Conform = new(ConformReport)
		err = json.Unmarshal(b, r.Conform)
	default:
		return nil, fmt.Errorf("%s: unknown report kind %q", path, h.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return r, nil
}

// LoadRun reads a run from path: a run directory (its summary.json, or else the one
// authbench JSON report in it) or a JSON report file. A bench run's interval log is
// read when it is next to the summary.
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
	r, err := ReadReport(file)
	if err != nil {
		return nil, err
	}
	if r.Kind == "bench" {
		f, err := os.Open(filepath.Join(r.Dir, IntervalLogFile))
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, err
		default:
			defer f.Close()
			if r.Log, err = ReadIntervalLog(f); err != nil {
				return nil, fmt.Errorf("%s: %v", f.Name(), err)
			}
		}
	}
	return r, nil
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
