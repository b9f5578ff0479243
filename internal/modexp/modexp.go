package modexp

import (
	"errors"
	"math/big"
	"math/bits"
	"sync"
	"unsafe"
)

// Default fixed-base table parameters: 5-bit windows covering 1025-bit
// exponents (205 windows * 31 entries); about 3.3 MB for the 3072-bit
// modulus with the IFMA kernel (512 bytes per entry), 2.5 MB otherwise.
const (
	DefaultTableWindow = 5
	DefaultTableBits   = 1024
)

type config struct {
	window    int
	tableBits int
	kernel    Kernel // 0: the fastest available
}

// Option configures New.
type Option func(*config)

// WithTableWindow sets the window width w (1..8) of the fixed-base table. The
// table has ceil(bits/w) rows of 2^w-1 entries; ExpG does one multiplication
// per non-zero row.
func WithTableWindow(w int) Option { return func(c *config) { c.window = w } }

// WithTableBits sets how many exponent bits the fixed-base table covers
// (rounded up to a multiple of the window). Longer exponents still work but
// cost a sliding-window exponentiation of the excess bits.
func WithTableBits(bits int) Option { return func(c *config) { c.tableBits = bits } }

// withKernel forces a kernel (tests use it to cross-check them all).
func withKernel(k Kernel) Option { return func(c *config) { c.kernel = k } }

// Group is an odd modulus with precomputed Montgomery constants and a
// fixed-base table for one generator. Safe for concurrent use; immutable
// after New (the table is built once, lazily, under a sync.Once).
type Group struct {
	mod  *big.Int
	gen  *big.Int
	n64  int // 64-bit limbs of the modulus
	eng  engine
	kind Kernel
	// bigExp routes variable-base Exp to big.Int.Exp: chosen automatically
	// when no assembly kernel applies, since math/big's own assembly beats
	// the portable Montgomery code there (ExpG still uses the table).
	bigExp bool
	pool   sync.Pool
	tblW   int
	tblN   int // rows
	once   sync.Once
	table  []uint64 // row i, digit j at ((i*(2^w-1))+j-1)*size
	high   []uint64 // g^(2^(w*rows)) in Montgomery form
	gMont  []uint64
}

var (
	errModulus   = errors.New("modexp: modulus must be odd and >= 3")
	errGenerator = errors.New("modexp: generator must satisfy 0 <= g < modulus")
	errOption    = errors.New("modexp: invalid option")
	errKernel    = errors.New("modexp: requested kernel unavailable")
)

// New returns a Group for the odd modulus (>= 3) and generator (0 <= g < modulus).
func New(modulus, generator *big.Int, opts ...Option) (*Group, error) {
	if modulus == nil || modulus.Sign() <= 0 || modulus.Bit(0) == 0 || modulus.Cmp(big.NewInt(3)) < 0 {
		return nil, errModulus
	}
	if generator == nil || generator.Sign() < 0 || generator.Cmp(modulus) >= 0 {
		return nil, errGenerator
	}
	c := config{window: DefaultTableWindow, tableBits: DefaultTableBits}
	for _, o := range opts {
		o(&c)
	}
	if c.window < 1 || c.window > 8 || c.tableBits < 1 || c.tableBits > 1<<16 {
		return nil, errOption
	}
	G := &Group{
		mod: new(big.Int).Set(modulus),
		gen: new(big.Int).Set(generator),
		n64: (modulus.BitLen() + 63) / 64,
	}
	G.eng, G.kind = newEngine(G.mod, c.kernel)
	if G.eng == nil {
		return nil, errKernel
	}
	G.bigExp = c.kernel == 0 && G.kind == Generic
	G.tblW = c.window
	G.tblN = (c.tableBits + c.window - 1) / c.window
	G.pool.New = func() any { return G.newWorkspace() }
	return G, nil
}

// newEngine returns the engine of kernel k for N (0: the fastest that
// applies), or nil if k does not apply to N on this machine.
func newEngine(N *big.Int, k Kernel) (engine, Kernel) {
	switch k {
	case 0:
		if e := newIFMA(N); e != nil {
			return e, IFMA
		}
		if e := newADX(N); e != nil {
			return e, ADX
		}
		return newMontGeneric(N), Generic
	case Generic:
		return newMontGeneric(N), Generic
	case ADX:
		if e := newADX(N); e != nil {
			return e, ADX
		}
	case IFMA:
		if e := newIFMA(N); e != nil {
			return e, IFMA
		}
	}
	return nil, k
}

// Modulus returns a copy of N.
func (G *Group) Modulus() *big.Int { return new(big.Int).Set(G.mod) }

// Generator returns a copy of the generator.
func (G *Group) Generator() *big.Int { return new(big.Int).Set(G.gen) }

// Mul returns x*y mod N (plain math/big; x and y may be any integers).
func (G *Group) Mul(x, y *big.Int) *big.Int {
	z := new(big.Int).Mul(x, y)
	return z.Mod(z, G.mod)
}

