package emulator_test

import (
	"context"
	"crypto/rand"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// userAuthPool creates a pool whose sign-in policy allows factors and a client that
// allows USER_AUTH (and has a secret if asked, and PreventUserExistenceErrors).
func (e *env) userAuthPool(t *testing.T, factors []types.AuthFactorType, secret, prevent bool) (poolID, clientID, clientSecret string) {
	t.Helper()
	return e.Pool(t, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) {
			in.AutoVerifiedAttributes = []types.VerifiedAttributeType{"email"}
			if factors != nil {
				in.Policies = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: factors}}
			}
		},
		Client: func(in *cip.CreateUserPoolClientInput) {
			in.ExplicitAuthFlows = append(in.ExplicitAuthFlows, "ALLOW_USER_AUTH")
			in.GenerateSecret = secret
			in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesLegacy
			if prevent {
				in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
			}
		},
	})
}

var allFactors = []types.AuthFactorType{"PASSWORD", "EMAIL_OTP", "SMS_OTP"}

func (e *env) userAuth(ctx context.Context, clientID string, params map[string]string, session *string) (*cip.InitiateAuthOutput, error) {
	return e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: &clientID, AuthParameters: params, Session: session})
}

func (e *env) answer(ctx context.Context, clientID string, name types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
	return e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: name, ClientId: &clientID, Session: session, ChallengeResponses: resp})
}

func available(out *cip.InitiateAuthOutput) []string {
	var s []string
	for _, c := range out.AvailableChallenges {
		s = append(s, string(c))
	}
	return s
}

func wantTokens(t *testing.T, what string, out *cip.RespondToAuthChallengeOutput, err error) {
	t.Helper()
	if err != nil || out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("%s: %v %+v", what, err, out)
	}
}

