package tokens

// Modular exponentiation modulo odd moduli of at most 512 bits, the per-prime hot
// spot of a 4-prime RSA-CRT signature.
//
// None of this is constant-time: window digits index tables directly and the
// final reductions branch on data. That is acceptable for the emulator's
// throw-away signing keys and must not be reused where timing side channels
// matter.
//
// Two representations are used:
//   - nat512: eight 64-bit limbs, little-endian, for the portable Go kernel
//     (CIOS Montgomery multiplication with R = 2^512);
//   - vec52: ten 52-bit limbs of four independent numbers side by side
//     ([limb][lane]), for the AVX-512 IFMA kernel, which runs the four
//     exponentiations of one signature in the four 64-bit lanes of a YMM
//     register (R = 2^520).

import (
	"encoding/binary"
	"math/big"
	"math/bits"
)

type nat512 = [8]uint64

// vec52 holds four numbers below 2^520 as ten 52-bit limbs each, limb-major:
// v[j][l] is limb j of lane l.
type vec52 = [10][4]uint64

const (
	windowBits = 5
	windowSize = 1 << windowBits
	mask52     = 1<<52 - 1
)

// lane is the precomputed Montgomery context of one odd modulus m < 2^512.
type lane struct {
	m    nat512
	minv uint64 // -m⁻¹ mod 2^64
	rr   nat512 // 2^1024 mod m
	one  nat512 // 2^512 mod m (1 in Montgomery form)

	minv52 uint64 // -m⁻¹ mod 2^52
	m52    [10]uint64
	rr52   [10]uint64 // 2^1040 mod m
}

// newLane returns the context of m, which must be odd and below 2^512.
func newLane(m *big.Int) *lane {
	if m.Bit(0) == 0 || m.BitLen() > 512 {
		panic("tokens: bad modulus")
	}
	l := new(lane)
	l.m = natFromBig(m)
	// Newton iteration for m⁻¹ mod 2^64: each step doubles the correct bits.
	inv := l.m[0] // correct to 3 bits for odd m
	for range 5 {
		inv *= 2 - l.m[0]*inv
	}
	l.minv = -inv
	l.minv52 = (-inv) & mask52
	l.rr = natFromBig(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 1024), m))
	l.one = natFromBig(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 512), m))
	l.m52 = to52(&l.m)
	rr52 := natFromBig(new(big.Int).Mod(new(big.Int).Lsh(big.NewInt(1), 1040), m))
	l.rr52 = to52(&rr52)
	return l
}

// natFromBig returns x, which must be below 2^512, as limbs.
func natFromBig(x *big.Int) nat512 {
	var z nat512
	if bits.UintSize == 64 {
		for i, w := range x.Bits() {
			z[i] = uint64(w)
		}
		return z
	}
	var buf [64]byte
	x.FillBytes(buf[:])
	for i := range z {
		z[i] = binary.BigEndian.Uint64(buf[56-8*i:])
	}
	return z
}

// natToBig returns z as a new big.Int.
func natToBig(z *nat512) *big.Int { return new(big.Int).SetBits(natBits(z)) }

// natBits returns z as big.Int words.
func natBits(z *nat512) []big.Word {
	if bits.UintSize == 64 {
		w := make([]big.Word, 8)
		for i := range z {
			w[i] = big.Word(z[i])
		}
		return w
	}
	w := make([]big.Word, 16)
	for i := range z {
		w[2*i], w[2*i+1] = big.Word(z[i]), big.Word(z[i]>>32)
	}
	return w
}

// to52 splits x into ten 52-bit limbs.
func to52(x *nat512) [10]uint64 {
	var z [10]uint64
	for j := range z {
		bit := 52 * j
		w, s := bit/64, uint(bit%64)
		v := x[w] >> s
		if s > 12 && w+1 < 8 {
			v |= x[w+1] << (64 - s)
		}
		z[j] = v & mask52
	}
	return z
}

// from52 joins ten 52-bit limbs (each < 2^52) holding a value below 2^512.
func from52(x *[10]uint64) nat512 {
	var z nat512
	for j, v := range x {
		bit := 52 * j
		w, s := bit/64, uint(bit%64)
		if w < 8 {
			z[w] |= v << s
		}
		if s > 12 && w+1 < 8 {
			z[w+1] |= v >> (64 - s)
		}
	}
	return z
}

// subIfGE sets z = z - m if z >= m (z < 2m assumed, with hi the bit 512 of z).
func subIfGE(z *nat512, hi uint64, m *nat512) {
	var d nat512
	var b uint64
	for j := range d {
		d[j], b = bits.Sub64(z[j], m[j], b)
	}
	if _, b = bits.Sub64(hi, 0, b); b == 0 {
		*z = d
	}
}

// window returns the windowBits-bit digit of e whose lowest bit is bit pos.
func window(e *nat512, pos int) uint {
	w, s := pos/64, uint(pos%64)
	v := e[w] >> s
	if s > 64-windowBits && w+1 < 8 {
		v |= e[w+1] << (64 - s)
	}
	return uint(v & (windowSize - 1))
}

// firstWindow is the position of the top (short) window of a 512-bit exponent.
const firstWindow = 512 - (512-1)%windowBits - 1 // 510: bits 511..510, then 102 windows of 5

