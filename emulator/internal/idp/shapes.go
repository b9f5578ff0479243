package idp

import (
	"encoding/json"
	"strconv"
	"time"
)

// The JSON shapes shared by several operations, named and spelled as in the Cognito
// API reference. Operation-specific inputs and outputs live beside their operation.

// Epoch is a timestamp on the wire: seconds since the Unix epoch, with fractions.
type Epoch time.Time

// MarshalJSON writes seconds with millisecond precision.
func (e Epoch) MarshalJSON() ([]byte, error) {
	t := time.Time(e)
	return strconv.AppendFloat(nil, float64(t.UnixMilli())/1000, 'f', 3, 64), nil
}

// UnmarshalJSON reads seconds as a number.
func (e *Epoch) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*e = Epoch(time.UnixMilli(int64(f * 1000)).UTC())
	return nil
}

func epoch(t time.Time) *Epoch { e := Epoch(t); return &e }

// AttributeType is a user attribute.
type AttributeType struct {
	Name  *string `json:"Name" validate:"required,len=1:32,pattern=name"`
	Value *string `json:"Value,omitempty" validate:"len=:2048"`
}

// PasswordPolicyType is a pool's password policy.
type PasswordPolicyType struct {
	MinimumLength                 *int32 `json:"MinimumLength,omitempty"`
	PasswordHistorySize           *int32 `json:"PasswordHistorySize,omitempty"`
	RequireLowercase              bool   `json:"RequireLowercase"`
	RequireNumbers                bool   `json:"RequireNumbers"`
	RequireSymbols                bool   `json:"RequireSymbols"`
	RequireUppercase              bool   `json:"RequireUppercase"`
	TemporaryPasswordValidityDays int32  `json:"TemporaryPasswordValidityDays"`
}

// UserPoolPolicyType holds the pool's policies.
type UserPoolPolicyType struct {
	PasswordPolicy *PasswordPolicyType `json:"PasswordPolicy,omitempty"`
	SignInPolicy   *SignInPolicyType   `json:"SignInPolicy,omitempty"`
}

// SignInPolicyType lists the first factors USER_AUTH may offer.
type SignInPolicyType struct {
	AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors,omitempty"`
}

// StringAttributeConstraintsType bounds a string attribute.
type StringAttributeConstraintsType struct {
	MaxLength *string `json:"MaxLength,omitempty"`
	MinLength *string `json:"MinLength,omitempty"`
}

// NumberAttributeConstraintsType bounds a number attribute.
type NumberAttributeConstraintsType struct {
	MaxValue *string `json:"MaxValue,omitempty"`
	MinValue *string `json:"MinValue,omitempty"`
}

// SchemaAttributeType describes one attribute of the pool's schema.
type SchemaAttributeType struct {
	AttributeDataType          string                          `json:"AttributeDataType,omitempty"`
	DeveloperOnlyAttribute     *bool                           `json:"DeveloperOnlyAttribute,omitempty"`
	Mutable                    *bool                           `json:"Mutable,omitempty"`
	Name                       *string                         `json:"Name,omitempty"`
	NumberAttributeConstraints *NumberAttributeConstraintsType `json:"NumberAttributeConstraints,omitempty"`
	Required                   *bool                           `json:"Required,omitempty"`
	StringAttributeConstraints *StringAttributeConstraintsType `json:"StringAttributeConstraints,omitempty"`
}

// AdminCreateUserConfigType governs admin-created users.
type AdminCreateUserConfigType struct {
	AllowAdminCreateUserOnly  bool            `json:"AllowAdminCreateUserOnly"`
	InviteMessageTemplate     json.RawMessage `json:"InviteMessageTemplate,omitempty"`
	UnusedAccountValidityDays int32           `json:"UnusedAccountValidityDays,omitempty"`
}

// UsernameConfigurationType says whether usernames are case sensitive.
type UsernameConfigurationType struct {
	CaseSensitive *bool `json:"CaseSensitive" validate:"required"`
}

