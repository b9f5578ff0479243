package modexp

import (
	"math/big"
	"math/bits"
)

// engine is Montgomery arithmetic on fixed-size elements for one modulus.
// Elements are []uint64 of length size(); their representation is private to
// the engine (64-bit limbs for the generic engine, 52-bit limbs for the IFMA
// engine). Every method may be called with z aliasing any input. t is scratch
// space of at least scratch() words and must not alias the other arguments.
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

// montInverse returns -m0^-1 mod 2^64 for odd m0.
func montInverse(m0 uint64) uint64 {
	inv := uint64(1)
	for i := 0; i < 6; i++ {
		inv *= 2 - m0*inv
	}
	return -inv
}

// bigToLimbs writes |x| into z as 64-bit limbs (z zero padded); x must fit.
func bigToLimbs(z []uint64, x *big.Int) {
	clear(z)
	ws := x.Bits()
	if bits.UintSize == 64 {
		for i, w := range ws {
			z[i] = uint64(w)
		}
		return
	}
	for i, w := range ws {
		z[i/2] |= uint64(w) << (32 * uint(i%2))
	}
}

// limbsToWords converts 64-bit limbs to big.Words in z (len(z) must be
// len(x)*64/UintSize).
func limbsToWords(z []big.Word, x []uint64) {
	if bits.UintSize == 64 {
		for i, v := range x {
			z[i] = big.Word(v)
		}
		return
	}
	for i, v := range x {
		z[2*i] = big.Word(uint32(v))
		z[2*i+1] = big.Word(v >> 32)
	}
}

// geq reports whether x >= y (equal lengths).
func geq(x, y []uint64) bool {
	for i := len(x) - 1; i >= 0; i-- {
		if x[i] != y[i] {
			return x[i] > y[i]
		}
	}
	return true
}

// subVV sets z = x - y and returns the borrow.
func subVV(z, x, y []uint64) uint64 {
	var b uint64
	for i := range z {
		z[i], b = bits.Sub64(x[i], y[i], b)
	}
	return b
}

// montGeneric is portable CIOS Montgomery arithmetic on n 64-bit limbs with
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

func (g *montGeneric) mul(z, x, y, t []uint64) {
	n := g.n
	m := g.m[:n]
	x = x[:n]
	y = y[:n]
	t = t[:n+2]
	clear(t)
	for i := 0; i < n; i++ {
		// t += x*y[i]
		yi := y[i]
		var c, cc uint64
		for j, xj := range x {
			hi, lo := bits.Mul64(xj, yi)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j] = lo
			c = hi
		}
		t[n], cc = bits.Add64(t[n], c, 0)
		t[n+1] = cc
		// t = (t + q*m) / 2^64
		q := t[0] * g.k0
		hi, lo := bits.Mul64(m[0], q)
		_, cc = bits.Add64(lo, t[0], 0)
		c = hi + cc
		for j := 1; j < n; j++ {
			hi, lo := bits.Mul64(m[j], q)
			lo, cc = bits.Add64(lo, t[j], 0)
			hi += cc
			lo, cc = bits.Add64(lo, c, 0)
			hi += cc
			t[j-1] = lo
			c = hi
		}
		t[n-1], cc = bits.Add64(t[n], c, 0)
		t[n] = t[n+1] + cc
	}
	// t < 2N: conditional final subtraction.
	if t[n] != 0 || geq(t[:n], m) {
		subVV(z[:n], t[:n], m)
	} else {
		copy(z[:n], t[:n])
	}
}

func (g *montGeneric) toMont(z, x, t []uint64) { g.mul(z, x, g.rr, t) }

func (g *montGeneric) fromMont(z, x, t []uint64) { g.mul(z, x, g.unit, t) }
