package emulator_test

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp/totp"

	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// mfaEnv is an emulator with a controllable clock and a pool whose MFA mode and
// factors are set through SetUserPoolMfaConfig.
type mfaEnv struct {
	*env
	clk              *clock
	poolID, clientID string
}

func newMFAEnv(t *testing.T, mode types.UserPoolMfaType, factors ...string) *mfaEnv {
	t.Helper()
	clk := &clock{}
	e := newEnv(t, withClock(clk))
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	m := &mfaEnv{env: e, clk: clk, poolID: poolID, clientID: clientID}
	if mode != "" {
		e.SetMFA(t, poolID, mode, factors...)
	}
	return m
}

// signIn starts USER_PASSWORD_AUTH and expects a challenge named want.
func (m *mfaEnv) signIn(t *testing.T, user, pw string, want types.ChallengeNameType) *cip.InitiateAuthOutput {
	t.Helper()
	out, err := m.passwordAuth(context.Background(), m.clientID, user, pw)
	if err != nil {
		t.Fatalf("sign-in of %s: %v", user, err)
	}
	if out.ChallengeName != want || (want != "" && aws.ToString(out.Session) == "") {
		t.Fatalf("sign-in of %s: challenge %q (session %t), want %q", user, out.ChallengeName, out.Session != nil, want)
	}
	return out
}

// respond answers a challenge with USERNAME=user and the key/value pairs.
func (m *mfaEnv) respond(name types.ChallengeNameType, session *string, user string, kv ...string) (*cip.RespondToAuthChallengeOutput, error) {
	resp := map[string]string{"USERNAME": user}
	for i := 0; i+1 < len(kv); i += 2 {
		resp[kv[i]] = kv[i+1]
	}
	return m.IDP.RespondToAuthChallenge(context.Background(), &cip.RespondToAuthChallengeInput{ChallengeName: name, ClientId: &m.clientID, Session: session, ChallengeResponses: resp})
}

// wantTokens answers a challenge and expects tokens.
func (m *mfaEnv) wantTokens(t *testing.T, name types.ChallengeNameType, session *string, user string, kv ...string) *types.AuthenticationResultType {
	t.Helper()
	out, err := m.respond(name, session, user, kv...)
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.AccessToken) == "" {
		t.Fatalf("no tokens: challenge %q", out.ChallengeName)
	}
	return out.AuthenticationResult
}

// mfaCode is the newest MFA code sent to user, with where it went.
func (m *mfaEnv) mfaCode(t *testing.T, user string) emulatortest.Message {
	t.Helper()
	msgs := m.Outbox(t, m.poolID, user, "MFA")
	if len(msgs) == 0 {
		t.Fatalf("no MFA message for %s", user)
	}
	return msgs[0]
}

// totpAt is the TOTP code of secret at the emulator's clock shifted by d.
func (m *mfaEnv) totpAt(t *testing.T, secret string, d time.Duration) string {
	t.Helper()
	c, err := totp.GenerateCode(secret, m.clk.now().Add(d))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// nextWindow moves the clock to the start of the next 30 s TOTP window (plus 1 s).
func (m *mfaEnv) nextWindow() {
	now := m.clk.now()
	m.clk.advance(now.Truncate(30 * time.Second).Add(31 * time.Second).Sub(now))
}

func (m *mfaEnv) adminPref(t *testing.T, user string, sms, tok, email *types.SMSMfaSettingsType) {
	t.Helper()
	in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &m.poolID, Username: &user, SMSMfaSettings: sms}
	if tok != nil {
		in.SoftwareTokenMfaSettings = &types.SoftwareTokenMfaSettingsType{Enabled: tok.Enabled, PreferredMfa: tok.PreferredMfa}
	}
	if email != nil {
		in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: email.Enabled, PreferredMfa: email.PreferredMfa}
	}
	if _, err := m.IDP.AdminSetUserMFAPreference(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func on(preferred bool) *types.SMSMfaSettingsType {
	return &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: preferred}
}

func (m *mfaEnv) mfaOf(t *testing.T, user string) ([]string, string) {
	t.Helper()
	u, err := m.IDP.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &m.poolID, Username: &user})
	if err != nil {
		t.Fatal(err)
	}
	return u.UserMFASettingList, aws.ToString(u.PreferredMfaSetting)
}

