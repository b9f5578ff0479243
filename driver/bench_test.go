package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/authbench/authbench/driver"
)

// benchObserver sums SRP and API call time. The driver reports from the goroutine
// running the sign-in, and the benchmark runs one at a time, so no lock is needed.
type benchObserver struct {
	srp, api time.Duration
	calls    int
}

func (o *benchObserver) SRP(d time.Duration) { o.srp += d }
func (o *benchObserver) Call(_ string, d time.Duration, err error) {
	o.api += d
	o.calls++
}

// BenchmarkSignIn is one complete SRP sign-in (SignIn → done, on a fresh Auth) through
// the driver, the real SDK client and HTTP against the embedded pool, cycling over
// many users. Besides ns/op it reports the time spent in SRP math (srp-ns/op), in API
// calls (api-ns/op: the round trip, including the in-process server's own work), and
// what is left, the driver's own overhead (driver-ns/op), with its ratio to SRP.
func BenchmarkSignIn(b *testing.B) {
	const users = 256
	p := newPool(b, poolOpts{})
	for i := range users {
		p.user(b, fmt.Sprintf("bench-%03d", i), e2ePassword, false)
	}
	for _, d := range e2eDialects {
		b.Run(d.String(), func(b *testing.B) {
			c := p.client(b, d)
			obs := &benchObserver{}
			ctx := driver.WithObserver(context.Background(), obs)
			// Warm the connection pool and the pool's signing key.
			if _, err := c.NewAuth().SignIn(context.Background(), "bench-000", e2ePassword, driver.SignInOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				user := fmt.Sprintf("bench-%03d", n%users)
				n++
				res, err := c.NewAuth().SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
				if err != nil || res.NextStep.SignInStep != driver.Done {
					b.Fatalf("%s: %v %+v", user, err, res)
				}
			}
			if n == 0 {
				return
			}
			total := b.Elapsed()
			driverTime := total - obs.srp - obs.api
			perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
			b.ReportMetric(perOp(obs.srp), "srp-ns/op")
			b.ReportMetric(perOp(obs.api), "api-ns/op")
			b.ReportMetric(perOp(driverTime), "driver-ns/op")
			b.ReportMetric(float64(obs.calls)/float64(n), "calls/op")
			if obs.srp > 0 {
				b.ReportMetric(float64(driverTime)/float64(obs.srp), "driver/srp")
			}
		})
	}
}
