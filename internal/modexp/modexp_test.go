package modexp

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/authbench/authbench/internal/race"
)

const rfc3526Hex = "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf0598da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3be39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e208e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff"

var rfc3526N, _ = new(big.Int).SetString(rfc3526Hex, 16)

// kernels lists every Group backend usable on this machine.
func kernels() []Kernel {
	ks := []Kernel{Generic}
	if newADX(rfc3526N) != nil {
		ks = append(ks, ADX)
	}
	if newIFMA(rfc3526N) != nil {
		ks = append(ks, IFMA)
	}
	return ks
}

// kernelAuto asks New for the fastest kernel.
const kernelAuto Kernel = 0

func kernelName(k Kernel) string {
	if k == kernelAuto {
		return "auto"
	}
	return k.String()
}

func randBits(r *rand.Rand, n int) *big.Int {
	if n <= 0 {
		return new(big.Int)
	}
	b := make([]byte, (n+7)/8)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	x := new(big.Int).SetBytes(b)
	x.Rsh(x, uint(len(b)*8-n))
	return x
}

// randOddModulus returns an odd number of exactly n bits (n >= 2).
func randOddModulus(r *rand.Rand, n int) *big.Int {
	m := randBits(r, n)
	m.SetBit(m, n-1, 1)
	m.SetBit(m, 0, 1)
	return m
}

func mustGroup(t testing.TB, m, g *big.Int, opts ...Option) *Group {
	t.Helper()
	G, err := New(m, g, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return G
}

func checkExp(t *testing.T, G *Group, x, e *big.Int) {
	t.Helper()
	want := new(big.Int).Exp(x, e, G.mod)
	got := G.Exp(x, e)
	if (want == nil) != (got == nil) || (want != nil && want.Cmp(got) != 0) {
		t.Fatalf("Exp mismatch (kernel %s, N %d bits)\nx=%x\ne=%x\ngot  %v\nwant %v", kernelName(G.kind), G.mod.BitLen(), x, e, got, want)
	}
}

func checkExpG(t *testing.T, G *Group, e *big.Int) {
	t.Helper()
	want := new(big.Int).Exp(G.gen, e, G.mod)
	got := G.ExpG(e)
	if (want == nil) != (got == nil) || (want != nil && want.Cmp(got) != 0) {
		t.Fatalf("ExpG mismatch (kernel %s, N %d bits, g %v)\ne=%x\ngot  %v\nwant %v", kernelName(G.kind), G.mod.BitLen(), G.gen, e, got, want)
	}
}

func TestNewErrors(t *testing.T) {
	N := rfc3526N
	cases := []struct {
		m, g *big.Int
		opts []Option
	}{
		{nil, big.NewInt(2), nil},
		{big.NewInt(0), big.NewInt(0), nil},
		{big.NewInt(1), big.NewInt(0), nil},
		{big.NewInt(2), big.NewInt(1), nil},
		{big.NewInt(-7), big.NewInt(2), nil},
		{big.NewInt(100), big.NewInt(2), nil},
		{N, nil, nil},
		{N, big.NewInt(-1), nil},
		{N, N, nil},
		{N, big.NewInt(2), []Option{WithTableWindow(0)}},
		{N, big.NewInt(2), []Option{WithTableWindow(9)}},
		{N, big.NewInt(2), []Option{WithTableBits(0)}},
	}
	for i, c := range cases {
		if _, err := New(c.m, c.g, c.opts...); err == nil {
			t.Errorf("case %d: expected error", i)
		}
	}
	G := mustGroup(t, big.NewInt(3), big.NewInt(2))
	if G.Modulus().Cmp(big.NewInt(3)) != 0 {
		t.Fatal("Modulus")
	}
	G.Modulus().SetInt64(5) // must be a copy
	if G.Modulus().Cmp(big.NewInt(3)) != 0 {
		t.Fatal("Modulus not a copy")
	}
}

func edgeValues(N *big.Int) []*big.Int {
	one := big.NewInt(1)
	return []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(3),
		new(big.Int).Sub(N, one), new(big.Int).Set(N), new(big.Int).Add(N, one),
		new(big.Int).Lsh(N, 1), new(big.Int).Mul(N, N), new(big.Int).Add(new(big.Int).Mul(N, N), big.NewInt(5)),
		big.NewInt(-1), big.NewInt(-2), new(big.Int).Neg(N), new(big.Int).Neg(new(big.Int).Sub(N, one)),
		new(big.Int).Rsh(N, 1), new(big.Int).Lsh(one, uint(N.BitLen()-1)),
		new(big.Int).Sub(new(big.Int).Lsh(one, uint(N.BitLen())), one),
	}
}