// setUpTOTP associates and verifies a software token for a signed-in user and
// returns the secret and the code that verified it.
func (m *mfaEnv) setUpTOTP(t *testing.T, access *string) (secret, used string) {
	t.Helper()
	ctx := context.Background()
	a, err := m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	secret = aws.ToString(a.SecretCode)
	used = m.totpAt(t, secret, 0)
	v, err := m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: &used, FriendlyDeviceName: aws.String("phone")})
	if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		t.Fatalf("VerifySoftwareToken: %v %v", err, v)
	}
	return secret, used
}

func TestPoolMfaConfig(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	sms := &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("Code: {####}")}
	tok := &types.SoftwareTokenMfaConfigType{Enabled: true}
	email := &types.EmailMfaConfigType{Subject: aws.String("Your code")}
	tests := []struct {
		name           string
		in             cip.SetUserPoolMfaConfigInput
		errType, msg   string
		sms, tot, mail bool
	}{
		{name: "off with a factor", in: cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff, SoftwareTokenMfaConfiguration: tok},
			errType: "InvalidParameterException", msg: "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."},
		{name: "on without a factor", in: cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn},
			errType: "InvalidParameterException", msg: "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."},
		{name: "on with totp disabled only", in: cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn, SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{}},
			errType: "InvalidParameterException", msg: "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."},
		{name: "optional totp", in: cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOptional, SoftwareTokenMfaConfiguration: tok}, tot: true},
		{name: "on, all three", in: cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOn, SmsMfaConfiguration: sms, SoftwareTokenMfaConfiguration: tok, EmailMfaConfiguration: email}, sms: true, tot: true, mail: true},
		{name: "off", in: cip.SetUserPoolMfaConfigInput{MfaConfiguration: types.UserPoolMfaTypeOff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.UserPoolId = &poolID
			_, err := e.IDP.SetUserPoolMfaConfig(ctx, &in)
			if tt.errType != "" {
				emulatortest.APIError(t, err, tt.errType, tt.msg)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.IDP.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &poolID})
			if err != nil {
				t.Fatal(err)
			}
			if got.MfaConfiguration != in.MfaConfiguration {
				t.Errorf("mode %s, want %s", got.MfaConfiguration, in.MfaConfiguration)
			}
			gotTOTP := got.SoftwareTokenMfaConfiguration != nil && got.SoftwareTokenMfaConfiguration.Enabled
			if (got.SmsMfaConfiguration != nil) != tt.sms || gotTOTP != tt.tot || (got.EmailMfaConfiguration != nil) != tt.mail {
				t.Errorf("factors sms=%t totp=%t email=%t, want %t %t %t", got.SmsMfaConfiguration != nil, gotTOTP, got.EmailMfaConfiguration != nil, tt.sms, tt.tot, tt.mail)
			}
			if tt.sms && aws.ToString(got.SmsMfaConfiguration.SmsAuthenticationMessage) != "Code: {####}" {
				t.Errorf("sms message %v", got.SmsMfaConfiguration.SmsAuthenticationMessage)
			}
			if tt.mail && aws.ToString(got.EmailMfaConfiguration.Subject) != "Your code" {
				t.Errorf("email subject %v", got.EmailMfaConfiguration.Subject)
			}
			d, _ := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
			if d.UserPool.MfaConfiguration != in.MfaConfiguration {
				t.Errorf("DescribeUserPool says %s", d.UserPool.MfaConfiguration)
			}
		})
	}

	// CreateUserPool / UpdateUserPool can only say SMS: ON there enables SMS MFA.
	created, _, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) { smsMFA(in, types.UserPoolMfaTypeOn) }})
	got, err := e.IDP.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &created})
	if err != nil || got.MfaConfiguration != types.UserPoolMfaTypeOn || got.SmsMfaConfiguration == nil || got.SoftwareTokenMfaConfiguration.Enabled {
		t.Fatalf("pool created with MFA ON: %v %+v", err, got)
	}
	if _, err := e.IDP.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &created, MfaConfiguration: types.UserPoolMfaTypeOff}); err != nil {
		t.Fatal(err)
	}
	got, _ = e.IDP.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &created})
	if got.MfaConfiguration != types.UserPoolMfaTypeOff || got.SmsMfaConfiguration != nil {
		t.Fatalf("after UpdateUserPool OFF: %+v", got)
	}
	_, err = e.IDP.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String("us-east-1_nope")})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "User pool us-east-1_nope does not exist.")
	// Email MFA needs the Essentials plan or higher.
	lite, _, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) { in.UserPoolTier = types.UserPoolTierTypeLite }})
	_, err = e.IDP.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &lite, MfaConfiguration: types.UserPoolMfaTypeOptional, EmailMfaConfiguration: email})
	emulatortest.APIError(t, err, "FeatureUnavailableInTierException", "")
}

