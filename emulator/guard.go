package emulator

import (
	"net"
	"net/http"
	"strconv"
	"strings"

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
