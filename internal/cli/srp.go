package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/internal/srpbench"
	"github.com/authbench/authbench/internal/srpvectors"
)

func newSRPCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "srp",
		Short: "Measure and check the SRP core",
		Args:  usageArgs(cobra.NoArgs),
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newSRPBenchCmd(env), newSRPVectorsCmd(env))
	return cmd
}

func newSRPBenchCmd(env Env) *cobra.Command {
	var (
		duration time.Duration
		workers  int
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "How many SRP sign-ins per second (per core) this machine computes, client and server",
		Long: `bench computes complete SRP sign-ins in a loop: on the client side a fresh secret a,
SRP_A and the PASSWORD_VERIFIER response; on the server side SRP_B from a stored
verifier and the check of a client's signature. Each side runs for --duration on
--workers goroutines. Rates are given per wall-clock second with all workers and per
CPU-second ("per core"), which is the number to size load generators with.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if duration <= 0 {
				return exitcode.Usagef("--duration must be positive, got %s", duration)
			}
			if workers < 0 {
				return exitcode.Usagef("--workers must be ≥ 0, got %d", workers)
			}
			res, err := srpbench.Run(cmd.Context(), srpbench.Options{Duration: duration, Workers: workers, Random: env.Random})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
				fmt.Fprintf(tw, "side\tsign-ins\tper second\tper core-second\tCPU per sign-in\t\n")
				for _, s := range []struct {
					name string
					side srpbench.Side
				}{{"client", res.Client}, {"server", res.Server}} {
					fmt.Fprintf(tw, "%s\t%d\t%.1f\t%.1f\t%.2f ms\t\n", s.name, s.side.Ops, s.side.PerSecond, s.side.PerCoreSecond, s.side.MeanCPUMicros/1000)
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "%d workers on %d CPUs (%s, %s engine)\n", res.Workers, res.CPUs, res.GoArch, res.Engine)
			}
			return cmd.Context().Err()
		},
	}
	cmd.Flags().DurationVar(&duration, "duration", 5*time.Second, "how long to measure each side")
	cmd.Flags().IntVar(&workers, "workers", 0, "goroutines per side (0: one per CPU)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}

func newSRPVectorsCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "vectors FILE",
		Short: "Check an SRP known-answer vector file against authbench's SRP",
		Long: `vectors reads a vector file (the format of fixtures/srp-vectors.json), recomputes every
value of every vector (client: SRP_A, u, x, S, K, signature; server: verifier, SRP_B,
verification) and prints what matches. It exits 3 when a value differs.`,
		Args: usageArgs(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return exitcode.Wrap(exitcode.Usage, err)
			}
			defer f.Close()
			file, err := srpvectors.Load(f)
			if err != nil {
				return exitcode.Wrap(exitcode.Usage, fmt.Errorf("%s: %w", args[0], err))
			}
			failed := 0
			for _, c := range file.CheckGroup() {
				failed += printCheck(env, "group", c)
			}
			for i := range file.Vectors {
				r := file.Vectors[i].Run()
				bad := 0
				for _, c := range r.Checks {
					if !c.OK {
						bad++
					}
				}
				status := "ok  "
				if !r.OK() {
					status = "FAIL"
				}
				fmt.Fprintf(env.Stdout, "%s %s (%d/%d values match)\n", status, r.Name, len(r.Checks)-bad, len(r.Checks))
				for _, c := range r.Checks {
					if !c.OK {
						fmt.Fprintf(env.Stdout, "       %s: %s\n", c.Value, c.Detail)
					}
				}
				if !r.OK() {
					failed++
				}
			}
			if failed > 0 {
				return exitcode.Wrap(exitcode.ConformanceFailed, fmt.Errorf("%d of %d vectors differ", failed, len(file.Vectors)))
			}
			fmt.Fprintf(env.Stdout, "all %d vectors match\n", len(file.Vectors))
			return nil
		},
	}
	return cmd
}

func printCheck(env Env, scope string, c srpvectors.Check) int {
	if c.OK {
		fmt.Fprintf(env.Stdout, "ok   %s %s\n", scope, c.Value)
		return 0
	}
	fmt.Fprintf(env.Stdout, "FAIL %s %s: %s\n", scope, c.Value, c.Detail)
	return 1
}
