package idp

import (
	"context"
)

// Resource servers: CreateResourceServer, DescribeResourceServer,
// UpdateResourceServer, DeleteResourceServer, ListResourceServers. They are stored
// and echoed; their scopes ("identifier/scope") are what app clients' AllowedOAuthScopes
// may name besides the standard ones (op_oauth.go checks that).
//
// Constraints from the API reference (CreateResourceServer, ResourceServerScopeType):
// Identifier 1–256 of [\x21\x23-\x5B\x5D-\x7E]+, Name 1–256 of [\w\s+=,.@-]+, at most
// 100 scopes, ScopeName 1–256 of [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+ (no "/"),
// ScopeDescription 1–256; ListResourceServers MaxResults 1–50.

func (s *Service) resourceServerOperations() map[string]Operation {
	return map[string]Operation{
		"CreateResourceServer":   op(s.CreateResourceServer),
		"DescribeResourceServer": op(s.DescribeResourceServer),
		"UpdateResourceServer":   op(s.UpdateResourceServer),
		"DeleteResourceServer":   op(s.DeleteResourceServer),
		"ListResourceServers":    op(s.ListResourceServers),
	}
}

// ResourceServerScopeType is one scope of a resource server.
type ResourceServerScopeType struct {
	ScopeName        string `json:"ScopeName" validate:"required,len=1:256,pattern=scopeName"`
	ScopeDescription string `json:"ScopeDescription" validate:"required,len=1:256"`
}

// ResourceServerType is a resource server as stored and returned.
type ResourceServerType struct {
	Identifier *string                   `json:"Identifier,omitempty"`
	Name       *string                   `json:"Name,omitempty"`
	Scopes     []ResourceServerScopeType `json:"Scopes,omitempty"`
	UserPoolId *string                   `json:"UserPoolId,omitempty"`
}

// ResourceServerInput is the input of CreateResourceServer and UpdateResourceServer
// (API reference, CreateResourceServer: Identifier 1–256 of
// [\x21\x23-\x5B\x5D-\x7E]+, Name 1–256 of [\w\s+=,.@-]+, at most 100 Scopes,
// each ScopeName 1–256 of [\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+ and
// ScopeDescription 1–256).
type ResourceServerInput struct {
	UserPoolId string                    `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Identifier string                    `json:"Identifier" validate:"required,len=1:256,pattern=rsIdentifier"`
	Name       string                    `json:"Name" validate:"required,len=1:256,pattern=poolName"`
	Scopes     []ResourceServerScopeType `json:"Scopes" validate:"len=:100"`
}

// check refuses what the tags cannot say: a scope name given twice.
func (in *ResourceServerInput) check() *Error {
	seen := map[string]bool{}
	for _, sc := range in.Scopes {
		if seen[sc.ScopeName] {
			// UNCONFIRMED (U12) wording.
			return errInvalidParameter("Duplicate scope names are not allowed.")
		}
		seen[sc.ScopeName] = true
	}
	return nil
}

// ResourceServerOutput carries one resource server.
type ResourceServerOutput struct {
	ResourceServer *ResourceServerType `json:"ResourceServer"`
}

func (in *ResourceServerInput) record() *ResourceServerType {
	scopes := append([]ResourceServerScopeType(nil), in.Scopes...)
	return &ResourceServerType{Identifier: ptr(in.Identifier), Name: ptr(in.Name), Scopes: scopes, UserPoolId: ptr(in.UserPoolId)}
}

// CreateResourceServer adds a resource server; an identifier already in use is
// InvalidParameterException (UNCONFIRMED (U12) wording).
func (s *Service) CreateResourceServer(_ context.Context, in *ResourceServerInput) (*ResourceServerOutput, error) {
	if e := in.check(); e != nil {
		return nil, e
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir.ResourceServers[in.Identifier] != nil {
		return nil, errInvalidParameter("%s already exists in user pool %s.", in.Identifier, p.id)
	}
	if e := s.roomForResourceServer(p); e != nil {
		return nil, e
	}
	rs := in.record()
	p.dir.ResourceServers[in.Identifier] = rs
	return &ResourceServerOutput{ResourceServer: rs}, nil
}

// ResourceServerRef names one resource server (API reference,
// DescribeResourceServer: Identifier 1–256 of [\x21\x23-\x5B\x5D-\x7E]+).
type ResourceServerRef struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Identifier string `json:"Identifier" validate:"required,len=1:256,pattern=rsIdentifier"`
}

// resourceServer finds a resource server; the caller holds p.mu.
func (p *Pool) resourceServer(id string) (*ResourceServerType, *Error) {
	rs := p.dir.ResourceServers[id]
	if rs == nil {
		// UNCONFIRMED (U12) wording; the error type is the API reference's.
		return nil, errResourceNotFound("Resource server %s does not exist.", id)
	}
	return rs, nil
}

// DescribeResourceServer returns one resource server.
func (s *Service) DescribeResourceServer(_ context.Context, in *ResourceServerRef) (*ResourceServerOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	rs, e := p.resourceServer(in.Identifier)
	if e != nil {
		return nil, e
	}
	return &ResourceServerOutput{ResourceServer: rs}, nil
}

// UpdateResourceServer replaces a resource server's name and scopes. Scopes left
// out are removed, as the API reference warns ("If you don't provide a value for an
// attribute, it is set to the default value").
func (s *Service) UpdateResourceServer(_ context.Context, in *ResourceServerInput) (*ResourceServerOutput, error) {
	if e := in.check(); e != nil {
		return nil, e
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, e := p.resourceServer(in.Identifier); e != nil {
		return nil, e
	}
	rs := in.record()
	p.dir.ResourceServers[in.Identifier] = rs
	return &ResourceServerOutput{ResourceServer: rs}, nil
}

// DeleteResourceServer removes a resource server.
func (s *Service) DeleteResourceServer(_ context.Context, in *ResourceServerRef) (*struct{}, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, e := p.resourceServer(in.Identifier); e != nil {
		return nil, e
	}
	delete(p.dir.ResourceServers, in.Identifier)
	return &struct{}{}, nil
}

// ListResourceServersInput is the input of ListResourceServers (API reference:
// MaxResults 1–50, NextToken 1–131072 of [\S]+).
type ListResourceServersInput struct {
	UserPoolId string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	MaxResults int32   `json:"MaxResults" validate:"range=1:50"`
	NextToken  *string `json:"NextToken" validate:"len=1:131072,pattern=code"`
}

// ListResourceServersOutput is the output of ListResourceServers.
type ListResourceServersOutput struct {
	ResourceServers []*ResourceServerType `json:"ResourceServers"`
	NextToken       *string               `json:"NextToken,omitempty"`
}

// ListResourceServers lists resource servers by identifier, MaxResults (1–50) at a
// time (50 when absent).
func (s *Service) ListResourceServers(_ context.Context, in *ListResourceServersInput) (*ListResourceServersOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	max := in.MaxResults
	if max == 0 {
		max = 50
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ids := make([]string, 0, len(p.dir.ResourceServers))
	for id := range p.dir.ResourceServers {
		ids = append(ids, id)
	}
	ids, next, e := page(ids, max, deref(in.NextToken), 50)
	if e != nil {
		return nil, e
	}
	out := &ListResourceServersOutput{ResourceServers: []*ResourceServerType{}, NextToken: next}
	for _, id := range ids {
		out.ResourceServers = append(out.ResourceServers, p.dir.ResourceServers[id])
	}
	return out, nil
}
