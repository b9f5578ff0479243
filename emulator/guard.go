package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/authbench/authbench/emulator/internal/idp"
)

// The pool's door to the machine it runs on. Two checks run before anything else:
//
//   - Host: the Host header must name the address the pool is bound to, a loopback
//     name (localhost, 127.0.0.1, [::1]) or a name given in Options.AllowHosts. A page
//     whose DNS name was re-pointed at 127.0.0.1 (DNS rebinding) sends its own name and
//     is refused. A pool bound to a wildcard address (0.0.0.0, [::]) takes any IP
//     literal, as those cannot be rebound. The port is not compared: it is the name
//     that rebinding forges, and a local reverse proxy that keeps its own Host (port
//     included) is an ordinary client.
//   - Origin: a request that carries an Origin header comes from a web page. It may
//     call only the operations Cognito serves to browsers without a signature (sign-in,
//     sign-up, and the self-service calls that carry the user's own access token);
//     Admin, provisioning and list operations and the outbox refuse it, unless
//     Options.AllowOrigins names that origin. Requests without Origin (SDKs, Node,
//     curl) are not browser requests and are not limited here.
//
// Both refusals are HTTP 403 ForbiddenException with a message that says what to do
// (the emulator's own protection of the machine it runs on: UNCONFIRMED (U22), as
// AWS answers unsigned Admin calls differently).

// browserOperations are the operations Cognito serves without SigV4: the public
// client-side API (API reference, "Using the Amazon Cognito user pools API and user
// pool endpoints": operations "authorized with an access token or session, or
// unauthenticated").
var browserOperations = map[string]bool{
	"InitiateAuth": true, "RespondToAuthChallenge": true, "GetTokensFromRefreshToken": true, "RevokeToken": true,
	"SignUp": true, "ConfirmSignUp": true, "ResendConfirmationCode": true,
	"ForgotPassword": true, "ConfirmForgotPassword": true, "ChangePassword": true,
	"GetUser": true, "UpdateUserAttributes": true, "DeleteUser": true, "DeleteUserAttributes": true,
	"GetUserAttributeVerificationCode": true, "VerifyUserAttribute": true, "GetUserAuthFactors": true,
	"GlobalSignOut": true, "SetUserSettings": true,
	"AssociateSoftwareToken": true, "VerifySoftwareToken": true, "SetUserMFAPreference": true,
	"ConfirmDevice": true, "GetDevice": true, "ListDevices": true, "ForgetDevice": true, "UpdateDeviceStatus": true,
	"StartWebAuthnRegistration": true, "CompleteWebAuthnRegistration": true,
	"ListWebAuthnCredentials": true, "DeleteWebAuthnCredential": true,
	"UpdateAuthEventFeedback": true,
}

// maxEchoed bounds what a refusal quotes of a header.
const maxEchoed = 100

// originAllowed reports whether an Origin named in Options.AllowOrigins may call
// everything ("*" names every origin).
func (s *Server) originAllowed(origin string) bool {
	for _, o := range s.opts.AllowOrigins {
		if o == "*" || strings.EqualFold(strings.TrimSuffix(o, "/"), origin) {
			return true
		}
	}
	return false
}

// setCORS writes the CORS headers of a response: an origin named in AllowOrigins is
// echoed (it may read everything), any other gets "*" (the browser may read the
// answers of the operations it may call, and the refusals).
func (s *Server) setCORS(h http.Header, origin string) {
	if origin != "" && s.originAllowed(origin) {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Add("Vary", "Origin")
	} else {
		h.Set("Access-Control-Allow-Origin", "*")
	}
	h.Set("Access-Control-Expose-Headers", corsExposeHdrs)
}

// browserRefusal returns the error for a browser-origin request to what only
// unbrowsered callers may use, or nil when the request may go on. what names the
// operation or path.
func (s *Server) browserRefusal(r *http.Request, what string, served bool) *idp.Error {
	origin := r.Header.Get("Origin")
	if origin == "" || served || s.originAllowed(origin) {
		return nil
	}
	return &idp.Error{Type: idp.TypeForbidden, Message: what + " is not served to web pages: a request from origin " +
		strconv.Quote(clip(origin)) + " may call only the operations Cognito serves to browsers without a signature " +
		"(InitiateAuth, RespondToAuthChallenge, SignUp, GetUser, …). Start the pool with --allow-origin " + clip(origin) +
		" (Options.AllowOrigins) to let that page call it."}
}

