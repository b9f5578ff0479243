package driver_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/emulatortest"
)

// End-to-end sign-in tests: the driver over HTTP, through the real SDK client, against
// the embedded pool, in both dialects. Every branch the embedded pool supports.

const e2ePassword = "Passw0rd!"

// wantDone checks a completed sign-in's result and returns its tokens.
func wantDone(t *testing.T, a *driver.Auth, res driver.Result, err error, canonical string) *driver.Tokens {
	t.Helper()
	if err != nil {
		t.Fatalf("sign-in failed: %v", err)
	}
	if !res.IsSignedIn || res.NextStep.SignInStep != driver.Done || res.NextStep.JSStep() != "DONE" || res.Tokens == nil {
		t.Fatalf("result = %+v, want done with tokens", res)
	}
	tk := res.Tokens
	if tk.IDToken == "" || tk.AccessToken == "" || tk.RefreshToken == "" || tk.ExpiresIn <= 0 {
		t.Fatalf("tokens incomplete: id %t access %t refresh %t expiresIn %d", tk.IDToken != "", tk.AccessToken != "", tk.RefreshToken != "", tk.ExpiresIn)
	}
	if tk.Username != canonical {
		t.Errorf("Tokens.Username = %q, want the canonical %q", tk.Username, canonical)
	}
	if held := a.Tokens(); held == nil || *held != *tk {
		t.Errorf("Auth.Tokens() = %v, want the result's tokens", held)
	}
	id := emulatortest.Claims(t, tk.IDToken)
	if id["cognito:username"] != canonical || id["token_use"] != "id" {
		t.Errorf("id token: cognito:username %v, token_use %v; want %q, id", id["cognito:username"], id["token_use"], canonical)
	}
	ac := emulatortest.Claims(t, tk.AccessToken)
	if ac["username"] != canonical || ac["token_use"] != "access" {
		t.Errorf("access token: username %v, token_use %v; want %q, access", ac["username"], ac["token_use"], canonical)
	}
	return tk
}

// wantServiceError checks err is a *ServiceError with the operation, name and message.
func wantServiceError(t *testing.T, err error, op, name, msg string) *driver.ServiceError {
	t.Helper()
	var se *driver.ServiceError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v (%T), want *driver.ServiceError", err, err)
	}
	if se.Operation != op || se.Name != name || (msg != "" && se.Message != msg) {
		t.Fatalf("ServiceError = {%s %s %q}, want {%s %s %q}", se.Operation, se.Name, se.Message, op, name, msg)
	}
	if !driver.IsServiceError(err, name) {
		t.Errorf("IsServiceError(err, %q) = false", name)
	}
	return se
}

