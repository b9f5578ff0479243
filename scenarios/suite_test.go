package scenarios_test

import (
	"context"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/authbench/authbench/scenarios"
)

// TestScenarios runs every conformance spec against the embedded pool, as
// `authbench conform` does with no flags.
func TestScenarios(t *testing.T) {
	RegisterFailHandler(Fail)
	target, err := scenarios.StartEmbedded(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer target.Close(context.Background())
	scenarios.Configure(scenarios.Config{Target: target})
	RunSpecs(t, "authbench conformance (embedded pool)", Label("target:embedded"))
}
