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

// PasswordPolicyType is a pool's password policy. API reference,
// PasswordPolicyType: MinimumLength 6–99, PasswordHistorySize 0–24,
// TemporaryPasswordValidityDays 0–365.
type PasswordPolicyType struct {
	MinimumLength                 *int32 `json:"MinimumLength,omitempty" validate:"range=6:99"`
	PasswordHistorySize           *int32 `json:"PasswordHistorySize,omitempty" validate:"range=0:24"`
	RequireLowercase              bool   `json:"RequireLowercase"`
	RequireNumbers                bool   `json:"RequireNumbers"`
	RequireSymbols                bool   `json:"RequireSymbols"`
	RequireUppercase              bool   `json:"RequireUppercase"`
	TemporaryPasswordValidityDays int32  `json:"TemporaryPasswordValidityDays" validate:"range=0:365"`
}

// UserPoolPolicyType holds the pool's policies.
type UserPoolPolicyType struct {
	PasswordPolicy *PasswordPolicyType `json:"PasswordPolicy,omitempty"`
	SignInPolicy   *SignInPolicyType   `json:"SignInPolicy,omitempty"`
}

// SignInPolicyType lists the first factors USER_AUTH may offer. API reference,
// SignInPolicyType: AllowedFirstAuthFactors of PASSWORD, EMAIL_OTP, SMS_OTP,
// WEB_AUTHN.
type SignInPolicyType struct {
	AllowedFirstAuthFactors []string `json:"AllowedFirstAuthFactors,omitempty" validate:"len=:4,enum=firstAuthFactor"`
}

// StringAttributeConstraintsType bounds a string attribute. The API reference
// publishes no length for these numbers written as strings; the emulator holds
// them to 20 characters (UNCONFIRMED (U23)), the handler checks their values.
type StringAttributeConstraintsType struct {
	MaxLength *string `json:"MaxLength,omitempty" validate:"len=:20"`
	MinLength *string `json:"MinLength,omitempty" validate:"len=:20"`
}

// NumberAttributeConstraintsType bounds a number attribute (20 characters, as
// StringAttributeConstraintsType: UNCONFIRMED (U23)).
type NumberAttributeConstraintsType struct {
	MaxValue *string `json:"MaxValue,omitempty" validate:"len=:20"`
	MinValue *string `json:"MinValue,omitempty" validate:"len=:20"`
}

// SchemaAttributeType describes one attribute of the pool's schema. API reference,
// SchemaAttributeType: Name 1–20 of [\p{L}\p{M}\p{S}\p{N}\p{P}]+ for a custom
// attribute (without its "custom:" prefix, which requests may carry, and standard
// attributes such as phone_number_verified are longer): the tag holds a name to an
// attribute name's 32 (AttributeType.Name) and checkSchemaAttribute applies the 20
// to a custom one; AttributeDataType one of String, Number, DateTime, Boolean.
type SchemaAttributeType struct {
	AttributeDataType          string                          `json:"AttributeDataType,omitempty" validate:"enum=attributeDataType"`
	DeveloperOnlyAttribute     *bool                           `json:"DeveloperOnlyAttribute,omitempty"`
	Mutable                    *bool                           `json:"Mutable,omitempty"`
	Name                       *string                         `json:"Name,omitempty" validate:"len=1:32,pattern=name"`
	NumberAttributeConstraints *NumberAttributeConstraintsType `json:"NumberAttributeConstraints,omitempty"`
	Required                   *bool                           `json:"Required,omitempty"`
	StringAttributeConstraints *StringAttributeConstraintsType `json:"StringAttributeConstraints,omitempty"`
}

// AdminCreateUserConfigType governs admin-created users. API reference,
// AdminCreateUserConfigType: UnusedAccountValidityDays 0–365.
type AdminCreateUserConfigType struct {
	AllowAdminCreateUserOnly  bool            `json:"AllowAdminCreateUserOnly"`
	InviteMessageTemplate     json.RawMessage `json:"InviteMessageTemplate,omitempty" validate:"len=:65536,shape=MessageTemplateType"`
	UnusedAccountValidityDays int32           `json:"UnusedAccountValidityDays,omitempty" validate:"range=0:365"`
}

// The shapes below are what raw JSON members of the provisioning inputs are checked
// as (validate.go, shape=NAME); the pool stores those members as sent. A raw member
// is held to 64 KiB (the emulator's bound, UNCONFIRMED (U24)): the longest shape
// Cognito publishes (two email templates of 20,000 characters) fits.

