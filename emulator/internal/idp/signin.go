package idp

import (
	"context"
	"time"

	"crypto/hmac"
	"encoding/json"
	"github.com/authbench/authbench/srp"
)

// Sign-in entry points: InitiateAuth and AdminInitiateAuth dispatch by AuthFlow,
// RespondToAuthChallenge and AdminRespondToAuthChallenge dispatch by ChallengeName,
// and what every flow shares: the first-factor prologue (USERNAME, user lookup,
// SECRET_HASH), the unknown-user and state errors, and the failed-password lockout.
// Each flow and challenge is answered in its own signin_*.go file (see doc.go).

// InitiateAuthInput is the input of InitiateAuth.
type InitiateAuthInput struct {
	AuthFlow          string            `json:"AuthFlow" validate:"required,len=:64"`
	ClientId          string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	AuthParameters    map[string]string `json:"AuthParameters" validate:"params=auth"`
	ClientMetadata    map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData   json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
	Session           string            `json:"Session" validate:"len=20:2048,sensitive"`
}

// InitiateAuthOutput is the output of InitiateAuth and AdminInitiateAuth.
type InitiateAuthOutput struct {
	AuthenticationResult *AuthenticationResultType `json:"AuthenticationResult,omitempty"`
	AvailableChallenges  []string                  `json:"AvailableChallenges,omitempty"`
	ChallengeName        string                    `json:"ChallengeName,omitempty"`
	ChallengeParameters  map[string]string         `json:"ChallengeParameters"`
	Session              *string                   `json:"Session,omitempty"`
}

// AdminInitiateAuthInput is the input of AdminInitiateAuth.
type AdminInitiateAuthInput struct {
	UserPoolId        string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	AuthFlow          string            `json:"AuthFlow" validate:"required,len=:64"`
	ClientId          string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	AuthParameters    map[string]string `json:"AuthParameters" validate:"params=auth"`
	ClientMetadata    map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	ContextData       json.RawMessage   `json:"ContextData" validate:"len=:32768"`
	Session           string            `json:"Session" validate:"len=20:2048,sensitive"`
}

var authFlows = []string{"USER_SRP_AUTH", "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN", "CUSTOM_AUTH", "ADMIN_NO_SRP_AUTH", "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "USER_AUTH"}

// authRequest is a sign-in start from either API.
type authRequest struct {
	flow    string
	params  map[string]string
	admin   bool
	pool    *Pool
	client  *AppClient
	session string
	// secretChecked is set when the caller has already checked the client's secret
	// (GetTokensFromRefreshToken takes ClientSecret instead of a SECRET_HASH).
	secretChecked bool
	// deviceKey is the DEVICE_KEY the client presented.
	deviceKey string
	// meta is the request's ClientMetadata, for triggers.
	meta map[string]string
}

// InitiateAuth starts a sign-in.
func (s *Service) InitiateAuth(ctx context.Context, in *InitiateAuthInput) (*InitiateAuthOutput, error) {
	if e := checkEnumValue("authFlow", in.AuthFlow, authFlows); e != nil {
		return nil, e
	}
	if in.AuthFlow == "ADMIN_NO_SRP_AUTH" || in.AuthFlow == "ADMIN_USER_PASSWORD_AUTH" {
		return nil, errInvalidParameter("Initiate Auth method not supported.")
	}
	p, c, err := s.poolForClient(in.ClientId)
	if err != nil {
		return nil, err
	}
	return s.initiate(ctx, authRequest{flow: in.AuthFlow, params: in.AuthParameters, pool: p, client: c, session: in.Session, deviceKey: in.AuthParameters["DEVICE_KEY"], meta: in.ClientMetadata})
}

// AdminInitiateAuth starts a sign-in with admin credentials.
func (s *Service) AdminInitiateAuth(ctx context.Context, in *AdminInitiateAuthInput) (*InitiateAuthOutput, error) {
	if e := checkEnumValue("authFlow", in.AuthFlow, authFlows); e != nil {
		return nil, e
	}
	p, c, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	if in.AuthFlow == "USER_PASSWORD_AUTH" {
		return nil, errInvalidParameter("Initiate Auth method not supported.")
	}
	return s.initiate(ctx, authRequest{flow: in.AuthFlow, params: in.AuthParameters, admin: true, pool: p, client: c, session: in.Session, deviceKey: in.AuthParameters["DEVICE_KEY"], meta: in.ClientMetadata})
}

func (s *Service) initiate(ctx context.Context, r authRequest) (*InitiateAuthOutput, error) {
	flowAllowed := map[string]string{
		"USER_SRP_AUTH":            "ALLOW_USER_SRP_AUTH",
		"USER_PASSWORD_AUTH":       "ALLOW_USER_PASSWORD_AUTH",
		"ADMIN_USER_PASSWORD_AUTH": "ALLOW_ADMIN_USER_PASSWORD_AUTH",
		"ADMIN_NO_SRP_AUTH":        "ALLOW_ADMIN_USER_PASSWORD_AUTH",
		"REFRESH_TOKEN_AUTH":       "ALLOW_REFRESH_TOKEN_AUTH",
		"REFRESH_TOKEN":            "ALLOW_REFRESH_TOKEN_AUTH",
		"CUSTOM_AUTH":              "ALLOW_CUSTOM_AUTH",
		"USER_AUTH":                "ALLOW_USER_AUTH",
	}
	if !r.client.allows(flowAllowed[r.flow]) {
		if r.flow == "USER_PASSWORD_AUTH" {
			return nil, errInvalidParameter("USER_PASSWORD_AUTH flow not enabled for this client")
		}
		return nil, errInvalidParameter("Auth flow not enabled for this client")
	}
	switch r.flow {
	case "USER_SRP_AUTH":
		return s.startSRP(r)
	case "USER_PASSWORD_AUTH", "ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH":
		return s.passwordAuth(ctx, r)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return s.refreshAuth(ctx, r)
	case "CUSTOM_AUTH":
		return s.customAuth(ctx, r)
	case "USER_AUTH":
		return s.userAuth(ctx, r)
	}
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.flow)
}

