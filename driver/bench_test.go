//go:build linux

package driver_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime/metrics"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/sys/unix"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// benchPoolEnv, set in the environment of this test binary, makes it an embedded pool
// process for the benchmarks (see [TestMain]) instead of running tests.
const benchPoolEnv = "AUTHBENCH_DRIVER_BENCH_POOL"

// TestMain runs the tests, or, with benchPoolEnv set, serves an embedded pool on
// 127.0.0.1: it prints the pool's endpoint on a line and serves until its stdin
// closes. Benchmarks run the pool so, in a process of its own, so that the
// benchmark process's CPU time is the client's alone.
func TestMain(m *testing.M) {
	if os.Getenv(benchPoolEnv) == "" {
		os.Exit(m.Run())
	}
	srv := emulator.New(emulator.Options{})
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(srv.Endpoint())
	_, _ = io.Copy(io.Discard, os.Stdin)
	_ = srv.Close()
	os.Exit(0)
}

// startPoolProcess starts an embedded pool in a child process and returns its
// endpoint; the pool stops when the benchmark ends.
func startPoolProcess(b *testing.B) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), benchPoolEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatalf("pool process: %v", err)
	}
	return strings.TrimSpace(line)
}

// cpuTime returns the CPU time (user and system) this process has used so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stamp is a reading of the calling thread's CPU clock and the thread's id.
type stamp struct {
	cpu time.Duration
	tid int
}

// threadCPU reads the calling thread's CPU clock. A goroutine that does not block
// stays on its thread, so the difference of two readings on the same thread with no
// blocking between them is the goroutine's own CPU time, however busy the machine is.
// The thread id is read before and after the clock: a goroutine can change threads
// on the way out of a syscall, and a reading whose thread is unsure is no reading.
func threadCPU() stamp {
	tid := unix.Gettid()
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil || unix.Gettid() != tid {
		return stamp{}
	}
	return stamp{cpu: time.Duration(ts.Nano()), tid: tid}
}

// since returns the CPU time from s to now, or 0 and false when the goroutine
// changed threads in between (it blocked), and the time cannot be told.
func (s stamp) since(now stamp) (time.Duration, bool) {
	if s.tid != now.tid || s.tid == 0 || now.cpu < s.cpu {
		return 0, false
	}
	return now.cpu - s.cpu, true
}

// gcCPU returns the CPU time the garbage collector's own goroutines have used so
// far (the runtime's estimate; assists are left out, they are counted where they
// happen).
func gcCPU() time.Duration {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/gc/mark/assist:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 || s[1].Value.Kind() != metrics.KindFloat64 {
		return 0
	}
	return time.Duration((s[0].Value.Float64() - s[1].Value.Float64()) * float64(time.Second))
}

// cpuSplit accounts the sign-in goroutine's CPU time to the parts of a sign-in by
// reading its thread's CPU clock at marks: the driver's SRP callback, the start and
// end of each SDK call, and, inside the call's middleware stack, around the JSON
// serializer, the JSON deserializer and the HTTP round trip. Differences are only
// taken between marks with no blocking between them; the round trip (with the
// reading of the whole response body), where the goroutine blocks and may change
// threads, is left to the process's total. The
// driver reports from the goroutine running the sign-in and the benchmark runs one
// at a time, so no lock is needed.
type cpuSplit struct {
	last stamp // the last mark

	srp, own, call, json time.Duration

	serStart, deserStart, innerEnd stamp
	calls                          int
	// lost counts spans that could not be told because the goroutine changed
	// threads (their CPU falls to http-ns/op).
	lost int
}

// span adds to *d the CPU time from s to now, unless it cannot be told.
func (c *cpuSplit) span(d *time.Duration, s, now stamp) {
	if v, ok := s.since(now); ok {
		*d += v
	} else {
		c.lost++
	}
}

// mark adds to *d the CPU time since the last mark.
func (c *cpuSplit) mark(d *time.Duration) {
	now := threadCPU()
	c.span(d, c.last, now)
	c.last = now
}

// SRP is the driver's report of SRP math, which has just ended: the CPU since the
// last mark is SRP math (and the few statements of the driver before it).
func (c *cpuSplit) SRP(time.Duration) { c.mark(&c.srp) }

// Call counts an API attempt; its time is taken by the marks around the call.
func (c *cpuSplit) Call(string, time.Duration, error) { c.calls++ }

