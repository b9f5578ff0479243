package emulator_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

func (e *env) lastCode(t *testing.T, poolID, username, purpose string) string {
	t.Helper()
	m := e.Outbox(t, poolID, username, purpose)
	if len(m) == 0 {
		t.Fatalf("no %s message for %s", purpose, username)
	}
	return m[0].Code
}

func TestSignUpFlow(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{"email"}
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("email"), Required: aws.Bool(true)}}
	}})
	attrs := []types.AttributeType{{Name: aws.String("email"), Value: aws.String("jo@example.com")}}
	_, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("Passw0rd!")})
	emulatortest.APIError(t, err, "InvalidParameterException", "Attributes did not conform to the schema: email: The attribute is required")
	_, err = e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("short"), UserAttributes: attrs})
	emulatortest.APIError(t, err, "InvalidPasswordException", "")
	out, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("Passw0rd!"), UserAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserConfirmed || aws.ToString(out.UserSub) == "" || out.CodeDeliveryDetails == nil ||
		out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(out.CodeDeliveryDetails.Destination) != "j***@e***" {
		t.Fatalf("SignUp: %+v %+v", out, out.CodeDeliveryDetails)
	}
	_, err = e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("Passw0rd!"), UserAttributes: attrs})
	emulatortest.APIError(t, err, "UsernameExistsException", "User already exists")

	msgs := e.Outbox(t, poolID, "jo", "SIGN_UP")
	if len(msgs) != 1 || msgs[0].Destination != "jo@example.com" || len(msgs[0].Code) != 6 {
		t.Fatalf("outbox: %+v", msgs)
	}
	code := msgs[0].Code
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = e.IDP.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &wrong})
	emulatortest.APIError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")

	// A resent code replaces the first one.
	if _, err := e.IDP.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("jo")}); err != nil {
		t.Fatal(err)
	}
	code2 := e.lastCode(t, poolID, "jo", "SIGN_UP")
	if code2 != code {
		_, err = e.IDP.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &code})
		emulatortest.APIError(t, err, "CodeMismatchException", "")
	}
	cs, err := e.IDP.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &code2})
	if err != nil || cs.Session == nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	_, err = e.IDP.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &code2})
	emulatortest.APIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	_, err = e.IDP.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("jo")})
	emulatortest.APIError(t, err, "InvalidParameterException", "User is already confirmed.")

	got, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("jo")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed || attr(got.UserAttributes, "email_verified") != "true" {
		t.Fatalf("after confirm: %v %+v", err, got)
	}
	if _, err := e.srpSignIn(ctx, poolID, clientID, "jo", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}

	// Codes expire.
	if _, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("kim"), Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("kim@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	kc := e.lastCode(t, poolID, "kim", "SIGN_UP")
	c.advance(25 * time.Hour)
	_, err = e.IDP.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("kim"), ConfirmationCode: &kc})
	emulatortest.APIError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
}

func attr(list []types.AttributeType, name string) string {
	for _, a := range list {
		if aws.ToString(a.Name) == name {
			return aws.ToString(a.Value)
		}
	}
	return ""
}

func TestForgotPasswordFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Client: func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}})
	e.User(t, poolID, "lee", "Passw0rd!", "email", "lee@example.com", "email_verified", "true")
	e.User(t, poolID, "mo", "Passw0rd!") // no verified contact

	_, err := e.IDP.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("mo")})
	emulatortest.APIError(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")

	// An unknown user gets a plausible answer (PreventUserExistenceErrors ENABLED).
	ghost, err := e.IDP.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("ghost")})
	if err != nil || ghost.CodeDeliveryDetails == nil {
		t.Fatalf("unknown user: %v", err)
	}

	fp, err := e.IDP.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee")})
	if err != nil || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Fatalf("ForgotPassword: %v", err)
	}
	code := e.lastCode(t, poolID, "lee", "FORGOT_PASSWORD")
	_, err = e.IDP.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("weak")})
	emulatortest.APIError(t, err, "InvalidPasswordException", "")
	bad := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	for i := 0; i < 5; i++ {
		_, err = e.IDP.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &bad, Password: aws.String("N3w-Passw0rd!")})
		emulatortest.APIError(t, err, "CodeMismatchException", "")
	}
	// Attempts are limited: even the right code is refused now.
	_, err = e.IDP.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("N3w-Passw0rd!")})
	emulatortest.APIError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")

	if _, err := e.IDP.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee")}); err != nil {
		t.Fatal(err)
	}
	code = e.lastCode(t, poolID, "lee", "FORGOT_PASSWORD")
	if _, err := e.IDP.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("N3w-Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("N3w-Passw0rd!2")})
	emulatortest.APIError(t, err, "ExpiredCodeException", "") // single use
	_, err = e.passwordAuth(ctx, clientID, "lee", "Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if _, err := e.srpSignIn(ctx, poolID, clientID, "lee", "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}

	// Too many code requests.
	err = nil
	for i := 0; i < 20 && err == nil; i++ {
		_, err = e.IDP.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee")})
	}
	emulatortest.APIError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
}

func atoi(s string) int {
	n := 0
	for _, r := range s {
		n = n*10 + int(r-'0')
	}
	return n
}

func TestSignedInCalls(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "nia", "Passw0rd!", "email", "nia@example.com", "email_verified", "true")
	signIn := func(pw string) *types.AuthenticationResultType {
		out, err := e.passwordAuth(ctx, clientID, "nia", pw)
		if err != nil {
			t.Fatal(err)
		}
		return out.AuthenticationResult
	}
	tok := signIn("Passw0rd!")

	// GetUser and UpdateUserAttributes.
	if _, err := e.IDP.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Nia")}}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.IDP.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: []types.AttributeType{{Name: aws.String("shoe_size"), Value: aws.String("9")}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	gu, err := e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	if err != nil || attr(gu.UserAttributes, "name") != "Nia" || attr(gu.UserAttributes, "sub") == "" {
		t.Fatalf("GetUser: %v %+v", err, gu)
	}

	// ChangePassword.
	_, err = e.IDP.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String("nope-Passw0rd"), ProposedPassword: aws.String("N3w-Passw0rd!")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if _, err := e.IDP.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String("Passw0rd!"), ProposedPassword: aws.String("N3w-Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	tok = signIn("N3w-Passw0rd!")

	// Refresh, RevokeToken: the refresh token and the access tokens of its family die.
	ref, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &clientID, Token: tok.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: ref.AuthenticationResult.AccessToken})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	emulatortest.APIError(t, err, "NotAuthorizedException", "")

	// GlobalSignOut revokes every token; expired and foreign tokens are refused.
	tok = signIn("N3w-Passw0rd!")
	other := signIn("N3w-Passw0rd!")
	if _, err := e.IDP.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: other.AccessToken})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *other.RefreshToken}})
	emulatortest.APIError(t, err, "NotAuthorizedException", "")
	c.advance(time.Second)
	tok = signIn("N3w-Passw0rd!")
	c.advance(61 * time.Minute)
	_, err = e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Access Token has expired")
	_, err = e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String("eyJhbGciOiJSUzI1NiJ9.e30.AAAA")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid Access Token")

	// DeleteUser.
	tok = signIn("N3w-Passw0rd!")
	if _, err := e.IDP.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("nia")})
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")
}
