package idp

// Lambda-compatible triggers: a pool's LambdaConfig names function ARNs, and each
// is invoked with Cognito's trigger event JSON as the body of a POST; the function
// answers with the event, its response filled in. A user's real trigger code runs
// unchanged. Where an ARN runs:
//
//   - an ARN mapped by TriggerOptions.Lambdas (--lambda ARN=URL) goes to that URL: a
//     bare base URL is a Lambda runtime interface emulator, invoked at
//     <base>/2015-03-31/functions/function/invocations;
//   - any other ARN goes to the Lambda Invoke API at TriggerOptions.LambdaEndpoint
//     (the CLI takes it from AWS_ENDPOINT_URL_LAMBDA, else AWS_ENDPOINT_URL), at
//     POST <endpoint>/2015-03-31/functions/<ARN, URL-escaped>/invocations (the
//     Invoke API's path: API reference of Lambda, Invoke), signed with Signature
//     Version 4 for the "lambda" service, so LocalStack's or moto's Lambda, or any
//     HTTP server speaking that path, runs it.
//
// Failures surface as Cognito words them (all UNCONFIRMED (U1) as to the exact text, from
// captures of real responses):
//
//   - the function raised an error → UserLambdaValidationException
//     "<Trigger> failed with error <errorMessage>."
//   - the answer is not JSON → InvalidLambdaResponseException
//     "Invalid lambda function output : Invalid JSON"; JSON of the wrong shape →
//     InvalidLambdaResponseException "Unrecognizable lambda output"
//   - the invocation timed out → UnexpectedLambdaException "<Trigger> invocation
//     failed due to error Socket timeout while invoking Lambda function."; no function
//     for the ARN → "… due to error ResourceNotFoundException."; the function could not
//     be reached or answered with an HTTP error → "… due to error ServiceException."

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// The trigger names, as LambdaConfig spells them and as errors name them.
const (
	trigDefine   = "DefineAuthChallenge"
	trigCreate   = "CreateAuthChallenge"
	trigVerify   = "VerifyAuthChallengeResponse"
	trigPreAuth  = "PreAuthentication"
	trigPostAuth = "PostAuthentication"
	trigPreToken = "PreTokenGeneration"
)

// LambdaInvokePath is the invoke path of the Lambda runtime interface emulator.
const LambdaInvokePath = "/2015-03-31/functions/function/invocations"

// DefaultLambdaTimeout is how long Cognito waits for a trigger.
const DefaultLambdaTimeout = 5 * time.Second

// TriggerOptions says how the pools' LambdaConfig ARNs reach functions.
type TriggerOptions struct {
	// Lambdas maps a function ARN, as written in a pool's LambdaConfig, to a URL. A
	// URL without a path (http://127.0.0.1:9000) is a runtime interface emulator's
	// base, and LambdaInvokePath is appended; a URL with a path is used as is. The
	// key "*" is the URL of every ARN not listed (one function serving every
	// trigger, telling them apart by triggerSource).
	Lambdas map[string]string
	// LambdaEndpoint is the Lambda API endpoint (http://localhost:4566 for
	// LocalStack) where ARNs that Lambdas does not map are invoked through the
	// Invoke API. Empty: such ARNs have no function.
	LambdaEndpoint string
	// Credentials sign the Invoke API calls. Default: the access key "test" with the
	// secret "test", which local Lambda emulators accept.
	Credentials aws.Credentials
	// Timeout bounds one invocation. Default DefaultLambdaTimeout.
	Timeout time.Duration
	// Client makes the invocations; the HTTP face passes its own. Default: a new
	// client per Service, with its own connection pool and no proxies.
	Client *http.Client
}

// SetLambda adds a mapping from "ARN=URL" (or a bare URL, meaning every ARN), as
// the --lambda flag gives it.
func (o *TriggerOptions) SetLambda(spec string) error {
	arn, raw, ok := strings.Cut(spec, "=")
	if !ok || strings.HasPrefix(spec, "http://") || strings.HasPrefix(spec, "https://") {
		arn, raw = "*", spec
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("want ARN=URL or URL with an http(s) URL, got " + strings.TrimSpace(spec))
	}
	if arn == "" {
		return errors.New("empty ARN in " + spec)
	}
	if o.Lambdas == nil {
		o.Lambdas = map[string]string{}
	}
	o.Lambdas[arn] = raw
	return nil
}

