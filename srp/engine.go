package srp

import "math/big"

// engine does the modular exponentiations mod N. The fast engine is the default; the
// plain math/big engine is the reference the benchmarks and differential tests
// compare it with. Both compute the same values.
type engine interface {
	// expG returns g^e mod N.
	expG(e *big.Int) *big.Int
	// exp returns x^e mod N for 0 ≤ x < N.
	exp(x, e *big.Int) *big.Int
}

// bigEngine is the plain math/big implementation: big.Int.Exp, no tables.
type bigEngine struct{}

func (bigEngine) expG(e *big.Int) *big.Int   { return new(big.Int).Exp(group.g, e, group.n) }
func (bigEngine) exp(x, e *big.Int) *big.Int { return new(big.Int).Exp(x, e, group.n) }

// mulMod returns x·y mod N.
func mulMod(x, y *big.Int) *big.Int {
	z := new(big.Int).Mul(x, y)
	return z.Mod(z, group.n)
}