func TestMFAPreference(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOptional, "SMS", "TOTP", "EMAIL")
	ctx := context.Background()
	m.User(t, m.poolID, "bare", "Passw0rd!")
	m.User(t, m.poolID, "full", "Passw0rd!", "email", "full@example.com", "phone_number", "+15555550199")
	pref := func(user string, sms, tok, email *types.SMSMfaSettingsType) error {
		in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &m.poolID, Username: aws.String(user), SMSMfaSettings: sms}
		if tok != nil {
			in.SoftwareTokenMfaSettings = &types.SoftwareTokenMfaSettingsType{Enabled: tok.Enabled, PreferredMfa: tok.PreferredMfa}
		}
		if email != nil {
			in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: email.Enabled, PreferredMfa: email.PreferredMfa}
		}
		_, err := m.IDP.AdminSetUserMFAPreference(ctx, in)
		return err
	}
	errs := []struct {
		name           string
		user           string
		sms, tok, mail *types.SMSMfaSettingsType
		msg            string
	}{
		{"two preferred", "full", on(true), nil, on(true), "Only one MFA method can be preferred."},
		{"sms without a phone", "bare", on(false), nil, nil, "User does not have delivery config set to turn on SMS_MFA"},
		{"email without an address", "bare", nil, nil, on(false), "User does not have delivery config set to turn on EMAIL_OTP"},
		{"totp without a token", "full", nil, on(false), nil, "User does not have delivery config set to turn on SOFTWARE_TOKEN_MFA"},
	}
	for _, tt := range errs {
		emulatortest.APIError(t, pref(tt.user, tt.sms, tt.tok, tt.mail), "InvalidParameterException", tt.msg)
	}
	emulatortest.APIError(t, pref("ghost", on(false), nil, nil), "UserNotFoundException", "User does not exist.")
	if l, p := m.mfaOf(t, "full"); len(l) != 0 || p != "" {
		t.Fatalf("a failed call changed the settings: %v %q", l, p)
	}

	// Self-service, with an access token: SMS and email enabled, email preferred.
	in, _ := m.passwordAuth(ctx, m.clientID, "full", "Passw0rd!")
	access := in.AuthenticationResult.AccessToken
	_, err := m.IDP.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access,
		SMSMfaSettings: &types.SMSMfaSettingsType{Enabled: true}, EmailMfaSettings: &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}})
	if err != nil {
		t.Fatal(err)
	}
	u, err := m.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: access})
	if err != nil || !slices.Equal(u.UserMFASettingList, []string{"SMS_MFA", "EMAIL_OTP"}) || aws.ToString(u.PreferredMfaSetting) != "EMAIL_OTP" {
		t.Fatalf("GetUser: %v %v %v", err, u.UserMFASettingList, u.PreferredMfaSetting)
	}
	// TOTP: associated but not verified, then verified.
	if _, err := m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access}); err != nil {
		t.Fatal(err)
	}
	_, err = m.IDP.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access, SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}})
	emulatortest.APIError(t, err, "InvalidParameterException", "User has not verified software token mfa")
	m.setUpTOTP(t, access)
	if _, err := m.IDP.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access, SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true, PreferredMfa: true}}); err != nil {
		t.Fatal(err)
	}
	if l, p := m.mfaOf(t, "full"); !slices.Equal(l, []string{"SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"}) || p != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("AdminGetUser: %v %q", l, p)
	}
	// Disabling the preferred factor drops the preference.
	m.adminPref(t, "full", nil, &types.SMSMfaSettingsType{}, nil)
	if l, p := m.mfaOf(t, "full"); !slices.Equal(l, []string{"SMS_MFA", "EMAIL_OTP"}) || p != "" {
		t.Fatalf("after disabling TOTP: %v %q", l, p)
	}
	_, err = m.IDP.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: aws.String("not-a-token")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid Access Token")
}

func TestMFAOffAndOptional(t *testing.T) {
	for _, tt := range []struct {
		mode    types.UserPoolMfaType
		factors []string
		want    types.ChallengeNameType
	}{
		{types.UserPoolMfaTypeOff, nil, ""},
		{types.UserPoolMfaTypeOptional, []string{"SMS", "TOTP"}, ""},           // nothing enabled: tokens
		{types.UserPoolMfaTypeOn, []string{"SMS"}, "SMS_MFA"},                  // required, has a phone
		{types.UserPoolMfaTypeOn, []string{"TOTP", "EMAIL"}, "MFA_SETUP"},      // required, nothing set up
		{types.UserPoolMfaTypeOn, []string{"SMS", "TOTP", "EMAIL"}, "SMS_MFA"}, // SMS wins for a phone
	} {
		m := newMFAEnv(t, tt.mode, tt.factors...)
		m.User(t, m.poolID, "u", "Passw0rd!", "phone_number", "+15555550100")
		out := m.signIn(t, "u", "Passw0rd!", tt.want)
		if tt.want == "" && out.AuthenticationResult == nil {
			t.Errorf("%s %v: no tokens", tt.mode, tt.factors)
		}
	}
}

