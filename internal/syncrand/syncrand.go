// Package syncrand serialises an injected source of randomness. Tests and benches
// hand the driver, the emulator or the SRP bench a deterministic io.Reader (a seeded
// stream, a fixed byte sequence); those readers are not safe for concurrent use, while
// the code reading them runs on many goroutines. A [Reader] wraps such a source in a
// mutex so that every Read is whole and none overlaps another. crypto/rand.Reader
// needs no wrapper.
package syncrand

import (
	"io"
	"sync"
)

// Reader is a mutex-guarded io.Reader: each Read of the underlying source runs alone.
// Its zero value is not usable; make one with [New].
type Reader struct {
	mu sync.Mutex
	r  io.Reader
}

// New returns a Reader that serialises reads from r.
func New(r io.Reader) *Reader { return &Reader{r: r} }

// Read reads from the underlying source under the Reader's lock.
func (l *Reader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}
