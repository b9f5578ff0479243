package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestBenchOutPrintsPaths checks that a bench run with --out and --ndjson ends its
// summary with the path of every file it wrote, and that those files exist.
func TestBenchOutPrintsPaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out, nd := filepath.Join(dir, "run"), filepath.Join(dir, "signins.ndjson")
	code, stdout, stderr := run(t, "bench", "--rate", "50/s", "--iterations", "10", "--mix", "password", "--users-per-flow", "8",
		"--out", out, "--ndjson", nd, "--threshold", "signin.completed: count == 10")
	if code != exitcode.OK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	want := []string{"report.html", "summary.json", "intervals.hlog", "thresholds.junit.xml"}
	var paths []string
	for _, f := range want {
		paths = append(paths, filepath.Join(out, f))
	}
	paths = append(paths, nd)
	for _, p := range paths {
		if !strings.Contains(stdout, "\n  wrote "+p+"\n") {
			t.Errorf("stdout does not name %s:\n%s", p, stdout)
		}
		if _, err := os.Stat(p); err != nil {
			t.Errorf("named but not written: %v", err)
		}
	}
}
