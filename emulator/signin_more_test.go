package emulator_test

import (
	"context"
	"crypto/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// clock is a controllable server clock: real time plus an offset.
type clock struct{ off atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *clock) advance(d time.Duration) { c.off.Add(int64(d)) }

func withClock(c *clock) func(*emulator.Options) {
	return func(o *emulator.Options) { o.Now = c.now }
}

func (e *env) passwordAuth(ctx context.Context, clientID, user, pw string, extra ...string) (*cip.InitiateAuthOutput, error) {
	params := map[string]string{"USERNAME": user, "PASSWORD": pw}
	for i := 0; i+1 < len(extra); i += 2 {
		params[extra[i]] = extra[i+1]
	}
	return e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID, AuthParameters: params})
}

// TestUserStates drives every user state through both USER_PASSWORD_AUTH and SRP.
func TestUserStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Client: func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesLegacy
	}})
	e.User(t, poolID, "ok", "Passw0rd!", "email", "ok@example.com", "email_verified", "true")
	e.User(t, poolID, "off", "Passw0rd!")
	if _, err := e.IDP.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("off")}); err != nil {
		t.Fatal(err)
	}
	e.User(t, poolID, "reset", "Passw0rd!", "email", "reset@example.com", "email_verified", "true")
	if _, err := e.IDP.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("reset")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("unconf"), Password: aws.String("Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		user, pw string
		typ, msg string
	}{
		{"ok", "Passw0rd!", "", ""},
		{"ok", "Wrong-Passw0rd!", "NotAuthorizedException", "Incorrect username or password."},
		{"off", "Passw0rd!", "NotAuthorizedException", "User is disabled."},
		{"reset", "Passw0rd!", "PasswordResetRequiredException", "Password reset required for the user"},
		{"unconf", "Passw0rd!", "UserNotConfirmedException", "User is not confirmed."},
		{"unconf", "Wrong-Passw0rd!", "UserNotConfirmedException", "User is not confirmed."},
		{"ghost", "Passw0rd!", "UserNotFoundException", "User does not exist."},
	}
	for _, tt := range tests {
		for _, flow := range []string{"password", "srp"} {
			var err error
			if flow == "password" {
				_, err = e.passwordAuth(ctx, clientID, tt.user, tt.pw)
			} else {
				_, err = e.srpSignIn(ctx, poolID, clientID, tt.user, tt.pw)
			}
			if tt.typ == "" {
				if err != nil {
					t.Errorf("%s %s: %v", flow, tt.user, err)
				}
				continue
			}
			emulatortest.APIError(t, err, tt.typ, tt.msg)
		}
	}
}

// TestPreventUserExistenceErrors: with ENABLED an unknown user looks like a wrong
// password, and the simulated SRP challenge is stable for the same name.
func TestPreventUserExistenceErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	// A client created through the API without the setting is LEGACY (developer
	// guide, "Managing user existence error responses"): the unknown user is named.
	_, legacyID, _ := e.Pool(t, emulatortest.PoolSpec{})
	_, err := e.passwordAuth(ctx, legacyID, "ghost", "Passw0rd!")
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")

	_, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Client: func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}})
	_, err = e.passwordAuth(ctx, clientID, "ghost", "Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	challenge := func(name string) map[string]string {
		c, _ := srp.NewClient(rand.Reader)
		out, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": name, "SRP_A": c.SRPA()}})
		if err != nil {
			t.Fatal(err)
		}
		if out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			t.Fatalf("challenge %s", out.ChallengeName)
		}
		return out.ChallengeParameters
	}
	a, b, other := challenge("ghost"), challenge("ghost"), challenge("phantom")
	if a["SALT"] != b["SALT"] || a["USER_ID_FOR_SRP"] != b["USER_ID_FOR_SRP"] {
		t.Errorf("simulated challenge not stable: %v vs %v", a, b)
	}
	if a["SALT"] == other["SALT"] || a["USER_ID_FOR_SRP"] == other["USER_ID_FOR_SRP"] || len(a["USER_ID_FOR_SRP"]) != 36 {
		t.Errorf("simulated challenges: %v / %v", a, other)
	}
	_, err = e.srpSignIn(ctx, "us-east-1_x", clientID, "ghost", "Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
}