// install adds the marks around OperationSerializer, OperationDeserializer and the
// rest of the Deserialize step (the HTTP round trip).
func (c *cpuSplit) install(stack *middleware.Stack) error {
	if err := stack.Serialize.Insert(middleware.SerializeMiddlewareFunc("bench.SerStart",
		func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
			c.serStart = threadCPU()
			return next.HandleSerialize(ctx, in)
		}), "OperationSerializer", middleware.Before); err != nil {
		return err
	}
	if err := stack.Serialize.Insert(middleware.SerializeMiddlewareFunc("bench.SerEnd",
		func(ctx context.Context, in middleware.SerializeInput, next middleware.SerializeHandler) (middleware.SerializeOutput, middleware.Metadata, error) {
			c.span(&c.json, c.serStart, threadCPU())
			return next.HandleSerialize(ctx, in)
		}), "OperationSerializer", middleware.After); err != nil {
		return err
	}
	if err := stack.Deserialize.Insert(middleware.DeserializeMiddlewareFunc("bench.DeserOuter",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			c.deserStart = threadCPU()
			out, md, err := next.HandleDeserialize(ctx, in)
			c.span(&c.json, c.innerEnd, threadCPU())
			return out, md, err
		}), "OperationDeserializer", middleware.Before); err != nil {
		return err
	}
	return stack.Deserialize.Insert(middleware.DeserializeMiddlewareFunc("bench.DeserInner",
		func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
			c.span(&c.json, c.deserStart, threadCPU())
			c.mark(&c.call) // the SDK's middleware before the round trip
			out, md, err := next.HandleDeserialize(ctx, in)
			// Read the whole body here, as part of the round trip, so that the JSON
			// decoder does not block on the network and its span can be told.
			if resp, ok := out.RawResponse.(*smithyhttp.Response); ok && err == nil {
				body, rerr := io.ReadAll(resp.Body)
				_ = resp.Body.Close()
				if rerr != nil {
					return out, md, rerr
				}
				resp.Body = io.NopCloser(bytes.NewReader(body))
			}
			c.innerEnd = threadCPU()
			c.last = c.innerEnd // the round trip is not a span: the thread may differ
			return out, md, err
		}), "OperationDeserializer", middleware.After)
}

// benchSDK marks the start and end of the two sign-in calls as the driver makes
// them.
type benchSDK struct {
	driver.IdentityProvider
	c *cpuSplit
}

func (s *benchSDK) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, o ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	s.c.mark(&s.c.own)
	out, err := s.IdentityProvider.InitiateAuth(ctx, in, o...)
	s.c.mark(&s.c.call)
	return out, err
}

func (s *benchSDK) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, o ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	s.c.mark(&s.c.own)
	out, err := s.IdentityProvider.RespondToAuthChallenge(ctx, in, o...)
	s.c.mark(&s.c.call)
	return out, err
}

// BenchmarkSignIn is one complete SRP sign-in (SignIn → done, on a fresh Auth) through
// the driver, the real SDK client and HTTP against an embedded pool running in
// another process, cycling over many users, so that this process's CPU time is the
// load generator's alone.
//
// It reports the client's CPU per sign-in (cpu-ns/op, from getrusage: every
// goroutine, the garbage collector included) and splits it, by CPU clocks rather
// than wall time so that a busy machine does not skew it (see cpuSplit), into SRP
// math (srp-ns/op), the JSON serializers and deserializers (json-ns/op), the rest of
// the SDK's middleware (sdk-ns/op), the garbage collector's background work
// (gc-ns/op), the driver's own code and the loop (own-ns/op) and HTTP: the rest, the
// round trip's CPU in the calling goroutine, the transport's goroutines, syscalls
// and the scheduler (http-ns/op); the parts add up to cpu-ns/op. The clock readings
// themselves (about 40 syscalls per sign-in) land in the parts they mark.
// signins/core-s is the rate one core sustains at that cost, and cpu/srp the ratio
// to the SRP math alone.
//
// stack=sdk is the SDK client with its default middleware and one attempt per call
// (what NewSDKClient built before the bench trimmed it); stack=driver is
// [driver.NewSDKClient] with Retries 1, as a bench builds it. Compare them with
// benchstat.
func BenchmarkSignIn(b *testing.B) {
	const users = 256
	endpoint := startPoolProcess(b)
	env := &emulatortest.Env{IDP: emulatortest.NewClient(endpoint)}
	poolID, clientID, _ := env.Pool(b, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) { in.PoolName = aws.String("driver") },
		Client: driverClient(nil),
	})
	for i := range users {
		env.User(b, poolID, fmt.Sprintf("bench-%03d", i), e2ePassword)
	}
	stacks := []struct {
		name  string
		build func(apiOptions ...func(*middleware.Stack) error) driver.IdentityProvider
	}{
		{"sdk", func(apiOptions ...func(*middleware.Stack) error) driver.IdentityProvider {
			return cip.New(cip.Options{
				Region:           "us-east-1",
				HTTPClient:       driver.NewHTTPClient(0),
				Credentials:      aws.AnonymousCredentials{},
				BaseEndpoint:     aws.String(endpoint),
				RetryMaxAttempts: 1,
				APIOptions:       append([]func(*middleware.Stack) error{driver.TimingMiddleware}, apiOptions...),
			})
		}},
		{"driver", func(apiOptions ...func(*middleware.Stack) error) driver.IdentityProvider {
			return driver.NewSDKClient(poolID, driver.Endpoint{URL: endpoint, Retries: 1, APIOptions: apiOptions})
		}},
	}
	for _, st := range stacks {
		b.Run("stack="+st.name, func(b *testing.B) {
			split := &cpuSplit{}
			c, err := driver.New(&benchSDK{IdentityProvider: st.build(split.install), c: split}, driver.Config{PoolID: poolID, ClientID: clientID})
			if err != nil {
				b.Fatal(err)
			}
			// Warm the connection pool and the pool's signing key.
			if _, err := c.NewAuth().SignIn(context.Background(), "bench-000", e2ePassword, driver.SignInOptions{}); err != nil {
				b.Fatal(err)
			}
			ctx := driver.WithObserver(context.Background(), split)
			b.ReportAllocs()
			n := 0
			*split = cpuSplit{}
			cpu0, gc0 := cpuTime(b), gcCPU()
			split.last = threadCPU()
			for b.Loop() {
				user := fmt.Sprintf("bench-%03d", n%users)
				n++
				res, err := c.NewAuth().SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
				if err != nil || res.NextStep.SignInStep != driver.Done {
					b.Fatalf("%s: %v %+v", user, err, res)
				}
				split.mark(&split.own)
			}
			cpu, gc := cpuTime(b)-cpu0, gcCPU()-gc0
			if n == 0 {
				return
			}
			sdk := split.call - split.json
			// HTTP: the caller's part of the round trip and every other goroutine's
			// CPU (the transport's read and write loops, the network poller, the
			// scheduler) but the garbage collector's.
			httpCPU := cpu - split.srp - split.own - split.call - gc
			perOp := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
			b.ReportMetric(perOp(cpu), "cpu-ns/op")
			b.ReportMetric(perOp(split.srp), "srp-ns/op")
			b.ReportMetric(perOp(split.json), "json-ns/op")
			b.ReportMetric(perOp(sdk), "sdk-ns/op")
			b.ReportMetric(perOp(httpCPU), "http-ns/op")
			b.ReportMetric(perOp(gc), "gc-ns/op")
			b.ReportMetric(perOp(split.own), "own-ns/op")
			b.ReportMetric(float64(split.calls)/float64(n), "calls/op")
			b.ReportMetric(float64(split.lost)/float64(n), "lost-spans/op")
			if cpu > 0 {
				b.ReportMetric(float64(n)/cpu.Seconds(), "signins/core-s")
			}
			if split.srp > 0 {
				b.ReportMetric(float64(cpu)/float64(split.srp), "cpu/srp")
			}
		})
	}
}

