package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestEmulate starts `authbench emulate` in-process with the fixture and a state
// file, reads the start-up line, calls the endpoint, stops it as SIGINT would and
// checks the state was written.
func TestEmulate(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	pr, pw := io.Pipe()
	state := filepath.Join(t.TempDir(), "state.json")
	env := Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard, Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, env, []string{"emulate", "--addr", "127.0.0.1:0", "--fixture", "../../fixtures/pool.yaml", "--state", state, "--state-interval", "0"})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), "outbox") {
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if len(lines) < 3 || !strings.Contains(lines[0], "Cognito endpoint http://127.0.0.1:") || !strings.Contains(lines[1], "us-east-1_AuthBench1") {
		t.Fatalf("start-up lines: %q", lines)
	}
	if strings.Contains(strings.Join(lines, "\n"), "authbench-fixture-client-secret") {
		t.Error("the banner prints a client secret")
	}
	endpoint := strings.TrimSpace(lines[0][strings.Index(lines[0], "http://"):])
	resp, err := http.Get(endpoint + "/us-east-1_AuthBench1/.well-known/jwks.json")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("jwks: %v", err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
	if fi, err := os.Stat(state); err != nil || fi.Size() < 1000 {
		t.Fatalf("state not written: %v", err)
	}
}

func TestEmulateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"emulate", "--addr", "no-port"},
		{"emulate", "--fixture", "/no/such/fixture.yaml", "--addr", "127.0.0.1:0"},
		{"emulate", "--log-level", "loud"},
	} {
		code, _, stderr := run(t, args...)
		if code != exitcode.Usage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
