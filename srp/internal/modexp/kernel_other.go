//go:build !amd64 || purego

package modexp

import "math/big"

func newIFMA(*big.Int) engine { return nil }
func newADX(*big.Int) engine  { return nil }
