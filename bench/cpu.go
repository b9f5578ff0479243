package bench

import (
	"runtime"
	"time"
)

// SaturationThreshold is the load generator's CPU use (a fraction of all its cores)
// above which its numbers measure itself rather than the pool.
const SaturationThreshold = 0.85

// CPUUsage is the load generator's own CPU use over a run.
type CPUUsage struct {
	// User and System are the process's CPU time in seconds.
	User   float64 `json:"user_s"`
	System float64 `json:"system_s"`
	// Wall is the run's length in seconds; Cores is GOMAXPROCS.
	Wall  float64 `json:"wall_s"`
	Cores int     `json:"cores"`
	// Utilization is (User+System) / (Wall·Cores), from 0 to 1.
	Utilization float64 `json:"utilization"`
	// Saturated is set when Utilization exceeds SaturationThreshold.
	Saturated bool `json:"saturated"`
	// Known is false where the platform gives no process CPU time.
	Known bool `json:"known"`
}

type cpuSample struct {
	user, sys time.Duration
	ok        bool
}

func cpuUsage(a, b cpuSample, wall time.Duration) CPUUsage {
	u := CPUUsage{Wall: round3(wall.Seconds()), Cores: runtime.GOMAXPROCS(0), Known: a.ok && b.ok}
	if !u.Known {
		return u
	}
	u.User = round3((b.user - a.user).Seconds())
	u.System = round3((b.sys - a.sys).Seconds())
	if wall > 0 {
		u.Utilization = round3((b.user - a.user + b.sys - a.sys).Seconds() / (wall.Seconds() * float64(u.Cores)))
	}
	u.Saturated = u.Utilization > SaturationThreshold
	return u
}

func round3(x float64) float64 { return float64(int64(x*1000+0.5)) / 1000 }