func TestE2ESignInDone(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	p.user(t, "alice", e2ePassword, false, "email", "alice@example.com")
	for _, d := range e2eDialects {
		for _, flow := range []driver.AuthFlow{driver.UserSRPAuth, driver.UserPasswordAuth} {
			t.Run(d.String()+"/"+string(flow), func(t *testing.T) {
				spy := &e2eSpy{}
				c := p.clientWith(t, d, e2eClientOpts{wrap: spyOn(spy)})
				a := c.NewAuth()
				ctx, obs := e2eObserve()
				res, err := a.SignIn(ctx, "alice", e2ePassword, driver.SignInOptions{Flow: flow})
				tk := wantDone(t, a, res, err, "alice")
				id := emulatortest.Claims(t, tk.IDToken)
				if id["aud"] != p.clientID || id["email"] != "alice@example.com" {
					t.Errorf("id token aud %v email %v", id["aud"], id["email"])
				}

				// The calls made: SRP is InitiateAuth + PASSWORD_VERIFIER, the password
				// flow InitiateAuth alone.
				wantOps := []string{"InitiateAuth", "RespondToAuthChallenge"}
				if flow == driver.UserPasswordAuth {
					wantOps = wantOps[:1]
				}
				if got := obs.calls(); !reflect.DeepEqual(got, wantOps) {
					t.Errorf("observed calls %v, want %v", got, wantOps)
				}
				if (obs.srp > 0) != (flow == driver.UserSRPAuth) {
					t.Errorf("SRP time %v for flow %s", obs.srp, flow)
				}
				in := spy.initiate[0]
				ap := in.AuthParameters
				if string(in.AuthFlow) != string(flow) || aws.ToString(in.ClientId) != p.clientID || ap["USERNAME"] != "alice" || ap["SECRET_HASH"] != "" {
					t.Errorf("InitiateAuth %s %v", in.AuthFlow, ap)
				}
				if flow == driver.UserSRPAuth {
					if ap["SRP_A"] == "" || ap["PASSWORD"] != "" {
						t.Errorf("SRP InitiateAuth params %v", keys(ap))
					}
					r := spy.respond[0]
					cr := r.ChallengeResponses
					if r.ChallengeName != types.ChallengeNameTypePasswordVerifier || r.Session == nil || cr["USERNAME"] != "alice" ||
						cr["PASSWORD_CLAIM_SIGNATURE"] == "" || cr["PASSWORD_CLAIM_SECRET_BLOCK"] == "" || cr["TIMESTAMP"] == "" {
						t.Errorf("PASSWORD_VERIFIER answer %s %v", r.ChallengeName, keys(cr))
					}
				} else if ap["PASSWORD"] != e2ePassword || ap["SRP_A"] != "" {
					t.Errorf("USER_PASSWORD_AUTH params %v", keys(ap))
				}

				// The access token works.
				u, err := p.getUser(tk.AccessToken)
				if err != nil || aws.ToString(u.Username) != "alice" {
					t.Fatalf("GetUser: %v", err)
				}
			})
		}
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A client with a secret, and a user signing in by a verified email alias: SECRET_HASH
// in InitiateAuth is over the name typed, in every challenge answer over the canonical
// username Cognito returned (spec §3.5), and the driver learns the canonical name.
func TestE2ESecretHashAlias(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{
		create: func(in *cip.CreateUserPoolInput) {
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		},
		client: func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true },
	})
	if p.secret == "" {
		t.Fatal("the app client has no secret")
	}
	p.user(t, "carol", e2ePassword, false, "email", "carol@example.com", "email_verified", "true")
	for _, d := range e2eDialects {
		for _, flow := range []driver.AuthFlow{driver.UserSRPAuth, driver.UserPasswordAuth} {
			for _, typed := range []string{"carol", "carol@example.com"} {
				t.Run(d.String()+"/"+string(flow)+"/"+typed, func(t *testing.T) {
					spy := &e2eSpy{}
					a := p.clientWith(t, d, e2eClientOpts{wrap: spyOn(spy)}).NewAuth()
					res, err := a.SignIn(context.Background(), typed, e2ePassword, driver.SignInOptions{Flow: flow})
					wantDone(t, a, res, err, "carol")
					checkSecretHashes(t, p, spy, typed, "carol")

					// Refresh sends SECRET_HASH too, and the new access token works.
					nt, err := a.Refresh(context.Background())
					if err != nil {
						t.Fatalf("Refresh: %v", err)
					}
					if _, err := p.getUser(nt.AccessToken); err != nil {
						t.Fatalf("GetUser with the refreshed token: %v", err)
					}
					// Local sign-out revokes with the client secret.
					if err := a.SignOut(context.Background(), false); err != nil {
						t.Fatalf("SignOut: %v", err)
					}
				})
			}
		}
	}

	// A temporary password through the alias: the NEW_PASSWORD_REQUIRED answer also
	// carries the canonical USERNAME and its SECRET_HASH.
	for i, d := range e2eDialects {
		t.Run(d.String()+"/new-password", func(t *testing.T) {
			name, email := []string{"erin", "frank"}[i], []string{"erin@example.com", "frank@example.com"}[i]
			p.user(t, name, "Temp0rary!", true, "email", email, "email_verified", "true")
			spy := &e2eSpy{}
			a := p.clientWith(t, d, e2eClientOpts{wrap: spyOn(spy)}).NewAuth()
			res, err := a.SignIn(context.Background(), email, "Temp0rary!", driver.SignInOptions{})
			if err != nil || res.NextStep.SignInStep != driver.ConfirmSignInWithNewPassword {
				t.Fatalf("SignIn = %+v, %v", res, err)
			}
			res, err = a.ConfirmSignIn(context.Background(), e2ePassword, driver.ConfirmOptions{})
			wantDone(t, a, res, err, name)
			if len(spy.respond) != 2 || spy.respond[1].ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
				t.Fatalf("challenge answers: %d", len(spy.respond))
			}
			checkSecretHashes(t, p, spy, email, name)
		})
	}

	// Without the secret, or with a wrong one, Cognito refuses before anything else.
	for _, d := range e2eDialects {
		t.Run(d.String()+"/no-secret", func(t *testing.T) {
			for _, tc := range []struct{ secret, msg string }{
				{"", "Client " + p.clientID + " is configured with secret but SECRET_HASH was not received"},
				{"not-the-secret", "Unable to verify secret hash for client " + p.clientID},
			} {
				a := mustNew(t, p, d, p.clientID, tc.secret).NewAuth()
				_, err := a.SignIn(context.Background(), "carol", e2ePassword, driver.SignInOptions{})
				var nae *types.NotAuthorizedException
				wantServiceError(t, err, "InitiateAuth", "NotAuthorizedException", tc.msg)
				if !errors.As(err, &nae) {
					t.Errorf("errors.As(*types.NotAuthorizedException) failed for %v", err)
				}
			}
		})
	}
}

