package idp

import (
	"context"
	"regexp"
	"strconv"
	"strings"
)

// Attributes: AddCustomAttributes, AdminDeleteUserAttributes, DeleteUserAttributes,
// GetUserAttributeVerificationCode and VerifyUserAttribute; the schema checks
// CreateUserPool and AddCustomAttributes share (checkSchemaAttribute). Values are
// checked against the schema on every write by Pool.checkAttributes (attrs.go).
//
// Constraints from the API reference (SchemaAttributeType, AddCustomAttributes):
// Name 1–20 characters of [\p{L}\p{M}\p{S}\p{N}\p{P}]+; AttributeDataType String,
// Number, DateTime or Boolean; CustomAttributes 1–25 per call. The developer guide
// ("Working with user attributes", custom attributes) allows up to 50 custom
// attributes, String lengths up to 2048, and says a custom attribute cannot be made
// required nor removed or changed once added.

func (s *Service) attributeOperations() map[string]Operation {
	return map[string]Operation{
		"AddCustomAttributes":              op(s.AddCustomAttributes),
		"AdminDeleteUserAttributes":        op(s.AdminDeleteUserAttributes),
		"DeleteUserAttributes":             op(s.DeleteUserAttributes),
		"GetUserAttributeVerificationCode": op(s.GetUserAttributeVerificationCode),
		"VerifyUserAttribute":              op(s.VerifyUserAttribute),
		"GetCSVHeader":                     op(s.GetCSVHeader),
		"GetUserAuthFactors":               op(s.GetUserAuthFactors),
	}
}

var (
	attributeNamePattern = regexp.MustCompile(`^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$`)
	attributeDataTypes   = []string{"String", "Number", "DateTime", "Boolean"}
)

// maxCustomAttributes is the developer guide's limit of custom attributes per pool.
const maxCustomAttributes = 50

