package idp

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestUnconfirmedList keeps emulator/UNCONFIRMED.md and the code in step: every
// UNCONFIRMED marker in the emulator's code carries a number "(Un)" listed there,
// every listed number is used, and no lower-case "unconfirmed" hides a decision. The
// status word (an UNCONFIRMED user) is told apart by what follows it.
func TestUnconfirmedList(t *testing.T) {
	list, err := os.ReadFile("../../UNCONFIRMED.md")
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\| (U\d+) \|`).FindAllStringSubmatch(string(list), -1) {
		listed[m[1]] = true
	}
	if len(listed) == 0 {
		t.Fatal("UNCONFIRMED.md lists nothing")
	}
	var files []string
	for _, dir := range []string{".", "../.."} {
		fs, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		files = append(files, fs...)
	}
	marker := regexp.MustCompile(`UNCONFIRMED`)
	tagged := regexp.MustCompile(`UNCONFIRMED \((U\d+)[);]`)
	status := regexp.MustCompile(`"UNCONFIRMED"|UNCONFIRMED (user|and|or|\|)|, UNCONFIRMED or`)
	used := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.Contains(line, "unconfirmed") && !strings.Contains(line, "Unconfirmed") {
				t.Errorf("%s:%d: write UNCONFIRMED (Un) with its number in UNCONFIRMED.md: %s", f, i+1, strings.TrimSpace(line))
			}
			if !marker.MatchString(line) || status.MatchString(line) {
				continue
			}
			m := tagged.FindAllStringSubmatch(line, -1)
			if m == nil {
				t.Errorf("%s:%d: UNCONFIRMED without its number: %s", f, i+1, strings.TrimSpace(line))
			}
			for _, x := range m {
				if !listed[x[1]] {
					t.Errorf("%s:%d: %s is not in UNCONFIRMED.md", f, i+1, x[1])
				}
				used[x[1]] = true
			}
		}
	}
	var unused []string
	for id := range listed {
		if !used[id] {
			unused = append(unused, id)
		}
	}
	sort.Strings(unused)
	if len(unused) > 0 {
		t.Errorf("UNCONFIRMED.md lists %v, which no code marks any more: remove them", unused)
	}
}
