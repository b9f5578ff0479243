package cli

import (
	"bytes"
	"os"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/authbench/authbench/reports"
)

// writeConformHTML writes the self-contained HTML page of a conformance run (built by
// reports, which `authbench report` also uses to rebuild it from the JSON report).
func writeConformHTML(path string, r types.Report, target string) error {
	s := summarize(r)
	rep := &reports.ConformReport{Schema: reports.Schema, Kind: "conform", Target: target, Start: r.StartTime.UTC(), End: r.EndTime.UTC(),
		Passed: s.Passed, Failed: s.Failed, Skipped: s.Skipped}
	for _, sp := range s.Specs {
		rep.Specs = append(rep.Specs, reports.ConformSpec(sp))
	}
	var b bytes.Buffer
	if err := reports.WriteConformHTML(&b, rep, reports.HTMLOptions{}); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