// answerVerifier computes and sends the PASSWORD_VERIFIER answer of a challenge.
func (e *env) answerVerifier(t *testing.T, poolID, clientID string, c *srp.Client, params map[string]string, session *string, password string) (*cip.RespondToAuthChallengeOutput, error) {
	t.Helper()
	realm, _ := srp.PoolName(poolID)
	r, err := c.Respond(srp.Challenge{Realm: realm, UserID: params["USER_ID_FOR_SRP"], Salt: params["SALT"], B: params["SRP_B"], SecretBlock: params["SECRET_BLOCK"]}, password, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e.answer(context.Background(), clientID, types.ChallengeNameTypePasswordVerifier, session, map[string]string{
		"USERNAME": params["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock, "PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp,
	})
}

// TestUserAuthSelectChallenge: USER_AUTH without a preference offers the first
// factors the pool allows and the user can use, and each choice signs in.
func TestUserAuthSelectChallenge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.userAuthPool(t, allFactors, false, false)
	e.User(t, poolID, "amy", "Passw0rd!", "email", "amy@example.com", "email_verified", "true", "phone_number", "+15555550100")
	e.User(t, poolID, "bob", "Passw0rd!", "email", "bob@example.com")

	// The offer follows the user's attributes.
	for _, tc := range []struct {
		user string
		want []string
	}{
		{"amy", []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}},
		{"bob", []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}},
	} {
		out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": tc.user}, nil)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || out.Session == nil || !slices.Equal(available(out), tc.want) {
			t.Fatalf("%s: %v %+v", tc.user, err, out)
		}
	}
	selectFor := func(t *testing.T) *string {
		t.Helper()
		out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "amy"}, nil)
		if err != nil || out.ChallengeParameters["USERNAME"] != "amy" {
			t.Fatalf("SELECT_CHALLENGE: %v %+v", err, out)
		}
		return out.Session
	}

	t.Run("EMAIL_OTP", func(t *testing.T) {
		s := selectFor(t)
		out, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, s, map[string]string{"USERNAME": "amy", "ANSWER": "EMAIL_OTP"})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp || out.Session == nil ||
			out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "a***@e***" {
			t.Fatalf("EMAIL_OTP: %v %+v", err, out)
		}
		msgs := e.Outbox(t, poolID, "amy", "OTP")
		if len(msgs) == 0 || msgs[0].Medium != "EMAIL" || msgs[0].Destination != "amy@example.com" {
			t.Fatalf("outbox: %+v", msgs)
		}
		code := msgs[0].Code
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		_, err = e.answer(ctx, clientID, types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "amy", "EMAIL_OTP_CODE": wrong})
		emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
		_, err = e.answer(ctx, clientID, types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "amy"})
		emulatortest.APIError(t, err, "InvalidParameterException", "Missing required parameter EMAIL_OTP_CODE")
		done, err := e.answer(ctx, clientID, types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "amy", "EMAIL_OTP_CODE": code})
		wantTokens(t, "right code after a wrong one", done, err)
		_, err = e.answer(ctx, clientID, types.ChallengeNameTypeEmailOtp, out.Session, map[string]string{"USERNAME": "amy", "EMAIL_OTP_CODE": code})
		emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
	})

	t.Run("SMS_OTP", func(t *testing.T) {
		out, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, selectFor(t), map[string]string{"USERNAME": "amy", "ANSWER": "SMS_OTP"})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSmsOtp || out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0100" {
			t.Fatalf("SMS_OTP: %v %+v", err, out)
		}
		m := e.Outbox(t, poolID, "amy", "OTP")
		if m[0].Medium != "SMS" || m[0].Destination != "+15555550100" {
			t.Fatalf("outbox %+v", m[0])
		}
		done, err := e.answer(ctx, clientID, types.ChallengeNameTypeSmsOtp, out.Session, map[string]string{"USERNAME": "amy", "SMS_OTP_CODE": m[0].Code})
		wantTokens(t, "SMS_OTP", done, err)
	})

	t.Run("PASSWORD", func(t *testing.T) {
		s := selectFor(t)
		_, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, s, map[string]string{"USERNAME": "amy", "ANSWER": "PASSWORD"})
		emulatortest.APIError(t, err, "InvalidParameterException", "Missing required parameter PASSWORD")
		done, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, s, map[string]string{"USERNAME": "amy", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
		wantTokens(t, "PASSWORD", done, err)
		_, err = e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, selectFor(t), map[string]string{"USERNAME": "amy", "ANSWER": "PASSWORD", "PASSWORD": "Wr0ng-pass!"})
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("PASSWORD_SRP", func(t *testing.T) {
		c, err := srp.NewClient(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		out, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, selectFor(t), map[string]string{"USERNAME": "amy", "ANSWER": "PASSWORD_SRP", "SRP_A": c.SRPA()})
		if err != nil || out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
			t.Fatalf("PASSWORD_SRP: %v %+v", err, out)
		}
		done, err := e.answerVerifier(t, poolID, clientID, c, out.ChallengeParameters, out.Session, "Passw0rd!")
		wantTokens(t, "PASSWORD_VERIFIER", done, err)
	})

	t.Run("choices refused", func(t *testing.T) {
		s := selectFor(t)
		for _, tc := range []struct {
			resp     map[string]string
			typ, msg string
		}{
			{map[string]string{"USERNAME": "amy"}, "InvalidParameterException", "Missing required parameter ANSWER"},
			{map[string]string{"USERNAME": "amy", "ANSWER": "WEB_AUTHN"}, "InvalidParameterException", "The challenge WEB_AUTHN is not available for this user."},
			{map[string]string{"USERNAME": "amy", "ANSWER": "PASSWORD_SRP"}, "InvalidParameterException", "Missing required parameter SRP_A"},
		} {
			_, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, s, tc.resp)
			emulatortest.APIError(t, err, tc.typ, tc.msg)
		}
		// Each refusal left the session usable; another user's name does not.
		_, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, s, map[string]string{"USERNAME": "bob", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		_, err = e.answer(ctx, clientID, types.ChallengeNameTypeEmailOtp, selectFor(t), map[string]string{"USERNAME": "amy", "EMAIL_OTP_CODE": "123456"})
		emulatortest.APIError(t, err, "InvalidParameterException", "Invalid challenge name: expected SELECT_CHALLENGE, got EMAIL_OTP")
	})
}

