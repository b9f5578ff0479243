package emulator_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator/internal/idp"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// TestValidationTexts checks the answers to members that break Cognito's published
// constraints: InvalidParameterException with the AWS front end's text, the value
// quoted only when it is not sensitive and within its length.
func TestValidationTexts(t *testing.T) {
	e := newEnv(t)
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "val", "Passw0rd!")
	ep := e.Srv.Endpoint()
	const svc = "AWSCognitoIdentityProviderService."
	const prefix = "1 validation error detected: "
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srpA := c.SRPA()
	initiate := func(params string) string {
		return `{"AuthFlow":"USER_SRP_AUTH","ClientId":"` + clientID + `","AuthParameters":{` + params + `}}`
	}
	respond := func(responses string) string {
		return `{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"` + clientID + `","Session":"` + strings.Repeat("s", 40) + `","ChallengeResponses":{` + responses + `}}`
	}
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, op, body, msg string
	}{
		{"client id pattern", "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"no-dashes"}`,
			prefix + `Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+`},
		{"client id length", "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"` + long(129) + `"}`,
			prefix + "Value at 'clientId' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"pool id pattern (quoted)", "DescribeUserPool", `{"UserPoolId":"nounderscore"}`,
			prefix + `Value 'nounderscore' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+`},
		{"pool id length (not quoted)", "DescribeUserPool", `{"UserPoolId":"us-east-1_` + long(70_000) + `"}`,
			prefix + "Value at 'userPoolId' failed to satisfy constraint: Member must have length less than or equal to 55"},
		{"session too short", "RespondToAuthChallenge", `{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"` + clientID + `","Session":"short"}`,
			prefix + "Value at 'session' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"session too long", "RespondToAuthChallenge", `{"ChallengeName":"PASSWORD_VERIFIER","ClientId":"` + clientID + `","Session":"` + long(2049) + `"}`,
			prefix + "Value at 'session' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"password over 256", "SignUp", `{"ClientId":"` + clientID + `","Username":"newbie","Password":"` + long(257) + `"}`,
			prefix + "Value at 'password' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"username over 128", "SignUp", `{"ClientId":"` + clientID + `","Username":"` + long(129) + `","Password":"Passw0rd!"}`,
			prefix + "Value at 'username' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"username pattern", "ForgotPassword", `{"ClientId":"` + clientID + `","Username":"has space"}`,
			prefix + `Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+`},
		{"attribute name over 32", "SignUp", `{"ClientId":"` + clientID + `","Username":"newbie","Password":"Passw0rd!","UserAttributes":[{"Name":"` + long(33) + `","Value":"x"}]}`,
			prefix + "Value at 'userAttributes.member.1.name' failed to satisfy constraint: Member must have length less than or equal to 32"},
		{"attribute value over 2048", "SignUp", `{"ClientId":"` + clientID + `","Username":"newbie","Password":"Passw0rd!","UserAttributes":[{"Name":"name","Value":"` + long(2049) + `"}]}`,
			prefix + "Value at 'userAttributes.member.1.value' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"USERNAME over 128", "InitiateAuth", initiate(`"USERNAME":"` + long(129) + `","SRP_A":"` + srpA + `"`),
			prefix + "Value at 'authParameters.USERNAME' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"PASSWORD over 256", "InitiateAuth", `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"val","PASSWORD":"` + long(257) + `"}}`,
			prefix + "Value at 'authParameters.PASSWORD' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"SRP_A longer than N", "InitiateAuth", initiate(`"USERNAME":"val","SRP_A":"1` + strings.Repeat("0", 768) + `"`),
			prefix + "Value at 'authParameters.SRP_A' failed to satisfy constraint: Member must have length less than or equal to 768"},
		{"SRP_A not hex", "InitiateAuth", initiate(`"USERNAME":"val","SRP_A":"xyz"`), "SRP_A is not valid."},
		{"signature not 32 bytes", "RespondToAuthChallenge", respond(`"USERNAME":"val","PASSWORD_CLAIM_SECRET_BLOCK":"AAAA","TIMESTAMP":"Tue Mar 5 07:04:09 UTC 2024","PASSWORD_CLAIM_SIGNATURE":"AAAA"`),
			"PASSWORD_CLAIM_SIGNATURE is not valid."},
		{"timestamp layout", "RespondToAuthChallenge", respond(`"USERNAME":"val","PASSWORD_CLAIM_SECRET_BLOCK":"AAAA","TIMESTAMP":"2024-03-05T07:04:09Z","PASSWORD_CLAIM_SIGNATURE":"` + strings.Repeat("A", 43) + `="`),
			"TIMESTAMP format is not valid."},
		{"secret block too long", "RespondToAuthChallenge", respond(`"USERNAME":"val","PASSWORD_CLAIM_SECRET_BLOCK":"` + long(8193) + `"`),
			prefix + "Value at 'challengeResponses.PASSWORD_CLAIM_SECRET_BLOCK' failed to satisfy constraint: Member must have length less than or equal to 8192"},
		{"too many client metadata entries", "ForgotPassword", `{"ClientId":"` + clientID + `","Username":"val","ClientMetadata":{` + manyEntries(65) + `}}`,
			prefix + "Value at 'clientMetadata' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"access token pattern", "GetUser", `{"AccessToken":"not a token"}`,
			prefix + "Value at 'accessToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [A-Za-z0-9-_=.]+"},
		{"access token length", "GetUser", `{"AccessToken":"` + long(16385) + `"}`,
			prefix + "Value at 'accessToken' failed to satisfy constraint: Member must have length less than or equal to 16384"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := post(t, ep, svc+tt.op, tt.body)
			if status != http.StatusBadRequest || body["__type"] != idp.TypeInvalidParameter {
				t.Fatalf("%d %v", status, body)
			}
			if body["message"] != tt.msg || h.Get("x-amzn-ErrorMessage") != tt.msg {
				t.Errorf("message %q\n   header %q\n     want %q", body["message"], h.Get("x-amzn-ErrorMessage"), tt.msg)
			}
		})
	}
	// A proof within the bounds still signs in.
	if _, err := e.srpSignIn(t.Context(), poolID, clientID, "val", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
}

