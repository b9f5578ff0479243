//go:build !unix

package srpbench

import "time"

// processCPU is not available here; rates per core are then left at zero.
func processCPU() time.Duration { return 0 }
