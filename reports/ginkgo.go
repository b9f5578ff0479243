package reports

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// ConformFromGinkgo builds the conform report (schema authbench.report/v1, kind
// "conform") of an in-process Ginkgo run against target: one spec per It, sorted by
// name, skipped ones with their reason and failed ones with their failure.
func ConformFromGinkgo(r types.Report, target string) *ConformReport {
	c := &ConformReport{Schema: Schema, Kind: "conform", Target: target, Start: r.StartTime.UTC(), End: r.EndTime.UTC()}
	for _, sp := range r.SpecReports {
		if sp.LeafNodeType != types.NodeTypeIt {
			continue
		}
		res := ConformSpec{
			Name:       sp.FullText(),
			Labels:     sp.Labels(),
			State:      sp.State.String(),
			DurationMS: sp.RunTime.Milliseconds(),
			Location:   sp.LeafNodeLocation.String(),
		}
		switch {
		case sp.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			c.Skipped++
			res.SkipReason = sp.Failure.Message
		case sp.State.Is(types.SpecStateFailureStates):
			c.Failed++
			res.Failure = sp.Failure.Message
		default:
			c.Passed++
		}
		c.Specs = append(c.Specs, res)
	}
	sort.Slice(c.Specs, func(i, j int) bool { return c.Specs[i].Name < c.Specs[j].Name })
	return c
}

// Ran is the number of specs that ran (passed or failed).
func (c *ConformReport) Ran() int { return c.Passed + c.Failed }

// WriteJSONFile writes the report, indented, to path.
func (c *ConformReport) WriteJSONFile(path string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// WriteHTMLFile writes the report's self-contained HTML page to path.
func (c *ConformReport) WriteHTMLFile(path string) error {
	var b bytes.Buffer
	if err := WriteConformHTML(&b, c, HTMLOptions{}); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// WriteConformText writes the human summary of a conformance run: each failed and
// skipped spec and the counts, the specs not selected apart from the skipped ones. For a list-only run (list), where the specs that
// would run are skipped with the reason wouldRun, it lists what would run and what
// would be skipped instead.
func WriteConformText(w io.Writer, c *ConformReport, list bool, wouldRun string) error {
	var b strings.Builder
	notSelected := ""
	if c.NotSelected > 0 {
		notSelected = fmt.Sprintf(", %d not selected", c.NotSelected)
	}
	if list {
		run, skip := 0, 0
		for _, sp := range c.Specs {
			switch {
			case sp.SkipReason == wouldRun:
				run++
				fmt.Fprintf(&b, "run  %s  [%s]\n", sp.Name, strings.Join(sp.Labels, ", "))
			case sp.SkipReason != "":
				skip++
				fmt.Fprintf(&b, "skip %s: %s\n", sp.Name, firstLine(sp.SkipReason))
			}
		}
		fmt.Fprintf(&b, "%d specs would run, %d would be skipped%s\n", run, skip, notSelected)
	} else {
		b.WriteString("\n") // Ginkgo's succinct progress line ends without one
		for _, sp := range c.Specs {
			switch {
			case sp.Failure != "":
				fmt.Fprintf(&b, "FAIL %s\n     %s\n", sp.Name, firstLine(sp.Failure))
			case sp.SkipReason != "":
				fmt.Fprintf(&b, "skip %s: %s\n", sp.Name, firstLine(sp.SkipReason))
			}
		}
		fmt.Fprintf(&b, "%d passed, %d failed, %d skipped%s\n", c.Passed, c.Failed, c.Skipped, notSelected)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// junitTime matches the time attributes of Ginkgo's JUnit report, which it writes with
// Go's shortest float format (4.2e-05 for a very short spec): not an xs:decimal, which
// CI tools' JUnit parsers expect.
var junitTime = regexp.MustCompile(`time="([0-9.eE+-]+)"`)

// WriteGinkgoJUnit writes Ginkgo's JUnit report of r to path with every time as a
// plain decimal, and the target's fields (if not nil) as the suite's first
// properties (authbench.poolId, clientId, region, endpoint).
func WriteGinkgoJUnit(path string, r types.Report, target *ConformTarget) error {
	if err := reporters.GenerateJUnitReport(r, path); err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if ps := target.Properties(); len(ps) > 0 {
		var props bytes.Buffer
		props.WriteString("<properties>")
		for _, p := range ps {
			props.WriteString(`<property name="authbench.` + p[0] + `" value="`)
			if err := xml.EscapeText(&props, []byte(p[1])); err != nil {
				return err
			}
			props.WriteString(`"></property>`)
		}
		b = bytes.Replace(b, []byte("<properties>"), props.Bytes(), 1)
	}
	b = junitTime.ReplaceAllFunc(b, func(m []byte) []byte {
		v, err := strconv.ParseFloat(string(junitTime.FindSubmatch(m)[1]), 64)
		if err != nil {
			return m
		}
		return []byte(`time="` + strconv.FormatFloat(v, 'f', 6, 64) + `"`)
	})
	return os.WriteFile(path, b, 0o644)
}
