package modexp

import (
	"crypto/rand"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"sync"
	"testing"
)

// testPrimes returns n random 512-bit primes (made once per test binary).
func testPrimes(t testing.TB, n int) []*big.Int {
	t.Helper()
	primeOnce.Do(func() {
		for range 5 {
			p, err := rand.Prime(rand.Reader, 512)
			if err != nil {
				panic(err)
			}
			primeCache = append(primeCache, p)
		}
	})
	return primeCache[:n]
}

var (
	primeOnce  sync.Once
	primeCache []*big.Int
)

func mustMod512(t testing.TB, m *big.Int) *Mod512 {
	t.Helper()
	l, err := NewMod512(m)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// checkExp4 runs Exp4 on kernel k with four (x, e, m) triples and compares
// with math/big.
func checkExp4(t *testing.T, k Kernel, xs, es, ms [4]*big.Int) {
	t.Helper()
	var lanes [4]*Mod512
	var x, e, z [4]Nat512
	for i := range 4 {
		lanes[i] = mustMod512(t, ms[i])
		x[i] = NewNat512(xs[i])
		e[i] = NewNat512(es[i])
	}
	Exp4(k, &z, &x, &e, &lanes)
	for i := range 4 {
		want := new(big.Int).Exp(xs[i], es[i], ms[i])
		if got := z[i].Big(); got.Cmp(want) != 0 {
			t.Fatalf("%s: lane %d: %x^%x mod %x = %x, want %x", k, i, xs[i], es[i], ms[i], got, want)
		}
	}
}

// checkExpF4 runs ExpF4 on every single-lane kernel and compares with
// math/big.
func checkExpF4(t *testing.T, x, m *big.Int) {
	t.Helper()
	l := mustMod512(t, m)
	xn := NewNat512(x)
	want := new(big.Int).Exp(x, big.NewInt(65537), m)
	for _, k := range Kernels512() {
		var z Nat512
		ExpF4(k, &z, &xn, l)
		if got := z.Big(); got.Cmp(want) != 0 {
			t.Fatalf("ExpF4 %s: %x^65537 mod %x = %x, want %x", k, x, m, got, want)
		}
	}
}

func TestNewMod512Errors(t *testing.T) {
	for _, m := range []*big.Int{nil, big.NewInt(0), big.NewInt(-3), big.NewInt(4), new(big.Int).Lsh(big.NewInt(1), 512), new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 512), big.NewInt(1))} {
		if _, err := NewMod512(m); err == nil {
			t.Errorf("NewMod512(%v) accepted", m)
		}
	}
}

func TestKernels512(t *testing.T) {
	ks := Kernels512()
	if ks[len(ks)-2] != Generic || ks[len(ks)-1] != Generic52 {
		t.Fatalf("Kernels512 = %v, want the portable kernels last", ks)
	}
	for _, k := range ks {
		t.Logf("Exp4 kernel available: %s", k)
	}
}

func TestExp4(t *testing.T) {
	ps := testPrimes(t, 4)
	r := mrand.New(mrand.NewPCG(1, 2))
	rnd := func(max *big.Int) *big.Int {
		b := make([]byte, 64)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return new(big.Int).Mod(new(big.Int).SetBytes(b), max)
	}
	// Moduli: the primes, plus odd moduli of other shapes (small, 2^512-1, all-ones limbs).
	odd := func(s string) *big.Int { v, _ := new(big.Int).SetString(s, 0); return v }
	all1 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 512), big.NewInt(1))
	extra := []*big.Int{odd("3"), odd("0xffffffffffffffffffffffffffffffff61"), all1,
		new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 511), big.NewInt(1))}
	for _, k := range Kernels512() {
		t.Run(k.String(), func(t *testing.T) {
			mods := [][4]*big.Int{{ps[0], ps[1], ps[2], ps[3]}, {extra[0], extra[1], extra[2], extra[3]}, {ps[3], extra[2], ps[0], extra[3]}}
			for _, ms := range mods {
				for it := 0; it < 6; it++ {
					var xs, es [4]*big.Int
					for i, m := range ms {
						pm1 := new(big.Int).Sub(m, big.NewInt(1))
						switch it {
						case 0:
							xs[i], es[i] = big.NewInt(0), rnd(m)
						case 1:
							xs[i], es[i] = big.NewInt(1), rnd(pm1)
						case 2:
							xs[i], es[i] = pm1, rnd(pm1)
						case 3:
							xs[i], es[i] = rnd(m), pm1
						case 4:
							xs[i], es[i] = rnd(m), big.NewInt(int64(i)) // exponents 0..3
						default:
							xs[i], es[i] = rnd(m), all1
						}
					}
					checkExp4(t, k, xs, es, ms)
				}
				for it := 0; it < 10; it++ {
					var xs, es [4]*big.Int
					for i, m := range ms {
						xs[i], es[i] = rnd(m), rnd(all1)
					}
					checkExp4(t, k, xs, es, ms)
				}
			}
		})
	}
}

