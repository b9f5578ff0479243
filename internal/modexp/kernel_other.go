//go:build !amd64 || purego

package modexp

import "math/big"

// Without assembly (other architectures, or the purego build tag) only the
// portable kernels exist.
const (
	hasIFMAWide  = false
	hasIFMALanes = false
	hasADX       = false
)

func newIFMA(*big.Int) engine { return nil }
func newADX(*big.Int) engine  { return nil }

func mulMont52x4(z, x, y, m *vec52, minv *[4]uint64) { panic("modexp: no IFMA kernel") }
func sqrMont52x4(z, x, m *vec52, minv *[4]uint64)    { panic("modexp: no IFMA kernel") }
func mulMont8(z, x, y, m *Nat512, minv uint64)       { panic("modexp: no ADX kernel") }
