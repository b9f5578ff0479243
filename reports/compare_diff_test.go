package reports

import (
	"bytes"
	"strings"
	"testing"
)

// TestCompareWarnsOnDifferentRuns checks that a comparison warns, before its table,
// when the two runs differ in rate, mix or target, and says nothing for a run
// compared with itself.
func TestCompareWarnsOnDifferentRuns(t *testing.T) {
	var b bytes.Buffer
	if err := CompareRuns(&b, "testdata/bench", "testdata/ramp", CompareOptions{MaxRegression: -1}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	want := "WARNING: the runs differ in load: 50/s vs stages 10s:20→60/s,10s:60→60/s; the change may come from that, not from the pool\n"
	if !strings.Contains(out, want) || strings.Index(out, "WARNING") > strings.Index(out, "metric") {
		t.Errorf("no load warning before the table:\n%s", out)
	}
	if strings.Count(out, "WARNING") != 1 {
		t.Errorf("warnings for what does not differ:\n%s", out)
	}
	b.Reset()
	if err := CompareRuns(&b, "testdata/bench", "testdata/bench", CompareOptions{MaxRegression: -1}); err != nil || strings.Contains(b.String(), "WARNING") {
		t.Errorf("a run against itself: %v\n%s", err, b.String())
	}
	old, cur := loadRun(t, "testdata/bench").Bench, loadRun(t, "testdata/bench").Bench
	cur.Target, cur.Config.Mix = "https://cognito-idp.eu-west-1.amazonaws.com", map[string]int{"srp": 100}
	cur.Config.Rate = 200
	got := RunDifferences(old, cur)
	wantDiffs := []string{"target: embedded vs https://cognito-idp.eu-west-1.amazonaws.com", "mix: srp=50,totp=50 vs srp=100", "load: 50/s vs 200/s"}
	if strings.Join(got, "|") != strings.Join(wantDiffs, "|") {
		t.Errorf("differences %q, want %q", got, wantDiffs)
	}
	cur.Config.Users, cur.Mode = 10, "closed"
	if got := RunDifferences(old, cur); len(got) != 4 || got[1] != "mode: open vs closed" || got[3] != "load: 50/s vs 10 users (closed loop), think 0s" {
		t.Errorf("closed loop differences %q", got)
	}
}
