package idp

import (
	"context"
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Provisioning: user pools and app clients.

// CreateUserPoolInput is the input of CreateUserPool.
type CreateUserPoolInput struct {
	PoolName                    string                     `json:"PoolName" validate:"required"`
	AccountRecoverySetting      json.RawMessage            `json:"AccountRecoverySetting"`
	AdminCreateUserConfig       *AdminCreateUserConfigType `json:"AdminCreateUserConfig"`
	AliasAttributes             []string                   `json:"AliasAttributes"`
	AutoVerifiedAttributes      []string                   `json:"AutoVerifiedAttributes"`
	DeletionProtection          string                     `json:"DeletionProtection"`
	DeviceConfiguration         *DeviceConfigurationType   `json:"DeviceConfiguration"`
	EmailConfiguration          json.RawMessage            `json:"EmailConfiguration"`
	EmailVerificationMessage    *string                    `json:"EmailVerificationMessage"`
	EmailVerificationSubject    *string                    `json:"EmailVerificationSubject"`
	LambdaConfig                json.RawMessage            `json:"LambdaConfig"`
	MfaConfiguration            string                     `json:"MfaConfiguration"`
	Policies                    *UserPoolPolicyType        `json:"Policies"`
	Schema                      []SchemaAttributeType      `json:"Schema"`
	SmsAuthenticationMessage    *string                    `json:"SmsAuthenticationMessage"`
	SmsConfiguration            json.RawMessage            `json:"SmsConfiguration"`
	SmsVerificationMessage      *string                    `json:"SmsVerificationMessage"`
	UserAttributeUpdateSettings json.RawMessage            `json:"UserAttributeUpdateSettings"`
	UserPoolAddOns              json.RawMessage            `json:"UserPoolAddOns"`
	UserPoolTags                map[string]string          `json:"UserPoolTags"`
	UserPoolTier                string                     `json:"UserPoolTier"`
	UsernameAttributes          []string                   `json:"UsernameAttributes"`
	UsernameConfiguration       *UsernameConfigurationType `json:"UsernameConfiguration"`
	VerificationMessageTemplate json.RawMessage            `json:"VerificationMessageTemplate"`
}

// CreateUserPoolOutput is the output of CreateUserPool.
type CreateUserPoolOutput struct {
	UserPool *UserPoolType `json:"UserPool"`
}

// standardAttributes are the attributes every pool has, in Cognito's order.
var standardAttributes = []struct {
	name, typ string
}{
	{"sub", "String"}, {"name", "String"}, {"given_name", "String"}, {"family_name", "String"},
	{"middle_name", "String"}, {"nickname", "String"}, {"preferred_username", "String"},
	{"profile", "String"}, {"picture", "String"}, {"website", "String"}, {"email", "String"},
	{"email_verified", "Boolean"}, {"gender", "String"}, {"birthdate", "String"},
	{"zoneinfo", "String"}, {"locale", "String"}, {"phone_number", "String"},
	{"phone_number_verified", "Boolean"}, {"address", "String"}, {"updated_at", "Number"},
}

var (
	mfaModes       = []string{"OFF", "ON", "OPTIONAL"}
	verifiedAttrs  = []string{"email", "phone_number"}
	aliasAttrs     = []string{"email", "phone_number", "preferred_username"}
	usernameAttrs  = []string{"email", "phone_number"}
	explicitFlows  = []string{"ADMIN_NO_SRP_AUTH", "CUSTOM_AUTH_FLOW_ONLY", "USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"}
	preventOptions = []string{"LEGACY", "ENABLED"}
	timeUnits      = []string{"seconds", "minutes", "hours", "days"}
)

func checkEnum(member, value string, allowed []string) *Error {
	if value == "" || contains(allowed, value) {
		return nil
	}
	return errValidation(member, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]", value)
}

func checkEnums(member string, values, allowed []string) *Error {
	for _, v := range values {
		if e := checkEnum(member, v, allowed); e != nil {
			return e
		}
	}
	return nil
}

// buildSchema returns the pool's schema: the standard attributes with the requested
// changes (Required, Mutable, constraints), then the custom attributes.
func buildSchema(req []SchemaAttributeType) ([]SchemaAttributeType, *Error) {
	byName := map[string]SchemaAttributeType{}
	var out []SchemaAttributeType
	for _, sa := range standardAttributes {
		a := SchemaAttributeType{
			AttributeDataType:      sa.typ,
			DeveloperOnlyAttribute: ptr(false),
			Mutable:                ptr(sa.name != "sub"),
			Name:                   ptr(sa.name),
			Required:               ptr(sa.name == "sub"),
		}
		if sa.typ == "String" {
			a.StringAttributeConstraints = &StringAttributeConstraintsType{MinLength: ptr("0"), MaxLength: ptr("2048")}
			if sa.name == "sub" {
				a.StringAttributeConstraints.MinLength = ptr("1")
			}
		}
		if sa.typ == "Number" {
			a.NumberAttributeConstraints = &NumberAttributeConstraintsType{MinValue: ptr("0")}
		}
		byName[sa.name] = a
		out = append(out, a)
	}
	for _, r := range req {
		name := deref(r.Name)
		if name == "" {
			return nil, errInvalidParameter("Attribute name is required.")
		}
		if std, ok := byName[name]; ok {
			if name == "sub" {
				continue
			}
			if r.Required != nil {
				std.Required = r.Required
			}
			if r.Mutable != nil {
				std.Mutable = r.Mutable
			}
			if r.StringAttributeConstraints != nil {
				std.StringAttributeConstraints = r.StringAttributeConstraints
			}
			for i := range out {
				if deref(out[i].Name) == name {
					out[i] = std
				}
			}
			continue
		}
		if deref(r.Required) {
			return nil, errInvalidParameter("Required custom attributes are not supported currently.")
		}
		c := r
		c.Name = ptr("custom:" + strings.TrimPrefix(name, "custom:"))
		if c.AttributeDataType == "" {
			c.AttributeDataType = "String"
		}
		if c.Mutable == nil {
			c.Mutable = ptr(true)
		}
		c.Required = ptr(false)
		if c.DeveloperOnlyAttribute == nil {
			c.DeveloperOnlyAttribute = ptr(false)
		}
		out = append(out, c)
	}
	return out, nil
}

func defaultPasswordPolicy() *PasswordPolicyType {
	return &PasswordPolicyType{
		MinimumLength: ptr[int32](8), RequireLowercase: true, RequireNumbers: true,
		RequireSymbols: true, RequireUppercase: true, TemporaryPasswordValidityDays: 7,
	}
}

// applyPoolSettings copies the settings CreateUserPool and UpdateUserPool share.
func applyPoolSettings(cfg *UserPoolType, in *CreateUserPoolInput) *Error {
	if e := checkEnum("mfaConfiguration", in.MfaConfiguration, mfaModes); e != nil {
		return e
	}
	if e := checkEnums("autoVerifiedAttributes", in.AutoVerifiedAttributes, verifiedAttrs); e != nil {
		return e
	}
	if e := checkEnum("deletionProtection", in.DeletionProtection, []string{"ACTIVE", "INACTIVE"}); e != nil {
		return e
	}
	cfg.AccountRecoverySetting = in.AccountRecoverySetting
	cfg.AdminCreateUserConfig = in.AdminCreateUserConfig
	if cfg.AdminCreateUserConfig == nil {
		cfg.AdminCreateUserConfig = &AdminCreateUserConfigType{UnusedAccountValidityDays: 7}
	}
	cfg.AutoVerifiedAttributes = in.AutoVerifiedAttributes
	cfg.DeletionProtection = in.DeletionProtection
	if cfg.DeletionProtection == "" {
		cfg.DeletionProtection = "INACTIVE"
	}
	cfg.DeviceConfiguration = in.DeviceConfiguration
	cfg.EmailConfiguration = in.EmailConfiguration
	cfg.EmailVerificationMessage = in.EmailVerificationMessage
	cfg.EmailVerificationSubject = in.EmailVerificationSubject
	cfg.LambdaConfig = in.LambdaConfig
	cfg.MfaConfiguration = in.MfaConfiguration
	if cfg.MfaConfiguration == "" {
		cfg.MfaConfiguration = "OFF"
	}
	cfg.Policies = in.Policies
	if cfg.Policies == nil {
		cfg.Policies = &UserPoolPolicyType{}
	}
	if cfg.Policies.PasswordPolicy == nil {
		cfg.Policies.PasswordPolicy = defaultPasswordPolicy()
	}
	pp := cfg.Policies.PasswordPolicy
	if pp.MinimumLength == nil {
		pp.MinimumLength = ptr[int32](8)
	}
	if m := *pp.MinimumLength; m < 6 || m > 99 {
		return errValidation("policies.passwordPolicy.minimumLength", "Member must have value between 6 and 99", m)
	}
	if pp.TemporaryPasswordValidityDays == 0 {
		pp.TemporaryPasswordValidityDays = 7
	}
	cfg.SmsAuthenticationMessage = in.SmsAuthenticationMessage
	cfg.SmsConfiguration = in.SmsConfiguration
	cfg.SmsVerificationMessage = in.SmsVerificationMessage
	cfg.UserAttributeUpdateSettings = in.UserAttributeUpdateSettings
	cfg.UserPoolAddOns = in.UserPoolAddOns
	cfg.UserPoolTags = in.UserPoolTags
	cfg.UserPoolTier = in.UserPoolTier
	if cfg.UserPoolTier == "" {
		cfg.UserPoolTier = "ESSENTIALS"
	}
	cfg.VerificationMessageTemplate = in.VerificationMessageTemplate
	return nil
}

// CreateUserPool creates a pool.
func (s *Service) CreateUserPool(_ context.Context, in *CreateUserPoolInput) (*CreateUserPoolOutput, error) {
	if n := len(in.PoolName); n > 128 {
		return nil, errValidation("poolName", "Member must have length less than or equal to 128", in.PoolName)
	}
	if e := checkEnums("aliasAttributes", in.AliasAttributes, aliasAttrs); e != nil {
		return nil, e
	}
	if e := checkEnums("usernameAttributes", in.UsernameAttributes, usernameAttrs); e != nil {
		return nil, e
	}
	if len(in.AliasAttributes) > 0 && len(in.UsernameAttributes) > 0 {
		return nil, errInvalidParameter("Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.")
	}
	schema, e := buildSchema(in.Schema)
	if e != nil {
		return nil, e
	}
	now := s.now()
	id := s.opts.Region + "_" + s.randString(9, alnum)
	cfg := UserPoolType{
		AliasAttributes:       in.AliasAttributes,
		Arn:                   ptr("arn:aws:cognito-idp:" + s.opts.Region + ":000000000000:userpool/" + id),
		CreationDate:          epoch(now),
		Id:                    ptr(id),
		LastModifiedDate:      epoch(now),
		Name:                  ptr(in.PoolName),
		SchemaAttributes:      schema,
		UsernameAttributes:    in.UsernameAttributes,
		UsernameConfiguration: in.UsernameConfiguration,
	}
	if e := applyPoolSettings(&cfg, in); e != nil {
		return nil, e
	}
	realm := id[strings.IndexByte(id, '_')+1:]
	p := &Pool{
		id: id, realm: realm, cfg: cfg,
		clients:  map[string]*AppClient{},
		users:    map[string]*User{},
		subs:     map[string]*User{},
		byAttr:   map[string]*User{},
		sessions: map[string]*session{},
		refresh:  map[string]*refreshToken{},
		revoked:  map[string]time.Time{},
		secret:   s.randBytes(32),
	}
	p.mfa.fromPoolSettings(cfg.MfaConfiguration)
	s.mu.Lock()
	s.pools[id] = p
	s.mu.Unlock()
	out := p.describe()
	return &CreateUserPoolOutput{UserPool: &out}, nil
}

// describe returns the pool's description. The caller need not hold p.mu.
func (p *Pool) describe() UserPoolType {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.cfg
	out.EstimatedNumberOfUsers = int32(len(p.users))
	return out
}

// DescribeUserPoolInput is the input of DescribeUserPool.
type DescribeUserPoolInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required"`
}