// MessageTemplateType is AdminCreateUserConfig's InviteMessageTemplate. API
// reference, MessageTemplateType: SMSMessage 6–140 with {####}, EmailMessage
// 6–20000 with {####}, EmailSubject 1–140.
type MessageTemplateType struct {
	EmailMessage *string `json:"EmailMessage" validate:"len=6:20000,pattern=emailMessage"`
	EmailSubject *string `json:"EmailSubject" validate:"len=1:140,pattern=emailSubject"`
	SMSMessage   *string `json:"SMSMessage" validate:"len=6:140,pattern=smsMessage"`
}

// AccountRecoverySettingType is a pool's account recovery. API reference,
// AccountRecoverySettingType: 1–2 RecoveryMechanisms; RecoveryOptionType: Name
// (required) verified_email, verified_phone_number or admin_only, Priority
// (required) 1–2.
type AccountRecoverySettingType struct {
	RecoveryMechanisms []RecoveryOptionType `json:"RecoveryMechanisms" validate:"len=1:2"`
}

// RecoveryOptionType is one account recovery mechanism.
type RecoveryOptionType struct {
	Name     *string `json:"Name" validate:"required,enum=recoveryOption"`
	Priority *int32  `json:"Priority" validate:"required,range=1:2"`
}

// EmailConfigurationType is a pool's email sending. API reference,
// EmailConfigurationType: SourceArn an ARN of 20–2048, ReplyToEmailAddress an
// address, EmailSendingAccount COGNITO_DEFAULT or DEVELOPER, ConfigurationSet
// 1–64 of ^[a-zA-Z0-9_-]+$. From has no published bound; the emulator holds it to
// 2048 characters (UNCONFIRMED (U24)).
type EmailConfigurationType struct {
	ConfigurationSet    *string `json:"ConfigurationSet" validate:"len=1:64,pattern=sesConfigurationSet"`
	EmailSendingAccount *string `json:"EmailSendingAccount" validate:"enum=emailSendingAccount"`
	From                *string `json:"From" validate:"len=:2048"`
	ReplyToEmailAddress *string `json:"ReplyToEmailAddress" validate:"len=:2048,pattern=email"`
	SourceArn           *string `json:"SourceArn" validate:"len=20:2048,pattern=arn"`
}

// LambdaConfigType is a pool's Lambda triggers. API reference, LambdaConfigType:
// each trigger and KMSKeyID an ARN of 20–2048; CustomSMSSender and
// CustomEmailSender (LambdaArn and LambdaVersion V1_0, both required);
// PreTokenGenerationConfig (LambdaArn and LambdaVersion V1_0, V2_0 or V3_0, both
// required).
type LambdaConfigType struct {
	CreateAuthChallenge         *string                              `json:"CreateAuthChallenge" validate:"len=20:2048,pattern=arn"`
	CustomEmailSender           *CustomSenderLambdaConfigType        `json:"CustomEmailSender"`
	CustomMessage               *string                              `json:"CustomMessage" validate:"len=20:2048,pattern=arn"`
	CustomSMSSender             *CustomSenderLambdaConfigType        `json:"CustomSMSSender"`
	DefineAuthChallenge         *string                              `json:"DefineAuthChallenge" validate:"len=20:2048,pattern=arn"`
	KMSKeyID                    *string                              `json:"KMSKeyID" validate:"len=20:2048,pattern=arn"`
	PostAuthentication          *string                              `json:"PostAuthentication" validate:"len=20:2048,pattern=arn"`
	PostConfirmation            *string                              `json:"PostConfirmation" validate:"len=20:2048,pattern=arn"`
	PreAuthentication           *string                              `json:"PreAuthentication" validate:"len=20:2048,pattern=arn"`
	PreSignUp                   *string                              `json:"PreSignUp" validate:"len=20:2048,pattern=arn"`
	PreTokenGeneration          *string                              `json:"PreTokenGeneration" validate:"len=20:2048,pattern=arn"`
	PreTokenGenerationConfig    *PreTokenGenerationVersionConfigType `json:"PreTokenGenerationConfig"`
	UserMigration               *string                              `json:"UserMigration" validate:"len=20:2048,pattern=arn"`
	VerifyAuthChallengeResponse *string                              `json:"VerifyAuthChallengeResponse" validate:"len=20:2048,pattern=arn"`
}

// CustomSenderLambdaConfigType is a custom SMS or email sender trigger (API
// reference, CustomSMSLambdaVersionConfigType and CustomEmailLambdaVersionConfigType).
type CustomSenderLambdaConfigType struct {
	LambdaArn     *string `json:"LambdaArn" validate:"required,len=20:2048,pattern=arn"`
	LambdaVersion *string `json:"LambdaVersion" validate:"required,enum=lambdaVersionV1"`
}

