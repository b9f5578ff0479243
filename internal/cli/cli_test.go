package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/internal/exitcode"
)

// run executes a command line in-process and returns the exit code, stdout and stderr.
func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	code := Run(t.Context(), env, args)
	return code, out.String(), errb.String()
}

func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"no-such-command"}, `unknown command "no-such-command"`},
		{[]string{"srp", "bench", "--bogus"}, "unknown flag: --bogus"},
		{[]string{"srp", "bench", "--duration", "soon"}, `invalid argument "soon"`},
		{[]string{"srp", "bench", "--duration", "-1s"}, "--duration must be positive"},
		{[]string{"srp", "vectors"}, "accepts 1 arg(s), received 0"},
		{[]string{"srp", "vectors", "/no/such/file.json"}, "no such file"},
		{[]string{"version", "extra"}, "unknown command"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != exitcode.Usage {
			t.Errorf("%v: exit %d, want %d", tt.args, code, exitcode.Usage)
		}
		if !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%v: stderr %q lacks %q", tt.args, stderr, tt.wantErr)
		}
		if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 {
			t.Errorf("%v: stderr has %d lines, want one: %q", tt.args, n+1, stderr)
		}
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := run(t, "version", "--json")
	var v map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["version"] == "" || v["go"] == "" {
		t.Fatalf("version --json: exit %d, %q", code, out)
	}
}

func TestSRPVectors(t *testing.T) {
	code, out, stderr := run(t, "srp", "vectors", "../../fixtures/srp-vectors.json")
	if code != 0 || !strings.Contains(out, "all 11 vectors match") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}

	// A vector file with one changed signature: that vector fails, exit 3.
	data, err := os.ReadFile("../../fixtures/srp-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(data, []byte("x66F4iY0PoarFwswSbZ2UXNlwo1IyHomhIqz/saSbNU="), []byte("y66F4iY0PoarFwswSbZ2UXNlwo1IyHomhIqz/saSbNU="), 1)
	if bytes.Equal(bad, data) {
		t.Fatal("fixture changed: signature of 'basic' not found")
	}
	path := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(path, bad, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, "srp", "vectors", path)
	if code != exitcode.ConformanceFailed || !strings.Contains(out, "FAIL basic") || !strings.Contains(out, "client.PASSWORD_CLAIM_SIGNATURE") {
		t.Fatalf("changed vector: exit %d\n%s", code, out)
	}
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, _ = run(t, "srp", "vectors", path); code != exitcode.Usage {
		t.Fatalf("malformed file: exit %d, want 2", code)
	}
}

func TestSRPBenchJSON(t *testing.T) {
	code, out, stderr := run(t, "srp", "bench", "--duration", "100ms", "--workers", "1", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Client struct {
			Ops int64 `json:"ops"`
		} `json:"client"`
		Server struct {
			Ops int64 `json:"ops"`
		} `json:"server"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Client.Ops < 1 || res.Server.Ops < 1 {
		t.Fatalf("bad JSON (%v): %s", err, out)
	}
}

func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out, errb bytes.Buffer
	env := Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	if code := Run(ctx, env, []string{"srp", "bench", "--duration", "10s"}); code != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130 (%s)", code, errb.String())
	}
}
