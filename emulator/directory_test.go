package emulator_test

import (
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

func passwordSignIn(t *testing.T, e *env, clientID, user, pw string) *types.AuthenticationResultType {
	t.Helper()
	out, err := e.IDP.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": user, "PASSWORD": pw},
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("challenge %s instead of tokens", out.ChallengeName)
	}
	return out.AuthenticationResult
}

func TestGroups(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!x")
	e.User(t, poolID, "bob", "Passw0rd!x")

	mk := func(name string, prec *int32, role string) {
		t.Helper()
		in := &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: &name, Precedence: prec, Description: aws.String("d " + name)}
		if role != "" {
			in.RoleArn = &role
		}
		out, err := e.IDP.CreateGroup(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.Group.GroupName) != name || aws.ToString(out.Group.UserPoolId) != poolID || out.Group.CreationDate == nil {
			t.Fatalf("CreateGroup echoed %+v", out.Group)
		}
	}
	mk("zeta", aws.Int32(1), "arn:aws:iam::123456789012:role/zeta")
	mk("alpha", aws.Int32(5), "arn:aws:iam::123456789012:role/alpha")
	mk("beta", aws.Int32(1), "arn:aws:iam::123456789012:role/beta")
	mk("none", nil, "")

	_, err := e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("zeta")})
	emulatortest.APIError(t, err, "GroupExistsException", "")
	_, err = e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("has space")})
	emulatortest.APIError(t, err, "InvalidParameterException", `1 validation error detected: Value 'has space' at 'groupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`)
	_, err = e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("neg"), Precedence: aws.Int32(-1)})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	_, err = e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("badrole"), RoleArn: aws.String("not-an-arn-but-long-enough")})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	_, err = e.IDP.GetGroup(ctx, &cip.GetGroupInput{UserPoolId: &poolID, GroupName: aws.String("missing")})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "Group not found.")

	for _, g := range []string{"alpha", "zeta", "none", "beta"} {
		if _, err := e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("alice"), GroupName: aws.String(g)}); err != nil {
			t.Fatal(err)
		}
	}
	// Adding twice is not an error.
	if _, err := e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("alice"), GroupName: aws.String("alpha")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("nobody"), GroupName: aws.String("alpha")})
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")
	_, err = e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("bob"), GroupName: aws.String("missing")})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "Group not found.")

	// Paging: Limit 2 over four groups.
	var names []string
	var next *string
	for {
		out, err := e.IDP.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID, Limit: aws.Int32(2), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Groups) > 2 {
			t.Fatalf("page of %d", len(out.Groups))
		}
		for _, g := range out.Groups {
			names = append(names, aws.ToString(g.GroupName))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if want := []string{"alpha", "beta", "none", "zeta"}; !reflect.DeepEqual(names, want) {
		t.Fatalf("ListGroups = %v, want %v", names, want)
	}
	_, err = e.IDP.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID, Limit: aws.Int32(61)})
	emulatortest.APIError(t, err, "InvalidParameterException", "")

	lu, err := e.IDP.ListUsersInGroup(ctx, &cip.ListUsersInGroupInput{UserPoolId: &poolID, GroupName: aws.String("alpha")})
	if err != nil || len(lu.Users) != 1 || aws.ToString(lu.Users[0].Username) != "alice" {
		t.Fatalf("ListUsersInGroup = %+v, %v", lu, err)
	}
	lg, err := e.IDP.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	if err != nil || len(lg.Groups) != 4 {
		t.Fatalf("AdminListGroupsForUser = %+v, %v", lg, err)
	}

	// Tokens: groups by precedence then name (beta, zeta at 1; alpha at 5; none last);
	// two groups share the best precedence with different roles, so no preferred role.
	res := passwordSignIn(t, e, clientID, "alice", "Passw0rd!x")
	id, access := emulatortest.Claims(t, *res.IdToken), emulatortest.Claims(t, *res.AccessToken)
	wantGroups := []any{"beta", "zeta", "alpha", "none"}
	if !reflect.DeepEqual(id["cognito:groups"], wantGroups) || !reflect.DeepEqual(access["cognito:groups"], wantGroups) {
		t.Fatalf("cognito:groups id=%v access=%v, want %v", id["cognito:groups"], access["cognito:groups"], wantGroups)
	}
	wantRoles := []any{"arn:aws:iam::123456789012:role/beta", "arn:aws:iam::123456789012:role/zeta", "arn:aws:iam::123456789012:role/alpha"}
	if !reflect.DeepEqual(id["cognito:roles"], wantRoles) {
		t.Fatalf("cognito:roles = %v, want %v", id["cognito:roles"], wantRoles)
	}
	if _, ok := id["cognito:preferred_role"]; ok {
		t.Fatalf("preferred_role set despite a tie: %v", id["cognito:preferred_role"])
	}
	if _, ok := access["cognito:roles"]; ok {
		t.Fatal("access token carries cognito:roles")
	}

	// Out of beta, alice's best group is zeta alone: its role is preferred.
	if _, err := e.IDP.AdminRemoveUserFromGroup(ctx, &cip.AdminRemoveUserFromGroupInput{UserPoolId: &poolID, Username: aws.String("alice"), GroupName: aws.String("beta")}); err != nil {
		t.Fatal(err)
	}
	id = emulatortest.Claims(t, *passwordSignIn(t, e, clientID, "alice", "Passw0rd!x").IdToken)
	if id["cognito:preferred_role"] != "arn:aws:iam::123456789012:role/zeta" {
		t.Fatalf("preferred_role = %v", id["cognito:preferred_role"])
	}
	// A user in no group has no group claims.
	id = emulatortest.Claims(t, *passwordSignIn(t, e, clientID, "bob", "Passw0rd!x").IdToken)
	if _, ok := id["cognito:groups"]; ok {
		t.Fatal("bob has cognito:groups")
	}

	// UpdateGroup changes what is given; DeleteGroup removes memberships.
	up, err := e.IDP.UpdateGroup(ctx, &cip.UpdateGroupInput{UserPoolId: &poolID, GroupName: aws.String("alpha"), Precedence: aws.Int32(0)})
	if err != nil || aws.ToInt32(up.Group.Precedence) != 0 || aws.ToString(up.Group.Description) != "d alpha" {
		t.Fatalf("UpdateGroup = %+v, %v", up, err)
	}
	if _, err := e.IDP.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &poolID, GroupName: aws.String("zeta")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: &poolID, GroupName: aws.String("zeta")})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "Group not found.")
	id = emulatortest.Claims(t, *passwordSignIn(t, e, clientID, "alice", "Passw0rd!x").IdToken)
	if want := []any{"alpha", "none"}; !reflect.DeepEqual(id["cognito:groups"], want) {
		t.Fatalf("after delete, cognito:groups = %v, want %v", id["cognito:groups"], want)
	}
}

