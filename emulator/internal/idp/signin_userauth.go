package idp

import (
	"context"
	"crypto/subtle"
	"slices"
)

// Choice-based sign-in (USER_AUTH): SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP and the
// EMAIL_OTP / SMS_OTP first factors, and the sign-in after ConfirmSignUp.
//
// Sessions: a SELECT_CHALLENGE session serves the server's SELECT_CHALLENGE and also
// its PASSWORD and PASSWORD_SRP challenges, since Amplify answers those with
// ChallengeName SELECT_CHALLENGE (spec §1.2 row 10); an EMAIL_OTP / SMS_OTP session
// holds a *userAuthState with the code sent, which is how [Service.isFirstFactorSession]
// tells a first factor from email MFA.

const (
	purposeOTP = "OTP"
	// otpAttempts is how many wrong codes one OTP challenge takes; the session dies
	// with the last.
	otpAttempts = 3
)

// userAuthState is a USER_AUTH session's state.
type userAuthState struct {
	// offered is the challenge the session answers: SELECT_CHALLENGE, PASSWORD,
	// PASSWORD_SRP, EMAIL_OTP or SMS_OTP.
	offered string
	// available are the first factors offered by SELECT_CHALLENGE.
	available []string
	// code is the OTP sent (the same pointer as the user's outstanding OTP code, so a
	// newer sign-in's code replaces it), nil for a simulated challenge.
	code *code
	// wrong counts wrong codes.
	wrong int
}

// allowedFirstFactors is the pool's SignInPolicy (default PASSWORD). The caller holds
// p.mu.
func (p *Pool) allowedFirstFactors() []string {
	if pol := p.cfg.Policies; pol != nil && pol.SignInPolicy != nil && len(pol.SignInPolicy.AllowedFirstAuthFactors) > 0 {
		return pol.SignInPolicy.AllowedFirstAuthFactors
	}
	return []string{"PASSWORD"}
}

// firstFactors lists the first factors u can use in this pool, in the order the
// pool's policy lists them (PASSWORD_SRP after PASSWORD); for an unknown user (nil)
// every allowed factor. The caller holds p.mu.
func (p *Pool) firstFactors(u *User) []string {
	var out []string
	for _, f := range p.allowedFirstFactors() {
		switch f {
		case "PASSWORD":
			if u == nil || u.hasPassword() {
				out = append(out, "PASSWORD", "PASSWORD_SRP")
			}
		case "EMAIL_OTP":
			if u == nil || u.Attrs["email"] != "" {
				out = append(out, "EMAIL_OTP")
			}
		case "SMS_OTP":
			if u == nil || u.Attrs["phone_number"] != "" {
				out = append(out, "SMS_OTP")
			}
		}
	}
	return out
}