func TestLockout(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "dora", "Passw0rd!")
	// Developer guide, "Authentication", lockout behavior for failed sign-in
	// attempts: after five failed attempts a lockout of 2^(n-5) seconds; the
	// attempts that start or lengthen it answer as wrong passwords; attempts during
	// it are "Password attempts exceeded" and do not count; a successful sign-in
	// after it, or 15 minutes without attempts, resets the count.
	wrong := func(msg string) {
		t.Helper()
		_, err := e.passwordAuth(ctx, clientID, "dora", "nope-Passw0rd!")
		emulatortest.APIError(t, err, "NotAuthorizedException", msg)
	}
	for range 5 {
		wrong("Incorrect username or password.") // the fifth starts a 1 s lockout
	}
	wrong("Password attempts exceeded")
	// Even the right password is refused while locked out.
	_, err := e.passwordAuth(ctx, clientID, "dora", "Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
	c.advance(1500 * time.Millisecond)
	wrong("Incorrect username or password.") // n = 6: a 2 s lockout
	c.advance(time.Second)
	wrong("Password attempts exceeded")
	c.advance(1500 * time.Millisecond)
	// Right after the lockout, the right password signs in and resets the count.
	if _, err := e.passwordAuth(ctx, clientID, "dora", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	for range 4 {
		wrong("Incorrect username or password.")
	}
	// 15 idle minutes reset the count too: four more are not yet a lockout.
	c.advance(15 * time.Minute)
	for range 4 {
		wrong("Incorrect username or password.")
	}
	if _, err := e.passwordAuth(ctx, clientID, "dora", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
}

func TestClientSecretAndFlows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, secret := e.Pool(t, emulatortest.PoolSpec{Client: func(in *cip.CreateUserPoolClientInput) {
		in.GenerateSecret = true
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}
	}})
	if len(secret) < 40 {
		t.Fatalf("secret %q", secret)
	}
	e.User(t, poolID, "erin", "Passw0rd!")
	ac := srp.AppClient{ID: clientID, Secret: secret}
	c, _ := srp.NewClient(rand.Reader)
	start := func(params map[string]string) (*cip.InitiateAuthOutput, error) {
		params["USERNAME"], params["SRP_A"] = "erin", c.SRPA()
		return e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID, AuthParameters: params})
	}
	_, err := start(map[string]string{})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Client "+clientID+" is configured with secret but SECRET_HASH was not received")
	_, err = start(map[string]string{"SECRET_HASH": ac.SecretHash("someone-else")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Unable to verify secret hash for client "+clientID)
	init, err := start(map[string]string{"SECRET_HASH": ac.SecretHash("erin")})
	if err != nil {
		t.Fatal(err)
	}
	p := init.ChallengeParameters
	r, err := c.Respond(srp.Challenge{Realm: poolID[len("us-east-1_"):], UserID: p["USER_ID_FOR_SRP"], Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, "Passw0rd!", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	answer := func(hash string) (*cip.RespondToAuthChallengeOutput, error) {
		resp := map[string]string{"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock, "PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp}
		if hash != "" {
			resp["SECRET_HASH"] = hash
		}
		return e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientId: &clientID, Session: init.Session, ChallengeResponses: resp})
	}
	// SECRET_HASH is checked on every call that carries a username, the challenge too.
	_, err = answer("")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Client "+clientID+" is configured with secret but SECRET_HASH was not received")
	init2, _ := start(map[string]string{"SECRET_HASH": ac.SecretHash("erin")})
	init, p = init2, init2.ChallengeParameters
	r, _ = c.Respond(srp.Challenge{Realm: poolID[len("us-east-1_"):], UserID: p["USER_ID_FOR_SRP"], Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, "Passw0rd!", time.Now())
	out, err := answer(ac.SecretHash("erin"))
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("answer: %v", err)
	}
	// Refresh with the secret.
	ref, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": *out.AuthenticationResult.RefreshToken, "SECRET_HASH": ac.SecretHash("erin")}})
	if err != nil || ref.AuthenticationResult.AccessToken == nil || ref.AuthenticationResult.RefreshToken != nil {
		t.Fatalf("refresh: %v %+v", err, ref)
	}
	// A flow the client does not allow.
	_, err = e.passwordAuth(ctx, clientID, "erin", "Passw0rd!", "SECRET_HASH", ac.SecretHash("erin"))
	emulatortest.APIError(t, err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	_, err = e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "erin", "PASSWORD": "Passw0rd!"}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Auth flow not enabled for this client")
}

func TestSessionRules(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	if _, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("fay"), TemporaryPassword: aws.String("Temp0rary!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	newPw := func(session *string) error {
		_, err := e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &clientID, Session: session,
			ChallengeResponses: map[string]string{"USERNAME": "fay", "NEW_PASSWORD": "N3w-Passw0rd!"}})
		return err
	}
	init, err := e.passwordAuth(ctx, clientID, "fay", "Temp0rary!")
	if err != nil {
		t.Fatal(err)
	}
	emulatortest.APIError(t, newPw(nil), "InvalidParameterException", "Missing required parameter Session")
	emulatortest.APIError(t, newPw(aws.String("forged-session-of-twenty-chars")), "NotAuthorizedException", "")
	c.advance(3*time.Minute + time.Second) // the default AuthSessionValidity is 3 minutes
	emulatortest.APIError(t, newPw(init.Session), "NotAuthorizedException", "Invalid session for the user, session is expired.")

	// A weak new password is refused and the same session may be retried.
	init, _ = e.passwordAuth(ctx, clientID, "fay", "Temp0rary!")
	_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &clientID, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "fay", "NEW_PASSWORD": "weak"}})
	emulatortest.APIError(t, err, "InvalidPasswordException", "Password did not conform with policy: Password not long enough")
	if err := newPw(init.Session); err != nil {
		t.Fatal(err)
	}
	emulatortest.APIError(t, newPw(init.Session), "NotAuthorizedException", "Invalid session for the user, session can only be used once.")

	// Temporary passwords expire (7 days by default).
	if _, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("gus"), TemporaryPassword: aws.String("Temp0rary!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	c.advance(8 * 24 * time.Hour)
	_, err = e.passwordAuth(ctx, clientID, "gus", "Temp0rary!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Temporary password has expired and must be reset by an administrator.")
}

