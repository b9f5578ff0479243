package modexp

import "math/big"

// engine is Montgomery arithmetic on fixed-size elements for one modulus, the
// backend of a Group. Elements are []uint64 of length size(); their
// representation is private to the engine (64-bit limbs for the generic and
// ADX engines, 52-bit limbs for the IFMA engine). Every method may be called
// with z aliasing any input. t is scratch space of at least scratch() words
// and must not alias the other arguments.
type engine interface {
	size() int
	scratch() int
	// mul sets z = x*y/R (Montgomery product).
	mul(z, x, y, t []uint64)
	// sqr sets z = x*x/R.
	sqr(z, x, t []uint64)
	// toMont sets z to the Montgomery form of x, where x holds n64 ordinary
	// 64-bit limbs of a value < N.
	toMont(z, x, t []uint64)
	// fromMont writes the fully reduced ordinary value of x into the n64
	// limbs of z (len(z) >= n64).
	fromMont(z, x, t []uint64)
	// one sets z to the Montgomery form of 1.
	one(z []uint64)
}

// montGeneric is the portable engine: montMulCIOS on n 64-bit limbs with
// R = 2^(64n). Elements are kept fully reduced in [0, N).
type montGeneric struct {
	n    int
	m    []uint64
	k0   uint64
	rr   []uint64 // R^2 mod N
	r1   []uint64 // R mod N
	unit []uint64 // 1
}

func newMontGeneric(N *big.Int) *montGeneric {
	n := (N.BitLen() + 63) / 64
	g := &montGeneric{n: n, m: make([]uint64, n), rr: make([]uint64, n), r1: make([]uint64, n), unit: make([]uint64, n)}
	bigToLimbs(g.m, N)
	g.k0 = montInverse(g.m[0])
	r := new(big.Int).Lsh(big.NewInt(1), uint(64*n))
	bigToLimbs(g.r1, new(big.Int).Mod(r, N))
	bigToLimbs(g.rr, new(big.Int).Mod(r.Mul(r, r), N))
	g.unit[0] = 1
	return g
}

func (g *montGeneric) size() int    { return g.n }
func (g *montGeneric) scratch() int { return g.n + 2 }
func (g *montGeneric) one(z []uint64) {
	copy(z, g.r1)
}

func (g *montGeneric) sqr(z, x, t []uint64) { g.mul(z, x, x, t) }

func (g *montGeneric) mul(z, x, y, t []uint64) { montMulCIOS(z, x, y, g.m, g.k0, t) }

func (g *montGeneric) toMont(z, x, t []uint64) { g.mul(z, x, g.rr, t) }

func (g *montGeneric) fromMont(z, x, t []uint64) { g.mul(z, x, g.unit, t) }
