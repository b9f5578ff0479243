package driver

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
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
	// bench sets 1: throttles are outcomes, not retried. With 1 the client also leaves
	// out the middleware that only serves retries or AWS's own telemetry (see
	// [SingleAttempt]).
	Retries int
	// Credentials sign the calls that need them (Admin APIs); nil sends the sign-in
	// operations unsigned, as the Amplify clients do.
	Credentials aws.CredentialsProvider
	// APIOptions are further edits of every call's middleware stack, applied after
	// the driver's own (a benchmark's timers, for instance).
	APIOptions []func(*middleware.Stack) error
}

// NewSDKClient builds the real Cognito client for an endpoint, with the timing
// middleware installed.
//
// The client is built once and shared: everything a call would otherwise redo is
// decided here. With an endpoint URL, the URL is parsed once and served by a static
// endpoint resolver instead of the SDK's rules engine on every call (the rules give
// the same answer for a custom endpoint: the URL, with no properties). With
// Retries == 1, [SingleAttempt] trims the stack.
func NewSDKClient(poolID string, ep Endpoint) *cip.Client {
	region := ep.Region
	if region == "" {
		region = RegionOf(poolID)
	}
	hc := ep.HTTPClient
	if hc == nil {
		hc = NewHTTPClient(ep.MaxConns)
	}
	apiOptions := []func(*middleware.Stack) error{TimingMiddleware}
	if ep.Retries == 1 {
		apiOptions = append(apiOptions, SingleAttempt)
	}
	apiOptions = append(apiOptions, ep.APIOptions...)
	o := cip.Options{
		Region:      region,
		HTTPClient:  hc,
		Credentials: ep.Credentials,
		APIOptions:  apiOptions,
	}
	if o.Credentials == nil {
		o.Credentials = aws.AnonymousCredentials{}
	}
	if ep.URL != "" {
		o.BaseEndpoint = aws.String(ep.URL)
		if u, err := url.Parse(ep.URL); err == nil && u.Scheme != "" && u.Host != "" {
			o.EndpointResolverV2 = staticEndpoint{u: *u}
		}
	}
	if ep.Retries > 0 {
		o.RetryMaxAttempts = ep.Retries
	}
	return cip.New(o)
}

// staticEndpoint resolves every call to one URL, as the SDK's rules do for a custom
// endpoint, without evaluating them per call.
type staticEndpoint struct{ u url.URL }

func (s staticEndpoint) ResolveEndpoint(context.Context, cip.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: s.u}, nil
}

// SingleAttempt removes from an SDK call's middleware stack what only serves retries
// or AWS's telemetry, for clients that make one attempt per call (a bench, where a
// throttle is an outcome). The timing middleware sits at the end of Finalize, so it
// sees the one attempt either way. Middleware that a stack does not have is skipped.
// [NewSDKClient] installs it when Endpoint.Retries is 1.
func SingleAttempt(stack *middleware.Stack) error {
	// The retry loop and its amz-sdk-request header.
	_, _ = stack.Finalize.Remove("Retry")
	_, _ = stack.Finalize.Remove("RetryMetricsHeader")
	// The amz-sdk-invocation-id that ties the attempts of one call together.
	_, _ = stack.Build.Remove("ClientRequestID")
	// The Lambda recursion-detection header (read from the environment per call).
	_, _ = stack.Build.Remove("RecursionDetection")
	// The SDK's User-Agent string, rebuilt on every call; Go's default goes instead
	// (Amplify clients send their own anyway).
	_, _ = stack.Build.Remove("UserAgent")
	// The clock-skew record that retried and re-signed attempts read.
	_, _ = stack.Deserialize.Remove("RecordResponseTiming")
	return nil
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

// RoundTrip sends r with its body's WriteTo hidden. A RoundTripper must not change
// the request it is given, so the body goes on a shallow copy: the transport reads
// the headers and URL only, and a deep Clone per call would copy them for nothing.
func (t readOnlyBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r2 := new(http.Request)
		*r2 = *r
		r2.Body = struct{ io.ReadCloser }{r.Body}
		r = r2
	}
	return t.rt.RoundTrip(r)
}
