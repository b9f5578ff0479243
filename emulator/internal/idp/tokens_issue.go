package idp

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/authbench/authbench/emulator/internal/tokens"
)

// Tokens: issuing id, access and refresh tokens (RS256 under the pool's key, with
// Cognito's claims and the PreTokenGeneration trigger), refresh-token records and
// revocation, reading an access token back, and the JWKS.

// refreshToken is an opaque refresh token's server-side record.
type refreshToken struct {
	token    string
	family   string // origin_jti of the tokens issued from it
	clientID string
	user     *User
	authTime time.Time
	expires  time.Time
}

// maxRefreshPerUser bounds the live refresh tokens kept per user (oldest dropped), so
// memory stays bounded under load.
const maxRefreshPerUser = 64

// signingKey returns the pool's key, making it on first use.
func (s *Service) signingKey(p *Pool) (*tokens.Key, error) {
	p.mu.Lock()
	k := p.key
	p.mu.Unlock()
	if k != nil {
		return k, nil
	}
	k, err := s.opts.NewKey()
	if err != nil {
		return nil, &Error{Type: TypeInternalError, Message: "key generation failed", Fault: true}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.key == nil {
		p.key = k
	}
	return p.key, nil
}

// Issuer returns the iss of a pool's tokens.
func (s *Service) Issuer(poolID string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return strings.TrimRight(s.opts.IssuerBase, "/") + "/" + poolID
}

// grant is what a completed sign-in is issued for.
type grant struct {
	pool     *Pool
	client   *AppClient
	user     *User
	authTime time.Time
	// family is the origin_jti to reuse (refresh); "" starts a new family.
	family string
	// withRefresh is false for REFRESH_TOKEN_AUTH (the refresh token stays).
	withRefresh bool
}

// issue signs id and access tokens (and stores a refresh token) for a grant. It takes
// p.mu itself, and signs outside it.
func (s *Service) issue(ctx context.Context, g grant) (*AuthenticationResultType, error) {
	key, err := s.signingKey(g.pool)
	if err != nil {
		return nil, err
	}
	now := s.now()
	accessTTL, idTTL, refreshTTL := g.client.tokenValidity()
	iss := s.Issuer(g.pool.id)

	p := g.pool
	p.mu.Lock()
	u := g.user
	family := g.family
	if family == "" {
		family = s.newUUID()
	}
	eventID := s.newUUID()
	sub, username := u.Sub, u.Username
	attrs := make(map[string]string, len(u.Attrs))
	for k, v := range u.Attrs {
		attrs[k] = v
	}
	gc := p.dir.claimsFor(u.Sub)
	var rt *refreshToken
	if g.withRefresh {
		rt = &refreshToken{
			token:    s.newOpaque(128),
			family:   family,
			clientID: g.client.id(),
			user:     u,
			authTime: g.authTime,
			expires:  now.Add(refreshTTL),
		}
		s.storeRefresh(p, rt)
	}
	p.mu.Unlock()

	common := func(c tokens.Claims, ttl time.Duration) tokens.Claims {
		c["sub"] = sub
		c["iss"] = iss
		c["origin_jti"] = family
		c["event_id"] = eventID
		c["auth_time"] = g.authTime.Unix()
		c["iat"] = now.Unix()
		c["exp"] = now.Add(ttl).Unix()
		c["jti"] = s.newUUID()
		return c
	}
	access := common(tokens.Claims{
		"client_id": g.client.id(),
		"token_use": "access",
		"scope":     "aws.cognito.signin.user.admin",
		"username":  username,
	}, accessTTL)
	id := common(tokens.Claims{
		"aud":              g.client.id(),
		"token_use":        "id",
		"cognito:username": username,
	}, idTTL)
	for k, v := range attrs {
		id[k] = claimValue(k, v)
	}
	gc.apply(id, access)
	if e := s.preTokenGeneration(ctx, g, username, attrs, gc, id, access); e != nil {
		return nil, e
	}
	at, err := key.Sign(access)
	if err != nil {
		return nil, err
	}
	it, err := key.Sign(id)
	if err != nil {
		return nil, err
	}
	res := &AuthenticationResultType{
		AccessToken: ptr(at),
		ExpiresIn:   int32(accessTTL / time.Second),
		IdToken:     ptr(it),
		TokenType:   ptr("Bearer"),
	}
	if rt != nil {
		res.RefreshToken = ptr(rt.token)
	}
	return res, nil
}

// claimValue types an attribute as the id token carries it.
func claimValue(name, v string) any {
	switch name {
	case "email_verified", "phone_number_verified":
		return v == "true"
	case "updated_at":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return v
}

// storeRefresh records a refresh token, dropping the user's oldest beyond the cap;
// now and then it sweeps expired ones. The caller holds p.mu.
func (s *Service) storeRefresh(p *Pool, rt *refreshToken) {
	p.refresh[rt.token] = rt
	u := rt.user
	u.refreshTokens = append(u.refreshTokens, rt.token)
	if n := len(u.refreshTokens) - maxRefreshPerUser; n > 0 {
		for _, old := range u.refreshTokens[:n] {
			delete(p.refresh, old)
		}
		u.refreshTokens = append(u.refreshTokens[:0], u.refreshTokens[n:]...)
	}
	if len(p.refresh)%4096 == 0 {
		now := s.now()
		for tok, r := range p.refresh {
			if now.After(r.expires) {
				delete(p.refresh, tok)
			}
		}
	}
}

// revoke records a revoked token family until its access tokens have all expired,
// sweeping families past that now and then so the set stays bounded. The caller
// holds p.mu.
func (s *Service) revoke(p *Pool, family string, until time.Time) {
	p.revoked[family] = until
	if len(p.revoked)%1024 == 0 {
		now := s.now()
		for f, t := range p.revoked {
			if now.After(t) {
				delete(p.revoked, f)
			}
		}
	}
}

// revokeUserTokens revokes every refresh token of u and the access tokens issued
// from them. The caller holds p.mu.
func (s *Service) revokeUserTokens(p *Pool, u *User) {
	until := s.now().Add(25 * time.Hour)
	for _, tok := range u.refreshTokens {
		if r := p.refresh[tok]; r != nil {
			s.revokeFamily(p, u, r.family, until)
			delete(p.refresh, tok)
		}
	}
	u.refreshTokens = nil
	// Only forward: revokeFamily may have set it past now.
	if now := s.now(); now.After(u.TokensValidAfter) {
		u.TokensValidAfter = now
	}
}

// accessClaims verifies an access token presented to an API and returns its pool,
// user and claims: NotAuthorizedException for a malformed, foreign, expired or
// revoked token.
func (s *Service) accessClaims(token string) (*Pool, *User, tokens.Claims, error) {
	bad := errNotAuthorized(msgInvalidToken)
	if token == "" {
		return nil, nil, nil, bad
	}
	// Find the pool by the iss claim (unverified), then verify under its key.
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, nil, nil, bad
	}
	poolID := unverifiedIssuerPool(parts[1])
	p, err := s.pool(poolID)
	if err != nil {
		return nil, nil, nil, bad
	}
	p.mu.Lock()
	key := p.key
	p.mu.Unlock()
	if key == nil {
		return nil, nil, nil, bad
	}
	c, err := key.Verify(token)
	if err != nil || c.String("token_use") != "access" || c.String("iss") != s.Issuer(p.id) {
		return nil, nil, nil, bad
	}
	now := s.now()
	if now.Unix() >= c.Int("exp") {
		return nil, nil, nil, errNotAuthorized(msgAccessExpired)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u := p.subs[c.String("sub")]
	if u == nil {
		return nil, nil, nil, errNotAuthorized("User does not exist.")
	}
	if _, revoked := p.revoked[c.String("origin_jti")]; revoked || c.Int("iat") < u.TokensValidAfter.Unix() {
		return nil, nil, nil, errNotAuthorized(msgAccessRevoked)
	}
	if !u.Enabled {
		return nil, nil, nil, errNotAuthorized(msgDisabled)
	}
	return p, u, c, nil
}

// JWKS returns a pool's JSON Web Key Set, making its key on first use.
func (s *Service) JWKS(poolID string) (map[string][]tokens.JWK, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, err
	}
	k, err := s.signingKey(p)
	if err != nil {
		return nil, err
	}
	return map[string][]tokens.JWK{"keys": {k.JWK()}}, nil
}
