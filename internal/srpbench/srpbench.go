// Package srpbench measures how many SRP sign-ins this machine can compute: client
// sign-ins (secret a, SRP_A, the PASSWORD_VERIFIER response) and server verifications
// (SRP_B from a verifier, then checking the signature). It is what a capacity planner
// sizes load generators with, so it reports rates per CPU-second ("per core") from the
// process's own CPU time, as well as the wall-clock rate with all workers.
package srpbench

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authbench/authbench/internal/syncrand"
	"github.com/authbench/authbench/srp"
)

// Options configures a measurement.
type Options struct {
	// Duration is how long each side (client, then server) is measured. Zero means 5 s.
	Duration time.Duration
	// Workers is the number of goroutines; zero means GOMAXPROCS.
	Workers int
	// Random is the source of the clients' secrets; nil means crypto/rand.
	Random io.Reader
}

// Side is the measurement of one side.
type Side struct {
	// Ops is the number of complete sign-ins computed.
	Ops int64 `json:"ops"`
	// WallSeconds is the elapsed time of the measurement.
	WallSeconds float64 `json:"wall_seconds"`
	// CPUSeconds is the process CPU time (user + system) spent during it, or 0 where
	// the platform does not report it.
	CPUSeconds float64 `json:"cpu_seconds"`
	// PerSecond is Ops / WallSeconds: the rate with every worker busy.
	PerSecond float64 `json:"per_second"`
	// PerCoreSecond is Ops / CPUSeconds: the rate one fully busy core sustains.
	PerCoreSecond float64 `json:"per_core_per_second"`
	// MeanCPUMicros is the CPU time of one sign-in in microseconds.
	MeanCPUMicros float64 `json:"mean_cpu_us"`
}

// Result is a whole measurement.
type Result struct {
	Workers int    `json:"workers"`
	CPUs    int    `json:"cpus"`
	GoArch  string `json:"goarch"`
	// Engine is the SRP exponentiation backend (see srp.Engine).
	Engine string `json:"engine"`
	Client Side   `json:"client"`
	Server Side   `json:"server"`
}

// fixture is one precomputed handshake the server side replays: the server's secret
// b, the user's verifier and a client proof that verifies against them.
type fixture struct {
	b     []byte
	ver   srp.Verifier
	proof srp.Proof
}

const (
	realm  = "AuthBench1"
	userID = "srpbench-user"
	block  = "c3JwYmVuY2ggc2VjcmV0IGJsb2Nr"
)

// Run measures the client side and then the server side. It stops early, with what it
// measured so far, when ctx is cancelled.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	res := Result{Workers: o.Workers, CPUs: runtime.NumCPU(), GoArch: runtime.GOARCH, Engine: srp.Engine()}

	fixtures, err := makeFixtures(8)
	if err != nil {
		return res, err
	}
	now := time.Now()
	random := syncrand.New(o.Random)

	res.Client, err = measure(ctx, o, func(i int) error {
		fx := &fixtures[i%len(fixtures)]
		c, err := srp.NewClient(random)
		if err != nil {
			return err
		}
		_, err = c.Respond(srp.Challenge{Realm: realm, UserID: userID, Salt: fx.ver.SaltHex(), B: fx.proof.A, SecretBlock: block}, "bench-password", now)
		return err
	})
	if err != nil || ctx.Err() != nil {
		return res, err
	}
	res.Server, err = measure(ctx, o, func(i int) error {
		fx := &fixtures[i%len(fixtures)]
		s, err := srp.NewServer(bytes.NewReader(fx.b), fx.ver, srp.WithServerSecretBytes(len(fx.b)))
		if err != nil {
			return err
		}
		return s.Verify(fx.proof)
	})
	return res, err
}

// makeFixtures builds n handshakes whose proofs verify. The client's challenge in the
// client-side loop reuses proof.A as an SRP_B: any value in [1, N) costs the same.
func makeFixtures(n int) ([]fixture, error) {
	out := make([]fixture, n)
	for i := range out {
		seed := sha256.Sum256([]byte(fmt.Sprintf("srpbench-%d", i)))
		salt := seed[:srp.SaltBytes]
		ver := srp.MakeVerifier(salt, realm, userID, "bench-password")
		b := seed[:]
		s, err := srp.NewServer(bytes.NewReader(b), ver, srp.WithServerSecretBytes(len(b)))
		if err != nil {
			return nil, err
		}
		aSeed := bytes.Repeat(seed[:], srp.ClientSecretBytes/len(seed))
		c, err := srp.NewClient(bytes.NewReader(aSeed))
		if err != nil {
			return nil, err
		}
		r, err := c.Respond(srp.Challenge{Realm: realm, UserID: userID, Salt: ver.SaltHex(), B: s.SRPB(), SecretBlock: block}, "bench-password", time.Unix(1.7e9, 0))
		if err != nil {
			return nil, err
		}
		p := srp.Proof{Realm: realm, UserID: userID, A: c.SRPA(), SecretBlock: r.SecretBlock, Timestamp: r.Timestamp, Signature: r.Signature}
		if err := s.Verify(p); err != nil {
			return nil, fmt.Errorf("srpbench: fixture %d does not verify: %w", i, err)
		}
		out[i] = fixture{b: b, ver: ver, proof: p}
	}
	return out, nil
}

// measure runs op on o.Workers goroutines until o.Duration has passed or ctx ends.
func measure(ctx context.Context, o Options, op func(i int) error) (Side, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	var ops atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	cpu0 := processCPU()
	start := time.Now()
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i += o.Workers {
				if err := op(i); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				ops.Add(1)
			}
		}(w)
	}
	wg.Wait()
	s := Side{Ops: ops.Load(), WallSeconds: time.Since(start).Seconds()}
	if cpu := processCPU() - cpu0; cpu > 0 {
		s.CPUSeconds = cpu.Seconds()
	}
	if s.WallSeconds > 0 {
		s.PerSecond = float64(s.Ops) / s.WallSeconds
	}
	if s.CPUSeconds > 0 && s.Ops > 0 {
		s.PerCoreSecond = float64(s.Ops) / s.CPUSeconds
		s.MeanCPUMicros = s.CPUSeconds * 1e6 / float64(s.Ops)
	}
	return s, firstErr
}
