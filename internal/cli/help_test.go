package cli

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// TestHelpAndREADMEExamples checks that every runnable command has an example in its
// --help, that the root's --help lists them all, and that the README's synopsis
// carries the same examples, keeps its two quick-start commands, says what `make
// test` installs, and promises no SRP rate or spec count of its own.
func TestHelpAndREADMEExamples(t *testing.T) {
	reached := false
	root := newRoot(Env{Now: time.Now}, &reached)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" {
				continue
			}
			if sub.Runnable() {
				path := sub.CommandPath()
				if !strings.HasPrefix(strings.TrimSpace(sub.Example), path+" ") {
					t.Errorf("%s: no example in its --help (got %q)", path, sub.Example)
				}
				if !strings.Contains(root.Example, sub.Example) {
					t.Errorf("%s: its example is not in 'authbench --help'", path)
				}
			}
			walk(sub)
		}
	}
	walk(root)
	code, out, _ := run(t, "--help")
	if code != 0 || !strings.Contains(out, "Examples:\n  authbench conform --html") {
		t.Errorf("authbench --help: exit %d\n%s", code, out)
	}

	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, e := range examples {
		if !strings.Contains(readme, "\n"+e[1]+"\n") {
			t.Errorf("the README lacks the example of %s: %s", e[0], e[1])
		}
	}
	for _, want := range []string{
		"go run ./cmd/authbench conform       # the conformance suite against the embedded pool\n",
		"make test                            # every test",
		"npm ci", "emulator/testdata/interop", "chromium", "apt-get", "a few minutes", "authbench srp bench",
	} {
		if !strings.Contains(readme, want) {
			t.Errorf("the README lacks %q", want)
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`\d+ SRP sign-ins/s per core`),
		regexp.MustCompile(`\b\d{2,} specs\b`),
	} {
		if m := bad.FindString(readme); m != "" {
			t.Errorf("the README hard-codes %q", m)
		}
	}
}