// DescribeUserPoolOutput is the output of DescribeUserPool.
type DescribeUserPoolOutput struct {
	UserPool *UserPoolType `json:"UserPool"`
}

// DescribeUserPool describes a pool.
func (s *Service) DescribeUserPool(_ context.Context, in *DescribeUserPoolInput) (*DescribeUserPoolOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	out := p.describe()
	return &DescribeUserPoolOutput{UserPool: &out}, nil
}

// UpdateUserPoolInput is the input of UpdateUserPool. As in Cognito, settings it does
// not carry go back to their defaults.
type UpdateUserPoolInput struct {
	UserPoolId          string `json:"UserPoolId" validate:"required"`
	CreateUserPoolInput `validate:"-"`
	PoolName            string `json:"PoolName"`
}

// UpdateUserPoolOutput is the output of UpdateUserPool.
type UpdateUserPoolOutput struct{}

// UpdateUserPool replaces a pool's settings.
func (s *Service) UpdateUserPool(_ context.Context, in *UpdateUserPoolInput) (*UpdateUserPoolOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	cfg := p.cfg
	if e := applyPoolSettings(&cfg, &in.CreateUserPoolInput); e != nil {
		return nil, e
	}
	if in.PoolName != "" {
		cfg.Name = ptr(in.PoolName)
	}
	cfg.LastModifiedDate = epoch(s.now())
	p.cfg = cfg
	p.mfa.fromPoolSettings(cfg.MfaConfiguration)
	return &UpdateUserPoolOutput{}, nil
}

