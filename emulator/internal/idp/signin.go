package idp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"

	"github.com/authbench/authbench/srp"
)

// Sign-in: InitiateAuth and AdminInitiateAuth.

// InitiateAuthInput is the input of InitiateAuth.
type InitiateAuthInput struct {
	AuthFlow          string            `json:"AuthFlow" validate:"required"`
	ClientId          string            `json:"ClientId" validate:"required"`
	AuthParameters    map[string]string `json:"AuthParameters"`
	ClientMetadata    map[string]string `json:"ClientMetadata"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata"`
	UserContextData   json.RawMessage   `json:"UserContextData"`
	Session           string            `json:"Session"`
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
	UserPoolId        string            `json:"UserPoolId" validate:"required"`
	AuthFlow          string            `json:"AuthFlow" validate:"required"`
	ClientId          string            `json:"ClientId" validate:"required"`
	AuthParameters    map[string]string `json:"AuthParameters"`
	ClientMetadata    map[string]string `json:"ClientMetadata"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata"`
	ContextData       json.RawMessage   `json:"ContextData"`
	Session           string            `json:"Session"`
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
	if e := checkEnum("authFlow", in.AuthFlow, authFlows); e != nil {
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
	if e := checkEnum("authFlow", in.AuthFlow, authFlows); e != nil {
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
		return s.passwordAuth(r)
	case "REFRESH_TOKEN_AUTH", "REFRESH_TOKEN":
		return s.refreshAuth(r)
	case "CUSTOM_AUTH":
		return s.customAuth(r)
	case "USER_AUTH":
		return s.userAuth(r)
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

// failedPassword counts a wrong password and returns the error to give. The caller
// holds p.mu.
func (s *Service) failedPassword(u *User) *Error {
	u.FailedAttempts++
	lp := s.opts.Lockout
	if over := u.FailedAttempts - lp.Attempts; over >= 0 {
		d := lp.Base << min(over, 30)
		if d <= 0 || d > lp.Max {
			d = lp.Max
		}
		u.LockedUntil = s.now().Add(d)
		return errNotAuthorized(msgAttemptsExceeded)
	}
	return errNotAuthorized(msgIncorrect)
}

// startSRP answers USER_SRP_AUTH with a PASSWORD_VERIFIER challenge.
func (s *Service) startSRP(r authRequest) (*InitiateAuthOutput, error) {
	name, e := requireParam(r.params, "USERNAME")
	if e != nil {
		return nil, e
	}
	a, e := requireParam(r.params, "SRP_A")
	if e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	u := p.lookup(name)
	var ver srp.Verifier
	var canonical string
	if u != nil {
		canonical = u.Username
		ver = u.Verifier
	}
	p.mu.Unlock()
	if e := checkSecretHash(r.client, r.params["SECRET_HASH"], name, canonical); e != nil {
		return nil, e
	}
	if u == nil {
		if !r.client.preventUserExistenceErrors() {
			return nil, errUserNotFound()
		}
		return s.fakeSRP(r, name, a)
	}
	p.mu.Lock()
	if !u.Enabled {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgDisabled)
	}
	p.mu.Unlock()
	if ver.V == nil {
		// No password to prove: a challenge that can only fail (the state error is
		// returned once the proof arrives).
		ver = s.fakeVerifier(p, name)
	}
	server, err := srp.NewServer(s.random(), ver)
	if err != nil {
		return nil, &Error{Type: TypeInternalError, Message: "srp failure", Fault: true}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := s.newSession(p, r.client, u, "PASSWORD_VERIFIER")
	ss.admin, ss.flow, ss.typedName = r.admin, r.flow, name
	ss.pr.deviceKey, ss.pr.meta = r.deviceKey, r.meta // a DEVICE_KEY given here (Flutter) counts too
	ss.srp, ss.srpA = server, a
	ss.secretBlock = s.secretBlock(ss.id)
	return &InitiateAuthOutput{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT":            ver.SaltHex(),
			"SECRET_BLOCK":    ss.secretBlock,
			"SRP_B":           server.SRPB(),
			"USERNAME":        u.Username,
			"USER_ID_FOR_SRP": u.Username,
		},
		Session: ptr(ss.id),
	}, nil
}

// secretBlock makes the SECRET_BLOCK of a session: the session's random bytes followed
// by more random bytes, so the block alone identifies its session.
func (s *Service) secretBlock(sessionID string) string {
	raw, _ := base64.RawURLEncoding.DecodeString(sessionID)
	return base64.StdEncoding.EncodeToString(append(raw, s.randBytes(32)...))
}

// fakeVerifier derives a stable salt and a verifier nobody knows the password of, for
// a name (spec §5.3: the same name always gets the same salt).
func (s *Service) fakeVerifier(p *Pool, name string) srp.Verifier {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("salt\x00" + p.norm(name)))
	salt := m.Sum(nil)[:srp.SaltBytes]
	m.Reset()
	m.Write([]byte("password\x00" + p.norm(name)))
	return srp.MakeVerifier(salt, p.realm, name, hex.EncodeToString(m.Sum(nil)))
}

// fakeUserID is the stable UUID-shaped USER_ID_FOR_SRP of an unknown name.
func fakeUserID(p *Pool, name string) string {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("id\x00" + p.norm(name)))
	b := m.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// fakeSRP is the simulated PASSWORD_VERIFIER challenge for an unknown user when
// PreventUserExistenceErrors is ENABLED: a deterministic salt and user id, a real
// SRP_B, and a proof step that always fails with NotAuthorizedException.
func (s *Service) fakeSRP(r authRequest, name, a string) (*InitiateAuthOutput, error) {
	p := r.pool
	ver := s.fakeVerifier(p, name)
	server, err := srp.NewServer(s.random(), ver)
	if err != nil {
		return nil, &Error{Type: TypeInternalError, Message: "srp failure", Fault: true}
	}
	id := fakeUserID(p, name)
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := s.newSession(p, r.client, nil, "PASSWORD_VERIFIER")
	ss.admin, ss.flow, ss.typedName, ss.username = r.admin, r.flow, name, id
	ss.srp, ss.srpA = server, a
	ss.secretBlock = s.secretBlock(ss.id)
	return &InitiateAuthOutput{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT":            ver.SaltHex(),
			"SECRET_BLOCK":    ss.secretBlock,
			"SRP_B":           server.SRPB(),
			"USERNAME":        id,
			"USER_ID_FOR_SRP": id,
		},
		Session: ptr(ss.id),
	}, nil
}

