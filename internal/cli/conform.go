package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"
	"github.com/onsi/ginkgo/v2/types"
	"github.com/onsi/gomega"
	"github.com/spf13/cobra"

	"github.com/authbench/authbench/driver"
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

Specs that --label-filter or --focus leave out are "not selected", counted apart from
the skipped ones and left out of the JUnit report. The JSON, HTML and JUnit reports name
the pool id, client id, region and endpoint tested (never the secret).

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

// suiteName is the Ginkgo suite's description (which --focus expressions also see).
const suiteName = "authbench conformance"

// conformT is the GinkgoTestingT of an in-process run.
type conformT struct{ failed bool }

func (t *conformT) Fail() { t.failed = true }

func runConform(ctx context.Context, env Env, fl conformFlags) error {
	if (fl.poolID == "") != (fl.clientID == "") {
		return exitcode.Usagef("--pool-id and --client-id go together")
	}
	if fl.labelFilter != "" {
		if _, err := types.ParseLabelFilter(fl.labelFilter); err != nil {
			// Ginkgo's message is the filter, coloured at the fault, then the reason
			// on the next line: report the reason, on one line.
			var ge types.GinkgoError
			if errors.As(err, &ge) {
				_, reason, _ := strings.Cut(ge.Message, "\n")
				if reason = strings.Join(strings.Fields(reason), " "); reason == "" {
					reason = ge.Heading
				}
				return exitcode.Usagef("--label-filter %q: %s", fl.labelFilter, reason)
			}
			return exitcode.Usagef("--label-filter %q: %s", fl.labelFilter, strings.Join(strings.Fields(err.Error()), " "))
		}
	}
	// Ginkgo compiles --focus with regexp.MustCompile and panics on a bad one: check
	// each expression first.
	for _, re := range fl.focus {
		if _, err := regexp.Compile(re); err != nil {
			return exitcode.Usagef("--focus %q: %v", re, err)
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
	case fl.endpoint != "" && driver.IsLoopback(fl.endpoint):
		// An authbench pool on this machine: its outbox has every SMS and email code.
		// It is read with the Admin calls' credentials: a pool that requires signed
		// requests serves its outbox only to its access key.
		ob, err := driver.LoopbackOutbox(ctx, fl.endpoint, fl.poolID, fl.region)
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		if ob != nil {
			defer ob.CloseIdleConnections()
			codes = ob
		}
	}
	targetLabel := "target:embedded"
	tested := testedTarget(fl)
	if fl.poolID == "" {
		e, err := scenarios.StartEmbedded(ctx)
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		target, tested.Endpoint = e, e.Endpoint()
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
	// Ginkgo's progress goes to stderr, without a mark per skipped or unselected
	// spec (the summary on stdout lists the skips with their reasons); a listing
	// has no progress to show.
	rep.SilenceSkips = true
	formatter.ColorableStdOut = env.Stderr
	if fl.list {
		formatter.ColorableStdOut = io.Discard
	}
	t := &conformT{}
	gomega.RegisterFailHandler(ginkgo.Fail)
	ginkgo.RunSpecs(t, suiteName, ginkgo.Label(targetLabel), suite, rep)
	if report == nil {
		return fmt.Errorf("conform: the suite produced no report")
	}
	sel := reports.Selection{Description: suiteName, LabelFilter: fl.labelFilter, Focus: fl.focus, SuiteLabels: []string{targetLabel}}
	if fl.junit != "" {
		selected, err := reports.SelectedOnly(*report, sel)
		if err != nil {
			return exitcode.Wrap(exitcode.Usage, err)
		}
		if err := reports.WriteGinkgoJUnit(fl.junit, selected, tested); err != nil {
			return err
		}
	}
	sum := reports.ConformFromGinkgo(*report, target.Name())
	sum.Pool = tested
	if err := sum.ApplySelection(sel); err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	if fl.jsonOut != "" {
		if err := sum.WriteJSONFile(fl.jsonOut); err != nil {
			return err
		}
	}
	if fl.htmlOut != "" {
		if err := sum.WriteHTMLFile(fl.htmlOut); err != nil {
			return err
		}
	}
	if err := reports.WriteConformText(env.Stdout, sum, fl.list, scenarios.WouldRun); err != nil {
		return err
	}
	if t.failed || sum.Failed > 0 {
		return exitcode.Wrap(exitcode.ConformanceFailed, fmt.Errorf("%d of %d specs failed", sum.Failed, sum.Ran()))
	}
	return nil
}

// testedTarget names what a conform run tests, for its reports: the pool and client
// ids, the region (given or the pool id's) and the endpoint (given, or AWS's for the
// region). The embedded pool creates a pool per spec; its endpoint is filled in once
// it has started. The client secret is never part of it.
func testedTarget(fl conformFlags) *reports.ConformTarget {
	if fl.poolID == "" {
		return &reports.ConformTarget{PoolID: "embedded (a pool per spec)", Region: "us-east-1"}
	}
	t := &reports.ConformTarget{PoolID: fl.poolID, ClientID: fl.clientID, Region: fl.region, Endpoint: fl.endpoint}
	if t.Region == "" {
		t.Region = driver.RegionOf(fl.poolID)
	}
	if t.Endpoint == "" && t.Region != "" {
		t.Endpoint = "https://cognito-idp." + t.Region + ".amazonaws.com"
	}
	return t
}
