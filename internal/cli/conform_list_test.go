package cli

import (
	"regexp"
	"strings"
	"testing"
)

// TestConformListNotSelected lists the specs a label filter selects (a subprocess:
// Ginkgo allows one suite run per process) and checks that the listing counts the
// specs the filter left out as "not selected", apart from the skipped ones, and that
// Ginkgo prints no progress marks.
func TestConformListNotSelected(t *testing.T) {
	tools := buildCLIForTest(t)
	r := runBuiltConform(t, tools.authbench, t.TempDir(), "conform", "--list", "--label-filter", "flow:USER_PASSWORD_AUTH && family:signin")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	m := regexp.MustCompile(`(?m)^(\d+) specs would run, 0 would be skipped, (\d+) not selected$`).FindStringSubmatch(r.stdout)
	if m == nil || m[1] == "0" || m[2] == "0" {
		t.Errorf("the listing's last line does not count run / skipped / not selected:\n%s", r.stdout)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, "run  ") && !strings.HasPrefix(line, "skip ") && !strings.Contains(line, "specs would run") {
			t.Errorf("unexpected line in the listing: %q", line)
		}
	}
	if strings.TrimSpace(r.stderr) != "" {
		t.Errorf("the listing printed Ginkgo progress on stderr: %q", r.stderr)
	}
}
