package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestEmulateHTTPFlags starts `emulate --allow-origin … --max-conns …` and checks
// that the named origin may call a list operation and another origin may not; a
// negative --max-conns exits 2 with one line.
func TestEmulateHTTPFlags(t *testing.T) {
	code, _, stderr := run(t, "emulate", "--max-conns", "-1")
	if code != exitcode.Usage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("--max-conns -1: exit %d, stderr %q", code, stderr)
	}

	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	env := Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard, Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, env, []string{"emulate", "--addr", "127.0.0.1:0", "--allow-origin", "http://localhost:3000", "--max-conns", "8"})
		pw.Close()
	}()
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
	defer func() {
		cancel()
		<-done
	}()
	call := func(origin string) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", strings.NewReader(`{"MaxResults":10}`))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call("http://localhost:3000"); got != http.StatusOK {
		t.Errorf("ListUserPools from the allowed origin: %d", got)
	}
	if got := call("http://evil.example"); got != http.StatusForbidden {
		t.Errorf("ListUserPools from another origin: %d", got)
	}
}
