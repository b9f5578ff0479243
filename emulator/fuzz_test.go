package emulator_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// checkCognitoError asserts a response is either a success or a JSON Cognito error
// with __type and message: never a 5xx, never a non-JSON body.
func checkCognitoError(t *testing.T, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not JSON: %q", rec.Body.String())
	}
	if rec.Code != 200 {
		if typ, _ := body["__type"].(string); typ == "" || rec.Header().Get("x-amzn-ErrorType") != typ {
			t.Fatalf("error without __type: %d %v", rec.Code, body)
		}
		if _, ok := body["message"].(string); !ok {
			t.Fatalf("error without message: %v", body)
		}
	}
}

// FuzzDecode sends arbitrary bodies to every operation: the answer is always a
// Cognito error or a success, never a panic, a 5xx or a non-JSON body.
func FuzzDecode(f *testing.F) {
	srv := emulator.New(emulator.Options{NewKey: testKey})
	h := srv.Handler()
	ops := []string{"InitiateAuth", "RespondToAuthChallenge", "AdminCreateUser", "SignUp", "CreateUserPool", "CreateUserPoolClient", "ListUsers", "GetUser", "ConfirmSignUp", "UpdateUserPool", "NoSuchOp"}
	for i := range ops {
		f.Add(uint8(i), `{}`)
		f.Add(uint8(i), `{"ClientId":"x","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"u","SRP_A":"00"}}`)
	}
	f.Add(uint8(4), `{"PoolName":"p","Policies":{"PasswordPolicy":{"MinimumLength":-1}},"Schema":[{"Name":""}]}`)
	f.Add(uint8(6), `{"UserPoolId":"x","Filter":"email ^= \"a"}`)
	f.Add(uint8(0), `{"ClientId":[1,2],"AuthFlow":{"a":null}}`)
	f.Add(uint8(2), `null`)
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		rec := handlerCall(h, ops[int(op)%len(ops)], body)
		checkCognitoError(t, rec)
		if typ := rec.Header().Get("x-amzn-ErrorType"); typ == "ForbiddenException" {
			t.Fatalf("refused before decoding (the fuzzed body never reached the operation): %s", rec.Body.String())
		}
	})
}

// FuzzPasswordVerifier answers a real PASSWORD_VERIFIER challenge with arbitrary
// values: every answer is refused with a Cognito error, none signs in, none panics.
func FuzzPasswordVerifier(f *testing.F) {
	e := newEnv(f)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(f, emulatortest.PoolSpec{})
	e.User(f, poolID, "fuzz", "Passw0rd!")
	_ = poolID
	f.Add("fuzz", "AAAA", "AAAA", "Tue Mar 5 07:04:09 UTC 2024", "02", true)
	f.Add("", "", "", "", "", false)
	f.Add("fuzz", "!!", "====", "Mon Jan 99 99:99:99 UTC 9999", srp.N().Text(16), true)
	f.Fuzz(func(t *testing.T, username, block, sig, ts, a string, realBlock bool) {
		c, _ := srp.NewClient(rand.Reader)
		srpA := c.SRPA()
		if a != "" {
			srpA = a
		}
		init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": "fuzz", "SRP_A": srpA}})
		if err != nil {
			return // a refused SRP_A is fine
		}
		if realBlock {
			block = init.ChallengeParameters["SECRET_BLOCK"]
		}
		_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientId: &clientID, Session: init.Session,
			ChallengeResponses: map[string]string{"USERNAME": username, "PASSWORD_CLAIM_SECRET_BLOCK": block, "PASSWORD_CLAIM_SIGNATURE": sig, "TIMESTAMP": ts}})
		if err == nil {
			t.Fatal("an arbitrary proof signed in")
		}
		var code string
		if ae, ok := emulatortest.ErrorCode(err); ok {
			code = ae
		}
		switch code {
		case "NotAuthorizedException", "InvalidParameterException":
		default:
			t.Fatalf("unexpected error %v", err)
		}
	})
	_ = aws.String
}

