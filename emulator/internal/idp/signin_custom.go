package idp

// Custom authentication (CUSTOM_AUTH): the Define / Create / Verify auth-challenge
// triggers, run declaratively (signin_custom_declarative.go) or through Lambda
// (trigger.go).
//
// Without SRP, InitiateAuth asks Define with an empty session history. With SRP
// (AuthParameters CHALLENGE_NAME=SRP_A and SRP_A) the history starts with
// {SRP_A, true}: Define normally answers PASSWORD_VERIFIER, which the emulator runs
// as USER_SRP_AUTH does; once the proof is right the pipeline reaches customNext,
// which asks Define again with {SRP_A}, {PASSWORD_VERIFIER, true}. Each
// CUSTOM_CHALLENGE answer goes to Verify, its result is appended to the history and
// Define decides: another challenge (on a new session), tokens (the rest of the
// pipeline: devices, MFA, tokens) or failure (NotAuthorizedException "Incorrect
// username or password.").
//
// An unknown user gets the same treatment with userNotFound = true when the client
// has PreventUserExistenceErrors ENABLED (UserNotFoundException otherwise); such a
// flow can only end in NotAuthorizedException.

import (
	"context"
	"encoding/json"
)

// challengeResult is one entry of the session history triggers see.
type challengeResult struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata,omitempty"`
}

// defineResult is DefineAuthChallenge's response.
type defineResult struct {
	ChallengeName      string `json:"challengeName"`
	IssueTokens        bool   `json:"issueTokens"`
	FailAuthentication bool   `json:"failAuthentication"`
}

// createResult is CreateAuthChallenge's response.
type createResult struct {
	PublicChallengeParameters  map[string]string `json:"publicChallengeParameters"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters"`
	ChallengeMetadata          string            `json:"challengeMetadata"`
}

// customFlow is a custom sign-in in progress: who, how, and what the triggers have
// seen so far. A CUSTOM_CHALLENGE session holds it as its state.
type customFlow struct {
	r            authRequest
	user         *User // nil for an unknown user
	name         string
	userNotFound bool
	pr           progress
	hist         []challengeResult
	// The challenge outstanding.
	private  map[string]string
	metadata string
	round    int // the declarative round, or -1
	// lambdas and decl are the pool's trigger settings when the flow began.
	lambdas *lambdaConfig
	decl    *CustomAuthConfig
}

// customTriggers returns the pool's custom-auth settings, or Cognito's error when
// neither a Define Lambda nor a declarative configuration exists.
func customTriggers(p *Pool) (*lambdaConfig, *CustomAuthConfig, *Error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	lc, decl := p.lambdas(), p.ext.CustomAuth
	if lc.arn(trigDefine) == "" && decl == nil {
		return nil, nil, errInvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
	}
	return lc, decl, nil
}

// customAuth starts a CUSTOM_AUTH sign-in.
func (s *Service) customAuth(ctx context.Context, r authRequest) (*InitiateAuthOutput, error) {
	withSRP := r.params["CHALLENGE_NAME"] == "SRP_A"
	var required []string
	if withSRP {
		required = []string{"SRP_A"}
	}
	n, e := s.firstFactorUser(r, required...)
	if e != nil {
		return nil, e
	}
	p, u, name, canonical := r.pool, n.user, n.typed, n.canonical
	lc, decl, e := customTriggers(p)
	if e != nil {
		return nil, e
	}
	if u == nil && !r.client.preventUserExistenceErrors() {
		return nil, errUserNotFound()
	}
	if u != nil {
		p.mu.Lock()
		enabled, se := u.Enabled, statusError(u)
		locked := s.lockedOut(u)
		p.mu.Unlock()
		switch {
		case !enabled:
			return nil, errNotAuthorized(msgDisabled)
		case se != nil:
			return nil, se
		case locked:
			return nil, errNotAuthorized(msgAttemptsExceeded)
		}
		if !withSRP { // with SRP, the proof step runs it (afterFirstFactor)
			if e := s.preAuthentication(ctx, r, u); e != nil {
				return nil, e
			}
		}
	}
	f := &customFlow{
		r: r, user: u, name: name, userNotFound: u == nil, lambdas: lc, decl: decl, round: -1,
		pr: progress{flow: r.flow, admin: r.admin, typedName: name, deviceKey: r.deviceKey, meta: r.meta},
	}
	if u != nil {
		f.name = canonical
	}
	if withSRP {
		f.hist = []challengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}}
	}
	out, done, e := s.customStep(ctx, f)
	if e != nil {
		return nil, e
	}
	if done {
		return s.proceed(ctx, r, u, f.pr, stageDevice)
	}
	return out, nil
}