// BenchmarkSignInSRPMath is the client's SRP math of one sign-in alone (SRP_A and
// the PASSWORD_VERIFIER response), the floor BenchmarkSignIn's cpu/srp is measured
// against; run both in one invocation to compare them.
func BenchmarkSignInSRPMath(b *testing.B) {
	v := srp.MakeVerifier(make([]byte, srp.SaltBytes), "AbC123xyz", "bench-000", e2ePassword)
	server, err := srp.NewServer(strings.NewReader(strings.Repeat("s", 64)), v)
	if err != nil {
		b.Fatal(err)
	}
	ch := srp.Challenge{Realm: "AbC123xyz", UserID: "bench-000", Salt: v.SaltHex(), B: server.SRPB(), SecretBlock: "c2VjcmV0"}
	now := time.Now()
	cpu0 := cpuTime(b)
	for b.Loop() {
		c, err := srp.NewClient(randReader{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Respond(ch, e2ePassword, now); err != nil {
			b.Fatal(err)
		}
	}
	if b.N > 0 {
		b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkRoundTripFloor is the client CPU of one bare net/http round trip to the
// pool in its own process, with none of the SDK, the driver or JSON decoding: the
// InitiateAuth of an SRP sign-in (the pool computes SRP_B, so it answers as late as
// in a sign-in), its body written by hand and its answer discarded. Its cpu-ns/op,
// twice, is the floor under BenchmarkSignIn's http-ns/op on this machine and kernel:
// the cost of loopback TCP, the network poller and the runtime's waiting, which a
// client on net/http cannot avoid. Run both in one invocation to compare them.
func BenchmarkRoundTripFloor(b *testing.B) {
	endpoint := startPoolProcess(b)
	env := &emulatortest.Env{IDP: emulatortest.NewClient(endpoint)}
	poolID, clientID, _ := env.Pool(b, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) { in.PoolName = aws.String("driver") },
		Client: driverClient(nil),
	})
	env.User(b, poolID, "bench-000", e2ePassword)
	c, err := srp.NewClient(randReader{})
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"AuthFlow":"USER_SRP_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"bench-000","SRP_A":"` + c.SRPA() + `"}}`)
	hc := driver.NewHTTPClient(0)
	defer hc.CloseIdleConnections()
	roundTrip := func() {
		req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.InitiateAuth")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("InitiateAuth: %s", resp.Status)
		}
	}
	roundTrip() // the connection, dialed outside the measurement
	cpu0 := cpuTime(b)
	for b.Loop() {
		roundTrip()
	}
	if b.N > 0 {
		b.ReportMetric(float64((cpuTime(b)-cpu0).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// randReader is a cheap, non-secret byte stream for benchmarks.
type randReader struct{}

func (randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(i*131 + 7)
	}
	return len(p), nil
}
