package bench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func users(n int) []User {
	us := make([]User, n)
	for i := range us {
		us[i] = User{Username: fmt.Sprintf("u%d", i), Password: "secret"}
	}
	return us
}

func TestLeaseEmpty(t *testing.T) {
	t.Parallel()
	if _, err := NewLease(nil); !errors.Is(err, ErrNoUsers) {
		t.Fatalf("got %v, want ErrNoUsers", err)
	}
}

func TestLeaseExclusive(t *testing.T) {
	t.Parallel()
	const n, workers, rounds = 8, 32, 200
	l, err := NewLease(users(n))
	if err != nil {
		t.Fatal(err)
	}
	var busy [n]atomic.Int32
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				u, err := l.Acquire(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				if got := busy[u.Index()].Add(1); got != 1 {
					t.Errorf("user %s in %d sign-ins at once", u.User(), got)
				}
				busy[u.Index()].Add(-1)
				u.Release()
				u.Release() // a second release does nothing
			}
		}()
	}
	wg.Wait()
	if got := l.Free(); got != n {
		t.Errorf("free after the run: got %d, want %d", got, n)
	}
}

func TestLeaseWaitsAndCancels(t *testing.T) {
	t.Parallel()
	l, _ := NewLease(users(1))
	u, ok := l.TryAcquire()
	if !ok {
		t.Fatal("TryAcquire on a free set failed")
	}
	if _, ok := l.TryAcquire(); ok {
		t.Fatal("TryAcquire handed out a busy user")
	}
	// Acquire waits for the release.
	got := make(chan string, 1)
	go func() {
		v, err := l.Acquire(t.Context())
		if err != nil {
			got <- err.Error()
			return
		}
		got <- v.User().Username
		v.Release()
	}()
	u.Release()
	if g := <-got; g != "u0" {
		t.Fatalf("waiting Acquire: got %q", g)
	}
	// A cancelled context stops the wait.
	u, _ = l.Acquire(t.Context())
	defer u.Release()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want DeadlineExceeded", err)
	}
}

func TestLeaseFIFO(t *testing.T) {
	t.Parallel()
	l, _ := NewLease(users(3))
	var order []string
	for i := 0; i < 6; i++ {
		u, _ := l.TryAcquire()
		order = append(order, u.User().Username)
		u.Release()
	}
	if got, want := fmt.Sprint(order), "[u0 u1 u2 u0 u1 u2]"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

func TestUserRedacted(t *testing.T) {
	t.Parallel()
	u := User{Username: "alice", Password: "hunter2", TOTPSecret: "JBSWY3DPEHPK3PXP"}
	if got := fmt.Sprint(u) + u.LogValue().String(); got != "alicealice" {
		t.Errorf("got %q", got)
	}
}
