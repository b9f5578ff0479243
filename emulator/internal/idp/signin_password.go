package idp

import "context"

// passwordAuth runs USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (s *Service) passwordAuth(ctx context.Context, r authRequest) (*InitiateAuthOutput, error) {
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
	return s.afterFirstFactor(ctx, r, u, name, ok)
}