// alignedUint64s returns a zeroed slice of n words whose first element is
// 64-byte aligned (helps the vector kernels).
func alignedUint64s(n int) []uint64 {
	s := make([]uint64, n+8)
	off := int(uintptr(unsafe.Pointer(&s[0]))&63) / 8
	if off != 0 {
		off = 8 - off
	}
	return s[off : off+n : off+n]
}

const maxExpWindow = 6

// workspace is per-call scratch, recycled through Group.pool.
type workspace struct {
	odd  []uint64 // 2^(maxExpWindow-1) odd powers
	acc  []uint64
	base []uint64
	tmp  []uint64
	t    []uint64 // engine scratch
	in   []uint64 // n64 ordinary limbs
	out  []big.Word
}

func (G *Group) newWorkspace() *workspace {
	s := G.eng.size()
	// Round element stride up to a cache line.
	st := (s + 7) &^ 7
	nodd := 1 << (maxExpWindow - 1)
	buf := alignedUint64s(st * (nodd + 3))
	ws := &workspace{
		odd:  buf[:st*nodd],
		acc:  buf[st*nodd : st*nodd+s],
		base: buf[st*(nodd+1) : st*(nodd+1)+s],
		tmp:  buf[st*(nodd+2) : st*(nodd+2)+s],
		t:    make([]uint64, max(G.eng.scratch(), G.n64+1)),
		in:   make([]uint64, G.n64),
	}
	return ws
}

// Precompute builds the fixed-base table now instead of on the first ExpG.
func (G *Group) Precompute() { G.once.Do(G.buildTable) }

func (G *Group) buildTable() {
	e := G.eng
	s := e.size()
	ws := G.pool.Get().(*workspace)
	defer G.pool.Put(ws)
	per := 1<<G.tblW - 1
	G.table = alignedUint64s(G.tblN * per * s)
	G.gMont = make([]uint64, s)
	G.high = make([]uint64, s)
	bigToLimbs(ws.in, G.gen)
	e.toMont(G.gMont, ws.in, ws.t)
	base := ws.base
	copy(base, G.gMont)
	for i := 0; i < G.tblN; i++ {
		row := G.table[i*per*s : (i+1)*per*s]
		copy(row[:s], base)
		for j := 1; j < per; j++ {
			e.mul(row[j*s:(j+1)*s], row[(j-1)*s:j*s], base, ws.t)
		}
		// next base = base^(2^w) = base^(2^w-1) * base
		e.mul(base, row[(per-1)*s:], base, ws.t)
	}
	copy(G.high, base)
}

// ExpG returns generator^e mod N using the fixed-base table (built on first
// use). Negative e follows big.Int.Exp: the inverse of the generator is
// raised to |e|, and nil is returned if it does not exist.
func (G *Group) ExpG(e *big.Int) *big.Int { return G.ExpGInto(new(big.Int), e) }

// ExpGInto is ExpG writing the result into z (reusing its storage) and
// returning z, or nil (z unchanged) if e < 0 and the generator is not
// invertible.
func (G *Group) ExpGInto(z, e *big.Int) *big.Int {
	if e.Sign() < 0 {
		return G.ExpInto(z, G.gen, e)
	}
	G.once.Do(G.buildTable)
	eng := G.eng
	s := eng.size()
	ws := G.pool.Get().(*workspace)
	defer G.pool.Put(ws)
	ew := e.Bits()
	w := uint(G.tblW)
	per := 1<<w - 1
	acc := ws.acc
	started := false
	for i := 0; i < G.tblN; i++ {
		d := int(bitsAt(ew, uint(i)*w, w))
		if d == 0 {
			continue
		}
		ent := G.table[(i*per+d-1)*s : (i*per+d)*s]
		if started {
			eng.mul(acc, acc, ent, ws.t)
		} else {
			copy(acc, ent)
			started = true
		}
	}
	if covered := uint(G.tblN) * w; uint(e.BitLen()) > covered {
		// e = lo + 2^covered*hi: multiply by high^hi.
		G.expMont(ws, ws.tmp, G.high, ew, covered)
		if started {
			eng.mul(acc, acc, ws.tmp, ws.t)
		} else {
			copy(acc, ws.tmp)
			started = true
		}
	}
	if !started {
		return z.SetInt64(1)
	}
	return G.finish(z, ws, acc)
}

// Exp returns x^e mod N for any x (reduced mod N first), equal to
// new(big.Int).Exp(x, e, N). Negative e mirrors big.Int.Exp exactly: nil if
// x has no inverse mod N, otherwise x^-1 raised to |e|, negated mod N when
// x < 0 and e is odd (math/big's quirk, kept for bit-for-bit equality).
func (G *Group) Exp(x, e *big.Int) *big.Int { return G.ExpInto(new(big.Int), x, e) }

