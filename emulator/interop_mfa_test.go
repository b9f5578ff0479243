package emulator_test

// Interop for MFA: aws-amplify v6 and amazon-cognito-identity-js reach and leave
// every MFA step (testdata/interop/mfa.mjs) against the emulator; the test sets up
// pools and users through the SDK and checks the emulator's side afterwards.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/pquerna/otp/totp"

	"github.com/authbench/authbench/internal/emulatortest"
)

// interopMFAPool makes a pool with the MFA mode and factors and a client.
func interopMFAPool(t *testing.T, e *env, mode types.UserPoolMfaType, factors ...string) (poolID, clientID string) {
	t.Helper()
	poolID, clientID, _ = e.Pool(t, emulatortest.PoolSpec{})
	e.SetMFA(t, poolID, mode, factors...)
	return poolID, clientID
}

type mfaInterop struct {
	scenario string // <client>/<scenario>
	pool     string // which pool: optional, totp-setup, email-setup, setup-selection
	// setup prepares the user; it returns the TOTP secret when it set one up.
	setup       func(t *testing.T, e *env, poolID, clientID, user string) string
	wantSources []string
	wantSteps   []string
	// wantMFA is the user's UserMFASettingList and PreferredMfaSetting afterwards.
	wantMFA   []string
	wantPref  string
	wantEmail string
}