// FromEnvironment sets LambdaEndpoint and Credentials from the standard AWS
// variables, as the AWS SDKs read them: AWS_ENDPOINT_URL_LAMBDA, else
// AWS_ENDPOINT_URL; AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN.
// An endpoint that is not an http(s) URL is an error naming the variable.
func (o *TriggerOptions) FromEnvironment(getenv func(string) string) error {
	for _, name := range []string{"AWS_ENDPOINT_URL_LAMBDA", "AWS_ENDPOINT_URL"} {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return errors.New(name + ": want an http(s) URL, got " + strconv.Quote(v))
		}
		o.LambdaEndpoint = v
		break
	}
	if k := getenv("AWS_ACCESS_KEY_ID"); k != "" {
		o.Credentials = aws.Credentials{AccessKeyID: k, SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"), SessionToken: getenv("AWS_SESSION_TOKEN")}
	}
	return nil
}

// lambdaURL returns where the function of arn is invoked, or "", and whether the
// URL is the Lambda Invoke API (whose calls are signed).
func (o *TriggerOptions) lambdaURL(arn string) (target string, invokeAPI bool) {
	raw := o.Lambdas[arn]
	if raw == "" {
		raw = o.Lambdas["*"]
	}
	if raw == "" {
		if o.LambdaEndpoint == "" {
			return "", false
		}
		return strings.TrimRight(o.LambdaEndpoint, "/") + "/2015-03-31/functions/" + url.PathEscape(arn) + "/invocations", true
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", false
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = LambdaInvokePath
	}
	return u.String(), false
}

// lambdaConfig is the part of a pool's LambdaConfig the emulator runs.
type lambdaConfig struct {
	DefineAuthChallenge         string `json:"DefineAuthChallenge"`
	CreateAuthChallenge         string `json:"CreateAuthChallenge"`
	VerifyAuthChallengeResponse string `json:"VerifyAuthChallengeResponse"`
	PreAuthentication           string `json:"PreAuthentication"`
	PostAuthentication          string `json:"PostAuthentication"`
	PreTokenGeneration          string `json:"PreTokenGeneration"`
	PreTokenGenerationConfig    *struct {
		LambdaArn     string `json:"LambdaArn"`
		LambdaVersion string `json:"LambdaVersion"`
	} `json:"PreTokenGenerationConfig"`
}

// arn returns the ARN configured for a trigger, or "".
func (lc *lambdaConfig) arn(trigger string) string {
	if lc == nil {
		return ""
	}
	switch trigger {
	case trigDefine:
		return lc.DefineAuthChallenge
	case trigCreate:
		return lc.CreateAuthChallenge
	case trigVerify:
		return lc.VerifyAuthChallengeResponse
	case trigPreAuth:
		return lc.PreAuthentication
	case trigPostAuth:
		return lc.PostAuthentication
	case trigPreToken:
		if c := lc.PreTokenGenerationConfig; c != nil && c.LambdaArn != "" {
			return c.LambdaArn
		}
		return lc.PreTokenGeneration
	}
	return ""
}

// preTokenVersion is the event version of the pre-token-generation trigger: "1"
// unless PreTokenGenerationConfig asks for V2_0 or later.
func (lc *lambdaConfig) preTokenVersion() string {
	if c := lc.PreTokenGenerationConfig; c != nil && c.LambdaArn != "" {
		switch c.LambdaVersion {
		case "V2_0":
			return "2"
		case "V3_0":
			return "3"
		}
	}
	return "1"
}

// lambdas returns the pool's LambdaConfig, or nil when it names no function. The
// caller holds p.mu.
func (p *Pool) lambdas() *lambdaConfig {
	raw := p.cfg.LambdaConfig
	if len(raw) < 3 { // absent, null or {}
		return nil
	}
	var lc lambdaConfig
	if json.Unmarshal(raw, &lc) != nil {
		return nil
	}
	return &lc
}

// poolLambdas returns the pool's LambdaConfig under its lock.
func poolLambdas(p *Pool) *lambdaConfig {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lambdas()
}

// triggerEvent is the envelope every Cognito trigger event shares.
type triggerEvent struct {
	Version       string        `json:"version"`
	Region        string        `json:"region"`
	UserPoolID    string        `json:"userPoolId"`
	UserName      string        `json:"userName"`
	CallerContext callerContext `json:"callerContext"`
	TriggerSource string        `json:"triggerSource"`
	Request       any           `json:"request"`
	Response      any           `json:"response"`
}

type callerContext struct {
	AWSSDKVersion string `json:"awsSdkVersion"`
	ClientID      string `json:"clientId"`
}

// newEvent starts an event of a pool for a client and user name.
func (s *Service) newEvent(p *Pool, c *AppClient, userName, source string) triggerEvent {
	return triggerEvent{
		Version: "1", Region: s.opts.Region, UserPoolID: p.id, UserName: userName,
		CallerContext: callerContext{AWSSDKVersion: "aws-sdk-unknown-unknown", ClientID: c.id()},
		TriggerSource: source,
	}
}