// DeviceConfigurationType is the pool's device tracking.
type DeviceConfigurationType struct {
	ChallengeRequiredOnNewDevice     bool `json:"ChallengeRequiredOnNewDevice"`
	DeviceOnlyRememberedOnUserPrompt bool `json:"DeviceOnlyRememberedOnUserPrompt"`
}

// UserPoolType is what DescribeUserPool returns.
type UserPoolType struct {
	AccountRecoverySetting      json.RawMessage            `json:"AccountRecoverySetting,omitempty"`
	AdminCreateUserConfig       *AdminCreateUserConfigType `json:"AdminCreateUserConfig,omitempty"`
	AliasAttributes             []string                   `json:"AliasAttributes,omitempty"`
	Arn                         *string                    `json:"Arn,omitempty"`
	AutoVerifiedAttributes      []string                   `json:"AutoVerifiedAttributes,omitempty"`
	CreationDate                *Epoch                     `json:"CreationDate,omitempty"`
	CustomDomain                *string                    `json:"CustomDomain,omitempty"`
	DeletionProtection          string                     `json:"DeletionProtection,omitempty"`
	DeviceConfiguration         *DeviceConfigurationType   `json:"DeviceConfiguration,omitempty"`
	Domain                      *string                    `json:"Domain,omitempty"`
	EmailConfiguration          json.RawMessage            `json:"EmailConfiguration,omitempty"`
	EmailVerificationMessage    *string                    `json:"EmailVerificationMessage,omitempty"`
	EmailVerificationSubject    *string                    `json:"EmailVerificationSubject,omitempty"`
	EstimatedNumberOfUsers      int32                      `json:"EstimatedNumberOfUsers"`
	Id                          *string                    `json:"Id,omitempty"`
	LambdaConfig                json.RawMessage            `json:"LambdaConfig,omitempty"`
	LastModifiedDate            *Epoch                     `json:"LastModifiedDate,omitempty"`
	MfaConfiguration            string                     `json:"MfaConfiguration,omitempty"`
	Name                        *string                    `json:"Name,omitempty"`
	Policies                    *UserPoolPolicyType        `json:"Policies,omitempty"`
	SchemaAttributes            []SchemaAttributeType      `json:"SchemaAttributes,omitempty"`
	SmsAuthenticationMessage    *string                    `json:"SmsAuthenticationMessage,omitempty"`
	SmsConfiguration            json.RawMessage            `json:"SmsConfiguration,omitempty"`
	SmsVerificationMessage      *string                    `json:"SmsVerificationMessage,omitempty"`
	UserAttributeUpdateSettings json.RawMessage            `json:"UserAttributeUpdateSettings,omitempty"`
	UserPoolAddOns              json.RawMessage            `json:"UserPoolAddOns,omitempty"`
	UserPoolTags                map[string]string          `json:"UserPoolTags,omitempty"`
	UserPoolTier                string                     `json:"UserPoolTier,omitempty"`
	UsernameAttributes          []string                   `json:"UsernameAttributes,omitempty"`
	UsernameConfiguration       *UsernameConfigurationType `json:"UsernameConfiguration,omitempty"`
	VerificationMessageTemplate json.RawMessage            `json:"VerificationMessageTemplate,omitempty"`
}

// TokenValidityUnitsType gives the unit of each token validity.
type TokenValidityUnitsType struct {
	AccessToken  string `json:"AccessToken,omitempty"`
	IdToken      string `json:"IdToken,omitempty"`
	RefreshToken string `json:"RefreshToken,omitempty"`
}

