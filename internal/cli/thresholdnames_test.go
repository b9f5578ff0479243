package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestThresholdMetricNamesBeforeLoad checks that a threshold naming a metric no run
// records is refused with exit 2 and the valid names before any load: bench fails
// before opening its target (the pool given does not exist and no user set is given,
// which would be the error otherwise), merge before looking for shards (an empty
// directory would be exit 4 otherwise), and the run directory is never created.
func TestThresholdMetricNamesBeforeLoad(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "run")
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"bench", "--rate", "100/s", "--duration", "1h", "--pool-id", "us-east-1_abc", "--endpoint", "http://127.0.0.1:1",
			"--out", out, "--threshold", "signin.latancy: p(99) < 800ms"},
			[]string{`threshold "signin.latancy: p(99) < 800ms": no metric named "signin.latancy"`, "valid: signin.latency, signin.service, srp, start.lag", "api.<Operation>", "flow.<flow>.latency"}},
		{[]string{"bench", "--rate", "100/s", "--duration", "1h", "--mix", "srp=9,password=1", "--out", out, "--pool-id", "us-east-1_abc",
			"--threshold", "flow.totp.latency: p(99) < 2s"},
			[]string{`flow "totp" is not in the mix; valid: flow.password.latency, flow.srp.latency`}},
		{[]string{"merge", "--out", out, "--threshold", "signin.errrors: rate < 0.01", t.TempDir()},
			[]string{`no metric named "signin.errrors"`, "signin.errors"}},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, tt.args...)
		if code != exitcode.Usage {
			t.Errorf("%v: exit %d, want %d; stderr %q", tt.args, code, exitcode.Usage, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr %q lacks %q", tt.args, stderr, w)
			}
		}
		if strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stdout != "" {
			t.Errorf("%v: want one stderr line and nothing on stdout; got %q, %q", tt.args, stdout, stderr)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the run directory was created: %v", err)
	}
}