func edgeExponents(N *big.Int) []*big.Int {
	one := big.NewInt(1)
	return []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(31), big.NewInt(32), big.NewInt(65537),
		new(big.Int).Sub(N, one), new(big.Int).Set(N), new(big.Int).Sub(N, big.NewInt(2)),
		new(big.Int).Lsh(one, 1024), new(big.Int).Sub(new(big.Int).Lsh(one, 1025), one),
		new(big.Int).Lsh(one, 3100), new(big.Int).Sub(new(big.Int).Lsh(one, 256), one),
		big.NewInt(-1), big.NewInt(-2), big.NewInt(-65537),
	}
}

func testModuli(r *rand.Rand) []*big.Int {
	ms := []*big.Int{
		big.NewInt(3), big.NewInt(5), big.NewInt(65537), big.NewInt(1<<62 + 1), new(big.Int).SetUint64(1<<64 - 1),
		new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 64), big.NewInt(1)),
		randOddModulus(r, 127), randOddModulus(r, 1024), randOddModulus(r, 2048),
	}
	return ms
}

// fastModuli are 48-limb moduli that take the assembly paths.
func fastModuli(r *rand.Rand) []*big.Int {
	return []*big.Int{
		rfc3526N,
		randOddModulus(r, 3072),
		randOddModulus(r, 3009), // smallest 48-limb size
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 3072), big.NewInt(1)),
	}
}

func TestEdgeCases(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	var sets [][]*Group // groups sharing one modulus
	for _, m := range testModuli(r) {
		g := big.NewInt(2 % m.Int64())
		sets = append(sets, []*Group{mustGroup(t, m, g), mustGroup(t, m, g, withKernel(Generic))})
	}
	for _, m := range fastModuli(r)[:2] {
		var gs []*Group
		for _, k := range append(kernels(), kernelAuto) {
			gs = append(gs, mustGroup(t, m, big.NewInt(2), withKernel(k), WithTableBits(256)))
		}
		sets = append(sets, gs)
	}
	for _, gs := range sets {
		N := gs[0].mod
		for xi, x := range edgeValues(N) {
			for _, e := range edgeExponents(N) {
				if e.BitLen() > 300 && N.BitLen() > 2000 && xi%4 != 0 {
					continue // huge exponents with big moduli are slow; sample
				}
				want := new(big.Int).Exp(x, e, N)
				for _, G := range gs {
					if G.kind == Generic && N.BitLen() > 2000 && e.BitLen() > 300 {
						continue // pure Go at 3072 bits is slow; TestRandomFast covers it
					}
					got := G.Exp(x, e)
					if (want == nil) != (got == nil) || (want != nil && want.Cmp(got) != 0) {
						t.Fatalf("Exp mismatch (kernel %s, N %d bits)\nx=%x\ne=%x\ngot  %v\nwant %v", kernelName(G.kind), N.BitLen(), x, e, got, want)
					}
				}
			}
		}
		for _, G := range gs {
			for _, e := range edgeExponents(N) {
				checkExpG(t, G, e)
			}
		}
	}
}

func TestRandomGeneric(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	n := 0
	for _, m := range testModuli(r) {
		G := mustGroup(t, m, new(big.Int).Rsh(m, 1), WithTableWindow(4), WithTableBits(200))
		iters := 400
		if m.BitLen() > 1000 {
			iters = 40
		}
		if race.Enabled || testing.Short() {
			iters /= 4
		}
		for i := 0; i < iters; i++ {
			x := randBits(r, r.IntN(m.BitLen()+70))
			if r.IntN(4) == 0 {
				x.Neg(x)
			}
			e := randBits(r, r.IntN(3101))
			if m.BitLen() > 1000 && i%4 != 0 {
				e = randBits(r, r.IntN(600))
			}
			checkExp(t, G, x, e)
			checkExpG(t, G, e)
			n++
		}
	}
	t.Logf("%d random cases", n)
}

