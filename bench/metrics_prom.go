package bench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// promSink is the Prometheus half of Metrics: a registry of its own (no global
// state) served over HTTP. Its methods are nil-safe.
type promSink struct {
	addr    string
	srv     *http.Server
	served  chan struct{}
	mu      sync.Mutex // guards serveErr
	serveEr error

	signinsVec *prometheus.CounterVec
	steps      *prometheus.CounterVec
	counters   map[string]prometheus.Counter
	hists      map[string]*prometheus.HistogramVec
}

// newPromSink registers the metrics and starts serving them on addr.
func newPromSink(ctx context.Context, addr string) (*promSink, error) {
	reg := prometheus.NewRegistry()
	p := &promSink{counters: map[string]prometheus.Counter{}, hists: map[string]*prometheus.HistogramVec{}, served: make(chan struct{})}
	p.signinsVec = prometheus.NewCounterVec(prometheus.CounterOpts{Name: PromSignins,
		Help: "Completed sign-ins by flow, outcome (ok or error) and code (ok or Cognito's error code)."},
		[]string{"flow", "outcome", "code"})
	p.steps = prometheus.NewCounterVec(prometheus.CounterOpts{Name: PromNextSteps,
		Help: "Sign-in steps met, by Amplify step name."}, []string{"step"})
	reg.MustRegister(p.signinsVec, p.steps)
	for name, help := range map[string]string{
		PromLateStarts: "Sign-ins started later than the late tolerance after their intended start.",
		PromUserWaits:  "Sign-ins that waited for a free user.",
		PromClamped:    "Timings above the histograms' 60 s ceiling (recorded as 60 s).",
	} {
		c := prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
		reg.MustRegister(c)
		p.counters[name] = c
	}
	for _, h := range []struct{ name, label, help string }{
		{PromSigninDuration, "", "Whole sign-in from its intended start (coordinated-omission free)."},
		{PromServiceDuration, "", "Whole sign-in from its actual start."},
		{PromStartLag, "", "How late sign-ins started: actual minus intended start."},
		{PromFlowDuration, "flow", "Whole sign-in from its intended start, per flow of the mix."},
		{PromPhaseDuration, "phase", "Each phase of a sign-in: srp (client SRP math), api.<Operation> (one API round trip), lease.wait."},
	} {
		var labels []string
		if h.label != "" {
			labels = []string{h.label}
		}
		v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: h.name, Help: h.help,
			Buckets:                         latencyBuckets,
			NativeHistogramBucketFactor:     1.1,
			NativeHistogramMaxBucketNumber:  160,
			NativeHistogramMinResetDuration: time.Hour,
		}, labels)
		reg.MustRegister(v)
		p.hists[h.name] = v
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, invalid(fmt.Errorf("--metrics-addr: %w", err))
	}
	p.addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{MaxRequestsInFlight: 4, Timeout: 10 * time.Second}))
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 16 << 10,
		BaseContext: func(net.Listener) context.Context { return context.WithoutCancel(ctx) }}
	go func() {
		defer close(p.served)
		if err := p.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			p.mu.Lock()
			p.serveEr = err
			p.mu.Unlock()
		}
	}()
	return p, nil
}

// signins adds o to the sign-in counter.
func (p *promSink) signins(o outcome) {
	if p != nil {
		p.signinsVec.WithLabelValues(o.flow, o.result(), o.code).Add(float64(o.n))
	}
}

// count adds n to the counter name.
func (p *promSink) count(name string, n int64) {
	if p != nil {
		p.counters[name].Add(float64(n))
	}
}

// step adds n to the step counter.
func (p *promSink) step(step string, n int64) {
	if p != nil {
		p.steps.WithLabelValues(step).Add(float64(n))
	}
}

// observe records the bars into the histogram family (with the label's value when
// the family has a label).
func (p *promSink) observe(family, label, value string, bars []bar) {
	if p == nil {
		return
	}
	var values []string
	if label != "" {
		values = []string{value}
	}
	h := p.hists[family].WithLabelValues(values...)
	for _, b := range bars {
		for range b.n {
			h.Observe(b.seconds)
		}
	}
}

// close stops the server (waiting, within ctx, for scrapes in progress) and returns
// the server's own error, if it failed.
func (p *promSink) close(ctx context.Context) error {
	err := p.srv.Shutdown(ctx)
	<-p.served
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.serveEr != nil {
		return fmt.Errorf("metrics endpoint: %w", p.serveEr)
	}
	if err != nil {
		return fmt.Errorf("stopping the metrics endpoint: %w", err)
	}
	return nil
}
