package bench

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Live metrics: a run's counts and histograms, exported while it runs.
//
// [Metrics] is a sink of [Execute] (Outputs.Metrics) fed by the recorder's intervals,
// the same merged HdrHistograms and counts the summary and the interval log are made
// of, so a live view never disagrees with the report: after the run's last interval
// every counter equals the summary's count. It exports them two ways, each optional:
// a Prometheus endpoint (Addr) served with the Prometheus Go client, whose latency
// histograms are both classic (fixed buckets, in the text format) and native (sparse
// exponential buckets, in the protobuf format a Prometheus with native histograms
// scrapes), and an OTLP/HTTP push (OTLPEndpoint) with the OpenTelemetry Go SDK. The
// names are chosen so that a collector translating OTLP to Prometheus yields the
// endpoint's names: one Grafana dashboard (deploy/grafana/authbench.json) reads both.
//
// A latency value enters the exporters as the lower bound of its HdrHistogram bucket
// (within 0.1% of the measured value); the report's percentiles stay HdrHistogram's.

// The Prometheus names the endpoint serves. Latencies are in seconds.
const (
	// PromSignins counts completed sign-ins by flow, outcome ("ok" or "error") and
	// code ("ok" or Cognito's error code, or a client-side class).
	PromSignins = "authbench_signins_total"
	// PromLateStarts counts sign-ins that started late (the generator fell behind).
	PromLateStarts = "authbench_late_starts_total"
	// PromUserWaits counts sign-ins that waited for a free user.
	PromUserWaits = "authbench_user_waits_total"
	// PromNextSteps counts the sign-in steps met, by Amplify step name.
	PromNextSteps = "authbench_next_steps_total"
	// PromClamped counts values above the histograms' 60 s ceiling.
	PromClamped = "authbench_clamped_values_total"
	// PromSigninDuration is the whole sign-in from its intended start
	// (signin.latency, free of coordinated omission).
	PromSigninDuration = "authbench_signin_duration_seconds"
	// PromServiceDuration is the whole sign-in from its actual start (signin.service).
	PromServiceDuration = "authbench_signin_service_duration_seconds"
	// PromStartLag is how late sign-ins started (start.lag).
	PromStartLag = "authbench_start_lag_seconds"
	// PromFlowDuration is signin.latency per flow of the mix (flow.<flow>.latency).
	PromFlowDuration = "authbench_flow_duration_seconds"
	// PromPhaseDuration is every other timing by phase: "srp" (client SRP math),
	// "api.<Operation>" (each API round trip), "lease.wait".
	PromPhaseDuration = "authbench_phase_duration_seconds"
)

// PromNames lists every metric family the Prometheus endpoint serves (histograms by
// their family name; their series end in _bucket, _sum and _count).
func PromNames() []string {
	return []string{PromSignins, PromLateStarts, PromUserWaits, PromNextSteps, PromClamped,
		PromSigninDuration, PromServiceDuration, PromStartLag, PromFlowDuration, PromPhaseDuration}
}

// DefaultOTLPInterval is how often the OTLP exporter pushes by default.
const DefaultOTLPInterval = 10 * time.Second

// latencyBuckets are the classic histogram buckets, in seconds: from a local pool's
// half millisecond to the histograms' 60 s ceiling.
var latencyBuckets = []float64{0.0005, 0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03,
	0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60}

// MetricsOptions configures the live metrics. The zero value exports nothing.
type MetricsOptions struct {
	// Addr, if set, is the host:port the Prometheus endpoint (/metrics) listens on
	// ("127.0.0.1:0" picks a free port; Metrics.Addr tells which).
	Addr string
	// AllowRemote permits an Addr that is not loopback (all interfaces, or another
	// host's address): the endpoint has no authentication.
	AllowRemote bool
	// OTLPEndpoint, if set, is the OTLP/HTTP (protobuf) collector's URL,
	// http(s)://host:port; a URL without a path gets /v1/metrics. Headers (an API
	// key) come from OTEL_EXPORTER_OTLP_HEADERS, as with every OTLP exporter.
	OTLPEndpoint string
	// OTLPInterval is the push period (default DefaultOTLPInterval); the last
	// interval is pushed by Close.
	OTLPInterval time.Duration
	// Stderr receives the endpoint's address when the server starts.
	Stderr io.Writer
}

// Enabled reports whether o exports anything.
func (o MetricsOptions) Enabled() bool { return o.Addr != "" || o.OTLPEndpoint != "" }

// Metrics is the live metrics sink: its OnInterval method feeds each interval to the
// Prometheus registry and the OTLP meter. A nil *Metrics ignores intervals, so Execute
// feeds it unconditionally. OnInterval runs on the engine's interval goroutine.
type Metrics struct {
	prom *promSink
	otlp *otlpSink
}

