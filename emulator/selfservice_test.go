package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

type message struct {
	Seq         int64  `json:"seq"`
	PoolID      string `json:"poolId"`
	Username    string `json:"username"`
	Medium      string `json:"medium"`
	Destination string `json:"destination"`
	Purpose     string `json:"purpose"`
	Code        string `json:"code"`
	Body        string `json:"body"`
}

// outbox reads the emulator's outbox over HTTP, as a person reads their phone.
func (e *env) outbox(t *testing.T, poolID, username, purpose string) []message {
	t.Helper()
	q := url.Values{"poolId": {poolID}, "username": {username}, "purpose": {purpose}}
	resp, err := http.Get(e.srv.Endpoint() + "/_authbench/outbox?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Messages []message `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return body.Messages
}

func (e *env) lastCode(t *testing.T, poolID, username, purpose string) string {
	t.Helper()
	m := e.outbox(t, poolID, username, purpose)
	if len(m) == 0 {
		t.Fatalf("no %s message for %s", purpose, username)
	}
	return m[0].Code
}

func TestSignUpFlow(t *testing.T) {
	c := &clock{}
	e := newEnv(t, withClock(c))
	ctx := context.Background()
	poolID, clientID, _ := e.pool(t, poolSpec{create: func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{"email"}
		in.Schema = []types.SchemaAttributeType{{Name: aws.String("email"), Required: aws.Bool(true)}}
	}})
	attrs := []types.AttributeType{{Name: aws.String("email"), Value: aws.String("jo@example.com")}}
	_, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("Passw0rd!")})
	apiError(t, err, "InvalidParameterException", "Attributes did not conform to the schema: email: The attribute is required")
	_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("short"), UserAttributes: attrs})
	apiError(t, err, "InvalidPasswordException", "")
	out, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("Passw0rd!"), UserAttributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	if out.UserConfirmed || aws.ToString(out.UserSub) == "" || out.CodeDeliveryDetails == nil ||
		out.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail || aws.ToString(out.CodeDeliveryDetails.Destination) != "j***@e***" {
		t.Fatalf("SignUp: %+v %+v", out, out.CodeDeliveryDetails)
	}
	_, err = e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("jo"), Password: aws.String("Passw0rd!"), UserAttributes: attrs})
	apiError(t, err, "UsernameExistsException", "User already exists")

	msgs := e.outbox(t, poolID, "jo", "SIGN_UP")
	if len(msgs) != 1 || msgs[0].Destination != "jo@example.com" || len(msgs[0].Code) != 6 {
		t.Fatalf("outbox: %+v", msgs)
	}
	code := msgs[0].Code
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &wrong})
	apiError(t, err, "CodeMismatchException", "Invalid verification code provided, please try again.")

	// A resent code replaces the first one.
	if _, err := e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("jo")}); err != nil {
		t.Fatal(err)
	}
	code2 := e.lastCode(t, poolID, "jo", "SIGN_UP")
	if code2 != code {
		_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &code})
		apiError(t, err, "CodeMismatchException", "")
	}
	cs, err := e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &code2})
	if err != nil || cs.Session == nil {
		t.Fatalf("ConfirmSignUp: %v", err)
	}
	_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("jo"), ConfirmationCode: &code2})
	apiError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is CONFIRMED")
	_, err = e.idp.ResendConfirmationCode(ctx, &cip.ResendConfirmationCodeInput{ClientId: &clientID, Username: aws.String("jo")})
	apiError(t, err, "InvalidParameterException", "User is already confirmed.")

	got, err := e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("jo")})
	if err != nil || got.UserStatus != types.UserStatusTypeConfirmed || attr(got.UserAttributes, "email_verified") != "true" {
		t.Fatalf("after confirm: %v %+v", err, got)
	}
	if _, err := e.srpSignIn(ctx, poolID, clientID, "jo", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}

	// Codes expire.
	if _, err := e.idp.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("kim"), Password: aws.String("Passw0rd!"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("kim@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	kc := e.lastCode(t, poolID, "kim", "SIGN_UP")
	c.advance(25 * time.Hour)
	_, err = e.idp.ConfirmSignUp(ctx, &cip.ConfirmSignUpInput{ClientId: &clientID, Username: aws.String("kim"), ConfirmationCode: &kc})
	apiError(t, err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
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
	poolID, clientID, _ := e.pool(t, poolSpec{client: func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	}})
	e.user(t, poolID, "lee", "Passw0rd!", "email", "lee@example.com", "email_verified", "true")
	e.user(t, poolID, "mo", "Passw0rd!") // no verified contact

	_, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("mo")})
	apiError(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")

	// An unknown user gets a plausible answer (PreventUserExistenceErrors ENABLED).
	ghost, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("ghost")})
	if err != nil || ghost.CodeDeliveryDetails == nil {
		t.Fatalf("unknown user: %v", err)
	}

	fp, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee")})
	if err != nil || fp.CodeDeliveryDetails.DeliveryMedium != types.DeliveryMediumTypeEmail {
		t.Fatalf("ForgotPassword: %v", err)
	}
	code := e.lastCode(t, poolID, "lee", "FORGOT_PASSWORD")
	_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("weak")})
	apiError(t, err, "InvalidPasswordException", "")
	bad := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
	for i := 0; i < 5; i++ {
		_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &bad, Password: aws.String("N3w-Passw0rd!")})
		apiError(t, err, "CodeMismatchException", "")
	}
	// Attempts are limited: even the right code is refused now.
	_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("N3w-Passw0rd!")})
	apiError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")

	if _, err := e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee")}); err != nil {
		t.Fatal(err)
	}
	code = e.lastCode(t, poolID, "lee", "FORGOT_PASSWORD")
	if _, err := e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("N3w-Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.idp.ConfirmForgotPassword(ctx, &cip.ConfirmForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee"), ConfirmationCode: &code, Password: aws.String("N3w-Passw0rd!2")})
	apiError(t, err, "ExpiredCodeException", "") // single use
	_, err = e.passwordAuth(ctx, clientID, "lee", "Passw0rd!")
	apiError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if _, err := e.srpSignIn(ctx, poolID, clientID, "lee", "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}

	// Too many code requests.
	err = nil
	for i := 0; i < 20 && err == nil; i++ {
		_, err = e.idp.ForgotPassword(ctx, &cip.ForgotPasswordInput{ClientId: &clientID, Username: aws.String("lee")})
	}
	apiError(t, err, "LimitExceededException", "Attempt limit exceeded, please try after some time.")
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
	poolID, clientID, _ := e.pool(t, poolSpec{})
	e.user(t, poolID, "nia", "Passw0rd!", "email", "nia@example.com", "email_verified", "true")
	signIn := func(pw string) *types.AuthenticationResultType {
		out, err := e.passwordAuth(ctx, clientID, "nia", pw)
		if err != nil {
			t.Fatal(err)
		}
		return out.AuthenticationResult
	}
	tok := signIn("Passw0rd!")

	// GetUser and UpdateUserAttributes.
	if _, err := e.idp.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Nia")}}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.idp.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok.AccessToken, UserAttributes: []types.AttributeType{{Name: aws.String("shoe_size"), Value: aws.String("9")}}})
	apiError(t, err, "InvalidParameterException", "")
	gu, err := e.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	if err != nil || attr(gu.UserAttributes, "name") != "Nia" || attr(gu.UserAttributes, "sub") == "" {
		t.Fatalf("GetUser: %v %+v", err, gu)
	}

	// ChangePassword.
	_, err = e.idp.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String("nope-Passw0rd"), ProposedPassword: aws.String("N3w-Passw0rd!")})
	apiError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	if _, err := e.idp.ChangePassword(ctx, &cip.ChangePasswordInput{AccessToken: tok.AccessToken, PreviousPassword: aws.String("Passw0rd!"), ProposedPassword: aws.String("N3w-Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	tok = signIn("N3w-Passw0rd!")

	// Refresh, RevokeToken: the refresh token and the access tokens of its family die.
	ref, err := e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.idp.RevokeToken(ctx, &cip.RevokeTokenInput{ClientId: &clientID, Token: tok.RefreshToken}); err != nil {
		t.Fatal(err)
	}
	_, err = e.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: ref.AuthenticationResult.AccessToken})
	apiError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *tok.RefreshToken}})
	apiError(t, err, "NotAuthorizedException", "")

	// GlobalSignOut revokes every token; expired and foreign tokens are refused.
	tok = signIn("N3w-Passw0rd!")
	other := signIn("N3w-Passw0rd!")
	if _, err := e.idp.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = e.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: other.AccessToken})
	apiError(t, err, "NotAuthorizedException", "Access Token has been revoked")
	_, err = e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *other.RefreshToken}})
	apiError(t, err, "NotAuthorizedException", "")
	c.advance(time.Second)
	tok = signIn("N3w-Passw0rd!")
	c.advance(61 * time.Minute)
	_, err = e.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AccessToken})
	apiError(t, err, "NotAuthorizedException", "Access Token has expired")
	_, err = e.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: aws.String("eyJhbGciOiJSUzI1NiJ9.e30.AAAA")})
	apiError(t, err, "NotAuthorizedException", "Invalid Access Token")

	// DeleteUser.
	tok = signIn("N3w-Passw0rd!")
	if _, err := e.idp.DeleteUser(ctx, &cip.DeleteUserInput{AccessToken: tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	_, err = e.idp.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("nia")})
	apiError(t, err, "UserNotFoundException", "User does not exist.")
}
