package tokens

import (
	"crypto/rand"
	"fmt"
	"math/big"
	mrand "math/rand/v2"
	"testing"
)

// testPrimes returns n random 512-bit primes (cached across tests).
var primeCache []*big.Int

func testPrimes(t testing.TB, n int) []*big.Int {
	for len(primeCache) < n {
		p, err := genPrime(rand.Reader, 512)
		if err != nil {
			t.Fatal(err)
		}
		primeCache = append(primeCache, p)
	}
	return primeCache[:n]
}

// checkKernel runs k on four (x, e, m) triples and compares with math/big.
func checkKernel(t *testing.T, k kernel, xs, es, ms [4]*big.Int) {
	t.Helper()
	var lanes [4]*lane
	var x, e, z [4]nat512
	for i := range 4 {
		lanes[i] = newLane(ms[i])
		x[i] = natFromBig(xs[i])
		e[i] = natFromBig(es[i])
	}
	k.exp4(&z, &x, &e, &lanes)
	for i := range 4 {
		want := new(big.Int).Exp(xs[i], es[i], ms[i])
		if got := natToBig(&z[i]); got.Cmp(want) != 0 {
			t.Fatalf("%s: lane %d: %x^%x mod %x = %x, want %x", k.name, i, xs[i], es[i], ms[i], got, want)
		}
	}
}

func TestKernels(t *testing.T) {
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
	for _, k := range kernels() {
		t.Run(k.name, func(t *testing.T) {
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
					checkKernel(t, k, xs, es, ms)
				}
				for it := 0; it < 10; it++ {
					var xs, es [4]*big.Int
					for i, m := range ms {
						xs[i], es[i] = rnd(m), rnd(all1)
					}
					checkKernel(t, k, xs, es, ms)
				}
			}
		})
	}
}

func FuzzExp512(f *testing.F) {
	f.Add([]byte{2}, []byte{3}, []byte{5}, uint8(0))
	f.Add([]byte{0xff, 0xff}, []byte{0xff}, []byte{0xff, 0xff, 0xff}, uint8(3))
	ks := kernels()
	f.Fuzz(func(t *testing.T, xb, eb, mb []byte, sel uint8) {
		if len(xb) > 64 || len(eb) > 64 || len(mb) > 64 {
			return
		}
		m := new(big.Int).SetBytes(mb)
		m.SetBit(m, 0, 1)
		x := new(big.Int).Mod(new(big.Int).SetBytes(xb), m)
		e := new(big.Int).SetBytes(eb)
		// Vary which lane carries the fuzzed triple; the others get derived values.
		lane := int(sel % 4)
		var xs, es, ms [4]*big.Int
		for i := range 4 {
			ms[i], xs[i], es[i] = m, new(big.Int).Mod(big.NewInt(int64(i)+2), m), new(big.Int).Rsh(e, uint(i))
		}
		xs[lane], es[lane] = x, e
		for _, k := range ks {
			checkKernel(t, k, xs, es, ms)
		}
	})
}

func BenchmarkExp512(b *testing.B) {
	ps := testPrimes(b, 4)
	var lanes [4]*lane
	var x, e, z [4]nat512
	for i, p := range ps {
		lanes[i] = newLane(p)
		xi, _ := rand.Int(rand.Reader, p)
		ei, _ := rand.Int(rand.Reader, p)
		x[i], e[i] = natFromBig(xi), natFromBig(ei)
	}
	for _, k := range kernels() {
		b.Run(fmt.Sprintf("kernel=%s", k.name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				k.exp4(&z, &x, &e, &lanes)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4, "ns/exp")
		})
	}
	b.Run("kernel=mathbig", func(b *testing.B) {
		b.ReportAllocs()
		xs, es, r := make([]*big.Int, 4), make([]*big.Int, 4), new(big.Int)
		for i := range 4 {
			xs[i], es[i] = natToBig(&x[i]), natToBig(&e[i])
		}
		for b.Loop() {
			for i := range 4 {
				r.Exp(xs[i], es[i], ps[i])
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/4, "ns/exp")
	})
}
