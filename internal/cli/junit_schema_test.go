package cli

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The JUnit report of `authbench conform --junit` is for CI tools (Jenkins' junit
// plugin, GitLab, GitHub test-report actions), which read the Jenkins/Ant JUnit
// format. testdata/junit.xsd is that format as an XML Schema; validateJUnit checks the
// same constraints in Go, so the tests need no xmllint, and xmllint (Debian package
// libxml2-utils), when installed, checks the files against the XSD as well.

const junitXSD = "testdata/junit.xsd"

// junitAttr is the type of an attribute's value.
type junitAttr int

const (
	anyString junitAttr = iota
	count               // xs:nonNegativeInteger
	seconds             // xs:decimal >= 0
	dateTime            // xs:dateTime
)

// junitParticle is one child element of a sequence, occurring min to max times (max
// < 0: unbounded).
type junitParticle struct {
	name     string
	min, max int
}

// junitElement is the declaration of an element: its attributes, and either a
// sequence of child elements (element-only content) or text (text is true).
type junitElement struct {
	attrs    map[string]junitAttr
	required []string
	children []junitParticle
	text     bool
}

// junitOutcome is <skipped>, <error> and <failure>.
var junitOutcome = &junitElement{attrs: map[string]junitAttr{"message": anyString, "type": anyString}, text: true}

// junitText is <system-out> and <system-err>.
var junitText = &junitElement{text: true}

// junitSchema mirrors testdata/junit.xsd. Elements are keyed by their parent's name
// and their own, as the XSD declares most of them locally.
var junitSchema = map[string]*junitElement{
	"/testsuites": {
		attrs: map[string]junitAttr{"name": anyString, "tests": count, "failures": count, "errors": count,
			"skipped": count, "disabled": count, "time": seconds, "timestamp": dateTime},
		children: []junitParticle{{"testsuite", 0, -1}},
	},
	"/testsuite":           junitSuite,
	"testsuites/testsuite": junitSuite,
	"testsuite/properties": junitProperties,
	"testsuite/testcase": {
		attrs: map[string]junitAttr{"name": anyString, "classname": anyString, "time": seconds, "status": anyString,
			"assertions": count, "file": anyString, "line": count, "group": anyString, "log": anyString, "url": anyString},
		required: []string{"name", "classname", "time"},
		children: []junitParticle{{"skipped", 0, 1}, {"error", 0, -1}, {"failure", 0, -1},
			{"system-out", 0, -1}, {"system-err", 0, -1}, {"properties", 0, 1}},
	},
	"testsuite/system-out": junitText,
	"testsuite/system-err": junitText,
	"testcase/skipped":     junitOutcome,
	"testcase/error":       junitOutcome,
	"testcase/failure":     junitOutcome,
	"testcase/system-out":  junitText,
	"testcase/system-err":  junitText,
	"testcase/properties":  junitProperties,
	"properties/property": {
		attrs:    map[string]junitAttr{"name": anyString, "value": anyString},
		required: []string{"name", "value"},
	},
}

var junitSuite = &junitElement{
	attrs: map[string]junitAttr{"name": anyString, "tests": count, "failures": count, "errors": count, "time": seconds,
		"skipped": count, "disabled": count, "timestamp": dateTime, "hostname": anyString, "id": anyString,
		"package": anyString, "file": anyString, "log": anyString, "url": anyString, "version": anyString, "group": anyString},
	required: []string{"name", "tests", "failures", "errors", "time"},
	children: []junitParticle{{"properties", 0, 1}, {"testcase", 0, -1}, {"system-out", 0, 1}, {"system-err", 0, 1}},
}

var junitProperties = &junitElement{children: []junitParticle{{"property", 0, -1}}}

// xmlNode is an element of a parsed document.
type xmlNode struct {
	name  xml.Name
	attrs []xml.Attr
	kids  []*xmlNode
	text  bool // has non-whitespace character data
	line  int
}

// parseXMLTree reads a document into a tree of elements.
func parseXMLTree(r io.Reader) (*xmlNode, error) {
	d := xml.NewDecoder(r)
	var root *xmlNode
	var stack []*xmlNode
	for {
		line, _ := d.InputPos()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{name: tok.Name, attrs: tok.Attr, line: line}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, n)
			} else if root != nil {
				return nil, fmt.Errorf("line %d: a second root element <%s>", line, tok.Name.Local)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 && len(bytes.TrimSpace(tok)) > 0 {
				stack[len(stack)-1].text = true
			} else if len(stack) == 0 && len(bytes.TrimSpace(tok)) > 0 {
				return nil, fmt.Errorf("line %d: text outside the root element", line)
			}
		}
	}
	if root == nil {
		return nil, errors.New("no root element")
	}
	return root, nil
}

