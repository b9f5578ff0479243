package cli

import (
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/reports"
)

type reportFlags struct {
	baseline, html, junit, maxRegression string
	stats, metrics                       []string
}

func newReportCmd(env Env) *cobra.Command {
	var fl reportFlags
	cmd := &cobra.Command{
		Use:   "report DIR | report --baseline OLD NEW",
		Short: "Rebuild a run's HTML report, or compare two bench runs",
		Long: `report DIR rebuilds the self-contained HTML page of a run directory (report.html,
from its summary.json and intervals.hlog for a bench, from its JSON report for a
conform run, which also gets junit.xml). DIR may also name the JSON report itself.

report --baseline OLD NEW prints the per-metric change from the bench run OLD to the
bench run NEW (p50, p90, p99, max, mean in ms and the error rate: old, new, delta),
after a warning for each way the runs differ in target, mode, mix or load.
With --max-regression (e.g. 10%) it gates: exit 99 when one of --stats of one of
--metrics (or the error rate, with --stats errors) grew by more than that.

Exit codes: 0 done (no regression), 2 bad arguments or an unreadable run, 99 a
regression above --max-regression.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fl.baseline != "" {
				return runCompare(env, fl, args[0])
			}
			for _, f := range []string{"max-regression", "stats", "metrics"} {
				if cmd.Flags().Changed(f) {
					return exitcode.Usagef("--%s goes with --baseline", f)
				}
			}
			return reports.RebuildPage(args[0], reports.PageOptions{HTML: fl.html, JUnit: fl.junit, Generated: env.Now(), Stdout: env.Stdout})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.baseline, "baseline", "", "the bench run (directory or summary.json) to compare NEW against")
	f.StringVar(&fl.html, "html", "", "write the page here (default: DIR/report.html)")
	f.StringVar(&fl.junit, "junit", "", "for a conform run, write JUnit XML here (default: DIR/junit.xml)")
	f.StringVar(&fl.maxRegression, "max-regression", "", "with --baseline: exit 99 when a gated statistic grew by more than this, e.g. 10%")
	f.StringSliceVar(&fl.stats, "stats", []string{"p99"}, "with --baseline: the statistics gated: p50, p90, p95, p99, p99.9, max, mean, errors")
	f.StringSliceVar(&fl.metrics, "metrics", []string{"signin.latency"}, "with --baseline: the metrics gated")
	return cmd
}

// parseRegressionPercent reads "10%" or "10" as 10.
func parseRegressionPercent(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(s), "%"), 64)
	if err != nil || v < 0 {
		return 0, exitcode.Usagef("--max-regression %q: want a non-negative percentage such as 10%%", s)
	}
	return v, nil
}

// runCompare checks the comparison flags and compares the runs.
func runCompare(env Env, fl reportFlags, newPath string) error {
	if fl.html != "" || fl.junit != "" {
		return exitcode.Usagef("--html and --junit do not go with --baseline")
	}
	opt := reports.CompareOptions{MaxRegression: -1, Stats: fl.stats, Metrics: fl.metrics}
	if fl.maxRegression != "" {
		v, err := parseRegressionPercent(fl.maxRegression)
		if err != nil {
			return err
		}
		opt.MaxRegression = v
	}
	for _, s := range fl.stats {
		if !reports.ValidStat(s) {
			return exitcode.Usagef("--stats %q: want p50, p90, p95, p99, p99.9, max, mean or errors", s)
		}
	}
	return reports.CompareRuns(env.Stdout, fl.baseline, newPath, opt)
}
