package srpbench

import (
	"context"
	"testing"
	"time"
)

func TestRunCountsWork(t *testing.T) {
	res, err := Run(t.Context(), Options{Duration: 150 * time.Millisecond, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]Side{"client": res.Client, "server": res.Server} {
		if s.Ops < 1 || s.WallSeconds <= 0 || s.PerSecond <= 0 {
			t.Errorf("%s: %+v", name, s)
		}
		if s.CPUSeconds > 0 && s.MeanCPUMicros <= 0 {
			t.Errorf("%s: CPU time without a per-op mean: %+v", name, s)
		}
	}
	if res.Workers != 2 {
		t.Errorf("workers = %d", res.Workers)
	}
}

func TestRunStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	res, err := Run(ctx, Options{Duration: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.Server.Ops != 0 {
		t.Errorf("server side ran after cancellation: %+v", res.Server)
	}
}
