package scenarios

import (
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// The suite's report goes to Config.OnReport once every spec has run (Ginkgo's
// ReportAfterSuite), for the runner to write JUnit, JSON and HTML.
var _ = ginkgo.ReportAfterSuite("authbench conformance report", func(r types.Report) {
	cfgMu.Lock()
	c := cfg
	cfgMu.Unlock()
	if c != nil && c.OnReport != nil {
		c.OnReport(r)
	}
})
