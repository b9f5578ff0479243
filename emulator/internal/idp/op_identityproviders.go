package idp

import (
	"context"
	"sort"
)

// Identity providers: CreateIdentityProvider, DescribeIdentityProvider,
// UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
// GetIdentityProviderByIdentifier. They are stored, validated and echoed as sent; no
// federation happens (the pool has no hosted UI). App clients may name them in
// SupportedIdentityProviders (op_oauth.go checks that they exist).
//
// Constraints from the API reference (CreateIdentityProvider): ProviderName 1–32 of
// [^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+, ProviderType one of SAML, Facebook,
// Google, LoginWithAmazon, SignInWithApple, OIDC; at most 50 IdpIdentifiers of 1–40
// characters of [\w\s+=.@-]+; ListIdentityProviders MaxResults 1–60. The developer
// guide's pages for each provider type list the ProviderDetails keys each requires.

func (s *Service) identityProviderOperations() map[string]Operation {
	return map[string]Operation{
		"CreateIdentityProvider":          op(s.CreateIdentityProvider),
		"DescribeIdentityProvider":        op(s.DescribeIdentityProvider),
		"UpdateIdentityProvider":          op(s.UpdateIdentityProvider),
		"DeleteIdentityProvider":          op(s.DeleteIdentityProvider),
		"ListIdentityProviders":           op(s.ListIdentityProviders),
		"GetIdentityProviderByIdentifier": op(s.GetIdentityProviderByIdentifier),
	}
}

// IdentityProviderType is an identity provider as stored and returned.
type IdentityProviderType struct {
	AttributeMapping map[string]string `json:"AttributeMapping,omitempty"`
	CreationDate     *Epoch            `json:"CreationDate,omitempty"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers,omitempty"`
	LastModifiedDate *Epoch            `json:"LastModifiedDate,omitempty"`
	ProviderDetails  map[string]string `json:"ProviderDetails,omitempty"`
	ProviderName     *string           `json:"ProviderName,omitempty"`
	ProviderType     *string           `json:"ProviderType,omitempty"`
	UserPoolId       *string           `json:"UserPoolId,omitempty"`
}

// TypeDuplicateProvider is the exception for a provider name or identifier in use
// (API reference, CreateIdentityProvider and UpdateIdentityProvider errors).
const TypeDuplicateProvider = "DuplicateProviderException"

// providerTypes are the values of ProviderType (the validate tags' enum).
var providerTypes = []string{"SAML", "Facebook", "Google", "LoginWithAmazon", "SignInWithApple", "OIDC"}

// requiredDetails lists the ProviderDetails keys each provider type needs (developer
// guide, "Adding social identity providers", "Adding OIDC identity providers",
// "Adding SAML identity providers"; CreateIdentityProvider's ProviderDetails).
var requiredDetails = map[string][]string{
	"Google":          {"client_id", "client_secret", "authorize_scopes"},
	"Facebook":        {"client_id", "client_secret", "authorize_scopes"},
	"LoginWithAmazon": {"client_id", "client_secret", "authorize_scopes"},
	"SignInWithApple": {"client_id", "team_id", "key_id", "private_key", "authorize_scopes"},
	"OIDC":            {"client_id", "attributes_request_method", "oidc_issuer", "authorize_scopes"},
}

func checkProviderDetails(typ string, d map[string]string) *Error {
	if typ == "SAML" {
		if d["MetadataURL"] == "" && d["MetadataFile"] == "" {
			// UNCONFIRMED (U13) wording.
			return errInvalidParameter("Either MetadataURL or MetadataFile must be provided for SAML provider.")
		}
		return nil
	}
	for _, k := range requiredDetails[typ] {
		if d[k] == "" {
			// UNCONFIRMED (U13) wording.
			return errInvalidParameter("%s is required for %s provider.", k, typ)
		}
	}
	return nil
}

// CreateIdentityProviderInput is the input of CreateIdentityProvider (API
// reference, CreateIdentityProvider: ProviderName 1–32 of ProviderNameTypeV2,
// ProviderType of the enumeration, AttributeMapping keys 1–32 and values at most
// 131072, IdpIdentifiers at most 50 of 1–40). ProviderDetails has no published
// bound: the emulator holds it to 50 entries, keys of 1–128 and values of at most
// 131072 (a SAML MetadataFile), and AttributeMapping to 100 entries
// (UNCONFIRMED (U26)).
type CreateIdentityProviderInput struct {
	UserPoolId       string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ProviderName     string            `json:"ProviderName" validate:"required,len=1:32,pattern=providerNameV2"`
	ProviderType     string            `json:"ProviderType" validate:"required,enum=providerType"`
	ProviderDetails  map[string]string `json:"ProviderDetails" validate:"required,len=:50,keys=1:128,values=0:131072"`
	AttributeMapping map[string]string `json:"AttributeMapping" validate:"len=:100,keys=1:32,values=0:131072"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers" validate:"len=:50,values=1:40,vpattern=idpIdentifier"`
}

