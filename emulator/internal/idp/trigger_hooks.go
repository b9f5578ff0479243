package idp

import (
	"context"
	"strings"

	"github.com/authbench/authbench/emulator/internal/tokens"
)

// The sign-in triggers other than custom auth's: PreAuthentication (may deny a
// sign-in before the password check's outcome is given), PostAuthentication (after
// success; an error fails the sign-in) and PreTokenGeneration (adds, overrides or
// suppresses claims). Each is a no-op for a pool whose LambdaConfig does not name it.

// preAuthentication runs the PreAuthentication trigger for a sign-in of u.
func (s *Service) preAuthentication(ctx context.Context, r authRequest, u *User) *Error {
	p := r.pool
	p.mu.Lock()
	arn := p.lambdas().arn(trigPreAuth)
	if arn == "" {
		p.mu.Unlock()
		return nil
	}
	attrs, name := triggerAttributes(u), u.Username
	p.mu.Unlock()
	ev := s.newEvent(p, r.client, name, "PreAuthentication_Authentication")
	ev.Request = struct {
		UserAttributes map[string]string `json:"userAttributes"`
		ValidationData map[string]string `json:"validationData,omitempty"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
		UserNotFound   bool              `json:"userNotFound"`
	}{attrs, r.meta, r.meta, false}
	ev.Response = struct{}{}
	return s.invoke(ctx, trigPreAuth, arn, ev, nil)
}

// postAuthentication runs the PostAuthentication trigger once u has signed in.
func (s *Service) postAuthentication(ctx context.Context, r authRequest, u *User, pr progress, newDevice bool) *Error {
	p := r.pool
	p.mu.Lock()
	arn := p.lambdas().arn(trigPostAuth)
	if arn == "" {
		p.mu.Unlock()
		return nil
	}
	attrs, name := triggerAttributes(u), u.Username
	p.mu.Unlock()
	ev := s.newEvent(p, r.client, name, "PostAuthentication_Authentication")
	ev.Request = struct {
		UserAttributes map[string]string `json:"userAttributes"`
		NewDeviceUsed  bool              `json:"newDeviceUsed"`
		ClientMetadata map[string]string `json:"clientMetadata,omitempty"`
	}{attrs, newDevice, pr.meta}
	ev.Response = struct{}{}
	return s.invoke(ctx, trigPostAuth, arn, ev, nil)
}

// claimOverrides is what a pre-token-generation trigger asks for one token.
type claimOverrides struct {
	ClaimsToAddOrOverride map[string]any `json:"claimsToAddOrOverride"`
	ClaimsToSuppress      []string       `json:"claimsToSuppress"`
	ScopesToAdd           []string       `json:"scopesToAdd"`
	ScopesToSuppress      []string       `json:"scopesToSuppress"`
}

type groupOverrides struct {
	GroupsToOverride   []string `json:"groupsToOverride"`
	IAMRolesToOverride []string `json:"iamRolesToOverride"`
	PreferredRole      *string  `json:"preferredRole"`
}

// preTokenResponse covers both event versions' responses.
type preTokenResponse struct {
	// Version 1.
	ClaimsOverrideDetails *struct {
		claimOverrides
		GroupOverrideDetails *groupOverrides `json:"groupOverrideDetails"`
	} `json:"claimsOverrideDetails"`
	// Versions 2 and 3.
	ClaimsAndScopeOverrideDetails *struct {
		IDTokenGeneration     *claimOverrides `json:"idTokenGeneration"`
		AccessTokenGeneration *claimOverrides `json:"accessTokenGeneration"`
		GroupOverrideDetails  *groupOverrides `json:"groupOverrideDetails"`
	} `json:"claimsAndScopeOverrideDetails"`
}

// protectedClaims cannot be added, overridden or suppressed by the trigger; Cognito
// ignores such requests (UNCONFIRMED (U9) whether it rejects them instead).
var protectedClaims = map[string]bool{
	"acr": true, "amr": true, "at_hash": true, "auth_time": true, "azp": true, "aud": true,
	"client_id": true, "cognito:username": true, "event_id": true, "exp": true, "iat": true,
	"identities": true, "iss": true, "jti": true, "nbf": true, "nonce": true, "origin_jti": true,
	"scope": true, "sub": true, "token_use": true, "username": true,
}

// preTokenGeneration runs the PreTokenGeneration trigger of a grant and applies its
// answer to the unsigned id and access claims. attrs are the user's attributes.
func (s *Service) preTokenGeneration(ctx context.Context, g grant, username string, attrs map[string]string, gc groupClaims, id, access tokens.Claims) *Error {
	p := g.pool
	p.mu.Lock()
	lc := p.lambdas()
	arn := lc.arn(trigPreToken)
	if arn == "" {
		p.mu.Unlock()
		return nil
	}
	version := lc.preTokenVersion()
	ua := triggerAttributes(g.user)
	p.mu.Unlock()
	for k, v := range attrs {
		ua[k] = v
	}
	source := "TokenGeneration_Authentication"
	if !g.withRefresh {
		source = "TokenGeneration_RefreshTokens"
	}
	ev := s.newEvent(p, g.client, username, source)
	ev.Version = version
	req := map[string]any{
		"userAttributes":     ua,
		"groupConfiguration": gc.event(),
	}
	if version != "1" {
		req["scopes"] = strings.Fields(access.String("scope"))
	}
	ev.Request = req
	if version == "1" {
		ev.Response = map[string]any{"claimsOverrideDetails": nil}
	} else {
		ev.Response = map[string]any{"claimsAndScopeOverrideDetails": nil}
	}
	var res preTokenResponse
	if e := s.invoke(ctx, trigPreToken, arn, ev, &res); e != nil {
		return e
	}
	var idOv, accessOv *claimOverrides
	var groups *groupOverrides
	if d := res.ClaimsOverrideDetails; d != nil {
		idOv, groups = &d.claimOverrides, d.GroupOverrideDetails
	}
	if d := res.ClaimsAndScopeOverrideDetails; d != nil && version != "1" {
		idOv, accessOv, groups = d.IDTokenGeneration, d.AccessTokenGeneration, d.GroupOverrideDetails
	}
	applyClaims(id, idOv)
	applyClaims(access, accessOv)
	if accessOv != nil {
		scopes := strings.Fields(access.String("scope"))
		for _, drop := range accessOv.ScopesToSuppress {
			scopes = without(scopes, drop)
		}
		for _, add := range accessOv.ScopesToAdd {
			if !contains(scopes, add) {
				scopes = append(scopes, add)
			}
		}
		access["scope"] = strings.Join(scopes, " ")
	}
	if groups != nil && groups.GroupsToOverride != nil {
		id["cognito:groups"] = groups.GroupsToOverride
		access["cognito:groups"] = groups.GroupsToOverride
		if groups.PreferredRole != nil {
			id["cognito:preferred_role"] = *groups.PreferredRole
		}
		if groups.IAMRolesToOverride != nil {
			id["cognito:roles"] = groups.IAMRolesToOverride
		}
	}
	return nil
}

func applyClaims(c tokens.Claims, ov *claimOverrides) {
	if ov == nil {
		return
	}
	for k, v := range ov.ClaimsToAddOrOverride {
		if !protectedClaims[k] && !strings.HasPrefix(k, "cognito:") {
			c[k] = normalizeClaim(v)
		}
	}
	for _, k := range ov.ClaimsToSuppress {
		if !protectedClaims[k] {
			delete(c, k)
		}
	}
}

// normalizeClaim turns JSON numbers decoded as float64 into integers when whole.
func normalizeClaim(v any) any {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return v
}

func without(list []string, s string) []string {
	out := list[:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}