// ListUserPoolsInput is the input of ListUserPools.
type ListUserPoolsInput struct {
	MaxResults int32  `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
}

// UserPoolDescriptionType is a pool in a listing.
type UserPoolDescriptionType struct {
	CreationDate     *Epoch          `json:"CreationDate,omitempty"`
	Id               *string         `json:"Id,omitempty"`
	LambdaConfig     json.RawMessage `json:"LambdaConfig,omitempty"`
	LastModifiedDate *Epoch          `json:"LastModifiedDate,omitempty"`
	Name             *string         `json:"Name,omitempty"`
}

// ListUserPoolsOutput is the output of ListUserPools.
type ListUserPoolsOutput struct {
	NextToken *string                   `json:"NextToken,omitempty"`
	UserPools []UserPoolDescriptionType `json:"UserPools"`
}

// page returns the slice of sorted keys a paginated listing shows and the next token.
func page(keys []string, max int32, next string, limit int32) ([]string, *string, *Error) {
	if max < 1 || max > limit {
		return nil, nil, errValidation("maxResults", "Member must have value less than or equal to "+strconv.Itoa(int(limit))+" and greater than or equal to 1", max)
	}
	sort.Strings(keys)
	start := 0
	if next != "" {
		start = sort.SearchStrings(keys, next)
		if start == len(keys) || keys[start] != next {
			return nil, nil, errInvalidParameter("Invalid pagination token.")
		}
	}
	end := min(start+int(max), len(keys))
	var tok *string
	if end < len(keys) {
		tok = ptr(keys[end])
	}
	return keys[start:end], tok, nil
}

// ListUserPools lists pools, MaxResults (1–60) at a time.
func (s *Service) ListUserPools(_ context.Context, in *ListUserPoolsInput) (*ListUserPoolsOutput, error) {
	s.mu.RLock()
	ids := make([]string, 0, len(s.pools))
	for id := range s.pools {
		ids = append(ids, id)
	}
	s.mu.RUnlock()
	ids, next, e := page(ids, in.MaxResults, in.NextToken, 60)
	if e != nil {
		return nil, e
	}
	out := &ListUserPoolsOutput{NextToken: next, UserPools: []UserPoolDescriptionType{}}
	for _, id := range ids {
		p, err := s.pool(id)
		if err != nil {
			continue // deleted meanwhile
		}
		d := p.describe()
		out.UserPools = append(out.UserPools, UserPoolDescriptionType{
			CreationDate: d.CreationDate, Id: d.Id, LambdaConfig: d.LambdaConfig,
			LastModifiedDate: d.LastModifiedDate, Name: d.Name,
		})
	}
	return out, nil
}

// DeleteUserPoolInput is the input of DeleteUserPool.
type DeleteUserPoolInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required"`
}