// TestRandomFast checks every kernel available here on 48-limb moduli
// against math/big and against each other.
func TestRandomFast(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(5, 6))
	for _, m := range fastModuli(r) {
		var gs []*Group
		for i, k := range kernels() {
			gs = append(gs, mustGroup(t, m, big.NewInt(2), withKernel(k), WithTableWindow(4+i), WithTableBits(300)))
		}
		iters := 60
		if race.Enabled || testing.Short() {
			iters = 12
		}
		for i := 0; i < iters; i++ {
			x := randBits(r, r.IntN(3200))
			var e *big.Int
			switch i % 4 {
			case 0:
				if race.Enabled && i%8 != 0 {
					e = randBits(r, r.IntN(1101))
				} else {
					e = randBits(r, r.IntN(3101))
				}
			case 1:
				e = randBits(r, 1025)
			case 2:
				e = randBits(r, 256)
			default:
				e = randBits(r, r.IntN(40))
			}
			want := new(big.Int).Exp(x, e, m)
			wantG := new(big.Int).Exp(big.NewInt(2), e, m)
			for _, G := range gs {
				if got := G.Exp(x, e); got.Cmp(want) != 0 {
					t.Fatalf("%s Exp mismatch: x=%x e=%x", kernelName(G.kind), x, e)
				}
				if got := G.ExpG(e); got.Cmp(wantG) != 0 {
					t.Fatalf("%s ExpG mismatch: e=%x", kernelName(G.kind), e)
				}
			}
		}
	}
}

// TestEngineMul checks single Montgomery products of each kernel against
// math/big, including operands near N (stressing the lazy reductions).
func TestEngineMul(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(7, 8))
	for _, m := range fastModuli(r) {
		for _, k := range kernels() {
			G := mustGroup(t, m, big.NewInt(2), withKernel(k))
			eng := G.eng
			s := eng.size()
			ws := G.newWorkspace()
			a, b, c := make([]uint64, s), make([]uint64, s), make([]uint64, s)
			for i := 0; i < 300; i++ {
				x := new(big.Int).Mod(randBits(r, 3072), m)
				y := new(big.Int).Mod(randBits(r, 3072), m)
				switch i % 5 {
				case 1:
					x.Sub(m, big.NewInt(int64(1+i)))
				case 2:
					x.Sub(m, big.NewInt(1))
					y.Sub(m, big.NewInt(1))
				}
				bigToLimbs(ws.in, x)
				eng.toMont(a, ws.in, ws.t)
				bigToLimbs(ws.in, y)
				eng.toMont(b, ws.in, ws.t)
				// c = a*b, then c = c*c, then c = c*a (chains of unreduced values)
				eng.mul(c, a, b, ws.t)
				eng.sqr(c, c, ws.t)
				eng.mul(c, c, a, ws.t)
				eng.fromMont(ws.in, c, ws.t)
				got := make([]big.Word, G.n64*64/bigWordBits)
				limbsToWords(got, ws.in)
				want := new(big.Int).Mul(x, y)
				want.Mul(want, want).Mul(want, x).Mod(want, m)
				if new(big.Int).SetBits(got).Cmp(want) != 0 {
					t.Fatalf("%s: mul mismatch x=%x y=%x", kernelName(k), x, y)
				}
			}
		}
	}
}

func TestExpGTableSplit(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(9, 10))
	for _, k := range kernels() {
		for _, w := range []int{1, 2, 5, 8} {
			G := mustGroup(t, rfc3526N, big.NewInt(2), withKernel(k), WithTableWindow(w), WithTableBits(64))
			for _, nb := range []int{0, 1, 63, 64, 65, 70, 128, 300} {
				checkExpG(t, G, randBits(r, nb))
				checkExpG(t, G, new(big.Int).Lsh(big.NewInt(1), uint(nb)))
			}
		}
		// A generator other than 2, and g = 0, 1.
		for _, g := range []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(rfc3526N, big.NewInt(1)), randBits(r, 3000)} {
			G := mustGroup(t, rfc3526N, g, withKernel(k), WithTableBits(100))
			for _, e := range []*big.Int{big.NewInt(0), big.NewInt(1), big.NewInt(-1), randBits(r, 99), randBits(r, 256)} {
				checkExpG(t, G, e)
			}
		}
	}
}

func TestIntoAliasing(t *testing.T) {
	G := mustGroup(t, rfc3526N, big.NewInt(2))
	r := rand.New(rand.NewPCG(11, 12))
	x, e := randBits(r, 3000), randBits(r, 300)
	want := new(big.Int).Exp(x, e, rfc3526N)
	z := new(big.Int).Set(x)
	if G.ExpInto(z, z, e).Cmp(want) != 0 {
		t.Fatal("ExpInto z==x")
	}
	z.Set(e)
	if G.ExpInto(z, x, z).Cmp(want) != 0 {
		t.Fatal("ExpInto z==e")
	}
	z.Set(e)
	if G.ExpGInto(z, z).Cmp(new(big.Int).Exp(big.NewInt(2), e, rfc3526N)) != 0 {
		t.Fatal("ExpGInto z==e")
	}
	if got := G.Mul(big.NewInt(-3), x); got.Cmp(new(big.Int).Mod(new(big.Int).Mul(big.NewInt(-3), x), rfc3526N)) != 0 {
		t.Fatal("Mul")
	}
	if G.Exp(big.NewInt(0), big.NewInt(-1)) != nil || G.Exp(rfc3526N, big.NewInt(-3)) != nil {
		t.Fatal("non-invertible negative exponent should give nil")
	}
}

