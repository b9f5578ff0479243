package idp

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// App clients: CreateUserPoolClient, DescribeUserPoolClient, UpdateUserPoolClient,
// DeleteUserPoolClient and ListUserPoolClients.

// CreateUserPoolClientInput is the input of CreateUserPoolClient. Its constraints
// are the API reference's (CreateUserPoolClient request parameters): ClientName
// 1–128 of [\w\s+=,.@-]+; AccessTokenValidity and IdTokenValidity 1–86400,
// RefreshTokenValidity 0–315360000, AuthSessionValidity 3–15; AllowedOAuthFlows
// at most 3 of code, implicit, client_credentials; AllowedOAuthScopes at most 50 of
// 1–256 (ScopeType); CallbackURLs and LogoutURLs at most 100 of 1–1024
// (RedirectUrlType), DefaultRedirectURI one such URL; ReadAttributes and
// WriteAttributes of 1–2048 (ClientPermissionType); SupportedIdentityProviders of
// 1–32 (ProviderNameType); the enumerations. The reference gives no count for
// ReadAttributes, WriteAttributes, SupportedIdentityProviders and ExplicitAuthFlows:
// the emulator's are 100, 100, 50 and 9 (UNCONFIRMED (U25)).
type CreateUserPoolClientInput struct {
	UserPoolId                               string                  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ClientName                               string                  `json:"ClientName" validate:"required,len=1:128,pattern=poolName"`
	GenerateSecret                           bool                    `json:"GenerateSecret"`
	AccessTokenValidity                      *int32                  `json:"AccessTokenValidity" validate:"range=1:86400"`
	AllowedOAuthFlows                        []string                `json:"AllowedOAuthFlows" validate:"len=:3,enum=oauthFlow"`
	AllowedOAuthFlowsUserPoolClient          *bool                   `json:"AllowedOAuthFlowsUserPoolClient"`
	AllowedOAuthScopes                       []string                `json:"AllowedOAuthScopes" validate:"len=:50,values=1:256,vpattern=scope"`
	AnalyticsConfiguration                   json.RawMessage         `json:"AnalyticsConfiguration" validate:"len=:65536,shape=AnalyticsConfigurationType"`
	AuthSessionValidity                      *int32                  `json:"AuthSessionValidity" validate:"range=3:15"`
	CallbackURLs                             []string                `json:"CallbackURLs" validate:"len=:100,values=1:1024,vpattern=url"`
	DefaultRedirectURI                       *string                 `json:"DefaultRedirectURI" validate:"len=1:1024,pattern=url"`
	EnablePropagateAdditionalUserContextData *bool                   `json:"EnablePropagateAdditionalUserContextData"`
	EnableTokenRevocation                    *bool                   `json:"EnableTokenRevocation"`
	ExplicitAuthFlows                        []string                `json:"ExplicitAuthFlows" validate:"len=:9,enum=explicitAuthFlow"`
	IdTokenValidity                          *int32                  `json:"IdTokenValidity" validate:"range=1:86400"`
	LogoutURLs                               []string                `json:"LogoutURLs" validate:"len=:100,values=1:1024,vpattern=url"`
	PreventUserExistenceErrors               string                  `json:"PreventUserExistenceErrors" validate:"enum=preventUserExistence"`
	ReadAttributes                           []string                `json:"ReadAttributes" validate:"len=:100,values=1:2048"`
	RefreshTokenValidity                     int32                   `json:"RefreshTokenValidity" validate:"range=0:315360000"`
	SupportedIdentityProviders               []string                `json:"SupportedIdentityProviders" validate:"len=:50,values=1:32,vpattern=name"`
	TokenValidityUnits                       *TokenValidityUnitsType `json:"TokenValidityUnits"`
	WriteAttributes                          []string                `json:"WriteAttributes" validate:"len=:100,values=1:2048"`
}

// CreateUserPoolClientOutput is the output of CreateUserPoolClient.
type CreateUserPoolClientOutput struct {
	UserPoolClient *UserPoolClientType `json:"UserPoolClient"`
}

