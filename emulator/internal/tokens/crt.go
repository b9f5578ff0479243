package tokens

import (
	"errors"
	"math/big"
	"math/bits"
)

// crtKey signs with multi-prime RSA-CRT (RFC 8017 §5.1.2, Garner's recombination)
// when every prime is at most 512 bits, running the per-prime exponentiations on
// the fastest available kernel and checking every signature with the public
// exponent before releasing it. Not constant-time (see mont.go).
type crtKey struct {
	n      *big.Int
	size   int // bytes of n
	primes []*big.Int
	lanes  []*lane
	exps   []nat512   // d mod (p_i - 1)
	coeff  []nat512   // (p_0·…·p_{i-1})⁻¹ mod p_i, times 2^512 (Montgomery form); coeff[0] unused
	prods  []*big.Int // p_0·…·p_{i-1}; prods[0] unused
	kern   kernel
	// checkAsm selects the MULX kernel for the fault check, independent of
	// an IFMA signing kernel; otherwise the check runs in portable Go.
	checkAsm bool
}

// errSelfCheck reports a signature that failed the public-exponent check.
var errSelfCheck = errors.New("tokens: signature self-check failed")

// newCRTKey returns the CRT signer of a key with the given primes and private
// exponent, or nil if the fast path does not apply (a prime above 512 bits). It
// rejects keys whose primes do not multiply to n or whose d is not the inverse
// of e modulo every p_i - 1.
func newCRTKey(n *big.Int, e int, d *big.Int, primes []*big.Int, kern kernel) (*crtKey, error) {
	prod := big.NewInt(1)
	one := big.NewInt(1)
	for _, p := range primes {
		if p.Sign() <= 0 || p.Bit(0) == 0 {
			return nil, errors.New("tokens: key has an even or non-positive prime")
		}
		prod.Mul(prod, p)
	}
	if prod.Cmp(n) != 0 {
		return nil, errors.New("tokens: key primes do not multiply to the modulus")
	}
	if e != pubE || len(primes) < 2 {
		return nil, nil // the fault check below is specialised for e = 65537
	}
	for _, p := range primes {
		if p.BitLen() > 512 {
			return nil, nil
		}
	}
	k := &crtKey{n: n, size: (n.BitLen() + 7) / 8, primes: primes, kern: kern,
		checkAsm: hasMULX && kern.id != kMULX}
	bigE := big.NewInt(int64(e))
	r := big.NewInt(1)
	for i, p := range primes {
		pm1 := new(big.Int).Sub(p, one)
		di := new(big.Int).Mod(d, pm1)
		if new(big.Int).Mod(new(big.Int).Mul(di, bigE), pm1).Cmp(one) != 0 {
			return nil, errors.New("tokens: private exponent does not match the key")
		}
		k.lanes = append(k.lanes, newLane(p))
		k.exps = append(k.exps, natFromBig(di))
		if i == 0 {
			k.coeff = append(k.coeff, nat512{})
			k.prods = append(k.prods, nil)
		} else {
			inv := new(big.Int).ModInverse(r, p)
			if inv == nil {
				return nil, errors.New("tokens: key primes are not coprime")
			}
			inv.Lsh(inv, 512).Mod(inv, p)
			k.coeff = append(k.coeff, natFromBig(inv))
			k.prods = append(k.prods, new(big.Int).Set(r))
		}
		r.Mul(r, p)
	}
	return k, nil
}

// sha256DigestInfo is the DER prefix of a SHA-256 DigestInfo (RFC 8017 §9.2).
var sha256DigestInfo = []byte{0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20}

// signPKCS1v15 returns the RSASSA-PKCS1-v1_5 signature of a SHA-256 digest.
func (k *crtKey) signPKCS1v15(digest *[32]byte) ([]byte, error) {
	// EM = 0x00 0x01 FF…FF 0x00 ‖ DigestInfo ‖ H, reduced mod each prime.
	em := make([]byte, k.size)
	tLen := len(sha256DigestInfo) + len(digest)
	if k.size < tLen+11 {
		return nil, errors.New("tokens: key too small")
	}
	em[1] = 1
	for i := 2; i < k.size-tLen-1; i++ {
		em[i] = 0xff
	}
	copy(em[k.size-tLen:], sha256DigestInfo)
	copy(em[k.size-len(digest):], digest[:])
	c := new(big.Int).SetBytes(em)

	np := len(k.primes)
	cs := make([]nat512, np) // EM mod p_i
	ss := make([]nat512, np) // s_i = EM^(d mod p_i-1) mod p_i
	t := new(big.Int)
	for i, p := range k.primes {
		cs[i] = natFromBig(t.Mod(c, p))
	}
	for g := 0; g < np; g += 4 {
		var lanes [4]*lane
		var x, e, z [4]nat512
		for l := range 4 {
			i := min(g+l, np-1) // pad a short group by repeating the last prime
			lanes[l], x[l], e[l] = k.lanes[i], cs[i], k.exps[i]
		}
		k.kern.exp4(&z, &x, &e, &lanes)
		copy(ss[g:], z[:min(4, np-g)])
	}

	// Garner: s = s_0; s += (p_0…p_{i-1}) · ((s_i - s) · coeff_i mod p_i).
	s := natToBig(&ss[0])
	h := new(big.Int)
	for i := 1; i < np; i++ {
		ln := k.lanes[i]
		sm := natFromBig(t.Mod(s, k.primes[i]))
		diff := ss[i]
		if subNat(&diff, &sm) != 0 { // s_i < s mod p_i: add p_i back
			addNat(&diff, &ln.m)
		}
		var hi nat512
		montMulGo(&hi, &diff, &k.coeff[i], &ln.m, ln.minv)
		h.SetBits(natBits(&hi))
		s.Add(s, t.Mul(k.prods[i], h))
	}

	// Fault check: s^e ≡ EM (mod n) ⇔ s^e ≡ EM (mod p_i) for every i, by the CRT
	// (n is squarefree). It is done on the recombined s with a 64-bit-limb
	// kernel (MULX assembly, or portable Go when MULX signs or is missing),
	// independent of the IFMA exponentiation kernel.
	for i, p := range k.primes {
		sm := natFromBig(t.Mod(s, p))
		var v nat512
		expE65537(k.checkAsm, &v, &sm, k.lanes[i])
		if v != cs[i] {
			return nil, errSelfCheck
		}
	}
	return s.FillBytes(em), nil
}

// subNat sets z -= x and returns the borrow.
func subNat(z, x *nat512) uint64 {
	var b uint64
	for j := range z {
		z[j], b = bits.Sub64(z[j], x[j], b)
	}
	return b
}

// addNat sets z += x, dropping the carry.
func addNat(z, x *nat512) {
	var c uint64
	for j := range z {
		z[j], c = bits.Add64(z[j], x[j], c)
	}
}
