//go:build amd64 && !purego

package tokens

import "golang.org/x/sys/cpu"

//go:generate sh -c "go run mont_gen.go asm > mont_amd64.s && go run mont_gen.go go > mont_unrolled.go"

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
// Requires BMI2 and ADX.
//
//go:noescape
func mulMont8(z, x, y, m *nat512, minv uint64)

var (
	hasIFMA = cpu.X86.HasAVX512IFMA && cpu.X86.HasAVX512VL
	hasMULX = cpu.X86.HasBMI2 && cpu.X86.HasADX
)