func TestSMSMFA(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOptional, "SMS")
	m.User(t, m.poolID, "sam", "Passw0rd!", "phone_number", "+15555550123")
	m.adminPref(t, "sam", on(false), nil, nil)

	out := m.signIn(t, "sam", "Passw0rd!", "SMS_MFA")
	p := out.ChallengeParameters
	if p["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" || p["CODE_DELIVERY_DESTINATION"] != "+*******0123" {
		t.Fatalf("challenge parameters %v", p)
	}
	msg := m.mfaCode(t, "sam")
	if msg.Medium != "SMS" || msg.Destination != "+15555550123" || !regexp.MustCompile(`^\d{6}$`).MatchString(msg.Code) {
		t.Fatalf("message %+v", msg)
	}
	_, err := m.respond("SMS_MFA", out.Session, "sam")
	emulatortest.APIError(t, err, "InvalidParameterException", "Missing required parameter SMS_MFA_CODE")
	_, err = m.respond("SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", wrongCode(msg.Code))
	emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
	// The same session takes the right code after a wrong one.
	m.wantTokens(t, "SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", msg.Code)
	_, err = m.respond("SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", msg.Code)
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")

	// Wrong codes count toward the user's lockout, as wrong passwords do (developer
	// guide, "Adding MFA": "After five unsuccessful attempts to present an MFA code,
	// Amazon Cognito begins the exponential-timeout lockout process"). The fifth
	// still answers as a wrong code; during the lockout even the right code is
	// "Password attempts exceeded"; after it the session takes the right code.
	t.Run("attempts", func(t *testing.T) {
		out := m.signIn(t, "sam", "Passw0rd!", "SMS_MFA")
		code := m.mfaCode(t, "sam").Code
		for range 5 {
			_, err := m.respond("SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", wrongCode(code))
			emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
		}
		_, err := m.respond("SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", code)
		emulatortest.APIError(t, err, "NotAuthorizedException", "Password attempts exceeded")
		m.clk.advance(2 * time.Second)
		m.wantTokens(t, "SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", code)
	})
	t.Run("expired", func(t *testing.T) {
		out := m.signIn(t, "sam", "Passw0rd!", "SMS_MFA")
		code := m.mfaCode(t, "sam").Code
		m.clk.advance(3*time.Minute + time.Second)
		_, err := m.respond("SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", code)
		emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	})
	t.Run("a new sign-in kills the old code", func(t *testing.T) {
		first := m.signIn(t, "sam", "Passw0rd!", "SMS_MFA")
		code1 := m.mfaCode(t, "sam").Code
		second := m.signIn(t, "sam", "Passw0rd!", "SMS_MFA")
		code2 := m.mfaCode(t, "sam").Code
		_, err := m.respond("SMS_MFA", first.Session, "sam", "SMS_MFA_CODE", code1)
		emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
		_, err = m.respond("SMS_MFA", second.Session, "sam", "SMS_MFA_CODE", code1)
		if code1 != code2 {
			emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
		}
		m.wantTokens(t, "SMS_MFA", second.Session, "sam", "SMS_MFA_CODE", code2)
	})
	t.Run("wrong challenge name and username", func(t *testing.T) {
		out := m.signIn(t, "sam", "Passw0rd!", "SMS_MFA")
		code := m.mfaCode(t, "sam").Code
		_, err := m.respond("SOFTWARE_TOKEN_MFA", out.Session, "sam", "SOFTWARE_TOKEN_MFA_CODE", code)
		emulatortest.APIError(t, err, "InvalidParameterException", "")
		_, err = m.respond("SMS_MFA", out.Session, "someone-else", "SMS_MFA_CODE", code)
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
		m.wantTokens(t, "SMS_MFA", out.Session, "sam", "SMS_MFA_CODE", code)
	})
	t.Run("admin flow", func(t *testing.T) {
		ctx := context.Background()
		out, err := m.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &m.poolID, ClientId: &m.clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": "sam", "PASSWORD": "Passw0rd!"}})
		if err != nil || out.ChallengeName != "SMS_MFA" {
			t.Fatalf("AdminInitiateAuth: %v %v", err, out)
		}
		code := m.mfaCode(t, "sam").Code
		r, err := m.IDP.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &m.poolID, ClientId: &m.clientID, ChallengeName: "SMS_MFA", Session: out.Session,
			ChallengeResponses: map[string]string{"USERNAME": "sam", "SMS_MFA_CODE": code}})
		if err != nil || r.AuthenticationResult == nil {
			t.Fatalf("AdminRespondToAuthChallenge: %v", err)
		}
	})
}

