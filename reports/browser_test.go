package reports

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium returns Debian's chromium, skipping the test when it is absent (failing
// when CI is set: CI installs it with make deps).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "chromium", "chromium-browser"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed (make deps installs it with apt as root)")
	}
	t.Skip("chromium is not installed (make deps installs it with apt as root); CI fails instead of skipping")
	return ""
}

// headless runs chromium headless on page with extra flags and returns its stdout and
// stderr.
func headless(t *testing.T, bin, page string, flags ...string) (stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Second)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}, flags...)
	args = append(args, "file://"+page)
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, errb.String())
	}
	return out.String(), errb.String()
}

// consoleErrors returns the lines of chromium's log reporting a page error.
func consoleErrors(log string) []string {
	var bad []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "Uncaught") || strings.Contains(l, "CONSOLE") && strings.Contains(l, "ERROR") || strings.Contains(l, "net::ERR_") {
			bad = append(bad, l)
		}
	}
	return bad
}

// TestHTMLInChromium renders the bench and conform pages in headless chromium: the
// DOM holds the rendered SVG charts and the spec table, the console has no errors,
// and a screenshot of each is kept as a test artifact.
func TestHTMLInChromium(t *testing.T) {
	bin := chromium(t)
	for _, tc := range []struct {
		name  string
		page  func(*testing.T) []byte
		want  []string
		count string
		min   int
	}{
		{"bench", func(t *testing.T) []byte { return benchHTML(t, "testdata/ramp", true) },
			[]string{"Percentile distribution per phase", "achieved starts/s", "TooManyRequestsException"}, "<svg", 7},
		{"conform", conformHTML, []string{"steps seen: InitiateAuth", "the target pool has no custom-auth Lambda triggers"}, "<tr id=\"spec-", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			page := filepath.Join(dir, "report.html")
			if err := os.WriteFile(page, tc.page(t), 0o644); err != nil {
				t.Fatal(err)
			}
			dom, log := headless(t, bin, page, "--dump-dom")
			if bad := consoleErrors(log); len(bad) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(bad, "\n"))
			}
			for _, w := range tc.want {
				if !strings.Contains(dom, w) {
					t.Errorf("the rendered DOM lacks %q", w)
				}
			}
			if n := strings.Count(dom, tc.count); n < tc.min {
				t.Errorf("the rendered DOM has %d %q, want ≥ %d", n, tc.count, tc.min)
			}
			shot := filepath.Join(t.ArtifactDir(), tc.name+"-report.png")
			_, log = headless(t, bin, page, "--screenshot="+shot, "--window-size=1280,2000", "--hide-scrollbars")
			if bad := consoleErrors(log); len(bad) > 0 {
				t.Errorf("console errors:\n%s", strings.Join(bad, "\n"))
			}
			fi, err := os.Stat(shot)
			if err != nil || fi.Size() < 10_000 {
				t.Fatalf("screenshot %s: %v (%v bytes)", shot, err, fi)
			}
			t.Logf("screenshot: %s", shot)
		})
	}
}
