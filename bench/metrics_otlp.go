package bench

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// otlpName returns the OpenTelemetry instrument name and unit of a Prometheus name:
// dots for underscores, without the _total and _seconds suffixes, which a
// collector's OTLP-to-Prometheus translation adds back from the instrument's kind
// and unit; unit is "s" for a duration, "" otherwise ("authbench.signins" counter → authbench_signins_total,
// "authbench.phase.duration" in s → authbench_phase_duration_seconds).
func otlpName(prom string) (name, unit string) {
	if s, ok := strings.CutSuffix(prom, "_seconds"); ok {
		prom, unit = s, "s"
	}
	prom = strings.TrimSuffix(prom, "_total")
	prom = strings.TrimPrefix(prom, "authbench_")
	// Durations end in ".duration": authbench.signin.duration, authbench.phase.duration.
	if s, ok := strings.CutSuffix(prom, "_duration"); ok {
		prom = s + ".duration"
	}
	return "authbench." + prom, unit
}

// otlpSink is the OTLP half of Metrics: a meter provider of its own (no global
// state) with a periodic reader pushing over OTLP/HTTP. Its methods are nil-safe.
type otlpSink struct {
	mp        *sdkmetric.MeterProvider
	transport *http.Transport
	signinsC  metric.Int64Counter
	steps     metric.Int64Counter
	counters  map[string]metric.Int64Counter
	hists     map[string]metric.Float64Histogram
}

// newOTLPSink creates the instruments and starts pushing to endpoint every interval.
func newOTLPSink(ctx context.Context, endpoint string, interval time.Duration) (*otlpSink, error) {
	if interval == 0 {
		interval = DefaultOTLPInterval
	}
	// A transport of its own, so that Close leaves no connection behind.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	exp, err := otlpmetrichttp.New(ctx, otlpmetrichttp.WithEndpointURL(endpoint),
		otlpmetrichttp.WithHTTPClient(&http.Client{Transport: tr, Timeout: 10 * time.Second}))
	if err != nil {
		return nil, invalid(fmt.Errorf("--otlp-endpoint: %w", err))
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("service.name", "authbench")))
	if err != nil {
		res = resource.NewSchemaless(attribute.String("service.name", "authbench"))
	}
	o := &otlpSink{transport: tr, counters: map[string]metric.Int64Counter{}, hists: map[string]metric.Float64Histogram{},
		mp: sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
			sdkmetric.WithReader(sdkmetric.NewPeriodicReader(exp, sdkmetric.WithInterval(interval))))}
	meter := o.mp.Meter("github.com/authbench/authbench/bench")
	var errs []error
	counter := func(prom, help string) metric.Int64Counter {
		name, _ := otlpName(prom)
		unit := map[string]string{PromSignins: "{signin}", PromNextSteps: "{step}", PromLateStarts: "{signin}",
			PromUserWaits: "{signin}", PromClamped: "{value}"}[prom]
		c, err := meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(help))
		errs = append(errs, err)
		return c
	}
	o.signinsC = counter(PromSignins, "Completed sign-ins by flow, outcome (ok or error) and code.")
	o.steps = counter(PromNextSteps, "Sign-in steps met, by Amplify step name.")
	o.counters[PromLateStarts] = counter(PromLateStarts, "Sign-ins started later than the late tolerance.")
	o.counters[PromUserWaits] = counter(PromUserWaits, "Sign-ins that waited for a free user.")
	o.counters[PromClamped] = counter(PromClamped, "Timings above the histograms' 60 s ceiling.")
	for _, prom := range []string{PromSigninDuration, PromServiceDuration, PromStartLag, PromFlowDuration, PromPhaseDuration} {
		name, unit := otlpName(prom)
		h, err := meter.Float64Histogram(name, metric.WithUnit(unit), metric.WithExplicitBucketBoundaries(latencyBuckets...))
		errs = append(errs, err)
		o.hists[prom] = h
	}
	for _, err := range errs {
		if err != nil {
			_ = o.mp.Shutdown(ctx)
			return nil, fmt.Errorf("OTLP instruments: %w", err)
		}
	}
	return o, nil
}

// signins adds o to the sign-in counter.
func (s *otlpSink) signins(o outcome) {
	if s != nil {
		s.signinsC.Add(context.Background(), o.n, metric.WithAttributes(attribute.String("flow", o.flow),
			attribute.String("outcome", o.result()), attribute.String("code", o.code)))
	}
}

// count adds n to the counter of the Prometheus name.
func (s *otlpSink) count(prom string, n int64) {
	if s != nil {
		s.counters[prom].Add(context.Background(), n)
	}
}

// step adds n to the step counter.
func (s *otlpSink) step(step string, n int64) {
	if s != nil {
		s.steps.Add(context.Background(), n, metric.WithAttributes(attribute.String("step", step)))
	}
}

// observe records the bars into the histogram of the Prometheus family.
func (s *otlpSink) observe(family, label, value string, bars []bar) {
	if s == nil {
		return
	}
	var opt metric.RecordOption = metric.WithAttributeSet(attribute.NewSet())
	if label != "" {
		opt = metric.WithAttributeSet(attribute.NewSet(attribute.String(label, value)))
	}
	h := s.hists[family]
	for _, b := range bars {
		for range b.n {
			h.Record(context.Background(), b.seconds, opt)
		}
	}
}

// close pushes the last values and stops the exporter, within ctx.
func (s *otlpSink) close(ctx context.Context) error {
	err := s.mp.Shutdown(ctx)
	s.transport.CloseIdleConnections()
	if err != nil {
		return fmt.Errorf("OTLP push: %w", err)
	}
	return nil
}
