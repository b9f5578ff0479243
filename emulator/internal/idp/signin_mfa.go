package idp

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"strings"
)

// MFA in sign-in: deciding the MFA challenge after the first factor, and answering
// SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP.
//
// Choices made where Cognito's behaviour is not documented:
//   - An SMS or email code lives in its challenge's session: it expires with the
//     session, and a new MFA challenge of the same user (a second sign-in) kills the
//     earlier code, which then answers CodeMismatchException.
//   - A wrong code may be retried on the same session. Wrong codes count toward
//     the user's failed-attempt lockout (signin.go, countFailure), as the developer
//     guide documents for MFA codes; during a lockout every answer is
//     NotAuthorizedException "Password attempts exceeded". (An earlier choice ended
//     the session after three wrong codes; nothing public backs a per-session limit.)
//   - With MFA ON and no factor set up, a user with a phone number gets SMS_MFA when
//     the pool enables SMS; anyone else gets MFA_SETUP listing the pool's factors.
//     With MFA OPTIONAL and no factor, the sign-in ends with tokens.
//   - Email set up through MFA_SETUP {EMAIL} sets the address (verified) and enables
//     email MFA only once the code sent to it is answered.
//   - MFA set up during sign-in (TOTP or email) also becomes the preferred factor
//     when the user had none.

// purposeMFA is the outbox purpose of MFA codes.
const purposeMFA = "MFA"

// defaultFriendlyName is the FRIENDLY_DEVICE_NAME of a token verified without one.
const defaultFriendlyName = "TOTP device"

// userMFA is a user's MFA state.
type userMFA struct {
	SMS       bool   `json:"sms,omitempty"`
	TOTP      bool   `json:"totp,omitempty"`
	Email     bool   `json:"email,omitempty"`
	Preferred string `json:"preferred,omitempty"`
	// Secret is the verified TOTP secret; Pending is one associated but not yet
	// verified.
	Secret     string `json:"secret,omitempty"`
	Pending    string `json:"pending,omitempty"`
	DeviceName string `json:"deviceName,omitempty"`
	// LastStep is the RFC 6238 time step of the last TOTP code accepted: codes of that
	// step or before are refused as already used.
	LastStep int64 `json:"lastStep,omitempty"`
	// codeSession is the session whose SMS or email code is the live one.
	codeSession string
}

