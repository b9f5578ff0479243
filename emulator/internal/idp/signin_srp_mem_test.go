package idp

import (
	"context"
	"math/big"
	"runtime"
	"strings"
	"testing"

	"github.com/authbench/authbench/srp"
)

// srpSessionBytes starts n USER_SRP_AUTH sign-ins that are left in flight (their
// PASSWORD_VERIFIER is never answered) and returns the live heap they hold, per
// session, after a collection: what the pool pays for each sign-in in flight for
// the session's lifetime. Each request carries its own copy of SRP_A, as one decoded
// from the wire would.
func srpSessionBytes(t *testing.T, n int) float64 {
	t.Helper()
	tp := newTestPool(t)
	tp.addUser(t, SeedUser{Username: "bob", Password: "Right-Passw0rd!"})
	c, err := srp.NewClient(tp.svc.random())
	if err != nil {
		t.Fatal(err)
	}
	a := c.SRPA()
	ctx := context.Background()
	start := func() {
		out, err := tp.svc.InitiateAuth(ctx, &InitiateAuthInput{AuthFlow: "USER_SRP_AUTH", ClientId: tp.client,
			AuthParameters: map[string]string{"USERNAME": "bob", "SRP_A": strings.Clone(a)}})
		if err != nil || out.ChallengeName != "PASSWORD_VERIFIER" {
			t.Fatalf("InitiateAuth: %v %+v", err, out)
		}
	}
	start() // the first sign-in's one-time costs (tables, caches) are not a session's
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range n {
		start()
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	p, _ := tp.pool(t)
	p.mu.Lock()
	live := len(p.sessions)
	p.mu.Unlock()
	if live != n+1 {
		t.Fatalf("%d sessions in flight, want %d", live, n+1)
	}
	runtime.KeepAlive(tp)
	return float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n)
}

// TestSRPSessionMemory bounds what a USER_SRP_AUTH sign-in in flight costs the pool:
// the session keeps the server's secret b, SRP_B and SRP_A as fixed-size bytes, not
// math/big values and hex strings (it was about 6.8 KiB; now about 1.5 KiB, most of
// it the session's id and secret block).
func TestSRPSessionMemory(t *testing.T) {
	const n = 2000
	per := srpSessionBytes(t, n)
	t.Logf("%.0f bytes per PASSWORD_VERIFIER session in flight (%d sessions)", per, n)
	if per > 2048 {
		t.Errorf("%.0f bytes per PASSWORD_VERIFIER session in flight, want at most 2048", per)
	}
}

// TestPackSRPA checks that a session's SRP_A comes back as the same number, whatever
// its case, length or leading zeros, and that what is not such hex comes back as sent.
func TestPackSRPA(t *testing.T) {
	for _, a := range []string{"1", "abc", "0ABC", "00000f", strings.Repeat("f", 2*srp.ModulusBytes)} {
		p := packSRPA(a)
		got, ok := new(big.Int).SetString(p.hex(), 16)
		want, _ := new(big.Int).SetString(a, 16)
		if !ok || got.Cmp(want) != 0 {
			t.Errorf("packSRPA(%q).hex() = %q, want the same number", a, p.hex())
		}
	}
	for _, a := range []string{"", "xyz", "-1", "+1", strings.Repeat("f", 2*srp.ModulusBytes+1)} {
		if got := packSRPA(a); got.hex() != a {
			t.Errorf("packSRPA(%q).hex() = %q, want it as sent", a, got.hex())
		}
	}
}
