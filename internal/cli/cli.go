// Package cli is authbench's command tree (cobra). main builds an [Env] from the
// process and calls [Run]; everything a command touches of the outside world (streams,
// environment, clock, randomness, signals) comes through Env, so tests run the real
// commands in-process and read their output and exit code.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/reports"
)

// Env is the outside world as the commands see it.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// Random is the source of secrets (crypto/rand.Reader in production).
	Random io.Reader
}

// Run executes the command line args (without the program name) and returns the exit
// code. Errors are printed to Stderr as one line.
func Run(ctx context.Context, env Env, args []string) int {
	reached := false
	root := newRoot(env, &reached)
	root.SetArgs(args)
	root.SetIn(env.Stdin)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitcode.OK
	}
	code := exitcode.Of(err, errorKinds()...)
	if !reached && code == exitcode.Failure {
		// cobra failed before any command ran: an unknown command, a bad flag or a
		// wrong number of arguments.
		code = exitcode.Usage
	}
	if code == exitcode.Interrupted && errors.Is(err, context.Canceled) {
		fmt.Fprintln(env.Stderr, "authbench: interrupted")
		return code
	}
	fmt.Fprintln(env.Stderr, "authbench: "+firstLine(err.Error()))
	return code
}

// errorKinds maps the library packages' kinds of error to exit codes: a bench plan,
// target or merge or a run directory the user has to fix is a usage error, missing
// shards an incomplete merge, failed thresholds or a regression gate a breach.
func errorKinds() []exitcode.Kind {
	return []exitcode.Kind{
		exitcode.Is(bench.ErrInvalid, exitcode.Usage),
		exitcode.Is(bench.ErrIncomplete, exitcode.IncompleteMerge),
		exitcode.Is(reports.ErrInvalid, exitcode.Usage),
		exitcode.Is(reports.ErrBreached, exitcode.ThresholdsBreached),
	}
}

// firstLine is s's first line, without surrounding space: errors are printed as one
// line.
func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func newRoot(env Env, reached *bool) *cobra.Command {
	root := &cobra.Command{
		Use:   "authbench",
		Short: "Conformance and load testing for Amazon Cognito user-pool sign-in",
		Long: `authbench drives Amazon Cognito user-pool sign-in exactly as Amplify's signIn /
confirmSignIn does, asserts every nextStep branch, and loads a pool with concurrent SRP
sign-ins while measuring where the time goes.

Exit codes: 0 success, 1 unexpected error, 2 usage or invalid config, 3 conformance
failure, 4 incomplete merge, 99 thresholds breached, 130 interrupted.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRun: func(*cobra.Command, []string) {
			*reached = true
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return exitcode.Usagef("unknown command %q for \"authbench\"", args[0])
			}
			return cmd.Help()
		},
	}
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return exitcode.Usagef("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(newVersionCmd(env), newSRPCmd(env), newEmulateCmd(env), newSigninCmd(env), newConformCmd(env), newK8sJobCmd(env))
	// bench: the load engine (issue 7), defined in bench.go.
	root.AddCommand(newBenchCmd(env))
	root.AddCommand(newReportCmd(env)) // report: rebuild a run's HTML (and JUnit), compare two bench runs (issue 8), in report.go
	// merge: merges a sharded bench's artifacts (issue 8), defined in merge.go.
	root.AddCommand(newMergeCmd(env))
	root.Example = setExamples(root)
	return root
}

// examples holds one example per command, by command path without the program name,
// in the order the root's help lists them (the README's synopsis has the same). They
// are set here, in one place, so the root's help and every command's agree.
var examples = [][2]string{
	{"conform", "authbench conform --html report.html --junit junit.xml   # the embedded pool; --pool-id/--client-id for a live one"},
	{"bench", "authbench bench --rate 100/s --duration 1m --mix srp=80,totp=20 --out run1 --threshold 'signin.latency: p(99) < 800ms'"},
	{"bench provision", "authbench bench provision --users 1000 --mix srp,totp --pool-id us-east-1_… --client-id … --out users.json"},
	{"report", "authbench report run1   # or: authbench report --baseline run0 run1 --max-regression 10%"},
	{"merge", "authbench merge run/ --out run/merged --threshold 'signin.errors: rate < 0.01'"},
	{"k8s-job", "authbench k8s-job --shards 4 --image registry.example/authbench:v1 -- --rate 800/s --duration 10m … | kubectl apply -f -"},
	{"emulate", "authbench emulate --fixture fixtures/mfa.yaml --state /tmp/pool.json"},
	{"signin", "authbench signin --username confirmed --password Confirmed-Passw0rd   # the embedded pool, fixtures/pool.yaml"},
	{"srp bench", "authbench srp bench --duration 5s   # prints the SRP sign-ins per second per core"},
	{"srp vectors", "authbench srp vectors fixtures/srp-vectors.json"},
	{"version", "authbench version --json"},
}

// setExamples gives every command of the tree its example and returns the root's:
// all of them, one a line, indented as cobra indents examples.
func setExamples(root *cobra.Command) string {
	var all []string
	for _, e := range examples {
		c, _, err := root.Find(strings.Fields(e[0]))
		if err != nil || c == root {
			continue
		}
		c.Example = "  " + e[1]
		all = append(all, "  "+e[1])
	}
	// A group that only prints its help (srp) shows its subcommands' examples.
	for _, c := range root.Commands() {
		if c.Example == "" && c.HasSubCommands() {
			var sub []string
			for _, s := range c.Commands() {
				if s.Example != "" {
					sub = append(sub, s.Example)
				}
			}
			c.Example = strings.Join(sub, "\n")
		}
	}
	return strings.Join(all, "\n")
}

// usageArgs wraps a cobra argument validator so its errors are usage errors.
func usageArgs(v cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := v(cmd, args); err != nil {
			return exitcode.Usagef("%v (see '%s --help')", err, cmd.CommandPath())
		}
		return nil
	}
}
