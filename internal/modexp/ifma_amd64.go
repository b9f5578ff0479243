//go:build amd64 && !purego

package modexp

import "math/big"

// amm60 sets z = a*b/2^3120 mod' m for 60-limb radix-2^52 operands (64
// words each, the top 4 zero): the result is < 2m when a, b < 2m and
// 4m < 2^3120, and is returned with every limb normalised below 2^52.
// k0 = -m^-1 mod 2^52. z may alias a or b.
//
//go:noescape
func amm60(z, a, b, m *[64]uint64, k0 uint64)

// ifmaLimbs is the number of 52-bit limbs of the wide kernel.
const ifmaLimbs = 60

// montIFMA is almost-Montgomery arithmetic (R = 2^3120) on 52-bit limbs
// with AVX-512 IFMA, for moduli of 48 64-bit limbs. Elements are 64 words,
// normalised, in [0, 2N).
type montIFMA struct {
	m    [64]uint64
	k0   uint64
	rr   [64]uint64 // R^2 mod N
	r1   [64]uint64 // R mod N
	unit [64]uint64 // 1
	m64  []uint64   // N in 48 64-bit limbs
}

func newIFMA(N *big.Int) engine {
	if !hasIFMAWide || (N.BitLen()+63)/64 != 48 {
		return nil
	}
	e := &montIFMA{m64: make([]uint64, 48)}
	bigToLimbs(e.m64, N)
	to52(e.m[:], e.m64)
	e.k0 = montInverse(e.m64[0]) & mask52
	r := new(big.Int).Lsh(big.NewInt(1), 52*ifmaLimbs)
	t := make([]uint64, 49)
	bigToLimbs(t, new(big.Int).Mod(r, N))
	to52(e.r1[:], t)
	bigToLimbs(t, new(big.Int).Mod(r.Mul(r, r), N))
	to52(e.rr[:], t)
	e.unit[0] = 1
	return e
}

func (e *montIFMA) size() int    { return 64 }
func (e *montIFMA) scratch() int { return 64 }
func (e *montIFMA) one(z []uint64) {
	copy(z, e.r1[:])
}

func (e *montIFMA) mul(z, x, y, _ []uint64) {
	amm60((*[64]uint64)(z), (*[64]uint64)(x), (*[64]uint64)(y), &e.m, e.k0)
}

func (e *montIFMA) sqr(z, x, _ []uint64) {
	amm60((*[64]uint64)(z), (*[64]uint64)(x), (*[64]uint64)(x), &e.m, e.k0)
}

func (e *montIFMA) toMont(z, x, t []uint64) {
	to52(t, x)
	amm60((*[64]uint64)(z), (*[64]uint64)(t), &e.rr, &e.m, e.k0)
}

func (e *montIFMA) fromMont(z, x, t []uint64) {
	// x*1/R < N+1, so one conditional subtraction of N (only when the
	// result equals N, i.e. x = 0 mod N) completes the reduction.
	amm60((*[64]uint64)(t), (*[64]uint64)(x), &e.unit, &e.m, e.k0)
	from52(z[:48], t)
	if geq(z[:48], e.m64) {
		subVV(z[:48], z[:48], e.m64)
	}
}
