package reports

import (
	"bytes"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedClock is the generation time of the golden pages.
var fixedClock = time.Date(2024, 3, 2, 9, 30, 0, 0, time.UTC)

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("%s differs at line %d (run go test ./reports -update if the change is intended):\n got: %.300s\nwant: %.300s", path, i+1, g, w)
			}
		}
	}
}

func loadRun(t *testing.T, path string) *Run {
	t.Helper()
	r, err := LoadRun(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// benchHTML renders the bench page of a run directory.
func benchHTML(t *testing.T, dir string, withLog bool) []byte {
	t.Helper()
	r := loadRun(t, dir)
	if r.Kind != "bench" || (withLog && r.Log == nil) {
		t.Fatalf("%s: kind %q, log %v", dir, r.Kind, r.Log != nil)
	}
	log := r.Log
	if !withLog {
		log = nil
	}
	var b bytes.Buffer
	if err := WriteBenchHTML(&b, r.Bench, log, HTMLOptions{Generated: fixedClock, Sources: []string{SummaryFile, IntervalLogFile}}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func conformHTML(t *testing.T) []byte {
	t.Helper()
	r := loadRun(t, filepath.Join("testdata", "conform"))
	var b bytes.Buffer
	if err := WriteConformHTML(&b, r.Conform, HTMLOptions{Generated: fixedClock, Sources: []string{"conform.json"}}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var external = regexp.MustCompile(`(?i)(<script[^>]*\bsrc=|<link\b|<img\b|<iframe\b|@import|url\(|(?:src|href)="(?:https?:)?//)`)

// selfContained fails when the page refers to anything outside itself; named are
// URLs the page may show as text (the endpoint a conformance run tested).
func selfContained(t *testing.T, page []byte, named ...string) {
	t.Helper()
	for _, n := range named {
		page = bytes.ReplaceAll(page, []byte(n), nil)
	}
	if m := external.Find(page); m != nil {
		t.Errorf("the page loads an external resource: %q", m)
	}
	if n := bytes.Count(page, []byte("http")); n != bytes.Count(page, []byte(`xmlns="http://www.w3.org/2000/svg"`)) {
		t.Errorf("the page names a URL other than the SVG namespace")
	}
}

func TestBenchHTMLGolden(t *testing.T) {
	for _, tc := range []struct {
		name, dir string
		log       bool
	}{
		{"bench-ramp.html.golden", "testdata/ramp", true},
		{"bench-ramp-nolog.html.golden", "testdata/ramp", false},
		{"bench-small.html.golden", "testdata/bench", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := benchHTML(t, tc.dir, tc.log)
			selfContained(t, page)
			for _, want := range []string{"Sign-in latency from the intended start", "Sign-in service time", "Percentile distribution per phase",
				"Achieved vs planned rate", "Outcomes by code per interval", "Next-step mix", "Load-generator CPU", "<polyline"} {
				if !bytes.Contains(page, []byte(want)) {
					t.Errorf("the page lacks %q", want)
				}
			}
			if again := benchHTML(t, tc.dir, tc.log); !bytes.Equal(page, again) {
				t.Error("two renderings differ")
			}
			golden(t, tc.name, page)
		})
	}
}

// The log and the summary's intervals give the same percentiles over time (both
// from the same histograms), so the two pages' latency charts agree.
func TestLatencySeriesLogMatchesSummary(t *testing.T) {
	r := loadRun(t, "testdata/ramp")
	for _, m := range []string{MetricLatency, MetricService} {
		a, b := latencySeries(r.Bench, r.Log, m), latencySeries(r.Bench, nil, m)
		for i := range a {
			if len(a[i].X) != 20 || len(a[i].X) != len(b[i].X) {
				t.Fatalf("%s %s: %d vs %d points", m, a[i].Name, len(a[i].X), len(b[i].X))
			}
			for j := range a[i].X {
				if a[i].X[j] != b[i].X[j] || a[i].Y[j] != b[i].Y[j] {
					t.Errorf("%s %s point %d: log (%v, %v), summary (%v, %v)", m, a[i].Name, j, a[i].X[j], a[i].Y[j], b[i].X[j], b[i].Y[j])
				}
			}
		}
	}
}

func TestConformHTMLGolden(t *testing.T) {
	page := conformHTML(t)
	selfContained(t, page, "https://cognito-idp.eu-west-1.amazonaws.com")
	for _, want := range []string{"poolId <code>eu-west-1_AbC123xyz</code> · clientId <code>4l5jq2ri8v0example0client</code> · region <code>eu-west-1</code> · endpoint <code>https://cognito-idp.eu-west-1.amazonaws.com</code>", "dialect:flutter · flow:USER_SRP_AUTH", "steps seen: InitiateAuth(USER_SRP_AUTH)", "the target pool has no custom-auth Lambda triggers", "1250 ms", `&lt;script&gt;`} {
		if !bytes.Contains(page, []byte(want)) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte("<script>alert")) {
		t.Error("a failure message was not escaped")
	}
	golden(t, "conform.html.golden", page)
}

func TestConformJUnitGolden(t *testing.T) {
	r := loadRun(t, "testdata/conform")
	var b bytes.Buffer
	if err := WriteConformJUnit(&b, r.Conform); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Skipped  int `xml:"skipped,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string    `xml:"name,attr"`
				Time    string    `xml:"time,attr"`
				Failure *struct{} `xml:"failure"`
				Skipped *struct{} `xml:"skipped"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Tests != 4 || doc.Failures != 1 || doc.Skipped != 1 || len(doc.Suites) != 1 || len(doc.Suites[0].Cases) != 4 {
		t.Fatalf("JUnit counts: %+v", doc)
	}
	if c := doc.Suites[0].Cases[1]; c.Failure == nil || c.Time != "1.250000" {
		t.Errorf("the failed spec: %+v", c)
	}
	for _, want := range []string{`<property name="authbench.poolId" value="eu-west-1_AbC123xyz"></property>`, `<property name="authbench.endpoint" value="https://cognito-idp.eu-west-1.amazonaws.com"></property>`} {
		if !bytes.Contains(b.Bytes(), []byte(want)) {
			t.Errorf("the JUnit report lacks %s", want)
		}
	}
	golden(t, "conform.junit.xml.golden", b.Bytes())
}

func TestCompareGolden(t *testing.T) {
	old, cur := loadRun(t, "testdata/bench"), loadRun(t, "testdata/ramp")
	opt := CompareOptions{MaxRegression: 10, Metrics: []string{"signin.latency"}, Stats: []string{"p99", "errors"}}
	cs := Compare(old.Bench, cur.Bench, opt)
	var b bytes.Buffer
	if err := WriteComparison(&b, cs, opt); err != nil {
		t.Fatal(err)
	}
	golden(t, "compare.txt.golden", b.Bytes())
	// The ramp's sign-ins are faster, its error rate lower: nothing regressed.
	if r := Regressions(cs); len(r) != 0 {
		t.Errorf("regressions: %+v", r)
	}
	// The other way round, both gated rows regress.
	back := Regressions(Compare(cur.Bench, old.Bench, opt))
	if len(back) != 2 || back[0].Stat != "p99" || back[1].Stat != "errors" {
		t.Errorf("reverse regressions: %+v", back)
	}
	same := Compare(old.Bench, old.Bench, opt)
	for _, c := range same {
		if c.Delta != 0 || c.Regressed {
			t.Errorf("a run against itself: %+v", c)
		}
	}
}

func TestReadIntervalLogErrors(t *testing.T) {
	for _, in := range []string{"Tag=x\n", "0.0,1.0,HIST\n", "Tag=a,0.0,1.0,2.0,not-base64!\n", "Tag=a,zero,1.0,2.0,HISTFAAAAA\n"} {
		if _, err := ReadIntervalLog(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("%q: err %v, want one naming line 1", in, err)
		}
	}
}

func TestLoadRunErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadRun(dir); err == nil || !strings.Contains(err.Error(), "no summary.json") {
		t.Errorf("empty dir: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "x.json"), []byte(`{"schema":"other/v9","kind":"bench"}`), 0o644)
	if _, err := LoadRun(filepath.Join(dir, "x.json")); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Errorf("foreign schema: %v", err)
	}
}
