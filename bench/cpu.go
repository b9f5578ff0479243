package bench

import (
	"runtime"
	"time"

	"github.com/authbench/authbench/reports"
)

// SaturationThreshold is the load generator's CPU use (a fraction of all its cores)
// above which its numbers measure itself rather than the pool.
const SaturationThreshold = 0.85

// CPUUsage is the load generator's own CPU use over a run (defined with the
// summary schema in package reports).
type CPUUsage = reports.CPUUsage

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