// mustNew builds a driver client for an explicit app client id and secret.
func mustNew(t *testing.T, p *pool, d driver.Dialect, clientID, secret string) *driver.Client {
	t.Helper()
	c, err := driver.New(driver.NewSDKClient(p.id, driver.Endpoint{URL: p.Srv.Endpoint(), Retries: 1}),
		driver.Config{PoolID: p.id, ClientID: clientID, ClientSecret: secret, Dialect: d})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkSecretHashes(t *testing.T, p *pool, spy *e2eSpy, typed, canonical string) {
	t.Helper()
	for _, in := range spy.initiate {
		if got, want := in.AuthParameters["SECRET_HASH"], secretHashOf(p.secret, typed, p.clientID); got != want {
			t.Errorf("InitiateAuth SECRET_HASH = %q, want the hash over the typed %q", got, typed)
		}
	}
	for _, in := range spy.respond {
		cr := in.ChallengeResponses
		if cr["USERNAME"] != canonical {
			t.Errorf("%s USERNAME = %q, want the canonical %q", in.ChallengeName, cr["USERNAME"], canonical)
		}
		if got, want := cr["SECRET_HASH"], secretHashOf(p.secret, canonical, p.clientID); got != want {
			t.Errorf("%s SECRET_HASH = %q, want the hash over the canonical %q", in.ChallengeName, got, canonical)
		}
	}
}

// NEW_PASSWORD_REQUIRED with a required attribute the user lacks: missingAttributes,
// a rejected answer without it (retried on the same session), then done. Flutter
// sends only the required attributes in the challenge and writes the rest with
// UpdateUserAttributes; JS sends them all in the challenge.
func TestE2ENewPasswordRequired(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{create: func(in *cip.CreateUserPoolInput) {
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("name"), Required: aws.Bool(true), Mutable: aws.Bool(true)}}
	}})
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			user := "np-" + d.String()
			p.user(t, user, "Temp0rary!", true, "email", user+"@example.com")
			spy := &e2eSpy{}
			a := p.clientWith(t, d, e2eClientOpts{wrap: spyOn(spy)}).NewAuth()
			ctx := context.Background()
			res, err := a.SignIn(ctx, user, "Temp0rary!", driver.SignInOptions{})
			if err != nil {
				t.Fatal(err)
			}
			n := res.NextStep
			if res.IsSignedIn || res.Tokens != nil || n.SignInStep != driver.ConfirmSignInWithNewPassword || n.JSStep() != "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED" {
				t.Fatalf("SignIn = %+v", res)
			}
			if !reflect.DeepEqual(n.MissingAttributes, []string{"name"}) {
				t.Errorf("MissingAttributes = %q, want [name]", n.MissingAttributes)
			}
			if d == driver.Flutter {
				var cur map[string]string
				if n.AdditionalInfo["requiredAttributes"] != `["userAttributes.name"]` ||
					json.Unmarshal([]byte(n.AdditionalInfo["userAttributes"]), &cur) != nil || cur["email"] != user+"@example.com" {
					t.Errorf("Flutter AdditionalInfo = %v", n.AdditionalInfo)
				}
			} else if n.AdditionalInfo != nil {
				t.Errorf("JS AdditionalInfo = %v, want none", n.AdditionalInfo)
			}

			// Without the required attribute: Cognito's error, the step stays pending.
			_, err = a.ConfirmSignIn(ctx, e2ePassword, driver.ConfirmOptions{UserAttributes: map[string]string{"family_name": "Doe"}})
			wantServiceError(t, err, "RespondToAuthChallenge", "InvalidParameterException", "Invalid attributes given, name is missing")

			octx, obs := e2eObserve()
			res, err = a.ConfirmSignIn(octx, e2ePassword, driver.ConfirmOptions{UserAttributes: map[string]string{"name": "Dana", "family_name": "Doe"}})
			tk := wantDone(t, a, res, err, user)

			last := spy.respond[len(spy.respond)-1].ChallengeResponses
			if last["NEW_PASSWORD"] != e2ePassword || last["userAttributes.name"] != "Dana" {
				t.Errorf("NEW_PASSWORD_REQUIRED answer %v", keys(last))
			}
			wantOps := []string{"RespondToAuthChallenge"}
			if d == driver.Flutter {
				wantOps = append(wantOps, "UpdateUserAttributes")
				if _, sent := last["userAttributes.family_name"]; sent {
					t.Error("Flutter sent the non-required family_name in the challenge")
				}
				if len(spy.updates) != 1 || len(spy.updates[0].UserAttributes) != 1 || aws.ToString(spy.updates[0].UserAttributes[0].Name) != "family_name" ||
					aws.ToString(spy.updates[0].AccessToken) != tk.AccessToken {
					t.Errorf("Flutter's UpdateUserAttributes: %d calls", len(spy.updates))
				}
			} else {
				if last["userAttributes.family_name"] != "Doe" {
					t.Error("JS did not send family_name in the challenge")
				}
				if len(spy.updates) != 0 {
					t.Error("JS called UpdateUserAttributes")
				}
			}
			if got := obs.calls(); !reflect.DeepEqual(got, wantOps) {
				t.Errorf("calls %v, want %v", got, wantOps)
			}

			// The pool has both attributes, whichever way they went.
			at := p.attrs(t, user)
			if at["name"] != "Dana" || at["family_name"] != "Doe" || at["@status"] != "CONFIRMED" {
				t.Errorf("AdminGetUser: name %q family_name %q status %s", at["name"], at["family_name"], at["@status"])
			}

			// The new password is the password now.
			if err := a.SignOut(ctx, false); err != nil {
				t.Fatal(err)
			}
			res, err = a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
			wantDone(t, a, res, err, user)
		})
	}
}

