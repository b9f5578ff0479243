package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run with -update if the change is intended)\n--- got:\n%s", path, got)
	}
}

// goldenRun builds a deterministic result: 50 sign-ins at 50/s over two 0.5 s
// intervals, recorded through the recorder as the engine does, with fixed timings.
func goldenRun(t *testing.T, onInterval func(*Interval)) *Result {
	t.Helper()
	t0 := newFakeClock().Now()
	rec := NewRecorder(2, nil)
	res := &Result{Mode: Open, Start: t0, End: t0.Add(time.Second), Planned: 50,
		Config: Config{Schedule: Schedule{Rate: 50, Duration: time.Second}, MaxInflight: DefaultMaxInflight,
			LateTolerance: DefaultLateTolerance, Interval: 500 * time.Millisecond}}
	rec.onInterval = func(iv *Interval) {
		res.Intervals = append(res.Intervals, Interval{Start: iv.Start, End: iv.End, Metrics: iv.Metrics, Counters: iv.Counters})
		onInterval(iv)
	}
	for seq := int64(0); seq < 50; seq++ {
		it := &Iteration{Seq: seq, Flow: []string{"srp", "totp"}[seq%2]}
		it.SRP(time.Duration(1000+seq*10) * time.Microsecond)
		it.Call("InitiateAuth", time.Duration(2000+seq*100)*time.Microsecond, nil)
		it.Call("RespondToAuthChallenge", 3*time.Millisecond, nil)
		if it.Flow == "totp" {
			it.Step("confirmSignInWithTotpMfaCode")
		}
		it.Step("done")
		code := OutcomeOK
		if seq%5 == 4 {
			code = ThrottleCode
		}
		service := time.Duration(10+seq) * time.Millisecond
		lag := time.Duration(seq%3) * time.Millisecond
		it.Record(MetricStartLag, lag)
		it.Record(MetricLatency, service+lag)
		it.Record(MetricService, service)
		it.Record("flow."+it.Flow+".latency", service+lag)
		c := Counters{Started: 1, Completed: 1, Outcomes: map[string]int64{code: 1},
			FlowOutcomes: map[string]map[string]int64{it.Flow: {code: 1}}, NextSteps: map[string]int64{}}
		for _, s := range it.steps {
			c.NextSteps[s]++
		}
		rec.commit(int(seq), it.samples, &c)
		if seq == 24 {
			rec.Flush(t0, t0.Add(500*time.Millisecond))
		}
	}
	rec.Flush(t0.Add(500*time.Millisecond), t0.Add(time.Second))
	res.Metrics, res.Counters = rec.Totals()
	res.MaxLag = 2 * time.Millisecond
	res.CPU = CPUUsage{User: 0.05, System: 0.01, Wall: 1, Cores: 2, Utilization: 0.03, Known: true}
	return res
}

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	var log bytes.Buffer
	hl, err := NewHistogramLog(&log, newFakeClock().Now()) // the fake clock's start
	if err != nil {
		t.Fatal(err)
	}
	res := goldenRun(t, hl.OnInterval)
	if err := hl.Err(); err != nil {
		t.Fatal(err)
	}
	s := NewSummary(res, Meta{Target: "embedded", Mix: map[string]int{"srp": 50, "totp": 50}, UserSet: 8})
	var js, txt bytes.Buffer
	if err := s.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := WriteText(&txt, &s); err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.json", js.Bytes())
	golden(t, "summary.txt", txt.Bytes())
	golden(t, "intervals.hlog", log.Bytes())

	// The schema: kind, counts that add up, no secrets.
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["schema"] != SummarySchema || m["kind"] != "bench" {
		t.Errorf("schema/kind: %v %v", m["schema"], m["kind"])
	}
	if tot := s.Totals; tot.OK+tot.Errors != tot.Completed || tot.Completed != tot.Started || tot.Throttles != 10 {
		t.Errorf("totals do not add up: %+v", tot)
	}
	if strings.Contains(js.String(), "secret") {
		t.Error("the summary contains a user's password")
	}
	// The log reads back: one tagged histogram per metric, counts as recorded.
	r := hdr.NewHistogramLogReader(bytes.NewReader(log.Bytes()))
	var n int64
	for h, err := r.NextIntervalHistogram(); h != nil && err == nil; h, err = r.NextIntervalHistogram() {
		if h.Tag() == MetricLatency {
			n += h.TotalCount()
		}
	}
	if n != 50 {
		t.Errorf("interval log holds %d signin.latency values, want 50", n)
	}
}
