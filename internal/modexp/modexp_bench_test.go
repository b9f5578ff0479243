package modexp

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// Sub-benchmarks: modexp is the default (fastest available) kernel,
// mathbig the big.Int.Exp reference, adx and generic the fallbacks.
func runExpBench(b *testing.B, ebits int, fixed bool) {
	r := rand.New(rand.NewPCG(100, uint64(ebits)))
	N := rfc3526N
	x := new(big.Int).Mod(randBits(r, 3072), N)
	e := randBits(r, ebits)
	e.SetBit(e, ebits-1, 1)
	g := big.NewInt(2)
	b.Run("modexp", func(b *testing.B) {
		G := mustGroup(b, N, g)
		G.Precompute()
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if fixed {
				G.ExpG(e)
			} else {
				G.Exp(x, e)
			}
		}
	})
	if testing.Short() {
		return
	}
	b.Run("mathbig", func(b *testing.B) {
		b.ReportAllocs()
		z := new(big.Int)
		for b.Loop() {
			if fixed {
				z.Exp(g, e, N)
			} else {
				z.Exp(x, e, N)
			}
		}
	})
	for _, k := range []Kernel{ADX, Generic} {
		b.Run(kernelName(k), func(b *testing.B) {
			G, err := New(N, g, withKernel(k))
			if err != nil {
				b.Skip("kernel unavailable")
			}
			G.Precompute()
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if fixed {
					G.ExpG(e)
				} else {
					G.Exp(x, e)
				}
			}
		})
	}
}

func BenchmarkExp1025(b *testing.B)  { runExpBench(b, 1025, false) }
func BenchmarkExp256(b *testing.B)   { runExpBench(b, 256, false) }
func BenchmarkExpG1024(b *testing.B) { runExpBench(b, 1024, true) }
func BenchmarkExpG256(b *testing.B)  { runExpBench(b, 256, true) }

func benchMont(b *testing.B, k Kernel, square bool) {
	G, err := New(rfc3526N, big.NewInt(2), withKernel(k))
	if err != nil {
		b.Skip("kernel unavailable")
	}
	r := rand.New(rand.NewPCG(1, 1))
	ws := G.newWorkspace()
	s := G.eng.size()
	x, y := make([]uint64, s), make([]uint64, s)
	bigToLimbs(ws.in, new(big.Int).Mod(randBits(r, 3072), rfc3526N))
	G.eng.toMont(x, ws.in, ws.t)
	bigToLimbs(ws.in, new(big.Int).Mod(randBits(r, 3072), rfc3526N))
	G.eng.toMont(y, ws.in, ws.t)
	b.ReportAllocs()
	for b.Loop() {
		if square {
			G.eng.sqr(x, x, ws.t)
		} else {
			G.eng.mul(x, x, y, ws.t)
		}
	}
}

// mathbig reference: one Montgomery-sized step of big.Int arithmetic is not
// exposed, so the closest comparable is a 3072x3072 multiply plus Mod.
func benchBigMulMod(b *testing.B, square bool) {
	r := rand.New(rand.NewPCG(1, 1))
	x := new(big.Int).Mod(randBits(r, 3072), rfc3526N)
	y := new(big.Int).Mod(randBits(r, 3072), rfc3526N)
	z := new(big.Int)
	b.ReportAllocs()
	for b.Loop() {
		if square {
			z.Mul(x, x)
		} else {
			z.Mul(x, y)
		}
		z.Mod(z, rfc3526N)
	}
}

func BenchmarkMontMul(b *testing.B) {
	b.Run("modexp", func(b *testing.B) { benchMont(b, kernelAuto, false) })
	b.Run("mathbig", func(b *testing.B) { benchBigMulMod(b, false) })
	b.Run("generic", func(b *testing.B) { benchMont(b, Generic, false) })
	b.Run("adx", func(b *testing.B) { benchMont(b, ADX, false) })
}

func BenchmarkMontSqr(b *testing.B) {
	b.Run("modexp", func(b *testing.B) { benchMont(b, kernelAuto, true) })
	b.Run("mathbig", func(b *testing.B) { benchBigMulMod(b, true) })
	b.Run("generic", func(b *testing.B) { benchMont(b, Generic, true) })
	b.Run("adx", func(b *testing.B) { benchMont(b, ADX, true) })
}
