package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// copyRun copies a run directory of reports/testdata into a temporary directory.
func copyRun(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "..", "reports", "testdata", name)
	dst := t.TempDir()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func TestReportRebuildsBenchPage(t *testing.T) {
	dir := copyRun(t, "ramp")
	code, out, stderr := run(t, "report", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "report.html") || !strings.Contains(string(page), "Percentile distribution per phase") || !strings.Contains(string(page), "intervals.hlog") {
		t.Errorf("stdout %q; page of %d bytes", out, len(page))
	}
	if _, err := os.Stat(filepath.Join(dir, "junit.xml")); err == nil {
		t.Error("a bench run got a conform JUnit file")
	}
}

func TestReportRebuildsConformPageAndJUnit(t *testing.T) {
	dir := copyRun(t, "conform")
	code, _, stderr := run(t, "report", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, _ := os.ReadFile(filepath.Join(dir, "report.html"))
	junit, _ := os.ReadFile(filepath.Join(dir, "junit.xml"))
	if !strings.Contains(string(page), "steps seen: InitiateAuth") || !strings.Contains(string(junit), `failures="1"`) {
		t.Errorf("page %d bytes, junit %q", len(page), junit)
	}
}

func TestReportCompare(t *testing.T) {
	fast, slow := copyRun(t, "ramp"), copyRun(t, "bench")
	// Informational: no gate, exit 0 whatever changed.
	code, out, _ := run(t, "report", "--baseline", fast, slow)
	if code != 0 || !strings.Contains(out, "signin.latency") || !strings.Contains(out, "+47.4%") || strings.Contains(out, "REGRESSED") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// Gated on p99: the slower run regresses → 99.
	code, out, stderr := run(t, "report", "--baseline", fast, slow, "--max-regression", "10%")
	if code != exitcode.ThresholdsBreached || !strings.Contains(out, "REGRESSED") || !strings.Contains(stderr, "signin.latency p99 +47.4%") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, stderr)
	}
	// A generous limit passes.
	if code, out, _ := run(t, "report", "--baseline", fast, slow, "--max-regression", "50"); code != 0 || !strings.Contains(out, "no regression above 50%") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// The error rate can be gated too.
	if code, _, stderr := run(t, "report", "--baseline", fast, slow, "--max-regression", "50", "--stats", "errors"); code != exitcode.ThresholdsBreached || !strings.Contains(stderr, "errors") {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// Faster is no regression.
	if code, _, stderr := run(t, "report", "--baseline", slow, fast, "--max-regression", "0", "--stats", "p50,p99,max,mean,errors"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
}

func TestReportUsageErrors(t *testing.T) {
	bench, conform := copyRun(t, "bench"), copyRun(t, "conform")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report"}, "accepts 1 arg(s), received 0"},
		{[]string{"report", "a", "b"}, "accepts 1 arg(s), received 2"},
		{[]string{"report", filepath.Join(t.TempDir(), "missing")}, "no such file"},
		{[]string{"report", t.TempDir()}, "no summary.json"},
		{[]string{"report", "--max-regression", "10%", bench}, "--max-regression goes with --baseline"},
		{[]string{"report", "--baseline", bench, bench, "--max-regression", "ten"}, `--max-regression "ten"`},
		{[]string{"report", "--baseline", bench, bench, "--max-regression", "-5%"}, "non-negative"},
		{[]string{"report", "--baseline", bench, bench, "--stats", "p42"}, `--stats "p42"`},
		{[]string{"report", "--baseline", bench, bench, "--max-regression", "5", "--metrics", "nope"}, `--metrics "nope": not in both runs`},
		{[]string{"report", "--baseline", conform, bench}, "is a conform report"},
		{[]string{"report", "--junit", "x.xml", bench}, "--junit is for conform runs"},
	} {
		code, _, stderr := run(t, tt.args...)
		if code != exitcode.Usage || !strings.Contains(stderr, tt.want) || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 and one line with %q", tt.args, code, stderr, tt.want)
		}
	}
}