// validateJUnit checks a JUnit XML document against the constraints of
// testdata/junit.xsd and returns every violation found, joined.
func validateJUnit(r io.Reader) error {
	root, err := parseXMLTree(r)
	if err != nil {
		return err
	}
	var errs []error
	validateJUnitNode(root, "", &errs)
	return errors.Join(errs...)
}

func validateJUnitNode(n *xmlNode, parent string, errs *[]error) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("line %d: <%s>: %s", n.line, n.name.Local, fmt.Sprintf(format, args...)))
	}
	if n.name.Space != "" {
		fail("element in namespace %q", n.name.Space)
		return
	}
	decl := junitSchema[parent+"/"+n.name.Local]
	if decl == nil {
		if parent == "" {
			fail("not a JUnit root element (want testsuites or testsuite)")
		} else {
			fail("not allowed in <%s>", parent)
		}
		return
	}
	seen := map[string]bool{}
	for _, a := range n.attrs {
		if a.Name.Space != "" {
			fail("attribute %s:%s is not allowed", a.Name.Space, a.Name.Local)
			continue
		}
		typ, ok := decl.attrs[a.Name.Local]
		if !ok {
			fail("attribute %s is not allowed", a.Name.Local)
			continue
		}
		seen[a.Name.Local] = true
		if err := checkJUnitAttr(typ, a.Value); err != nil {
			fail("attribute %s=%q: %v", a.Name.Local, a.Value, err)
		}
	}
	for _, req := range decl.required {
		if !seen[req] {
			fail("attribute %s is required", req)
		}
	}
	if decl.text {
		if len(n.kids) > 0 {
			fail("holds text only, not <%s>", n.kids[0].name.Local)
		}
		return
	}
	if n.text {
		fail("holds elements only, not text")
	}
	// The particles of a sequence have distinct names, so a greedy match is exact.
	kids, i := n.kids, 0
	for _, p := range decl.children {
		k := 0
		for i < len(kids) && kids[i].name.Space == "" && kids[i].name.Local == p.name && (p.max < 0 || k < p.max) {
			i, k = i+1, k+1
		}
		if k < p.min {
			fail("needs at least %d <%s>", p.min, p.name)
		}
	}
	if i < len(kids) {
		var names []string
		for _, p := range decl.children {
			names = append(names, p.name)
		}
		fail("child <%s> (line %d) is not allowed here: the children are, in this order, %s",
			kids[i].name.Local, kids[i].line, strings.Join(names, ", "))
	}
	for _, k := range kids {
		validateJUnitNode(k, n.name.Local, errs)
	}
}

var (
	xsdDecimal  = regexp.MustCompile(`^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$`)
	xsdCount    = regexp.MustCompile(`^\+?[0-9]+$`)
	xsdDateTime = regexp.MustCompile(`^(-?[0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?$`)
)