// userAuth starts a USER_AUTH sign-in: the sign-in after sign-up (a Session from
// ConfirmSignUp), a preferred first factor, or SELECT_CHALLENGE.
func (s *Service) userAuth(ctx context.Context, r authRequest) (*InitiateAuthOutput, error) {
	name, e := requireParam(r.params, "USERNAME")
	if e != nil {
		return nil, e
	}
	if r.session != "" {
		return s.afterSignUp(ctx, r, name)
	}
	n, e := s.firstFactorUser(r)
	if e != nil {
		return nil, e
	}
	p, u := r.pool, n.user
	if u == nil && !r.client.preventUserExistenceErrors() {
		return nil, errUserNotFound()
	}
	if u != nil {
		p.mu.Lock()
		enabled := u.Enabled
		p.mu.Unlock()
		if !enabled {
			return nil, errNotAuthorized(msgDisabled)
		}
	}
	p.mu.Lock()
	available := p.firstFactors(u)
	p.mu.Unlock()
	pref := r.params["PREFERRED_CHALLENGE"]
	if pref != "" && slices.Contains(available, pref) {
		return s.startFactor(ctx, r, u, name, pref, r.params)
	}
	// No preference, or one the user cannot use: let the user choose (what Cognito
	// does for an unusable preference is UNCONFIRMED (U8)).
	if len(available) == 0 {
		return nil, errNotAuthorized(msgIncorrect)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := s.newSession(p, r.client, u, "SELECT_CHALLENGE")
	ss.setProgress(progress{flow: r.flow, admin: r.admin, typedName: name, deviceKey: r.deviceKey, meta: r.meta})
	ss.state = &userAuthState{offered: "SELECT_CHALLENGE", available: available}
	if u == nil {
		ss.username = name
	}
	return &InitiateAuthOutput{
		ChallengeName:       "SELECT_CHALLENGE",
		ChallengeParameters: map[string]string{"USERNAME": ss.username},
		AvailableChallenges: available,
		Session:             ptr(ss.id),
	}, nil
}

// startFactor begins the first factor f for u (nil: an unknown user under
// PreventUserExistenceErrors) with the parameters given (PASSWORD or SRP_A, or
// nothing yet).
func (s *Service) startFactor(ctx context.Context, r authRequest, u *User, typed, f string, params map[string]string) (*InitiateAuthOutput, error) {
	p := r.pool
	switch f {
	case "PASSWORD", "PASSWORD_SRP":
		key := "PASSWORD"
		if f == "PASSWORD_SRP" {
			key = "SRP_A"
		}
		if v := params[key]; v != "" {
			sub := r
			sub.params = map[string]string{"USERNAME": typed, key: v, "SECRET_HASH": params["SECRET_HASH"]}
			if f == "PASSWORD" {
				return s.passwordAuth(ctx, sub)
			}
			return s.startSRP(sub)
		}
		// The password comes with the answer.
		p.mu.Lock()
		defer p.mu.Unlock()
		ss := s.newSession(p, r.client, u, "SELECT_CHALLENGE")
		ss.setProgress(progress{flow: r.flow, admin: r.admin, typedName: typed, deviceKey: r.deviceKey, meta: r.meta})
		ss.state = &userAuthState{offered: f}
		if u == nil {
			ss.username = typed
		}
		return &InitiateAuthOutput{ChallengeName: f, ChallengeParameters: map[string]string{"USERNAME": ss.username}, Session: ptr(ss.id)}, nil
	case "EMAIL_OTP", "SMS_OTP":
		p.mu.Lock()
		defer p.mu.Unlock()
		st := &userAuthState{offered: f}
		var d CodeDeliveryDetailsType
		username := typed
		if u != nil {
			username = u.Username
			attr, medium, mask := "email", "EMAIL", maskEmail
			if f == "SMS_OTP" {
				attr, medium, mask = "phone_number", "SMS", maskPhone
			}
			d = CodeDeliveryDetailsType{AttributeName: ptr(attr), DeliveryMedium: medium, Destination: ptr(mask(u.Attrs[attr]))}
			c := &code{value: s.randString(6, digits), expires: s.now().Add(r.client.sessionValidity())}
			if u.Codes == nil {
				u.Codes = map[string]*code{}
			}
			u.Codes[purposeOTP] = c
			st.code = c
			s.send(p, u, d, purposeOTP, c.value, "Your sign-in code is "+c.value)
		} else {
			// A simulated challenge: no code goes out and none is right.
			d = *s.fakeDelivery(typed)
			if f == "SMS_OTP" && d.DeliveryMedium != "SMS" {
				d = CodeDeliveryDetailsType{AttributeName: ptr("phone_number"), DeliveryMedium: "SMS", Destination: ptr("+*******" + fakeDigits(p, typed))}
			}
		}
		ss := s.newSession(p, r.client, u, f)
		ss.setProgress(progress{flow: r.flow, admin: r.admin, typedName: typed, deviceKey: r.deviceKey, meta: r.meta})
		ss.state = st
		if u == nil {
			ss.username = typed
		}
		return &InitiateAuthOutput{
			ChallengeName: f,
			ChallengeParameters: map[string]string{
				"USERNAME":                      username,
				"CODE_DELIVERY_DELIVERY_MEDIUM": d.DeliveryMedium,
				"CODE_DELIVERY_DESTINATION":     deref(d.Destination),
			},
			Session: ptr(ss.id),
		}, nil
	}
	return nil, errInvalidParameter("%s is not a valid first factor.", f)
}

// afterSignUp signs in the user ConfirmSignUp just confirmed, with the Session it
// returned: no first factor, once, before the session expires.
func (s *Service) afterSignUp(ctx context.Context, r authRequest, name string) (*InitiateAuthOutput, error) {
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, "USER_AUTH_AFTER_SIGN_UP", r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	u := ss.user
	if e := checkSecretHash(r.client, r.params["SECRET_HASH"], name, u.Username); e != nil {
		ss.used = false
		p.mu.Unlock()
		return nil, e
	}
	if !p.namesUser(name, u, "") {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgIncorrect)
	}
	p.mu.Unlock()
	return s.afterFirstFactor(ctx, r, u, name, true)
}

// isFirstFactorSession reports whether an EMAIL_OTP answer belongs to a USER_AUTH
// first factor rather than to email MFA: the session holds a *userAuthState.
func (s *Service) isFirstFactorSession(r challengeRequest) bool {
	p := r.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := p.sessions[r.session]
	if ss == nil {
		return false
	}
	_, ok := ss.state.(*userAuthState)
	return ok
}

// respondUserAuth answers SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, EMAIL_OTP and
// SMS_OTP of a USER_AUTH sign-in.
func (s *Service) respondUserAuth(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	var out *InitiateAuthOutput
	var err error
	if r.name == "EMAIL_OTP" || r.name == "SMS_OTP" {
		out, err = s.answerOTP(ctx, r)
	} else {
		out, err = s.answerSelect(ctx, r)
	}
	if err != nil {
		return nil, err
	}
	return fromInitiate(out), nil
}

