package bench

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"testing"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/mfa"
)

// TestEmbeddedCloseUnusedConnection: a connection a client dialed for a request that
// then went without it (net/http keeps such a connection idle for the next request)
// is one the pool has read nothing from. http.Server.Shutdown waits for it until it
// is 5 s old and then gives up, leaving it and the client's read and write loops
// open: the goroutine leak TestMain reported now and then. Embedded.Close closes the
// idle connections of the clients it made first, so the pool stops cleanly (no
// shutdown timeout) and the client's connection is closed.
func TestEmbeddedCloseUnusedConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded pool")
	}
	ctx := t.Context()
	e, err := StartEmbedded(ctx, emulator.Limits{})
	if err != nil {
		t.Fatal(err)
	}

	// A client whose dial waits for the test: its request is cancelled while the
	// dial is under way, and the connection, dialed after all, goes idle unused.
	dialing, release := make(chan struct{}), make(chan struct{})
	var (
		mu     sync.Mutex
		dialed net.Conn
	)
	done := make(chan struct{})
	tr := &http.Transport{DialContext: func(_ context.Context, network, addr string) (net.Conn, error) {
		close(dialing)
		<-release
		c, err := (&net.Dialer{}).Dial(network, addr)
		mu.Lock()
		dialed = c
		mu.Unlock()
		close(done)
		return c, err
	}}
	hc := &http.Client{Transport: tr}
	e.track(hc)
	rctx, cancel := context.WithCancel(ctx)
	req, err := http.NewRequestWithContext(rctx, http.MethodGet, e.Endpoint()+mfa.OutboxPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-dialing
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("request: %v, want it cancelled before its connection was dialed", err)
	}
	close(release)
	<-done
	mu.Lock()
	conn := dialed
	mu.Unlock()
	if conn == nil {
		t.Fatal("the connection was not dialed")
	}

	if err := e.Close(); err != nil {
		t.Fatalf("Close: %v (a connection kept the pool from shutting down)", err)
	}
	// The client's side of the connection is closed: reading it fails at once with
	// net.ErrClosed rather than waiting for the pool.
	if _, err := conn.Read(make([]byte, 1)); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read on the unused connection after Close: %v, want net.ErrClosed", err)
	}
}