// applyClientSettings copies the settings CreateUserPoolClient and
// UpdateUserPoolClient share, with Cognito's defaults and range checks.
func applyClientSettings(c *UserPoolClientType, in *CreateUserPoolClientInput) *Error {
	if e := checkEnums("explicitAuthFlows", in.ExplicitAuthFlows, explicitFlows); e != nil {
		return e
	}
	legacy, current := 0, 0
	for _, f := range in.ExplicitAuthFlows {
		if strings.HasPrefix(f, "ALLOW_") {
			current++
		} else {
			legacy++
		}
	}
	if legacy > 0 && current > 0 {
		// API reference (UserPoolClientType.ExplicitAuthFlows): values with the
		// ALLOW_ prefix cannot be used along with values without it. UNCONFIRMED (U10)
		// wording.
		return errInvalidParameter("ExplicitAuthFlows cannot mix values with and without the ALLOW_ prefix.")
	}
	if e := checkEnumValue("preventUserExistenceErrors", in.PreventUserExistenceErrors, preventOptions); e != nil {
		return e
	}
	if v := in.AuthSessionValidity; v != nil && *v > 15 {
		return errValidation("authSessionValidity", "Member must have value less than or equal to 15", *v)
	}
	if v := in.AuthSessionValidity; v != nil && *v < 3 {
		return errValidation("authSessionValidity", "Member must have value greater than or equal to 3", *v)
	}
	if u := in.TokenValidityUnits; u != nil {
		for m, v := range map[string]string{"tokenValidityUnits.accessToken": u.AccessToken, "tokenValidityUnits.idToken": u.IdToken, "tokenValidityUnits.refreshToken": u.RefreshToken} {
			if e := checkEnumValue(m, v, timeUnits); e != nil {
				return e
			}
		}
	}
	c.ClientName = ptr(in.ClientName)
	c.AllowedOAuthFlows = in.AllowedOAuthFlows
	c.AllowedOAuthFlowsUserPoolClient = in.AllowedOAuthFlowsUserPoolClient
	if c.AllowedOAuthFlowsUserPoolClient == nil {
		c.AllowedOAuthFlowsUserPoolClient = ptr(false)
	}
	c.AllowedOAuthScopes = in.AllowedOAuthScopes
	c.AnalyticsConfiguration = in.AnalyticsConfiguration
	c.AuthSessionValidity = in.AuthSessionValidity
	if c.AuthSessionValidity == nil {
		c.AuthSessionValidity = ptr[int32](3)
	}
	c.CallbackURLs = in.CallbackURLs
	c.DefaultRedirectURI = in.DefaultRedirectURI
	c.EnablePropagateAdditionalUserContextData = in.EnablePropagateAdditionalUserContextData
	if c.EnablePropagateAdditionalUserContextData == nil {
		c.EnablePropagateAdditionalUserContextData = ptr(false)
	}
	c.EnableTokenRevocation = in.EnableTokenRevocation
	if c.EnableTokenRevocation == nil {
		c.EnableTokenRevocation = ptr(true)
	}
	c.ExplicitAuthFlows = in.ExplicitAuthFlows
	c.LogoutURLs = in.LogoutURLs
	c.PreventUserExistenceErrors = in.PreventUserExistenceErrors
	if c.PreventUserExistenceErrors == "" {
		// Developer guide, "Managing user existence error responses": "When you
		// create a new app client with the Amazon Cognito user pools API,
		// PreventUserExistenceErrors is LEGACY, or disabled, by default." The API
		// reference of UpdateUserPoolClient: "Defaults to LEGACY."
		c.PreventUserExistenceErrors = "LEGACY"
	}
	c.ReadAttributes = in.ReadAttributes
	c.WriteAttributes = in.WriteAttributes
	c.SupportedIdentityProviders = in.SupportedIdentityProviders
	c.AccessTokenValidity = in.AccessTokenValidity
	c.IdTokenValidity = in.IdTokenValidity
	c.RefreshTokenValidity = in.RefreshTokenValidity
	c.TokenValidityUnits = in.TokenValidityUnits
	if c.TokenValidityUnits == nil {
		c.TokenValidityUnits = &TokenValidityUnitsType{}
	}
	u := c.TokenValidityUnits
	if c.AccessTokenValidity == nil {
		c.AccessTokenValidity, u.AccessToken = ptr[int32](60), "minutes"
	} else if u.AccessToken == "" {
		u.AccessToken = "hours"
	}
	if c.IdTokenValidity == nil {
		c.IdTokenValidity, u.IdToken = ptr[int32](60), "minutes"
	} else if u.IdToken == "" {
		u.IdToken = "hours"
	}
	if c.RefreshTokenValidity == 0 {
		c.RefreshTokenValidity, u.RefreshToken = 30, "days"
	} else if u.RefreshToken == "" {
		u.RefreshToken = "days"
	}
	access := time.Duration(*c.AccessTokenValidity) * unitDuration(u.AccessToken, time.Hour)
	id := time.Duration(*c.IdTokenValidity) * unitDuration(u.IdToken, time.Hour)
	refresh := time.Duration(c.RefreshTokenValidity) * unitDuration(u.RefreshToken, 24*time.Hour)
	if access < 5*time.Minute || access > 24*time.Hour {
		return errInvalidParameter("Invalid range for token validity.")
	}
	if id < 5*time.Minute || id > 24*time.Hour {
		return errInvalidParameter("Invalid range for token validity.")
	}
	if refresh < time.Hour || refresh > 3650*24*time.Hour {
		return errInvalidParameter("Invalid range for token validity.")
	}
	return nil
}

