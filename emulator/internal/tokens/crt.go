package tokens

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/authbench/authbench/internal/modexp"
)

// crtKey signs with multi-prime RSA-CRT (RFC 8017 §5.1.2, Garner's recombination)
// when every prime is at most 512 bits, running the per-prime exponentiations
// four at a time on a kernel of the modexp engine (modexp.Exp4) and checking
// every signature with the public exponent before releasing it. Not constant
// time (see package modexp): fine for the emulator's throw-away keys only.
type crtKey struct {
	n      *big.Int
	size   int // bytes of n
	primes []*big.Int
	lanes  []*modexp.Mod512
	exps   []modexp.Nat512 // d mod (p_i - 1)
	coeff  []modexp.Nat512 // (p_0·…·p_{i-1})⁻¹ mod p_i, times 2^512 (Montgomery form); coeff[0] unused
	prods  []*big.Int      // p_0·…·p_{i-1}; prods[0] unused
	kern   modexp.Kernel
	// check is the kernel of the fault check: ADX when the CPU has it and
	// it does not also sign (so an IFMA signature is checked by other
	// code), otherwise portable Go.
	check modexp.Kernel
}

// errSelfCheck reports a signature that failed the public-exponent check.
var errSelfCheck = errors.New("tokens: signature self-check failed")

// newCRTKey returns the CRT signer of a key with the given primes and private
// exponent, or nil if the fast path does not apply (a prime above 512 bits). It
// rejects keys whose primes do not multiply to n or whose d is not the inverse
// of e modulo every p_i - 1.
func newCRTKey(n *big.Int, e int, d *big.Int, primes []*big.Int, kern modexp.Kernel) (*crtKey, error) {
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
	k := &crtKey{n: n, size: (n.BitLen() + 7) / 8, primes: primes, kern: kern, check: checkKernel(kern)}
	bigE := big.NewInt(int64(e))
	r := big.NewInt(1)
	for i, p := range primes {
		pm1 := new(big.Int).Sub(p, one)
		di := new(big.Int).Mod(d, pm1)
		if new(big.Int).Mod(new(big.Int).Mul(di, bigE), pm1).Cmp(one) != 0 {
			return nil, errors.New("tokens: private exponent does not match the key")
		}
		ln, err := modexp.NewMod512(p)
		if err != nil {
			return nil, fmt.Errorf("tokens: key prime: %w", err)
		}
		k.lanes = append(k.lanes, ln)
		k.exps = append(k.exps, modexp.NewNat512(di))
		if i == 0 {
			k.coeff = append(k.coeff, modexp.Nat512{})
			k.prods = append(k.prods, nil)
		} else {
			inv := new(big.Int).ModInverse(r, p)
			if inv == nil {
				return nil, errors.New("tokens: key primes are not coprime")
			}
			inv.Lsh(inv, 512).Mod(inv, p)
			k.coeff = append(k.coeff, modexp.NewNat512(inv))
			k.prods = append(k.prods, new(big.Int).Set(r))
		}
		r.Mul(r, p)
	}
	return k, nil
}

// checkKernel returns the kernel of the fault check of signatures made on
// kern: ADX if available and not kern, else Generic.
func checkKernel(kern modexp.Kernel) modexp.Kernel {
	if kern != modexp.ADX && slices.Contains(modexp.Kernels512(), modexp.ADX) {
		return modexp.ADX
	}
	return modexp.Generic
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
	cs := make([]modexp.Nat512, np) // EM mod p_i
	ss := make([]modexp.Nat512, np) // s_i = EM^(d mod p_i-1) mod p_i
	t := new(big.Int)
	for i, p := range k.primes {
		cs[i] = modexp.NewNat512(t.Mod(c, p))
	}
	for g := 0; g < np; g += 4 {
		var lanes [4]*modexp.Mod512
		var x, e, z [4]modexp.Nat512
		for l := range 4 {
			i := min(g+l, np-1) // pad a short group by repeating the last prime
			lanes[l], x[l], e[l] = k.lanes[i], cs[i], k.exps[i]
		}
		modexp.Exp4(k.kern, &z, &x, &e, &lanes)
		copy(ss[g:], z[:min(4, np-g)])
	}

	// Garner: s = s_0; s += (p_0…p_{i-1}) · ((s_i - s) · coeff_i mod p_i).
	s := ss[0].Big()
	for i := 1; i < np; i++ {
		ln := k.lanes[i]
		sm := modexp.NewNat512(t.Mod(s, k.primes[i]))
		var diff, h modexp.Nat512
		ln.SubMod(&diff, &ss[i], &sm)
		ln.MontMul(&h, &diff, &k.coeff[i])
		s.Add(s, t.Mul(k.prods[i], h.Big()))
	}

	// Fault check: s^e ≡ EM (mod n) ⇔ s^e ≡ EM (mod p_i) for every i, by the CRT
	// (n is squarefree). It is done on the recombined s with a 64-bit-limb
	// kernel (ADX assembly, or portable Go when ADX signs or is missing),
	// independent of the IFMA exponentiation kernel.
	for i, p := range k.primes {
		sm := modexp.NewNat512(t.Mod(s, p))
		var v modexp.Nat512
		modexp.ExpF4(k.check, &v, &sm, k.lanes[i])
		if v != cs[i] {
			return nil, errSelfCheck
		}
	}
	return s.FillBytes(em), nil
}
