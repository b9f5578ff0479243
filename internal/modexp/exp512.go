package modexp

// Four-lane exponentiation modulo odd moduli below 2^512: the per-prime hot
// spot of a multi-prime RSA-CRT signature.
//
// Two representations are used:
//   - Nat512: eight 64-bit limbs, little-endian, for the single-lane kernels
//     (the portable CIOS multiplication and the ADX assembly, R = 2^512);
//   - vec52: ten 52-bit limbs of four independent numbers side by side
//     ([limb][lane]), for the four-lane IFMA kernel, which runs four
//     exponentiations in the four 64-bit lanes of a YMM register (R = 2^520),
//     and for its portable model (Generic52).

import (
	"errors"
	"math/big"
	"math/bits"
	"unsafe"
)

// Nat512 is a number below 2^512 as eight 64-bit limbs, least significant
// first.
type Nat512 [8]uint64

// vec52 holds four numbers below 2^520 as ten 52-bit limbs each, limb-major:
// v[j][l] is limb j of lane l.
type vec52 = [10][4]uint64

const (
	windowBits = 5
	windowSize = 1 << windowBits
)

// NewNat512 returns x, which must satisfy 0 <= x < 2^512, as limbs.
func NewNat512(x *big.Int) Nat512 {
	var z Nat512
	bigToLimbs(z[:], x)
	return z
}

// Big returns z as a new big.Int.
func (z *Nat512) Big() *big.Int {
	w := make([]big.Word, 8*64/bigWordBits)
	limbsToWords(w, z[:])
	return new(big.Int).SetBits(w)
}

// Mod512 is the Montgomery context of one odd modulus m < 2^512 for Exp4,
// ExpF4 and the single products of MontMul. It is immutable.
type Mod512 struct {
	m    Nat512
	minv uint64 // -m⁻¹ mod 2^64
	rr   Nat512 // 2^1024 mod m
	one  Nat512 // 2^512 mod m (1 in Montgomery form)

	minv52 uint64 // -m⁻¹ mod 2^52
	m52    [10]uint64
	rr52   [10]uint64 // 2^1040 mod m
}

var errMod512 = errors.New("modexp: modulus must be odd, positive and below 2^512")

// NewMod512 returns the context of m, which must be odd, positive and below
// 2^512.
func NewMod512(m *big.Int) (*Mod512, error) {
	if m == nil || m.Sign() <= 0 || m.Bit(0) == 0 || m.BitLen() > 512 {
		return nil, errMod512
	}
	l := new(Mod512)
	l.m = NewNat512(m)
	l.minv = montInverse(l.m[0])
	l.minv52 = l.minv & mask52
	l.rr = NewNat512(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 1024), m))
	l.one = NewNat512(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 512), m))
	to52(l.m52[:], l.m[:])
	rr52 := NewNat512(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 1040), m))
	to52(l.rr52[:], rr52[:])
	return l, nil
}

// MontMul sets z = x·y·2^-512 mod m for x, y < m with the portable kernel
// (z may alias x or y). With y = c·2^512 mod m it multiplies by c.
func (l *Mod512) MontMul(z, x, y *Nat512) { mulCIOS8(z, x, y, &l.m, l.minv) }

// SubMod sets z = x - y mod m for x, y < m.
func (l *Mod512) SubMod(z, x, y *Nat512) {
	if subVV(z[:], x[:], y[:]) != 0 {
		addVV(z[:], z[:], l.m[:])
	}
}

// subIfGE sets z = z - m if z >= m (z < 2m assumed, with hi the bit 512 of z).
// It runs after every product of mulCIOS8, so it stays on fixed-size arrays.
func subIfGE(z *Nat512, hi uint64, m *Nat512) {
	var d Nat512
	var b uint64
	for j := range d {
		d[j], b = bits.Sub64(z[j], m[j], b)
	}
	if _, b = bits.Sub64(hi, 0, b); b == 0 {
		*z = d
	}
}

// window returns the windowBits-bit digit of e whose lowest bit is bit pos.
func window(e *Nat512, pos int) uint {
	w, s := pos/64, uint(pos%64)
	v := e[w] >> s
	if s > 64-windowBits && w+1 < 8 {
		v |= e[w+1] << (64 - s)
	}
	return uint(v & (windowSize - 1))
}