func TestExpF4(t *testing.T) {
	r := mrand.New(mrand.NewPCG(3, 4))
	all1 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 512), big.NewInt(1))
	for _, m := range append(testPrimes(t, 4), big.NewInt(3), all1) {
		for _, x := range []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(m, big.NewInt(1)), new(big.Int).Mod(randBits(r, 512), m)} {
			checkExpF4(t, x, m)
		}
	}
}

// TestMod512Arith checks the single-lane helpers token signing uses for
// Garner's recombination.
func TestMod512Arith(t *testing.T) {
	r := mrand.New(mrand.NewPCG(5, 6))
	R := new(big.Int).Lsh(big.NewInt(1), 512)
	for _, m := range testPrimes(t, 2) {
		l := mustMod512(t, m)
		for i := range 50 {
			x, y := new(big.Int).Mod(randBits(r, 512), m), new(big.Int).Mod(randBits(r, 512), m)
			if i == 0 {
				x.Sub(m, big.NewInt(1))
			}
			xn, yn := NewNat512(x), NewNat512(y)
			var z Nat512
			l.SubMod(&z, &xn, &yn)
			if want := new(big.Int).Mod(new(big.Int).Sub(x, y), m); z.Big().Cmp(want) != 0 {
				t.Fatalf("SubMod(%x, %x) = %x, want %x", x, y, z.Big(), want)
			}
			// MontMul by y·R mod m multiplies by y.
			yR := NewNat512(new(big.Int).Mod(new(big.Int).Mul(y, R), m))
			l.MontMul(&z, &xn, &yR)
			if want := new(big.Int).Mod(new(big.Int).Mul(x, y), m); z.Big().Cmp(want) != 0 {
				t.Fatalf("MontMul: %x·%x = %x, want %x", x, y, z.Big(), want)
			}
			// The 8-limb unrolled CIOS equals the general one.
			var t1 [10]uint64
			var z2 Nat512
			montMulCIOS(z2[:], xn[:], yR[:], l.m[:], l.minv, t1[:])
			if z2 != z {
				t.Fatalf("mulCIOS8 and montMulCIOS differ for %x·%x", x, y)
			}
		}
	}
}

// fuzzExp4 is FuzzExp's four-lane part: the fuzzed triple (its modulus made
// odd and cut to 512 bits) in lane sel%4, derived values in the others, on
// every kernel of Kernels512.
func fuzzExp4(t *testing.T, xb, eb, mb []byte, sel uint8) {
	if len(xb) > 64 {
		xb = xb[:64]
	}
	if len(eb) > 64 {
		eb = eb[:64]
	}
	if len(mb) > 64 {
		mb = mb[:64]
	}
	m := new(big.Int).SetBytes(mb)
	m.SetBit(m, 0, 1)
	x := new(big.Int).Mod(new(big.Int).SetBytes(xb), m)
	e := new(big.Int).SetBytes(eb)
	lane := int(sel % 4)
	var xs, es, ms [4]*big.Int
	for i := range 4 {
		ms[i], xs[i], es[i] = m, new(big.Int).Mod(big.NewInt(int64(i)+2), m), new(big.Int).Rsh(e, uint(i))
	}
	xs[lane], es[lane] = x, e
	for _, k := range Kernels512() {
		checkExp4(t, k, xs, es, ms)
	}
	checkExpF4(t, x, m)
}

func BenchmarkExp512(b *testing.B) {
	ps := testPrimes(b, 4)
	var lanes [4]*Mod512
	var x, e, z [4]Nat512
	for i, p := range ps {
		lanes[i] = mustMod512(b, p)
		xi, _ := rand.Int(rand.Reader, p)
		ei, _ := rand.Int(rand.Reader, p)
		x[i], e[i] = NewNat512(xi), NewNat512(ei)
	}
	for _, k := range Kernels512() {
		b.Run(fmt.Sprintf("kernel=%s", k), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Exp4(k, &z, &x, &e, &lanes)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4, "ns/exp")
		})
	}
	b.Run("kernel=mathbig", func(b *testing.B) {
		b.ReportAllocs()
		xs, es, r := make([]*big.Int, 4), make([]*big.Int, 4), new(big.Int)
		for i := range 4 {
			xs[i], es[i] = x[i].Big(), e[i].Big()
		}
		for b.Loop() {
			for i := range 4 {
				r.Exp(xs[i], es[i], ps[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4, "ns/exp")
	})
}