// CreateUserPoolClient creates an app client, with a secret if asked.
func (s *Service) CreateUserPoolClient(ctx context.Context, in *CreateUserPoolClientInput) (*CreateUserPoolClientOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	now := s.now()
	c := UserPoolClientType{
		ClientId:         ptr(s.randString(26, lowerAlnum)),
		CreationDate:     epoch(now),
		LastModifiedDate: epoch(now),
		UserPoolId:       ptr(p.id),
	}
	if in.GenerateSecret {
		c.ClientSecret = ptr(s.randString(51, lowerAlnum))
	}
	if e := applyClientSettings(&c, in); e != nil {
		return nil, e
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.checkClientOAuth(in); e != nil {
		return nil, e
	}
	if e := s.roomForClient(p); e != nil {
		return nil, e
	}
	p.clients[*c.ClientId] = &AppClient{cfg: c}
	return &CreateUserPoolClientOutput{UserPoolClient: &c}, nil
}

// DescribeUserPoolClientInput is the input of DescribeUserPoolClient.
type DescribeUserPoolClientInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ClientId   string `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
}

// DescribeUserPoolClientOutput is the output of DescribeUserPoolClient.
type DescribeUserPoolClientOutput struct {
	UserPoolClient *UserPoolClientType `json:"UserPoolClient"`
}

func (s *Service) client(poolID, clientID string) (*Pool, *AppClient, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, nil, err
	}
	p.mu.Lock()
	c := p.clients[clientID]
	p.mu.Unlock()
	if c == nil {
		return nil, nil, errResourceNotFound("User pool client %s does not exist.", clientID)
	}
	return p, c, nil
}

// DescribeUserPoolClient describes an app client, secret included.
func (s *Service) DescribeUserPoolClient(ctx context.Context, in *DescribeUserPoolClientInput) (*DescribeUserPoolClientOutput, error) {
	p, c, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	out := c.cfg
	p.mu.Unlock()
	return &DescribeUserPoolClientOutput{UserPoolClient: &out}, nil
}

// UpdateUserPoolClientInput is the input of UpdateUserPoolClient.
//
// The settings it shares with CreateUserPoolClient are checked by
// CreateUserPoolClientInput's tags; UserPoolId and ClientName (optional here) are
// this struct's own (API reference, UpdateUserPoolClient).
type UpdateUserPoolClientInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ClientId   string `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	CreateUserPoolClientInput
	ClientName string `json:"ClientName" validate:"len=1:128,pattern=poolName"`
}

