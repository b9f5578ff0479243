package cli

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestConform runs `authbench conform` in-process against the embedded pool (Ginkgo
// allows one suite run per process, so this is the only test that runs it) and checks
// its reports.
func TestConform(t *testing.T) {
	dir := t.TempDir()
	junit, js, page := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.json"), filepath.Join(dir, "report.html")
	code, out, stderr := runIn(t, "", nil, "conform", "--junit", junit, "--json", js, "--html", page, "--label-filter", "!family:session")
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, stderr)
	}
	if !strings.Contains(out, " passed, 0 failed, ") || !strings.Contains(out, " not selected\n") {
		t.Errorf("summary: %s", out)
	}
	var rep struct {
		Schema string `json:"schema"`
		Kind   string `json:"kind"`
		Passed int    `json:"passed"`
		// NotSelected counts the specs the label filter left out.
		NotSelected int `json:"notSelected"`
		Pool        struct {
			PoolID   string `json:"poolId"`
			Region   string `json:"region"`
			Endpoint string `json:"endpoint"`
		} `json:"pool"`
		Specs []struct {
			Name   string   `json:"name"`
			Labels []string `json:"labels"`
			State  string   `json:"state"`
		} `json:"specs"`
	}
	b, err := os.ReadFile(js)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("JSON report: %v", err)
	}
	if rep.Schema != "authbench.report/v1" || rep.Kind != "conform" || rep.Passed < 30 || len(rep.Specs) < 30 {
		t.Fatalf("report: %s %s passed=%d specs=%d", rep.Schema, rep.Kind, rep.Passed, len(rep.Specs))
	}
	if rep.NotSelected == 0 {
		t.Error("no spec counted as not selected by !family:session")
	}
	// Ginkgo prints no mark per skipped or unselected spec.
	if strings.Contains(stderr, "SSS") {
		t.Errorf("Ginkgo's skip marks on stderr: %s", stderr)
	}
	// The reports name what was tested: the embedded pool's endpoint and region.
	if !strings.HasPrefix(rep.Pool.Endpoint, "http://127.0.0.1:") || rep.Pool.Region != "us-east-1" || !strings.HasPrefix(rep.Pool.PoolID, "embedded") {
		t.Errorf("report's pool: %+v", rep.Pool)
	}
	for _, s := range rep.Specs {
		if len(s.Labels) == 0 || s.State == "" {
			t.Errorf("spec without labels or state: %+v", s)
		}
		if session := strings.Contains(strings.Join(s.Labels, ","), "family:session"); session != (s.State == "not selected") {
			t.Errorf("the label filter !family:session: spec %+v", s)
		}
	}
	var suites struct {
		XMLName xml.Name `xml:"testsuites"`
		Tests   int      `xml:"tests,attr"`
		Suites  []struct {
			Props []struct {
				Name  string `xml:"name,attr"`
				Value string `xml:"value,attr"`
			} `xml:"properties>property"`
			Cases []struct {
				Name string `xml:"name,attr"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	b, err = os.ReadFile(junit)
	if err != nil || xml.Unmarshal(b, &suites) != nil || suites.Tests < 30 || len(suites.Suites) != 1 {
		t.Fatalf("JUnit report: %v %+v", err, suites.Tests)
	}
	props := map[string]string{}
	for _, p := range suites.Suites[0].Props {
		props[p.Name] = p.Value
	}
	if props["authbench.endpoint"] != rep.Pool.Endpoint || props["authbench.region"] != "us-east-1" || props["authbench.poolId"] != rep.Pool.PoolID {
		t.Errorf("JUnit properties %v do not name the target %+v", props, rep.Pool)
	}

	html, err := os.ReadFile(page)
	// The only URL on the page is the endpoint tested, which it names.
	if err != nil || !strings.Contains(string(html), "<!DOCTYPE html>") || strings.Contains(string(html), "<script") ||
		!strings.Contains(string(html), rep.Pool.Endpoint) || strings.Contains(strings.ReplaceAll(string(html), rep.Pool.Endpoint, ""), "http") ||
		!strings.Contains(string(html), rep.Specs[0].Name) {
		t.Errorf("HTML report: %v\n%.300s", err, html)
	}

	// Bad flags are usage errors, decided before any suite runs.
	for _, args := range [][]string{{"conform", "--label-filter", "((("}, {"conform", "--pool-id", "us-east-1_x"}, {"conform", "--focus", "signin", "--focus", "("}} {
		if code, _, stderr := runIn(t, "", nil, args...); code != exitcode.Usage || strings.Contains(stderr, "panic") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d (%s)", args, code, stderr)
		}
	}
}