// UserNotConfirmedException and PasswordResetRequiredException become steps, with no
// error and nothing left pending (spec §5.4).
func TestE2EExceptionSteps(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	ctx := context.Background()
	if _, err := p.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &p.clientID, Username: aws.String("uma"), Password: aws.String(e2ePassword),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("uma@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	p.user(t, "rita", e2ePassword, false, "email", "rita@example.com", "email_verified", "true")
	if _, err := p.IDP.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &p.id, Username: aws.String("rita")}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		user, password string
		flow           driver.AuthFlow
		step           driver.Step
		js             string
	}{
		{"uma", e2ePassword, driver.UserSRPAuth, driver.ConfirmSignUp, "CONFIRM_SIGN_UP"},
		{"uma", e2ePassword, driver.UserPasswordAuth, driver.ConfirmSignUp, "CONFIRM_SIGN_UP"},
		// Cognito says "not confirmed" even for a wrong password (spec §5.2).
		{"uma", "Wr0ng-password", driver.UserPasswordAuth, driver.ConfirmSignUp, "CONFIRM_SIGN_UP"},
		{"rita", e2ePassword, driver.UserSRPAuth, driver.ResetPassword, "RESET_PASSWORD"},
		{"rita", e2ePassword, driver.UserPasswordAuth, driver.ResetPassword, "RESET_PASSWORD"},
	}
	for _, d := range e2eDialects {
		for _, tc := range cases {
			t.Run(d.String()+"/"+tc.user+"/"+string(tc.flow), func(t *testing.T) {
				a := p.client(t, d).NewAuth()
				res, err := a.SignIn(ctx, tc.user, tc.password, driver.SignInOptions{Flow: tc.flow})
				if err != nil {
					t.Fatalf("SignIn error %v, want the %s step", err, tc.step)
				}
				if res.IsSignedIn || res.Tokens != nil || res.NextStep.SignInStep != tc.step || res.NextStep.JSStep() != tc.js || a.Tokens() != nil {
					t.Fatalf("SignIn = %+v, want step %s", res, tc.step)
				}
				// Nothing is pending: the app must confirm the sign-up / reset the password.
				var se *driver.StateError
				if _, err := a.ConfirmSignIn(ctx, "x", driver.ConfirmOptions{}); !errors.As(err, &se) {
					t.Fatalf("ConfirmSignIn after %s: %v, want a StateError", tc.step, err)
				}
			})
		}
	}
}