// UserPoolClientType is what DescribeUserPoolClient returns.
type UserPoolClientType struct {
	AccessTokenValidity                      *int32                  `json:"AccessTokenValidity,omitempty"`
	AllowedOAuthFlows                        []string                `json:"AllowedOAuthFlows,omitempty"`
	AllowedOAuthFlowsUserPoolClient          *bool                   `json:"AllowedOAuthFlowsUserPoolClient,omitempty"`
	AllowedOAuthScopes                       []string                `json:"AllowedOAuthScopes,omitempty"`
	AnalyticsConfiguration                   json.RawMessage         `json:"AnalyticsConfiguration,omitempty"`
	AuthSessionValidity                      *int32                  `json:"AuthSessionValidity,omitempty"`
	CallbackURLs                             []string                `json:"CallbackURLs,omitempty"`
	ClientId                                 *string                 `json:"ClientId,omitempty"`
	ClientName                               *string                 `json:"ClientName,omitempty"`
	ClientSecret                             *string                 `json:"ClientSecret,omitempty"`
	CreationDate                             *Epoch                  `json:"CreationDate,omitempty"`
	DefaultRedirectURI                       *string                 `json:"DefaultRedirectURI,omitempty"`
	EnablePropagateAdditionalUserContextData *bool                   `json:"EnablePropagateAdditionalUserContextData,omitempty"`
	EnableTokenRevocation                    *bool                   `json:"EnableTokenRevocation,omitempty"`
	ExplicitAuthFlows                        []string                `json:"ExplicitAuthFlows,omitempty"`
	IdTokenValidity                          *int32                  `json:"IdTokenValidity,omitempty"`
	LastModifiedDate                         *Epoch                  `json:"LastModifiedDate,omitempty"`
	LogoutURLs                               []string                `json:"LogoutURLs,omitempty"`
	PreventUserExistenceErrors               string                  `json:"PreventUserExistenceErrors,omitempty"`
	ReadAttributes                           []string                `json:"ReadAttributes,omitempty"`
	RefreshTokenValidity                     int32                   `json:"RefreshTokenValidity,omitempty"`
	SupportedIdentityProviders               []string                `json:"SupportedIdentityProviders,omitempty"`
	TokenValidityUnits                       *TokenValidityUnitsType `json:"TokenValidityUnits,omitempty"`
	UserPoolId                               *string                 `json:"UserPoolId,omitempty"`
	WriteAttributes                          []string                `json:"WriteAttributes,omitempty"`
}

// UserType is a user as the Admin and List APIs return it.
type UserType struct {
	Attributes           []AttributeType `json:"Attributes,omitempty"`
	Enabled              bool            `json:"Enabled"`
	MFAOptions           []MFAOptionType `json:"MFAOptions,omitempty"`
	UserCreateDate       *Epoch          `json:"UserCreateDate,omitempty"`
	UserLastModifiedDate *Epoch          `json:"UserLastModifiedDate,omitempty"`
	UserStatus           string          `json:"UserStatus,omitempty"`
	Username             *string         `json:"Username,omitempty"`
}

// MFAOptionType is the legacy SMS MFA setting.
type MFAOptionType struct {
	AttributeName  *string `json:"AttributeName,omitempty"`
	DeliveryMedium string  `json:"DeliveryMedium,omitempty"`
}

// CodeDeliveryDetailsType says where a code went.
type CodeDeliveryDetailsType struct {
	AttributeName  *string `json:"AttributeName,omitempty"`
	DeliveryMedium string  `json:"DeliveryMedium,omitempty"`
	Destination    *string `json:"Destination,omitempty"`
}

// NewDeviceMetadataType names a device the client should confirm.
type NewDeviceMetadataType struct {
	DeviceGroupKey *string `json:"DeviceGroupKey,omitempty"`
	DeviceKey      *string `json:"DeviceKey,omitempty"`
}

// AuthenticationResultType is the tokens of a completed sign-in.
type AuthenticationResultType struct {
	AccessToken       *string                `json:"AccessToken,omitempty"`
	ExpiresIn         int32                  `json:"ExpiresIn"`
	IdToken           *string                `json:"IdToken,omitempty"`
	NewDeviceMetadata *NewDeviceMetadataType `json:"NewDeviceMetadata,omitempty"`
	RefreshToken      *string                `json:"RefreshToken,omitempty"`
	TokenType         *string                `json:"TokenType,omitempty"`
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// deref returns *p or the zero value.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