// checkSchemaAttribute validates one requested schema attribute (member is its path
// for validation messages).
func checkSchemaAttribute(member string, a SchemaAttributeType) *Error {
	name := strings.TrimPrefix(deref(a.Name), "custom:")
	if e := checkString(member+".name", name, 1, 20, attributeNamePattern, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`); e != nil {
		return e
	}
	if e := checkEnumValue(member+".attributeDataType", a.AttributeDataType, attributeDataTypes); e != nil {
		return e
	}
	if c := a.StringAttributeConstraints; c != nil {
		min, max := atoiDefault(deref(c.MinLength), 0), atoiDefault(deref(c.MaxLength), 2048)
		if (c.MinLength != nil && !isNumber(*c.MinLength)) || (c.MaxLength != nil && !isNumber(*c.MaxLength)) || min < 0 || max > 2048 || min > max {
			// UNCONFIRMED (U17) wording.
			return errInvalidParameter("Invalid StringAttributeConstraints for attribute %s: lengths must be between 0 and 2048, minimum not above maximum.", deref(a.Name))
		}
	}
	if c := a.NumberAttributeConstraints; c != nil {
		lo, loErr := parseBound(c.MinValue)
		hi, hiErr := parseBound(c.MaxValue)
		if loErr != nil || hiErr != nil || (lo != nil && hi != nil && *lo > *hi) {
			// UNCONFIRMED (U17) wording.
			return errInvalidParameter("Invalid NumberAttributeConstraints for attribute %s.", deref(a.Name))
		}
	}
	return nil
}

// parseBound reads an optional numeric constraint.
func parseBound(s *string) (*int64, error) {
	if s == nil {
		return nil, nil
	}
	n, err := strconv.ParseInt(*s, 10, 64)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// AddCustomAttributesInput is the input of AddCustomAttributes (API reference,
// AddCustomAttributes: 1–25 CustomAttributes of SchemaAttributeType).
type AddCustomAttributesInput struct {
	UserPoolId       string                `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	CustomAttributes []SchemaAttributeType `json:"CustomAttributes" validate:"required,len=1:25"`
}

// AddCustomAttributes adds custom attributes to a pool's schema.
func (s *Service) AddCustomAttributes(_ context.Context, in *AddCustomAttributesInput) (*struct{}, error) {
	for i, a := range in.CustomAttributes {
		if e := checkSchemaAttribute("customAttributes."+itoa(i+1)+".member", a); e != nil {
			return nil, e
		}
		if deref(a.Required) {
			return nil, errInvalidParameter("Required custom attributes are not supported currently.")
		}
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	custom := 0
	for _, a := range p.cfg.SchemaAttributes {
		if strings.HasPrefix(deref(a.Name), "custom:") || strings.HasPrefix(deref(a.Name), "dev:custom:") {
			custom++
		}
	}
	if custom+len(in.CustomAttributes) > maxCustomAttributes {
		// UNCONFIRMED (U17) wording.
		return nil, newErr(TypeLimitExceeded, "The number of custom attributes exceeds the limit of %d.", maxCustomAttributes)
	}
	added, e := customSchema(in.CustomAttributes)
	if e != nil {
		return nil, e
	}
	for _, a := range added {
		if p.schemaAttr(deref(a.Name)) != nil {
			// Evidence: "Existing attribute already has name custom:…" is the
			// InvalidParameterException public captures of AddCustomAttributes show
			// (UNCONFIRMED (U17) beyond those captures).
			return nil, errInvalidParameter("Existing attribute already has name %s.", deref(a.Name))
		}
	}
	p.cfg.SchemaAttributes = append(p.cfg.SchemaAttributes, added...)
	p.cfg.LastModifiedDate = epoch(s.now())
	return &struct{}{}, nil
}

// customSchema completes requested custom attributes as the pool stores them: the
// "custom:" prefix, String by default, Mutable by default, never required, and the
// default String constraints.
func customSchema(req []SchemaAttributeType) ([]SchemaAttributeType, *Error) {
	var out []SchemaAttributeType
	seen := map[string]bool{}
	for _, r := range req {
		c := r
		c.Name = ptr("custom:" + strings.TrimPrefix(deref(r.Name), "custom:"))
		if deref(r.DeveloperOnlyAttribute) {
			// API reference, SchemaAttributeType.DeveloperOnlyAttribute: such an
			// attribute is named dev:custom:… and only administrators change it.
			c.Name = ptr("dev:" + *c.Name)
		}
		if seen[*c.Name] {
			return nil, errInvalidParameter("Existing attribute already has name %s.", *c.Name)
		}
		seen[*c.Name] = true
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
		if c.AttributeDataType == "String" && c.StringAttributeConstraints == nil {
			c.StringAttributeConstraints = &StringAttributeConstraintsType{MinLength: ptr("0"), MaxLength: ptr("2048")}
		}
		out = append(out, c)
	}
	return out, nil
}

// AdminDeleteUserAttributesInput is the input of AdminDeleteUserAttributes.
type AdminDeleteUserAttributesInput struct {
	UserPoolId         string   `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username           string   `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	UserAttributeNames []string `json:"UserAttributeNames" validate:"required,len=:100,values=1:32"`
}

// deleteAttributes removes attributes of u; required and immutable ones are refused.
// The caller holds p.mu.
func (s *Service) deleteAttributes(p *Pool, u *User, names []string, admin bool) *Error {
	del := map[string]string{}
	for _, n := range names {
		sa := p.schemaAttr(n)
		if sa == nil {
			return errInvalidParameter("Attributes did not conform to the schema: Type for attribute {%s} could not be determined", n)
		}
		if n == "sub" || deref(sa.Required) {
			// UNCONFIRMED (U17) wording.
			return errInvalidParameter("Attributes did not conform to the schema: %s: The attribute is required", n)
		}
		if !admin && (n == "email_verified" || n == "phone_number_verified") {
			return errInvalidParameter("Cannot modify the verified attribute %s", n)
		}
		if !deref(sa.Mutable) {
			return errInvalidParameter("Attribute cannot be updated. (changing an immutable attribute)")
		}
		del[n] = ""
	}
	p.applyAttributes(u, del)
	for n := range del {
		if n == "email" || n == "phone_number" {
			delete(u.Attrs, n+"_verified")
		}
	}
	u.Modified = s.now()
	return nil
}

// AdminDeleteUserAttributes deletes attributes of a user.
func (s *Service) AdminDeleteUserAttributes(_ context.Context, in *AdminDeleteUserAttributesInput) (*struct{}, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := s.deleteAttributes(p, u, in.UserAttributeNames, true); e != nil {
		return nil, e
	}
	return &struct{}{}, nil
}

// DeleteUserAttributesInput is the input of DeleteUserAttributes.
type DeleteUserAttributesInput struct {
	AccessToken        string   `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	UserAttributeNames []string `json:"UserAttributeNames" validate:"required,len=:100,values=1:32"`
}

// DeleteUserAttributes deletes attributes of the signed-in user.
func (s *Service) DeleteUserAttributes(_ context.Context, in *DeleteUserAttributesInput) (*struct{}, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := s.deleteAttributes(p, u, in.UserAttributeNames, false); e != nil {
		return nil, e
	}
	return &struct{}{}, nil
}

// GetUserAttributeVerificationCodeInput is the input of GetUserAttributeVerificationCode.
type GetUserAttributeVerificationCodeInput struct {
	AccessToken    string            `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	AttributeName  string            `json:"AttributeName" validate:"required,len=1:32,pattern=name"`
	ClientMetadata map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// GetUserAttributeVerificationCodeOutput is its output.
type GetUserAttributeVerificationCodeOutput struct {
	CodeDeliveryDetails CodeDeliveryDetailsType `json:"CodeDeliveryDetails"`
}

// GetUserAttributeVerificationCode sends a code that verifies email or phone_number.
func (s *Service) GetUserAttributeVerificationCode(_ context.Context, in *GetUserAttributeVerificationCodeInput) (*GetUserAttributeVerificationCodeOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if in.AttributeName != "email" && in.AttributeName != "phone_number" {
		return nil, errInvalidParameter("Invalid attribute name: %s", truncate(in.AttributeName, 32)) // UNCONFIRMED (U17) wording
	}
	if u.Attrs[in.AttributeName] == "" {
		return nil, errInvalidParameter("User has no attribute %s.", in.AttributeName) // UNCONFIRMED (U17) wording
	}
	d := s.issueCode(p, u, purposeAttr+":"+in.AttributeName, codeValidity)
	return &GetUserAttributeVerificationCodeOutput{CodeDeliveryDetails: d}, nil
}

// VerifyUserAttributeInput is the input of VerifyUserAttribute.
type VerifyUserAttributeInput struct {
	AccessToken   string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	AttributeName string `json:"AttributeName" validate:"required,len=1:32,pattern=name"`
	Code          string `json:"Code" validate:"required,len=1:2048,pattern=code,sensitive"`
}

// VerifyUserAttribute checks a code sent for an attribute and marks it verified.
func (s *Service) VerifyUserAttribute(_ context.Context, in *VerifyUserAttributeInput) (*struct{}, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := s.checkCode(u, purposeAttr+":"+in.AttributeName, in.Code); e != nil {
		return nil, e
	}
	p.applyAttributes(u, map[string]string{in.AttributeName + "_verified": "true"})
	u.Modified = s.now()
	return &struct{}{}, nil
}

// GetCSVHeaderInput is the input of GetCSVHeader.
type GetCSVHeaderInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
}

// GetCSVHeaderOutput is the output of GetCSVHeader.
type GetCSVHeaderOutput struct {
	CSVHeader  []string `json:"CSVHeader"`
	UserPoolId string   `json:"UserPoolId"`
}

// GetCSVHeader returns the header of a user-import CSV file for the pool: every
// schema attribute but sub, then cognito:mfa_enabled and cognito:username
// (developer guide, "Creating the user import CSV file"; the place of custom
// attributes is UNCONFIRMED (U19)).
func (s *Service) GetCSVHeader(_ context.Context, in *GetCSVHeaderInput) (*GetCSVHeaderOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	out := &GetCSVHeaderOutput{UserPoolId: p.id}
	for _, a := range p.cfg.SchemaAttributes {
		if n := deref(a.Name); n != "sub" {
			out.CSVHeader = append(out.CSVHeader, n)
		}
	}
	out.CSVHeader = append(out.CSVHeader, "cognito:mfa_enabled", "cognito:username")
	return out, nil
}

// GetUserAuthFactorsInput is the input of GetUserAuthFactors.
type GetUserAuthFactorsInput struct {
	AccessToken string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
}

// GetUserAuthFactorsOutput is the output of GetUserAuthFactors.
type GetUserAuthFactorsOutput struct {
	Username                  string   `json:"Username"`
	PreferredMfaSetting       *string  `json:"PreferredMfaSetting,omitempty"`
	UserMFASettingList        []string `json:"UserMFASettingList,omitempty"`
	ConfiguredUserAuthFactors []string `json:"ConfiguredUserAuthFactors,omitempty"`
}

// GetUserAuthFactors reports the signed-in user's MFA settings (as GetUser does)
// and the first factors it can use with USER_AUTH: PASSWORD when it has one,
// EMAIL_OTP and SMS_OTP when the attribute is verified (API reference,
// GetUserAuthFactors; passkeys are not served).
func (s *Service) GetUserAuthFactors(_ context.Context, in *GetUserAuthFactorsInput) (*GetUserAuthFactorsOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	list, preferred := u.mfaReport()
	out := &GetUserAuthFactorsOutput{Username: u.Username, UserMFASettingList: list, PreferredMfaSetting: preferred}
	if u.hasPassword() {
		out.ConfiguredUserAuthFactors = append(out.ConfiguredUserAuthFactors, "PASSWORD")
	}
	if u.Attrs["email_verified"] == "true" {
		out.ConfiguredUserAuthFactors = append(out.ConfiguredUserAuthFactors, "EMAIL_OTP")
	}
	if u.Attrs["phone_number_verified"] == "true" {
		out.ConfiguredUserAuthFactors = append(out.ConfiguredUserAuthFactors, "SMS_OTP")
	}
	return out, nil
}
