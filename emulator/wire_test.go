package emulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends a raw AWS JSON 1.1 request and returns status, headers and decoded body.
func post(t *testing.T, endpoint, target, body string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body is not JSON (%v): %q", err, b)
	}
	return resp.StatusCode, resp.Header, m
}

// TestWireErrors checks that every malformed request gets a JSON error with Cognito's
// shape: HTTP 400 (413 for an oversized body), __type and message in the body, and
// the x-amzn-ErrorType and x-amzn-RequestId headers.
func TestWireErrors(t *testing.T) {
	e := newEnv(t)
	ep := e.Srv.Endpoint()
	const svc = "AWSCognitoIdentityProviderService."
	tests := []struct {
		name, target, body string
		status             int
		typ, msg           string
	}{
		{"unknown operation", svc + "FlyToTheMoon", `{}`, 400, "UnknownOperationException", ""},
		{"no target", "", `{}`, 400, "UnknownOperationException", ""},
		{"foreign service", "AmazonSSM.GetParameter", `{}`, 400, "UnknownOperationException", ""},
		{"malformed JSON", svc + "InitiateAuth", `{"AuthFlow":`, 400, "SerializationException", ""},
		{"not an object", svc + "InitiateAuth", `["x"]`, 400, "SerializationException", ""},
		{"trailing data", svc + "InitiateAuth", `{} {}`, 400, "SerializationException", ""},
		{"wrong member type", svc + "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":42}`, 400, "SerializationException", "ClientId"},
		{"wrong map value type", svc + "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"x","AuthParameters":{"USERNAME":1}}`, 400, "SerializationException", ""},
		{"missing required member", svc + "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH"}`, 400, "InvalidParameterException", "1 validation error detected: Value null at 'clientId' failed to satisfy constraint: Member must not be null"},
		{"bad enum", svc + "InitiateAuth", `{"AuthFlow":"MAGIC","ClientId":"x"}`, 400, "InvalidParameterException", "Member must satisfy enum value set"},
		{"oversized body", svc + "SignUp", `{"ClientId":"` + strings.Repeat("x", 2<<20) + `"}`, 413, "RequestEntityTooLargeException", ""},
		{"unknown client", svc + "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"nope"}`, 400, "ResourceNotFoundException", "User pool client nope does not exist."},
		{"empty body is an empty object", svc + "ListUserPools", ``, 400, "InvalidParameterException", "maxResults"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, body := post(t, ep, tt.target, tt.body)
			if status != tt.status {
				t.Errorf("status %d, want %d", status, tt.status)
			}
			if body["__type"] != tt.typ || h.Get("x-amzn-ErrorType") != tt.typ {
				t.Errorf("__type %v, header %q; want %s", body["__type"], h.Get("x-amzn-ErrorType"), tt.typ)
			}
			if msg, _ := body["message"].(string); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q lacks %q", msg, tt.msg)
			}
			if h.Get("x-amzn-RequestId") == "" || !strings.HasPrefix(h.Get("Content-Type"), "application/x-amz-json-1.1") {
				t.Errorf("headers: %v", h)
			}
		})
	}
}

func TestWireSuccessAndRoutes(t *testing.T) {
	e := newEnv(t)
	ep := e.Srv.Endpoint()
	status, h, body := post(t, ep, "AWSCognitoIdentityProviderService.CreateUserPool", `{"PoolName":"raw"}`)
	if status != 200 || h.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Fatalf("status %d %v", status, body)
	}
	pool := body["UserPool"].(map[string]any)
	if id, _ := pool["Id"].(string); !strings.HasPrefix(id, "us-east-1_") || len(id) != len("us-east-1_")+9 {
		t.Errorf("pool id %q", id)
	}
	if _, ok := pool["CreationDate"].(float64); !ok {
		t.Errorf("CreationDate is not epoch seconds: %v", pool["CreationDate"])
	}

	// CORS preflight, as a browser app with Amplify would send.
	req, _ := http.NewRequest(http.MethodOptions, ep+"/", nil)
	req.Header.Set("Origin", "http://localhost:3000")
	req.Header.Set("Access-Control-Request-Headers", "x-amz-target,content-type")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.Contains(resp.Header.Get("Access-Control-Allow-Headers"), "x-amz-target") {
		t.Errorf("preflight: %d %v", resp.StatusCode, resp.Header)
	}

	// Unknown paths and methods answer JSON, never HTML.
	for _, path := range []string{"/nope", "/us-east-1_nope/.well-known/jwks.json"} {
		resp, err := http.Get(ep + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || !json.Valid(b) || bytes.Contains(b, []byte("<html")) {
			t.Errorf("GET %s: %d %s", path, resp.StatusCode, b)
		}
	}
}
