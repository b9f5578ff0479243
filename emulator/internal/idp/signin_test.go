package idp

import (
	"context"
	"testing"

	"github.com/authbench/authbench/srp"
)

// TestPipelinePasswordNewPasswordMFATokens runs one sign-in through every pipeline
// stage it meets: USER_PASSWORD_AUTH with a temporary password, NEW_PASSWORD_REQUIRED,
// SMS_MFA (the code read from the outbox), then tokens that name the user.
func TestPipelinePasswordNewPasswordMFATokens(t *testing.T) {
	tp := newTestPool(t)
	ctx := context.Background()
	if err := tp.svc.SeedPoolMFA(ctx, tp.poolID, "ON", []string{"SMS"}); err != nil {
		t.Fatal(err)
	}
	tp.addUser(t, SeedUser{Username: "alice", Password: "Temp-Passw0rd!", Status: StatusForceChangePassword,
		Attributes: map[string]string{"phone_number": "+15555550100", "phone_number_verified": "true"}})

	out, err := tp.svc.InitiateAuth(ctx, &InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: tp.client,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Temp-Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != "NEW_PASSWORD_REQUIRED" || out.Session == nil {
		t.Fatalf("first step: %+v, want NEW_PASSWORD_REQUIRED with a session", out)
	}

	rt, err := tp.svc.RespondToAuthChallenge(ctx, &RespondToAuthChallengeInput{ChallengeName: "NEW_PASSWORD_REQUIRED", ClientId: tp.client,
		Session: *out.Session, ChallengeResponses: map[string]string{"USERNAME": "alice", "NEW_PASSWORD": "New-Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	if rt.ChallengeName != "SMS_MFA" || rt.Session == nil {
		t.Fatalf("after the new password: %+v, want SMS_MFA", rt)
	}
	msgs := tp.svc.Outbox().List(Filter{PoolID: tp.poolID, Username: "alice", Purpose: purposeMFA})
	if len(msgs) != 1 || msgs[0].Medium != "SMS" || len(msgs[0].Code) != 6 {
		t.Fatalf("outbox: %+v, want one SMS with a 6-digit code", msgs)
	}

	// A wrong code is refused and leaves the session usable.
	_, err = tp.svc.RespondToAuthChallenge(ctx, &RespondToAuthChallengeInput{ChallengeName: "SMS_MFA", ClientId: tp.client,
		Session: *rt.Session, ChallengeResponses: map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": wrongDigits(msgs[0].Code)}})
	wantErr(t, err, TypeCodeMismatch, msgCodeMismatchAuth)

	done, err := tp.svc.RespondToAuthChallenge(ctx, &RespondToAuthChallengeInput{ChallengeName: "SMS_MFA", ClientId: tp.client,
		Session: *rt.Session, ChallengeResponses: map[string]string{"USERNAME": "alice", "SMS_MFA_CODE": msgs[0].Code}})
	if err != nil {
		t.Fatal(err)
	}
	res := done.AuthenticationResult
	if res == nil || deref(res.AccessToken) == "" || deref(res.IdToken) == "" || deref(res.RefreshToken) == "" {
		t.Fatalf("last step: %+v, want id, access and refresh tokens", done)
	}
	_, u, claims, err := tp.svc.accessClaims(deref(res.AccessToken))
	if err != nil {
		t.Fatal(err)
	}
	if u.Username != "alice" || claims["username"] != "alice" || u.Status != StatusConfirmed {
		t.Fatalf("access token names %v (status %s), want alice CONFIRMED", claims["username"], u.Status)
	}

	// The new password is the one that now works.
	_, err = tp.svc.InitiateAuth(ctx, &InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: tp.client,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Temp-Passw0rd!"}})
	wantErr(t, err, TypeNotAuthorized, msgIncorrect)
}

// wrongDigits returns a 6-digit code different from code.
func wrongDigits(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}

// srpSignIn starts USER_SRP_AUTH for name and answers PASSWORD_VERIFIER with
// password, returning the answer's outcome.
func srpSignIn(t *testing.T, tp *testPool, name, password string) (*RespondToAuthChallengeOutput, error) {
	t.Helper()
	ctx := context.Background()
	c, err := srp.NewClient(tp.svc.random())
	if err != nil {
		t.Fatal(err)
	}
	out, err := tp.svc.InitiateAuth(ctx, &InitiateAuthInput{AuthFlow: "USER_SRP_AUTH", ClientId: tp.client,
		AuthParameters: map[string]string{"USERNAME": name, "SRP_A": c.SRPA()}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ChallengeName != "PASSWORD_VERIFIER" || out.Session == nil {
		t.Fatalf("InitiateAuth: %+v, want PASSWORD_VERIFIER", out)
	}
	cp := out.ChallengeParameters
	realm, err := srp.PoolName(tp.poolID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Respond(srp.Challenge{Realm: realm, UserID: cp["USER_ID_FOR_SRP"], Salt: cp["SALT"], B: cp["SRP_B"], SecretBlock: cp["SECRET_BLOCK"]}, password, tp.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tp.svc.RespondToAuthChallenge(ctx, &RespondToAuthChallengeInput{ChallengeName: "PASSWORD_VERIFIER", ClientId: tp.client,
		Session: *out.Session, ChallengeResponses: map[string]string{
			"USERNAME": cp["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock,
			"PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp,
		}})
}

// TestSRPSignIn checks the SRP happy path (tokens) and a wrong password (Cognito's
// NotAuthorizedException, counted towards the lockout).
func TestSRPSignIn(t *testing.T) {
	tp := newTestPool(t)
	tp.addUser(t, SeedUser{Username: "bob", Password: "Right-Passw0rd!"})

	out, err := srpSignIn(t, tp, "bob", "Right-Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil || deref(out.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("right password: %+v, want tokens", out)
	}

	_, err = srpSignIn(t, tp, "bob", "Wrong-Passw0rd!")
	wantErr(t, err, TypeNotAuthorized, msgIncorrect)
	p, _ := tp.pool(t)
	p.mu.Lock()
	failed := p.lookup("bob").FailedAttempts
	p.mu.Unlock()
	if failed != 1 {
		t.Fatalf("failed attempts after a wrong password: %d, want 1", failed)
	}
}

// TestFirstFactorUser checks the prologue the first factors share: missing
// parameters in order, an unknown name, and SECRET_HASH for a client with a secret.
func TestFirstFactorUser(t *testing.T) {
	tp := newTestPool(t)
	tp.addUser(t, SeedUser{Username: "carol", Password: "Right-Passw0rd!"})
	p, c := tp.pool(t)

	_, e := tp.svc.firstFactorUser(authRequest{pool: p, client: c, params: map[string]string{}}, "SRP_A")
	wantErr(t, e, TypeInvalidParameter, "Missing required parameter USERNAME")
	_, e = tp.svc.firstFactorUser(authRequest{pool: p, client: c, params: map[string]string{"USERNAME": "carol"}}, "SRP_A")
	wantErr(t, e, TypeInvalidParameter, "Missing required parameter SRP_A")

	n, e := tp.svc.firstFactorUser(authRequest{pool: p, client: c, params: map[string]string{"USERNAME": "nobody"}})
	if e != nil || n.user != nil || n.typed != "nobody" {
		t.Fatalf("unknown name: %+v, %v; want no user and no error", n, e)
	}
	n, e = tp.svc.firstFactorUser(authRequest{pool: p, client: c, params: map[string]string{"USERNAME": "carol"}})
	if e != nil || n.user == nil || n.canonical != "carol" || !n.cred.matches(p.realm, "carol", "Right-Passw0rd!") {
		t.Fatalf("known name: %+v, %v; want carol and her credential", n, e)
	}

	_, secret, err := tp.svc.SeedCreateClient(context.Background(), SeedClient{ID: "secretclient", Secret: "s3cret", Input: CreateUserPoolClientInput{UserPoolId: tp.poolID, ClientName: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	_, sc, err := tp.svc.client(tp.poolID, "secretclient")
	if err != nil {
		t.Fatal(err)
	}
	_, e = tp.svc.firstFactorUser(authRequest{pool: p, client: sc, params: map[string]string{"USERNAME": "carol"}})
	wantErr(t, e, TypeNotAuthorized, "Client secretclient is configured with secret but SECRET_HASH was not received")
	_, e = tp.svc.firstFactorUser(authRequest{pool: p, client: sc, params: map[string]string{"USERNAME": "carol", "SECRET_HASH": "bad"}})
	wantErr(t, e, TypeNotAuthorized, "Unable to verify secret hash for client secretclient")
	hash := srp.AppClient{ID: "secretclient", Secret: secret}.SecretHash("carol")
	if _, e := tp.svc.firstFactorUser(authRequest{pool: p, client: sc, params: map[string]string{"USERNAME": "carol", "SECRET_HASH": hash}}); e != nil {
		t.Fatalf("right SECRET_HASH: %v", e)
	}
}