// firstWindow is the position of the top (short) window of a 512-bit exponent.
const firstWindow = 512 - (512-1)%windowBits - 1 // 510: bits 511..510, then 102 windows of 5

// Kernels512 lists the kernels Exp4 can run on this machine, fastest first:
// IFMA (four lanes at once) where the CPU has AVX-512 IFMA and VL, ADX where
// it has BMI2 and ADX, then Generic and Generic52.
func Kernels512() []Kernel {
	var ks []Kernel
	if hasIFMALanes {
		ks = append(ks, IFMA)
	}
	if hasADX {
		ks = append(ks, ADX)
	}
	return append(ks, Generic, Generic52)
}

// Exp4 sets z[i] = x[i]^e[i] mod m[i] for the four lanes i, with x[i] < m[i]
// and e[i] < 2^512 (a fixed 5-bit window over all 512 exponent bits), on
// kernel k, which must be one of Kernels512. Lanes may share a modulus.
func Exp4(k Kernel, z, x, e *[4]Nat512, m *[4]*Mod512) {
	switch k {
	case IFMA, Generic52:
		exp4Vec(k == IFMA, z, x, e, m)
	default:
		for i := range 4 {
			expWith(k == ADX, &z[i], &x[i], &e[i], m[i])
		}
	}
}

// ExpF4 sets z = x^65537 mod m for x < m on the single-lane kernel k (ADX if
// k is ADX and available, else Generic): the public-exponent operation of
// RSA, for checking a signature independently of the kernel that made it.
func ExpF4(k Kernel, z, x *Nat512, m *Mod512) {
	asm := k == ADX && hasADX
	mm := m.m // in the frame, as in expWith
	var xm, acc Nat512
	mul64(asm, &xm, x, &m.rr, &mm, m.minv)
	acc = xm
	for range 16 {
		mul64(asm, &acc, &acc, &acc, &mm, m.minv)
	}
	mul64(asm, &acc, &acc, &xm, &mm, m.minv)
	mul64(asm, z, &acc, &Nat512{1}, &mm, m.minv)
}

// expWith sets z = x^e mod l.m for x < m with the 64-bit-limb Montgomery
// multiplication (R = 2^512, results below m; the ADX assembly if asm, else the
// portable Go) and a fixed window of windowBits bits.
func expWith(asm bool, z, x, e *Nat512, l *Mod512) {
	// m is copied into the frame, next to the values the products store:
	// loads of the caller's copy can falsely depend on those stores when the
	// two addresses differ by a multiple of 4 KiB.
	m := l.m
	var tbl [windowSize]Nat512
	tbl[0] = l.one
	mul64(asm, &tbl[1], x, &l.rr, &m, l.minv)
	for k := 2; k < windowSize; k++ {
		mul64(asm, &tbl[k], &tbl[k-1], &tbl[1], &m, l.minv)
	}
	acc := tbl[window(e, firstWindow)&3]
	for pos := firstWindow - windowBits; pos >= 0; pos -= windowBits {
		for range windowBits {
			mul64(asm, &acc, &acc, &acc, &m, l.minv)
		}
		mul64(asm, &acc, &acc, &tbl[window(e, pos)], &m, l.minv)
	}
	mul64(asm, z, &acc, &Nat512{1}, &m, l.minv)
}

func mul64(asm bool, z, x, y, m *Nat512, minv uint64) {
	if asm {
		mulMont8(z, x, y, m, minv)
	} else {
		mulCIOS8(z, x, y, m, minv)
	}
}

// vecWork is the working set of exp4Vec: every vector the IFMA kernel loads
// or stores, each a whole number of 32-byte rows. newVecWork places it
// 32-byte aligned so that no 32-byte load or store splits a cache line (on a
// plain stack variable that depends on the frame layout and costs up to 10 %).
type vecWork struct {
	minv                    [4]uint64
	m, rr, xv, acc, op, one vec52
	tbl                     [windowSize]vec52
}

// vecWorkBuf is storage for one vecWork with room to align it.
type vecWorkBuf [unsafe.Sizeof(vecWork{})/8 + 4]uint64

