package cli

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/reports"
)

// ThresholdsJUnitFile is the JUnit report of the thresholds, in --out.
const ThresholdsJUnitFile = reports.ThresholdsJUnitFile

// shardLocalFlags are the bench flags shards may set differently: the shard index,
// where its own outputs go, how it shows progress, where it serves or pushes live
// metrics, and the config file that may have set the others (their values are
// hashed). Every other flag is hashed into the config hash that merge checks.
var shardLocalFlags = map[string]bool{"shard": true, "out": true, "ndjson": true, "status-every": true, "config": true,
	"metrics-addr": true, "metrics-allow-remote": true, "otlp-endpoint": true, "otlp-interval": true}

// configHash hashes the name and value of every flag (set or defaulted) but the
// shard-local ones, sorted by name (VisitAll's order).
func configHash(fs *pflag.FlagSet) string {
	h := sha256.New()
	fs.VisitAll(func(f *pflag.Flag) {
		if shardLocalFlags[f.Name] || f.Name == "help" {
			return
		}
		fmt.Fprintf(h, "%s=%q\n", f.Name, f.Value.String())
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func newMergeCmd(env Env) *cobra.Command {
	var o bench.MergeOptions
	cmd := &cobra.Command{
		Use:   "merge [flags] DIR...",
		Short: "Merge the artifacts of a sharded bench into one run's summary",
		Long: `merge reads the artifact directories of a sharded bench (each DIR a shard's --out,
or a directory holding shard-* directories), checks that every shard 0..n-1 is there
once and that they all belong to one run (run id, config hash, histogram settings),
merges their histograms per metric and per interval of absolute time, sums their
counters (and their pacers' spin CPU), recomputes rates over the union of their
windows, checks the thresholds (the shards' own --threshold flags and merge's), and
writes summary.json, intervals.hlog, intervals.ndjson, report.html and
thresholds.junit.xml into --out as for a single run.

The shards' interval logs are streamed, interval by interval in time order, not
loaded: merging the shards of an hours-long run takes as little memory as merging a
short one.

Exit codes: 2 shards of different runs or settings, 4 shards missing (unless
--allow-partial, which labels the summary partial), 99 a threshold breached.`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Out == "" {
				return exitcode.Usagef("--out is required")
			}
			if o.Wait && o.Shards < 1 {
				return exitcode.Usagef("--wait needs --shards (how many shards to wait for)")
			}
			if o.Shards < 0 || o.Timeout <= 0 || o.Poll <= 0 {
				return exitcode.Usagef("--shards must not be negative, --timeout and --poll must be positive")
			}
			o.Dirs, o.Stdout, o.Now = args, env.Stdout, env.Now
			return bench.MergeShards(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Out, "out", "", "directory for the merged summary.json, intervals.hlog, intervals.ndjson, report.html and thresholds.junit.xml (required)")
	f.IntVar(&o.Shards, "shards", 0, "the number of shards to expect (default: as the shards say)")
	f.BoolVar(&o.Wait, "wait", false, "wait until every shard's artifacts exist (needs --shards; bounded by --timeout)")
	f.DurationVar(&o.Timeout, "timeout", 30*time.Minute, "with --wait, how long to wait for the shards")
	f.DurationVar(&o.Poll, "poll", time.Second, "with --wait, how often to look")
	f.BoolVar(&o.AllowPartial, "allow-partial", false, "merge what is there when shards are missing, labelled partial")
	f.StringArrayVar(&o.Thresholds, "threshold", nil, "a threshold checked on the merged data, as for bench; repeatable")
	return cmd
}
