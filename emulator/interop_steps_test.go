package emulator_test

// Interop: the steps Amplify makes of UserNotConfirmedException and
// PasswordResetRequiredException (testdata/interop/steps.mjs), and the errors
// amazon-cognito-identity-js reports for them.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

func TestInteropExceptionSteps(t *testing.T) {
	node := interopSetup(t)
	e := newEnv(t)
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{"email"}
	}})
	resetUser := func(t *testing.T, r *interopRun) {
		r.e.User(t, r.poolID, r.username, interopPassword, "email", r.email, "email_verified", "true")
		if _, err := r.e.IDP.AdminResetUserPassword(context.Background(), &cip.AdminResetUserPasswordInput{UserPoolId: &r.poolID, Username: aws.String(r.username)}); err != nil {
			t.Fatal(err)
		}
	}
	unconfirmedUser := func(t *testing.T, r *interopRun) {
		_, err := r.e.IDP.SignUp(context.Background(), &cip.SignUpInput{ClientId: &r.clientID, Username: aws.String(r.username), Password: aws.String(interopPassword),
			UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(r.email)}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	runs := []interopRun{
		{client: "amplify", scenario: "amplify:reset-password", setup: resetUser, newPassword: interopNewPassword,
			wantSources: []string{"after reset"}, wantSteps: map[string][]string{"amplify": {"RESET_PASSWORD", "DONE"}},
			after: func(t *testing.T, r *interopRun, _ *interopResult) { r.wantStatus(t, types.UserStatusTypeConfirmed) }},
		{client: "amplify", scenario: "amplify:confirm-sign-up", setup: unconfirmedUser,
			wantSources: []string{"after confirming"}, wantSteps: map[string][]string{"amplify": {"CONFIRM_SIGN_UP", "DONE"}},
			after: func(t *testing.T, r *interopRun, _ *interopResult) { r.wantStatus(t, types.UserStatusTypeConfirmed) }},
		{client: "identity-js", scenario: "identity-js:reset-password", setup: resetUser,
			wantRejected: &interopError{Name: "PasswordResetRequiredException", Message: "Password reset required for the user"}},
		{client: "identity-js", scenario: "identity-js:confirm-sign-up", setup: unconfirmedUser,
			wantRejected: &interopError{Name: "UserNotConfirmedException", Message: "User is not confirmed."}},
	}
	for i := range runs {
		r := runs[i]
		r.e, r.poolID, r.clientID = e, poolID, clientID
		r.script, r.password = "steps.mjs", interopPassword
		r.username = "steps-" + r.scenario[len(r.client)+1:] + "-" + r.client
		r.email = r.username + "@example.com"
		t.Run(r.scenario, func(t *testing.T) {
			t.Parallel()
			r.run(t, node)
		})
	}
}