// TestPasswordVerifierChecks: the proof step refuses a stale timestamp, A ≡ 0, a
// USERNAME that is not the challenged user, a foreign secret block and a reused session.
func TestPasswordVerifierChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "hal", "Passw0rd!")
	e.User(t, poolID, "ida", "Passw0rd!")
	realm := poolID[len("us-east-1_"):]
	type mut func(a *string, resp map[string]string, when *time.Time)
	run := func(m mut) error {
		c, _ := srp.NewClient(rand.Reader)
		a := c.SRPA()
		m(&a, nil, nil)
		init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": "hal", "SRP_A": a}})
		if err != nil {
			return err
		}
		p := init.ChallengeParameters
		when := time.Now()
		m(nil, nil, &when)
		r, err := c.Respond(srp.Challenge{Realm: realm, UserID: p["USER_ID_FOR_SRP"], Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, "Passw0rd!", when)
		if err != nil {
			return err
		}
		resp := map[string]string{"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock, "PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp}
		m(nil, resp, nil)
		_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientId: &clientID, Session: init.Session, ChallengeResponses: resp})
		return err
	}
	if err := run(func(*string, map[string]string, *time.Time) {}); err != nil {
		t.Fatalf("unchanged proof: %v", err)
	}
	cases := []struct {
		name     string
		m        mut
		typ, msg string
	}{
		{"timestamp 10 minutes old", func(_ *string, _ map[string]string, w *time.Time) {
			if w != nil {
				*w = w.Add(-10 * time.Minute)
			}
		}, "NotAuthorizedException", "Incorrect username or password."},
		{"A is zero", func(a *string, _ map[string]string, _ *time.Time) {
			if a != nil {
				*a = "0"
			}
		}, "NotAuthorizedException", ""},
		{"A is N", func(a *string, _ map[string]string, _ *time.Time) {
			if a != nil {
				*a = srp.N().Text(16)
			}
		}, "NotAuthorizedException", ""},
		{"other user", func(_ *string, r map[string]string, _ *time.Time) {
			if r != nil {
				r["USERNAME"] = "ida"
			}
		}, "NotAuthorizedException", "Incorrect username or password."},
		{"malformed timestamp", func(_ *string, r map[string]string, _ *time.Time) {
			if r != nil {
				r["TIMESTAMP"] = "yesterday"
			}
		}, "InvalidParameterException", ""},
		{"changed secret block", func(_ *string, r map[string]string, _ *time.Time) {
			if r != nil {
				r["PASSWORD_CLAIM_SECRET_BLOCK"] = "AAAA" + r["PASSWORD_CLAIM_SECRET_BLOCK"][4:]
			}
		}, "NotAuthorizedException", ""},
		{"missing signature", func(_ *string, r map[string]string, _ *time.Time) {
			if r != nil {
				delete(r, "PASSWORD_CLAIM_SIGNATURE")
			}
		}, "InvalidParameterException", "Missing required parameter PASSWORD_CLAIM_SIGNATURE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { emulatortest.APIError(t, run(tc.m), tc.typ, tc.msg) })
	}
}

// TestConcurrentSignIns runs many sign-ins of one user at once (with -race): each
// succeeds, and wrong passwords among them are all refused.
func TestConcurrentSignIns(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "ivy", "Passw0rd!")
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			var err error
			if i%2 == 0 {
				_, err = e.srpSignIn(ctx, poolID, clientID, "ivy", "Passw0rd!")
			} else {
				_, err = e.passwordAuth(ctx, clientID, "ivy", "Passw0rd!")
			}
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}
