package idp

import (
	"testing"
	"time"
)

func TestParseLatency(t *testing.T) {
	ms := time.Millisecond
	for _, tt := range []struct {
		in   string
		want Latency
		bad  bool
	}{
		{in: "20ms", want: Latency{Base: 20 * ms}},
		{in: "20ms±5ms", want: Latency{Base: 20 * ms, Jitter: 5 * ms}},
		{in: "20ms+-5ms", want: Latency{Base: 20 * ms, Jitter: 5 * ms}},
		{in: "p50=20ms,p99=80ms", want: Latency{Base: 20 * ms, P99: 80 * ms}},
		{in: "fast", bad: true},
		{in: "5ms±10ms", bad: true},
		{in: "-5ms", bad: true},
		{in: "p50=80ms,p99=20ms", bad: true},
		{in: "p50=20ms", bad: true},
	} {
		got, err := ParseLatency(tt.in)
		if (err != nil) != tt.bad || (!tt.bad && got != tt.want) {
			t.Errorf("%q: %+v %v", tt.in, got, err)
		}
	}
}

func TestLatencySample(t *testing.T) {
	ms := time.Millisecond
	j := Latency{Base: 20 * ms, Jitter: 5 * ms}
	if j.sample(0, 0) != 15*ms || j.sample(0.5, 0) != 20*ms || j.sample(0.999999, 0) > 25*ms {
		t.Fatal("uniform jitter out of bounds")
	}
	ln := Latency{Base: 20 * ms, P99: 80 * ms}
	// u2 = 0 makes z = sqrt(-2 ln(1-u1)); z = z99 at u1 = 1-exp(-z99²/2).
	if d := ln.sample(0, 0.25); d != 20*ms {
		t.Fatalf("median draw %v", d)
	}
	if d := ln.sample(1-0.06682, 0); d < 78*ms || d > 82*ms {
		t.Fatalf("99th percentile draw %v, want about 80ms", d)
	}
}

func TestSetQuota(t *testing.T) {
	var l Limits
	for _, ok := range []string{"UserAuthentication=120", "RespondToAuthChallenge=400", "defaults"} {
		if err := l.SetQuota(ok); err != nil {
			t.Fatalf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"UserAuth=1", "UserRead", "UserRead=-1", "UserRead=x"} {
		if err := l.SetQuota(bad); err == nil {
			t.Fatalf("%s accepted", bad)
		}
	}
	if l.Quotas["UserAuthentication"] != 120 || l.Quotas["UserUpdate"] != 25 {
		t.Fatalf("quotas %v", l.Quotas)
	}
	if category("InitiateAuth", &InitiateAuthInput{AuthFlow: "REFRESH_TOKEN_AUTH"}) != catToken || category("AdminGetDevice", nil) != catRead || category("AdminFrobnicate", nil) != catUpdate {
		t.Fatal("categories")
	}
}
