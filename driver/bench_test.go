package driver_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

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

// benchSDKTimer times the two sign-in calls as the driver makes them: the whole SDK
// call, serialization and middleware included. Less the API (wire) time, that is the
// SDK client's own share of the driver overhead.
type benchSDKTimer struct {
	driver.IdentityProvider
	sdk time.Duration
}

func (s *benchSDKTimer) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, o ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	start := time.Now()
	out, err := s.IdentityProvider.InitiateAuth(ctx, in, o...)
	s.sdk += time.Since(start)
	return out, err
}

func (s *benchSDKTimer) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, o ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	start := time.Now()
	out, err := s.IdentityProvider.RespondToAuthChallenge(ctx, in, o...)
	s.sdk += time.Since(start)
	return out, err
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
			timer := &benchSDKTimer{}
			c := p.clientWith(b, d, e2eClientOpts{wrap: func(idp driver.IdentityProvider) driver.IdentityProvider { timer.IdentityProvider = idp; return timer }})
			obs := &benchObserver{}
			ctx := driver.WithObserver(context.Background(), obs)
			// Warm the connection pool and the pool's signing key.
			if _, err := c.NewAuth().SignIn(context.Background(), "bench-000", e2ePassword, driver.SignInOptions{}); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			timer.sdk = 0
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
			// driver-ns/op splits into the SDK client's work outside the wire attempt
			// (serialization, endpoint and middleware) and the driver's own code.
			b.ReportMetric(perOp(timer.sdk-obs.api), "sdk-ns/op")
			b.ReportMetric(perOp(total-obs.srp-timer.sdk), "own-ns/op")
			b.ReportMetric(float64(obs.calls)/float64(n), "calls/op")
			if obs.srp > 0 {
				b.ReportMetric(float64(driverTime)/float64(obs.srp), "driver/srp")
			}
		})
	}
}
