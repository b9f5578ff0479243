// Package emulatortest is the one harness of the tests that run against the embedded
// pool. A test starts an emulator on 127.0.0.1 with [Start] (stopped when the test
// ends), reaches it through an AWS SDK client, creates pools, app clients and users
// through the Admin API as it would on a live pool ([Env.Pool], [Env.User],
// [Env.SetMFA]) and asserts Cognito's errors ([APIError]). Everything goes over the
// wire: the harness sees the emulator only through its public API.
//
// It is for tests only. It imports emulator and the AWS SDK, never driver, bench or
// scenarios, so the tests of any of those may use it.
package emulatortest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/mfa"
)

// Env is a running emulator and an Admin-capable SDK client pointed at it.
type Env struct {
	// Srv is the emulator.
	Srv *emulator.Server
	// IDP is an SDK client of the emulator (anonymous credentials, no retries).
	IDP *cip.Client
}

// Start starts an emulator on a free port of 127.0.0.1 with the options opts edit,
// and stops it when the test ends.
func Start(t testing.TB, opts ...func(*emulator.Options)) *Env {
	t.Helper()
	var o emulator.Options
	for _, f := range opts {
		f(&o)
	}
	srv := emulator.New(o)
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return &Env{Srv: srv, IDP: NewClient(srv.Endpoint())}
}

// NewClient returns an SDK client of the emulator at endpoint: anonymous
// credentials, region us-east-1, one attempt per call, and [HTTPClient].
func NewClient(endpoint string) *cip.Client {
	return cip.New(cip.Options{
		BaseEndpoint:     aws.String(endpoint),
		Region:           "us-east-1",
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
		HTTPClient:       HTTPClient(),
	})
}

// HTTPClient is an HTTP client for the tests' SDK clients that does not lose
// responses to a race between smithy-go and net/http.
//
// smithy-go wraps a request body in a safeReadCloser whose WriteTo returns io.EOF
// once closed, and closes it as soon as the response headers arrive. net/http, after
// sending a body of known length, probes it for extra bytes with
// io.Copy(io.Discard, body), which prefers WriteTo. When the server on 127.0.0.1
// answers before that probe runs, the probe gets io.EOF as an error, the transport's
// write loop closes the connection, and reading the 200 response's body fails with
// "read tcp ...: use of closed network connection" (httptrace's WroteRequest shows
// the EOF). This happens with any http.Transport, the SDK's or a plain one, in a few
// requests per thousand on a 2-core machine; never against Cognito, whose answer
// takes longer than the probe. Hiding WriteTo makes the probe use Read, for which a
// closed body is a clean EOF.
func HTTPClient() *http.Client {
	return &http.Client{Transport: readOnlyBody{http.DefaultTransport.(*http.Transport).Clone()}}
}

type readOnlyBody struct{ rt http.RoundTripper }

func (t readOnlyBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r = r.Clone(r.Context())
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.rt.RoundTrip(r)
}

// PoolSpec edits the inputs of the pool and the app client [Env.Pool] creates; nil
// members keep the defaults (pool "test"; client "app" allowing SRP, password,
// refresh, admin password and custom auth).
type PoolSpec struct {
	Create func(*cip.CreateUserPoolInput)
	Client func(*cip.CreateUserPoolClientInput)
}

// Pool creates a pool and an app client; it returns the pool id, client id and the
// client's secret ("" without one).
func (e *Env) Pool(t testing.TB, ps PoolSpec) (poolID, clientID, secret string) {
	t.Helper()
	in := &cip.CreateUserPoolInput{PoolName: aws.String("test")}
	if ps.Create != nil {
		ps.Create(in)
	}
	out, err := e.IDP.CreateUserPool(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	poolID = aws.ToString(out.UserPool.Id)
	clientID, secret = e.AddClient(t, poolID, ps.Client)
	return poolID, clientID, secret
}

// AddClient creates an app client of the pool (as in [PoolSpec], changed by edit) and
// returns its id and secret.
func (e *Env) AddClient(t testing.TB, poolID string, edit func(*cip.CreateUserPoolClientInput)) (clientID, secret string) {
	t.Helper()
	in := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(poolID), ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"}}
	if edit != nil {
		edit(in)
	}
	out, err := e.IDP.CreateUserPoolClient(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.UserPoolClient.ClientId), aws.ToString(out.UserPoolClient.ClientSecret)
}

// User creates a confirmed user with a permanent password and the given attributes
// (name, value, name, value, …).
func (e *Env) User(t testing.TB, poolID, username, password string, attrs ...string) {
	t.Helper()
	ctx := context.Background()
	var ua []types.AttributeType
	for i := 0; i+1 < len(attrs); i += 2 {
		ua = append(ua, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
	}
	if _, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: &username, UserAttributes: ua, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &username, Password: &password, Permanent: true}); err != nil {
		t.Fatal(err)
	}
}

// SetMFA sets the pool's MFA mode and enables the factors named (SMS, TOTP, EMAIL)
// through SetUserPoolMfaConfig.
func (e *Env) SetMFA(t testing.TB, poolID string, mode types.UserPoolMfaType, factors ...string) {
	t.Helper()
	in := &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: mode}
	for _, f := range factors {
		switch f {
		case "SMS":
			in.SmsMfaConfiguration = &types.SmsMfaConfigType{}
		case "TOTP":
			in.SoftwareTokenMfaConfiguration = &types.SoftwareTokenMfaConfigType{Enabled: true}
		case "EMAIL":
			in.EmailMfaConfiguration = &types.EmailMfaConfigType{}
		default:
			t.Fatalf("MFA factor %q: want SMS, TOTP or EMAIL", f)
		}
	}
	if _, err := e.IDP.SetUserPoolMfaConfig(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

// APIError asserts err is a Cognito error of type typ (and message msg, if not "").
func APIError(t testing.TB, err error, typ, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", typ, err)
	}
	if ae.ErrorCode() != typ || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", typ, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

// ErrorCode returns the Cognito error code of err, and whether err is a Cognito
// error at all.
func ErrorCode(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), true
	}
	return "", false
}

// DecodeChallenge reads the challenge parameters and session of an InitiateAuth or
// RespondToAuthChallenge answer body.
func DecodeChallenge(t testing.TB, body string) (params map[string]string, session string) {
	t.Helper()
	var raw struct {
		ChallengeParameters map[string]string
		Session             string
	}
	if err := json.Unmarshal([]byte(body), &raw); err != nil {
		t.Fatal(err)
	}
	return raw.ChallengeParameters, raw.Session
}

// Claims decodes a JWT's payload without checking its signature (the emulator's keys
// are tested on their own).
func Claims(t testing.TB, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %d parts", len(parts))
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// Message is one message of the emulator's outbox (an SMS or email it "sent"), as
// the outbox serves it.
type Message = mfa.OutboxMessage

// Outbox reads the messages the pool sent to username for purpose ("" for any),
// newest first, over HTTP, as a person reads their phone.
func (e *Env) Outbox(t testing.TB, poolID, username, purpose string) []Message {
	t.Helper()
	q := url.Values{"poolId": {poolID}, "username": {username}, "purpose": {purpose}}
	resp, err := http.Get(e.Srv.Endpoint() + "/_authbench/outbox?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Messages []Message `json:"messages"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("outbox %s/%s: status %d", username, purpose, resp.StatusCode)
	}
	return body.Messages
}