// checkJUnitAttr checks an attribute value's lexical form (after XSD whitespace
// collapsing, which for these types trims it).
func checkJUnitAttr(typ junitAttr, v string) error {
	v = strings.TrimSpace(v)
	switch typ {
	case count:
		if !xsdCount.MatchString(v) {
			return errors.New("not a non-negative integer")
		}
	case seconds:
		if !xsdDecimal.MatchString(v) {
			return errors.New("not a decimal number of seconds")
		}
		if strings.HasPrefix(v, "-") && strings.Trim(v, "-0.") != "" {
			return errors.New("negative")
		}
	case dateTime:
		m := xsdDateTime.FindStringSubmatch(v)
		if m == nil {
			return errors.New("not an xs:dateTime")
		}
		clock := m[4] + ":" + m[5] + ":" + m[6]
		if clock == "24:00:00" && strings.Trim(m[7], ".0") == "" {
			clock = "00:00:00" // the end of the day
		}
		// The year does not matter beyond leap days; 2000 has one.
		if _, err := time.Parse("2006-01-02T15:04:05", "2000-"+m[2]+"-"+m[3]+"T"+clock); err != nil {
			return errors.New("not an xs:dateTime: a field is out of range")
		}
	}
	return nil
}

// xmllintSchema validates file against testdata/junit.xsd with xmllint. It returns
// ok false when xmllint is not installed; valid, and xmllint's messages, otherwise.
func xmllintSchema(t *testing.T, file string) (valid bool, msg string, ok bool) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		return false, "", false
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--noout", "--nonet", "--schema", junitXSD, file).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return true, string(out), true
	case errors.As(err, &exit) && (exit.ExitCode() == 3 || exit.ExitCode() == 4):
		return false, string(out), true // a validation error
	default:
		t.Fatalf("xmllint --schema %s %s: %v\n%s", junitXSD, file, err, out)
		return false, "", false
	}
}

const validJUnit = `<?xml version="1.0" encoding="UTF-8"?>
<testsuites tests="3" failures="1" errors="0" time="1.5">
  <testsuite name="s" package="p" tests="3" failures="1" errors="0" skipped="1" time="1.500" timestamp="2026-01-02T03:04:05">
    <properties><property name="k" value="v"/></properties>
    <testcase name="a" classname="s" status="passed" time="0"/>
    <testcase name="b" classname="s" status="failed" time="0.25">
      <failure message="m" type="failed">details</failure>
      <system-out>out</system-out>
      <system-err>err</system-err>
      <properties><property name="entry" value="1"/></properties>
    </testcase>
    <testcase name="c" classname="s" time=".5"><skipped message="skipped - no pool"/></testcase>
    <system-out></system-out>
  </testsuite>
</testsuites>
`