// customNext asks Define what follows a successful SRP proof in a CUSTOM_AUTH flow;
// nil when it says tokens (the pipeline goes on).
func (s *Service) customNext(ctx context.Context, r authRequest, u *User, pr progress) (*InitiateAuthOutput, error) {
	if pr.flow != "CUSTOM_AUTH" {
		return nil, nil
	}
	lc, decl, e := customTriggers(r.pool)
	if e != nil {
		return nil, e
	}
	f := &customFlow{
		r: r, user: u, name: u.Username, lambdas: lc, decl: decl, round: -1, pr: pr,
		hist: []challengeResult{{ChallengeName: "SRP_A", ChallengeResult: true}, {ChallengeName: "PASSWORD_VERIFIER", ChallengeResult: true}},
	}
	out, done, e := s.customStep(ctx, f)
	if e != nil || done {
		return nil, errOrNil(e)
	}
	return out, nil
}

// errOrNil keeps a nil *Error from becoming a non-nil error.
func errOrNil(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

// respondCustom answers CUSTOM_CHALLENGE.
func (s *Service) respondCustom(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	answer, e := requireParam(r.responses, "ANSWER")
	if e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, "CUSTOM_CHALLENGE", r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	f, _ := ss.state.(*customFlow)
	if f == nil {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgSessionInvalid)
	}
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], r.responses["USERNAME"], f.name, f.pr.typedName); e != nil {
		ss.used = false // a bad hash may be retried with the same session
		p.mu.Unlock()
		return nil, e
	}
	if name := r.responses["USERNAME"]; (f.user != nil && !p.namesUser(name, f.user, f.pr.typedName)) || (f.user == nil && name != f.name) {
		ss.used = false
		p.mu.Unlock()
		return nil, errNotAuthorized(msgIncorrect)
	}
	p.mu.Unlock()
	// The flow continues on a copy: the session is spent.
	next := *f
	if k := r.responses["DEVICE_KEY"]; k != "" {
		next.pr.deviceKey = k
	}
	next.r.pool, next.r.client = p, r.client
	next.hist = append(append([]challengeResult{}, f.hist...), challengeResult{})
	ok, e := s.runVerify(ctx, &next, answer)
	if e != nil {
		return nil, e
	}
	next.hist[len(next.hist)-1] = challengeResult{ChallengeName: "CUSTOM_CHALLENGE", ChallengeResult: ok, ChallengeMetadata: f.metadata}
	out, done, e := s.customStep(ctx, &next)
	if e != nil {
		return nil, e
	}
	if done {
		res, err := s.proceed(ctx, next.r, next.user, next.pr, stageDevice)
		if err != nil {
			return nil, err
		}
		return fromInitiate(res), nil
	}
	return fromInitiate(out), nil
}

// customStep asks Define what comes next after f's history and acts on it: done
// (issue tokens: the caller continues the pipeline), a challenge, or an error.
func (s *Service) customStep(ctx context.Context, f *customFlow) (*InitiateAuthOutput, bool, *Error) {
	d, e := s.runDefine(ctx, f)
	if e != nil {
		return nil, false, e
	}
	switch {
	case d.FailAuthentication:
		return nil, false, errNotAuthorized(msgIncorrect)
	case d.IssueTokens:
		if f.user == nil {
			return nil, false, errNotAuthorized(msgIncorrect)
		}
		return nil, true, nil
	}
	last := len(f.hist) == 1 && f.hist[0].ChallengeName == "SRP_A"
	switch d.ChallengeName {
	case "PASSWORD_VERIFIER":
		if !last {
			return nil, false, errUnrecognizableLambda()
		}
		return s.customSRP(ctx, f)
	case "CUSTOM_CHALLENGE":
		return s.customChallenge(ctx, f)
	}
	return nil, false, errUnrecognizableLambda()
}

// customSRP answers with the PASSWORD_VERIFIER challenge of a custom flow that began
// with SRP_A: the same challenge USER_SRP_AUTH gives, its session remembering the
// request's client metadata and device.
func (s *Service) customSRP(ctx context.Context, f *customFlow) (*InitiateAuthOutput, bool, *Error) {
	out, err := s.startSRP(f.r)
	if err != nil {
		if e, ok := err.(*Error); ok {
			return nil, false, e
		}
		return nil, false, &Error{Type: TypeInternalError, Message: "srp failure", Fault: true}
	}
	p := f.r.pool
	p.mu.Lock()
	if ss := p.sessions[deref(out.Session)]; ss != nil {
		ss.pr.meta, ss.pr.deviceKey = f.r.meta, f.r.deviceKey
	}
	p.mu.Unlock()
	return out, false, nil
}