// PreTokenGenerationVersionConfigType is the versioned pre token generation
// trigger (API reference, PreTokenGenerationVersionConfigType).
type PreTokenGenerationVersionConfigType struct {
	LambdaArn     *string `json:"LambdaArn" validate:"required,len=20:2048,pattern=arn"`
	LambdaVersion *string `json:"LambdaVersion" validate:"required,enum=preTokenVersion"`
}

// SmsConfigurationType is a pool's SMS sending. API reference,
// SmsConfigurationType: SnsCallerArn (required) an ARN of 20–2048, SnsRegion 5–32
// of [-\w]+. ExternalId has no published bound; the emulator holds it to 2048
// characters (UNCONFIRMED (U24)).
type SmsConfigurationType struct {
	ExternalId   *string `json:"ExternalId" validate:"len=:2048"`
	SnsCallerArn *string `json:"SnsCallerArn" validate:"required,len=20:2048,pattern=arn"`
	SnsRegion    *string `json:"SnsRegion" validate:"len=5:32,pattern=region"`
}

// UserAttributeUpdateSettingsType says which attribute changes wait for
// verification (API reference: AttributesRequireVerificationBeforeUpdate of
// phone_number and email).
type UserAttributeUpdateSettingsType struct {
	AttributesRequireVerificationBeforeUpdate []string `json:"AttributesRequireVerificationBeforeUpdate" validate:"len=:2,enum=verifiedAttribute"`
}

// UserPoolAddOnsType is a pool's threat protection. API reference,
// UserPoolAddOnsType: AdvancedSecurityMode (required) OFF, AUDIT or ENFORCED;
// AdvancedSecurityAdditionalFlows.CustomAuthMode AUDIT or ENFORCED.
type UserPoolAddOnsType struct {
	AdvancedSecurityAdditionalFlows *struct {
		CustomAuthMode *string `json:"CustomAuthMode" validate:"enum=customAuthMode"`
	} `json:"AdvancedSecurityAdditionalFlows"`
	AdvancedSecurityMode *string `json:"AdvancedSecurityMode" validate:"required,enum=advancedSecurityMode"`
}

// VerificationMessageTemplateType is a pool's verification messages. API
// reference, VerificationMessageTemplateType: SmsMessage 6–140 with {####},
// EmailMessage 6–20000 with {####}, EmailMessageByLink 6–20000 with {##…##},
// EmailSubject and EmailSubjectByLink 1–140, DefaultEmailOption CONFIRM_WITH_LINK
// or CONFIRM_WITH_CODE.
type VerificationMessageTemplateType struct {
	DefaultEmailOption *string `json:"DefaultEmailOption" validate:"enum=defaultEmailOption"`
	EmailMessage       *string `json:"EmailMessage" validate:"len=6:20000,pattern=emailMessage"`
	EmailMessageByLink *string `json:"EmailMessageByLink" validate:"len=6:20000,pattern=emailLinkMessage"`
	EmailSubject       *string `json:"EmailSubject" validate:"len=1:140,pattern=emailSubject"`
	EmailSubjectByLink *string `json:"EmailSubjectByLink" validate:"len=1:140,pattern=emailSubject"`
	SmsMessage         *string `json:"SmsMessage" validate:"len=6:140,pattern=smsMessage"`
}

// AnalyticsConfigurationType is an app client's Pinpoint analytics. API reference,
// AnalyticsConfigurationType: ApplicationArn and RoleArn ARNs of 20–2048,
// ApplicationId hexadecimal. ExternalId has no published bound (2048 here,
// UNCONFIRMED (U24)).
type AnalyticsConfigurationType struct {
	ApplicationArn *string `json:"ApplicationArn" validate:"len=20:2048,pattern=arn"`
	ApplicationId  *string `json:"ApplicationId" validate:"len=:2048,pattern=hex"`
	ExternalId     *string `json:"ExternalId" validate:"len=:2048"`
	RoleArn        *string `json:"RoleArn" validate:"len=20:2048,pattern=arn"`
	UserDataShared *bool   `json:"UserDataShared"`
}

// WebAuthnConfigurationType is a pool's passkey settings. API reference,
// WebAuthnConfigurationType: RelyingPartyId 1–63, UserVerification required or
// preferred.
type WebAuthnConfigurationType struct {
	RelyingPartyId   *string `json:"RelyingPartyId" validate:"len=1:63"`
	UserVerification *string `json:"UserVerification" validate:"enum=userVerification"`
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

// TokenValidityUnitsType gives the unit of each token validity (API reference,
// TokenValidityUnitsType: seconds, minutes, hours or days).
type TokenValidityUnitsType struct {
	AccessToken  string `json:"AccessToken,omitempty" validate:"enum=timeUnit"`
	IdToken      string `json:"IdToken,omitempty" validate:"enum=timeUnit"`
	RefreshToken string `json:"RefreshToken,omitempty" validate:"enum=timeUnit"`
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
