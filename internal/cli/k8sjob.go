package cli

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/internal/exitcode"
)

func newK8sJobCmd(env Env) *cobra.Command {
	var o bench.K8sJobOptions
	var lead time.Duration
	cmd := &cobra.Command{
		Use:   "k8s-job --shards N --image IMAGE [flags] -- [bench flags]",
		Short: "Print a Kubernetes Indexed Job that runs a bench in shards, and its merge Job",
		Long: `k8s-job prints two batch/v1 Jobs as YAML: an Indexed Job of N pods (completionMode
Indexed, parallelism = completions = N, backoffLimitPerIndex 0, restartPolicy Never) each
running "authbench bench --shard $JOB_COMPLETION_INDEX --shards N --start-at T" with the
bench flags given after "--" and writing its artifacts to a shared volume, and a Job that
runs "authbench merge" over the shards' artifacts once they are done. T is the common
start time, --lead after now, so that every shard starts together.

  authbench k8s-job --shards 4 --image registry.example/authbench:v1 -- \
      --rate 800/s --duration 10m --pool-id us-east-1_… --client-id … --users-file /users/users.json \
      | kubectl apply -f -

The client secret, if any, comes from the Kubernetes Secret named by --secret (key
client-secret) as AUTHBENCH_CLIENT_SECRET; the artifacts volume is the
PersistentVolumeClaim --pvc (ReadWriteMany).

The Jobs are named after the run (--name, default authbench-<run id>: the start time
and the hash of the bench flags, as the shards' summaries will say), so applying the
next run creates new Jobs instead of failing on the last run's immutable pod template.
A --config file among the bench flags is read in the pods, not here: its settings are
not in the name's hash.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Start, o.BenchArgs = env.Now().Add(lead).UTC().Truncate(time.Second), args
			if o.Name == "" {
				id, err := shardRunID(env, o)
				if err != nil {
					return err
				}
				o.RunID = id
			}
			docs, err := bench.K8sJobs(o)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(env.Stdout, docs)
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.Shards, "shards", 0, "number of shards (pods)")
	f.StringVar(&o.Image, "image", "", "container image with the authbench binary")
	f.StringVar(&o.Name, "name", "", "name of the Job, a DNS-1123 label (the merge Job gets -merge); default authbench-<run id>")
	f.StringVar(&o.Namespace, "namespace", "", "namespace (default: kubectl's)")
	f.StringVar(&o.PVC, "pvc", "authbench-artifacts", "PersistentVolumeClaim for the artifacts")
	f.StringVar(&o.Artifacts, "artifacts", "/artifacts", "where the volume is mounted")
	f.StringVar(&o.Secret, "secret", "", "Secret holding the app client secret (key client-secret)")
	f.StringVar(&o.CPU, "cpu", "2", "CPU request and limit of each shard")
	f.StringVar(&o.Memory, "memory", "1Gi", "memory request and limit of each shard")
	f.DurationVar(&lead, "lead", 2*time.Minute, "time from now to the common start")
	return cmd
}

// shardRunID is the run id the shards of o will write: the bench flags parsed as a
// shard parses them, hashed as bench hashes them (configHash), with the start time.
// Bench flags that do not parse are a usage error now rather than in every pod.
func shardRunID(env Env, o bench.K8sJobOptions) (string, error) {
	bc := newBenchCmd(env)
	args := append([]string{"--shards", strconv.Itoa(o.Shards), "--start-at", o.Start.Format(time.RFC3339)}, o.BenchArgs...)
	if err := bc.ParseFlags(args); err != nil {
		return "", exitcode.Usagef("bench flags: %v", err)
	}
	if rest := bc.Flags().Args(); len(rest) > 0 {
		return "", exitcode.Usagef("bench flags: unexpected argument %q", rest[0])
	}
	return bench.RunID(o.Start, configHash(bc.Flags())), nil
}
