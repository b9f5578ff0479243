package cli

import (
	"html/template"
	"os"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// conformPage is a self-contained HTML page of a conformance run: no script, no
// external resources, so it opens from a CI artifact offline.
var conformPage = template.Must(template.New("conform").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>authbench conformance — {{.Target}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #ddd;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}.passed{color:#176f2c}.failed,.panicked,.timedout{color:#b00020;font-weight:600}
.skipped{color:#777}.labels{color:#555;font-size:.85em}pre{white-space:pre-wrap;margin:.3em 0 0;font-size:.85em}
.summary span{margin-right:1.5em}
</style></head><body>
<h1>authbench conformance — {{.Target}} pool</h1>
<p class="summary"><span class="passed">{{.Passed}} passed</span><span class="failed">{{.Failed}} failed</span><span class="skipped">{{.Skipped}} skipped</span><span>{{.Start}} – {{.End}}</span></p>
<table><thead><tr><th>Spec</th><th>Result</th><th>Time</th></tr></thead><tbody>
{{range .Specs}}<tr><td>{{.Name}}<div class="labels">{{.LabelText}}</div>{{if .Failure}}<pre>{{.Failure}}</pre>{{end}}{{if .SkipReason}}<pre>{{.SkipReason}}</pre>{{end}}</td>
<td class="{{.State}}">{{.State}}</td><td>{{.DurationMS}} ms</td></tr>
{{end}}</tbody></table></body></html>
`))

type htmlSpec struct {
	specResult
	LabelText string
}

func writeConformHTML(path string, r types.Report, target string) error {
	s := summarize(r)
	specs := make([]htmlSpec, len(s.Specs))
	for i, sp := range s.Specs {
		specs[i] = htmlSpec{sp, strings.Join(sp.Labels, " · ")}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = conformPage.Execute(f, map[string]any{
		"Target": target, "Passed": s.Passed, "Failed": s.Failed, "Skipped": s.Skipped,
		"Start": r.StartTime.UTC().Format("2006-01-02 15:04:05 UTC"), "End": r.EndTime.UTC().Format("15:04:05 UTC"), "Specs": specs,
	})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
