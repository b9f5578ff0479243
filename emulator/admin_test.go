package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

func TestProvisioning(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	created, err := e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("prov"),
		MfaConfiguration:       types.UserPoolMfaTypeOptional,
		SmsConfiguration:       &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::000000000000:role/sns")},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"email", "phone_number"},
		UsernameAttributes:     []types.UsernameAttributeType{"email"},
		Policies: &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{
			MinimumLength: aws.Int32(10), RequireSymbols: false, RequireNumbers: true, RequireUppercase: true, RequireLowercase: true,
		}},
		Schema: []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.UserPool.Id)
	d, err := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if err != nil {
		t.Fatal(err)
	}
	p := d.UserPool
	if p.MfaConfiguration != types.UserPoolMfaTypeOptional || aws.ToInt32(p.Policies.PasswordPolicy.MinimumLength) != 10 ||
		p.Policies.PasswordPolicy.RequireSymbols || len(p.UsernameAttributes) != 1 || !strings.HasSuffix(aws.ToString(p.Arn), ":userpool/"+id) {
		t.Errorf("DescribeUserPool: %+v", p)
	}
	hasCustom := false
	for _, a := range p.SchemaAttributes {
		if aws.ToString(a.Name) == "custom:tier" {
			hasCustom = true
		}
	}
	if !hasCustom || len(p.SchemaAttributes) < 20 {
		t.Errorf("schema: %d attributes, custom:tier %v", len(p.SchemaAttributes), hasCustom)
	}
	if _, err := e.IDP.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &id, MfaConfiguration: types.UserPoolMfaTypeOff, DeletionProtection: types.DeletionProtectionTypeActive}); err != nil {
		t.Fatal(err)
	}
	d, _ = e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	if d.UserPool.MfaConfiguration != types.UserPoolMfaTypeOff {
		t.Errorf("after update: %s", d.UserPool.MfaConfiguration)
	}
	_, err = e.IDP.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &id})
	emulatortest.APIError(t, err, "InvalidParameterException", "")

	// Clients.
	_, err = e.IDP.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &id, ClientName: aws.String("c"), AuthSessionValidity: aws.Int32(20)})
	emulatortest.APIError(t, err, "InvalidParameterException", "1 validation error detected: Value '20' at 'authSessionValidity' failed to satisfy constraint: Member must have value less than or equal to 15")
	cc, err := e.IDP.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &id, ClientName: aws.String("c"), GenerateSecret: true, AuthSessionValidity: aws.Int32(5)})
	if err != nil {
		t.Fatal(err)
	}
	cid := aws.ToString(cc.UserPoolClient.ClientId)
	dc, err := e.IDP.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &id, ClientId: &cid})
	if err != nil || aws.ToString(dc.UserPoolClient.ClientSecret) == "" || aws.ToInt32(dc.UserPoolClient.AuthSessionValidity) != 5 ||
		dc.UserPoolClient.PreventUserExistenceErrors != types.PreventUserExistenceErrorTypesLegacy || !aws.ToBool(dc.UserPoolClient.EnableTokenRevocation) ||
		dc.UserPoolClient.RefreshTokenValidity != 30 {
		t.Fatalf("DescribeUserPoolClient: %v %+v", err, dc.UserPoolClient)
	}
	uc, err := e.IDP.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &id, ClientId: &cid, ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH"}})
	if err != nil || len(uc.UserPoolClient.ExplicitAuthFlows) != 1 || aws.ToString(uc.UserPoolClient.ClientSecret) != aws.ToString(dc.UserPoolClient.ClientSecret) {
		t.Fatalf("UpdateUserPoolClient: %v", err)
	}
	if _, err := e.IDP.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &id, ClientId: &cid}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &id, ClientId: &cid})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "")

	// Listing with pagination; deletion.
	for i := 0; i < 3; i++ {
		if _, err := e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("more")}); err != nil {
			t.Fatal(err)
		}
	}
	seen := 0
	var next *string
	for {
		l, err := e.IDP.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		seen += len(l.UserPools)
		if next = l.NextToken; next == nil {
			break
		}
	}
	if seen != 4 {
		t.Errorf("listed %d pools, want 4", seen)
	}
	if _, err := e.IDP.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &id, DeletionProtection: types.DeletionProtectionTypeInactive}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &id}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &id})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "User pool "+id+" does not exist.")
}

