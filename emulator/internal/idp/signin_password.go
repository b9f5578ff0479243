package idp

import "context"

// USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH: the password
// sent in the request, checked against the stored hash, then the pipeline.

// passwordAuth runs USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
func (s *Service) passwordAuth(ctx context.Context, r authRequest) (*InitiateAuthOutput, error) {
	n, e := s.firstFactorUser(r, "PASSWORD")
	if e != nil {
		return nil, e
	}
	if n.user == nil {
		return nil, unknownUser(r.client)
	}
	ok := n.cred.matches(r.pool.realm, n.canonical, r.params["PASSWORD"])
	return s.afterFirstFactor(ctx, r, n.user, n.typed, ok)
}
