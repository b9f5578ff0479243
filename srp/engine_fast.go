package srp

import (
	"math/big"

	"github.com/authbench/authbench/internal/modexp"
)

// fast is the shared fast engine: a fixed-base table for g and a Montgomery engine
// specialised for N (AVX-512 IFMA or MULX/ADX assembly where the CPU has it).
var fast = func() *modexpEngine {
	g, err := modexp.New(group.n, group.g)
	if err != nil {
		panic("srp: modexp setup: " + err.Error()) // unreachable: constant, valid inputs
	}
	return &modexpEngine{g: g}
}()

type modexpEngine struct{ g *modexp.Group }

func (m *modexpEngine) expG(e *big.Int) *big.Int   { return m.g.ExpG(e) }
func (m *modexpEngine) exp(x, e *big.Int) *big.Int { return m.g.Exp(x, e) }

// fastEngine returns the default engine.
func fastEngine() engine { return fast }

// Engine names the exponentiation backend this process uses: "avx512ifma", "adx" or
// "generic", for reports of SRP speed.
func Engine() string { return fast.g.Kernel().String() }