func TestInteropMFA(t *testing.T) {
	node := interopSetup(t)
	e := newEnv(t)
	pools := map[string][2]string{}
	for name, cfg := range map[string]struct {
		mode    types.UserPoolMfaType
		factors []string
	}{
		"optional":        {types.UserPoolMfaTypeOptional, []string{"SMS", "TOTP", "EMAIL"}},
		"totp-setup":      {types.UserPoolMfaTypeOn, []string{"TOTP"}},
		"email-setup":     {types.UserPoolMfaTypeOn, []string{"EMAIL"}},
		"setup-selection": {types.UserPoolMfaTypeOn, []string{"SMS", "TOTP", "EMAIL"}},
	} {
		p, c := interopMFAPool(t, e, cfg.mode, cfg.factors...)
		pools[name] = [2]string{p, c}
	}
	ctx := context.Background()
	pref := func(t *testing.T, poolID, user string, sms, tok, email bool) {
		in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: &poolID, Username: &user}
		if sms {
			in.SMSMfaSettings = &types.SMSMfaSettingsType{Enabled: true}
		}
		if tok {
			in.SoftwareTokenMfaSettings = &types.SoftwareTokenMfaSettingsType{Enabled: true}
		}
		if email {
			in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: true}
		}
		if _, err := e.IDP.AdminSetUserMFAPreference(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// withTOTP gives the user a verified software token (verified with the current
	// window's code) and returns its secret.
	withTOTP := func(t *testing.T, poolID, clientID, user string) string {
		in, err := e.passwordAuth(ctx, clientID, user, interopPassword)
		if err != nil || in.AuthenticationResult == nil {
			t.Fatalf("sign-in before MFA: %v", err)
		}
		access := in.AuthenticationResult.AccessToken
		a, err := e.IDP.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: access})
		if err != nil {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(aws.ToString(a.SecretCode), time.Now())
		if _, err := e.IDP.VerifySoftwareToken(ctx, &cip.VerifySoftwareTokenInput{AccessToken: access, UserCode: &code}); err != nil {
			t.Fatal(err)
		}
		return aws.ToString(a.SecretCode)
	}
	phone := func(t *testing.T, e *env, poolID, user string) {
		e.User(t, poolID, user, interopPassword, "phone_number", "+15555550142", "email", user+"@example.com")
	}
	runs := []mfaInterop{
		{scenario: "amplify/sms", pool: "optional", wantSources: []string{"SMS_MFA"}, wantSteps: []string{"CONFIRM_SIGN_IN_WITH_SMS_CODE", "DONE"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				pref(t, p, u, true, false, false)
				return ""
			}},
		{scenario: "amplify/totp", pool: "optional", wantSources: []string{"SOFTWARE_TOKEN_MFA"}, wantSteps: []string{"CONFIRM_SIGN_IN_WITH_TOTP_CODE", "DONE"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				s := withTOTP(t, p, c, u)
				pref(t, p, u, false, true, false)
				return s
			}},
		{scenario: "amplify/email", pool: "optional", wantSources: []string{"EMAIL_OTP"}, wantSteps: []string{"CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				pref(t, p, u, false, false, true)
				return ""
			}},
		{scenario: "amplify/select", pool: "optional", wantSources: []string{"SELECT_MFA_TYPE"},
			wantSteps: []string{"CONTINUE_SIGN_IN_WITH_MFA_SELECTION", "CONFIRM_SIGN_IN_WITH_SMS_CODE", "DONE"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				withTOTP(t, p, c, u)
				pref(t, p, u, true, true, false)
				return ""
			}},
		{scenario: "amplify/totp-setup", pool: "totp-setup", wantSources: []string{"MFA_SETUP"}, wantSteps: []string{"CONTINUE_SIGN_IN_WITH_TOTP_SETUP", "DONE"},
			wantMFA: []string{"SOFTWARE_TOKEN_MFA"}, wantPref: "SOFTWARE_TOKEN_MFA"},
		{scenario: "amplify/email-setup", pool: "email-setup", wantSources: []string{"MFA_SETUP email"},
			wantSteps: []string{"CONTINUE_SIGN_IN_WITH_EMAIL_SETUP", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"},
			wantMFA:   []string{"EMAIL_OTP"}, wantPref: "EMAIL_OTP", wantEmail: "set-up"},
		{scenario: "amplify/setup-selection", pool: "setup-selection", wantSources: []string{"MFA_SETUP"},
			wantSteps: []string{"CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION", "CONTINUE_SIGN_IN_WITH_TOTP_SETUP", "DONE"},
			wantMFA:   []string{"SOFTWARE_TOKEN_MFA"}, wantPref: "SOFTWARE_TOKEN_MFA"},
		{scenario: "identity-js/sms", pool: "optional", wantSources: []string{"SMS_MFA"}, wantSteps: []string{"mfaRequired", "onSuccess"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				pref(t, p, u, true, false, false)
				return ""
			}},
		{scenario: "identity-js/totp", pool: "optional", wantSources: []string{"SOFTWARE_TOKEN_MFA"}, wantSteps: []string{"totpRequired", "onSuccess"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				s := withTOTP(t, p, c, u)
				pref(t, p, u, false, true, false)
				return s
			}},
		{scenario: "identity-js/select", pool: "optional", wantSources: []string{"SELECT_MFA_TYPE"}, wantSteps: []string{"selectMFAType", "mfaRequired", "onSuccess"},
			setup: func(t *testing.T, e *env, p, c, u string) string {
				phone(t, e, p, u)
				withTOTP(t, p, c, u)
				pref(t, p, u, true, true, false)
				return ""
			}},
		{scenario: "identity-js/totp-setup", pool: "totp-setup", wantSources: []string{"MFA_SETUP"}, wantSteps: []string{"mfaSetup", "associateSecretCode", "onSuccess"},
			wantMFA: []string{"SOFTWARE_TOKEN_MFA"}, wantPref: "SOFTWARE_TOKEN_MFA"},
	}
	for _, mr := range runs {
		t.Run(mr.scenario, func(t *testing.T) {
			t.Parallel()
			poolID, clientID := pools[mr.pool][0], pools[mr.pool][1]
			user := strings.NewReplacer("/", "-", "identity-js", "ijs", "amplify", "amp").Replace(mr.scenario)
			email := user + "@example.com"
			var secret string
			if mr.setup != nil {
				secret = mr.setup(t, e, poolID, clientID, user)
			} else {
				e.User(t, poolID, user, interopPassword) // no phone, no email: MFA_SETUP
			}
			if mr.wantEmail != "" {
				email = user + "+" + mr.wantEmail + "@example.com"
			}
			res := runMFAScript(t, node, e, mr.scenario, poolID, clientID, user, email, secret)
			if !slices.Equal(res.Steps, mr.wantSteps) {
				t.Fatalf("steps %q, want %q", res.Steps, mr.wantSteps)
			}
			r := &interopRun{e: e, poolID: poolID, clientID: clientID, username: user, wantSources: mr.wantSources}
			r.checkTokens(t, res, func(format string, a ...any) { t.Helper(); t.Fatalf(format, a...) })
			if mr.wantMFA != nil {
				u, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: &user})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(u.UserMFASettingList, mr.wantMFA) || aws.ToString(u.PreferredMfaSetting) != mr.wantPref {
					t.Fatalf("after setup: %v %v", u.UserMFASettingList, aws.ToString(u.PreferredMfaSetting))
				}
				if mr.wantEmail != "" && (attr(u.UserAttributes, "email") != email || attr(u.UserAttributes, "email_verified") != "true") {
					t.Fatalf("after email setup: %v", u.UserAttributes)
				}
			}
		})
	}
}

// runMFAScript runs one mfa.mjs scenario and returns its result.
func runMFAScript(t *testing.T, node string, e *env, scenario, poolID, clientID, user, email, secret string) *interopResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), interopTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "mfa.mjs", scenario, "--endpoint", e.Srv.Endpoint(), "--pool-id", poolID,
		"--client-id", clientID, "--username", user, "--email", email, "--password", interopPassword)
	cmd.Dir = interopDir
	cmd.Env = append(os.Environ(), "NODE_ENV=test", "AUTHBENCH_TOTP_SECRET="+secret)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res interopResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil || runErr != nil || !res.OK {
		t.Fatalf("%s: exit %v, result %q (%v)\n--- stderr:\n%s", scenario, runErr, lines[len(lines)-1], err, stderr.String())
	}
	return &res
}