func TestResourceServersProvidersDomainsTags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})

	rs, err := e.IDP.CreateResourceServer(ctx, &cip.CreateResourceServerInput{
		UserPoolId: &poolID, Identifier: aws.String("https://api.example.com"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("Read")}},
	})
	if err != nil || aws.ToString(rs.ResourceServer.Identifier) != "https://api.example.com" || len(rs.ResourceServer.Scopes) != 1 {
		t.Fatalf("CreateResourceServer = %+v, %v", rs, err)
	}
	_, err = e.IDP.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("x"), Name: aws.String("x"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("a/b"), ScopeDescription: aws.String("d")}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	_, err = e.IDP.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("nope")})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "")
	lrs, err := e.IDP.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID, MaxResults: aws.Int32(10)})
	if err != nil || len(lrs.ResourceServers) != 1 {
		t.Fatalf("ListResourceServers = %+v, %v", lrs, err)
	}

	ip, err := e.IDP.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: &poolID, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails:  map[string]string{"client_id": "cid", "client_secret": "cs", "authorize_scopes": "openid email"},
		AttributeMapping: map[string]string{"email": "email"}, IdpIdentifiers: []string{"gmail"},
	})
	if err != nil || aws.ToString(ip.IdentityProvider.ProviderName) != "Google" || ip.IdentityProvider.ProviderDetails["client_id"] != "cid" {
		t.Fatalf("CreateIdentityProvider = %+v, %v", ip, err)
	}
	_, err = e.IDP.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: &poolID, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
		ProviderDetails: map[string]string{"client_id": "cid", "client_secret": "cs", "authorize_scopes": "openid"},
	})
	emulatortest.APIError(t, err, "DuplicateProviderException", "")
	_, err = e.IDP.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{
		UserPoolId: &poolID, ProviderName: aws.String("corp"), ProviderType: types.IdentityProviderTypeTypeOidc,
		ProviderDetails: map[string]string{"client_id": "cid"},
	})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	byID, err := e.IDP.GetIdentityProviderByIdentifier(ctx, &cip.GetIdentityProviderByIdentifierInput{UserPoolId: &poolID, IdpIdentifier: aws.String("gmail")})
	if err != nil || aws.ToString(byID.IdentityProvider.ProviderName) != "Google" {
		t.Fatalf("GetIdentityProviderByIdentifier = %+v, %v", byID, err)
	}

	if _, err := e.IDP.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("my-app")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("Bad_Domain")})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	other, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	_, err = e.IDP.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &other, Domain: aws.String("my-app")})
	emulatortest.APIError(t, err, "InvalidParameterException", "Domain already associated with another user pool.")
	dd, err := e.IDP.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")})
	if err != nil || aws.ToString(dd.DomainDescription.UserPoolId) != poolID || dd.DomainDescription.Status != types.DomainStatusTypeActive {
		t.Fatalf("DescribeUserPoolDomain = %+v, %v", dd, err)
	}
	free, err := e.IDP.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("free-one")})
	if err != nil || free.DomainDescription == nil || free.DomainDescription.UserPoolId != nil {
		t.Fatalf("free domain = %+v, %v", free, err)
	}
	dp, err := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil || aws.ToString(dp.UserPool.Domain) != "my-app" {
		t.Fatalf("DescribeUserPool domain = %v, %v", dp.UserPool.Domain, err)
	}

	arn := aws.ToString(dp.UserPool.Arn)
	if _, err := e.IDP.TagResource(ctx, &cip.TagResourceInput{ResourceArn: &arn, Tags: map[string]string{"env": "test", "team": "qa"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: &arn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := e.IDP.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: &arn})
	if err != nil || !reflect.DeepEqual(tags.Tags, map[string]string{"env": "test"}) {
		t.Fatalf("ListTagsForResource = %+v, %v", tags, err)
	}
	_, err = e.IDP.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String(strings.Replace(arn, poolID, poolID+"x", 1))})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "")

	// Everything survives a state round trip.
	path := filepath.Join(t.TempDir(), "state.json")
	if err := e.Srv.SaveState(path); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t)
	if _, err := e2.Srv.LoadState(path); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.IDP.DescribeResourceServer(ctx, &cip.DescribeResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("https://api.example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.IDP.DescribeIdentityProvider(ctx, &cip.DescribeIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Google")}); err != nil {
		t.Fatal(err)
	}
	if dd, err := e2.IDP.DescribeUserPoolDomain(ctx, &cip.DescribeUserPoolDomainInput{Domain: aws.String("my-app")}); err != nil || aws.ToString(dd.DomainDescription.UserPoolId) != poolID {
		t.Fatalf("domain after restore = %+v, %v", dd, err)
	}
}

