package emulator_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// GetTokensFromRefreshToken is how Amplify JS v6 refreshes; without refresh token
// rotation it gives new id and access tokens and keeps the refresh token.
func TestGetTokensFromRefreshToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "carol", "Passw0rd!")
	signIn := func(poolID, clientID, secret string) *types.AuthenticationResultType {
		t.Helper()
		params := map[string]string{"USERNAME": "carol", "PASSWORD": "Passw0rd!"}
		if secret != "" {
			params["SECRET_HASH"] = srp.AppClient{ID: clientID, Secret: secret}.SecretHash("carol")
		}
		out, err := e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: params})
		if err != nil {
			t.Fatal(err)
		}
		return out.AuthenticationResult
	}
	first := signIn(poolID, clientID, "")

	out, err := e.IDP.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: first.RefreshToken})
	if err != nil {
		t.Fatal(err)
	}
	res := out.AuthenticationResult
	if res == nil || aws.ToString(res.IdToken) == "" || aws.ToString(res.AccessToken) == "" || res.RefreshToken != nil {
		t.Fatalf("got %+v", res)
	}
	if _, err := e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: res.AccessToken}); err != nil {
		t.Fatal(err)
	}

	_, err = e.IDP.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID, RefreshToken: aws.String("not-a-token")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid Refresh Token")

	// A client with a secret needs it as ClientSecret.
	poolID2, clientID2, secret2 := e.Pool(t, emulatortest.PoolSpec{Client: func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = true }})
	e.User(t, poolID2, "carol", "Passw0rd!")
	withSecret := signIn(poolID2, clientID2, secret2)
	_, err = e.IDP.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID2, RefreshToken: withSecret.RefreshToken})
	emulatortest.APIError(t, err, "NotAuthorizedException", "")
	bad := secret2 + "x"
	_, err = e.IDP.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID2, RefreshToken: withSecret.RefreshToken, ClientSecret: &bad})
	emulatortest.APIError(t, err, "NotAuthorizedException", "")
	if _, err := e.IDP.GetTokensFromRefreshToken(ctx, &cip.GetTokensFromRefreshTokenInput{ClientId: &clientID2, RefreshToken: withSecret.RefreshToken, ClientSecret: &secret2}); err != nil {
		t.Fatal(err)
	}
}
