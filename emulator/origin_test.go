package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

// browserCall is a request as a web page makes it: with an Origin header (and any
// other headers given as name, value pairs).
type browserCall struct {
	method, path, op, body string
	headers                []string
}

func (c browserCall) do(t *testing.T, endpoint string) (int, http.Header, map[string]any) {
	t.Helper()
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	path := c.path
	if path == "" {
		path = "/"
	}
	req, err := http.NewRequest(method, endpoint+path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.op != "" {
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+c.op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	}
	for i := 0; i+1 < len(c.headers); i += 2 {
		if strings.EqualFold(c.headers[i], "Host") {
			req.Host = c.headers[i+1]
			continue
		}
		req.Header.Set(c.headers[i], c.headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, resp.Header, m
}

// wantForbidden checks a ForbiddenException refusal whose message mentions what.
func wantForbidden(t *testing.T, what string, status int, body map[string]any, mention string) {
	t.Helper()
	msg, _ := body["message"].(string)
	if status != http.StatusForbidden || body["__type"] != "ForbiddenException" || !strings.Contains(msg, mention) {
		t.Errorf("%s: %d %v; want 403 ForbiddenException mentioning %q", what, status, body, mention)
	}
}

// TestBrowserOrigins checks what a web page (a request with an Origin header) may
// call: the operations Cognito serves to browsers, not the Admin, provisioning and
// list operations or the outbox, unless the pool was started with that origin in
// AllowOrigins; and what the CORS headers and preflights say.
func TestBrowserOrigins(t *testing.T) {
	const evil, app = "http://evil.example", "http://localhost:3000"
	e := newEnv(t, func(o *emulator.Options) { o.AllowOrigins = []string{app} })
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "web", "Passw0rd!")
	ep := e.Srv.Endpoint()
	pool := `{"UserPoolId":"` + poolID + `"}`

	// What a page of any origin may call: sign-in and self-service.
	for _, c := range []browserCall{
		{op: "InitiateAuth", body: `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"web","PASSWORD":"Passw0rd!"}}`},
		{op: "SignUp", body: `{"ClientId":"` + clientID + `","Username":"webby","Password":"Passw0rd!"}`},
		{op: "GetUser", body: `{"AccessToken":"abc.def.ghi"}`},
	} {
		c.headers = []string{"Origin", evil}
		status, h, body := c.do(t, ep)
		if status == http.StatusForbidden {
			t.Errorf("%s from %s: refused: %v", c.op, evil, body)
		}
		if h.Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("%s: Access-Control-Allow-Origin %q", c.op, h.Get("Access-Control-Allow-Origin"))
		}
	}
	// What it may not: Admin, provisioning and list operations, and the outbox.
	for _, c := range []browserCall{
		{op: "DeleteUserPool", body: pool},
		{op: "AdminSetUserPassword", body: `{"UserPoolId":"` + poolID + `","Username":"web","Password":"Hijack3d!","Permanent":true}`},
		{op: "DescribeUserPoolClient", body: `{"UserPoolId":"` + poolID + `","ClientId":"` + clientID + `"}`},
		{op: "ListUsers", body: pool},
		{op: "ListUserPools", body: `{"MaxResults":10}`},
		{op: "CreateUserPool", body: `{"PoolName":"evil"}`},
		{op: "AdminInitiateAuth", body: `{"UserPoolId":"` + poolID + `","ClientId":"` + clientID + `","AuthFlow":"ADMIN_USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"web","PASSWORD":"Passw0rd!"}}`},
		{method: http.MethodGet, path: "/_authbench/outbox"},
	} {
		c.headers = []string{"Origin", evil}
		status, _, body := c.do(t, ep)
		what := c.op
		if what == "" {
			what = "The outbox"
		}
		wantForbidden(t, what+" from "+evil, status, body, "--allow-origin "+evil)
	}
	// Nothing of it happened: the pool and the user's password are as they were.
	if _, err := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID}); err != nil {
		t.Fatalf("the pool after a refused DeleteUserPool: %v", err)
	}
	if _, err := e.passwordAuth(ctx, clientID, "web", "Passw0rd!"); err != nil {
		t.Fatalf("the password after a refused AdminSetUserPassword: %v", err)
	}
	// The JWKS stays public, as Cognito's is.
	if status, _, _ := (browserCall{method: http.MethodGet, path: "/" + poolID + "/.well-known/jwks.json", headers: []string{"Origin", evil}}).do(t, ep); status != http.StatusOK {
		t.Errorf("JWKS from %s: %d", evil, status)
	}

	// An origin named in AllowOrigins may call everything; its origin is echoed.
	status, h, body := browserCall{op: "DescribeUserPool", body: pool, headers: []string{"Origin", app}}.do(t, ep)
	if status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != app || !strings.Contains(h.Get("Vary"), "Origin") {
		t.Errorf("DescribeUserPool from %s: %d %v %v", app, status, h, body)
	}
	if status, _, body := (browserCall{method: http.MethodGet, path: "/_authbench/outbox", headers: []string{"Origin", app}}).do(t, ep); status != http.StatusOK {
		t.Errorf("outbox from %s: %d %v", app, status, body)
	}
	// Without Origin (SDKs, Node, curl) nothing changes.
	if _, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID}); err != nil {
		t.Fatalf("ListUsers through the SDK: %v", err)
	}

	// Preflights: the API's is answered for any origin (the operation is checked on
	// the request); the outbox's only for a named origin.
	preflight := func(path, origin string) (int, http.Header) {
		status, h, _ := browserCall{method: http.MethodOptions, path: path, headers: []string{
			"Origin", origin, "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type,x-amz-target"}}.do(t, ep)
		return status, h
	}
	if status, h := preflight("/", evil); status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(h.Get("Access-Control-Allow-Headers"), "x-amz-target") {
		t.Errorf("API preflight from %s: %d %v", evil, status, h)
	}
	if status, h := preflight("/_authbench/outbox", evil); status != http.StatusForbidden || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("outbox preflight from %s: %d %v", evil, status, h)
	}
	if status, h := preflight("/_authbench/outbox", app); status != http.StatusOK || h.Get("Access-Control-Allow-Origin") != app {
		t.Errorf("outbox preflight from %s: %d %v", app, status, h)
	}
}