// TestUserAuthPreferred: PREFERRED_CHALLENGE starts that factor at once; with the
// password in AuthParameters (JS) PASSWORD and PASSWORD_SRP complete in the same
// round trip; without (Flutter) the pool asks for the password, and an answer named
// SELECT_CHALLENGE or PASSWORD is accepted.
func TestUserAuthPreferred(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.userAuthPool(t, allFactors, false, false)
	e.User(t, poolID, "cat", "Passw0rd!", "email", "cat@example.com", "email_verified", "true", "phone_number", "+15555550101")
	e.User(t, poolID, "dan", "Passw0rd!")

	out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "cat", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"}, nil)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("PASSWORD in AuthParameters: %v %+v", err, out)
	}
	_, err = e.userAuth(ctx, clientID, map[string]string{"USERNAME": "cat", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Wr0ng-pass!"}, nil)
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	c, _ := srp.NewClient(rand.Reader)
	out, err = e.userAuth(ctx, clientID, map[string]string{"USERNAME": "cat", "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": c.SRPA()}, nil)
	if err != nil || out.ChallengeName != types.ChallengeNameTypePasswordVerifier {
		t.Fatalf("PASSWORD_SRP with SRP_A: %v %+v", err, out)
	}
	done, err := e.answerVerifier(t, poolID, clientID, c, out.ChallengeParameters, out.Session, "Passw0rd!")
	wantTokens(t, "PASSWORD_SRP", done, err)

	for _, tc := range []struct {
		pref, name string
	}{
		{"PASSWORD", "SELECT_CHALLENGE"}, {"PASSWORD", "PASSWORD"}, {"PASSWORD_SRP", "SELECT_CHALLENGE"}, {"PASSWORD_SRP", "PASSWORD_SRP"},
	} {
		t.Run(tc.pref+" answered as "+tc.name, func(t *testing.T) {
			out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "cat", "PREFERRED_CHALLENGE": tc.pref}, nil)
			if err != nil || string(out.ChallengeName) != tc.pref || out.Session == nil {
				t.Fatalf("InitiateAuth: %v %+v", err, out)
			}
			resp := map[string]string{"USERNAME": "cat"}
			if tc.name == "SELECT_CHALLENGE" {
				resp["ANSWER"] = tc.pref
			}
			if tc.pref == "PASSWORD" {
				resp["PASSWORD"] = "Passw0rd!"
				done, err := e.answer(ctx, clientID, types.ChallengeNameType(tc.name), out.Session, resp)
				wantTokens(t, "password", done, err)
				return
			}
			c, _ := srp.NewClient(rand.Reader)
			resp["SRP_A"] = c.SRPA()
			pv, err := e.answer(ctx, clientID, types.ChallengeNameType(tc.name), out.Session, resp)
			if err != nil || pv.ChallengeName != types.ChallengeNameTypePasswordVerifier {
				t.Fatalf("SRP_A: %v %+v", err, pv)
			}
			done, err := e.answerVerifier(t, poolID, clientID, c, pv.ChallengeParameters, pv.Session, "Passw0rd!")
			wantTokens(t, "password verifier", done, err)
		})
	}

	t.Run("a PASSWORD challenge answered with another factor", func(t *testing.T) {
		out, _ := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "cat", "PREFERRED_CHALLENGE": "PASSWORD"}, nil)
		_, err := e.answer(ctx, clientID, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "cat", "ANSWER": "EMAIL_OTP"})
		emulatortest.APIError(t, err, "InvalidParameterException", "The challenge EMAIL_OTP is not available for this user.")
	})

	for _, tc := range []struct{ pref, medium, dest string }{
		{"EMAIL_OTP", "EMAIL", "c***@e***"}, {"SMS_OTP", "SMS", "+*******0101"},
	} {
		t.Run(tc.pref, func(t *testing.T) {
			out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "cat", "PREFERRED_CHALLENGE": tc.pref}, nil)
			if err != nil || string(out.ChallengeName) != tc.pref || out.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != tc.medium || out.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != tc.dest {
				t.Fatalf("InitiateAuth: %v %+v", err, out)
			}
			done, err := e.answer(ctx, clientID, out.ChallengeName, out.Session, map[string]string{"USERNAME": "cat", tc.pref + "_CODE": e.lastCode(t, poolID, "cat", "OTP")})
			wantTokens(t, tc.pref, done, err)
		})
	}

	// A factor the user cannot use falls back to SELECT_CHALLENGE.
	out, err = e.userAuth(ctx, clientID, map[string]string{"USERNAME": "dan", "PREFERRED_CHALLENGE": "EMAIL_OTP"}, nil)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(available(out), []string{"PASSWORD", "PASSWORD_SRP"}) {
		t.Fatalf("unusable preference: %v %+v", err, out)
	}
}

