package tokens

import (
	"errors"
	"io"
	"math/big"
)

// pubE is the public exponent.
const pubE = 65537

// genPrime returns a random prime of exactly bits bits (bits ≥ 16, a multiple of
// 8) with its top three bits set and gcd(pubE, p-1) = 1, drawing every candidate
// from random (unlike crypto/rand.Prime, which since Go 1.26 ignores custom
// readers). Four such 512-bit primes always multiply to exactly 2048 bits, since
// (7/4)^4 > 8.
func genPrime(random io.Reader, bits int) (*big.Int, error) {
	if bits < 16 || bits%8 != 0 {
		return nil, errors.New("tokens: bad prime size")
	}
	buf := make([]byte, bits/8)
	p, r := new(big.Int), new(big.Int)
	e := big.NewInt(pubE)
	for {
		if _, err := io.ReadFull(random, buf); err != nil {
			return nil, err
		}
		buf[0] |= 0xe0
		buf[len(buf)-1] |= 1
		p.SetBytes(buf)
		// gcd(e, p-1) = 1 ⇔ p ≢ 1 (mod e) since e is prime.
		if r.Mod(p, e).Int64() == 1 {
			continue
		}
		if p.ProbablyPrime(20) {
			return p, nil
		}
	}
}