// triggerAttributes are a user's attributes as triggers see them: every attribute,
// sub and cognito:user_status. Nil u gives an empty map. The caller holds p.mu.
func triggerAttributes(u *User) map[string]string {
	out := map[string]string{}
	if u == nil {
		return out
	}
	for k, v := range u.Attrs {
		out[k] = v
	}
	out["sub"] = u.Sub
	out["cognito:user_status"] = u.Status
	return out
}

// userTriggerAttributes is triggerAttributes under p.mu.
func userTriggerAttributes(p *Pool, u *User) map[string]string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return triggerAttributes(u)
}

// invoke calls the function of arn for trigger with ev and decodes the event it
// returns into out (whose "response" member the caller reads). The call is bounded by
// ctx (the request's) and the trigger timeout. Every failure is Cognito's error for it.
func (s *Service) invoke(ctx context.Context, trigger, arn string, ev triggerEvent, out any) *Error {
	unexpected := func(why string) *Error {
		return newErr(TypeUnexpectedLambda, "%s invocation failed due to error %s.", trigger, why)
	}
	target, invokeAPI := s.opts.Triggers.lambdaURL(arn)
	if target == "" {
		return unexpected("ResourceNotFoundException")
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return unexpected("ServiceException")
	}
	timeout := s.opts.Triggers.Timeout
	if timeout <= 0 {
		timeout = DefaultLambdaTimeout
	}
	// The invocation lives within the request that caused it: a caller that goes away
	// ends it too.
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return unexpected("ServiceException")
	}
	req.Header.Set("Content-Type", "application/json")
	if invokeAPI {
		if err := s.signInvoke(ctx, req, body, arn); err != nil {
			return unexpected("ServiceException")
		}
	}
	res, err := s.opts.Triggers.Client.Do(req)
	if err != nil {
		var ne net.Error
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return unexpected("Socket timeout while invoking Lambda function")
		}
		return unexpected("ServiceException")
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 6<<20)) // Lambda's payload limit
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return unexpected("Socket timeout while invoking Lambda function")
		}
		return unexpected("ServiceException")
	}
	if res.StatusCode == http.StatusNotFound {
		return unexpected("ResourceNotFoundException") // the Invoke API's answer for no such function
	}
	if res.StatusCode/100 != 2 {
		return unexpected("ServiceException")
	}
	// A function error: the runtime answers {"errorMessage", "errorType"} (with
	// X-Amz-Function-Error on the real invoke API).
	var fe struct {
		ErrorMessage *string `json:"errorMessage"`
		ErrorType    string  `json:"errorType"`
	}
	if json.Unmarshal(raw, &fe) == nil && (fe.ErrorMessage != nil || res.Header.Get("X-Amz-Function-Error") != "") {
		msg := deref(fe.ErrorMessage)
		if msg == "" {
			msg = fe.ErrorType
		}
		return newErr(TypeUserLambdaValidation, "%s failed with error %s.", trigger, msg)
	}
	if !json.Valid(raw) {
		return &Error{Type: TypeInvalidLambdaResponse, Message: "Invalid lambda function output : Invalid JSON"}
	}
	var env struct {
		Response json.RawMessage `json:"response"`
	}
	if json.Unmarshal(raw, &env) != nil || len(env.Response) == 0 || env.Response[0] != '{' {
		return errUnrecognizableLambda()
	}
	if out != nil {
		if err := json.Unmarshal(env.Response, out); err != nil {
			return errUnrecognizableLambda()
		}
	}
	return nil
}

// signInvoke signs an Invoke API request with Signature Version 4 for the lambda
// service of the ARN's Region (the Service's Region for a bare function name).
func (s *Service) signInvoke(ctx context.Context, req *http.Request, body []byte, arn string) error {
	creds := s.opts.Triggers.Credentials
	if creds.AccessKeyID == "" {
		creds = aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	}
	region := s.opts.Region
	if parts := strings.Split(arn, ":"); len(parts) > 4 && parts[0] == "arn" && parts[3] != "" {
		region = parts[3]
	}
	sum := sha256.Sum256(body)
	return v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "lambda", region, s.now())
}

func errUnrecognizableLambda() *Error {
	return &Error{Type: TypeInvalidLambdaResponse, Message: "Unrecognizable lambda output"}
}

// newLambdaClient is the default client of a Service's trigger calls: its own
// connection pool, no proxies (the functions run next to the emulator).
func newLambdaClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:               nil,
		MaxIdleConnsPerHost: 64,
		IdleConnTimeout:     90 * time.Second,
	}}
}