// passwordAuth runs USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (s *Service) passwordAuth(r authRequest) (*InitiateAuthOutput, error) {
	name, e := requireParam(r.params, "USERNAME")
	if e != nil {
		return nil, e
	}
	pw, e := requireParam(r.params, "PASSWORD")
	if e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	u := p.lookup(name)
	var canonical string
	var cred credential
	if u != nil {
		canonical, cred = u.Username, credentialOf(u)
	}
	p.mu.Unlock()
	if e := checkSecretHash(r.client, r.params["SECRET_HASH"], name, canonical); e != nil {
		return nil, e
	}
	if u == nil {
		return nil, unknownUser(r.client)
	}
	ok := cred.matches(p.realm, canonical, pw)
	return s.afterFirstFactor(r, u, name, ok)
}

// afterFirstFactor applies a password check's outcome (ok) and the user's state: a
// lockout, the state errors, NEW_PASSWORD_REQUIRED, or tokens.
func (s *Service) afterFirstFactor(r authRequest, u *User, typedName string, ok bool) (*InitiateAuthOutput, error) {
	if e := s.preAuthentication(r, u); e != nil {
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
		p.mu.Unlock()
		return nil, e
	}
	u.FailedAttempts = 0
	p.mu.Unlock()
	return s.proceed(r, u, progress{flow: r.flow, admin: r.admin, typedName: typedName, authTime: s.now(), deviceKey: r.deviceKey, meta: r.meta}, stageNewPassword)
}

// newPasswordParams are NEW_PASSWORD_REQUIRED's parameters: the required attributes
// the user lacks and the user's current attributes, both as JSON strings. The caller
// holds p.mu.
func newPasswordParams(p *Pool, u *User) map[string]string {
	required := []string{}
	for _, a := range p.cfg.SchemaAttributes {
		n := deref(a.Name)
		if deref(a.Required) && n != "sub" && u.Attrs[n] == "" {
			required = append(required, "userAttributes."+n)
		}
	}
	sort.Strings(required)
	current := map[string]string{}
	for k, v := range u.Attrs {
		current[k] = v
	}
	rj, _ := json.Marshal(required)
	cj, _ := json.Marshal(current)
	return map[string]string{
		"USER_ID_FOR_SRP":    u.Username,
		"requiredAttributes": string(rj),
		"userAttributes":     string(cj),
	}
}

// refreshAuth runs REFRESH_TOKEN_AUTH: new id and access tokens for a live refresh
// token of the same client.
func (s *Service) refreshAuth(r authRequest) (*InitiateAuthOutput, error) {
	tok, e := requireParam(r.params, "REFRESH_TOKEN")
	if e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	rt := p.refresh[tok]
	if rt == nil || rt.clientID != r.client.id() {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgRefreshInvalid)
	}
	if s.now().After(rt.expires) {
		delete(p.refresh, tok)
		p.mu.Unlock()
		return nil, errNotAuthorized(msgRefreshExpired)
	}
	u := rt.user
	if p.subs[u.Sub] != u {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgRefreshInvalid)
	}
	username, sub, enabled := u.Username, u.Sub, u.Enabled
	p.mu.Unlock()
	if !r.secretChecked {
		if e := checkSecretHash(r.client, r.params["SECRET_HASH"], r.params["USERNAME"], username, sub); e != nil {
			return nil, e
		}
	}
	if !enabled {
		return nil, errNotAuthorized(msgDisabled)
	}
	res, err := s.issue(grant{pool: p, client: r.client, user: u, authTime: rt.authTime, family: rt.family})
	if err != nil {
		return nil, err
	}
	return &InitiateAuthOutput{AuthenticationResult: res, ChallengeParameters: map[string]string{}}, nil
}

var _ = time.Second
