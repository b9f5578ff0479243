package emulator_test

// Interop: choice-based sign-in (USER_AUTH) through aws-amplify v6
// (testdata/interop/passwordless.mjs): first-factor selection, password and OTP
// first factors, and sign-in after sign-up.

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

func TestInteropUserAuth(t *testing.T) {
	node := interopSetup(t)
	e := newEnv(t)
	poolID, clientID, _ := e.userAuthPool(t, allFactors, false, false)
	withFactors := func(t *testing.T, r *interopRun) {
		r.e.User(t, r.poolID, r.username, interopPassword, "email", r.email, "email_verified", "true", "phone_number", "+15555550124", "phone_number_verified", "true")
	}
	runs := []interopRun{
		{
			scenario: "select-email-otp", setup: withFactors, wantSources: []string{"EMAIL_OTP"},
			wantSteps: map[string][]string{"amplify": {"CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "DONE"}},
		},
		{
			scenario: "select-password", setup: withFactors, wantSources: []string{"PASSWORD"},
			wantSteps: map[string][]string{"amplify": {"CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION", "CONFIRM_SIGN_IN_WITH_PASSWORD", "DONE"}},
		},
		{scenario: "password", setup: withFactors, wantSources: []string{"PASSWORD"}, wantSteps: map[string][]string{"amplify": {"DONE"}}},
		{scenario: "password-srp", setup: withFactors, wantSources: []string{"PASSWORD_SRP"}, wantSteps: map[string][]string{"amplify": {"DONE"}}},
		{
			scenario: "sms-otp", setup: withFactors, wantSources: []string{"SMS_OTP"},
			wantSteps: map[string][]string{"amplify": {"CONFIRM_SIGN_IN_WITH_SMS_CODE", "DONE"}},
		},
		{
			scenario: "sign-up", wantSources: []string{"sign-in after sign-up"},
			wantSteps: map[string][]string{"amplify": {"CONFIRM_SIGN_UP", "COMPLETE_AUTO_SIGN_IN", "DONE"}},
			after: func(t *testing.T, r *interopRun, res *interopResult) {
				u := r.wantStatus(t, types.UserStatusTypeConfirmed)
				if attr(u.UserAttributes, "sub") != res.UserSub {
					t.Fatalf("sub %q, want %q", attr(u.UserAttributes, "sub"), res.UserSub)
				}
			},
		},
	}
	for i := range runs {
		r := runs[i]
		r.e, r.poolID, r.clientID = e, poolID, clientID
		r.client, r.script = "amplify", "passwordless.mjs"
		r.password = interopPassword
		r.username = "pwl-" + r.scenario
		r.email = r.username + "@example.com"
		t.Run(r.scenario, func(t *testing.T) {
			t.Parallel()
			r.run(t, node)
		})
	}
}
