package idp

import (
	"context"
	"crypto/subtle"
)

// Refresh: InitiateAuth REFRESH_TOKEN_AUTH (and REFRESH_TOKEN) and
// GetTokensFromRefreshToken, which reach the same check.

// GetTokensFromRefreshToken: the refresh API that Amplify JS v6 (from 6.15 or so)
// calls instead of InitiateAuth REFRESH_TOKEN_AUTH, e.g. from
// fetchAuthSession({forceRefresh: true}) or when its tokens near expiry.
//
// The emulator does not model refresh token rotation (an app client's
// RefreshTokenRotation), so this is Cognito's behaviour with rotation off: new id and
// access tokens, no new refresh token, under the same rules as REFRESH_TOKEN_AUTH
// (the client must allow ALLOW_REFRESH_TOKEN_AUTH; the token must be live and the
// client's). A client with a secret takes it as ClientSecret, not a SECRET_HASH.

// GetTokensFromRefreshTokenInput is the input of GetTokensFromRefreshToken.
type GetTokensFromRefreshTokenInput struct {
	RefreshToken   string            `json:"RefreshToken" validate:"required,len=1:16384,sensitive"`
	ClientId       string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	ClientSecret   string            `json:"ClientSecret" validate:"len=1:64,sensitive"`
	DeviceKey      string            `json:"DeviceKey" validate:"len=1:55"`
	ClientMetadata map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// GetTokensFromRefreshTokenOutput is the output of GetTokensFromRefreshToken.
type GetTokensFromRefreshTokenOutput struct {
	AuthenticationResult *AuthenticationResultType `json:"AuthenticationResult,omitempty"`
}

// GetTokensFromRefreshToken issues new id and access tokens for a refresh token.
func (s *Service) GetTokensFromRefreshToken(ctx context.Context, in *GetTokensFromRefreshTokenInput) (*GetTokensFromRefreshTokenOutput, error) {
	p, c, err := s.poolForClient(in.ClientId)
	if err != nil {
		return nil, err
	}
	if !c.allows("ALLOW_REFRESH_TOKEN_AUTH") {
		return nil, errInvalidParameter("Auth flow not enabled for this client")
	}
	// The wording of these two is UNCONFIRMED (U2).
	if sec := c.secret(); sec != "" {
		if in.ClientSecret == "" {
			return nil, errNotAuthorized("Client " + c.id() + " is configured with secret but ClientSecret was not received")
		}
		if subtle.ConstantTimeCompare([]byte(in.ClientSecret), []byte(sec)) != 1 {
			return nil, errNotAuthorized("Unable to verify client secret for client " + c.id())
		}
	}
	out, err := s.refreshAuth(ctx, authRequest{
		flow: "REFRESH_TOKEN_AUTH", params: map[string]string{"REFRESH_TOKEN": in.RefreshToken},
		pool: p, client: c, secretChecked: true,
	})
	if err != nil {
		return nil, err
	}
	return &GetTokensFromRefreshTokenOutput{AuthenticationResult: out.AuthenticationResult}, nil
}

// refreshAuth runs REFRESH_TOKEN_AUTH: new id and access tokens for a live refresh
// token of the same client.
func (s *Service) refreshAuth(ctx context.Context, r authRequest) (*InitiateAuthOutput, error) {
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
	res, err := s.issue(ctx, grant{pool: p, client: r.client, user: u, authTime: rt.authTime, family: rt.family})
	if err != nil {
		return nil, err
	}
	return &InitiateAuthOutput{AuthenticationResult: res, ChallengeParameters: map[string]string{}}, nil
}
