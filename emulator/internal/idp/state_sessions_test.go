package idp

import (
	"context"
	"testing"
	"time"
)

// TestSessionSingleUse checks that a session answers once.
func TestSessionSingleUse(t *testing.T) {
	tp := newTestPool(t)
	p, c := tp.pool(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := tp.svc.newSession(p, c, nil, "PASSWORD_VERIFIER")
	if _, e := tp.svc.takeSession(p, c, ss.id, "PASSWORD_VERIFIER", false); e != nil {
		t.Fatalf("first use: %v", e)
	}
	_, e := tp.svc.takeSession(p, c, ss.id, "PASSWORD_VERIFIER", false)
	wantErr(t, e, TypeNotAuthorized, msgSessionUsed)
}

// TestSessionExpiry checks the session's lifetime against the injected clock: alive
// at exactly AuthSessionValidity (3 minutes by default), expired a moment after, and
// then forgotten (and still answered as expired, its id being the pool's).
func TestSessionExpiry(t *testing.T) {
	tp := newTestPool(t)
	p, c := tp.pool(t)
	p.mu.Lock()
	defer p.mu.Unlock()
	alive := tp.svc.newSession(p, c, nil, "SMS_MFA")
	stale := tp.svc.newSession(p, c, nil, "SMS_MFA")

	tp.clock.Advance(3 * time.Minute)
	if _, e := tp.svc.takeSession(p, c, alive.id, "SMS_MFA", false); e != nil {
		t.Fatalf("at the validity's end: %v, want the session alive", e)
	}
	tp.clock.Advance(time.Millisecond)
	_, e := tp.svc.takeSession(p, c, stale.id, "SMS_MFA", false)
	wantErr(t, e, TypeNotAuthorized, msgSessionExpired)
	if p.sessions[stale.id] != nil {
		t.Fatal("an expired session is kept after its refusal")
	}
	_, e = tp.svc.takeSession(p, c, stale.id, "SMS_MFA", false)
	wantErr(t, e, TypeNotAuthorized, msgSessionExpired)
	_, e = tp.svc.takeSession(p, c, "bm90LWEtc2Vzc2lvbi1vZi10aGlzLXBvb2w", "SMS_MFA", false)
	wantErr(t, e, TypeNotAuthorized, "Invalid session for the user.")
}

// TestSessionBinding checks that a session answers only its own client, API and
// challenge, and that a refusal for the wrong challenge leaves it usable.
func TestSessionBinding(t *testing.T) {
	tp := newTestPool(t)
	other, _, err := tp.svc.SeedCreateClient(context.Background(), SeedClient{ID: "otherclient", Input: CreateUserPoolClientInput{UserPoolId: tp.poolID, ClientName: "other"}})
	if err != nil {
		t.Fatal(err)
	}
	p, c := tp.pool(t)
	_, oc, err := tp.svc.client(tp.poolID, other)
	if err != nil {
		t.Fatal(err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := tp.svc.newSession(p, c, nil, "NEW_PASSWORD_REQUIRED")

	_, e := tp.svc.takeSession(p, c, "", "NEW_PASSWORD_REQUIRED", false)
	wantErr(t, e, TypeInvalidParameter, msgMissingSession)
	_, e = tp.svc.takeSession(p, oc, ss.id, "NEW_PASSWORD_REQUIRED", false)
	wantErr(t, e, TypeNotAuthorized, "Invalid session for the user.")
	_, e = tp.svc.takeSession(p, c, ss.id, "NEW_PASSWORD_REQUIRED", true)
	wantErr(t, e, TypeNotAuthorized, "Invalid session for the user.")
	_, e = tp.svc.takeSession(p, c, ss.id, "SMS_MFA", false)
	wantErr(t, e, TypeInvalidParameter, "Invalid challenge name: expected NEW_PASSWORD_REQUIRED, got SMS_MFA")
	if _, e := tp.svc.takeSession(p, c, ss.id, "NEW_PASSWORD_REQUIRED", false); e != nil {
		t.Fatalf("after refusals for another client, API and challenge: %v, want the session usable", e)
	}
}

// TestSessionFromSecretBlock checks that a PASSWORD_VERIFIER SECRET_BLOCK leads back
// to its session (clients that send no Session rely on it).
func TestSessionFromSecretBlock(t *testing.T) {
	tp := newTestPool(t)
	p, c := tp.pool(t)
	p.mu.Lock()
	ss := tp.svc.newSession(p, c, nil, "PASSWORD_VERIFIER")
	p.mu.Unlock()
	if got := sessionFromSecretBlock(tp.svc.secretBlock(ss.id)); got != ss.id {
		t.Fatalf("session from its secret block: %q, want %q", got, ss.id)
	}
	if got := sessionFromSecretBlock("not base64!"); got != "" {
		t.Fatalf("session from a malformed block: %q, want none", got)
	}
}

// TestSessionExpiryThroughAPI checks the same lifetime through RespondToAuthChallenge:
// a NEW_PASSWORD_REQUIRED answer after the session's end is refused.
func TestSessionExpiryThroughAPI(t *testing.T) {
	tp := newTestPool(t)
	ctx := context.Background()
	tp.addUser(t, SeedUser{Username: "dave", Password: "Temp-Passw0rd!", Status: StatusForceChangePassword})
	out, err := tp.svc.InitiateAuth(ctx, &InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: tp.client,
		AuthParameters: map[string]string{"USERNAME": "dave", "PASSWORD": "Temp-Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	tp.clock.Advance(3*time.Minute + time.Second)
	_, err = tp.svc.RespondToAuthChallenge(ctx, &RespondToAuthChallengeInput{ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: tp.client,
		Session: deref(out.Session), ChallengeResponses: map[string]string{"USERNAME": "dave", "NEW_PASSWORD": "New-Passw0rd!"}})
	wantErr(t, err, TypeNotAuthorized, msgSessionExpired)
}
