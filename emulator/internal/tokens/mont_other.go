//go:build !amd64 || purego

package tokens

const (
	hasIFMA = false
	hasMULX = false
)

func mulMont52x4(z, x, y, m *vec52, minv *[4]uint64) { panic("unreachable") }
func sqrMont52x4(z, x, m *vec52, minv *[4]uint64)    { panic("unreachable") }
func mulMont8(z, x, y, m *nat512, minv uint64)       { panic("unreachable") }
