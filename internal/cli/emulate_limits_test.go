package cli

import (
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestEmulateLimitFlagsUsage: bad quota, latency and Lambda flags exit 2 with one line.
func TestEmulateLimitFlagsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"emulate", "--quota", "UserAuth=120"},
		{"emulate", "--quota", "UserAuthentication=-1"},
		{"emulate", "--quota", "UserAuthentication"},
		{"emulate", "--quota-per-user", "-3"},
		{"emulate", "--latency", "InitiateAuth=fast"},
		{"emulate", "--latency", "NoSuchOp=20ms"},
		{"emulate", "--latency", "InitiateAuth=5ms±10ms"},
		{"emulate", "--latency", "p50=80ms,p99=20ms"},
		{"emulate", "--lambda", "arn:aws:lambda:us-east-1:1:function:f=ftp://x"},
		{"emulate", "--lambda-timeout", "-1s"},
	} {
		code, _, stderr := run(t, args...)
		if code != exitcode.Usage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr)
		}
	}
}