// TestJUnitValidator checks the Go validator (and, with xmllint, the XSD) on
// hand-written documents: a valid one, and broken ones that each must be rejected
// with the reason given.
func TestJUnitValidator(t *testing.T) {
	if err := validateJUnit(strings.NewReader(validJUnit)); err != nil {
		t.Fatalf("valid document rejected: %v", err)
	}
	broken := []struct {
		name, old, new, want string
	}{
		{"suite without a name", `<testsuite name="s" `, `<testsuite `, "<testsuite>: attribute name is required"},
		{"time in exponent form", `time="1.500"`, `time="4.2e-05"`, `time="4.2e-05": not a decimal`},
		{"time with a unit", `time="0.25"`, `time="250ms"`, `time="250ms": not a decimal`},
		{"negative time", `time="0.25"`, `time="-0.25"`, `negative`},
		{"case without classname", `<testcase name="a" classname="s" `, `<testcase name="a" `, "attribute classname is required"},
		{"count not an integer", `tests="3" failures="1" errors="0" skipped`, `tests="three" failures="1" errors="0" skipped`, `tests="three": not a non-negative integer`},
		{"unknown attribute", `status="passed"`, `status="passed" flaky="true"`, "attribute flaky is not allowed"},
		{"timestamp with a space", `2026-01-02T03:04:05`, `2026-01-02 03:04:05`, "not an xs:dateTime"},
		{"timestamp out of range", `2026-01-02T03:04:05`, `2026-13-02T03:04:05`, "not an xs:dateTime"},
		{"children out of order", "<system-out>out</system-out>\n      <system-err>err</system-err>", "<system-err>err</system-err>\n      <system-out>out</system-out>", "child <system-out>"},
		{"skipped after failure", `<failure message="m" type="failed">details</failure>`, `<failure message="m" type="failed">details</failure><skipped/>`, "child <skipped>"},
		{"unknown element", `<system-out></system-out>`, `<rerun/>`, "child <rerun>"},
		{"text in a suite", `<system-out></system-out>`, `stray text`, "<testsuite>: holds elements only"},
		{"element in a failure", `>details</failure>`, `><b>details</b></failure>`, "<failure>: holds text only"},
		{"property without a value", `<property name="k" value="v"/>`, `<property name="k"/>`, "attribute value is required"},
	}
	dir := t.TempDir()
	for i, tc := range broken {
		doc := strings.Replace(validJUnit, tc.old, tc.new, 1)
		if doc == validJUnit {
			t.Fatalf("%s: %q is not in the document", tc.name, tc.old)
		}
		err := validateJUnit(strings.NewReader(doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
		// The XSD must agree.
		file := filepath.Join(dir, fmt.Sprintf("broken%d.xml", i))
		if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		if valid, msg, ok := xmllintSchema(t, file); ok && valid {
			t.Errorf("%s: xmllint accepts it: %s", tc.name, msg)
		}
	}

	// A lone <testsuite> is a valid root; a lone <testcase> is not.
	suite := validJUnit[strings.Index(validJUnit, "<testsuite "):strings.Index(validJUnit, "</testsuites>")]
	if err := validateJUnit(strings.NewReader(suite)); err != nil {
		t.Errorf("lone testsuite: %v", err)
	}
	if err := validateJUnit(strings.NewReader(`<testcase name="a" classname="s" time="0"/>`)); err == nil || !strings.Contains(err.Error(), "not a JUnit root") {
		t.Errorf("lone testcase: %v", err)
	}

	// The hand-broken file the brief names: a suite without a name and a duration
	// that is not a decimal, both reported.
	both := strings.Replace(strings.Replace(validJUnit, `<testsuite name="s" `, `<testsuite `, 1), `time="1.500"`, `time="1.5s"`, 1)
	err := validateJUnit(strings.NewReader(both))
	if err == nil || !strings.Contains(err.Error(), "attribute name is required") || !strings.Contains(err.Error(), `time="1.5s"`) {
		t.Errorf("broken suite: got %v, want both violations", err)
	}

	file := filepath.Join(dir, "valid.xml")
	if err := os.WriteFile(file, []byte(validJUnit), 0o600); err != nil {
		t.Fatal(err)
	}
	switch valid, msg, ok := xmllintSchema(t, file); {
	case !ok:
		t.Log("xmllint not found (Debian package libxml2-utils): the XSD half of this test was skipped")
	case !valid:
		t.Errorf("xmllint rejects the valid document:\n%s", msg)
	}
}

// junitDoc is what TestConformJUnitSchema reads of a JUnit file.
type junitDoc struct {
	XMLName xml.Name `xml:"testsuites"`
	Tests   int      `xml:"tests,attr"`
	Suites  []struct {
		Name  string `xml:"name,attr"`
		Tests int    `xml:"tests,attr"`
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Status  string    `xml:"status,attr"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestConformJUnitSchema runs `authbench conform --junit` (a subprocess: Ginkgo allows
// one suite run per process) and checks the file against the JUnit schema, with the
// Go validator and, when installed, xmllint; then that it has one test case per spec
// of the JSON report of the same run, in the same state.
func TestConformJUnitSchema(t *testing.T) {
	tools := buildCLIForTest(t)
	dir := t.TempDir()
	junit, js := filepath.Join(dir, "out.xml"), filepath.Join(dir, "out.json")
	r := runBuiltConform(t, tools.authbench, dir, "conform", "--label-filter", "family:signin", "--junit", junit, "--json", js, "--timeout", "80s")
	if r.code != 0 {
		t.Fatalf("conform: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	data, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	if err := validateJUnit(bytes.NewReader(data)); err != nil {
		t.Errorf("the JUnit report does not follow the schema:\n%v", err)
	}
	switch valid, msg, ok := xmllintSchema(t, junit); {
	case !ok:
		t.Log("xmllint not found (Debian package libxml2-utils): validated with the Go check only")
	case !valid:
		t.Errorf("xmllint: the JUnit report does not follow %s:\n%s", junitXSD, msg)
	default:
		t.Logf("xmllint: the JUnit report follows %s", junitXSD)
	}

	// The same file, hand-broken: the suite loses its name and its duration becomes
	// a duration string. Both checks must reject it.
	broken := regexp.MustCompile(`(<testsuite) name="[^"]*"`).ReplaceAll(data, []byte("$1"))
	broken = regexp.MustCompile(`(<testsuite [^>]*time=")[^"]*"`).ReplaceAll(broken, []byte(`${1}1.5s"`))
	if err := validateJUnit(bytes.NewReader(broken)); err == nil || !strings.Contains(err.Error(), "attribute name is required") || !strings.Contains(err.Error(), `time="1.5s"`) {
		t.Errorf("the hand-broken report: got %v, want a missing name and a bad time", err)
	}
	brokenFile := filepath.Join(dir, "broken.xml")
	if err := os.WriteFile(brokenFile, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	if valid, msg, ok := xmllintSchema(t, brokenFile); ok && valid {
		t.Errorf("xmllint accepts the hand-broken report: %s", msg)
	}

	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("JUnit report: %v", err)
	}
	rep := readConformReportFile(t, js)
	if len(doc.Suites) != 1 {
		t.Fatalf("JUnit report: %d test suites, want 1", len(doc.Suites))
	}
	suite := doc.Suites[0]
	if doc.Tests != len(suite.Cases) || suite.Tests != len(suite.Cases) {
		t.Errorf("JUnit report: tests=%d (testsuites) and %d (testsuite), but %d test cases", doc.Tests, suite.Tests, len(suite.Cases))
	}
	// Ginkgo names a case "[It] <spec text> [<labels>]"; other nodes (suite setup,
	// reporting) would be "[BeforeSuite]" and so on, and are not specs.
	cases := map[string]int{}
	for i, c := range suite.Cases {
		if !strings.HasPrefix(c.Name, "[It] ") {
			continue
		}
		if _, dup := cases[c.Name]; dup {
			t.Errorf("JUnit report: two test cases named %q", c.Name)
		}
		cases[c.Name] = i
	}
	ran := 0
	for _, s := range rep.Specs {
		if s.State == "not selected" {
			continue // left out of JUnit: the label filter did not choose it
		}
		name := "[It] " + s.Name
		if len(s.Labels) > 0 {
			name += " [" + strings.Join(s.Labels, ", ") + "]"
		}
		i, ok := cases[name]
		if !ok {
			t.Errorf("JUnit report: no test case for spec %q", name)
			continue
		}
		delete(cases, name)
		c := suite.Cases[i]
		if c.Status != s.State || (c.Failure != nil) != (s.State == "failed") || (c.Skipped != nil) != (s.State == "skipped") {
			t.Errorf("JUnit case %q: status %q (failure %v, skipped %v), JSON state %q", name, c.Status, c.Failure != nil, c.Skipped != nil, s.State)
		}
		if s.State == "passed" {
			ran++
		}
	}
	for name := range cases {
		t.Errorf("JUnit report: test case %q is no spec of the JSON report", name)
	}
	if ran == 0 {
		t.Error("no spec of family:signin ran")
	}
	t.Logf("%d test cases, one per spec of the JSON report; %d passed", len(suite.Cases), ran)
}