// ExpInto is Exp writing the result into z (reusing its storage; z may alias
// x or e) and returning z, or nil (z unchanged) when e < 0 and x has no
// inverse mod N.
func (G *Group) ExpInto(z, x, e *big.Int) *big.Int {
	if e.Sign() < 0 {
		inv := new(big.Int).ModInverse(x, G.mod)
		if inv == nil {
			return nil
		}
		negate := x.Sign() < 0 && e.Bit(0) == 1
		z = G.ExpInto(z, inv, new(big.Int).Neg(e))
		if negate && z.Sign() != 0 {
			// big.Int.Exp applies x's sign to the result for odd exponents
			// even after inverting; mirror it exactly.
			z.Sub(G.mod, z)
		}
		return z
	}
	if e.Sign() == 0 {
		return z.SetInt64(1)
	}
	if x.Sign() < 0 || x.Cmp(G.mod) >= 0 {
		x = new(big.Int).Mod(x, G.mod)
	}
	if x.Sign() == 0 {
		return z.SetInt64(0)
	}
	if G.bigExp {
		return z.Exp(x, e, G.mod)
	}
	ws := G.pool.Get().(*workspace)
	defer G.pool.Put(ws)
	bigToLimbs(ws.in, x)
	G.eng.toMont(ws.base, ws.in, ws.t)
	G.expMont(ws, ws.acc, ws.base, e.Bits(), 0)
	return G.finish(z, ws, ws.acc)
}

// finish converts the Montgomery value a into z.
func (G *Group) finish(z *big.Int, ws *workspace, a []uint64) *big.Int {
	G.eng.fromMont(ws.in, a, ws.t)
	nw := G.n64 * 64 / bigWordBits
	words := z.Bits()
	if cap(words) >= nw {
		words = words[:nw]
	} else {
		words = make([]big.Word, nw)
	}
	limbsToWords(words, ws.in)
	return z.SetBits(words)
}

// bitsAt returns the n (<= 8) bits of the little-endian word vector e
// starting at bit position pos.
func bitsAt(e []big.Word, pos, n uint) uint {
	i := pos / bigWordBits
	if int(i) >= len(e) {
		return 0
	}
	sh := pos % bigWordBits
	v := uint(e[i] >> sh)
	if sh+n > bigWordBits && int(i)+1 < len(e) {
		v |= uint(e[i+1]) << (bigWordBits - sh)
	}
	return v & (1<<n - 1)
}

func bitAt(e []big.Word, pos uint) uint {
	return uint(e[pos/bigWordBits]>>(pos%bigWordBits)) & 1
}

// bitLenWords is the bit length of the normalized word vector e.
func bitLenWords(e []big.Word) int {
	for i := len(e) - 1; i >= 0; i-- {
		if e[i] != 0 {
			return i*bigWordBits + bitLenWord(e[i])
		}
	}
	return 0
}

func bitLenWord(w big.Word) int { return bits.Len(uint(w)) }

// expWindow picks the sliding-window width for an exponent of n bits.
func expWindow(n int) int {
	switch {
	case n > 1536:
		return 6
	case n > 512:
		return 5
	case n > 160:
		return 4
	case n > 48:
		return 3
	case n > 12:
		return 2
	}
	return 1
}

// expMont sets z = base^(e >> from) in the Montgomery domain with a
// left-to-right sliding window over odd powers. z must not alias base or
// ws.odd; base may be outside ws.
func (G *Group) expMont(ws *workspace, z, base []uint64, e []big.Word, from uint) {
	eng := G.eng
	s := eng.size()
	st := (s + 7) &^ 7
	top := bitLenWords(e) - 1
	if top < int(from) {
		eng.one(z)
		return
	}
	w := expWindow(top + 1 - int(from))
	odd := ws.odd
	copy(odd[:s], base)
	if w > 1 {
		// z temporarily holds base^2.
		eng.sqr(z, base, ws.t)
		for k := 1; k < 1<<(w-1); k++ {
			eng.mul(odd[k*st:k*st+s], odd[(k-1)*st:(k-1)*st+s], z, ws.t)
		}
	}
	started := false
	i := top
	for i >= int(from) {
		if bitAt(e, uint(i)) == 0 {
			eng.sqr(z, z, ws.t)
			i--
			continue
		}
		j := max(i-w+1, int(from))
		for bitAt(e, uint(j)) == 0 {
			j++
		}
		l := i - j + 1
		v := bitsAt(e, uint(j), uint(l))
		ent := odd[int(v>>1)*st : int(v>>1)*st+s]
		if started {
			for k := 0; k < l; k++ {
				eng.sqr(z, z, ws.t)
			}
			eng.mul(z, z, ent, ws.t)
		} else {
			copy(z, ent)
			started = true
		}
		i = j - 1
	}
}

// Kernel returns the Montgomery backend the group runs on: IFMA, ADX or
// Generic (with math/big's Exp for variable bases when chosen automatically).
func (G *Group) Kernel() Kernel { return G.kind }