func wrongCode(c string) string {
	if c == "000000" {
		return "111111"
	}
	return "000000"
}

func TestSMSMFASecretHash(t *testing.T) {
	clk := &clock{}
	e := newEnv(t, withClock(clk))
	ctx := context.Background()
	poolID, clientID, secret := e.Pool(t, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) { smsMFA(in, types.UserPoolMfaTypeOn) },
		Client: func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true },
	})
	e.User(t, poolID, "sec", "Passw0rd!", "phone_number", "+15555550124")
	hash := srp.AppClient{ID: clientID, Secret: secret}.SecretHash("sec")
	out, err := e.passwordAuth(ctx, clientID, "sec", "Passw0rd!", "SECRET_HASH", hash)
	if err != nil || out.ChallengeName != "SMS_MFA" {
		t.Fatalf("sign-in: %v %v", err, out)
	}
	code := e.lastCode(t, poolID, "sec", "MFA")
	resp := map[string]string{"USERNAME": "sec", "SMS_MFA_CODE": code}
	_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: "SMS_MFA", ClientId: &clientID, Session: out.Session, ChallengeResponses: resp})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Client "+clientID+" is configured with secret but SECRET_HASH was not received")
	resp["SECRET_HASH"] = hash
	r, err := e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: "SMS_MFA", ClientId: &clientID, Session: out.Session, ChallengeResponses: resp})
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("with SECRET_HASH: %v", err)
	}
}

func TestEmailOTPMFA(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOptional, "EMAIL", "TOTP")
	m.User(t, m.poolID, "eve", "Passw0rd!", "email", "eve@example.com")
	m.adminPref(t, "eve", nil, nil, on(false))
	out := m.signIn(t, "eve", "Passw0rd!", "EMAIL_OTP")
	if p := out.ChallengeParameters; p["CODE_DELIVERY_DELIVERY_MEDIUM"] != "EMAIL" || p["CODE_DELIVERY_DESTINATION"] != "e***@e***" {
		t.Fatalf("challenge parameters %v", p)
	}
	msg := m.mfaCode(t, "eve")
	if msg.Medium != "EMAIL" || msg.Destination != "eve@example.com" {
		t.Fatalf("message %+v", msg)
	}
	_, err := m.respond("EMAIL_OTP", out.Session, "eve", "EMAIL_OTP_CODE", wrongCode(msg.Code))
	emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code or auth state for the user.")
	m.wantTokens(t, "EMAIL_OTP", out.Session, "eve", "EMAIL_OTP_CODE", msg.Code)
}

