package syncrand

import (
	"bytes"
	"io"
	"sync"
	"testing"
)

// TestReaderWholeReads checks that concurrent reads each get a whole, distinct run of
// the source: no byte is read twice and none is lost.
func TestReaderWholeReads(t *testing.T) {
	src := make([]byte, 64*16)
	for i := range src {
		src[i] = byte(i / 16)
	}
	r := New(bytes.NewReader(src))
	var wg sync.WaitGroup
	got := make([][]byte, 64)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := make([]byte, 16)
			if _, err := io.ReadFull(r, b); err != nil {
				t.Error(err)
			}
			got[i] = b
		}()
	}
	wg.Wait()
	seen := map[byte]bool{}
	for _, b := range got {
		for _, c := range b[1:] {
			if c != b[0] {
				t.Fatalf("read mixed two runs: %v", b)
			}
		}
		if seen[b[0]] {
			t.Fatalf("run %d read twice", b[0])
		}
		seen[b[0]] = true
	}
}