// TestUserAuthRules: the OTP rules (attempts, a newer code, expiry), the policy
// default, users who cannot sign in, unknown users, the client's flows and secret.
func TestUserAuthRules(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.userAuthPool(t, allFactors, false, false)
	e.User(t, poolID, "eve", "Passw0rd!", "email", "eve@example.com", "email_verified", "true")

	emailOTP := func(t *testing.T) *string {
		t.Helper()
		out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "eve", "PREFERRED_CHALLENGE": "EMAIL_OTP"}, nil)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeEmailOtp {
			t.Fatalf("EMAIL_OTP: %v %+v", err, out)
		}
		return out.Session
	}
	code := func(s *string, v string) error {
		_, err := e.answer(ctx, clientID, types.ChallengeNameTypeEmailOtp, s, map[string]string{"USERNAME": "eve", "EMAIL_OTP_CODE": v})
		return err
	}

	t.Run("three wrong codes end the session", func(t *testing.T) {
		s := emailOTP(t)
		right := e.lastCode(t, poolID, "eve", "OTP")
		wrong := "000000"
		if right == wrong {
			wrong = "111111"
		}
		for range 3 {
			emulatortest.APIError(t, code(s, wrong), "CodeMismatchException", "Invalid code or auth state for the user.")
		}
		emulatortest.APIError(t, code(s, right), "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
	})
	t.Run("a newer sign-in's code replaces the old one", func(t *testing.T) {
		s1 := emailOTP(t)
		old := e.lastCode(t, poolID, "eve", "OTP")
		s2 := emailOTP(t)
		emulatortest.APIError(t, code(s1, old), "CodeMismatchException", "Invalid code or auth state for the user.")
		if err := code(s2, e.lastCode(t, poolID, "eve", "OTP")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("the code expires with the session", func(t *testing.T) {
		s := emailOTP(t)
		v := e.lastCode(t, poolID, "eve", "OTP")
		c.advance(4 * time.Minute)
		emulatortest.APIError(t, code(s, v), "NotAuthorizedException", "Invalid session for the user, session is expired.")
	})

	t.Run("errors", func(t *testing.T) {
		e.User(t, poolID, "nopw", "Passw0rd!")
		if _, err := e.IDP.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: &poolID, Username: aws.String("nopw")}); err != nil {
			t.Fatal(err)
		}
		plainPool, plainClient, _ := e.Pool(t, emulatortest.PoolSpec{})
		e.User(t, plainPool, "fin", "Passw0rd!")
		_, preventClient, _ := e.userAuthPool(t, nil, false, true)
		secretPool, secretClient, secret := e.userAuthPool(t, nil, true, false)
		e.User(t, secretPool, "gil", "Passw0rd!")
		for _, tc := range []struct {
			name     string
			client   string
			params   map[string]string
			typ, msg string
		}{
			{"no USERNAME", clientID, map[string]string{}, "InvalidParameterException", "Missing required parameter USERNAME"},
			{"unknown user", clientID, map[string]string{"USERNAME": "nobody"}, "UserNotFoundException", "User does not exist."},
			{"disabled", clientID, map[string]string{"USERNAME": "nopw"}, "NotAuthorizedException", "User is disabled."},
			{"flow not allowed", plainClient, map[string]string{"USERNAME": "fin"}, "InvalidParameterException", "Auth flow not enabled for this client"},
			{"no SECRET_HASH", secretClient, map[string]string{"USERNAME": "gil"}, "NotAuthorizedException", "Client " + secretClient + " is configured with secret but SECRET_HASH was not received"},
			{"wrong SECRET_HASH", secretClient, map[string]string{"USERNAME": "gil", "SECRET_HASH": "AAAA"}, "NotAuthorizedException", "Unable to verify secret hash for client " + secretClient},
			{"unknown user, prevented, wrong password", preventClient, map[string]string{"USERNAME": "nobody", "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": "Passw0rd!"}, "NotAuthorizedException", "Incorrect username or password."},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.userAuth(ctx, tc.client, tc.params, nil)
				emulatortest.APIError(t, err, tc.typ, tc.msg)
			})
		}
		// With the secret, the default policy offers the password factors.
		app := srp.AppClient{ID: secretClient, Secret: secret}
		out, err := e.userAuth(ctx, secretClient, map[string]string{"USERNAME": "gil", "SECRET_HASH": app.SecretHash("gil")}, nil)
		if err != nil || !slices.Equal(available(out), []string{"PASSWORD", "PASSWORD_SRP"}) {
			t.Fatalf("secret client: %v %+v", err, out)
		}
		_, err = e.answer(ctx, secretClient, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "gil", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
		emulatortest.APIError(t, err, "NotAuthorizedException", "Client "+secretClient+" is configured with secret but SECRET_HASH was not received")
		done, err := e.answer(ctx, secretClient, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "gil", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!", "SECRET_HASH": app.SecretHash("gil")})
		wantTokens(t, "with SECRET_HASH", done, err)
	})

	t.Run("unknown user, prevented", func(t *testing.T) {
		_, preventClient, _ := e.userAuthPool(t, allFactors, false, true)
		out, err := e.userAuth(ctx, preventClient, map[string]string{"USERNAME": "ghost"}, nil)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeSelectChallenge || !slices.Equal(available(out), []string{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "SMS_OTP"}) {
			t.Fatalf("simulated SELECT_CHALLENGE: %v %+v", err, out)
		}
		otp, err := e.answer(ctx, preventClient, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "ghost", "ANSWER": "EMAIL_OTP"})
		if err != nil || otp.ChallengeName != types.ChallengeNameTypeEmailOtp || otp.ChallengeParameters["CODE_DELIVERY_DESTINATION"] == "" {
			t.Fatalf("simulated EMAIL_OTP: %v %+v", err, otp)
		}
		_, err = e.answer(ctx, preventClient, types.ChallengeNameTypeEmailOtp, otp.Session, map[string]string{"USERNAME": "ghost", "EMAIL_OTP_CODE": "123456"})
		emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
		out, _ = e.userAuth(ctx, preventClient, map[string]string{"USERNAME": "ghost"}, nil)
		_, err = e.answer(ctx, preventClient, types.ChallengeNameTypeSelectChallenge, out.Session, map[string]string{"USERNAME": "ghost", "ANSWER": "PASSWORD", "PASSWORD": "Passw0rd!"})
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("no usable factor", func(t *testing.T) {
		otpPool, otpClient, _ := e.userAuthPool(t, []types.AuthFactorType{"EMAIL_OTP"}, false, false)
		e.User(t, otpPool, "hue", "Passw0rd!")
		_, err := e.userAuth(ctx, otpClient, map[string]string{"USERNAME": "hue"}, nil)
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})
}

// TestUserAuthAfterSignUp: the Session ConfirmSignUp returns signs the user in with
// USER_AUTH, once, for that user only, until it expires.
func TestUserAuthAfterSignUp(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.userAuthPool(t, allFactors, false, false)
	e.User(t, poolID, "other", "Passw0rd!")
	signUp := func(t *testing.T, name string) *string {
		t.Helper()
		if _, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: &name, Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(name + "@example.com")}}}); err != nil {
			t.Fatal(err)
		}
		cs, err := e.IDP.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: &name, ConfirmationCode: aws.String(e.lastCode(t, poolID, name, "SIGN_UP"))})
		if err != nil || cs.Session == nil {
			t.Fatalf("ConfirmSignUp: %v", err)
		}
		return cs.Session
	}

	s := signUp(t, "ned")
	_, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "other"}, s)
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	s = signUp(t, "ola")
	out, err := e.userAuth(ctx, clientID, map[string]string{"USERNAME": "ola"}, s)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in after sign-up: %v %+v", err, out)
	}
	_, err = e.userAuth(ctx, clientID, map[string]string{"USERNAME": "ola"}, s)
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
	_, err = e.userAuth(ctx, clientID, map[string]string{"USERNAME": "ola"}, aws.String("bogus-session-of-twenty-chars"))
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user.")

	s = signUp(t, "pat")
	c.advance(4 * time.Minute)
	_, err = e.userAuth(ctx, clientID, map[string]string{"USERNAME": "pat"}, s)
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
}

