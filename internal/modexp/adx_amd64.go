//go:build amd64 && !purego

package modexp

import "math/big"

// montMulADX48 sets z = x*y/2^3072 mod m for 48-limb x, y < m, with
// k0 = -m^-1 mod 2^64 and t a 50-word scratch buffer. z may alias x or y.
//
//go:noescape
func montMulADX48(z, x, y, m *[48]uint64, k0 uint64, t *[50]uint64)

// montADX is montGeneric with the product done by the MULX/ADCX/ADOX
// kernel; elements are 48 64-bit limbs, fully reduced.
type montADX struct {
	montGeneric
}

func newADX(N *big.Int) engine {
	if !hasADX || (N.BitLen()+63)/64 != 48 {
		return nil
	}
	return &montADX{*newMontGeneric(N)}
}

func (e *montADX) mul(z, x, y, t []uint64) {
	montMulADX48((*[48]uint64)(z), (*[48]uint64)(x), (*[48]uint64)(y), (*[48]uint64)(e.m), e.k0, (*[50]uint64)(t))
}

func (e *montADX) sqr(z, x, t []uint64) { e.mul(z, x, x, t) }

func (e *montADX) toMont(z, x, t []uint64) { e.mul(z, x, e.rr, t) }

func (e *montADX) fromMont(z, x, t []uint64) { e.mul(z, x, e.unit, t) }