func TestAdminListUserAuthEvents(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "carol", "Passw0rd!x")
	_, err := e.IDP.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &poolID, Username: aws.String("carol")})
	emulatortest.APIError(t, err, "UserPoolAddOnNotEnabledException", "")

	// With threat protection in AUDIT the events are listed, newest first.
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.UserPoolAddOns = &types.UserPoolAddOnsType{AdvancedSecurityMode: types.AdvancedSecurityModeTypeAudit}
	}})
	e.User(t, poolID, "carol", "Passw0rd!x")
	_, err = e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "wrong-Passw0rd"}})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	passwordSignIn(t, e, clientID, "carol", "Passw0rd!x")
	var responses []string
	var next *string
	for {
		out, err := e.IDP.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &poolID, Username: aws.String("carol"), MaxResults: aws.Int32(1), NextToken: next})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range out.AuthEvents {
			if ev.EventType != types.EventTypeSignIn || ev.CreationDate == nil || aws.ToString(ev.EventId) == "" {
				t.Fatalf("event %+v", ev)
			}
			responses = append(responses, string(ev.EventResponse))
		}
		if next = out.NextToken; next == nil {
			break
		}
	}
	if !reflect.DeepEqual(responses, []string{"Pass", "Fail"}) {
		t.Fatalf("events %v, want [Pass Fail]", responses)
	}
}