func (m userMFA) marshal() []byte {
	m.codeSession = ""
	if m == (userMFA{}) {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

func (m *userMFA) unmarshal(b []byte) error {
	*m = userMFA{}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, m)
}

// mfaReport is what GetUser and AdminGetUser say of the user's MFA: the enabled
// factors and the preferred one. The caller holds p.mu.
func (u *User) mfaReport() (list []string, preferred *string) {
	if u.MFA.SMS {
		list = append(list, factorSMS)
	}
	if u.MFA.TOTP {
		list = append(list, factorTOTP)
	}
	if u.MFA.Email {
		list = append(list, factorEmail)
	}
	if u.MFA.Preferred != "" {
		preferred = ptr(u.MFA.Preferred)
	}
	return list, preferred
}

// userFactors are the factors u can be challenged with now: enabled by the user and
// the pool, with somewhere to send the code. The caller holds p.mu.
func (p *Pool) userFactors(u *User) []string {
	var out []string
	if u.MFA.SMS && p.mfa.SMS && u.Attrs["phone_number"] != "" {
		out = append(out, factorSMS)
	}
	if u.MFA.TOTP && p.mfa.TOTP && u.MFA.Secret != "" {
		out = append(out, factorTOTP)
	}
	if u.MFA.Email && p.mfa.Email && u.Attrs["email"] != "" {
		out = append(out, factorEmail)
	}
	return out
}

// mfaState is what an MFA challenge's session keeps.
type mfaState struct {
	// code is the SMS or email code sent for this challenge.
	code string
	// choices are SELECT_MFA_TYPE's MFAS_CAN_CHOOSE; canSetup MFA_SETUP's
	// MFAS_CAN_SETUP.
	choices  []string
	canSetup []string
	// setupEmail is the address an EMAIL_OTP of email MFA setup went to.
	setupEmail string
	// secret is the TOTP secret being set up (after AssociateSoftwareToken with a
	// session); totpVerified is set once VerifySoftwareToken accepted it.
	secret       string
	totpVerified bool
}

func jsonList(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// mfaNext returns the MFA challenge the user must answer, or nil when none applies.
func (s *Service) mfaNext(ctx context.Context, r authRequest, u *User, pr progress) (*InitiateAuthOutput, error) {
	p := r.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	mode := p.cfg.MfaConfiguration
	if mode != "ON" && mode != "OPTIONAL" {
		return nil, nil
	}
	factors := p.userFactors(u)
	switch {
	case u.MFA.Preferred != "" && contains(factors, u.MFA.Preferred):
		return s.mfaChallenge(p, r.client, u, pr, u.MFA.Preferred, nil), nil
	case len(factors) > 1:
		return s.mfaChallenge(p, r.client, u, pr, "SELECT_MFA_TYPE", &mfaState{choices: factors}), nil
	case len(factors) == 1:
		return s.mfaChallenge(p, r.client, u, pr, factors[0], nil), nil
	case mode == "ON" && p.mfa.SMS && u.Attrs["phone_number"] != "":
		return s.mfaChallenge(p, r.client, u, pr, factorSMS, nil), nil
	case mode == "ON":
		return s.mfaChallenge(p, r.client, u, pr, "MFA_SETUP", &mfaState{canSetup: p.mfa.factors()}), nil
	}
	return nil, nil
}

// mfaChallenge opens a session for an MFA challenge, sending the code of SMS_MFA and
// EMAIL_OTP, and returns the challenge. The caller holds p.mu.
func (s *Service) mfaChallenge(p *Pool, c *AppClient, u *User, pr progress, challenge string, st *mfaState) *InitiateAuthOutput {
	if st == nil {
		st = &mfaState{}
	}
	ss := s.newSession(p, c, u, challenge)
	ss.setProgress(pr)
	ss.state = st
	params := map[string]string{"USER_ID_FOR_SRP": u.Username}
	switch challenge {
	case factorSMS:
		st.code = s.sendMFACode(p, u, "SMS", u.Attrs["phone_number"])
		u.MFA.codeSession = ss.id
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "SMS"
		params["CODE_DELIVERY_DESTINATION"] = maskPhone(u.Attrs["phone_number"])
	case factorEmail:
		dest := u.Attrs["email"]
		if st.setupEmail != "" {
			dest = st.setupEmail
		}
		st.code = s.sendMFACode(p, u, "EMAIL", dest)
		u.MFA.codeSession = ss.id
		params["CODE_DELIVERY_DELIVERY_MEDIUM"] = "EMAIL"
		params["CODE_DELIVERY_DESTINATION"] = maskEmail(dest)
	case factorTOTP:
		name := u.MFA.DeviceName
		if name == "" {
			name = defaultFriendlyName
		}
		params["FRIENDLY_DEVICE_NAME"] = name
	case "SELECT_MFA_TYPE":
		params["MFAS_CAN_CHOOSE"] = jsonList(st.choices)
	case "MFA_SETUP":
		params["MFAS_CAN_SETUP"] = jsonList(st.canSetup)
	}
	return &InitiateAuthOutput{ChallengeName: challenge, ChallengeParameters: params, Session: ptr(ss.id)}
}

// sendMFACode sends a fresh 6-digit MFA code to dest and returns it. The caller holds
// p.mu.
func (s *Service) sendMFACode(p *Pool, u *User, medium, dest string) string {
	c := s.randString(6, digits)
	body := "Your authentication code is " + c + "."
	switch {
	case medium == "SMS" && p.mfa.SMSMessage != "":
		body = strings.ReplaceAll(p.mfa.SMSMessage, "{####}", c)
	case medium == "SMS" && deref(p.cfg.SmsAuthenticationMessage) != "":
		body = strings.ReplaceAll(deref(p.cfg.SmsAuthenticationMessage), "{####}", c)
	case medium == "EMAIL" && p.mfa.EmailMessage != "":
		body = strings.ReplaceAll(p.mfa.EmailMessage, "{####}", c)
	}
	s.outbox.add(Message{PoolID: p.id, Username: u.Username, Medium: medium, Destination: dest, Purpose: purposeMFA, Code: c, Body: body})
	return c
}

// namesUser reports whether a challenge answer's USERNAME names u: its username,
// the name typed at sign-in, its sub, or an alias. Every challenge answer naming
// another user is refused with NotAuthorizedException (issue #11; PASSWORD_VERIFIER
// in spec §3.3). The caller holds p.mu.
func (p *Pool) namesUser(name string, u *User, typed string) bool {
	if name == "" {
		return false
	}
	return name == u.Username || name == typed || name == u.Sub || p.lookup(name) == u
}

// respondMFA answers an MFA challenge.
func (s *Service) respondMFA(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, r.name, r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	u := ss.user
	st, _ := ss.state.(*mfaState)
	if u == nil || st == nil {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgSessionInvalid)
	}
	// A failed answer may be retried with the same session.
	retry := func(e *Error) (*RespondToAuthChallengeOutput, error) {
		ss.used = false
		p.mu.Unlock()
		return nil, e
	}
	// A wrong code counts toward the lockout; the session may be retried.
	wrong := func(e *Error) (*RespondToAuthChallengeOutput, error) {
		s.countFailure(u)
		s.recordAuthEvent(p, u, "Fail", "Mfa", false)
		ss.used = false
		p.mu.Unlock()
		return nil, e
	}
	if s.lockedOut(u) {
		return retry(errNotAuthorized(msgAttemptsExceeded))
	}
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], r.responses["USERNAME"], u.Username, ss.typedName); e != nil {
		return retry(e)
	}
	if !p.namesUser(r.responses["USERNAME"], u, ss.typedName) {
		return retry(errNotAuthorized(msgIncorrect))
	}
	mismatch := &Error{Type: TypeCodeMismatch, Message: msgCodeMismatchAuth}
	switch r.name {
	case factorSMS, factorEmail:
		key := "SMS_MFA_CODE"
		if r.name == factorEmail {
			key = "EMAIL_OTP_CODE"
		}
		got, e := requireParam(r.responses, key)
		if e != nil {
			return retry(e)
		}
		if st.code == "" || u.MFA.codeSession != ss.id || subtle.ConstantTimeCompare([]byte(st.code), []byte(got)) != 1 {
			return wrong(mismatch)
		}
		u.MFA.codeSession = ""
		if st.setupEmail != "" {
			if e := p.aliasConflict(u, map[string]string{"email": st.setupEmail}); e != nil {
				return retry(e)
			}
			p.applyAttributes(u, map[string]string{"email": st.setupEmail, "email_verified": "true"})
			u.MFA.Email = true
			if u.MFA.Preferred == "" {
				u.MFA.Preferred = factorEmail
			}
			u.Modified = s.now()
		}
	case factorTOTP:
		got, e := requireParam(r.responses, "SOFTWARE_TOKEN_MFA_CODE")
		if e != nil {
			return retry(e)
		}
		if u.MFA.Secret == "" {
			p.mu.Unlock()
			return nil, &Error{Type: TypeSoftwareTokenMFANotFound, Message: msgTokenNotFound}
		}
		step, ok := s.totpStep(u.MFA.Secret, got)
		if !ok {
			// A wrong TOTP code is worded apart from SMS and email ones: amplify-js
			// AuthErrorStrings.INVALID_MFA_CODE, "Invalid code received for user".
			return wrong(&Error{Type: TypeCodeMismatch, Message: msgTOTPMismatch})
		}
		if step <= u.MFA.LastStep {
			return retry(&Error{Type: TypeExpiredCode, Message: msgTokenUsed})
		}
		u.MFA.LastStep = step
	case "SELECT_MFA_TYPE":
		answer, e := requireParam(r.responses, "ANSWER")
		if e != nil {
			return retry(e)
		}
		if !contains(st.choices, answer) {
			return retry(errInvalidParameter("Invalid ANSWER: %s is not one of %s", answer, jsonList(st.choices)))
		}
		out := s.mfaChallenge(p, r.client, u, ss.pr, answer, nil)
		p.mu.Unlock()
		return fromInitiate(out), nil
	case "MFA_SETUP":
		switch {
		case st.totpVerified:
			u.MFA.TOTP = true
			if u.MFA.Preferred == "" {
				u.MFA.Preferred = factorTOTP
			}
			u.Modified = s.now()
		case r.responses["EMAIL"] != "":
			email := r.responses["EMAIL"]
			if !contains(st.canSetup, factorEmail) {
				return retry(errInvalidParameter("Email MFA is not enabled for this user pool."))
			}
			if !strings.Contains(email, "@") {
				return retry(errInvalidParameter("Invalid email address format."))
			}
			if e := p.checkAttributes(map[string]string{"email": email}, false); e != nil {
				return retry(e)
			}
			if e := p.aliasConflict(u, map[string]string{"email": email}); e != nil {
				return retry(e)
			}
			out := s.mfaChallenge(p, r.client, u, ss.pr, factorEmail, &mfaState{setupEmail: email})
			p.mu.Unlock()
			return fromInitiate(out), nil
		default:
			// Neither a verified software token nor an email to set up.
			return retry(&Error{Type: TypeSoftwareTokenMFANotFound, Message: msgTokenNotFound})
		}
	default:
		p.mu.Unlock()
		return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
	}
	u.FailedAttempts = 0 // a sign-in that succeeds resets the lockout count
	p.mu.Unlock()
	out, err := s.proceed(ctx, r.authRequest(ss), u, ss.pr, stageTokens)
	if err != nil {
		return nil, err
	}
	return fromInitiate(out), nil
}