// hostRefusal returns the error for a Host header that does not name this pool, or
// nil. It checks nothing until Start has bound an address (a handler served by the
// embedder is the embedder's business).
func (s *Server) hostRefusal(r *http.Request) *idp.Error {
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	if ln == nil {
		return nil
	}
	bound, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return nil
	}
	if s.hostAllowed(r.Host, bound) {
		return nil
	}
	return &idp.Error{Type: idp.TypeForbidden, Message: "Host " + strconv.Quote(clip(r.Host)) + " does not name this pool (" +
		ln.Addr().String() + "): it is refused so that a web page cannot reach the pool through a DNS name re-pointed at this " +
		"machine. Use localhost, 127.0.0.1 or [::1], or start the pool with --allow-host NAME (Options.AllowHosts)."}
}

func (s *Server) hostAllowed(hostport string, bound *net.TCPAddr) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		host = strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]") // no port
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	switch host {
	case "localhost", "127.0.0.1", "::1":
		return true
	}
	for _, h := range s.opts.AllowHosts {
		if strings.EqualFold(h, host) {
			return true
		}
	}
	s.mu.Lock()
	public := s.publicHost
	s.mu.Unlock()
	if public != "" && strings.EqualFold(strings.Trim(public, "[]"), host) {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	return ip.Equal(bound.IP) || bound.IP.IsUnspecified()
}

// clip bounds a header value quoted in a message.
func clip(s string) string {
	if len(s) > maxEchoed {
		return headerSafe(s[:maxEchoed]) + "..."
	}
	return headerSafe(s)
}

// Signed requests. A pool bound beyond loopback, or started with
// Options.RequireSignature, serves the operations Cognito signs (every operation not
// in browserOperations) and the outbox only to requests signed with AWS Signature
// Version 4 by the access key of Options.AccessKeyID and Options.SecretAccessKey.
// The signature is verified for real: the request is signed again with the same
// key, time, scope and signed headers by aws-sdk-go-v2's v4 signer, and the two
// signatures are compared. The refusals are Cognito's:
//
//   - no Authorization header: MissingAuthenticationTokenException "Missing
//     Authentication Token", HTTP 403 (Common Errors of the AWS API reference:
//     MissingAuthenticationToken, 403; Cognito's text for an unsigned ListUsers
//     and AdminCreateUser in aws/aws-sdk-net-extensions-cognito#95 and
//     aws/aws-aspnet-cognito-identity-provider#66);
//   - an Authorization header that is not SigV4: IncompleteSignatureException, HTTP
//     400 (Common Errors: IncompleteSignature, "The request signature does not
//     conform to AWS standards.");
//   - an access key id the pool does not know: UnrecognizedClientException "The
//     security token included in the request is invalid.", HTTP 400 (Cognito's
//     answer to AdminInitiateAuth and ListUsers with an unknown key, captured in
//     aws/aws-sdk-php#2444 and ArranJacques/laravel-aws-cognito-auth#25);
//   - a signature that does not match: InvalidSignatureException "The request
//     signature we calculated does not match the signature you provided. Check your
//     AWS Secret Access Key and signing method. Consult the service documentation for
//     details.", HTTP 400 (captured in ArranJacques/laravel-aws-cognito-auth#18);
//   - an X-Amz-Date more than 15 minutes from the pool's clock: InvalidSignatureException
//     "Signature expired: …" (Common Errors: RequestExpired, 15 minutes).

// sigAlgorithm is the only signing algorithm accepted.
const sigAlgorithm = "AWS4-HMAC-SHA256"

// sigService is the signing name of Cognito user pools.
const sigService = "cognito-idp"

// maxSigSkew is how far X-Amz-Date may be from the pool's clock.
const maxSigSkew = 15 * time.Minute

// amzDateLayout is the layout of X-Amz-Date.
const amzDateLayout = "20060102T150405Z"

// msgInvalidSignature is Cognito's text for a signature that does not match.
const msgInvalidSignature = "The request signature we calculated does not match the signature you provided. " +
	"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

// signatureRequired reports whether the operations Cognito signs and the outbox need
// a SigV4 signature.
func (s *Server) signatureRequired() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requireSig
}

