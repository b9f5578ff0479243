package emulator_test

import (
	"crypto/rand"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

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