// TestHostHeader checks the defence against DNS rebinding: a Host header that does
// not name the pool (its address, a loopback name, or a name in AllowHosts) is
// refused on every route, with a message that says what to use instead.
func TestHostHeader(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) { o.AllowHosts = []string{"pool.internal"} })
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	ep := e.Srv.Endpoint()
	port := ep[strings.LastIndex(ep, ":"):]
	pool := `{"UserPoolId":"` + poolID + `"}`
	for _, host := range []string{"evil.example" + port, "evil.example", "localhost.evil.example" + port, "127.0.0.2" + port} {
		for _, c := range []browserCall{
			{op: "DescribeUserPool", body: pool},
			{op: "InitiateAuth", body: `{}`},
			{method: http.MethodGet, path: "/_authbench/outbox"},
			{method: http.MethodGet, path: "/" + poolID + "/.well-known/jwks.json"},
		} {
			c.headers = []string{"Host", host}
			status, _, body := c.do(t, ep)
			wantForbidden(t, "Host "+host+" "+c.op+c.path, status, body, "localhost, 127.0.0.1 or [::1]")
		}
	}
	for _, host := range []string{"127.0.0.1" + port, "localhost" + port, "LOCALHOST" + port, "[::1]" + port, "localhost", "pool.internal" + port} {
		status, _, body := browserCall{op: "DescribeUserPool", body: pool, headers: []string{"Host", host}}.do(t, ep)
		if status != http.StatusOK {
			t.Errorf("Host %s: %d %v", host, status, body)
		}
	}
	// The SDK names the endpoint it was given.
	if _, err := emulatortest.NewClient(strings.Replace(ep, "127.0.0.1", "localhost", 1)).DescribeUserPool(context.Background(),
		&cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)}); err != nil {
		t.Fatalf("through localhost: %v", err)
	}
}