// requireParam returns params[name] or Cognito's missing-parameter error.
func requireParam(params map[string]string, name string) (string, *Error) {
	v := params[name]
	if v == "" {
		return "", errInvalidParameter("Missing required parameter %s", name)
	}
	return v, nil
}

// checkSecretHash enforces SECRET_HASH for a client with a secret. The hash may be
// over any of the names given (what the user typed, the canonical username, the sub).
func checkSecretHash(c *AppClient, got string, names ...string) *Error {
	if c.secret() == "" {
		return nil
	}
	if got == "" {
		return errNotAuthorized("Client " + c.id() + " is configured with secret but SECRET_HASH was not received")
	}
	ac := srp.AppClient{ID: c.id(), Secret: c.secret()}
	for _, n := range names {
		if n != "" && hmac.Equal([]byte(ac.SecretHash(n)), []byte(got)) {
			return nil
		}
	}
	return errNotAuthorized("Unable to verify secret hash for client " + c.id())
}

// named is whom a sign-in start names: the USERNAME as sent and, when a user answers
// to it (by username or alias), that user with its canonical username and credential
// as they were at the lookup.
type named struct {
	typed     string
	user      *User // nil when no user answers to the name
	canonical string
	cred      credential
}

// firstFactorUser is the prologue every first factor shares (USER_SRP_AUTH,
// USER_PASSWORD_AUTH and its admin forms, CUSTOM_AUTH, USER_AUTH): USERNAME and then
// each parameter of required must be present, the user is looked up, and a client
// with a secret must send a SECRET_HASH over the typed name or the canonical
// username. What an unknown or disabled user gets is each flow's own.
func (s *Service) firstFactorUser(r authRequest, required ...string) (named, *Error) {
	name, e := requireParam(r.params, "USERNAME")
	if e != nil {
		return named{}, e
	}
	for _, k := range required {
		if _, e := requireParam(r.params, k); e != nil {
			return named{}, e
		}
	}
	n := named{typed: name}
	p := r.pool
	p.mu.Lock()
	if u := p.lookup(name); u != nil {
		n.user, n.canonical, n.cred = u, u.Username, credentialOf(u)
	}
	p.mu.Unlock()
	if e := checkSecretHash(r.client, r.params["SECRET_HASH"], name, n.canonical); e != nil {
		return named{}, e
	}
	return n, nil
}

