package idp

import (
	"context"
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP (software token) MFA: AssociateSoftwareToken, VerifySoftwareToken and the
// RFC 6238 check.
//
// Codes are RFC 6238 with SHA-1, 6 digits and a 30 s step. A code of the current
// step or of the step before or after it is accepted (±30 s of clock skew). Each
// accepted code records its step: a code of that step or an earlier one is refused
// as already used ("Your software token has already been used once."), the code
// that verified the token included.

const (
	totpPeriod  = 30
	totpSkew    = 1
	base32Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	// secretLength is the length of a SecretCode (160 bits of base32).
	secretLength = 32
)

const (
	msgTokenUsed     = "Your software token has already been used once."
	msgTokenNotFound = "Software Token MFA does not exist for the user."
	msgTokenMismatch = "Code mismatch and fail enable Software Token MFA"
	msgNoTokenOrSess = "Missing required parameter AccessToken or Session"
)

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep checks a TOTP code against secret at the service's clock and returns the
// time step it belongs to.
func (s *Service) totpStep(secret, code string) (int64, bool) {
	now := s.now().Unix() / totpPeriod
	for _, d := range []int64{0, -1, 1} {
		step := now + d
		if d < -totpSkew || d > totpSkew {
			continue
		}
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// AssociateSoftwareTokenInput is the input of AssociateSoftwareToken.
type AssociateSoftwareTokenInput struct {
	AccessToken string `json:"AccessToken" validate:"len=:16384,sensitive"`
	Session     string `json:"Session" validate:"len=:2048,sensitive"`
}

// AssociateSoftwareTokenOutput is the output of AssociateSoftwareToken.
type AssociateSoftwareTokenOutput struct {
	SecretCode string  `json:"SecretCode"`
	Session    *string `json:"Session,omitempty"`
}

// VerifySoftwareTokenInput is the input of VerifySoftwareToken.
type VerifySoftwareTokenInput struct {
	AccessToken        string `json:"AccessToken" validate:"len=:16384,sensitive"`
	Session            string `json:"Session" validate:"len=:2048,sensitive"`
	UserCode           string `json:"UserCode" validate:"required"`
	FriendlyDeviceName string `json:"FriendlyDeviceName" validate:"len=:256"`
}

// VerifySoftwareTokenOutput is the output of VerifySoftwareToken.
type VerifySoftwareTokenOutput struct {
	Status  string  `json:"Status"`
	Session *string `json:"Session,omitempty"`
}

// useSession decides whether a call carrying AccessToken and Session is a sign-in
// (MFA_SETUP) call: a Session wins; an AccessToken that is no JWT is taken as a
// session (Amplify Flutter sends the session in both fields, spec §1.3).
func useSession(accessToken, sess string) string {
	if sess != "" {
		return sess
	}
	if accessToken != "" && strings.Count(accessToken, ".") != 2 {
		return accessToken
	}
	return ""
}

// setupSession finds an MFA_SETUP session by id in any pool, checks it and marks it
// used. It returns with p.mu held when the error is nil.
func (s *Service) setupSession(id string) (*Pool, *session, *mfaState, *Error) {
	s.mu.RLock()
	var p *Pool
	made := false // a pool made the session and has forgotten it
	for _, cand := range s.pools {
		cand.mu.Lock()
		_, ok := cand.sessions[id]
		cand.mu.Unlock()
		if ok {
			p = cand
			break
		}
		made = made || forgotten(cand, id)
	}
	s.mu.RUnlock()
	if p == nil {
		if made {
			// As takeSession answers a forgotten session: expired or evicted.
			return nil, nil, nil, errNotAuthorized(msgSessionExpired)
		}
		return nil, nil, nil, errNotAuthorized(msgSessionInvalid)
	}
	p.mu.Lock()
	ss := p.sessions[id]
	var st *mfaState
	if ss != nil {
		st, _ = ss.state.(*mfaState)
	}
	switch {
	case ss == nil || ss.challenge != "MFA_SETUP" || st == nil || ss.user == nil:
		p.mu.Unlock()
		return nil, nil, nil, errNotAuthorized(msgSessionInvalid)
	case s.now().After(ss.expires):
		delete(p.sessions, id)
		p.mu.Unlock()
		return nil, nil, nil, errNotAuthorized(msgSessionExpired)
	case ss.used:
		p.mu.Unlock()
		return nil, nil, nil, errNotAuthorized(msgSessionUsed)
	}
	ss.used = true
	return p, ss, st, nil
}

// nextSetupSession opens the next session of an MFA_SETUP chain. The caller holds
// p.mu.
func (s *Service) nextSetupSession(p *Pool, ss *session, st *mfaState) (*session, *Error) {
	c := p.clients[ss.clientID]
	if c == nil {
		return nil, errNotAuthorized(msgSessionInvalid)
	}
	next := s.newSession(p, c, ss.user, "MFA_SETUP")
	next.setProgress(ss.pr)
	next.state = st
	return next, nil
}

// AssociateSoftwareToken gives a new TOTP secret: to a signed-in user (AccessToken),
// or during sign-in after MFA_SETUP (Session), with a new Session.
func (s *Service) AssociateSoftwareToken(ctx context.Context, in *AssociateSoftwareTokenInput) (*AssociateSoftwareTokenOutput, error) {
	secret := s.randString(secretLength, base32Chars)
	if id := useSession(in.AccessToken, in.Session); id != "" {
		p, ss, st, e := s.setupSession(id)
		if e != nil {
			return nil, e
		}
		defer p.mu.Unlock()
		if !contains(st.canSetup, factorTOTP) {
			ss.used = false
			return nil, &Error{Type: TypeSoftwareTokenMFANotFound, Message: "Software token MFA is not enabled for this user pool."}
		}
		next, e := s.nextSetupSession(p, ss, &mfaState{canSetup: st.canSetup, secret: secret})
		if e != nil {
			return nil, e
		}
		ss.user.MFA.Pending = secret
		return &AssociateSoftwareTokenOutput{SecretCode: secret, Session: ptr(next.id)}, nil
	}
	if in.AccessToken == "" {
		return nil, errInvalidParameter(msgNoTokenOrSess)
	}
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u.MFA.Pending = secret
	return &AssociateSoftwareTokenOutput{SecretCode: secret}, nil
}

// VerifySoftwareToken checks a code of the associated secret and, when right, makes
// it the user's software token. With a Session it continues the MFA_SETUP chain
// (the returned Session answers MFA_SETUP); with an AccessToken the token still has
// to be enabled with SetUserMFAPreference.
func (s *Service) VerifySoftwareToken(ctx context.Context, in *VerifySoftwareTokenInput) (*VerifySoftwareTokenOutput, error) {
	// The value of a sensitive member is never echoed, as AWS redacts it.
	bad := func(constraint string) error {
		return newErr(TypeInvalidParameter, "1 validation error detected: Value at 'userCode' failed to satisfy constraint: %s", constraint)
	}
	switch {
	case len(in.UserCode) < 6:
		return nil, bad("Member must have length greater than or equal to 6")
	case len(in.UserCode) > 6:
		return nil, bad("Member must have length less than or equal to 6")
	case !isSixDigits(in.UserCode):
		return nil, bad("Member must satisfy regular expression pattern: [0-9]+")
	}
	mismatch := &Error{Type: TypeEnableSoftwareTokenMFA, Message: msgTokenMismatch}
	if id := useSession(in.AccessToken, in.Session); id != "" {
		p, ss, st, e := s.setupSession(id)
		if e != nil {
			return nil, e
		}
		defer p.mu.Unlock()
		if st.secret == "" {
			ss.used = false
			return nil, &Error{Type: TypeSoftwareTokenMFANotFound, Message: msgTokenNotFound}
		}
		u := ss.user
		step, ok := s.totpStep(st.secret, in.UserCode)
		if !ok {
			s.countFailure(u)
			ss.used = false
			return nil, mismatch
		}
		next, e := s.nextSetupSession(p, ss, &mfaState{canSetup: st.canSetup, totpVerified: true})
		if e != nil {
			return nil, e
		}
		s.verifiedToken(u, st.secret, in.FriendlyDeviceName, step)
		// Set up during sign-in, the token is the user's TOTP factor at once, and its
		// preferred one when it had none: the next sign-in on a pool with MFA ON asks
		// for SOFTWARE_TOKEN_MFA, not MFA_SETUP again (issue #11; Amplify's
		// setUpTOTP/verifyTOTPSetup during sign-in, spec §1.2 rows 7–8).
		u.MFA.TOTP = true
		if u.MFA.Preferred == "" {
			u.MFA.Preferred = factorTOTP
		}
		return &VerifySoftwareTokenOutput{Status: "SUCCESS", Session: ptr(next.id)}, nil
	}
	if in.AccessToken == "" {
		return nil, errInvalidParameter(msgNoTokenOrSess)
	}
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.MFA.Pending == "" {
		return nil, &Error{Type: TypeSoftwareTokenMFANotFound, Message: msgTokenNotFound}
	}
	step, ok := s.totpStep(u.MFA.Pending, in.UserCode)
	if !ok {
		return nil, mismatch
	}
	s.verifiedToken(u, u.MFA.Pending, in.FriendlyDeviceName, step)
	return &VerifySoftwareTokenOutput{Status: "SUCCESS"}, nil
}

// verifiedToken makes secret the user's software token. The caller holds p.mu.
func (s *Service) verifiedToken(u *User, secret, name string, step int64) {
	if u.MFA.Secret != secret {
		u.MFA.LastStep = 0
	}
	u.MFA.Secret, u.MFA.Pending, u.MFA.DeviceName = secret, "", name
	if step > u.MFA.LastStep {
		u.MFA.LastStep = step
	}
	u.Modified = s.now()
}

func isSixDigits(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
