package emulator_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

const (
	sigKeyID  = "AKIAAUTHBENCHTEST01"
	sigSecret = "authbench-test-secret-access-key-0000000"
)

// signedClient is an SDK client of endpoint signing with the static key id/secret.
func signedClient(endpoint, keyID, secret string) *cip.Client {
	return cip.New(cip.Options{
		BaseEndpoint:     aws.String(endpoint),
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		RetryMaxAttempts: 1,
		HTTPClient:       emulatortest.HTTPClient(),
	})
}

// startSigned starts a pool on 127.0.0.1 that requires signed requests, with the
// options opts edit; its IDP client signs with the pool's key.
func startSigned(t *testing.T, opts ...func(*emulator.Options)) *env {
	t.Helper()
	e := newEnv(t, append([]func(*emulator.Options){func(o *emulator.Options) {
		o.RequireSignature, o.AccessKeyID, o.SecretAccessKey = true, sigKeyID, sigSecret
	}}, opts...)...)
	e.IDP = signedClient(e.Srv.Endpoint(), sigKeyID, sigSecret)
	return e
}

// TestSignatureRequired: with signed requests required, an SDK client signing with
// the pool's key calls Admin, provisioning and list operations; an unsigned client is
// refused with MissingAuthenticationTokenException, an unknown key id with
// UnrecognizedClientException, a wrong secret with InvalidSignatureException; the
// browser operations (InitiateAuth from the SDK without credentials, and a
// browser-style unsigned request with an Origin) still work.
func TestSignatureRequired(t *testing.T) {
	e := startSigned(t)
	ctx := t.Context()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!")
	if _, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID}); err != nil {
		t.Fatalf("signed ListUsers: %v", err)
	}

	anon := emulatortest.NewClient(e.Srv.Endpoint())
	_, err := anon.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID})
	emulatortest.APIError(t, err, "MissingAuthenticationTokenException", "Missing Authentication Token")
	_, err = anon.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
	emulatortest.APIError(t, err, "MissingAuthenticationTokenException", "Missing Authentication Token")

	_, err = signedClient(e.Srv.Endpoint(), "AKIAOTHERKEY0000000", sigSecret).DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID})
	emulatortest.APIError(t, err, "UnrecognizedClientException", "The security token included in the request is invalid.")
	_, err = signedClient(e.Srv.Endpoint(), sigKeyID, "not-the-secret").DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: &poolID, ClientId: &clientID})
	emulatortest.APIError(t, err, "InvalidSignatureException", "")

	// The browser operations need no signature, from the SDK or from a page.
	out, err := anon.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("unsigned InitiateAuth: %v", err)
	}
	body := `{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"alice","PASSWORD":"Passw0rd!"}}`
	status, typ := rawCall(t, e.Srv.Endpoint(), "InitiateAuth", body, func(r *http.Request) { r.Header.Set("Origin", "http://localhost:3000") })
	if status != http.StatusOK {
		t.Fatalf("browser-style InitiateAuth: HTTP %d %s", status, typ)
	}
	if _, err := e.IDP.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &poolID}); err != nil {
		t.Fatalf("signed DeleteUserPool: %v", err)
	}
}

