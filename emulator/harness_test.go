package emulator_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/emulator/internal/tokens"
)

var (
	keyOnce   sync.Once
	sharedKey *tokens.Key
)

// testKey returns one RSA key shared by every pool of the tests (generating a key per
// pool would dominate the test time).
func testKey() (*tokens.Key, error) {
	keyOnce.Do(func() {
		k, err := tokens.NewKey(rand.Reader)
		if err != nil {
			panic(err)
		}
		sharedKey = k
	})
	return sharedKey, nil
}

// env is a running emulator and an SDK client pointed at it.
type env struct {
	srv *emulator.Server
	idp *cip.Client
	now func() time.Time
}

func newEnv(t testing.TB, opts ...func(*emulator.Options)) *env {
	t.Helper()
	o := emulator.Options{NewKey: testKey}
	for _, f := range opts {
		f(&o)
	}
	srv := emulator.New(o)
	if err := srv.Start(context.Background(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	client := cip.New(cip.Options{
		BaseEndpoint:     aws.String(srv.Endpoint()),
		Region:           "us-east-1",
		Credentials:      aws.AnonymousCredentials{},
		RetryMaxAttempts: 1,
		HTTPClient:       sdkHTTPClient(), // see sdkhttp_test.go
	})
	return &env{srv: srv, idp: client, now: time.Now}
}

// apiError asserts err is a Cognito error of type typ (and message msg, if not "").
func apiError(t testing.TB, err error, typ, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", typ, err)
	}
	if ae.ErrorCode() != typ || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("want %s %q, got %s %q", typ, msg, ae.ErrorCode(), ae.ErrorMessage())
	}
}

type poolSpec struct {
	create func(*cip.CreateUserPoolInput)
	client func(*cip.CreateUserPoolClientInput)
}

// pool creates a pool and a client; it returns the pool id, client id and secret.
func (e *env) pool(t testing.TB, ps poolSpec) (poolID, clientID, secret string) {
	t.Helper()
	ctx := context.Background()
	in := &cip.CreateUserPoolInput{PoolName: aws.String("test")}
	if ps.create != nil {
		ps.create(in)
	}
	out, err := e.idp.CreateUserPool(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	cin := &cip.CreateUserPoolClientInput{
		UserPoolId: out.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH"},
	}
	if ps.client != nil {
		ps.client(cin)
	}
	cout, err := e.idp.CreateUserPoolClient(ctx, cin)
	if err != nil {
		t.Fatal(err)
	}
	return *out.UserPool.Id, *cout.UserPoolClient.ClientId, aws.ToString(cout.UserPoolClient.ClientSecret)
}

// user creates a confirmed user with a permanent password and the given attributes.
func (e *env) user(t testing.TB, poolID, username, password string, attrs ...string) {
	t.Helper()
	ctx := context.Background()
	var ua []types.AttributeType
	for i := 0; i+1 < len(attrs); i += 2 {
		ua = append(ua, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
	}
	if _, err := e.idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: &username, UserAttributes: ua, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.idp.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: &username, Password: &password, Permanent: true}); err != nil {
		t.Fatal(err)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// asAPIError returns the Cognito error code of err.
func asAPIError(err error) (string, bool) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode(), true
	}
	return "", false
}

// decodeChallenge reads an InitiateAuth answer body.
func decodeChallenge(t testing.TB, body string, _ *cip.InitiateAuthOutput) (map[string]string, string) {
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
