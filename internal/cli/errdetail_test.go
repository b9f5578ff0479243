package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// oneUsageLine fails unless a command ended with exit 2 and one line on stderr
// containing every wanted fragment.
func oneUsageLine(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	if code != exitcode.Usage {
		t.Errorf("exit %d, want %d; stderr %q", code, exitcode.Usage, stderr)
	}
	if strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("stderr is not one line: %q", stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr %q lacks %q", stderr, w)
		}
	}
}

// TestConfigErrorDetail: a --config file's mistakes name the file, the line and the
// key on one line, the YAML decoder's detail included.
func TestConfigErrorDetail(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct {
		body string
		want []string
	}{
		{"rate: 1/s\nduration: 10s\nrat: 9\n", []string{"--config ", "bench.yaml: line 3: unknown key \"rat\""}},
		{"rate: 1/s\nduration:\n  soon: now\n", []string{"bench.yaml: line 3: duration: takes a value, not a mapping"}},
		{"- rate\n- 1/s\n", []string{"bench.yaml: line 1: want a mapping"}},
		{"rate: 1/s\nmix: [a, \n", []string{"bench.yaml: line 2: did not find expected node content"}},
		{"rate: &a 1/s\nduration: *b\n", []string{"bench.yaml:", "unknown anchor 'b'"}},
	} {
		p := filepath.Join(dir, "bench.yaml")
		if err := os.WriteFile(p, []byte(tt.body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, stderr := runIn(t, "", nil, "bench", "--config", p, "--iterations", "1")
		oneUsageLine(t, code, stderr, tt.want...)
		if strings.Contains(stderr, "unmarshal errors:") && !strings.Contains(stderr, "line ") {
			t.Errorf("the decoder's detail is lost: %q", stderr)
		}
	}
}

// TestFixtureErrorDetail: `emulate --fixture` with fields the fixture does not have
// or values of the wrong type fails at start with one line keeping every line
// number and field the decoder reported.
func TestFixtureErrorDetail(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pool.yaml")
	if err := os.WriteFile(p, []byte("pools:\n  - name: x\n    rat: 3\n    mfa: [ON]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runIn(t, "", nil, "emulate", "--fixture", p, "--addr", "127.0.0.1:0")
	oneUsageLine(t, code, stderr, "pool.yaml", "line 3: field rat not found in type emulator.FixturePool", "line 4: cannot unmarshal !!seq into string")
}

// TestConformBadFilters: a --focus regular expression or a --label-filter that does
// not parse is one line with exit 2, before any spec runs (Ginkgo itself panics on
// a bad --focus).
func TestConformBadFilters(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--focus", "["}, []string{`--focus "["`, "missing closing ]"}},
		{[]string{"--focus", "ok", "--focus", "a(b"}, []string{`--focus "a(b"`, "missing closing )"}},
		{[]string{"--label-filter", "flow:("}, []string{`--label-filter "flow:("`, "Missing set operation"}},
		{[]string{"--label-filter", "flow:a &&"}, []string{`--label-filter "flow:a &&"`, "Unexpected EOF"}},
		{[]string{"--label-filter", "/[/"}, []string{`--label-filter "/[/"`, "missing closing ]"}},
	} {
		code, stdout, stderr := runIn(t, "", nil, append([]string{"conform"}, tt.args...)...)
		oneUsageLine(t, code, stderr, tt.want...)
		if strings.Contains(stdout+stderr, "panic") || strings.Contains(stdout, "specs") {
			t.Errorf("%v: specs ran or panicked:\n%s%s", tt.args, stdout, stderr)
		}
	}
}