// FuzzDirectory sends arbitrary bodies to the provisioning operations of groups,
// attributes, resource servers, identity providers, domains, tags and auth events,
// against a pool that exists ("$POOL" in a body names it): every answer is a
// Cognito error or a success, and the pool stays describable and snapshottable.
func FuzzDirectory(f *testing.F) {
	srv := emulator.New(emulator.Options{NewKey: testKey})
	h := srv.Handler()
	call := func(op, body string) *httptest.ResponseRecorder { return handlerCall(h, op, body) }
	var created struct{ UserPool struct{ Id string } }
	if rec := call("CreateUserPool", `{"PoolName":"fuzz"}`); rec.Code != 200 || json.Unmarshal(rec.Body.Bytes(), &created) != nil {
		f.Fatalf("CreateUserPool: %d %s", rec.Code, rec.Body.String())
	}
	pool := created.UserPool.Id
	dir := f.TempDir()
	if rec := call("AdminCreateUser", `{"UserPoolId":"`+pool+`","Username":"u","MessageAction":"SUPPRESS"}`); rec.Code != 200 {
		f.Fatalf("AdminCreateUser: %s", rec.Body.String())
	}
	ops := []string{"CreateGroup", "UpdateGroup", "GetGroup", "DeleteGroup", "ListGroups", "AdminAddUserToGroup", "AdminRemoveUserFromGroup",
		"AdminListGroupsForUser", "ListUsersInGroup", "AddCustomAttributes", "AdminUpdateUserAttributes", "AdminDeleteUserAttributes",
		"CreateResourceServer", "UpdateResourceServer", "ListResourceServers", "CreateIdentityProvider", "UpdateIdentityProvider",
		"GetIdentityProviderByIdentifier", "CreateUserPoolDomain", "DescribeUserPoolDomain", "TagResource", "UntagResource",
		"ListTagsForResource", "AdminListUserAuthEvents", "CreateUserPoolClient", "CreateUserPool"}
	for i := range ops {
		f.Add(uint8(i), `{"UserPoolId":"$POOL"}`)
	}
	f.Add(uint8(0), `{"UserPoolId":"$POOL","GroupName":"g","Precedence":-3,"RoleArn":"arn:aws:iam::1:role/r"}`)
	f.Add(uint8(5), `{"UserPoolId":"$POOL","GroupName":"g","Username":"u"}`)
	f.Add(uint8(9), `{"UserPoolId":"$POOL","CustomAttributes":[{"Name":"n","AttributeDataType":"Number","NumberAttributeConstraints":{"MinValue":"9","MaxValue":"1"}}]}`)
	f.Add(uint8(10), `{"UserPoolId":"$POOL","Username":"u","UserAttributes":[{"Name":"custom:n","Value":"x"}]}`)
	f.Add(uint8(12), `{"UserPoolId":"$POOL","Identifier":"i","Name":"n","Scopes":[{"ScopeName":"a/b","ScopeDescription":""}]}`)
	f.Add(uint8(15), `{"UserPoolId":"$POOL","ProviderName":"Google","ProviderType":"Google","ProviderDetails":{}}`)
	f.Add(uint8(18), `{"UserPoolId":"$POOL","Domain":"-bad-","CustomDomainConfig":{"CertificateArn":""}}`)
	f.Add(uint8(20), `{"ResourceArn":"arn:aws:cognito-idp:us-east-1:000000000000:userpool/$POOL","Tags":{"":"x"}}`)
	f.Add(uint8(24), `{"UserPoolId":"$POOL","ClientName":"c","AllowedOAuthScopes":["x/y"],"SupportedIdentityProviders":["Nope"],"ExplicitAuthFlows":["USER_PASSWORD_AUTH","ALLOW_USER_SRP_AUTH"]}`)
	f.Add(uint8(25), `{"PoolName":"p","MfaConfiguration":"ON","Schema":[{"Name":"abcdefghijklmnopqrstuvwxyz","AttributeDataType":"Banana"}]}`)
	f.Fuzz(func(t *testing.T, op uint8, body string) {
		checkCognitoError(t, call(ops[int(op)%len(ops)], strings.ReplaceAll(body, "$POOL", pool)))
		if rec := call("DescribeUserPool", `{"UserPoolId":"`+pool+`"}`); rec.Code != 200 {
			t.Fatalf("the pool is gone or broken: %s", rec.Body.String())
		}
		if err := srv.SaveState(filepath.Join(dir, "state.json")); err != nil {
			t.Fatalf("state: %v", err)
		}
	})
}