// answerSelect answers a SELECT_CHALLENGE session: the factor chosen (ANSWER, or the
// challenge name PASSWORD / PASSWORD_SRP), with PASSWORD or SRP_A where it takes one.
func (s *Service) answerSelect(ctx context.Context, r challengeRequest) (*InitiateAuthOutput, error) {
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, "SELECT_CHALLENGE", r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	retry := func(e *Error) (*InitiateAuthOutput, error) {
		ss.used = false
		p.mu.Unlock()
		return nil, e
	}
	st, _ := ss.state.(*userAuthState)
	if st == nil {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgSessionInvalid)
	}
	u := ss.user
	name := r.responses["USERNAME"]
	var canonical string
	if u != nil {
		canonical = u.Username
	}
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], name, canonical, ss.typedName); e != nil {
		return retry(e)
	}
	if (u != nil && !p.namesUser(name, u, ss.typedName)) || (u == nil && name != ss.username) {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgIncorrect)
	}
	answer := r.responses["ANSWER"]
	if answer == "" && r.name != "SELECT_CHALLENGE" {
		answer = r.name
	}
	if answer == "" && st.offered != "SELECT_CHALLENGE" {
		answer = st.offered
	}
	if answer == "" {
		return retry(errInvalidParameter("Missing required parameter ANSWER"))
	}
	if (st.offered == "SELECT_CHALLENGE" && !slices.Contains(st.available, answer)) || (st.offered != "SELECT_CHALLENGE" && answer != st.offered) {
		return retry(errInvalidParameter("The challenge %s is not available for this user.", answer))
	}
	switch answer {
	case "PASSWORD":
		if r.responses["PASSWORD"] == "" {
			return retry(errInvalidParameter("Missing required parameter PASSWORD"))
		}
	case "PASSWORD_SRP":
		if r.responses["SRP_A"] == "" {
			return retry(errInvalidParameter("Missing required parameter SRP_A"))
		}
	}
	pr := ss.pr
	if k := r.responses["DEVICE_KEY"]; k != "" {
		pr.deviceKey = k
	}
	typed := ss.typedName
	p.mu.Unlock()
	ar := authRequest{flow: ss.flow, admin: ss.admin, pool: p, client: r.client, deviceKey: pr.deviceKey, meta: pr.meta}
	if u == nil && (answer == "PASSWORD" || answer == "PASSWORD_SRP") {
		typed = name
	}
	params := map[string]string{"PASSWORD": r.responses["PASSWORD"], "SRP_A": r.responses["SRP_A"], "SECRET_HASH": r.responses["SECRET_HASH"]}
	if u != nil && (answer == "PASSWORD" || answer == "PASSWORD_SRP") {
		// Checked above against this session's user; the sign-in goes on as that user.
		typed = u.Username
	}
	return s.startFactor(ctx, ar, u, typed, answer, params)
}

// answerOTP checks an EMAIL_OTP_CODE / SMS_OTP_CODE first factor. A wrong code may be
// retried on the same session (otpAttempts in all).
func (s *Service) answerOTP(ctx context.Context, r challengeRequest) (*InitiateAuthOutput, error) {
	field := r.name + "_CODE"
	got, e := requireParam(r.responses, field)
	if e != nil {
		return nil, e
	}
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, r.name, r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	st, _ := ss.state.(*userAuthState)
	if st == nil {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgSessionInvalid)
	}
	u := ss.user
	name := r.responses["USERNAME"]
	var canonical string
	if u != nil {
		canonical = u.Username
	}
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], name, canonical, ss.typedName); e != nil {
		ss.used = false
		p.mu.Unlock()
		return nil, e
	}
	if (u != nil && !p.namesUser(name, u, ss.typedName)) || (u == nil && name != ss.username) {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgIncorrect)
	}
	ok := u != nil && st.code != nil && u.Codes[purposeOTP] == st.code &&
		subtle.ConstantTimeCompare([]byte(st.code.value), []byte(got)) == 1
	if !ok {
		st.wrong++
		if st.wrong < otpAttempts {
			ss.used = false
		}
		p.mu.Unlock()
		return nil, &Error{Type: TypeCodeMismatch, Message: msgCodeMismatchAuth}
	}
	delete(u.Codes, purposeOTP)
	pr := ss.pr
	if k := r.responses["DEVICE_KEY"]; k != "" {
		pr.deviceKey = k
	}
	p.mu.Unlock()
	ar := authRequest{flow: ss.flow, admin: ss.admin, pool: p, client: r.client, deviceKey: pr.deviceKey, meta: pr.meta}
	return s.afterFirstFactor(ctx, ar, u, ss.typedName, true)
}

// fakeDigits are four digits stable for a name, for a simulated SMS destination.
func fakeDigits(p *Pool, name string) string {
	id := fakeUserID(p, name)
	out := make([]byte, 4)
	for i := range out {
		out[i] = '0' + id[i]%10
	}
	return string(out)
}