func TestConcurrent(t *testing.T) {
	G := mustGroup(t, rfc3526N, big.NewInt(2)) // table built concurrently on first use
	r := rand.New(rand.NewPCG(13, 14))
	type tc struct{ x, e, want, wantG *big.Int }
	var cases []tc
	for i := 0; i < 8; i++ {
		x, e := randBits(r, 3072), randBits(r, 256)
		cases = append(cases, tc{x, e, new(big.Int).Exp(x, e, rfc3526N), new(big.Int).Exp(big.NewInt(2), e, rfc3526N)})
	}
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for gr := 0; gr < 16; gr++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 6; i++ {
				c := cases[(gr+i)%len(cases)]
				if G.ExpG(c.e).Cmp(c.wantG) != 0 || G.Exp(c.x, c.e).Cmp(c.want) != 0 {
					errs <- fmt.Sprintf("goroutine %d mismatch", gr)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestAllocs(t *testing.T) {
	if testing.CoverMode() != "" || race.Enabled {
		t.Skip()
	}
	ks := kernels()
	G := mustGroup(t, rfc3526N, big.NewInt(2), withKernel(ks[len(ks)-1]))
	G.Precompute()
	r := rand.New(rand.NewPCG(15, 16))
	x, e := randBits(r, 3000), randBits(r, 256)
	z := new(big.Int)
	G.ExpInto(z, x, e)
	if n := testing.AllocsPerRun(20, func() { G.ExpInto(z, x, e); G.ExpGInto(z, e) }); n > 0 {
		t.Errorf("ExpInto/ExpGInto allocate %v times per run, want 0", n)
	}
	if n := testing.AllocsPerRun(20, func() { G.Exp(x, e) }); n > 2 {
		t.Errorf("Exp allocates %v times per run, want <= 2", n)
	}
}

// FuzzExp checks both entry points against math/big's Exp on every kernel
// available here: a Group (modulus chosen by sel from RFC 3526's prime and the
// test moduli, x and e fuzzed, negative when asked) and Exp4/ExpF4 (modulus
// mb made odd, cut to 512 bits).
func FuzzExp(f *testing.F) {
	f.Add([]byte{2}, []byte{1}, []byte{5}, uint8(0), false)
	f.Add([]byte{0}, []byte{0}, []byte{}, uint8(0), false)
	f.Add([]byte{0xff, 0xff}, []byte{0x01, 0x00, 0x01}, []byte{0xff, 0xff, 0xff}, uint8(1), true)
	f.Add(rfc3526N.Bytes(), []byte{3}, rfc3526N.Bytes()[:64], uint8(0), false)
	f.Add(new(big.Int).Sub(rfc3526N, big.NewInt(1)).Bytes(), rfc3526N.Bytes()[:130], []byte{3}, uint8(2), false)
	f.Add([]byte{7}, []byte{5}, []byte{0xff, 0xff}, uint8(3), true)
	r := rand.New(rand.NewPCG(17, 18))
	moduli := append([]*big.Int{rfc3526N}, testModuli(r)...)
	var groups [][]*Group
	for _, m := range moduli {
		var gs []*Group
		for _, k := range kernels() {
			if G, err := New(m, big.NewInt(2%m.Int64()), withKernel(k), WithTableBits(512)); err == nil {
				gs = append(gs, G)
			}
		}
		groups = append(groups, gs)
	}
	f.Fuzz(func(t *testing.T, xb, eb, mb []byte, sel uint8, neg bool) {
		if len(eb) > 400 || len(xb) > 800 {
			return
		}
		fuzzExp4(t, xb, eb, mb, sel)
		x := new(big.Int).SetBytes(xb)
		e := new(big.Int).SetBytes(eb)
		if neg {
			x.Neg(x)
		}
		if sel&0x80 != 0 {
			e.Neg(e)
		}
		for _, G := range groups[int(sel&0x7f)%len(groups)] {
			checkExp(t, G, x, e)
			checkExpG(t, G, e)
		}
	})
}