func TestTOTPMFA(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOptional, "TOTP")
	ctx := context.Background()
	m.User(t, m.poolID, "tom", "Passw0rd!")
	m.nextWindow()
	in, _ := m.passwordAuth(ctx, m.clientID, "tom", "Passw0rd!")
	access := in.AuthenticationResult.AccessToken

	_, err := m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String("123456")})
	emulatortest.APIError(t, err, "SoftwareTokenMFANotFoundException", "Software Token MFA does not exist for the user.")
	a, err := m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
	if err != nil {
		t.Fatal(err)
	}
	secret := aws.ToString(a.SecretCode)
	if !regexp.MustCompile(`^[A-Z2-7]{32}$`).MatchString(secret) || a.Session != nil {
		t.Fatalf("SecretCode %d chars, session %v", len(secret), a.Session)
	}
	for _, bad := range []struct{ code, msg string }{
		{"12345", "1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must have length greater than or equal to 6"},
		{"12345a", "1 validation error detected: Value at 'userCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]+"},
	} {
		_, err = m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String(bad.code)})
		emulatortest.APIError(t, err, "InvalidParameterException", bad.msg)
	}
	_, err = m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: aws.String(wrongCode(m.totpAt(t, secret, 0)))})
	emulatortest.APIError(t, err, "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
	used := m.totpAt(t, secret, 0)
	v, err := m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: &used, FriendlyDeviceName: aws.String("Tom's phone")})
	if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess || v.Session != nil {
		t.Fatalf("VerifySoftwareToken: %v %+v", err, v)
	}
	if l, _ := m.mfaOf(t, "tom"); len(l) != 0 {
		t.Fatalf("verifying enabled TOTP by itself: %v", l)
	}
	if _, err := m.IDP.SetUserMFAPreference(ctx, &cip.SetUserMFAPreferenceInput{AccessToken: access, SoftwareTokenMfaSettings: &types.SoftwareTokenMfaSettingsType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}

	out := m.signIn(t, "tom", "Passw0rd!", "SOFTWARE_TOKEN_MFA")
	if out.ChallengeParameters["FRIENDLY_DEVICE_NAME"] != "Tom's phone" {
		t.Fatalf("challenge parameters %v", out.ChallengeParameters)
	}
	// The code that verified the token is spent for its window.
	_, err = m.respond("SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", used)
	emulatortest.APIError(t, err, "ExpiredCodeException", "Your software token has already been used once.")
	// A wrong TOTP code is worded apart from SMS and email codes (amplify-js
	// AuthErrorStrings.INVALID_MFA_CODE).
	_, err = m.respond("SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", wrongCode(used))
	emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code received for user")
	m.nextWindow()
	code := m.totpAt(t, secret, 0)
	m.wantTokens(t, "SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", code)
	out = m.signIn(t, "tom", "Passw0rd!", "SOFTWARE_TOKEN_MFA")
	_, err = m.respond("SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", code)
	emulatortest.APIError(t, err, "ExpiredCodeException", "Your software token has already been used once.")

	// Skew: the next window's code is accepted; two windows away is not.
	m.nextWindow()
	_, err = m.respond("SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, 61*time.Second))
	emulatortest.APIError(t, err, "CodeMismatchException", "Invalid code received for user")
	m.wantTokens(t, "SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, 30*time.Second))
	// ...and an older code after it counts as used.
	m.nextWindow()
	out = m.signIn(t, "tom", "Passw0rd!", "SOFTWARE_TOKEN_MFA")
	_, err = m.respond("SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, -30*time.Second))
	emulatortest.APIError(t, err, "ExpiredCodeException", "Your software token has already been used once.")
	m.nextWindow()
	m.wantTokens(t, "SOFTWARE_TOKEN_MFA", out.Session, "tom", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, 0))

	_, err = m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	_, err = m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: aws.String("no-such-session")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
}

func TestSelectMFAType(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOptional, "SMS", "TOTP")
	ctx := context.Background()
	m.User(t, m.poolID, "sel", "Passw0rd!", "phone_number", "+15555550125")
	m.nextWindow()
	in, _ := m.passwordAuth(ctx, m.clientID, "sel", "Passw0rd!")
	secret, _ := m.setUpTOTP(t, in.AuthenticationResult.AccessToken)
	m.adminPref(t, "sel", on(false), on(false), nil)

	// SRP, then SELECT_MFA_TYPE, then SMS_MFA.
	out, err := m.srpSignIn(ctx, m.poolID, m.clientID, "sel", "Passw0rd!")
	if err != nil || out.ChallengeName != "SELECT_MFA_TYPE" || out.Session == nil {
		t.Fatalf("SRP sign-in: %v %+v", err, out)
	}
	if got := out.ChallengeParameters["MFAS_CAN_CHOOSE"]; got != `["SMS_MFA","SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("MFAS_CAN_CHOOSE %s", got)
	}
	_, err = m.respond("SELECT_MFA_TYPE", out.Session, "sel", "ANSWER", "EMAIL_OTP")
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	sms, err := m.respond("SELECT_MFA_TYPE", out.Session, "sel", "ANSWER", "SMS_MFA")
	if err != nil || sms.ChallengeName != "SMS_MFA" || sms.Session == nil || sms.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "+*******0125" {
		t.Fatalf("after SELECT_MFA_TYPE: %v %+v", err, sms)
	}
	m.wantTokens(t, "SMS_MFA", sms.Session, "sel", "SMS_MFA_CODE", m.mfaCode(t, "sel").Code)

	// Choosing TOTP.
	m.nextWindow()
	first := m.signIn(t, "sel", "Passw0rd!", "SELECT_MFA_TYPE")
	tok, err := m.respond("SELECT_MFA_TYPE", first.Session, "sel", "ANSWER", "SOFTWARE_TOKEN_MFA")
	if err != nil || tok.ChallengeName != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("choosing TOTP: %v %+v", err, tok)
	}
	m.wantTokens(t, "SOFTWARE_TOKEN_MFA", tok.Session, "sel", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, 0))

	// A preference skips the choice.
	m.adminPref(t, "sel", on(true), nil, nil)
	m.signIn(t, "sel", "Passw0rd!", "SMS_MFA")
}

func TestMFASetupTOTPAfterNewPassword(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOn, "SMS", "TOTP")
	ctx := context.Background()
	if _, err := m.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &m.poolID, Username: aws.String("newbie"),
		TemporaryPassword: aws.String("Temp0rary!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	np := m.signIn(t, "newbie", "Temp0rary!", "NEW_PASSWORD_REQUIRED")
	s0, err := m.respond("NEW_PASSWORD_REQUIRED", np.Session, "newbie", "NEW_PASSWORD", "N3w-Passw0rd!")
	if err != nil || s0.ChallengeName != "MFA_SETUP" || s0.Session == nil {
		t.Fatalf("after the new password: %v %+v", err, s0)
	}
	if got := s0.ChallengeParameters["MFAS_CAN_SETUP"]; got != `["SMS_MFA","SOFTWARE_TOKEN_MFA"]` {
		t.Fatalf("MFAS_CAN_SETUP %s", got)
	}
	// Amplify Flutter puts the session in both fields.
	a, err := m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: s0.Session, AccessToken: s0.Session})
	if err != nil || a.Session == nil || len(aws.ToString(a.SecretCode)) != 32 {
		t.Fatalf("AssociateSoftwareToken: %v %+v", err, a)
	}
	_, err = m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: s0.Session})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
	secret := aws.ToString(a.SecretCode)
	m.nextWindow()
	_, err = m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: a.Session, UserCode: aws.String(wrongCode(m.totpAt(t, secret, 0)))})
	emulatortest.APIError(t, err, "EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
	v, err := m.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{Session: a.Session, UserCode: aws.String(m.totpAt(t, secret, 0)), FriendlyDeviceName: aws.String("Authenticator")})
	if err != nil || v.Status != types.VerifySoftwareTokenResponseTypeSuccess || v.Session == nil {
		t.Fatalf("VerifySoftwareToken: %v %+v", err, v)
	}
	m.wantTokens(t, "MFA_SETUP", v.Session, "newbie")
	if l, p := m.mfaOf(t, "newbie"); !slices.Equal(l, []string{"SOFTWARE_TOKEN_MFA"}) || p != "SOFTWARE_TOKEN_MFA" {
		t.Fatalf("after MFA_SETUP: %v %q", l, p)
	}
	out := m.signIn(t, "newbie", "N3w-Passw0rd!", "SOFTWARE_TOKEN_MFA")
	if out.ChallengeParameters["FRIENDLY_DEVICE_NAME"] != "Authenticator" {
		t.Fatalf("challenge parameters %v", out.ChallengeParameters)
	}

	// MFA_SETUP answered without a verified token or an email.
	m.User(t, m.poolID, "lazy", "Passw0rd!")
	s0b := m.signIn(t, "lazy", "Passw0rd!", "MFA_SETUP")
	_, err = m.respond("MFA_SETUP", s0b.Session, "lazy")
	emulatortest.APIError(t, err, "SoftwareTokenMFANotFoundException", "")
	_, err = m.respond("MFA_SETUP", s0b.Session, "lazy", "EMAIL", "lazy@example.com")
	emulatortest.APIError(t, err, "InvalidParameterException", "Email MFA is not enabled for this user pool.")
	// The setup session expires like any other.
	m.clk.advance(4 * time.Minute)
	_, err = m.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{Session: s0b.Session})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
}

func TestMFASetupEmail(t *testing.T) {
	m := newMFAEnv(t, types.UserPoolMfaTypeOn, "TOTP", "EMAIL")
	m.User(t, m.poolID, "ema", "Passw0rd!")
	s0 := m.signIn(t, "ema", "Passw0rd!", "MFA_SETUP")
	if got := s0.ChallengeParameters["MFAS_CAN_SETUP"]; got != `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]` {
		t.Fatalf("MFAS_CAN_SETUP %s", got)
	}
	_, err := m.respond("MFA_SETUP", s0.Session, "ema", "EMAIL", "not-an-address")
	emulatortest.APIError(t, err, "InvalidParameterException", "Invalid email address format.")
	otp, err := m.respond("MFA_SETUP", s0.Session, "ema", "EMAIL", "ema@example.com")
	if err != nil || otp.ChallengeName != "EMAIL_OTP" || otp.Session == nil || otp.ChallengeParameters["CODE_DELIVERY_DESTINATION"] != "e***@e***" {
		t.Fatalf("after MFA_SETUP EMAIL: %v %+v", err, otp)
	}
	msg := m.mfaCode(t, "ema")
	if msg.Destination != "ema@example.com" || msg.Medium != "EMAIL" {
		t.Fatalf("message %+v", msg)
	}
	if l, _ := m.mfaOf(t, "ema"); len(l) != 0 {
		t.Fatalf("email MFA on before the code: %v", l)
	}
	m.wantTokens(t, "EMAIL_OTP", otp.Session, "ema", "EMAIL_OTP_CODE", msg.Code)
	u, _ := m.IDP.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &m.poolID, Username: aws.String("ema")})
	if attr(u.UserAttributes, "email") != "ema@example.com" || attr(u.UserAttributes, "email_verified") != "true" ||
		!slices.Equal(u.UserMFASettingList, []string{"EMAIL_OTP"}) || aws.ToString(u.PreferredMfaSetting) != "EMAIL_OTP" {
		t.Fatalf("after email setup: %v %v %v", u.UserAttributes, u.UserMFASettingList, u.PreferredMfaSetting)
	}
	m.signIn(t, "ema", "Passw0rd!", "EMAIL_OTP")
}

// TestMFAFixtureAndState loads fixtures/mfa.yaml, signs its users in, and checks that
// MFA settings survive a state file.
func TestMFAFixtureAndState(t *testing.T) {
	clk := &clock{}
	e := newEnv(t, withClock(clk))
	ctx := context.Background()
	loaded, err := e.Srv.LoadFixtureFile(ctx, "../fixtures/mfa.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m := &mfaEnv{env: e, clk: clk, poolID: loaded.Pools[0].ID, clientID: loaded.Pools[0].Clients[0].ID}
	const secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	for _, tt := range []struct {
		user, pw string
		want     types.ChallengeNameType
		param    string
	}{
		{"sms", "Sms-Passw0rd", "SMS_MFA", ""},
		{"totp", "Totp-Passw0rd", "SOFTWARE_TOKEN_MFA", ""},
		{"email", "Email-Passw0rd", "EMAIL_OTP", ""},
		{"select", "Select-Passw0rd", "SELECT_MFA_TYPE", `["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]`},
		{"preferred", "Preferred-Passw0rd", "SOFTWARE_TOKEN_MFA", ""},
		{"setup", "Setup-Passw0rd", "MFA_SETUP", `["SMS_MFA","SOFTWARE_TOKEN_MFA","EMAIL_OTP"]`},
	} {
		out := m.signIn(t, tt.user, tt.pw, tt.want)
		if tt.param != "" && out.ChallengeParameters["MFAS_CAN_CHOOSE"]+out.ChallengeParameters["MFAS_CAN_SETUP"] != tt.param {
			t.Errorf("%s: %v", tt.user, out.ChallengeParameters)
		}
	}
	m.nextWindow()
	out := m.signIn(t, "totp", "Totp-Passw0rd", "SOFTWARE_TOKEN_MFA")
	m.wantTokens(t, "SOFTWARE_TOKEN_MFA", out.Session, "totp", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, 0))

	path := filepath.Join(t.TempDir(), "state.json")
	if err := e.Srv.SaveState(path); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, withClock(clk))
	if ok, err := e2.Srv.LoadState(path); !ok || err != nil {
		t.Fatalf("LoadState: %v %v", ok, err)
	}
	m2 := &mfaEnv{env: e2, clk: clk, poolID: m.poolID, clientID: m.clientID}
	out = m2.signIn(t, "totp", "Totp-Passw0rd", "SOFTWARE_TOKEN_MFA")
	// The code used before the restart is still spent.
	_, err = m2.respond("SOFTWARE_TOKEN_MFA", out.Session, "totp", "SOFTWARE_TOKEN_MFA_CODE", m.totpAt(t, secret, 0))
	emulatortest.APIError(t, err, "ExpiredCodeException", "Your software token has already been used once.")
	m2.signIn(t, "select", "Select-Passw0rd", "SELECT_MFA_TYPE")
	got, err := e2.IDP.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: &m.poolID})
	if err != nil || got.MfaConfiguration != types.UserPoolMfaTypeOn || got.EmailMfaConfiguration == nil || got.SmsMfaConfiguration == nil || !got.SoftwareTokenMfaConfiguration.Enabled {
		t.Fatalf("restored pool MFA config: %v %+v", err, got)
	}
}
