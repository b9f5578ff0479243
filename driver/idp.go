package driver

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"
)

// IdentityProvider is the part of Cognito's API the driver calls, with the SDK's
// exact method signatures: the real *cognitoidentityprovider.Client satisfies it, and
// tests fake it.
type IdentityProvider interface {
	InitiateAuth(context.Context, *cip.InitiateAuthInput, ...func(*cip.Options)) (*cip.InitiateAuthOutput, error)
	RespondToAuthChallenge(context.Context, *cip.RespondToAuthChallengeInput, ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error)
	AssociateSoftwareToken(context.Context, *cip.AssociateSoftwareTokenInput, ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error)
	VerifySoftwareToken(context.Context, *cip.VerifySoftwareTokenInput, ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error)
	ConfirmDevice(context.Context, *cip.ConfirmDeviceInput, ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error)
	UpdateDeviceStatus(context.Context, *cip.UpdateDeviceStatusInput, ...func(*cip.Options)) (*cip.UpdateDeviceStatusOutput, error)
	ForgetDevice(context.Context, *cip.ForgetDeviceInput, ...func(*cip.Options)) (*cip.ForgetDeviceOutput, error)
	GetUser(context.Context, *cip.GetUserInput, ...func(*cip.Options)) (*cip.GetUserOutput, error)
	SetUserMFAPreference(context.Context, *cip.SetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error)
	UpdateUserAttributes(context.Context, *cip.UpdateUserAttributesInput, ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error)
	SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error)
	ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error)
	ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error)
	ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error)
	ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error)
	GlobalSignOut(context.Context, *cip.GlobalSignOutInput, ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error)
	RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error)
}

var _ IdentityProvider = (*cip.Client)(nil)

// Endpoint says how to reach a pool's Cognito API.
type Endpoint struct {
	// Region is the pool's region; empty derives it from the pool id.
	Region string
	// URL overrides the endpoint (the embedded pool, LocalStack, moto); empty means AWS.
	URL string
	// HTTPClient sends the requests; nil means [NewHTTPClient] with MaxConns.
	HTTPClient *http.Client
	// MaxConns sizes the default HTTP client's connection pool (default 64).
	MaxConns int
	// Retries is the SDK's maximum attempts per call; 0 keeps the SDK default (3). A
	// bench sets 1: throttles are outcomes, not retried.
	Retries int
	// Credentials sign the calls that need them (Admin APIs); nil sends the sign-in
	// operations unsigned, as the Amplify clients do.
	Credentials aws.CredentialsProvider
}

// NewSDKClient builds the real Cognito client for an endpoint, with the timing
// middleware installed.
func NewSDKClient(poolID string, ep Endpoint) *cip.Client {
	region := ep.Region
	if region == "" {
		region = RegionOf(poolID)
	}
	hc := ep.HTTPClient
	if hc == nil {
		hc = NewHTTPClient(ep.MaxConns)
	}
	o := cip.Options{
		Region:      region,
		HTTPClient:  hc,
		Credentials: ep.Credentials,
		APIOptions:  []func(*middleware.Stack) error{TimingMiddleware},
	}
	if o.Credentials == nil {
		o.Credentials = aws.AnonymousCredentials{}
	}
	if ep.URL != "" {
		o.BaseEndpoint = aws.String(ep.URL)
	}
	if ep.Retries > 0 {
		o.RetryMaxAttempts = ep.Retries
	}
	return cip.New(o)
}

// RegionOf returns the region a pool id starts with ("eu-west-1_abc" → "eu-west-1").
func RegionOf(poolID string) string {
	for i := 0; i < len(poolID); i++ {
		if poolID[i] == '_' {
			return poolID[:i]
		}
	}
	return ""
}

// NewHTTPClient returns an HTTP client for Cognito calls with a pool of maxConns idle
// connections per host (default 64) and a request timeout of 30 s.
//
// It also hides the request body's WriteTo from net/http: smithy-go closes a request
// body as soon as response headers arrive, and net/http's post-write probe of the body
// (which prefers WriteTo) then fails with io.EOF and closes the connection under a
// response still being read ("use of closed network connection"). A server that
// answers within microseconds, like the embedded pool, hits this a few times per
// thousand calls; with Read, a closed body is a clean EOF.
func NewHTTPClient(maxConns int) *http.Client {
	if maxConns <= 0 {
		maxConns = 64
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = maxConns * 2
	tr.MaxIdleConnsPerHost = maxConns
	return &http.Client{Transport: readOnlyBody{tr}, Timeout: 30 * time.Second}
}

type readOnlyBody struct{ rt http.RoundTripper }

func (t readOnlyBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r = r.Clone(r.Context())
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.rt.RoundTrip(r)
}
