package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	colmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	otlpmetrics "go.opentelemetry.io/proto/otlp/metrics/v1"
	"google.golang.org/protobuf/proto"

	"github.com/authbench/authbench/reports"
)

// scrapeClient keeps no connection open (the package's tests check for leaked
// goroutines).
var scrapeClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// scrape fetches the endpoint's text format and parses it with Prometheus's text
// parser.
func scrape(ctx context.Context, addr string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	resp, err := scrapeClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// scrapeNative fetches the endpoint's protobuf format (the one carrying native
// histograms).
func scrapeNative(ctx context.Context, addr string) (map[string]*dto.MetricFamily, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/metrics", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", string(expfmt.FmtProtoDelim))
	resp, err := scrapeClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	dec := expfmt.NewDecoder(resp.Body, expfmt.NewFormat(expfmt.TypeProtoDelim))
	out := map[string]*dto.MetricFamily{}
	for {
		mf := &dto.MetricFamily{}
		if err := dec.Decode(mf); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out[mf.GetName()] = mf
	}
}

// labelsOf returns a series' labels as a map.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// counterSum adds the family's counter values whose labels include want.
func counterSum(fams map[string]*dto.MetricFamily, name string, want map[string]string) int64 {
	var sum float64
	for _, m := range fams[name].GetMetric() {
		if matches(labelsOf(m), want) {
			sum += m.GetCounter().GetValue()
		}
	}
	return int64(sum)
}

// histCount returns the sample count of the family's series with labels want.
func histCount(fams map[string]*dto.MetricFamily, name string, want map[string]string) int64 {
	var n uint64
	for _, m := range fams[name].GetMetric() {
		if matches(labelsOf(m), want) {
			n += m.GetHistogram().GetSampleCount()
		}
	}
	return int64(n)
}

func matches(have, want map[string]string) bool {
	for k, v := range want {
		if have[k] != v {
			return false
		}
	}
	return true
}

// midRun wraps a mix: iteration `at` first calls hook (with the run in progress, as
// that iteration has not completed), and every 7th iteration fails with an injected
// error code so that the error labels are exercised.
type midRun struct {
	*Mix
	at   int64
	hook func(ctx context.Context)
}

const injectedCode = "InjectedTestError"

func (w midRun) Pick(seq int64) (string, Flow, *Lease) {
	name, f, l := w.Mix.Pick(seq)
	switch {
	case seq == w.at:
		return name, FlowFunc(func(ctx context.Context, it *Iteration) Outcome {
			w.hook(ctx)
			return f.Run(ctx, it)
		}), l
	case seq%7 == 3:
		return name, FlowFunc(func(context.Context, *Iteration) Outcome {
			return Outcome{Code: injectedCode, Err: errors.New("injected by the test")}
		}), l
	}
	return name, f, l
}

// otlpStub is an OTLP/HTTP collector: it decodes every export request and keeps the
// metric names and the last cumulative value of authbench.signins.
type otlpStub struct {
	mu      sync.Mutex
	names   map[string]otlpKind
	signins int64
	errs    []string
}

type otlpKind struct {
	unit      string
	monotonic bool // a monotonic sum (a counter)
	histogram bool
}