// Service errors keep Cognito's name, message and operation, and wrap the SDK's typed
// exception.
func TestE2EServiceErrors(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{client: func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}})
	legacyID, _ := p.addClient(t, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesLegacy
	})
	p.user(t, "dave", e2ePassword, false)
	ctx := context.Background()
	if _, err := p.IDP.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &p.id, Username: aws.String("dave")}); err != nil {
		t.Fatal(err)
	}
	const incorrect = "Incorrect username or password."
	type tc struct {
		name, user, password string
		flow                 driver.AuthFlow
		legacy               bool
		op, errName, msg     string
		typed                any
	}
	cases := []tc{
		{"wrong-password/srp", "", "Wr0ng-password", driver.UserSRPAuth, false, "RespondToAuthChallenge", "NotAuthorizedException", incorrect, new(*types.NotAuthorizedException)},
		{"wrong-password/password", "", "Wr0ng-password", driver.UserPasswordAuth, false, "InitiateAuth", "NotAuthorizedException", incorrect, new(*types.NotAuthorizedException)},
		// PreventUserExistenceErrors ENABLED (set on the main client): a simulated challenge, then
		// the generic error (spec §5.3).
		{"unknown/srp", "nobody", e2ePassword, driver.UserSRPAuth, false, "RespondToAuthChallenge", "NotAuthorizedException", incorrect, new(*types.NotAuthorizedException)},
		{"unknown/password", "nobody", e2ePassword, driver.UserPasswordAuth, false, "InitiateAuth", "NotAuthorizedException", incorrect, new(*types.NotAuthorizedException)},
		{"unknown/legacy/srp", "nobody", e2ePassword, driver.UserSRPAuth, true, "InitiateAuth", "UserNotFoundException", "User does not exist.", new(*types.UserNotFoundException)},
		{"unknown/legacy/password", "nobody", e2ePassword, driver.UserPasswordAuth, true, "InitiateAuth", "UserNotFoundException", "User does not exist.", new(*types.UserNotFoundException)},
		{"disabled/srp", "dave", e2ePassword, driver.UserSRPAuth, false, "InitiateAuth", "NotAuthorizedException", "User is disabled.", new(*types.NotAuthorizedException)},
		{"disabled/password", "dave", e2ePassword, driver.UserPasswordAuth, false, "InitiateAuth", "NotAuthorizedException", "User is disabled.", new(*types.NotAuthorizedException)},
	}
	for _, d := range e2eDialects {
		// One user per dialect for the wrong passwords, well under the lockout.
		wrongUser := "wendy-" + d.String()
		p.user(t, wrongUser, e2ePassword, false)
		for _, c := range cases {
			t.Run(d.String()+"/"+c.name, func(t *testing.T) {
				user := c.user
				if user == "" {
					user = wrongUser
				}
				cl := p.client(t, d)
				if c.legacy {
					cl = mustNew(t, p, d, legacyID, "")
				}
				a := cl.NewAuth()
				res, err := a.SignIn(ctx, user, c.password, driver.SignInOptions{Flow: c.flow})
				wantServiceError(t, err, c.op, c.errName, c.msg)
				if !errors.As(err, c.typed) {
					t.Errorf("errors.As(%T) failed for %v", c.typed, err)
				}
				if res.IsSignedIn || a.Tokens() != nil {
					t.Fatalf("signed in after an error: %+v", res)
				}
				// A failed signIn leaves nothing pending.
				var se *driver.StateError
				if _, err := a.ConfirmSignIn(ctx, "x", driver.ConfirmOptions{}); !errors.As(err, &se) {
					t.Errorf("ConfirmSignIn after a failed SignIn: %v", err)
				}
				// The same Auth signs in once the password is right.
				if user == wrongUser {
					res, err := a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{Flow: c.flow})
					wantDone(t, a, res, err, user)
				}
			})
		}
	}
}

