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
	var b bytes.Buffer
	if err := reports.WriteConformHTML(&b, conformReport(r, target), reports.HTMLOptions{}); err != nil {
		return err
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}
