package modexp

//go:generate sh -c "go run gen.go adx48 > adx_amd64.s && go run gen.go ifma60 > ifma_amd64.s && go run gen.go asm > exp512_amd64.s && go run gen.go go > cios8.go"

// Kernel identifies a Montgomery multiplication backend. Which kernels exist
// depends on the CPU, the architecture and the purego build tag; see the
// package documentation for which one is chosen when.
type Kernel int

const (
	// Generic is portable Go: CIOS Montgomery multiplication on 64-bit limbs
	// (for a Group without an assembly kernel, variable-base Exp uses
	// math/big's Exp instead, which is faster there).
	Generic Kernel = iota + 1
	// Generic52 is the portable Go model of the four-lane IFMA kernel (52-bit
	// limbs, four lanes side by side). It exists for Exp4 only, to test the
	// vertical algorithm without the CPU feature.
	Generic52
	// ADX is MULX/ADCX/ADOX assembly (amd64 with BMI2 and ADX): 48 limbs
	// for a Group, 8 limbs (one lane at a time) for Exp4.
	ADX
	// IFMA is AVX-512 IFMA assembly: the wide single-lane kernel on 60
	// 52-bit limbs for a Group (AVX512F), the four-lane kernel on 10 52-bit
	// limbs per lane for Exp4 (AVX512VL).
	IFMA
)

// String returns the kernel's name: "generic", "generic52", "adx" or
// "avx512ifma".
func (k Kernel) String() string {
	switch k {
	case Generic:
		return "generic"
	case Generic52:
		return "generic52"
	case ADX:
		return "adx"
	case IFMA:
		return "avx512ifma"
	}
	return "unknown"
}