// customChallenge asks Create for the next CUSTOM_CHALLENGE and opens its session.
func (s *Service) customChallenge(ctx context.Context, f *customFlow) (*InitiateAuthOutput, bool, *Error) {
	c, round, e := s.runCreate(ctx, f)
	if e != nil {
		return nil, false, e
	}
	f.private, f.metadata, f.round = c.PrivateChallengeParameters, c.ChallengeMetadata, round
	params := map[string]string{}
	for k, v := range c.PublicChallengeParameters {
		params[k] = v
	}
	if params["USERNAME"] == "" {
		params["USERNAME"] = f.name
	}
	p := f.r.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := s.newSession(p, f.r.client, f.user, "CUSTOM_CHALLENGE")
	ss.setProgress(f.pr)
	ss.username = f.name
	ss.state = f
	return &InitiateAuthOutput{ChallengeName: "CUSTOM_CHALLENGE", ChallengeParameters: params, Session: ptr(ss.id)}, false, nil
}

// customRequest is the request member common to the three custom-auth events.
type customRequest struct {
	UserAttributes             map[string]string `json:"userAttributes"`
	Session                    []challengeResult `json:"session,omitempty"`
	ChallengeName              string            `json:"challengeName,omitempty"`
	PrivateChallengeParameters map[string]string `json:"privateChallengeParameters,omitempty"`
	ChallengeAnswer            *string           `json:"challengeAnswer,omitempty"`
	ClientMetadata             map[string]string `json:"clientMetadata,omitempty"`
	UserNotFound               bool              `json:"userNotFound"`
}

// customEvent starts the event of a custom-auth trigger for f, and its request.
func (s *Service) customEvent(f *customFlow, source string) (triggerEvent, customRequest) {
	req := customRequest{UserAttributes: map[string]string{}, ClientMetadata: f.pr.meta, UserNotFound: f.userNotFound}
	if f.user != nil {
		req.UserAttributes = userTriggerAttributes(f.r.pool, f.user)
	}
	return s.newEvent(f.r.pool, f.r.client, f.name, source), req
}

// runDefine runs DefineAuthChallenge.
func (s *Service) runDefine(ctx context.Context, f *customFlow) (defineResult, *Error) {
	arn := f.lambdas.arn(trigDefine)
	if arn == "" {
		return declarativeDefine(f.decl, f.hist), nil
	}
	ev, req := s.customEvent(f, "DefineAuthChallenge_Authentication")
	req.Session = f.hist
	ev.Request = withSession(req)
	ev.Response = map[string]any{"challengeName": nil, "issueTokens": nil, "failAuthentication": nil}
	var d defineResult
	if e := s.invoke(ctx, trigDefine, arn, ev, &d); e != nil {
		return d, e
	}
	return d, nil
}

// runCreate runs CreateAuthChallenge; round is the declarative round, or -1.
func (s *Service) runCreate(ctx context.Context, f *customFlow) (createResult, int, *Error) {
	arn := f.lambdas.arn(trigCreate)
	if arn == "" {
		if f.decl == nil {
			return createResult{}, -1, errInvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
		}
		c, round := s.declarativeCreate(f.r.pool, f.decl, f.user, f.hist)
		return c, round, nil
	}
	ev, req := s.customEvent(f, "CreateAuthChallenge_Authentication")
	req.Session, req.ChallengeName = f.hist, "CUSTOM_CHALLENGE"
	ev.Request = withSession(req)
	ev.Response = map[string]any{"publicChallengeParameters": nil, "privateChallengeParameters": nil, "challengeMetadata": nil}
	var c createResult
	if e := s.invoke(ctx, trigCreate, arn, ev, &c); e != nil {
		return c, -1, e
	}
	return c, -1, nil
}

// runVerify runs VerifyAuthChallengeResponse on an answer.
func (s *Service) runVerify(ctx context.Context, f *customFlow, answer string) (bool, *Error) {
	arn := f.lambdas.arn(trigVerify)
	if arn == "" {
		if f.decl == nil {
			return false, errInvalidParameter("Custom auth lambda trigger is not configured for the user pool.")
		}
		return declarativeVerify(f.decl, f.round, f.private, answer, f.userNotFound), nil
	}
	private := f.private
	if private == nil {
		private = map[string]string{}
	}
	ev, req := s.customEvent(f, "VerifyAuthChallengeResponse_Authentication")
	req.PrivateChallengeParameters, req.ChallengeAnswer = private, &answer
	ev.Request = req
	ev.Response = map[string]any{"answerCorrect": nil}
	var v struct {
		AnswerCorrect bool `json:"answerCorrect"`
	}
	if e := s.invoke(ctx, trigVerify, arn, ev, &v); e != nil {
		return false, e
	}
	return v.AnswerCorrect, nil
}

// withSession makes sure Define and Create see "session" as a list, empty at first.
func withSession(req customRequest) any {
	b, _ := json.Marshal(req)
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if _, ok := m["session"]; !ok {
		m["session"] = []any{}
	}
	return m
}