func TestClientOAuthAndLegacyFlows(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	mk := func(f func(*cip.CreateUserPoolClientInput)) (*cip.CreateUserPoolClientOutput, error) {
		in := &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("web")}
		f(in)
		return e.IDP.CreateUserPoolClient(ctx, in)
	}
	// Scopes must exist: standard ones and those of a resource server.
	_, err := mk(func(in *cip.CreateUserPoolClientInput) { in.AllowedOAuthScopes = []string{"openid", "Cognito"} })
	emulatortest.APIError(t, err, "ScopeDoesNotExistException", "Invalid scope requested: Cognito")
	_, err = mk(func(in *cip.CreateUserPoolClientInput) { in.AllowedOAuthScopes = []string{"api/read"} })
	emulatortest.APIError(t, err, "ScopeDoesNotExistException", "Invalid scope requested: api/read")
	if _, err := e.IDP.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("api"), Name: aws.String("api"),
		Scopes: []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String("r")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := mk(func(in *cip.CreateUserPoolClientInput) {
		in.AllowedOAuthScopes = []string{"openid", "email", "api/read"}
	}); err != nil {
		t.Fatal(err)
	}
	// Identity providers must exist.
	_, err = mk(func(in *cip.CreateUserPoolClientInput) {
		in.SupportedIdentityProviders = []string{"COGNITO", "Salesforce"}
	})
	emulatortest.APIError(t, err, "InvalidParameterException", "The provider Salesforce does not exist for User Pool "+poolID+".")

	// Legacy flow names alone still allow SRP and refresh; DescribeUserPoolClient
	// echoes what was sent; legacy and ALLOW_ names do not mix.
	c, err := mk(func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.IDP.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: c.UserPoolClient.ClientId})
	if err != nil || !reflect.DeepEqual(d.UserPoolClient.ExplicitAuthFlows, []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"}) {
		t.Fatalf("ExplicitAuthFlows echoed as %v, %v", d.UserPoolClient.ExplicitAuthFlows, err)
	}
	e.User(t, poolID, "erin", "Passw0rd!x")
	if _, err := e.srpSignIn(ctx, poolID, aws.ToString(c.UserPoolClient.ClientId), "erin", "Passw0rd!x"); err != nil {
		t.Fatalf("SRP with legacy flows: %v", err)
	}
	res := passwordSignIn(t, e, aws.ToString(c.UserPoolClient.ClientId), "erin", "Passw0rd!x")
	if _, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: c.UserPoolClient.ClientId,
		AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(res.RefreshToken)}}); err != nil {
		t.Fatalf("refresh with legacy flows: %v", err)
	}
	_, err = mk(func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"}
	})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
}

// TestStateOldAndNew: a state file written before groups, attributes and the rest
// existed (testdata/state-before-directory.json, saved by the previous release) still
// loads and takes the new objects; every new object survives a save and a reload.
func TestStateOldAndNew(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	if ok, err := e.Srv.LoadState("testdata/state-before-directory.json"); err != nil || !ok {
		t.Fatalf("old state: %v %v", ok, err)
	}
	poolID := "us-east-1_AuthBenchMFA"
	if _, err := e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("ops"), Precedence: aws.Int32(3)}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("sms"), GroupName: aws.String("ops")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &poolID, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("region"), AttributeDataType: types.AttributeDataTypeString}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("sms"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:region"), Value: aws.String("eu")}}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := e.Srv.SaveState(path); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t)
	if _, err := e2.Srv.LoadState(path); err != nil {
		t.Fatal(err)
	}
	lg, err := e2.IDP.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("sms")})
	if err != nil || len(lg.Groups) != 1 || aws.ToString(lg.Groups[0].GroupName) != "ops" || aws.ToInt32(lg.Groups[0].Precedence) != 3 {
		t.Fatalf("groups after reload: %+v %v", lg, err)
	}
	u, err := e2.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("sms")})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range u.UserAttributes {
		found = found || (aws.ToString(a.Name) == "custom:region" && aws.ToString(a.Value) == "eu")
	}
	if !found {
		t.Fatalf("custom attribute lost: %+v", u.UserAttributes)
	}
}
