package bench

import (
	"context"
	"testing"
	"time"
)

// BenchmarkEngineOverhead measures the engine's own cost per iteration against an
// instant flow: every start is due at once, so the loop runs flat out (dispatch,
// goroutine, lease, recording, commit). Compare with one SRP sign-in's client CPU.
func BenchmarkEngineOverhead(b *testing.B) {
	lease, _ := NewLease(users(1000))
	flow := FlowFunc(func(_ context.Context, it *Iteration) Outcome {
		it.Flow = "srp"
		it.SRP(time.Millisecond)
		it.Call("InitiateAuth", time.Millisecond, nil)
		it.Call("RespondToAuthChallenge", time.Millisecond, nil)
		it.Step("done")
		return Outcome{}
	})
	b.ReportAllocs()
	cpu0 := readCPU()
	b.ResetTimer()
	res, err := Run(b.Context(), Config{Schedule: Schedule{Rate: 1e9, Iterations: int64(b.N)}, Lease: lease, LateTolerance: time.Hour}, flow)
	b.StopTimer()
	if err != nil {
		b.Fatal(err)
	}
	cpu1 := readCPU()
	if res.Counters.Completed != int64(b.N) {
		b.Fatalf("completed %d of %d", res.Counters.Completed, b.N)
	}
	b.ReportMetric(float64((cpu1.user+cpu1.sys-cpu0.user-cpu0.sys).Nanoseconds())/float64(b.N), "cpu-ns/op")
}

// BenchmarkScheduleAccuracy runs 1,000 instant iterations per second for 3 s on the
// real clock and reports the start lag (actual − intended start): p99 and max in µs,
// with timers only and with the last 1.2 ms of each wait spun.
func BenchmarkScheduleAccuracy(b *testing.B) {
	for _, spin := range []time.Duration{0, 1200 * time.Microsecond} {
		b.Run("spin="+spin.String(), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				cpu0 := readCPU()
				res, err := Run(b.Context(), Config{Schedule: Schedule{Rate: 1000, Duration: 3 * time.Second}, Clock: RealClock{Spin: spin}}, instant)
				if err != nil {
					b.Fatal(err)
				}
				cpu1 := readCPU()
				lag := res.Metrics[MetricStartLag]
				b.ReportMetric(float64(lag.P99), "p99-lag-µs")
				b.ReportMetric(float64(lag.Max), "max-lag-µs")
				b.ReportMetric(float64(res.Counters.LateStarts), "late-starts")
				b.ReportMetric((cpu1.user+cpu1.sys-cpu0.user-cpu0.sys).Seconds()/3, "cpu-cores")
			}
		})
	}
}
