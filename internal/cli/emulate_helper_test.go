package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"io"
	"strings"
	"testing"
	"time"
)

// startEmulateInProcess runs `authbench emulate --addr 127.0.0.1:0 args…` in-process until the
// test ends and returns the endpoint it printed.
func startEmulateInProcess(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	pr, pw := io.Pipe()
	env := Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard, Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, env, append([]string{"emulate", "--addr", "127.0.0.1:0"}, args...))
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	sc := bufio.NewScanner(pr)
	endpoint := ""
	for sc.Scan() {
		if i := strings.Index(sc.Text(), "http://"); i >= 0 && strings.Contains(sc.Text(), "Cognito endpoint") {
			endpoint = strings.TrimSpace(sc.Text()[i:])
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if endpoint == "" {
		t.Fatal("emulate printed no endpoint")
	}
	return endpoint
}