// expWith sets z = x^e mod l.m for x < m with the 64-bit-limb Montgomery
// multiplication (R = 2^512, results below m; the MULX assembly if asm, else the
// portable Go) and a fixed window of windowBits bits.
func expWith(asm bool, z, x, e *nat512, l *lane) {
	var tbl [windowSize]nat512
	tbl[0] = l.one
	mul64(asm, &tbl[1], x, &l.rr, &l.m, l.minv)
	for k := 2; k < windowSize; k++ {
		mul64(asm, &tbl[k], &tbl[k-1], &tbl[1], &l.m, l.minv)
	}
	acc := tbl[window(e, firstWindow)&3]
	for pos := firstWindow - windowBits; pos >= 0; pos -= windowBits {
		for range windowBits {
			mul64(asm, &acc, &acc, &acc, &l.m, l.minv)
		}
		mul64(asm, &acc, &acc, &tbl[window(e, pos)], &l.m, l.minv)
	}
	mul64(asm, z, &acc, &nat512{1}, &l.m, l.minv)
}

func mul64(asm bool, z, x, y, m *nat512, minv uint64) {
	if asm {
		mulMont8(z, x, y, m, minv)
	} else {
		montMulGo(z, x, y, m, minv)
	}
}

// expE65537 sets z = x^65537 mod l.m for x < m with the 64-bit-limb kernel.
func expE65537(asm bool, z, x *nat512, l *lane) {
	var xm, acc nat512
	mul64(asm, &xm, x, &l.rr, &l.m, l.minv)
	acc = xm
	for range 16 {
		mul64(asm, &acc, &acc, &acc, &l.m, l.minv)
	}
	mul64(asm, &acc, &acc, &xm, &l.m, l.minv)
	mul64(asm, z, &acc, &nat512{1}, &l.m, l.minv)
}

type kernelID int

const (
	kGo    kernelID = iota // portable Go, 64-bit limbs, one lane at a time
	kVecGo                 // portable Go model of the IFMA kernel
	kMULX                  // amd64 BMI2+ADX assembly, one lane at a time
	kIFMA                  // amd64 AVX-512 IFMA assembly, four lanes at once
)

// kernel computes four independent exponentiations z[i] = x[i]^e[i] mod lanes[i].m
// (x[i] < m, e[i] < 2^512). Lanes may repeat.
type kernel struct {
	name string
	id   kernelID
}

var allKernels = []kernel{{"ifma", kIFMA}, {"mulx", kMULX}, {"go", kGo}, {"vec52go", kVecGo}}

// kernels lists the kernels this machine can run, fastest first.
func kernels() []kernel {
	var ks []kernel
	for _, k := range allKernels {
		if k.id == kIFMA && !hasIFMA || k.id == kMULX && !hasMULX {
			continue
		}
		ks = append(ks, k)
	}
	return ks
}

func (k kernel) exp4(z, x, e *[4]nat512, lanes *[4]*lane) {
	switch k.id {
	case kIFMA, kVecGo:
		exp4Vec(k.id == kIFMA, z, x, e, lanes)
	default:
		for i := range 4 {
			expWith(k.id == kMULX, &z[i], &x[i], &e[i], lanes[i])
		}
	}
}

// exp4Vec runs four exponentiations side by side with the vertical 52-bit
// Montgomery multiplication (R = 2^520, operands and results below 2m, which
// R > 4m allows without any final subtraction inside the loop): the IFMA
// assembly if asm, else its portable model.
func exp4Vec(asm bool, z, x, e *[4]nat512, lanes *[4]*lane) {
	var m, rr, xv, acc, op vec52
	var minv [4]uint64
	for l, ln := range lanes {
		minv[l] = ln.minv52
		x52 := to52(&x[l])
		for j := range 10 {
			m[j][l] = ln.m52[j]
			rr[j][l] = ln.rr52[j]
			xv[j][l] = x52[j]
		}
	}
	var tbl [windowSize]vec52
	var one vec52
	one[0] = [4]uint64{1, 1, 1, 1}
	mul52(asm, &tbl[0], &one, &rr, &m, &minv)
	mul52(asm, &tbl[1], &xv, &rr, &m, &minv)
	for k := 2; k < windowSize; k++ {
		mul52(asm, &tbl[k], &tbl[k-1], &tbl[1], &m, &minv)
	}
	gather(&acc, &tbl, e, firstWindow, 3)
	for pos := firstWindow - windowBits; pos >= 0; pos -= windowBits {
		for range windowBits {
			sqr52(asm, &acc, &acc, &m, &minv)
		}
		gather(&op, &tbl, e, pos, windowSize-1)
		mul52(asm, &acc, &acc, &op, &m, &minv)
	}
	mul52(asm, &acc, &acc, &one, &m, &minv) // result in [0, m]
	for l, ln := range lanes {
		var r [10]uint64
		for j := range 10 {
			r[j] = acc[j][l]
		}
		z[l] = from52(&r)
		subIfGE(&z[l], 0, &ln.m) // r < 2^512 since r ≤ m
	}
}

// gather sets dst's lane l to the table entry of lane l's window digit at pos.
func gather(dst *vec52, tbl *[windowSize]vec52, e *[4]nat512, pos int, mask uint) {
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

// montMul52Go is the portable model of the IFMA kernel (used to test the
// vertical algorithm itself and as documentation of what the assembly does).
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
