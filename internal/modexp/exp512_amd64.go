//go:build amd64 && !purego

package modexp

// mulMont52x4 sets z = x·y·2^-520 mod m in each of four 64-bit lanes; x, y hold
// ten normalised 52-bit limbs per lane and are below 2m; so is z. Any of z, x, y
// may alias. Requires AVX-512 IFMA and VL.
//
//go:noescape
func mulMont52x4(z, x, y, m *vec52, minv *[4]uint64)

// sqrMont52x4 is mulMont52x4(z, x, x, m, minv).
//
//go:noescape
func sqrMont52x4(z, x, m *vec52, minv *[4]uint64)

// mulMont8 sets z = x·y·2^-512 mod m for x, y < m; z < m. z may alias x or y.
// It is montMulCIOS on 8 limbs. Requires BMI2 and ADX.
//
//go:noescape
func mulMont8(z, x, y, m *Nat512, minv uint64)