// TestUserAuthDriver runs USER_AUTH through the driver in both dialects: first-factor
// selection, then a code; Flutter's preferred PASSWORD (the password collected by
// confirmSignIn); JS's PASSWORD_SRP; sign-in after sign-up.
func TestUserAuthDriver(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.userAuthPool(t, allFactors, false, false)
	e.User(t, poolID, "quin", "Passw0rd!", "email", "quin@example.com", "email_verified", "true", "phone_number", "+15555550102")
	newAuth := func(t *testing.T, d driver.Dialect) *driver.Auth {
		c, err := driver.New(driver.NewSDKClient(poolID, driver.Endpoint{URL: e.Srv.Endpoint(), Retries: 1}), driver.Config{PoolID: poolID, ClientID: clientID, Dialect: d})
		if err != nil {
			t.Fatal(err)
		}
		return c.NewAuth()
	}
	step := func(t *testing.T, res driver.Result, err error, want driver.Step) driver.Result {
		t.Helper()
		if err != nil || res.NextStep.SignInStep != want {
			t.Fatalf("want %s, got %v %+v", want, err, res)
		}
		return res
	}

	for _, d := range []driver.Dialect{driver.Flutter, driver.JS} {
		for _, f := range []string{"EMAIL_OTP", "SMS_OTP"} {
			t.Run("select "+f, func(t *testing.T) {
				a := newAuth(t, d)
				res, err := a.SignIn(ctx, "quin", "", driver.SignInOptions{Flow: driver.UserAuth})
				res = step(t, res, err, driver.ContinueSignInWithFirstFactorSelection)
				if len(res.NextStep.AvailableFactors) != 4 {
					t.Fatalf("factors %v", res.NextStep.AvailableFactors)
				}
				res, err = a.ConfirmSignIn(ctx, f, driver.ConfirmOptions{})
				step(t, res, err, driver.ConfirmSignInWithOTPCode)
				res, err = a.ConfirmSignIn(ctx, e.lastCode(t, poolID, "quin", "OTP"), driver.ConfirmOptions{})
				step(t, res, err, driver.Done)
			})
		}
	}
	t.Run("flutter preferred PASSWORD", func(t *testing.T) {
		a := newAuth(t, driver.Flutter)
		res, err := a.SignIn(ctx, "quin", "", driver.SignInOptions{Flow: driver.UserAuth, PreferredChallenge: driver.FactorPassword})
		step(t, res, err, driver.ConfirmSignInWithPassword)
		res, err = a.ConfirmSignIn(ctx, "Passw0rd!", driver.ConfirmOptions{})
		step(t, res, err, driver.Done)
	})
	t.Run("flutter select PASSWORD_SRP", func(t *testing.T) {
		a := newAuth(t, driver.Flutter)
		res, err := a.SignIn(ctx, "quin", "", driver.SignInOptions{Flow: driver.UserAuth})
		step(t, res, err, driver.ContinueSignInWithFirstFactorSelection)
		res, err = a.ConfirmSignIn(ctx, "PASSWORD_SRP", driver.ConfirmOptions{})
		step(t, res, err, driver.ConfirmSignInWithPassword)
		res, err = a.ConfirmSignIn(ctx, "Passw0rd!", driver.ConfirmOptions{})
		step(t, res, err, driver.Done)
	})
	for _, pref := range []driver.AuthFactor{driver.FactorPassword, driver.FactorPasswordSRP} {
		t.Run("js preferred "+string(pref), func(t *testing.T) {
			a := newAuth(t, driver.JS)
			res, err := a.SignIn(ctx, "quin", "Passw0rd!", driver.SignInOptions{Flow: driver.UserAuth, PreferredChallenge: pref})
			step(t, res, err, driver.Done)
		})
	}
}
