package idp

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestSessionCap checks the cap on a pool's sessions: past it the oldest is
// forgotten first and answered as expired, the count stays at the cap, and a
// session forgotten elsewhere (a deleted user's) does not hold a place.
func TestSessionCap(t *testing.T) {
	const max = 50
	tp := newTestPool(t, func(o *Options, _ *CreateUserPoolInput) { o.Resources.Sessions = max })
	p, c := tp.pool(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	var ids []string
	for range 5 * max {
		ids = append(ids, tp.svc.newSession(p, c, nil, "SMS_MFA").id)
		if len(p.sessions) > max {
			t.Fatalf("%d sessions live, cap %d", len(p.sessions), max)
		}
	}
	if len(p.sessions) != max {
		t.Fatalf("%d sessions live after a flood, want the cap %d", len(p.sessions), max)
	}
	if n := len(p.sessq.ids) - p.sessq.head; n != max {
		t.Fatalf("%d ids wait in the queue, want %d", n, max)
	}
	for i, id := range ids {
		_, e := tp.svc.takeSession(p, c, id, "SMS_MFA", false)
		switch {
		case i < len(ids)-max:
			wantErr(t, e, TypeNotAuthorized, msgSessionExpired)
		case e != nil:
			t.Fatalf("session %d of %d (among the newest %d): %v", i, len(ids), max, e)
		}
	}
	// A forged id, or one of another pool, is not taken for an evicted session.
	forged := []byte(ids[0])
	forged[3] ^= 1
	_, e := tp.svc.takeSession(p, c, string(forged), "SMS_MFA", false)
	wantErr(t, e, TypeNotAuthorized, "Invalid session for the user.")

	// Expired sessions leave the queue as new ones come, and are answered as
	// expired still.
	tp.clock.Advance(3*time.Minute + time.Second)
	tp.svc.newSession(p, c, nil, "SMS_MFA")
	if len(p.sessions) != 1 {
		t.Fatalf("%d sessions live after the others expired, want 1", len(p.sessions))
	}
	_, e = tp.svc.takeSession(p, c, ids[len(ids)-1], "SMS_MFA", false)
	wantErr(t, e, TypeNotAuthorized, msgSessionExpired)
}

// TestSetupSessionForgotten checks that an MFA_SETUP session the pool evicted is
// answered as expired by AssociateSoftwareToken's lookup too, as takeSession
// answers one, while an id no pool made stays invalid.
func TestSetupSessionForgotten(t *testing.T) {
	const max = 10
	tp := newTestPool(t, func(o *Options, _ *CreateUserPoolInput) { o.Resources.Sessions = max })
	p, c := tp.pool(t)
	p.mu.Lock()
	var ids []string
	for range max + 1 {
		ids = append(ids, tp.svc.newSession(p, c, nil, "MFA_SETUP").id)
	}
	p.mu.Unlock()
	_, _, _, e := tp.svc.setupSession(ids[0])
	wantErr(t, e, TypeNotAuthorized, msgSessionExpired)
	forged := []byte(ids[0])
	forged[3] ^= 1
	_, _, _, e = tp.svc.setupSession(string(forged))
	wantErr(t, e, TypeNotAuthorized, msgSessionInvalid)
}

// TestSessionQueueForgotten checks that sessions forgotten out of order (as a deleted
// user's are) do not keep the queue growing behind a live head.
func TestSessionQueueForgotten(t *testing.T) {
	const max = 100
	tp := newTestPool(t, func(o *Options, _ *CreateUserPoolInput) { o.Resources.Sessions = max })
	p, c := tp.pool(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	head := tp.svc.newSession(p, c, nil, "SMS_MFA")
	for range 20_000 {
		ss := tp.svc.newSession(p, c, nil, "SMS_MFA")
		delete(p.sessions, ss.id)
	}
	if n := len(p.sessq.ids); n > 2*max+1024+1 {
		t.Fatalf("the queue holds %d ids for %d live sessions", n, len(p.sessions))
	}
	if _, e := tp.svc.takeSession(p, c, head.id, "SMS_MFA", false); e != nil {
		t.Fatalf("the live head: %v", e)
	}
}

// TestOutboxBounds checks that the outbox keeps at most its number of messages and
// its bytes, dropping the oldest first.
func TestOutboxBounds(t *testing.T) {
	o := NewOutbox(nil)
	o.maxMsgs, o.maxBytes = 100, 1<<20
	for i := range 1000 {
		o.add(Message{PoolID: "p", Username: fmt.Sprint(i), Body: "x"})
	}
	got := o.List(Filter{})
	if len(got) != 100 || got[0].Username != "999" || got[99].Username != "900" {
		t.Fatalf("kept %d messages, newest %q, oldest %q; want 100, 999 … 900", len(got), got[0].Username, got[len(got)-1].Username)
	}
	if len(o.msgs) > 200 {
		t.Fatalf("the outbox's slice holds %d messages for 100 kept", len(o.msgs))
	}
	big := strings.Repeat("b", 100<<10)
	for i := range 50 {
		o.add(Message{PoolID: "p", Username: fmt.Sprint("big", i), Body: big})
	}
	got = o.List(Filter{})
	if o.bytes > o.maxBytes || len(got) < 9 || got[0].Username != "big49" {
		t.Fatalf("%d bytes kept (bound %d) in %d messages, newest %q", o.bytes, o.maxBytes, len(got), got[0].Username)
	}
	// A message larger than the bound is kept alone, so that it can be read.
	o.add(Message{PoolID: "p", Username: "huge", Body: strings.Repeat("h", 2<<20)})
	if got = o.List(Filter{}); len(got) != 1 || got[0].Username != "huge" {
		t.Fatalf("after a message over the bound: %d kept", len(got))
	}
}

// TestDevicesPerUser checks that confirming a device past the cap forgets the one
// least recently used.
func TestDevicesPerUser(t *testing.T) {
	tp := newTestPool(t, func(o *Options, _ *CreateUserPoolInput) { o.Resources.DevicesPerUser = 3 })
	tp.addUser(t, SeedUser{Username: "dora", Password: "Passw0rd!"})
	p, _ := tp.pool(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.lookup("dora")
	u.Devices = map[string]*device{}
	confirm := func(key string) {
		tp.clock.Advance(time.Second)
		u.Devices[key] = &device{Key: key, Created: tp.clock.Now()}
		tp.svc.roomForDevice(u, key)
		d := u.Devices[key]
		d.Confirmed, d.Modified, d.LastAuth = true, tp.clock.Now(), tp.clock.Now()
	}
	for _, k := range []string{"a", "b", "c"} {
		confirm(k)
	}
	tp.clock.Advance(time.Second)
	u.Devices["a"].LastAuth = tp.clock.Now() // a signed in again: b is now the oldest
	confirm("d")
	var keys []string
	for k := range u.Devices {
		keys = append(keys, k)
	}
	if len(keys) != 3 || u.Devices["b"] != nil {
		t.Fatalf("devices after a fourth: %v, want a, c, d", keys)
	}
}

// TestRevokedFamiliesPerUser checks that a user's revoked token families stay within
// maxRevokedPerUser, and that forgetting the oldest does not let its access token
// back in: every access token issued until then is refused instead, and the next
// second's sign-in is good.
func TestRevokedFamiliesPerUser(t *testing.T) {
	tp := newTestPool(t)
	ctx := context.Background()
	tp.addUser(t, SeedUser{Username: "rita", Password: "Passw0rd!"})
	signIn := func() *AuthenticationResultType {
		t.Helper()
		out, err := tp.svc.InitiateAuth(ctx, &InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: tp.client,
			AuthParameters: map[string]string{"USERNAME": "rita", "PASSWORD": "Passw0rd!"}})
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("sign-in: %v", err)
		}
		return out.AuthenticationResult
	}
	kept := signIn()
	var first string
	for i := range maxRevokedPerUser + 6 {
		r := signIn()
		if i == 0 {
			first = deref(r.AccessToken)
		}
		if _, err := tp.svc.RevokeToken(ctx, &RevokeTokenInput{Token: deref(r.RefreshToken), ClientId: tp.client}); err != nil {
			t.Fatal(err)
		}
	}
	p, _ := tp.pool(t)
	p.mu.Lock()
	n, kept2 := len(p.lookup("rita").revokedFamilies), len(p.revoked)
	p.mu.Unlock()
	if n != maxRevokedPerUser || kept2 > maxRevokedPerUser {
		t.Fatalf("%d families listed for the user, %d kept by the pool; want %d", n, kept2, maxRevokedPerUser)
	}
	for _, tok := range []string{first, deref(kept.AccessToken)} {
		_, err := tp.svc.GetUser(ctx, &GetUserInput{AccessToken: tok})
		wantErr(t, err, TypeNotAuthorized, msgAccessRevoked)
	}
	// A global sign-out within the same second does not move the bound back to
	// now, letting the forgotten families' tokens of this second in again.
	if _, err := tp.svc.AdminUserGlobalSignOut(ctx, &AdminUserGlobalSignOutInput{UserPoolId: tp.poolID, Username: "rita"}); err != nil {
		t.Fatal(err)
	}
	_, err := tp.svc.GetUser(ctx, &GetUserInput{AccessToken: first})
	wantErr(t, err, TypeNotAuthorized, msgAccessRevoked)
	tp.clock.Advance(time.Second)
	if _, err := tp.svc.GetUser(ctx, &GetUserInput{AccessToken: deref(signIn().AccessToken)}); err != nil {
		t.Fatalf("a sign-in after: %v", err)
	}
}
