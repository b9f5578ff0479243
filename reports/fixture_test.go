package reports

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// -fixtures rewrites testdata/ramp, a bench run made up here (deterministically) in
// the format bench writes: a 20 s ramp with a throttling episode.
var fixtures = flag.Bool("fixtures", false, "regenerate the synthetic run in testdata/ramp")

func statsJSON(h *hdr.Histogram) map[string]any {
	st := StatsOf(h)
	return map[string]any{"count": st.Count, "mean_us": st.Mean, "p50_us": st.P50, "p90_us": st.P90, "p95_us": st.P95, "p99_us": st.P99, "p99_9_us": st.P999, "max_us": st.Max}
}

func TestWriteFixture(t *testing.T) {
	if !*fixtures {
		t.Skip("run with -fixtures to regenerate testdata/ramp")
	}
	dir := filepath.Join("testdata", "ramp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Date(2024, 3, 1, 12, 0, 0, 250e6, time.UTC)
	base := start.Truncate(time.Second)
	logf, err := os.Create(filepath.Join(dir, IntervalLogFile))
	if err != nil {
		t.Fatal(err)
	}
	lw := hdr.NewHistogramLogWriter(logf)
	lw.SetBaseTime(base.UnixMilli())
	for _, err := range []error{lw.OutputLogFormatVersion(), lw.OutputComment("[authbench bench: values in microseconds; Interval_Max in seconds]"),
		lw.OutputStartTime(start.UnixMilli()), lw.OutputBaseTime(base.UnixMilli()), lw.OutputLegend()} {
		if err != nil {
			t.Fatal(err)
		}
	}
	names := []string{"api.InitiateAuth", "api.RespondToAuthChallenge", "flow.srp.latency", "flow.totp.latency", "signin.latency", "signin.service", "srp", "start.lag"}
	total := map[string]*hdr.Histogram{}
	for _, n := range names {
		total[n] = hdr.New(1, 60_000_000, 3)
	}
	outcomes, steps := map[string]int64{}, map[string]int64{"done": 0, "confirmSignInWithTotpMfaCode": 0}
	flowOut := map[string]map[string]int64{"srp": {}, "totp": {}}
	var intervals []map[string]any
	var started, late int64
	var maxLag int64
	for i := range 20 {
		rate := 60.0
		if i < 10 {
			rate = 20 + 4*float64(i)
		}
		n := int(rate)
		hs := map[string]*hdr.Histogram{}
		for _, m := range names {
			hs[m] = hdr.New(1, 60_000_000, 3)
		}
		ivOut := map[string]int64{}
		for j := range n {
			w := float64((j*37+i*11)%100) / 100 // 0..1, deterministic spread
			srp := int64(1200 + 400*w)
			ia := int64(3000 + 2500*w*w)
			rt := int64(2800 + 1500*w)
			lag := int64(200 + 300*w)
			if i >= 13 && i <= 16 {
				ia += int64(20000 * w * w * w)
				lag += int64(8000 * w * w)
			}
			flow := "srp"
			if j%2 == 1 {
				flow = "totp"
			}
			service := 2*srp + ia + rt + 4000
			code := "ok"
			switch {
			case i >= 14 && i <= 16 && j%5 == 0:
				code = "TooManyRequestsException"
			case (i*n+j)%97 == 0:
				code = "NotAuthorizedException"
			}
			for m, v := range map[string]int64{"srp": srp, "api.InitiateAuth": ia, "api.RespondToAuthChallenge": rt, "signin.service": service,
				"signin.latency": service + lag, "start.lag": lag, "flow." + flow + ".latency": service + lag} {
				if err := hs[m].RecordValue(v); err != nil {
					t.Fatal(err)
				}
			}
			maxLag = max(maxLag, lag)
			if lag > 2000 {
				late++
			}
			ivOut[code]++
			flowOut[flow][code]++
			if code == "ok" {
				if flow == "totp" {
					steps["confirmSignInWithTotpMfaCode"]++
				}
				steps["done"]++
			}
		}
		started += int64(n)
		ivStart := start.Add(time.Duration(i) * time.Second)
		ivm := map[string]any{}
		for _, m := range names {
			h := hs[m]
			h.SetStartTimeMs(ivStart.UnixMilli())
			h.SetEndTimeMs(ivStart.Add(time.Second).UnixMilli())
			h.SetTag(m)
			if err := lw.OutputIntervalHistogram(h); err != nil {
				t.Fatal(err)
			}
			total[m].Merge(h)
			ivm[m] = statsJSON(h)
		}
		for k, v := range ivOut {
			outcomes[k] += v
		}
		intervals = append(intervals, map[string]any{"start_s": float64(i), "end_s": float64(i + 1), "started": n, "completed": n, "outcomes": ivOut, "metrics": ivm})
	}
	if err := logf.Close(); err != nil {
		t.Fatal(err)
	}
	metrics := map[string]any{}
	for _, m := range slices.Sorted(maps.Keys(total)) {
		metrics[m] = statsJSON(total[m])
	}
	errs := started - outcomes["ok"]
	sum := map[string]any{
		"schema": Schema, "kind": "bench", "target": "embedded", "mode": "open",
		"start": start, "end": start.Add(20 * time.Second), "wall_s": 20, "interrupted": false,
		"config": map[string]any{"stages": []map[string]any{{"duration_s": 10, "from_per_s": 20, "to_per_s": 60}, {"duration_s": 10, "from_per_s": 60, "to_per_s": 60}},
			"maxInflight": 1000, "lateTolerance_us": 2000, "interval_s": 1, "mix": map[string]int{"srp": 50, "totp": 50}, "userSet": 64},
		"totals": map[string]any{"planned": started, "started": started, "completed": started, "ok": outcomes["ok"], "errors": errs,
			"throttles": outcomes["TooManyRequestsException"], "lateStarts": late, "userWaits": 0, "clamped": 0, "histogramDropped": 0, "maxStartLag_us": maxLag},
		"rates":   map[string]any{"planned_per_s": math.Round(float64(started)/20*1000) / 1000, "achieved_per_s": math.Round(float64(started)/20*1000) / 1000},
		"metrics": metrics, "outcomes": outcomes, "flowOutcomes": flowOut, "nextSteps": steps,
		"loadGeneratorCPU": map[string]any{"user_s": 6.1, "system_s": 1.3, "wall_s": 20, "cores": 2, "utilization": 0.185, "saturated": false, "known": true},
		"warnings":         []string{fmt.Sprintf("%d of %d sign-ins started late (the engine could not keep up: raise --max-inflight or lower the rate)", late, started)},
		"intervals":        intervals,
	}
	b, err := json.MarshalIndent(sum, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, SummaryFile), append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("started %d, late %d, ok %d", started, late, outcomes["ok"])
}