// unknownUser is the error for a user that does not exist, as the client's
// PreventUserExistenceErrors setting words it.
func unknownUser(c *AppClient) *Error {
	if c.preventUserExistenceErrors() {
		return errNotAuthorized(msgIncorrect)
	}
	return errUserNotFound()
}

// statusError is the error a user's state gives once the password is known right (or
// at all, for UNCONFIRMED and RESET_REQUIRED).
func statusError(u *User) *Error {
	switch u.Status {
	case StatusUnconfirmed:
		return &Error{Type: TypeUserNotConfirmed, Message: msgNotConfirmed}
	case StatusResetRequired:
		return &Error{Type: TypePasswordResetRequired, Message: msgResetRequired}
	}
	return nil
}

// lockedOut reports whether u is locked out now. The caller holds p.mu.
func (s *Service) lockedOut(u *User) bool { return s.now().Before(u.LockedUntil) }

// lockoutIdleReset is how long without a failed attempt resets the count.
const lockoutIdleReset = 15 * time.Minute

// countFailure counts a wrong password or MFA code outside a lockout and starts or
// lengthens the lockout from the fifth on. Evidence (developer guide,
// "Authentication", lockout behavior for failed sign-in attempts): "After five
// failed … sign-in attempts with a password, Amazon Cognito locks out your user for
// one second. The lockout duration then doubles after each additional one failed
// attempt, up to a maximum of approximately 15 minutes. Attempts made during a
// lockout period generate a Password attempts exceeded exception, and don't affect
// the duration of subsequent lockout periods. … locks out your user for 2^(n-5)
// seconds. To reset the lockout to its n=0 initial state, your user must either sign
// in successfully after a lockout period expires, or not initiate any sign-in
// attempts for 15 consecutive minutes at any time after a lockout." The MFA page
// ("Adding MFA"): "After five unsuccessful attempts to present an MFA code, Amazon
// Cognito begins the exponential-timeout lockout process". The attempt that starts
// or lengthens a lockout still answers as a wrong password or code does (issue #11;
// amazon-cognito-identity-js#506). The caller holds p.mu.
func (s *Service) countFailure(u *User) {
	now := s.now()
	if !u.LastFailure.IsZero() && now.Sub(u.LastFailure) >= lockoutIdleReset {
		u.FailedAttempts = 0
	}
	u.FailedAttempts++
	u.LastFailure = now
	lp := s.opts.Lockout
	if over := u.FailedAttempts - lp.Attempts; over >= 0 {
		d := lp.Base << min(over, 30)
		if d <= 0 || d > lp.Max {
			d = lp.Max
		}
		u.LockedUntil = now.Add(d)
	}
}

// failedPassword counts a wrong password and returns the error to give. The caller
// holds p.mu.
func (s *Service) failedPassword(u *User) *Error {
	s.countFailure(u)
	return errNotAuthorized(msgIncorrect)
}

// afterFirstFactor applies a password check's outcome (ok) and the user's state: a
// lockout, the state errors, NEW_PASSWORD_REQUIRED, or tokens.
func (s *Service) afterFirstFactor(ctx context.Context, r authRequest, u *User, typedName string, ok bool) (*InitiateAuthOutput, error) {
	if e := s.preAuthentication(ctx, r, u); e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	if !u.Enabled {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgDisabled)
	}
	if e := statusError(u); e != nil {
		p.mu.Unlock()
		return nil, e
	}
	if s.lockedOut(u) {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgAttemptsExceeded)
	}
	if !ok {
		e := s.failedPassword(u)
		s.recordAuthEvent(p, u, "Fail", "Password", false)
		p.mu.Unlock()
		return nil, e
	}
	u.FailedAttempts = 0
	p.mu.Unlock()
	return s.proceed(ctx, r, u, progress{flow: r.flow, admin: r.admin, typedName: typedName, authTime: s.now(), deviceKey: r.deviceKey, meta: r.meta}, stageNewPassword)
}

// RespondToAuthChallengeInput is the input of RespondToAuthChallenge.
type RespondToAuthChallengeInput struct {
	ChallengeName      string            `json:"ChallengeName" validate:"required,len=:64"`
	ClientId           string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	ChallengeResponses map[string]string `json:"ChallengeResponses" validate:"params=challenge"`
	ClientMetadata     map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata  json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData    json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
	Session            string            `json:"Session" validate:"len=20:2048,sensitive"`
}