func (s *otlpStub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, err := io.ReadAll(r.Body)
	req := &colmetrics.ExportMetricsServiceRequest{}
	if err == nil {
		err = proto.Unmarshal(body, req)
	}
	if err != nil || r.URL.Path != "/v1/metrics" || r.Header.Get("Content-Type") != "application/x-protobuf" {
		s.errs = append(s.errs, fmt.Sprintf("%s %s %q: %v", r.Method, r.URL.Path, r.Header.Get("Content-Type"), err))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	for _, rm := range req.GetResourceMetrics() {
		for _, sm := range rm.GetScopeMetrics() {
			for _, m := range sm.GetMetrics() {
				k := otlpKind{unit: m.GetUnit()}
				switch d := m.GetData().(type) {
				case *otlpmetrics.Metric_Sum:
					k.monotonic = d.Sum.GetIsMonotonic()
					if m.GetName() == "authbench.signins" {
						var n int64
						for _, p := range d.Sum.GetDataPoints() {
							n += p.GetAsInt()
						}
						s.signins = n
					}
				case *otlpmetrics.Metric_Histogram:
					k.histogram = true
				}
				if s.names == nil {
					s.names = map[string]otlpKind{}
				}
				s.names[m.GetName()] = k
			}
		}
	}
	out, _ := proto.Marshal(&colmetrics.ExportMetricsServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// promNameOf is the OTLP-to-Prometheus name translation of a collector (dots to
// underscores, then _seconds for unit s and _total for a counter).
func promNameOf(name string, k otlpKind) string {
	out := strings.ReplaceAll(name, ".", "_")
	if k.unit == "s" {
		out += "_seconds"
	}
	if k.monotonic {
		out += "_total"
	}
	return out
}

// TestMetricsDuringRun runs a short bench against the embedded pool with both
// exporters: a scrape during the run parses and counts part of the run; the scrape
// after it agrees with the summary's counts; the native histograms are served; and
// an OTLP collector stub receives the metrics under names that translate to the
// endpoint's.
func TestMetricsDuringRun(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded bench")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	stub := &otlpStub{}
	collector := httptest.NewServer(stub) // 127.0.0.1
	defer collector.Close()

	plan, err := NewPlan(Options{Rate: "30/s", Duration: 2 * time.Second, Mix: "srp=2,password=1", UsersPerFlow: 8,
		MaxInflight: 64, Now: time.Now(), StatusEvery: time.Hour, Grace: 5 * time.Second, Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	plan.Config.Interval = 200 * time.Millisecond
	target, err := plan.OpenTarget(ctx, TargetOptions{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close()
	m, err := NewMetrics(ctx, MetricsOptions{Addr: "127.0.0.1:0", OTLPEndpoint: collector.URL, OTLPInterval: 250 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var mid map[string]*dto.MetricFamily
	var midErr error
	target.Flow = midRun{Mix: target.Flow.(*Mix), at: 40, hook: func(ctx context.Context) {
		// Wait (bounded by the run's context) for an interval with sign-ins to reach
		// the endpoint: the interval goroutine flushes on its own.
		for ctx.Err() == nil {
			if mid, midErr = scrape(ctx, m.Addr()); midErr != nil || counterSum(mid, PromSignins, nil) > 0 {
				return
			}
			select {
			case <-ctx.Done():
			case <-time.After(20 * time.Millisecond):
			}
		}
	}}
	dir := t.TempDir()
	if err := Execute(ctx, plan, target, Outputs{Dir: dir, Stdout: io.Discard, Stderr: io.Discard, Now: time.Now, Metrics: m}); err != nil {
		t.Fatal(err)
	}
	final, err := scrape(ctx, m.Addr())
	if err != nil {
		t.Fatalf("final scrape: %v", err)
	}
	native, err := scrapeNative(ctx, m.Addr())
	if err != nil {
		t.Fatalf("protobuf scrape: %v", err)
	}
	if err := m.Close(ctx); err != nil {
		t.Fatalf("close: %v", err)
	}

	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s reports.BenchSummary
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}

	// During the run.
	if midErr != nil {
		t.Fatalf("scrape during the run: %v", midErr)
	}
	if n := counterSum(mid, PromSignins, nil); n <= 0 || n > s.Totals.Completed {
		t.Errorf("scrape during the run: %d sign-ins, want 1..%d", n, s.Totals.Completed)
	}

	// After the run: the counts are the summary's.
	if s.Totals.Completed == 0 || s.Outcomes[injectedCode] == 0 || s.Outcomes[OutcomeOK] == 0 {
		t.Fatalf("the run did not exercise both outcomes: %+v %v", s.Totals, s.Outcomes)
	}
	if got := counterSum(final, PromSignins, nil); got != s.Totals.Completed {
		t.Errorf("%s = %d, summary completed %d", PromSignins, got, s.Totals.Completed)
	}
	if got := counterSum(final, PromSignins, map[string]string{"outcome": "ok"}); got != s.Totals.OK {
		t.Errorf("ok sign-ins = %d, summary %d", got, s.Totals.OK)
	}
	if got := counterSum(final, PromSignins, map[string]string{"outcome": "error"}); got != s.Totals.Errors {
		t.Errorf("error sign-ins = %d, summary %d", got, s.Totals.Errors)
	}
	for flow, codes := range s.FlowOutcomes {
		for code, n := range codes {
			if got := counterSum(final, PromSignins, map[string]string{"flow": flow, "code": code}); got != n {
				t.Errorf("%s{flow=%q,code=%q} = %d, summary %d", PromSignins, flow, code, got, n)
			}
		}
	}
	for step, n := range s.NextSteps {
		if got := counterSum(final, PromNextSteps, map[string]string{"step": step}); got != n {
			t.Errorf("%s{step=%q} = %d, summary %d", PromNextSteps, step, got, n)
		}
	}
	if got := counterSum(final, PromLateStarts, nil); got != s.Totals.LateStarts {
		t.Errorf("%s = %d, summary %d", PromLateStarts, got, s.Totals.LateStarts)
	}
	for metric, st := range s.Metrics {
		family, label, value := histogramOf(metric)
		want := map[string]string{}
		if label != "" {
			want[label] = value
		}
		if got := histCount(final, family, want); got != st.Count {
			t.Errorf("%s%v count = %d, summary's %s count %d", family, want, got, metric, st.Count)
		}
	}
	for _, metric := range []string{MetricSRP, MetricAPIPrefix + "InitiateAuth", MetricAPIPrefix + "RespondToAuthChallenge"} {
		if _, ok := s.Metrics[metric]; !ok {
			t.Errorf("the run recorded no %s", metric)
		}
	}
	// Both histogram kinds: classic buckets and, in the protobuf format, native ones.
	h := native[PromSigninDuration].GetMetric()
	if len(h) != 1 || len(h[0].GetHistogram().GetBucket()) != len(latencyBuckets) ||
		h[0].GetHistogram().Schema == nil || len(h[0].GetHistogram().GetPositiveSpan()) == 0 {
		t.Errorf("%s is not both a classic and a native histogram: %v", PromSigninDuration, h)
	}

	// OTLP: the last push (at Close) carries every count, under names that translate to
	// the endpoint's.
	stub.mu.Lock()
	defer stub.mu.Unlock()
	if len(stub.errs) > 0 {
		t.Errorf("bad OTLP requests: %v", stub.errs)
	}
	for _, want := range []string{"authbench.signins", "authbench.next_steps", "authbench.signin.duration",
		"authbench.signin_service.duration", "authbench.start_lag", "authbench.flow.duration", "authbench.phase.duration"} {
		if _, ok := stub.names[want]; !ok {
			t.Errorf("the collector did not receive %s (got %v)", want, stub.names)
		}
	}
	for name, k := range stub.names {
		if p := promNameOf(name, k); !slices.Contains(PromNames(), p) {
			t.Errorf("OTLP %s translates to %s, which the endpoint does not serve", name, p)
		}
	}
	if stub.signins != s.Totals.Completed {
		t.Errorf("OTLP authbench.signins = %d, summary completed %d", stub.signins, s.Totals.Completed)
	}
}

// TestMetricsOptions checks the address and URL rules: a non-loopback endpoint needs
// AllowRemote, and an OTLP URL without a path gets /v1/metrics.
func TestMetricsOptions(t *testing.T) {
	for _, tc := range []struct {
		o  MetricsOptions
		ok bool
	}{
		{MetricsOptions{Addr: "127.0.0.1:9464"}, true},
		{MetricsOptions{Addr: "[::1]:9464"}, true},
		{MetricsOptions{Addr: "localhost:9464"}, true},
		{MetricsOptions{Addr: ":9464"}, false},
		{MetricsOptions{Addr: "0.0.0.0:9464"}, false},
		{MetricsOptions{Addr: "0.0.0.0:9464", AllowRemote: true}, true},
		{MetricsOptions{Addr: "10.1.2.3:9464"}, false},
		{MetricsOptions{Addr: "9464"}, false},
		{MetricsOptions{OTLPEndpoint: "http://127.0.0.1:4318"}, true},
		{MetricsOptions{OTLPEndpoint: "https://otlp.example.com/otlp/v1/metrics"}, true},
		{MetricsOptions{OTLPEndpoint: "127.0.0.1:4318"}, false},
		{MetricsOptions{OTLPEndpoint: "grpc://127.0.0.1:4317"}, false},
		{MetricsOptions{OTLPEndpoint: "http://127.0.0.1:4318", OTLPInterval: -time.Second}, false},
	} {
		err := tc.o.check()
		if tc.ok != (err == nil) || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%+v: %v", tc.o, err)
		}
	}
	for in, want := range map[string]string{
		"http://127.0.0.1:4318":             "http://127.0.0.1:4318/v1/metrics",
		"http://127.0.0.1:4318/":            "http://127.0.0.1:4318/v1/metrics",
		"https://h.example/otlp/v1/metrics": "https://h.example/otlp/v1/metrics",
	} {
		if got := otlpURL(in); got != want {
			t.Errorf("otlpURL(%q) = %q, want %q", in, got, want)
		}
	}
	// An address in use is the user's to fix.
	m, err := NewMetrics(t.Context(), MetricsOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close(t.Context())
	if _, err := NewMetrics(t.Context(), MetricsOptions{Addr: m.Addr()}); !errors.Is(err, ErrInvalid) {
		t.Errorf("an address in use: %v, want ErrInvalid", err)
	}
	if m, err := NewMetrics(t.Context(), MetricsOptions{}); m != nil || err != nil {
		t.Errorf("no exporter: %v, %v", m, err)
	}
}