// newVecWork returns the 32-byte aligned, zeroed vecWork inside buf.
func newVecWork(buf *vecWorkBuf) *vecWork {
	p := unsafe.Pointer(buf)
	return (*vecWork)(unsafe.Add(p, (32-uintptr(p)&31)&31))
}

// exp4Vec runs four exponentiations side by side with the vertical 52-bit
// Montgomery multiplication (R = 2^520, operands and results below 2m, which
// R > 4m allows without any final subtraction inside the loop): the IFMA
// assembly if asm, else its portable model.
func exp4Vec(asm bool, z, x, e *[4]Nat512, lanes *[4]*Mod512) {
	var buf vecWorkBuf
	w := newVecWork(&buf)
	m, rr, xv, acc, op, one, tbl, minv := &w.m, &w.rr, &w.xv, &w.acc, &w.op, &w.one, &w.tbl, &w.minv
	for l, ln := range lanes {
		minv[l] = ln.minv52
		var x52 [10]uint64
		to52(x52[:], x[l][:])
		for j := range 10 {
			m[j][l] = ln.m52[j]
			rr[j][l] = ln.rr52[j]
			xv[j][l] = x52[j]
		}
	}
	one[0] = [4]uint64{1, 1, 1, 1}
	mul52(asm, &tbl[0], one, rr, m, minv)
	mul52(asm, &tbl[1], xv, rr, m, minv)
	for k := 2; k < windowSize; k++ {
		mul52(asm, &tbl[k], &tbl[k-1], &tbl[1], m, minv)
	}
	gather(acc, tbl, e, firstWindow, 3)
	for pos := firstWindow - windowBits; pos >= 0; pos -= windowBits {
		for range windowBits {
			sqr52(asm, acc, acc, m, minv)
		}
		gather(op, tbl, e, pos, windowSize-1)
		mul52(asm, acc, acc, op, m, minv)
	}
	mul52(asm, acc, acc, one, m, minv) // result in [0, m]
	for l, ln := range lanes {
		var r [10]uint64
		for j := range 10 {
			r[j] = acc[j][l]
		}
		from52(z[l][:], r[:])
		subIfGE(&z[l], 0, &ln.m) // r < 2^512 since r ≤ m
	}
}

// gather sets dst's lane l to the table entry of lane l's window digit at pos.
func gather(dst *vec52, tbl *[windowSize]vec52, e *[4]Nat512, pos int, mask uint) {
	for l := range 4 {
		t := &tbl[window(&e[l], pos)&mask]
		for j := range 10 {
			dst[j][l] = t[j][l]
		}
	}
}

func mul52(asm bool, z, x, y, m *vec52, minv *[4]uint64) {
	if asm {
		mulMont52x4(z, x, y, m, minv)
	} else {
		montMul52Go(z, x, y, m, minv)
	}
}

func sqr52(asm bool, z, x, m *vec52, minv *[4]uint64) {
	if asm {
		sqrMont52x4(z, x, m, minv)
	} else {
		montMul52Go(z, x, x, m, minv)
	}
}

// montMul52Go is the portable model of the four-lane IFMA kernel (used to
// test the vertical algorithm itself and as documentation of what the
// assembly does).
func montMul52Go(z, x, y, m *vec52, minv *[4]uint64) {
	for l := range 4 {
		var t [11]uint64
		for i := range 10 {
			a := x[i][l]
			for j := range 10 {
				hi, lo := bits.Mul64(a, y[j][l])
				t[j] += lo & mask52
				t[j+1] += hi<<12 | lo>>52
			}
			q := (t[0] & mask52) * minv[l] & mask52
			for j := range 10 {
				hi, lo := bits.Mul64(q, m[j][l])
				t[j] += lo & mask52
				t[j+1] += hi<<12 | lo>>52
			}
			c := t[0] >> 52
			copy(t[:10], t[1:])
			t[10] = 0
			t[0] += c
		}
		for j := range 9 {
			t[j+1] += t[j] >> 52
			t[j] &= mask52
		}
		for j := range 10 {
			z[j][l] = t[j]
		}
	}
}