// IdentityProviderOutput carries one identity provider.
type IdentityProviderOutput struct {
	IdentityProvider *IdentityProviderType `json:"IdentityProvider"`
}

// CreateIdentityProvider adds an identity provider. A social provider's name must
// be its type ("Google", …), as the developer guide says for social sign-in.
func (s *Service) CreateIdentityProvider(_ context.Context, in *CreateIdentityProviderInput) (*IdentityProviderOutput, error) {
	if in.ProviderType != "SAML" && in.ProviderType != "OIDC" && in.ProviderName != in.ProviderType {
		// UNCONFIRMED (U13) wording.
		return nil, errInvalidParameter("Provider name must be %s for %s provider type.", in.ProviderType, in.ProviderType)
	}
	if e := checkProviderDetails(in.ProviderType, in.ProviderDetails); e != nil {
		return nil, e
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir.Providers[in.ProviderName] != nil {
		// The error type is the API reference's; UNCONFIRMED (U13) wording.
		return nil, newErr(TypeDuplicateProvider, "A provider with the name %s already exists in this user pool.", in.ProviderName)
	}
	for _, id := range in.IdpIdentifiers {
		if p.providerByIdentifier(id) != nil {
			return nil, newErr(TypeDuplicateProvider, "The identifier %s is already used by another provider.", id)
		}
	}
	if e := s.roomForProvider(p); e != nil {
		return nil, e
	}
	now := s.now()
	ip := &IdentityProviderType{
		AttributeMapping: copyMap(in.AttributeMapping), CreationDate: epoch(now),
		IdpIdentifiers: append([]string(nil), in.IdpIdentifiers...), LastModifiedDate: epoch(now),
		ProviderDetails: copyMap(in.ProviderDetails), ProviderName: ptr(in.ProviderName),
		ProviderType: ptr(in.ProviderType), UserPoolId: ptr(p.id),
	}
	p.dir.Providers[in.ProviderName] = ip
	return &IdentityProviderOutput{IdentityProvider: ip}, nil
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// providerByIdentifier finds a provider by one of its IdpIdentifiers; the caller
// holds p.mu.
func (p *Pool) providerByIdentifier(id string) *IdentityProviderType {
	for _, ip := range p.dir.Providers {
		for _, x := range ip.IdpIdentifiers {
			if x == id {
				return ip
			}
		}
	}
	return nil
}

// ProviderRef names one identity provider (API reference, DescribeIdentityProvider
// and DeleteIdentityProvider: ProviderName 1–32 of [\p{L}\p{M}\p{S}\p{N}\p{P}]+).
type ProviderRef struct {
	UserPoolId   string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ProviderName string `json:"ProviderName" validate:"required,len=1:32,pattern=name"`
}

// provider finds an identity provider; the caller holds p.mu.
func (p *Pool) provider(name string) (*IdentityProviderType, *Error) {
	ip := p.dir.Providers[name]
	if ip == nil {
		// UNCONFIRMED (U13) wording; the error type is the API reference's.
		return nil, errResourceNotFound("Identity provider %s does not exist.", name)
	}
	return ip, nil
}

// DescribeIdentityProvider returns one identity provider.
func (s *Service) DescribeIdentityProvider(_ context.Context, in *ProviderRef) (*IdentityProviderOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ip, e := p.provider(in.ProviderName)
	if e != nil {
		return nil, e
	}
	return &IdentityProviderOutput{IdentityProvider: ip}, nil
}

// UpdateIdentityProviderInput is the input of UpdateIdentityProvider.
//
// API reference, UpdateIdentityProvider: ProviderName 1–32 of
// [\p{L}\p{M}\p{S}\p{N}\p{P}]+, and CreateIdentityProvider's bounds for the rest
// (UNCONFIRMED (U26) for ProviderDetails and the count of AttributeMapping).
type UpdateIdentityProviderInput struct {
	UserPoolId       string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	ProviderName     string            `json:"ProviderName" validate:"required,len=1:32,pattern=name"`
	ProviderDetails  map[string]string `json:"ProviderDetails" validate:"len=:50,keys=1:128,values=0:131072"`
	AttributeMapping map[string]string `json:"AttributeMapping" validate:"len=:100,keys=1:32,values=0:131072"`
	IdpIdentifiers   []string          `json:"IdpIdentifiers" validate:"len=:50,values=1:40,vpattern=idpIdentifier"`
}

// UpdateIdentityProvider replaces the members given and keeps the others.
func (s *Service) UpdateIdentityProvider(_ context.Context, in *UpdateIdentityProviderInput) (*IdentityProviderOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ip, e := p.provider(in.ProviderName)
	if e != nil {
		return nil, e
	}
	if in.ProviderDetails != nil {
		if e := checkProviderDetails(deref(ip.ProviderType), in.ProviderDetails); e != nil {
			return nil, e
		}
		ip.ProviderDetails = copyMap(in.ProviderDetails)
	}
	if in.AttributeMapping != nil {
		ip.AttributeMapping = copyMap(in.AttributeMapping)
	}
	if in.IdpIdentifiers != nil {
		for _, id := range in.IdpIdentifiers {
			if other := p.providerByIdentifier(id); other != nil && other != ip {
				return nil, newErr(TypeDuplicateProvider, "The identifier %s is already used by another provider.", id)
			}
		}
		ip.IdpIdentifiers = append([]string(nil), in.IdpIdentifiers...)
	}
	ip.LastModifiedDate = epoch(s.now())
	return &IdentityProviderOutput{IdentityProvider: ip}, nil
}

// DeleteIdentityProvider removes an identity provider.
func (s *Service) DeleteIdentityProvider(_ context.Context, in *ProviderRef) (*struct{}, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, e := p.provider(in.ProviderName); e != nil {
		return nil, e
	}
	delete(p.dir.Providers, in.ProviderName)
	return &struct{}{}, nil
}

// ListIdentityProvidersInput is the input of ListIdentityProviders.
//
// API reference, ListIdentityProviders: MaxResults 1–60, NextToken 1–131072 of
// [\S]+.
type ListIdentityProvidersInput struct {
	UserPoolId string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	MaxResults int32   `json:"MaxResults" validate:"range=1:60"`
	NextToken  *string `json:"NextToken" validate:"len=1:131072,pattern=code"`
}

// ProviderDescription is one row of ListIdentityProviders.
type ProviderDescription struct {
	CreationDate     *Epoch  `json:"CreationDate,omitempty"`
	LastModifiedDate *Epoch  `json:"LastModifiedDate,omitempty"`
	ProviderName     *string `json:"ProviderName,omitempty"`
	ProviderType     *string `json:"ProviderType,omitempty"`
}

// ListIdentityProvidersOutput is the output of ListIdentityProviders.
type ListIdentityProvidersOutput struct {
	Providers []ProviderDescription `json:"Providers"`
	NextToken *string               `json:"NextToken,omitempty"`
}

// ListIdentityProviders lists providers by name, MaxResults (1–60) at a time (60
// when absent).
func (s *Service) ListIdentityProviders(_ context.Context, in *ListIdentityProvidersInput) (*ListIdentityProvidersOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	max := in.MaxResults
	if max == 0 {
		max = 60
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.dir.Providers))
	for n := range p.dir.Providers {
		names = append(names, n)
	}
	sort.Strings(names)
	names, next, e := page(names, max, deref(in.NextToken), 60)
	if e != nil {
		return nil, e
	}
	out := &ListIdentityProvidersOutput{Providers: []ProviderDescription{}, NextToken: next}
	for _, n := range names {
		ip := p.dir.Providers[n]
		out.Providers = append(out.Providers, ProviderDescription{
			CreationDate: ip.CreationDate, LastModifiedDate: ip.LastModifiedDate,
			ProviderName: ip.ProviderName, ProviderType: ip.ProviderType,
		})
	}
	return out, nil
}

// GetIdentityProviderByIdentifierInput is the input of GetIdentityProviderByIdentifier.
//
// API reference, GetIdentityProviderByIdentifier: IdpIdentifier 1–40 of
// [\w\s+=.@-]+.
type GetIdentityProviderByIdentifierInput struct {
	UserPoolId    string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	IdpIdentifier string `json:"IdpIdentifier" validate:"required,len=1:40,pattern=idpIdentifier"`
}

// GetIdentityProviderByIdentifier finds a provider by one of its IdpIdentifiers.
func (s *Service) GetIdentityProviderByIdentifier(_ context.Context, in *GetIdentityProviderByIdentifierInput) (*IdentityProviderOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ip := p.providerByIdentifier(in.IdpIdentifier)
	if ip == nil {
		// UNCONFIRMED (U13) wording.
		return nil, errResourceNotFound("Identity provider with identifier %s does not exist.", in.IdpIdentifier)
	}
	return &IdentityProviderOutput{IdentityProvider: ip}, nil
}