// signatureRefusal returns the refusal of a request that needs a signature and does
// not carry a valid one, with its HTTP status, or nil. body is the request's body;
// service is the signing name the credential scope must name ("" takes any, as the
// outbox is not an AWS service).
func (s *Server) signatureRefusal(r *http.Request, body []byte, service string) (int, *idp.Error) {
	if !s.signatureRequired() {
		return 0, nil
	}
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusForbidden, &idp.Error{Type: idp.TypeMissingAuthenticationToken, Message: "Missing Authentication Token"}
	}
	incomplete := func(why string) (int, *idp.Error) {
		return http.StatusBadRequest, &idp.Error{Type: idp.TypeIncompleteSignature, Message: "The request signature does not conform to AWS standards: " + why}
	}
	invalid := func(msg string) (int, *idp.Error) {
		return http.StatusBadRequest, &idp.Error{Type: idp.TypeInvalidSignature, Message: msg}
	}
	rest, ok := strings.CutPrefix(auth, sigAlgorithm+" ")
	if !ok {
		return incomplete("the Authorization header must start with " + sigAlgorithm + ".")
	}
	var credential, signedHeaders, signature string
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			credential = v
		case "SignedHeaders":
			signedHeaders = v
		case "Signature":
			signature = v
		}
	}
	if credential == "" || signedHeaders == "" || signature == "" {
		return incomplete("the Authorization header needs Credential, SignedHeaders and Signature.")
	}
	scope := strings.Split(credential, "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return incomplete("Credential must be ACCESS_KEY_ID/YYYYMMDD/REGION/SERVICE/aws4_request.")
	}
	if subtle.ConstantTimeCompare([]byte(scope[0]), []byte(s.opts.AccessKeyID)) != 1 {
		return http.StatusBadRequest, &idp.Error{Type: idp.TypeUnrecognizedClient, Message: "The security token included in the request is invalid."}
	}
	amzDate := r.Header.Get("X-Amz-Date")
	at, err := time.Parse(amzDateLayout, amzDate)
	if err != nil {
		return incomplete("the request needs an X-Amz-Date header (YYYYMMDDTHHMMSSZ).")
	}
	now := s.now().UTC()
	switch {
	case at.Before(now.Add(-maxSigSkew)):
		return invalid(fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - 15 min.)",
			amzDate, now.Add(-maxSigSkew).Format(amzDateLayout), now.Format(amzDateLayout)))
	case at.After(now.Add(maxSigSkew)):
		return invalid(fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + 15 min.)",
			amzDate, now.Add(maxSigSkew).Format(amzDateLayout), now.Format(amzDateLayout)))
	}
	if scope[1] != at.Format("20060102") {
		return invalid(fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			clip(scope[1]), at.Format("20060102"), amzDate))
	}
	if scope[2] != s.region() {
		return invalid("Credential should be scoped to a valid region.")
	}
	if service != "" && scope[3] != service {
		return invalid("Credential should be scoped to correct service: '" + service + "'.")
	}

	// Sign the same request again: the same method, path, query, Host and signed
	// headers, the body's hash, the same time and scope.
	again, err := http.NewRequestWithContext(r.Context(), r.Method, "http://placeholder/", nil)
	if err != nil {
		return invalid(msgInvalidSignature)
	}
	again.URL = &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	again.Host = r.Host
	sawHost := false
	for _, h := range strings.Split(signedHeaders, ";") {
		switch h {
		case "host":
			sawHost = true
		case "content-length":
			again.ContentLength = int64(len(body))
		default:
			vals := r.Header.Values(h)
			if len(vals) == 0 {
				return invalid(msgInvalidSignature)
			}
			again.Header[http.CanonicalHeaderKey(h)] = vals
		}
	}
	if !sawHost {
		return invalid(msgInvalidSignature)
	}
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: s.opts.AccessKeyID, SecretAccessKey: s.opts.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, again, hex.EncodeToString(sum[:]), scope[3], scope[2], at); err != nil {
		return invalid(msgInvalidSignature)
	}
	_, want, _ := strings.Cut(again.Header.Get("Authorization"), "Signature=")
	if !strings.Contains(again.Header.Get("Authorization"), "SignedHeaders="+signedHeaders+",") ||
		!hmac.Equal([]byte(want), []byte(signature)) {
		return invalid(msgInvalidSignature)
	}
	return 0, nil
}

// now is the pool's clock.
func (s *Server) now() time.Time {
	if s.opts.Now != nil {
		return s.opts.Now()
	}
	return time.Now()
}

// region is the pool's region, the one a credential scope must name.
func (s *Server) region() string {
	if s.opts.Region != "" {
		return s.opts.Region
	}
	return "us-east-1"
}
