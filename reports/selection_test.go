package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestApplySelection checks that specs a label filter or focus left out are "not
// selected", counted apart from the skipped ones, listed by no JUnit report, and
// that a spec skipped with a reason stays skipped even when unselected-looking.
func TestApplySelection(t *testing.T) {
	mk := func() *ConformReport {
		return &ConformReport{Schema: Schema, Kind: "conform", Passed: 1, Skipped: 3, Specs: []ConformSpec{
			{Name: "Sign-in with a password ends in done", Labels: []string{"family:signin"}, State: "passed"},
			{Name: "Sign-in with SRP ends in done", Labels: []string{"family:signin"}, State: "skipped", SkipReason: "the pool has no SRP"},
			{Name: "MFA matrix signs in", Labels: []string{"family:mfa"}, State: "skipped"},
			{Name: "Devices remember", Labels: []string{"family:devices"}, State: "skipped"},
		}}
	}
	c := mk()
	if err := c.ApplySelection(Selection{LabelFilter: "family:signin", SuiteLabels: []string{"target:embedded"}}); err != nil {
		t.Fatal(err)
	}
	if c.Skipped != 1 || c.NotSelected != 2 || c.Specs[1].State != "skipped" || c.Specs[2].State != StateNotSelected || c.Specs[3].State != StateNotSelected {
		t.Fatalf("after the label filter: %+v", c)
	}
	var txt, junit, page bytes.Buffer
	if err := WriteConformText(&txt, c, false, "would run"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(txt.String(), "1 passed, 0 failed, 1 skipped, 2 not selected\n") || strings.Contains(txt.String(), "MFA matrix") {
		t.Errorf("text summary:\n%s", txt.String())
	}
	if err := WriteConformJUnit(&junit, c); err != nil {
		t.Fatal(err)
	}
	if strings.Count(junit.String(), "<testcase ") != 2 || !strings.Contains(junit.String(), `tests="2"`) || strings.Contains(junit.String(), "MFA matrix") {
		t.Errorf("JUnit lists unselected specs:\n%s", junit.String())
	}
	if err := WriteConformHTML(&page, c, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "<b>2</b><span>not selected</span>") || strings.Contains(page.String(), "MFA matrix") {
		t.Errorf("the HTML page does not count the unselected specs apart")
	}
	// Focus expressions select by the suite's description and the spec's text, as
	// Ginkgo matches them; the suite's labels count for the filter.
	c = mk()
	if err := c.ApplySelection(Selection{Description: "authbench conformance", Focus: []string{"^authbench conformance Devices", "no such spec"},
		LabelFilter: "target:embedded", SuiteLabels: []string{"target:embedded"}}); err != nil {
		t.Fatal(err)
	}
	if c.NotSelected != 1 || c.Specs[2].State != StateNotSelected || c.Specs[3].State != "skipped" {
		t.Errorf("after the focus: %+v", c)
	}
	if err := mk().ApplySelection(Selection{Focus: []string{"("}}); err == nil {
		t.Error("a bad focus expression was accepted")
	}
	// No filter: every reasonless skip stays a skip.
	c = mk()
	if err := c.ApplySelection(Selection{}); err != nil || c.NotSelected != 0 {
		t.Errorf("no selection: %v %+v", err, c)
	}
}