func TestAdminUsers(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.AliasAttributes = []types.AliasAttributeType{"email"}
	}})
	// AdminCreateUser sends the temporary password.
	cu, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("olga"),
		UserAttributes:         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("olga@example.com")}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail}})
	if err != nil || cu.User.UserStatus != types.UserStatusTypeForceChangePassword || !cu.User.Enabled {
		t.Fatalf("AdminCreateUser: %v %+v", err, cu)
	}
	temp := e.lastCode(t, poolID, "olga", "TEMPORARY_PASSWORD")
	_, err = e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("olga")})
	emulatortest.APIError(t, err, "UsernameExistsException", "User account already exists")
	if _, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("olga"), MessageAction: types.MessageActionTypeResend}); err != nil {
		t.Fatal(err)
	}
	if again := e.lastCode(t, poolID, "olga", "TEMPORARY_PASSWORD"); again == temp {
		t.Error("RESEND did not send a new temporary password")
	} else {
		temp = again
	}
	// Sign in by the verified email alias; the canonical username comes back.
	init, err := e.passwordAuth(ctx, clientID, "olga@example.com", temp)
	if err != nil || init.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || init.ChallengeParameters["USER_ID_FOR_SRP"] != "olga" {
		t.Fatalf("alias sign-in: %v %+v", err, init)
	}

	// Attributes, confirm, disable/enable, reset, delete.
	_, err = e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("olga"), UserAttributes: []types.AttributeType{{Name: aws.String("nope"), Value: aws.String("x")}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	if _, err := e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("olga"), UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("o@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	g, _ := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("olga")})
	if attr(g.UserAttributes, "email") != "o@example.com" || attr(g.UserAttributes, "email_verified") != "false" {
		t.Errorf("changing email must unverify it: %+v", g.UserAttributes)
	}
	_, err = e.IDP.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("olga")})
	emulatortest.APIError(t, err, "NotAuthorizedException", "User cannot be confirmed. Current status is FORCE_CHANGE_PASSWORD")
	if _, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("pat"), Password: aws.String("Passw0rd!")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("pat")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.passwordAuth(ctx, clientID, "pat", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("pat")})
	emulatortest.APIError(t, err, "InvalidParameterException", "Cannot reset password for the user as there is no registered/verified email or phone_number")

	_, err = e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("nobody")})
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")
	if _, err := e.IDP.AdminEnableUser(ctx, &cip.AdminEnableUserInput{UserPoolId: &poolID, Username: aws.String("pat")}); err != nil {
		t.Fatal(err)
	}
	tok, err := e.passwordAuth(ctx, clientID, "pat", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminUserGlobalSignOut(ctx, &cip.AdminUserGlobalSignOutInput{UserPoolId: &poolID, Username: aws.String("pat")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: tok.AuthenticationResult.AccessToken})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Access Token has been revoked")

	// Admin password sign-in.
	ai, err := e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": "Passw0rd!"}})
	if err != nil || ai.AuthenticationResult == nil {
		t.Fatalf("AdminInitiateAuth: %v", err)
	}
	_, err = e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": "pat", "PASSWORD": "Passw0rd!"}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Initiate Auth method not supported.")

	// ListUsers with filters.
	for _, tc := range []struct {
		filter string
		want   int
	}{
		{"", 2}, {`username = "pat"`, 1}, {`email ^= "o@"`, 1}, {`cognito:user_status = "CONFIRMED"`, 1}, {`status = "Enabled"`, 2},
	} {
		l, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(tc.filter)})
		if err != nil || len(l.Users) != tc.want {
			t.Errorf("ListUsers(%q): %v, %d users, want %d", tc.filter, err, len(l.Users), tc.want)
		}
	}
	_, err = e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`shoe = "9"`)})
	emulatortest.APIError(t, err, "InvalidParameterException", "")

	if _, err := e.IDP.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &poolID, Username: aws.String("pat")}); err != nil {
		t.Fatal(err)
	}
	// The client is LEGACY (the API's default): a deleted user is not found.
	_, err = e.passwordAuth(ctx, clientID, "pat", "Passw0rd!")
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")
}

// TestEmailUsernamePool: users of a pool whose username is the email get a UUID
// username; signing in with the email returns it.
func TestEmailUsernamePool(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.UsernameAttributes = []types.UsernameAttributeType{"email"}
	}})
	_, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("not-an-email"), Password: aws.String("Passw0rd!")})
	emulatortest.APIError(t, err, "InvalidParameterException", "Username should be an email.")
	su, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("quinn@example.com"), Password: aws.String("Passw0rd!")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminConfirmSignUp(ctx, &cip.AdminConfirmSignUpInput{UserPoolId: &poolID, Username: aws.String("quinn@example.com")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.srpSignIn(ctx, poolID, clientID, "quinn@example.com", "Passw0rd!")
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("sign-in by email: %v", err)
	}
	g, err := e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	if err != nil || aws.ToString(g.Username) != aws.ToString(su.UserSub) || attr(g.UserAttributes, "email") != "quinn@example.com" {
		t.Fatalf("GetUser: %v %+v (sub %s)", err, g, aws.ToString(su.UserSub))
	}
	_, err = e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("quinn@example.com"), Password: aws.String("Passw0rd!")})
	emulatortest.APIError(t, err, "UsernameExistsException", "")
}

// TestAdminChallenge: an admin sign-in's NEW_PASSWORD_REQUIRED is answered through
// AdminRespondToAuthChallenge; the public API cannot answer an admin session.
func TestAdminChallenge(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	if _, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("sam"), TemporaryPassword: aws.String("Temp0rary!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	init, err := e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "sam", "PASSWORD": "Temp0rary!"}})
	if err != nil || init.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
		t.Fatalf("AdminInitiateAuth: %v %+v", err, init)
	}
	_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: &clientID, ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "sam", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
	out, err := e.IDP.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &poolID, ClientId: &clientID, ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "sam", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("AdminRespondToAuthChallenge: %v", err)
	}
	_, err = e.IDP.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: aws.String("us-east-1_nope"), ClientId: &clientID, ChallengeName: types.ChallengeNameTypeNewPasswordRequired, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "sam", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "User pool us-east-1_nope does not exist.")
	if _, err := e.passwordAuth(ctx, clientID, "sam", "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
}
