package idp

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/authbench/authbench/srp"
)

// Challenges: RespondToAuthChallenge and AdminRespondToAuthChallenge. One function
// per challenge name.

// RespondToAuthChallengeInput is the input of RespondToAuthChallenge.
type RespondToAuthChallengeInput struct {
	ChallengeName      string            `json:"ChallengeName" validate:"required"`
	ClientId           string            `json:"ClientId" validate:"required"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
	AnalyticsMetadata  json.RawMessage   `json:"AnalyticsMetadata"`
	UserContextData    json.RawMessage   `json:"UserContextData"`
	Session            string            `json:"Session"`
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
	UserPoolId         string            `json:"UserPoolId" validate:"required"`
	ChallengeName      string            `json:"ChallengeName" validate:"required"`
	ClientId           string            `json:"ClientId" validate:"required"`
	ChallengeResponses map[string]string `json:"ChallengeResponses"`
	ClientMetadata     map[string]string `json:"ClientMetadata"`
	AnalyticsMetadata  json.RawMessage   `json:"AnalyticsMetadata"`
	ContextData        json.RawMessage   `json:"ContextData"`
	Session            string            `json:"Session"`
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
	if e := checkEnum("challengeName", in.ChallengeName, challengeNames); e != nil {
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
	if e := checkEnum("challengeName", in.ChallengeName, challengeNames); e != nil {
		return nil, e
	}
	p, c, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	return s.respond(ctx, challengeRequest{name: in.ChallengeName, responses: in.ChallengeResponses, session: in.Session, admin: true, pool: p, client: c})
}

func (s *Service) respond(_ context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	if r.responses == nil {
		r.responses = map[string]string{}
	}
	if _, e := requireParam(r.responses, "USERNAME"); e != nil {
		return nil, e
	}
	switch r.name {
	case "PASSWORD_VERIFIER":
		return s.passwordVerifier(r)
	case "NEW_PASSWORD_REQUIRED":
		return s.newPasswordRequired(r)
	case "SMS_MFA", "SOFTWARE_TOKEN_MFA", "SELECT_MFA_TYPE", "MFA_SETUP":
		return s.respondMFA(r)
	case "EMAIL_OTP", "SMS_OTP":
		// EMAIL_OTP is both an MFA factor and a USER_AUTH first factor; SMS_OTP is a
		// first factor only. The session says which.
		if r.name == "EMAIL_OTP" && !s.isFirstFactorSession(r) {
			return s.respondMFA(r)
		}
		return s.respondUserAuth(r)
	case "SELECT_CHALLENGE", "PASSWORD", "PASSWORD_SRP":
		return s.respondUserAuth(r)
	case "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER":
		return s.respondDevice(r)
	case "CUSTOM_CHALLENGE":
		return s.respondCustom(r)
	}
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
}

// fromInitiate converts a sign-in start's answer into a challenge answer.
func fromInitiate(o *InitiateAuthOutput) *RespondToAuthChallengeOutput {
	return &RespondToAuthChallengeOutput{AuthenticationResult: o.AuthenticationResult, ChallengeName: o.ChallengeName, ChallengeParameters: o.ChallengeParameters, Session: o.Session}
}

// passwordVerifier checks the SRP proof of a PASSWORD_VERIFIER answer: the session
// (from Session, or from the secret block when a client sends none), the USERNAME,
// the timestamp's skew, A ≢ 0 and the signature.
func (s *Service) passwordVerifier(r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	block, e := requireParam(r.responses, "PASSWORD_CLAIM_SECRET_BLOCK")
	if e != nil {
		return nil, e
	}
	sig, e := requireParam(r.responses, "PASSWORD_CLAIM_SIGNATURE")
	if e != nil {
		return nil, e
	}
	ts, e := requireParam(r.responses, "TIMESTAMP")
	if e != nil {
		return nil, e
	}
	sid := r.session
	if sid == "" {
		sid = sessionFromSecretBlock(block)
	}
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, sid, "PASSWORD_VERIFIER", r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	u, username := ss.user, ss.username
	p.mu.Unlock()
	name := r.responses["USERNAME"]
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], name, username, ss.typedName); e != nil {
		return nil, e
	}
	if name != username && name != ss.typedName {
		return nil, errNotAuthorized(msgIncorrect)
	}
	if block != ss.secretBlock {
		return nil, errNotAuthorized(msgIncorrect)
	}
	t, err := srp.ParseTimestamp(ts)
	if err != nil {
		return nil, errInvalidParameter("TIMESTAMP format is not valid.")
	}
	if d := s.now().Sub(t); d > s.opts.SRPSkew || d < -s.opts.SRPSkew {
		return nil, errNotAuthorized(msgIncorrect)
	}
	verr := ss.srp.Verify(srp.Proof{Realm: p.realm, UserID: username, A: ss.srpA, SecretBlock: block, Timestamp: ts, Signature: sig})
	if errors.Is(verr, srp.ErrInvalidA) {
		return nil, errNotAuthorized(msgIncorrect)
	}
	var fe *srp.FormatError
	if errors.As(verr, &fe) {
		if fe.Field == "SRP_A" {
			return nil, errNotAuthorized(msgIncorrect)
		}
		return nil, errInvalidParameter("%s is not valid.", strings.ReplaceAll(fe.Field, "PASSWORD_CLAIM_", "PASSWORD_CLAIM_"))
	}
	if u == nil {
		return nil, errNotAuthorized(msgIncorrect) // the simulated challenge of an unknown user
	}
	ar := authRequest{flow: ss.flow, admin: ss.admin, pool: p, client: r.client, deviceKey: ss.pr.deviceKey, meta: ss.pr.meta}
	if k := r.responses["DEVICE_KEY"]; k != "" {
		ar.deviceKey = k // JS presents the device here rather than in InitiateAuth
	}
	out, err := s.afterFirstFactor(ar, u, ss.typedName, verr == nil)
	if err != nil {
		if isStaleDevice(err) {
			// identity-js drops the device and answers again on the same session.
			p.mu.Lock()
			ss.used = false
			p.mu.Unlock()
		}
		return nil, err
	}
	return fromInitiate(out), nil
}

// newPasswordRequired sets the new password (and required attributes) of a user
// created with a temporary password.
func (s *Service) newPasswordRequired(r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	pw, e := requireParam(r.responses, "NEW_PASSWORD")
	if e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, "NEW_PASSWORD_REQUIRED", r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	u := ss.user
	// A failed answer may be retried with the same session.
	retry := func(e *Error) (*RespondToAuthChallengeOutput, error) {
		ss.used = false
		p.mu.Unlock()
		return nil, e
	}
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], r.responses["USERNAME"], u.Username, ss.typedName); e != nil {
		return retry(e)
	}
	if e := p.checkPassword(pw); e != nil {
		return retry(e)
	}
	attrs := map[string]string{}
	for k, v := range r.responses {
		if name, ok := strings.CutPrefix(k, "userAttributes."); ok {
			attrs[name] = v
		}
	}
	for _, a := range p.cfg.SchemaAttributes {
		n := deref(a.Name)
		if deref(a.Required) && n != "sub" && u.Attrs[n] == "" && attrs[n] == "" {
			return retry(errInvalidParameter("Invalid attributes given, %s is missing", n))
		}
	}
	if e := p.checkAttributes(attrs, false); e != nil {
		return retry(e)
	}
	p.mu.Unlock()
	cred := s.newCredential(p.realm, u.Username, pw)
	p.mu.Lock()
	p.applyAttributes(u, attrs)
	u.Verifier, u.PasswordHash = cred.verifier, cred.hash
	u.Status = StatusConfirmed
	u.TempPasswordExpires = time.Time{}
	u.Modified = s.now()
	pr := ss.pr
	if pr.authTime.IsZero() {
		pr = progress{flow: ss.flow, admin: ss.admin, typedName: ss.typedName, authTime: ss.authTime}
	}
	p.mu.Unlock()
	out, err := s.proceed(r.authRequest(ss), u, pr, stageCustom)
	if err != nil {
		return nil, err
	}
	return fromInitiate(out), nil
}
