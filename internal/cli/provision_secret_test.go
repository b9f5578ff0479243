package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/exitcode"
)

// TestProvisionClientSecret: `bench provision` takes the app client's secret from
// AUTHBENCH_CLIENT_SECRET or --client-secret-file (the file wins), keeps it in the
// user-set file, never prints it, and refuses --client-secret, whose value ps would
// show, with a one-line pointer to the two ways.
func TestProvisionClientSecret(t *testing.T) {
	srv, loaded, err := emulator.StartEmbedded(t.Context(), emulator.EmbeddedOptions{Fixtures: []string{"pool"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	pool := loaded.Pools[0]
	var clientID, secret string
	for _, c := range pool.Clients {
		if c.Secret != "" {
			clientID, secret = c.ID, c.Secret
		}
	}
	if clientID == "" {
		t.Fatal("the default fixture has no client with a secret")
	}
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "client-secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"bench", "provision", "--users", "1", "--mix", "srp", "--pool-id", pool.ID, "--client-id", clientID, "--endpoint", srv.Endpoint()}
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"environment", map[string]string{"AUTHBENCH_CLIENT_SECRET": secret}, nil},
		{"file", nil, []string{"--client-secret-file", secretFile}},
		{"file over environment", map[string]string{"AUTHBENCH_CLIENT_SECRET": "not-this-one"}, []string{"--client-secret-file", secretFile}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "users.json")
			code, stdout, stderr := runIn(t, "", tt.env, append(append(base, "--out", out), tt.args...)...)
			if code != exitcode.OK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("the client secret was printed:\n%s%s", stdout, stderr)
			}
			set, err := bench.ReadUserSet(out)
			if err != nil {
				t.Fatal(err)
			}
			if got := set.Pools[bench.FlowSRP].ClientSecret; got != secret {
				t.Errorf("user set's client secret %q, want the fixture's", got)
			}
			if err := os.Remove(out); err != nil {
				t.Fatal(err)
			}
		})
	}

	code, stdout, stderr := runIn(t, "", nil, append(base, "--client-secret", secret, "--out", filepath.Join(dir, "u.json"))...)
	oneUsageLine(t, code, stderr, "--client-secret", "AUTHBENCH_CLIENT_SECRET", "--client-secret-file")
	if strings.Contains(stdout+stderr, secret) {
		t.Errorf("the refused secret was printed: %q", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "u.json")); err == nil {
		t.Error("provision ran with --client-secret")
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{empty, filepath.Join(dir, "missing")} {
		code, _, stderr := runIn(t, "", nil, append(base, "--client-secret-file", f, "--out", filepath.Join(dir, "u.json"))...)
		oneUsageLine(t, code, stderr, "--client-secret-file")
	}
}
