package idp

import (
	"testing"
	"time"
)

// codeUser seeds a user with an email and returns the pool and the user.
func codeUser(t *testing.T, tp *testPool) (*Pool, *User) {
	t.Helper()
	tp.addUser(t, SeedUser{Username: "erin", Password: "Right-Passw0rd!", Attributes: map[string]string{"email": "erin@example.com"}})
	p, _ := tp.pool(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	return p, p.lookup("erin")
}

// sentCode issues a code for purpose and returns it as the outbox received it.
func sentCode(t *testing.T, tp *testPool, p *Pool, u *User, purpose string, validity time.Duration) string {
	t.Helper()
	p.mu.Lock()
	d := tp.svc.issueCode(p, u, purpose, validity)
	p.mu.Unlock()
	if d.DeliveryMedium != "EMAIL" || deref(d.Destination) != "e***@e***" {
		t.Fatalf("delivery: %s to %s, want EMAIL to e***@e***", d.DeliveryMedium, deref(d.Destination))
	}
	msgs := tp.svc.Outbox().List(Filter{PoolID: tp.poolID, Username: "erin", Purpose: purpose, Limit: 1})
	if len(msgs) == 0 {
		t.Fatal("no message in the outbox")
	}
	m := msgs[0] // newest first
	if m.Destination != "erin@example.com" || len(m.Code) != 6 {
		t.Fatalf("message: %+v, want a 6-digit code to erin@example.com", m)
	}
	return m.Code
}

func check(tp *testPool, p *Pool, u *User, purpose, got string) *Error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return tp.svc.checkCode(u, purpose, got)
}

// TestCodeSingleUse checks that a right code is consumed.
func TestCodeSingleUse(t *testing.T) {
	tp := newTestPool(t)
	p, u := codeUser(t, tp)
	c := sentCode(t, tp, p, u, purposeForgot, forgotValidity)
	if e := check(tp, p, u, purposeForgot, c); e != nil {
		t.Fatalf("right code: %v", e)
	}
	wantErr(t, check(tp, p, u, purposeForgot, c), TypeExpiredCode, msgCodeExpired)
}

// TestCodeExpiry checks the code's validity against the injected clock.
func TestCodeExpiry(t *testing.T) {
	tp := newTestPool(t)
	p, u := codeUser(t, tp)
	c := sentCode(t, tp, p, u, purposeSignUp, time.Hour)
	tp.clock.Advance(time.Hour + time.Second)
	wantErr(t, check(tp, p, u, purposeSignUp, c), TypeExpiredCode, msgCodeExpired)

	c = sentCode(t, tp, p, u, purposeSignUp, time.Hour)
	tp.clock.Advance(time.Hour)
	if e := check(tp, p, u, purposeSignUp, c); e != nil {
		t.Fatalf("at the validity's end: %v, want the code accepted", e)
	}
}

// TestCodeAttempts checks that wrong codes are counted and, once codeAttempts are
// spent, even the right code is refused.
func TestCodeAttempts(t *testing.T) {
	tp := newTestPool(t)
	p, u := codeUser(t, tp)
	c := sentCode(t, tp, p, u, purposeAttr, codeValidity)
	for i := 0; i < codeAttempts; i++ {
		wantErr(t, check(tp, p, u, purposeAttr, wrongDigits(c)), TypeCodeMismatch, msgCodeMismatch)
	}
	wantErr(t, check(tp, p, u, purposeAttr, c), TypeLimitExceeded, msgAttemptLimit)
}

// TestCodeReplaced checks that a new code of a purpose replaces the earlier one and
// leaves other purposes alone.
func TestCodeReplaced(t *testing.T) {
	tp := newTestPool(t)
	p, u := codeUser(t, tp)
	other := sentCode(t, tp, p, u, purposeAttr, codeValidity)
	first := sentCode(t, tp, p, u, purposeForgot, forgotValidity)
	second := sentCode(t, tp, p, u, purposeForgot, forgotValidity)
	if first != second {
		wantErr(t, check(tp, p, u, purposeForgot, first), TypeCodeMismatch, msgCodeMismatch)
	}
	if e := check(tp, p, u, purposeForgot, second); e != nil {
		t.Fatalf("the newer code: %v", e)
	}
	if e := check(tp, p, u, purposeAttr, other); e != nil {
		t.Fatalf("another purpose's code: %v", e)
	}
}