// DeleteUserPoolOutput is the output of DeleteUserPool.
type DeleteUserPoolOutput struct{}

// DeleteUserPool deletes a pool unless its deletion protection is on.
func (s *Service) DeleteUserPool(_ context.Context, in *DeleteUserPoolInput) (*DeleteUserPoolOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	protected := p.cfg.DeletionProtection == "ACTIVE"
	p.mu.Unlock()
	if protected {
		return nil, errInvalidParameter("The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.")
	}
	s.mu.Lock()
	delete(s.pools, in.UserPoolId)
	s.mu.Unlock()
	return &DeleteUserPoolOutput{}, nil
}

// CreateUserPoolClientInput is the input of CreateUserPoolClient.
type CreateUserPoolClientInput struct {
	UserPoolId                               string                  `json:"UserPoolId" validate:"required"`
	ClientName                               string                  `json:"ClientName" validate:"required"`
	GenerateSecret                           bool                    `json:"GenerateSecret"`
	AccessTokenValidity                      *int32                  `json:"AccessTokenValidity"`
	AllowedOAuthFlows                        []string                `json:"AllowedOAuthFlows"`
	AllowedOAuthFlowsUserPoolClient          *bool                   `json:"AllowedOAuthFlowsUserPoolClient"`
	AllowedOAuthScopes                       []string                `json:"AllowedOAuthScopes"`
	AnalyticsConfiguration                   json.RawMessage         `json:"AnalyticsConfiguration"`
	AuthSessionValidity                      *int32                  `json:"AuthSessionValidity"`
	CallbackURLs                             []string                `json:"CallbackURLs"`
	DefaultRedirectURI                       *string                 `json:"DefaultRedirectURI"`
	EnablePropagateAdditionalUserContextData *bool                   `json:"EnablePropagateAdditionalUserContextData"`
	EnableTokenRevocation                    *bool                   `json:"EnableTokenRevocation"`
	ExplicitAuthFlows                        []string                `json:"ExplicitAuthFlows"`
	IdTokenValidity                          *int32                  `json:"IdTokenValidity"`
	LogoutURLs                               []string                `json:"LogoutURLs"`
	PreventUserExistenceErrors               string                  `json:"PreventUserExistenceErrors"`
	ReadAttributes                           []string                `json:"ReadAttributes"`
	RefreshTokenValidity                     int32                   `json:"RefreshTokenValidity"`
	SupportedIdentityProviders               []string                `json:"SupportedIdentityProviders"`
	TokenValidityUnits                       *TokenValidityUnitsType `json:"TokenValidityUnits"`
	WriteAttributes                          []string                `json:"WriteAttributes"`
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
	if e := checkEnum("preventUserExistenceErrors", in.PreventUserExistenceErrors, preventOptions); e != nil {
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
			if e := checkEnum(m, v, timeUnits); e != nil {
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
		c.PreventUserExistenceErrors = "ENABLED" // the default for new clients
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
func (s *Service) CreateUserPoolClient(_ context.Context, in *CreateUserPoolClientInput) (*CreateUserPoolClientOutput, error) {
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
	p.clients[*c.ClientId] = &AppClient{cfg: c}
	p.mu.Unlock()
	return &CreateUserPoolClientOutput{UserPoolClient: &c}, nil
}

// DescribeUserPoolClientInput is the input of DescribeUserPoolClient.
type DescribeUserPoolClientInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required"`
	ClientId   string `json:"ClientId" validate:"required"`
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
func (s *Service) DescribeUserPoolClient(_ context.Context, in *DescribeUserPoolClientInput) (*DescribeUserPoolClientOutput, error) {
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
type UpdateUserPoolClientInput struct {
	UserPoolId                string `json:"UserPoolId" validate:"required"`
	ClientId                  string `json:"ClientId" validate:"required"`
	CreateUserPoolClientInput `validate:"-"`
	ClientName                string `json:"ClientName"`
}

// UpdateUserPoolClientOutput is the output of UpdateUserPoolClient.
type UpdateUserPoolClientOutput struct {
	UserPoolClient *UserPoolClientType `json:"UserPoolClient"`
}

// UpdateUserPoolClient replaces an app client's settings; unset ones go back to
// their defaults, as in Cognito.
func (s *Service) UpdateUserPoolClient(_ context.Context, in *UpdateUserPoolClientInput) (*UpdateUserPoolClientOutput, error) {
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
	cfg.LastModifiedDate = epoch(s.now())
	c.cfg = cfg
	return &UpdateUserPoolClientOutput{UserPoolClient: &cfg}, nil
}

// DeleteUserPoolClientInput is the input of DeleteUserPoolClient.
type DeleteUserPoolClientInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required"`
	ClientId   string `json:"ClientId" validate:"required"`
}

// DeleteUserPoolClientOutput is the output of DeleteUserPoolClient.
type DeleteUserPoolClientOutput struct{}

// DeleteUserPoolClient deletes an app client.
func (s *Service) DeleteUserPoolClient(_ context.Context, in *DeleteUserPoolClientInput) (*DeleteUserPoolClientOutput, error) {
	p, _, err := s.client(in.UserPoolId, in.ClientId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	delete(p.clients, in.ClientId)
	p.mu.Unlock()
	return &DeleteUserPoolClientOutput{}, nil
}

// ListUserPoolClientsInput is the input of ListUserPoolClients.
type ListUserPoolClientsInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required"`
	MaxResults int32  `json:"MaxResults"`
	NextToken  string `json:"NextToken"`
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
func (s *Service) ListUserPoolClients(_ context.Context, in *ListUserPoolClientsInput) (*ListUserPoolClientsOutput, error) {
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
