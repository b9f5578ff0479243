package reports

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"
	"strings"
)

var conformTmpl = template.Must(template.New("conform").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>authbench conformance — {{.R.Target}}</title>
<style>` + style + `</style></head><body>
<h1>authbench conformance — {{.R.Target}} pool</h1>
<p class="meta">{{.Start}} – {{.End}}</p>
{{with .Props}}<p class="meta">{{range $i, $p := .}}{{if $i}} · {{end}}{{index $p 0}} <code>{{index $p 1}}</code>{{end}}</p>
{{end}}<div class="tiles"><div class="tile good"><b>{{.R.Passed}}</b><span>passed</span></div><div class="tile{{if .R.Failed}} bad{{end}}"><b>{{.R.Failed}}</b><span>failed</span></div><div class="tile"><b>{{.R.Skipped}}</b><span>skipped</span></div>{{if .R.NotSelected}}<div class="tile"><b>{{.R.NotSelected}}</b><span>not selected</span></div>{{end}}<div class="tile"><b>{{len .R.Specs}}</b><span>specs</span></div></div>
{{if .Failures}}<h2>Failures</h2>
{{range .Failures}}<p><a href="#{{.ID}}">{{.Name}}</a></p>
{{end}}{{end}}<h2>Specs</h2>
<table><thead><tr><th>Spec</th><th>Result</th><th class="n">Time</th></tr></thead><tbody>
{{range .Specs}}{{if ne .State "not selected"}}<tr id="{{.ID}}"><td>{{.Name}}<div class="labels">{{.LabelText}}</div>{{if .Location}}<div class="labels">{{.Location}}</div>{{end}}{{if .Failure}}<pre>{{.Failure}}</pre>{{end}}{{if .SkipReason}}<pre>skipped: {{.SkipReason}}</pre>{{end}}</td>
<td class="{{.State}}">{{.State}}</td><td class="n">{{.DurationMS}} ms</td></tr>
{{end}}{{end}}</tbody></table>
{{if .R.NotSelected}}<p class="meta">{{.R.NotSelected}} specs were not selected (--label-filter, --focus) and are not listed.</p>
{{end}}<footer>authbench report{{if .Sources}} from {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}{{end}}{{if .Generated}} · generated {{.Generated}}{{end}}</footer>
</body></html>
`))

type conformSpecView struct {
	ConformSpec
	ID, LabelText string
}

// WriteConformHTML writes the self-contained report page of a conformance run: every
// spec with its labels, result, duration, skip reason and failure (whose message
// carries the sign-in steps seen). Specs appear in the report's order.
func WriteConformHTML(w io.Writer, r *ConformReport, opt HTMLOptions) error {
	v := struct {
		R                     *ConformReport
		Start, End, Generated string
		Specs, Failures       []conformSpecView
		Sources               []string
		Props                 [][2]string
	}{R: r, Start: fmtTime(r.Start), End: fmtTime(r.End), Sources: opt.Sources, Props: r.Pool.Properties()}
	if !opt.Generated.IsZero() {
		v.Generated = fmtTime(opt.Generated)
	}
	for i, sp := range r.Specs {
		sv := conformSpecView{sp, fmt.Sprintf("spec-%d", i+1), strings.Join(sp.Labels, " · ")}
		v.Specs = append(v.Specs, sv)
		if sp.Failure != "" {
			v.Failures = append(v.Failures, sv)
		}
	}
	return conformTmpl.Execute(w, v)
}

// JUnit XML, the subset CI tools read.
type conformJUnitSuites struct {
	XMLName  xml.Name            `xml:"testsuites"`
	Name     string              `xml:"name,attr"`
	Tests    int                 `xml:"tests,attr"`
	Failures int                 `xml:"failures,attr"`
	Errors   int                 `xml:"errors,attr"`
	Skipped  int                 `xml:"skipped,attr"`
	Time     string              `xml:"time,attr"`
	Suites   []conformJUnitSuite `xml:"testsuite"`
}

type conformJUnitSuite struct {
	Name       string             `xml:"name,attr"`
	Properties *conformJUnitProps `xml:"properties,omitempty"`
	Tests      int                `xml:"tests,attr"`
	Failures   int                `xml:"failures,attr"`
	Errors     int                `xml:"errors,attr"`
	Skipped    int                `xml:"skipped,attr"`
	Time       string             `xml:"time,attr"`
	Timestamp  string             `xml:"timestamp,attr,omitempty"`
	Cases      []conformJUnitCase `xml:"testcase"`
}

type conformJUnitProps struct {
	Props []conformJUnitProp `xml:"property"`
}

type conformJUnitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// junitProps are the target's JUnit properties, named authbench.<field>; nil when
// the report does not name its target.
func junitProps(t *ConformTarget) *conformJUnitProps {
	ps := t.Properties()
	if len(ps) == 0 {
		return nil
	}
	out := &conformJUnitProps{}
	for _, p := range ps {
		out.Props = append(out.Props, conformJUnitProp{"authbench." + p[0], p[1]})
	}
	return out
}

type conformJUnitCase struct {
	Name      string               `xml:"name,attr"`
	Classname string               `xml:"classname,attr"`
	Status    string               `xml:"status,attr"`
	Time      string               `xml:"time,attr"`
	Skipped   *conformJUnitMessage `xml:"skipped"`
	Failure   *conformJUnitMessage `xml:"failure"`
}

type conformJUnitMessage struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Body    string `xml:",chardata"`
}

func seconds(ms int64) string { return fmt.Sprintf("%.6f", float64(ms)/1000) }

// WriteConformJUnit writes a conformance report as JUnit XML (times as plain
// decimals, seconds): one testcase per spec, a failure with its message, a skip with
// its reason; specs not selected are left out; the suite's properties name the target (authbench.poolId, clientId,
// region, endpoint).
func WriteConformJUnit(w io.Writer, r *ConformReport) error {
	s := conformJUnitSuite{Name: "authbench conformance", Properties: junitProps(r.Pool), Tests: len(r.Specs) - r.NotSelected, Time: fmt.Sprintf("%.6f", r.End.Sub(r.Start).Seconds())}
	if !r.Start.IsZero() {
		s.Timestamp = r.Start.UTC().Format("2006-01-02T15:04:05")
	}
	for _, sp := range r.Specs {
		if sp.State == StateNotSelected {
			continue
		}
		c := conformJUnitCase{Name: sp.Name, Classname: "authbench conformance", Status: sp.State, Time: seconds(sp.DurationMS)}
		switch {
		case sp.Failure != "":
			s.Failures++
			c.Failure = &conformJUnitMessage{Message: firstLine(sp.Failure), Type: sp.State, Body: sp.Failure}
		case sp.SkipReason != "" || sp.State == "skipped" || sp.State == "pending":
			s.Skipped++
			c.Skipped = &conformJUnitMessage{Message: firstLine(sp.SkipReason)}
		}
		s.Cases = append(s.Cases, c)
	}
	all := conformJUnitSuites{Name: "authbench conformance", Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped, Time: s.Time, Suites: []conformJUnitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