// Requests the clients refuse before any network call: no request reaches the SDK
// (the spy) or the wire (the timing middleware's observer).
func TestE2EValidationBeforeNetwork(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	cases := []struct {
		name, user, password string
		flow                 driver.AuthFlow
		flutter, js          string
	}{
		{"srp/no-password", "alice", "", driver.UserSRPAuth, "InvalidParameterException", "EmptySignInPassword"},
		{"default-flow/no-password", "alice", "", "", "InvalidParameterException", "EmptySignInPassword"},
		{"password/no-password", "alice", "", driver.UserPasswordAuth, "InvalidParameterException", "EmptySignInPassword"},
		{"custom-srp/no-password", "alice", "", driver.CustomWithSRP, "AuthValidationException", "EmptySignInPassword"},
		{"custom-without-srp/password", "alice", e2ePassword, driver.CustomWithoutSRP, "AuthValidationException", "CustomAuthSignInPassword"},
		{"no-username", "", e2ePassword, driver.UserSRPAuth, "InvalidParameterException", "EmptySignInUsername"},
	}
	for _, d := range e2eDialects {
		for _, c := range cases {
			t.Run(d.String()+"/"+c.name, func(t *testing.T) {
				spy := &e2eSpy{}
				a := p.clientWith(t, d, e2eClientOpts{wrap: spyOn(spy)}).NewAuth()
				ctx, obs := e2eObserve()
				_, err := a.SignIn(ctx, c.user, c.password, driver.SignInOptions{Flow: c.flow})
				var ve *driver.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("err = %v (%T), want *driver.ValidationError", err, err)
				}
				want := c.flutter
				if d == driver.JS {
					want = c.js
				}
				if ve.Name != want {
					t.Errorf("ValidationError.Name = %q, want %q", ve.Name, want)
				}
				if len(spy.calls) != 0 || len(obs.calls()) != 0 || obs.srp != 0 {
					t.Errorf("network/SRP work before validation: spy %v, observer %v, srp %v", spy.calls, obs.calls(), obs.srp)
				}
			})
		}
	}
}

// Calls in the wrong state: the dialect's exception, and no request.
func TestE2EStateErrors(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	p.user(t, "alice", e2ePassword, false)
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			spy := &e2eSpy{}
			a := p.clientWith(t, d, e2eClientOpts{wrap: spyOn(spy)}).NewAuth()
			ctx, obs := e2eObserve()

			_, err := a.ConfirmSignIn(ctx, "123456", driver.ConfirmOptions{})
			var se *driver.StateError
			if !errors.As(err, &se) {
				t.Fatalf("ConfirmSignIn with nothing pending: %v (%T)", err, err)
			}
			want := map[driver.Dialect]string{driver.Flutter: "AuthPreconditionException", driver.JS: "SignInException"}[d]
			if se.Name != want {
				t.Errorf("ConfirmSignIn StateError %q, want %q", se.Name, want)
			}
			if len(spy.calls) != 0 || len(obs.calls()) != 0 {
				t.Errorf("requests made: %v", spy.calls)
			}

			res, err := a.SignIn(context.Background(), "alice", e2ePassword, driver.SignInOptions{})
			first := wantDone(t, a, res, err, "alice")

			ctx, obs = e2eObserve()
			_, err = a.SignIn(ctx, "alice", e2ePassword, driver.SignInOptions{})
			if !errors.As(err, &se) {
				t.Fatalf("SignIn while signed in: %v (%T)", err, err)
			}
			want = map[driver.Dialect]string{driver.Flutter: "InvalidStateException", driver.JS: "UserAlreadyAuthenticatedException"}[d]
			if se.Name != want {
				t.Errorf("SignIn StateError %q, want %q", se.Name, want)
			}
			if len(obs.calls()) != 0 || obs.srp != 0 {
				t.Errorf("requests made: %v", obs.calls())
			}
			if held := a.Tokens(); held == nil || *held != *first {
				t.Error("the signed-in user's tokens changed")
			}
		})
	}
}
