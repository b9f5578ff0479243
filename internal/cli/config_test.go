package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestBenchConfigFile: a config file sets flags (thresholds included) below the
// command line, and its mistakes are usage errors naming the key.
func TestBenchConfigFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.yaml", "rate: 20/s\nduration: 10s\nmix: password\nthreshold:\n  - \"signin.latency: p(99) < 1us\"\n")
	// The file asks for 10 s; the command line's 1 s wins. Its threshold cannot pass.
	code, out, stderr := runIn(t, "", nil, "bench", "--config", good, "--duration", "1s", "--out", filepath.Join(dir, "run"))
	if code != exitcode.ThresholdsBreached || !strings.Contains(out, "signin.latency: p(99) < 1us") {
		t.Fatalf("exit %d, want 99\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, "planned") && !strings.Contains(out, "sign-ins") {
		t.Errorf("no summary: %s", out)
	}
	for name, body := range map[string]string{
		"unknown.yaml": "rate: 1/s\nwarp: 9\n",
		"list.yaml":    "rate: [1/s, 2/s]\n",
		"bad.yaml":     "duration: soon\n",
		"syntax.yaml":  "rate: [\n",
	} {
		code, _, stderr := runIn(t, "", nil, "bench", "--config", write(name, body), "--iterations", "1")
		if code != exitcode.Usage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || !strings.Contains(stderr, "--config") {
			t.Errorf("%s: exit %d, stderr %q", name, code, stderr)
		}
	}
}