// RespondToAuthChallengeOutput is the output of both challenge APIs.
type RespondToAuthChallengeOutput struct {
	AuthenticationResult *AuthenticationResultType `json:"AuthenticationResult,omitempty"`
	ChallengeName        string                    `json:"ChallengeName,omitempty"`
	ChallengeParameters  map[string]string         `json:"ChallengeParameters"`
	Session              *string                   `json:"Session,omitempty"`
}

// AdminRespondToAuthChallengeInput is the input of AdminRespondToAuthChallenge.
type AdminRespondToAuthChallengeInput struct {
	UserPoolId         string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ChallengeName      string            `json:"ChallengeName" validate:"required,len=:64"`
	ClientId           string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	ChallengeResponses map[string]string `json:"ChallengeResponses" validate:"params=challenge"`
	ClientMetadata     map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata  json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	ContextData        json.RawMessage   `json:"ContextData" validate:"len=:32768"`
	Session            string            `json:"Session" validate:"len=20:2048,sensitive"`
}

var challengeNames = []string{"SMS_MFA", "EMAIL_OTP", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP", "PASSWORD_VERIFIER", "CUSTOM_CHALLENGE", "SELECT_CHALLENGE", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER", "ADMIN_NO_SRP_AUTH", "NEW_PASSWORD_REQUIRED", "SMS_OTP", "PASSWORD", "WEB_AUTHN", "PASSWORD_SRP"}

// challengeRequest is an answer from either API.
type challengeRequest struct {
	name      string
	responses map[string]string
	session   string
	admin     bool
	pool      *Pool
	client    *AppClient
}

// RespondToAuthChallenge answers a challenge.
func (s *Service) RespondToAuthChallenge(ctx context.Context, in *RespondToAuthChallengeInput) (*RespondToAuthChallengeOutput, error) {
	if e := checkEnumValue("challengeName", in.ChallengeName, challengeNames); e != nil {
		return nil, e
	}
	p, c, err := s.poolForClient(in.ClientId)
	if err != nil {
		return nil, err
	}
	return s.respond(ctx, challengeRequest{name: in.ChallengeName, responses: in.ChallengeResponses, session: in.Session, pool: p, client: c})
}

// AdminRespondToAuthChallenge answers a challenge of an admin sign-in.
func (s *Service) AdminRespondToAuthChallenge(ctx context.Context, in *AdminRespondToAuthChallengeInput) (*RespondToAuthChallengeOutput, error) {
	if e := checkEnumValue("challengeName", in.ChallengeName, challengeNames); e != nil {
		return nil, e
	}
	p, c, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	return s.respond(ctx, challengeRequest{name: in.ChallengeName, responses: in.ChallengeResponses, session: in.Session, admin: true, pool: p, client: c})
}

func (s *Service) respond(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	if r.responses == nil {
		r.responses = map[string]string{}
	}
	if _, e := requireParam(r.responses, "USERNAME"); e != nil {
		return nil, e
	}
	switch r.name {
	case "PASSWORD_VERIFIER":
		return s.passwordVerifier(ctx, r)
	case "NEW_PASSWORD_REQUIRED":
		return s.newPasswordRequired(ctx, r)
	case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP":
		return s.respondMFA(ctx, r)
	case "EMAIL_OTP", "SMS_OTP":
		// EMAIL_OTP is both an MFA factor and a USER_AUTH first factor; SMS_OTP is a
		// first factor only. The session says which.
		if r.name == "EMAIL_OTP" && !s.isFirstFactorSession(r) {
			return s.respondMFA(ctx, r)
		}
		return s.respondUserAuth(ctx, r)
	case "SELECT_CHALLENGE", "PASSWORD", "PASSWORD_SRP":
		return s.respondUserAuth(ctx, r)
	case "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER":
		return s.respondDevice(ctx, r)
	case "CUSTOM_CHALLENGE":
		return s.respondCustom(ctx, r)
	}
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
}

// fromInitiate converts a sign-in start's answer into a challenge answer.
func fromInitiate(o *InitiateAuthOutput) *RespondToAuthChallengeOutput {
	return &RespondToAuthChallengeOutput{AuthenticationResult: o.AuthenticationResult, ChallengeName: o.ChallengeName, ChallengeParameters: o.ChallengeParameters, Session: o.Session}
}