// TestSignatureVerified: signatures are recomputed, not merely present. A request
// signed correctly by hand (aws-sdk-go-v2's signer) passes; the same request with
// its body changed after signing, signed 20 minutes ago, or scoped to another
// service or region is refused with InvalidSignatureException; a non-SigV4
// Authorization header with IncompleteSignatureException.
func TestSignatureVerified(t *testing.T) {
	e := startSigned(t)
	body := `{"MaxResults":10}`
	sign := func(at time.Time, service, region string) func(*http.Request) {
		return func(r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(b))
			sum := sha256.Sum256(b)
			if err := v4.NewSigner().SignHTTP(r.Context(), aws.Credentials{AccessKeyID: sigKeyID, SecretAccessKey: sigSecret},
				r, hex.EncodeToString(sum[:]), service, region, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	now := time.Now()
	if status, typ := rawCall(t, e.Srv.Endpoint(), "ListUserPools", body, sign(now, "cognito-idp", "us-east-1")); status != http.StatusOK {
		t.Fatalf("hand-signed ListUserPools: HTTP %d %s", status, typ)
	}
	cases := []struct {
		name, want string
		edit       func(*http.Request)
	}{
		{"body changed after signing", "InvalidSignatureException", func(r *http.Request) {
			sign(now, "cognito-idp", "us-east-1")(r)
			r.Body, r.ContentLength = io.NopCloser(strings.NewReader(`{"MaxResults":11}`)), int64(len(body))
		}},
		{"signed 20 minutes ago", "InvalidSignatureException", sign(now.Add(-20*time.Minute), "cognito-idp", "us-east-1")},
		{"signed 20 minutes ahead", "InvalidSignatureException", sign(now.Add(20*time.Minute), "cognito-idp", "us-east-1")},
		{"another service", "InvalidSignatureException", sign(now, "s3", "us-east-1")},
		{"another region", "InvalidSignatureException", sign(now, "cognito-idp", "eu-west-1")},
		{"the target changed after signing", "InvalidSignatureException", func(r *http.Request) {
			sign(now, "cognito-idp", "us-east-1")(r)
			r.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUsers")
		}},
		{"basic auth", "IncompleteSignatureException", func(r *http.Request) { r.SetBasicAuth("a", "b") }},
	}
	for _, c := range cases {
		status, typ := rawCall(t, e.Srv.Endpoint(), "ListUserPools", body, c.edit)
		if typ != c.want || status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d %s, want 400 %s", c.name, status, typ, c.want)
		}
	}
}

// TestSignatureOutbox: the outbox of a pool that requires signatures needs the same
// key.
func TestSignatureOutbox(t *testing.T) {
	e := startSigned(t)
	get := func(edit func(*http.Request)) (int, string) {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, e.Srv.Endpoint()+"/_authbench/outbox", nil)
		if edit != nil {
			edit(req)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType")
	}
	if status, typ := get(nil); status != http.StatusForbidden || typ != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned outbox: HTTP %d %s", status, typ)
	}
	empty := sha256.Sum256(nil)
	signWith := func(secret string) func(*http.Request) {
		return func(r *http.Request) {
			if err := v4.NewSigner().SignHTTP(r.Context(), aws.Credentials{AccessKeyID: sigKeyID, SecretAccessKey: secret},
				r, hex.EncodeToString(empty[:]), "execute-api", "us-east-1", time.Now()); err != nil {
				t.Fatal(err)
			}
		}
	}
	if status, typ := get(signWith("wrong")); status != http.StatusBadRequest || typ != "InvalidSignatureException" {
		t.Errorf("outbox signed with a wrong secret: HTTP %d %s", status, typ)
	}
	if status, typ := get(signWith(sigSecret)); status != http.StatusOK {
		t.Errorf("signed outbox: HTTP %d %s", status, typ)
	}
}

// TestSignatureNeedsKey: a pool that must require signatures does not start without
// an access key, and one bound to a wildcard address is refused before it binds.
func TestSignatureNeedsKey(t *testing.T) {
	for _, c := range []struct {
		addr    string
		require bool
	}{{"127.0.0.1:0", true}, {"0.0.0.0:0", false}, {"[::]:0", false}, {":0", false}} {
		srv := emulator.New(emulator.Options{RequireSignature: c.require, NewKey: testKey})
		err := srv.Start(context.Background(), c.addr)
		if !errors.Is(err, emulator.ErrNoAccessKey) {
			srv.Close()
			t.Errorf("Start(%s, require %v) without a key: %v, want ErrNoAccessKey", c.addr, c.require, err)
		}
	}
}

// TestPublicURLIssuer: the tokens' iss, the OpenID configuration's issuer and
// jwks_uri use Options.PublicURL, and requests naming its host pass the Host check.
func TestPublicURLIssuer(t *testing.T) {
	const public = "http://pool.test:4321"
	e := newEnv(t, func(o *emulator.Options) { o.PublicURL = public + "/" })
	ctx := t.Context()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "bob", "Passw0rd!")
	out, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: &clientID, AuthFlow: types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{aws.ToString(out.AuthenticationResult.IdToken), aws.ToString(out.AuthenticationResult.AccessToken)} {
		parts := strings.Split(tok, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var claims struct{ Iss string }
		if err := json.Unmarshal(payload, &claims); err != nil {
			t.Fatal(err)
		}
		if claims.Iss != public+"/"+poolID {
			t.Errorf("iss %q, want %q", claims.Iss, public+"/"+poolID)
		}
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.Srv.Endpoint()+"/"+poolID+"/.well-known/openid-configuration", nil)
	req.Host = "pool.test:4321"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var oidc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&oidc); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("openid-configuration through Host pool.test: HTTP %d, %v", resp.StatusCode, err)
	}
	if oidc.Issuer != public+"/"+poolID || oidc.JWKSURI != public+"/"+poolID+"/.well-known/jwks.json" {
		t.Errorf("openid-configuration: issuer %q, jwks_uri %q", oidc.Issuer, oidc.JWKSURI)
	}
}

// rawCall posts body to the operation op with the AWS JSON headers, edit changing
// the request last, and returns the status and x-amzn-ErrorType.
func rawCall(t *testing.T, endpoint, op, body string, edit func(*http.Request)) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, endpoint+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("x-amzn-ErrorType")
}
