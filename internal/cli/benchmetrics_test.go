package cli

import (
	"regexp"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestBenchMetricsFlags checks the live-metrics flags: a non-loopback --metrics-addr
// without --metrics-allow-remote and a malformed --otlp-endpoint are one-line usage
// errors before any work, and a run with --metrics-addr names its endpoint.
func TestBenchMetricsFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--metrics-addr", "0.0.0.0:9464"}, "--metrics-allow-remote"},
		{[]string{"--metrics-addr", "9464"}, "want host:port"},
		{[]string{"--otlp-endpoint", "127.0.0.1:4318"}, "want an http(s)://host:port URL"},
	} {
		args := append([]string{"bench", "--rate", "10/s", "--iterations", "1"}, tc.args...)
		code, stdout, stderr := run(t, args...)
		if code != exitcode.Usage || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tc.want) || stdout != "" {
			t.Errorf("%v: exit %d, stderr %q, stdout %q; want exit %d and one line naming %q", tc.args, code, stderr, stdout, exitcode.Usage, tc.want)
		}
	}
	code, stdout, stderr := run(t, "bench", "--rate", "50/s", "--iterations", "5", "--mix", "password", "--users-per-flow", "4",
		"--metrics-addr", "127.0.0.1:0")
	if code != exitcode.OK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`(?m)^bench: metrics at http://127\.0\.0\.1:\d+/metrics$`).MatchString(stderr) {
		t.Errorf("stderr does not name the metrics endpoint:\n%s", stderr)
	}
}

// TestBenchMetricsFlagsAreShardLocal checks that shards may serve or push their
// metrics to different places and still merge as one run.
func TestBenchMetricsFlagsAreShardLocal(t *testing.T) {
	t.Parallel()
	hash := func(args ...string) string {
		cmd := newBenchCmd(Env{})
		if err := cmd.ParseFlags(args); err != nil {
			t.Fatal(err)
		}
		return configHash(cmd.Flags())
	}
	a := hash("--rate", "30/s", "--metrics-addr", "127.0.0.1:9464")
	b := hash("--rate", "30/s", "--metrics-addr", "0.0.0.0:9465", "--metrics-allow-remote",
		"--otlp-endpoint", "http://127.0.0.1:4318", "--otlp-interval", "1s")
	if a != b {
		t.Error("the live-metrics flags changed the config hash")
	}
}
