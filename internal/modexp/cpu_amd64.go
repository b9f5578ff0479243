//go:build amd64 && !purego

package modexp

import "golang.org/x/sys/cpu"

// CPU features the assembly kernels need. They are read once at start-up
// and never change.
var (
	// hasIFMAWide enables the 512-bit-register kernel of a Group.
	hasIFMAWide = cpu.X86.HasAVX512 && cpu.X86.HasAVX512IFMA
	// hasIFMALanes enables the four-lane 256-bit-register kernel of Exp4.
	hasIFMALanes = cpu.X86.HasAVX512IFMA && cpu.X86.HasAVX512VL
	// hasADX enables the MULX/ADCX/ADOX kernels.
	hasADX = cpu.X86.HasADX && cpu.X86.HasBMI2
)
