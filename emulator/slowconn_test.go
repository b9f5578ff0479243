package emulator_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

// slowClient is a connection that sends its request a byte a second: the headers
// (slowHeaders) or the body of a POST that announces 1,000 bytes. It reports how
// many bytes it sent before the server closed the connection.
func slowClient(ctx context.Context, addr string, slowHeaders bool) (sent int, closed bool) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return 0, false
	}
	defer c.Close()
	gone := make(chan struct{})
	go func() {
		io.Copy(io.Discard, c) // returns when the server closes the connection
		close(gone)
	}()
	head := "POST / HTTP/1.1\r\nHost: " + addr + "\r\nX-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth\r\n" +
		"Content-Type: application/x-amz-json-1.1\r\nContent-Length: 1000\r\n\r\n"
	rest := "{" + strings.Repeat(" ", 998) + "}"
	if slowHeaders {
		rest = head + rest
	} else if _, err := io.WriteString(c, head); err != nil {
		return 0, true
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for i := 0; i < len(rest); i++ {
		if _, err := c.Write([]byte{rest[i]}); err != nil {
			return i, true
		}
		select {
		case <-gone:
			return i + 1, true
		case <-ctx.Done():
			return i + 1, false
		case <-tick.C:
		}
	}
	select {
	case <-gone:
		return len(rest), true
	case <-ctx.Done():
		return len(rest), false
	}
}

// TestSlowConnections opens 300 connections that send their request a byte a
// second (half the headers, half the body) against a pool that serves 64
// connections at once and gives a request one second to arrive. Ordinary SRP
// sign-ins through the AWS SDK still complete, and every slow connection is closed
// by the server before it could send its request.
func TestSlowConnections(t *testing.T) {
	const slow, maxConns = 300, 64
	e := newEnv(t, func(o *emulator.Options) {
		o.MaxConns = maxConns
		o.ReadHeaderTimeout = time.Second
		o.ReadTimeout = time.Second
		o.IdleTimeout = time.Second
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute) // a guard against hanging, not a measure
	defer cancel()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "steady", "Passw0rd!")
	addr := strings.TrimPrefix(e.Srv.Endpoint(), "http://")

	type result struct {
		sent   int
		closed bool
	}
	results := make(chan result, slow)
	var wg sync.WaitGroup
	for i := range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sent, closed := slowClient(ctx, addr, i%2 == 0)
			results <- result{sent, closed}
		}()
	}
	for i := range 10 {
		if _, err := e.srpSignIn(ctx, poolID, clientID, "steady", "Passw0rd!"); err != nil {
			t.Fatalf("sign-in %d among slow connections: %v", i, err)
		}
	}
	wg.Wait()
	close(results)
	closed := 0
	for r := range results {
		if !r.closed {
			t.Errorf("a slow connection was still open after sending %d bytes", r.sent)
			continue
		}
		if r.sent >= 1000 {
			t.Errorf("a slow connection sent its whole request (%d bytes) before being closed", r.sent)
		}
		closed++
	}
	t.Logf("%d slow connections, all closed by the server's deadlines: %d", slow, closed)
	if closed != slow {
		t.Fatal(fmt.Sprintf("%d of %d slow connections closed", closed, slow))
	}
}
