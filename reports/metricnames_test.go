package reports

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckMetrics(t *testing.T) {
	flows := []string{"srp", "totp"}
	good := []string{
		"signin.latency: p(99) < 800ms", "signin.service: avg < 1s", "srp: med < 5ms", "start.lag: max < 10ms",
		"api.InitiateAuth: p(95) < 300ms", "api.RespondToAuthChallenge: count > 0", "flow.totp.latency: p(90) < 2s",
		"signin.errors: rate < 0.01", "late_starts: count < 10", "outcome.TooManyRequestsException: count == 0",
		"next_step.done: rate > 0.99", "signin.latency: count > 100",
	}
	for _, s := range good {
		ts, err := ParseThresholds([]string{s})
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckMetrics(ts, flows); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := []struct{ src, want string }{
		{"signin.latancy: p(99) < 800ms", `no metric named "signin.latancy" (did you mean "signin.latency"?); valid: signin.latency, signin.service, srp`},
		{"latency: p(99) < 800ms", `no metric named "latency"; valid: `},
		{"api.: p(99) < 1s", "api.<Operation>"},
		{"api.initiateauth: p(99) < 1s", `no metric named "api.initiateauth"`},
		{"flow.sms.latency: p(99) < 1s", `flow "sms" is not in the mix; valid: flow.srp.latency, flow.totp.latency`},
		{"flow.totp: p(99) < 1s", "flow.<flow>.latency"},
		{"signin.errors: p(99) < 5", "signin.errors is a counter, so p(99) does not apply; valid: count, rate"},
		{"srp: rate < 0.5", "srp is a latency histogram, so rate does not apply"},
	}
	for _, b := range bad {
		ts, err := ParseThresholds([]string{"signin.latency: p(50) < 1s", b.src})
		if err != nil {
			t.Fatal(err)
		}
		err = CheckMetrics(ts, flows)
		var ue *UnknownMetricError
		if !errors.As(err, &ue) || ue.Threshold != b.src {
			t.Errorf("%s: got %v, want an *UnknownMetricError for it", b.src, err)
			continue
		}
		if !strings.Contains(err.Error(), b.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %q lacks %q (or is not one line)", b.src, err, b.want)
		}
	}
	// Without the mix (merge before it has read the shards), any flow name goes.
	ts, _ := ParseThresholds([]string{"flow.sms.latency: p(99) < 1s"})
	if err := CheckMetrics(ts, nil); err != nil {
		t.Errorf("nil flows: %v", err)
	}
}