// UpdateUserPoolClientOutput is the output of UpdateUserPoolClient.
type UpdateUserPoolClientOutput struct {
	UserPoolClient *UserPoolClientType `json:"UserPoolClient"`
}

// UpdateUserPoolClient replaces an app client's settings; unset ones go back to
// their defaults, as in Cognito.
func (s *Service) UpdateUserPoolClient(ctx context.Context, in *UpdateUserPoolClientInput) (*UpdateUserPoolClientOutput, error) {
	in.CreateUserPoolClientInput.UserPoolId = in.UserPoolId
	p, c, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cfg := UserPoolClientType{
		ClientId: c.cfg.ClientId, ClientSecret: c.cfg.ClientSecret,
		CreationDate: c.cfg.CreationDate, UserPoolId: c.cfg.UserPoolId,
	}
	name := in.ClientName
	if name == "" {
		name = deref(c.cfg.ClientName)
	}
	in.CreateUserPoolClientInput.ClientName = name
	if e := applyClientSettings(&cfg, &in.CreateUserPoolClientInput); e != nil {
		return nil, e
	}
	if e := p.checkClientOAuth(&in.CreateUserPoolClientInput); e != nil {
		return nil, e
	}
	cfg.LastModifiedDate = epoch(s.now())
	c.cfg = cfg
	return &UpdateUserPoolClientOutput{UserPoolClient: &cfg}, nil
}

// DeleteUserPoolClientInput is the input of DeleteUserPoolClient.
type DeleteUserPoolClientInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ClientId   string `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
}

// DeleteUserPoolClientOutput is the output of DeleteUserPoolClient.
type DeleteUserPoolClientOutput struct{}

// DeleteUserPoolClient deletes an app client.
func (s *Service) DeleteUserPoolClient(ctx context.Context, in *DeleteUserPoolClientInput) (*DeleteUserPoolClientOutput, error) {
	p, _, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	delete(p.clients, in.ClientId)
	p.mu.Unlock()
	return &DeleteUserPoolClientOutput{}, nil
}

// ListUserPoolClientsInput is the input of ListUserPoolClients (API reference:
// MaxResults 1–60, NextToken 1–131072 of [\S]+).
type ListUserPoolClientsInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	MaxResults int32  `json:"MaxResults" validate:"range=1:60"`
	NextToken  string `json:"NextToken" validate:"len=1:131072,pattern=code"`
}

// UserPoolClientDescription is an app client in a listing.
type UserPoolClientDescription struct {
	ClientId   *string `json:"ClientId,omitempty"`
	ClientName *string `json:"ClientName,omitempty"`
	UserPoolId *string `json:"UserPoolId,omitempty"`
}

// ListUserPoolClientsOutput is the output of ListUserPoolClients.
type ListUserPoolClientsOutput struct {
	NextToken       *string                     `json:"NextToken,omitempty"`
	UserPoolClients []UserPoolClientDescription `json:"UserPoolClients"`
}

// ListUserPoolClients lists a pool's app clients.
func (s *Service) ListUserPoolClients(ctx context.Context, in *ListUserPoolClientsInput) (*ListUserPoolClientsOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if in.MaxResults == 0 {
		in.MaxResults = 60
	}
	p.mu.Lock()
	ids := make([]string, 0, len(p.clients))
	for id := range p.clients {
		ids = append(ids, id)
	}
	p.mu.Unlock()
	ids, next, e := page(ids, in.MaxResults, in.NextToken, 60)
	if e != nil {
		return nil, e
	}
	out := &ListUserPoolClientsOutput{NextToken: next, UserPoolClients: []UserPoolClientDescription{}}
	p.mu.Lock()
	for _, id := range ids {
		if c := p.clients[id]; c != nil {
			out.UserPoolClients = append(out.UserPoolClients, UserPoolClientDescription{ClientId: c.cfg.ClientId, ClientName: c.cfg.ClientName, UserPoolId: ptr(p.id)})
		}
	}
	p.mu.Unlock()
	return out, nil
}
