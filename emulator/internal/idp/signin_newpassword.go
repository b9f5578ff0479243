package idp

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// NEW_PASSWORD_REQUIRED: the challenge a user with a temporary password gets once
// the first factor is proven (the pipeline's first stage), and its answer, which sets
// the password and any required attributes the user lacks.

// newPasswordRequired sets the new password (and required attributes) of a user
// created with a temporary password.
func (s *Service) newPasswordRequired(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
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
	if !p.namesUser(r.responses["USERNAME"], u, ss.typedName) {
		return retry(errNotAuthorized(msgIncorrect))
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
	out, err := s.proceed(ctx, r.authRequest(ss), u, pr, stageCustom)
	if err != nil {
		return nil, err
	}
	return fromInitiate(out), nil
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
