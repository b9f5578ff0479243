package emulator_test

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"sync"
	"testing"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/emulator/internal/tokens"
	"github.com/authbench/authbench/internal/emulatortest"
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

// env is the tests' harness (see package emulatortest), which this package's tests
// extend with the sign-in helpers of their families.
type env struct{ *emulatortest.Env }

// newEnv starts an emulator for the test whose pools share testKey, with the options
// opts edit.
func newEnv(t testing.TB, opts ...func(*emulator.Options)) *env {
	t.Helper()
	withKey := func(o *emulator.Options) { o.NewKey = testKey }
	return &env{emulatortest.Start(t, append([]func(*emulator.Options){withKey}, opts...)...)}
}

// smsMFA sets a CreateUserPool input's MFA mode the way CreateUserPool accepts it:
// ON or OPTIONAL needs an SMS configuration and an auto-verified phone_number.
func smsMFA(in *cip.CreateUserPoolInput, mode types.UserPoolMfaType) {
	in.MfaConfiguration = mode
	in.SmsConfiguration = &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::000000000000:role/sns")}
	in.AutoVerifiedAttributes = append(in.AutoVerifiedAttributes, "phone_number")
}

// newRequest is a request for op with body as the AWS SDKs send it to a pool bound
// to 127.0.0.1 (Host, X-Amz-Target, Content-Type), for calls through the handler
// in-process.
func newRequest(op, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Host = "127.0.0.1"
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	return req
}

// handlerCall sends op with body through h in-process and returns the answer.
func handlerCall(h http.Handler, op, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, newRequest(op, body))
	return rec
}