// NewMetrics validates o, starts the Prometheus endpoint and the OTLP exporter, and
// returns the sink; Close stops them. It returns nil, nil when o exports nothing.
// Option errors and an address that cannot be listened on match ErrInvalid.
func NewMetrics(ctx context.Context, o MetricsOptions) (*Metrics, error) {
	if !o.Enabled() {
		return nil, nil
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	m := &Metrics{}
	var err error
	if o.Addr != "" {
		if m.prom, err = newPromSink(ctx, o.Addr); err != nil {
			return nil, err
		}
		if o.Stderr != nil {
			_, _ = io.WriteString(o.Stderr, "bench: metrics at http://"+m.prom.addr+"/metrics\n")
		}
	}
	if o.OTLPEndpoint != "" {
		if m.otlp, err = newOTLPSink(ctx, otlpURL(o.OTLPEndpoint), o.OTLPInterval); err != nil {
			_ = m.Close(ctx)
			return nil, err
		}
	}
	return m, nil
}

// check validates the address and the URL.
func (o MetricsOptions) check() error {
	if o.Addr != "" {
		host, _, err := net.SplitHostPort(o.Addr)
		if err != nil {
			return invalidf("--metrics-addr %q: want host:port, e.g. 127.0.0.1:9464", o.Addr)
		}
		if !isLoopbackHost(host) && !o.AllowRemote {
			return invalidf("--metrics-addr %q is not a loopback address: the metrics endpoint has no authentication; add --metrics-allow-remote to serve it there", o.Addr)
		}
	}
	if o.OTLPEndpoint != "" {
		u, err := url.Parse(o.OTLPEndpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return invalidf("--otlp-endpoint: want an http(s)://host:port URL (OTLP over HTTP), e.g. http://127.0.0.1:4318")
		}
	}
	if o.OTLPInterval < 0 {
		return invalidf("--otlp-interval must not be negative")
	}
	return nil
}

// isLoopbackHost reports whether host is "localhost" or a loopback IP address.
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// otlpURL returns the collector's metrics URL: a URL without a path gets the OTLP
// default path /v1/metrics (as OTEL_EXPORTER_OTLP_ENDPOINT does).
func otlpURL(endpoint string) string {
	u, _ := url.Parse(endpoint) // checked by check
	if u.Path == "" || u.Path == "/" {
		u.Path = "/v1/metrics"
	}
	return u.String()
}

// Addr returns the address the Prometheus endpoint listens on ("" when none).
func (m *Metrics) Addr() string {
	if m == nil || m.prom == nil {
		return ""
	}
	return m.prom.addr
}

// OnInterval exports the interval's counts and histograms.
func (m *Metrics) OnInterval(iv *Interval) {
	if m == nil {
		return
	}
	c := &iv.Counters
	for _, o := range outcomeCounts(c) {
		m.prom.signins(o)
		m.otlp.signins(o)
	}
	counts := []struct {
		name string
		n    int64
	}{{PromLateStarts, c.LateStarts}, {PromUserWaits, c.UserWaits}, {PromClamped, c.Clamped}}
	for _, x := range counts {
		if x.n > 0 {
			m.prom.count(x.name, x.n)
			m.otlp.count(x.name, x.n)
		}
	}
	for step, n := range c.NextSteps {
		if n > 0 {
			m.prom.step(step, n)
			m.otlp.step(step, n)
		}
	}
	for metric, h := range iv.Histograms {
		family, label, value := histogramOf(metric)
		bars := nonEmptyBars(h)
		m.prom.observe(family, label, value, bars)
		m.otlp.observe(family, label, value, bars)
	}
}

// Close stops the Prometheus endpoint and pushes the last values to the OTLP
// collector (bounded by ctx). Its error is the first of the two.
func (m *Metrics) Close(ctx context.Context) error {
	if m == nil {
		return nil
	}
	var errs []error
	if m.prom != nil {
		errs = append(errs, m.prom.close(ctx))
	}
	if m.otlp != nil {
		errs = append(errs, m.otlp.close(ctx))
	}
	return errors.Join(errs...)
}

// outcome is one (flow, code) count of an interval.
type outcome struct {
	flow, code string
	n          int64
}

// result is the outcome label: "ok" or "error".
func (o outcome) result() string {
	if o.code == OutcomeOK {
		return OutcomeOK
	}
	return "error"
}

// outcomeCounts returns c's completed sign-ins by flow and code: per flow where the
// engine counted them per flow, and the rest (a single flow without a name) with an
// empty flow.
func outcomeCounts(c *Counters) []outcome {
	var out []outcome
	perFlow := map[string]int64{}
	for flow, m := range c.FlowOutcomes {
		for code, n := range m {
			if n > 0 {
				out = append(out, outcome{flow, code, n})
				perFlow[code] += n
			}
		}
	}
	for code, n := range c.Outcomes {
		if rest := n - perFlow[code]; rest > 0 {
			out = append(out, outcome{"", code, rest})
		}
	}
	return out
}

// histogramOf maps an engine metric to its exported histogram family, label name
// and label value (label "" for a family without one).
func histogramOf(metric string) (family, label, value string) {
	switch metric {
	case MetricLatency:
		return PromSigninDuration, "", ""
	case MetricService:
		return PromServiceDuration, "", ""
	case MetricStartLag:
		return PromStartLag, "", ""
	}
	if f, ok := strings.CutPrefix(metric, "flow."); ok {
		if f, ok = strings.CutSuffix(f, ".latency"); ok {
			return PromFlowDuration, "flow", f
		}
	}
	return PromPhaseDuration, "phase", metric
}

// bar is one HdrHistogram bucket: its lowest value in seconds and its count.
type bar struct {
	seconds float64
	n       int64
}

// nonEmptyBars returns h's non-empty buckets.
func nonEmptyBars(h *hdr.Histogram) []bar {
	var out []bar
	for _, b := range h.Distribution() {
		if b.Count > 0 {
			out = append(out, bar{seconds: float64(b.From) / 1e6, n: b.Count})
		}
	}
	return out
}