func manyEntries(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"k` + strings.Repeat("x", i) + `":"v"`)
	}
	return b.String()
}

// TestNoUnboundedEcho sends a 70,000-character value in every common member to every
// operation, and a long target, path and pool id to the other routes: no answer
// quotes more than a few hundred characters of it, in the message or in the
// x-amzn-ErrorMessage header.
func TestNoUnboundedEcho(t *testing.T) {
	e := newEnv(t)
	ep := e.Srv.Endpoint()
	huge := "us-east-1_" + strings.Repeat("a", 70_000)
	members := []string{"UserPoolId", "ClientId", "Username", "AccessToken", "GroupName", "PoolName", "ClientName", "ProviderName",
		"Identifier", "Domain", "ResourceArn", "DeviceKey", "AttributeName", "AuthFlow", "ChallengeName", "Session", "RefreshToken",
		"Token", "ConfirmationCode", "Password", "ProposedPassword", "UserCode", "Filter", "PaginationToken", "NextToken", "IdpIdentifier"}
	fields := map[string]string{}
	for _, m := range members {
		fields[m] = huge
	}
	body, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	ops := idp.New(idp.Options{}).Operations()
	names := make([]string, 0, len(ops))
	for name := range ops {
		names = append(names, name)
	}
	slices.Sort(names)
	checkEcho := func(t *testing.T, what string, resp *http.Response) {
		t.Helper()
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: body is not JSON: %.200q", what, b)
		}
		msg, _ := m["message"].(string)
		hdr := resp.Header.Get("x-amzn-ErrorMessage")
		for _, s := range []string{msg, hdr} {
			if len(s) > 1100 || strings.Contains(s, strings.Repeat("a", 300)) {
				t.Errorf("%s: answer quotes %d characters: %.200q", what, len(s), s)
			}
		}
	}
	for _, name := range names {
		req, _ := http.NewRequest(http.MethodPost, ep+"/", strings.NewReader(string(body)))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+name)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if resp.StatusCode == http.StatusOK {
			t.Errorf("%s: accepted", name)
		}
		checkEcho(t, name, resp)
	}
	for _, r := range []struct{ what, path, target string }{
		{"long target", "/", "AWSCognitoIdentityProviderService." + huge[:20_000]},
		{"long path", "/" + huge[:20_000], ""},
		{"JWKS of a long pool id", "/" + huge[:20_000] + "/.well-known/jwks.json", ""},
		{"OIDC of a long pool id", "/" + huge[:20_000] + "/.well-known/openid-configuration", ""},
	} {
		method := http.MethodGet
		if r.target != "" {
			method = http.MethodPost
		}
		req, _ := http.NewRequest(method, ep+r.path, strings.NewReader("{}"))
		if r.target != "" {
			req.Header.Set("X-Amz-Target", r.target)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", r.what, err)
		}
		checkEcho(t, r.what, resp)
	}
}

// TestProvisioningValidation checks a representative set of the provisioning
// operations' published constraints through the AWS SDK: a value at the limit is
// accepted, one past it is refused with the AWS front end's text (the value quoted
// only when it is short and not sensitive), and a refused request touches nothing.
func TestProvisioningValidation(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "prov", "Passw0rd!")
	described, err := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	poolArn := aws.ToString(described.UserPool.Arn)
	const prefix = "1 validation error detected: "
	long := func(n int) string { return strings.Repeat("a", n) }
	arn := func(name string) *string { return aws.String("arn:aws:lambda:us-east-1:123456789012:function:" + name) }
	count := func(n int, f func(i int) string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = f(i)
		}
		return out
	}
	tags := func(n int) map[string]string {
		m := map[string]string{}
		for i := range n {
			m["k"+strconv.Itoa(i)] = "v"
		}
		return m
	}
	customs := func(n int) []types.SchemaAttributeType {
		out := make([]types.SchemaAttributeType, n)
		for i := range out {
			out[i] = types.SchemaAttributeType{Name: aws.String("c" + strconv.Itoa(i)), AttributeDataType: types.AttributeDataTypeString}
		}
		return out
	}
	createPool := func(edit func(*cip.CreateUserPoolInput)) error {
		in := &cip.CreateUserPoolInput{PoolName: aws.String("limits")}
		edit(in)
		_, err := e.IDP.CreateUserPool(ctx, in)
		return err
	}
	createClient := func(edit func(*cip.CreateUserPoolClientInput)) error {
		in := &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("limits")}
		edit(in)
		_, err := e.IDP.CreateUserPoolClient(ctx, in)
		return err
	}
	group := 0
	createGroup := func(edit func(*cip.CreateGroupInput)) error {
		group++
		in := &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("g" + strconv.Itoa(group))}
		edit(in)
		_, err := e.IDP.CreateGroup(ctx, in)
		return err
	}
	createProvider := func(edit func(*cip.CreateIdentityProviderInput)) error {
		in := &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String("Google"), ProviderType: types.IdentityProviderTypeTypeGoogle,
			ProviderDetails: map[string]string{"client_id": "id", "client_secret": "secret", "authorize_scopes": "openid"}}
		edit(in)
		_, err := e.IDP.CreateIdentityProvider(ctx, in)
		return err
	}
	server := 0
	createServer := func(edit func(*cip.CreateResourceServerInput)) error {
		server++
		in := &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("https://api" + strconv.Itoa(server)), Name: aws.String("api")}
		edit(in)
		_, err := e.IDP.CreateResourceServer(ctx, in)
		return err
	}
	tests := []struct {
		name string
		call func() error
		msg  string // "" : accepted
	}{
		// CreateUserPool
		{"pool name at 128", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) { in.PoolName = aws.String(long(128)) })
		}, ""},
		{"pool name over 128", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) { in.PoolName = aws.String(long(129)) })
		},
			"Value at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"pool name pattern", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) { in.PoolName = aws.String("bad#name") })
		},
			`Value 'bad#name' at 'poolName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w\s+=,.@-]+`},
		{"pool tags at 50", func() error { return createPool(func(in *cip.CreateUserPoolInput) { in.UserPoolTags = tags(50) }) }, ""},
		{"pool tags over 50", func() error { return createPool(func(in *cip.CreateUserPoolInput) { in.UserPoolTags = tags(51) }) },
			"Value at 'userPoolTags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"pool tag key pattern", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) { in.UserPoolTags = map[string]string{"k#": "v"} })
		}, `Value at 'userPoolTags' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]`},
		{"schema at 50", func() error { return createPool(func(in *cip.CreateUserPoolInput) { in.Schema = customs(50) }) }, ""},
		{"schema over 50", func() error { return createPool(func(in *cip.CreateUserPoolInput) { in.Schema = customs(51) }) },
			"Value at 'schema' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"schema data type", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.Schema = []types.SchemaAttributeType{{Name: aws.String("tier"), AttributeDataType: "Text"}}
			})
		}, "Value 'Text' at 'schema.member.1.attributeDataType' failed to satisfy constraint: Member must satisfy enum value set: [String, Number, DateTime, Boolean]"},
		{"temporary password validity at 365", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{TemporaryPasswordValidityDays: 365}}
			})
		}, ""},
		{"temporary password validity over 365", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.Policies = &types.UserPoolPolicyType{PasswordPolicy: &types.PasswordPolicyType{TemporaryPasswordValidityDays: 366}}
			})
		}, "Value '366' at 'policies.passwordPolicy.temporaryPasswordValidityDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{"lambda trigger ARN", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.LambdaConfig = &types.LambdaConfigType{PreSignUp: aws.String("not-an-arn-but-long-enough")}
			})
		}, `Value 'not-an-arn-but-long-enough' at 'lambdaConfig.preSignUp' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`},
		{"lambda trigger ARN too long", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.LambdaConfig = &types.LambdaConfigType{PreSignUp: arn(long(2049))}
			})
		}, "Value at 'lambdaConfig.preSignUp' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"pre token generation version", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.LambdaConfig = &types.LambdaConfigType{PreTokenGenerationConfig: &types.PreTokenGenerationVersionConfigType{LambdaArn: arn("pre"), LambdaVersion: "V9_0"}}
			})
		}, "Value 'V9_0' at 'lambdaConfig.preTokenGenerationConfig.lambdaVersion' failed to satisfy constraint: Member must satisfy enum value set: [V1_0, V2_0, V3_0]"},
		{"SMS message at 140", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) { in.SmsVerificationMessage = aws.String("{####}" + long(134)) })
		}, ""},
		{"SMS message over 140", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) { in.SmsVerificationMessage = aws.String("{####}" + long(135)) })
		}, "Value at 'smsVerificationMessage' failed to satisfy constraint: Member must have length less than or equal to 140"},
		{"verification template without a code", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.VerificationMessageTemplate = &types.VerificationMessageTemplateType{SmsMessage: aws.String("no code here")}
			})
		}, `Value 'no code here' at 'verificationMessageTemplate.smsMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\{####\}.*`},
		{"unused account validity over 365", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.AdminCreateUserConfig = &types.AdminCreateUserConfigType{UnusedAccountValidityDays: 366}
			})
		}, "Value '366' at 'adminCreateUserConfig.unusedAccountValidityDays' failed to satisfy constraint: Member must have value less than or equal to 365"},
		{"recovery priority", func() error {
			return createPool(func(in *cip.CreateUserPoolInput) {
				in.AccountRecoverySetting = &types.AccountRecoverySettingType{RecoveryMechanisms: []types.RecoveryOptionType{{Name: types.RecoveryOptionNameTypeVerifiedEmail, Priority: aws.Int32(3)}}}
			})
		}, "Value '3' at 'accountRecoverySetting.recoveryMechanisms.member.1.priority' failed to satisfy constraint: Member must have value less than or equal to 2"},
		// UpdateUserPool: its own PoolName and the settings it shares with CreateUserPool.
		{"update pool name over 128", func() error {
			_, err := e.IDP.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, PoolName: aws.String(long(129))})
			return err
		}, "Value at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"update email subject over 140", func() error {
			_, err := e.IDP.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, EmailVerificationSubject: aws.String(long(141))})
			return err
		}, "Value at 'emailVerificationSubject' failed to satisfy constraint: Member must have length less than or equal to 140"},
		// CreateUserPoolClient and UpdateUserPoolClient
		{"client name at 128", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) { in.ClientName = aws.String(long(128)) })
		}, ""},
		{"client name over 128", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) { in.ClientName = aws.String(long(129)) })
		},
			"Value at 'clientName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"access token validity over 86400", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) { in.AccessTokenValidity = aws.Int32(86401) })
		}, "Value '86401' at 'accessTokenValidity' failed to satisfy constraint: Member must have value less than or equal to 86400"},
		{"id token validity under 1", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) { in.IdTokenValidity = aws.Int32(0) })
		}, "Value '0' at 'idTokenValidity' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"token validity unit", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) {
				in.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: "weeks"}
			})
		}, "Value 'weeks' at 'tokenValidityUnits.accessToken' failed to satisfy constraint: Member must satisfy enum value set: [seconds, minutes, hours, days]"},
		{"callback URLs over 100", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) {
				in.CallbackURLs = count(101, func(i int) string { return "https://app.example/" + strconv.Itoa(i) })
			})
		}, "Value at 'callbackURLs' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"callback URL over 1024", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) {
				in.CallbackURLs = []string{"https://app.example/" + long(1005)}
			})
		}, "Value at 'callbackURLs.1.member' failed to satisfy constraint: Member must have length less than or equal to 1024"},
		{"OAuth scopes over 50", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) {
				in.AllowedOAuthScopes = count(51, func(i int) string { return "s" + strconv.Itoa(i) })
			})
		}, "Value at 'allowedOAuthScopes' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"OAuth flow", func() error {
			return createClient(func(in *cip.CreateUserPoolClientInput) { in.AllowedOAuthFlows = []types.OAuthFlowType{"password"} })
		}, "Value 'password' at 'allowedOAuthFlows' failed to satisfy constraint: Member must satisfy enum value set: [code, implicit, client_credentials]"},
		{"update client name over 128", func() error {
			_, err := e.IDP.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID, ClientName: aws.String(long(129))})
			return err
		}, "Value at 'clientName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"update refresh token validity", func() error {
			_, err := e.IDP.UpdateUserPoolClient(ctx, &cip.UpdateUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID, RefreshTokenValidity: 315360001})
			return err
		}, "Value '315360001' at 'refreshTokenValidity' failed to satisfy constraint: Member must have value less than or equal to 315360000"},
		// Groups
		{"group name at 128", func() error {
			return createGroup(func(in *cip.CreateGroupInput) { in.GroupName = aws.String(long(128)) })
		}, ""},
		{"group name over 128", func() error {
			return createGroup(func(in *cip.CreateGroupInput) { in.GroupName = aws.String(long(129)) })
		},
			"Value at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"group description at 2048", func() error {
			return createGroup(func(in *cip.CreateGroupInput) { in.Description = aws.String(long(2048)) })
		}, ""},
		{"group description over 2048", func() error {
			return createGroup(func(in *cip.CreateGroupInput) { in.Description = aws.String(long(2049)) })
		},
			"Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"group role ARN", func() error {
			return createGroup(func(in *cip.CreateGroupInput) { in.RoleArn = aws.String("arn:short") })
		},
			"Value 'arn:short' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"},
		{"group precedence", func() error { return createGroup(func(in *cip.CreateGroupInput) { in.Precedence = aws.Int32(-1) }) },
			"Value '-1' at 'precedence' failed to satisfy constraint: Member must have value greater than or equal to 0"},
		{"list groups limit", func() error {
			_, err := e.IDP.ListGroups(ctx, &cip.ListGroupsInput{UserPoolId: &poolID, Limit: aws.Int32(61)})
			return err
		}, "Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		// Identity providers
		{"provider details over 50", func() error {
			return createProvider(func(in *cip.CreateIdentityProviderInput) {
				for i := range 48 {
					in.ProviderDetails["extra"+strconv.Itoa(i)] = "x"
				}
			})
		}, "Value at 'providerDetails' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"attribute mapping key over 32", func() error {
			return createProvider(func(in *cip.CreateIdentityProviderInput) { in.AttributeMapping = map[string]string{long(33): "email"} })
		}, "Value at 'attributeMapping' failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or equal to 32, Member must have length greater than or equal to 1]"},
		{"IdP identifier over 40", func() error {
			return createProvider(func(in *cip.CreateIdentityProviderInput) { in.IdpIdentifiers = []string{long(41)} })
		}, "Value at 'idpIdentifiers.1.member' failed to satisfy constraint: Member must have length less than or equal to 40"},
		{"provider type", func() error {
			return createProvider(func(in *cip.CreateIdentityProviderInput) { in.ProviderType = "Myspace" })
		}, "Value 'Myspace' at 'providerType' failed to satisfy constraint: Member must satisfy enum value set: [SAML, Facebook, Google, LoginWithAmazon, SignInWithApple, OIDC]"},
		// Resource servers
		{"scopes at 100", func() error {
			return createServer(func(in *cip.CreateResourceServerInput) {
				for i := range 100 {
					in.Scopes = append(in.Scopes, types.ResourceServerScopeType{ScopeName: aws.String("s" + strconv.Itoa(i)), ScopeDescription: aws.String("d")})
				}
			})
		}, ""},
		{"scopes over 100", func() error {
			return createServer(func(in *cip.CreateResourceServerInput) {
				for i := range 101 {
					in.Scopes = append(in.Scopes, types.ResourceServerScopeType{ScopeName: aws.String("s" + strconv.Itoa(i)), ScopeDescription: aws.String("d")})
				}
			})
		}, "Value at 'scopes' failed to satisfy constraint: Member must have length less than or equal to 100"},
		{"scope description over 256", func() error {
			return createServer(func(in *cip.CreateResourceServerInput) {
				in.Scopes = []types.ResourceServerScopeType{{ScopeName: aws.String("read"), ScopeDescription: aws.String(long(257))}}
			})
		}, "Value at 'scopes.member.1.scopeDescription' failed to satisfy constraint: Member must have length less than or equal to 256"},
		// Domains and tags
		{"domain over 253", func() error {
			_, err := e.IDP.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String(long(254))})
			return err
		}, "Value at 'domain' failed to satisfy constraint: Member must have length less than or equal to 253"},
		{"certificate ARN", func() error {
			_, err := e.IDP.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("auth.example.com"),
				CustomDomainConfig: &types.CustomDomainConfigType{CertificateArn: aws.String("certificate-0123456789")}})
			return err
		}, `Value 'certificate-0123456789' at 'customDomainConfig.certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`},
		{"managed login version", func() error {
			_, err := e.IDP.CreateUserPoolDomain(ctx, &cip.CreateUserPoolDomainInput{UserPoolId: &poolID, Domain: aws.String("hostile-domain"), ManagedLoginVersion: aws.Int32(3)})
			return err
		}, "Value '3' at 'managedLoginVersion' failed to satisfy constraint: Member must have value less than or equal to 2"},
		{"list clients max results", func() error {
			_, err := e.IDP.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(61)})
			return err
		}, "Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"tags at 50", func() error {
			_, err := e.IDP.TagResource(ctx, &cip.TagResourceInput{ResourceArn: &poolArn, Tags: tags(50)})
			return err
		}, ""},
		{"tags over 50", func() error {
			_, err := e.IDP.TagResource(ctx, &cip.TagResourceInput{ResourceArn: &poolArn, Tags: tags(51)})
			return err
		}, "Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50"},
		{"tag value over 256", func() error {
			_, err := e.IDP.TagResource(ctx, &cip.TagResourceInput{ResourceArn: &poolArn, Tags: map[string]string{"k": long(257)}})
			return err
		}, `Value at 'tags' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 256, Member must have length greater than or equal to 0, Member must satisfy regular expression pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]`},
		{"untag key over 128", func() error {
			_, err := e.IDP.UntagResource(ctx, &cip.UntagResourceInput{ResourceArn: &poolArn, TagKeys: []string{long(129)}})
			return err
		}, "Value at 'tagKeys.1.member' failed to satisfy constraint: Member must have length less than or equal to 128"},
		{"resource ARN", func() error {
			_, err := e.IDP.ListTagsForResource(ctx, &cip.ListTagsForResourceInput{ResourceArn: aws.String("userpool/" + poolID)})
			return err
		}, `Value 'userpool/` + poolID + `' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`},
		// MFA configuration
		{"MFA SMS message without a code", func() error {
			_, err := e.IDP.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
				SmsMfaConfiguration: &types.SmsMfaConfigType{SmsAuthenticationMessage: aws.String("your code")}})
			return err
		}, `Value 'your code' at 'smsMfaConfiguration.smsAuthenticationMessage' failed to satisfy constraint: Member must satisfy regular expression pattern: .*\{####\}.*`},
		{"MFA email subject over 140", func() error {
			_, err := e.IDP.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOptional,
				EmailMfaConfiguration: &types.EmailMfaConfigType{Subject: aws.String(long(141))}})
			return err
		}, "Value at 'emailMfaConfiguration.subject' failed to satisfy constraint: Member must have length less than or equal to 140"},
		// Admin users and listings
		{"temporary password pattern (not quoted)", func() error {
			_, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("tmp"), TemporaryPassword: aws.String("has space")})
			return err
		}, `Value at 'temporaryPassword' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+`},
		{"delivery medium", func() error {
			_, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("tmp"), DesiredDeliveryMediums: []types.DeliveryMediumType{"PIGEON"}})
			return err
		}, "Value 'PIGEON' at 'desiredDeliveryMediums' failed to satisfy constraint: Member must satisfy enum value set: [SMS, EMAIL]"},
		{"list users filter at 256", func() error {
			_, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`username = "` + long(243) + `"`)})
			return err
		}, ""},
		{"list users filter over 256", func() error {
			_, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Filter: aws.String(`username = "` + long(244) + `"`)})
			return err
		}, "Value at 'filter' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"list users limit", func() error {
			_, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID, Limit: aws.Int32(61)})
			return err
		}, "Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"custom attributes over 25", func() error {
			_, err := e.IDP.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &poolID, CustomAttributes: customs(26)})
			return err
		}, "Value at 'customAttributes' failed to satisfy constraint: Member must have length less than or equal to 25"},
		{"device key pattern", func() error {
			_, err := e.IDP.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &poolID, Username: aws.String("prov"), DeviceKey: aws.String("nounderscore")})
			return err
		}, `Value 'nounderscore' at 'deviceKey' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-f-]+`},
		{"auth events max results", func() error {
			_, err := e.IDP.AdminListUserAuthEvents(ctx, &cip.AdminListUserAuthEventsInput{UserPoolId: &poolID, Username: aws.String("prov"), MaxResults: aws.Int32(61)})
			return err
		}, "Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60"},
		{"resource servers max results", func() error {
			_, err := e.IDP.ListResourceServers(ctx, &cip.ListResourceServersInput{UserPoolId: &poolID, MaxResults: aws.Int32(51)})
			return err
		}, "Value '51' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if tt.msg == "" {
				if err != nil {
					t.Fatalf("refused at the limit: %v", err)
				}
				return
			}
			emulatortest.APIError(t, err, idp.TypeInvalidParameter, prefix+tt.msg)
		})
	}

	// Validation comes before any lookup: a bad group name on a pool that does not
	// exist is the validation error, and a refused CreateUserPool creates nothing.
	_, err = e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: aws.String("us-east-1_nothere"), GroupName: aws.String(long(129))})
	emulatortest.APIError(t, err, idp.TypeInvalidParameter, prefix+"Value at 'groupName' failed to satisfy constraint: Member must have length less than or equal to 128")
	before, err := e.IDP.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		err := createPool(func(in *cip.CreateUserPoolInput) {
			in.LambdaConfig = &types.LambdaConfigType{PreSignUp: aws.String("x")}
		})
		emulatortest.APIError(t, err, idp.TypeInvalidParameter, "")
	}
	after, err := e.IDP.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(60)})
	if err != nil {
		t.Fatal(err)
	}
	if len(after.UserPools) != len(before.UserPools) {
		t.Fatalf("refused CreateUserPool calls left pools: %d before, %d after", len(before.UserPools), len(after.UserPools))
	}
	// A client created before keeps working.
	if _, err := e.IDP.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID}); err != nil {
		t.Fatal(err)
	}
}
