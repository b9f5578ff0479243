package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"
	"github.com/spf13/cobra"

	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/mfa"
	"github.com/authbench/authbench/reports"
	"github.com/authbench/authbench/scenarios"
)

type conformFlags struct {
	poolID, clientID, secretFile, region, endpoint string
	labelFilter, junit, jsonOut, htmlOut           string
	focus, codeCommand                             []string
	list, cleanup, promptCodes                     bool
	timeout                                        time.Duration
}

func newConformCmd(env Env) *cobra.Command {
	var fl conformFlags
	cmd := &cobra.Command{
		Use:   "conform [flags]",
		Short: "Run the conformance suite: every sign-in branch, asserted",
		Long: `conform runs authbench's conformance specs: every Amplify nextStep branch the target
pool can produce is driven through the driver (in both the Flutter and the JS dialect)
and asserted; branches the pool cannot produce are skipped with the reason.

With no flags the target is the embedded pool (started in-process); --pool-id and
--client-id (and the default AWS credential chain, for the Admin calls that provision
test users named ` + scenarios.UserPrefix + `…) select a live pool; --endpoint any
Cognito-compatible server. The client secret comes from AUTHBENCH_CLIENT_SECRET or
--client-secret-file.

Exit codes: 0 all specs that ran passed, 3 a spec failed, 2 bad flags or an
unreachable target.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runConform(cmd.Context(), env, fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.poolID, "pool-id", "", "live pool id (default: the embedded pool)")
	f.StringVar(&fl.clientID, "client-id", "", "live pool's app client id")
	f.StringVar(&fl.secretFile, "client-secret-file", "", "file holding the app client secret (or AUTHBENCH_CLIENT_SECRET)")
	f.StringVar(&fl.region, "region", "", "region (default: from the pool id)")
	f.StringVar(&fl.endpoint, "endpoint", "", "Cognito endpoint URL for a non-AWS server")
	f.StringVar(&fl.labelFilter, "label-filter", "", "run only specs matching this Ginkgo label filter, e.g. 'flow:USER_SRP_AUTH && !dialect:js'")
	f.StringArrayVar(&fl.focus, "focus", nil, "run only specs whose text matches this regular expression (repeatable)")
	f.BoolVar(&fl.list, "list", false, "list the specs that would run, without running them")
	f.StringVar(&fl.junit, "junit", "", "write a JUnit XML report to this file")
	f.StringVar(&fl.jsonOut, "json", "", "write a JSON report to this file")
	f.StringVar(&fl.htmlOut, "html", "", "write a self-contained HTML report to this file")
	f.BoolVar(&fl.cleanup, "cleanup", false, "remove the test users earlier runs left in the live pool, then exit")
	f.StringArrayVar(&fl.codeCommand, "code-command", nil, "program (and arguments, one flag each) printing SMS/email codes of a live pool")
	f.BoolVar(&fl.promptCodes, "prompt-codes", false, "ask for SMS/email codes of a live pool on the terminal")
	f.DurationVar(&fl.timeout, "timeout", 30*time.Minute, "give up after this long")
	return cmd
}

// ansi matches terminal colour escapes, which Ginkgo puts in its error messages.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

// conformT is the GinkgoTestingT of an in-process run.
type conformT struct{ failed bool }

func (t *conformT) Fail() { t.failed = true }

func runConform(ctx context.Context, env Env, fl conformFlags) error {
	if (fl.poolID == "") != (fl.clientID == "") {
		return exitcode.Usagef("--pool-id and --client-id go together")
	}
	if fl.labelFilter != "" {
		if _, err := types.ParseLabelFilter(fl.labelFilter); err != nil {
			return exitcode.Usagef("--label-filter: %s", ansi.ReplaceAllString(err.Error(), ""))
		}
	}
	ctx, cancel := context.WithTimeout(ctx, fl.timeout)
	defer cancel()

	var target scenarios.Target
	var codes mfa.Source
	switch {
	case len(fl.codeCommand) > 0 && fl.promptCodes:
		return exitcode.Usagef("--code-command and --prompt-codes are exclusive")
	case len(fl.codeCommand) > 0:
		codes = &mfa.Command{Args: fl.codeCommand}
	case fl.promptCodes:
		codes = mfa.NewPrompt(env.Stdin, env.Stderr)
	}
	targetLabel := "target:embedded"
	if fl.poolID == "" {
		e, err := scenarios.StartEmbedded(ctx)
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		target = e
	} else {
		secret := env.Getenv("AUTHBENCH_CLIENT_SECRET")
		if fl.secretFile != "" {
			b, err := os.ReadFile(fl.secretFile)
			if err != nil {
				return exitcode.Wrap(exitcode.Usage, err)
			}
			secret = strings.TrimSpace(string(b))
		}
		l, err := scenarios.OpenLive(ctx, scenarios.LiveOptions{PoolID: fl.poolID, ClientID: fl.clientID, ClientSecret: secret, Region: fl.region, Endpoint: fl.endpoint, Codes: codes})
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		target, targetLabel = l, "target:live"
		if fl.cleanup {
			admin, pool := l.Admin()
			n, err := scenarios.Cleanup(ctx, admin, pool)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "removed %d users named %s… from %s\n", n, scenarios.UserPrefix, pool)
			return nil
		}
	}
	if fl.cleanup && fl.poolID == "" {
		fmt.Fprintln(env.Stdout, "the embedded pool starts empty: nothing to clean up")
		return nil
	}
	defer target.Close(context.WithoutCancel(ctx))

	var report *types.Report
	scenarios.Configure(scenarios.Config{Target: target, Codes: codes, ListOnly: fl.list, OnReport: func(r types.Report) { report = &r }})
	suite, rep := ginkgo.GinkgoConfiguration()
	suite.LabelFilter = fl.labelFilter
	suite.FocusStrings = fl.focus
	suite.Timeout = fl.timeout
	rep.NoColor = true
	rep.Succinct = true
	// Ginkgo's progress goes to stderr; stdout carries the summary.
	formatter.ColorableStdOut = env.Stderr
	t := &conformT{}
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, "authbench conformance", ginkgo.Label(targetLabel), suite, rep)
	if report == nil {
		return fmt.Errorf("conform: the suite produced no report")
	}
	if fl.junit != "" {
		if err := writeJUnit(fl.junit, *report); err != nil {
			return err
		}
	}
	if fl.jsonOut != "" {
		if err := writeConformJSON(fl.jsonOut, *report, target.Name()); err != nil {
			return err
		}
	}
	if fl.htmlOut != "" {
		if err := writeConformHTML(fl.htmlOut, *report, target.Name()); err != nil {
			return err
		}
	}
	sum := summarize(*report)
	printConformSummary(env, sum, fl.list)
	if t.failed || sum.Failed > 0 {
		return exitcode.Wrap(exitcode.ConformanceFailed, fmt.Errorf("%d of %d specs failed", sum.Failed, sum.Ran))
	}
	return nil
}

// specResult is one spec in the JSON report.
type specResult = reports.ConformSpec

type conformSummary struct {
	Ran, Passed, Failed, Skipped int
	Specs                        []specResult
}

func summarize(r types.Report) conformSummary {
	var s conformSummary
	for _, sp := range r.SpecReports {
		if sp.LeafNodeType != types.NodeTypeIt {
			continue
		}
		res := specResult{
			Name:       sp.FullText(),
			Labels:     sp.Labels(),
			State:      sp.State.String(),
			DurationMS: sp.RunTime.Milliseconds(),
			Location:   sp.LeafNodeLocation.String(),
		}
		switch {
		case sp.State.Is(types.SpecStateSkipped | types.SpecStatePending):
			s.Skipped++
			res.SkipReason = sp.Failure.Message
		case sp.State.Is(types.SpecStateFailureStates):
			s.Ran++
			s.Failed++
			res.Failure = sp.Failure.Message
		default:
			s.Ran++
			s.Passed++
		}
		s.Specs = append(s.Specs, res)
	}
	sort.Slice(s.Specs, func(i, j int) bool { return s.Specs[i].Name < s.Specs[j].Name })
	return s
}

// conformReport is the JSON report of a conformance run (reports.ConformReport, schema
// authbench.report/v1, kind "conform"); the HTML page and `authbench report` read it.
func conformReport(r types.Report, target string) *reports.ConformReport {
	s := summarize(r)
	return &reports.ConformReport{Schema: reports.Schema, Kind: "conform", Target: target, Start: r.StartTime.UTC(), End: r.EndTime.UTC(),
		Passed: s.Passed, Failed: s.Failed, Skipped: s.Skipped, Specs: s.Specs}
}

func writeConformJSON(path string, r types.Report, target string) error {
	b, err := json.MarshalIndent(conformReport(r, target), "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func printConformSummary(env Env, s conformSummary, list bool) {
	fmt.Fprintln(env.Stdout) // Ginkgo's succinct progress line ends without one
	if list {
		run, skip := 0, 0
		for _, sp := range s.Specs {
			switch {
			case sp.SkipReason == scenarios.WouldRun:
				run++
				fmt.Fprintf(env.Stdout, "run  %s  [%s]\n", sp.Name, strings.Join(sp.Labels, ", "))
			case sp.SkipReason != "":
				skip++
				fmt.Fprintf(env.Stdout, "skip %s: %s\n", sp.Name, firstLine(sp.SkipReason))
			}
		}
		fmt.Fprintf(env.Stdout, "%d specs would run, %d would be skipped\n", run, skip)
		return
	}
	for _, sp := range s.Specs {
		switch {
		case sp.Failure != "":
			fmt.Fprintf(env.Stdout, "FAIL %s\n     %s\n", sp.Name, firstLine(sp.Failure))
		case sp.SkipReason != "":
			fmt.Fprintf(env.Stdout, "skip %s: %s\n", sp.Name, firstLine(sp.SkipReason))
		}
	}
	fmt.Fprintf(env.Stdout, "%d passed, %d failed, %d skipped\n", s.Passed, s.Failed, s.Skipped)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// junitTime matches the time attributes of Ginkgo's JUnit report, which it writes with
// Go's shortest float format (4.2e-05 for a very short spec): not an xs:decimal, which
// CI tools' JUnit parsers expect.
var junitTime = regexp.MustCompile(`time="([0-9.eE+-]+)"`)

// writeJUnit writes Ginkgo's JUnit report with every time as a plain decimal.
func writeJUnit(path string, r types.Report) error {
	if err := reporters.GenerateJUnitReport(r, path); err != nil {
		return err
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
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
