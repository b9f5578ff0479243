package idp

import (
	"context"
	"encoding/json"
)

// Pool MFA configuration: SetUserPoolMfaConfig, GetUserPoolMfaConfig, and what
// CreateUserPool / UpdateUserPool's MfaConfiguration means for the factors.
//
// The mode (OFF, ON, OPTIONAL) lives in the pool's settings (MfaConfiguration, shown
// by DescribeUserPool); which factors are on lives here, since DescribeUserPool does
// not show them.

// MFA factor names, as challenges and MFA settings name them.
const (
	factorSMS   = "SMS_MFA"
	factorTOTP  = "SOFTWARE_TOKEN_MFA"
	factorEmail = "EMAIL_OTP"
)

// poolMFA is which MFA factors a pool enables, with their messages.
type poolMFA struct {
	SMS          bool   `json:"sms,omitempty"`
	TOTP         bool   `json:"totp,omitempty"`
	Email        bool   `json:"email,omitempty"`
	SMSMessage   string `json:"smsMessage,omitempty"`
	EmailMessage string `json:"emailMessage,omitempty"`
	EmailSubject string `json:"emailSubject,omitempty"`
}

func (m poolMFA) marshal() []byte {
	if m == (poolMFA{}) {
		return nil
	}
	b, _ := json.Marshal(m)
	return b
}

func (m *poolMFA) unmarshal(b []byte) error {
	*m = poolMFA{}
	if len(b) == 0 {
		return nil
	}
	return json.Unmarshal(b, m)
}

// factors lists the enabled factors in Cognito's order.
func (m poolMFA) factors() []string {
	var out []string
	if m.SMS {
		out = append(out, factorSMS)
	}
	if m.TOTP {
		out = append(out, factorTOTP)
	}
	if m.Email {
		out = append(out, factorEmail)
	}
	return out
}

func (m poolMFA) enables(factor string) bool {
	switch factor {
	case factorSMS:
		return m.SMS
	case factorTOTP:
		return m.TOTP
	case factorEmail:
		return m.Email
	}
	return false
}

// fromPoolSettings applies CreateUserPool / UpdateUserPool's MfaConfiguration. Those
// APIs can only express SMS MFA, so turning MFA ON or OPTIONAL on a pool without any
// factor enables SMS; factors set by SetUserPoolMfaConfig are kept. (Cognito also
// demands an SmsConfiguration there; the emulator "sends" SMS to its outbox, so it
// does not.) OFF keeps the factors, which count for nothing while MFA is off.
func (m *poolMFA) fromPoolSettings(mode string) {
	if mode == "ON" || mode == "OPTIONAL" {
		if !m.SMS && !m.TOTP && !m.Email {
			m.SMS = true
		}
	}
}

// SmsMfaConfigType is the SMS MFA configuration of a pool.
//
// API reference, SmsMfaConfigType: SmsAuthenticationMessage 6–140 with {####};
// SmsConfiguration as CreateUserPool's (held to 64 KiB, UNCONFIRMED (U24)).
type SmsMfaConfigType struct {
	SmsAuthenticationMessage *string         `json:"SmsAuthenticationMessage,omitempty" validate:"len=6:140,pattern=smsMessage"`
	SmsConfiguration         json.RawMessage `json:"SmsConfiguration,omitempty" validate:"len=:65536,shape=SmsConfigurationType"`
}

// SoftwareTokenMfaConfigType says whether TOTP MFA is on.
type SoftwareTokenMfaConfigType struct {
	Enabled bool `json:"Enabled"`
}

// EmailMfaConfigType is the email MFA configuration of a pool.
//
// API reference, EmailMfaConfigType: Message 6–20000 with {####}, Subject 1–140.
type EmailMfaConfigType struct {
	Message *string `json:"Message,omitempty" validate:"len=6:20000,pattern=emailMessage"`
	Subject *string `json:"Subject,omitempty" validate:"len=1:140,pattern=emailSubject"`
}

// SetUserPoolMfaConfigInput is the input of SetUserPoolMfaConfig.
//
// API reference, SetUserPoolMfaConfig: MfaConfiguration OFF, ON or OPTIONAL; the
// factors' types above; WebAuthnConfiguration (RelyingPartyId 1–63,
// UserVerification required or preferred; held to 64 KiB, UNCONFIRMED (U24)).
type SetUserPoolMfaConfigInput struct {
	UserPoolId                    string                      `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	MfaConfiguration              string                      `json:"MfaConfiguration" validate:"enum=mfa"`
	SmsMfaConfiguration           *SmsMfaConfigType           `json:"SmsMfaConfiguration"`
	SoftwareTokenMfaConfiguration *SoftwareTokenMfaConfigType `json:"SoftwareTokenMfaConfiguration"`
	EmailMfaConfiguration         *EmailMfaConfigType         `json:"EmailMfaConfiguration"`
	WebAuthnConfiguration         json.RawMessage             `json:"WebAuthnConfiguration" validate:"len=:65536,shape=WebAuthnConfigurationType"`
}

// UserPoolMfaConfigOutput is the output of SetUserPoolMfaConfig and
// GetUserPoolMfaConfig.
type UserPoolMfaConfigOutput struct {
	MfaConfiguration              string                      `json:"MfaConfiguration,omitempty"`
	SmsMfaConfiguration           *SmsMfaConfigType           `json:"SmsMfaConfiguration,omitempty"`
	SoftwareTokenMfaConfiguration *SoftwareTokenMfaConfigType `json:"SoftwareTokenMfaConfiguration,omitempty"`
	EmailMfaConfiguration         *EmailMfaConfigType         `json:"EmailMfaConfiguration,omitempty"`
	WebAuthnConfiguration         json.RawMessage             `json:"WebAuthnConfiguration,omitempty"`
}

// GetUserPoolMfaConfigInput is the input of GetUserPoolMfaConfig.
type GetUserPoolMfaConfigInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
}

const (
	msgMFAOffWithFactor = "Invalid MFA configuration given, can't turn off MFA and configure an MFA together."
	msgMFANoFactor      = "Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration."
)

// SetUserPoolMfaConfig sets a pool's MFA mode and factors. The factors given replace
// the earlier ones (a factor left out is turned off), as in Cognito; a request
// without MfaConfiguration keeps the mode.
func (s *Service) SetUserPoolMfaConfig(ctx context.Context, in *SetUserPoolMfaConfigInput) (*UserPoolMfaConfigOutput, error) {
	if e := checkEnumValue("mfaConfiguration", in.MfaConfiguration, mfaModes); e != nil {
		return nil, e
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	mode := in.MfaConfiguration
	if mode == "" {
		mode = p.cfg.MfaConfiguration
	}
	var m poolMFA
	if c := in.SmsMfaConfiguration; c != nil {
		m.SMS, m.SMSMessage = true, deref(c.SmsAuthenticationMessage)
	}
	if c := in.SoftwareTokenMfaConfiguration; c != nil {
		m.TOTP = c.Enabled
	}
	if c := in.EmailMfaConfiguration; c != nil {
		m.Email, m.EmailMessage, m.EmailSubject = true, deref(c.Message), deref(c.Subject)
	}
	if mode == "OFF" || mode == "" {
		if m.SMS || m.TOTP || m.Email {
			return nil, errInvalidParameter(msgMFAOffWithFactor)
		}
		mode = "OFF"
	} else if !m.SMS && !m.TOTP && !m.Email {
		return nil, errInvalidParameter(msgMFANoFactor)
	}
	if m.Email && p.cfg.UserPoolTier == "LITE" {
		// Email MFA needs the Essentials plan or higher (the wording is UNCONFIRMED (U7)).
		return nil, &Error{Type: TypeFeatureUnavailableInTier, Message: "Email MFA is not available in the LITE feature plan."}
	}
	if in.SmsMfaConfiguration != nil && len(in.SmsMfaConfiguration.SmsConfiguration) > 0 {
		p.cfg.SmsConfiguration = in.SmsMfaConfiguration.SmsConfiguration
	}
	if m.SMSMessage != "" {
		p.cfg.SmsAuthenticationMessage = ptr(m.SMSMessage)
	}
	p.cfg.MfaConfiguration = mode
	p.cfg.LastModifiedDate = epoch(s.now())
	p.mfa = m
	out := p.mfaConfigOutput()
	if len(in.WebAuthnConfiguration) > 0 {
		out.WebAuthnConfiguration = in.WebAuthnConfiguration
	}
	return out, nil
}

// TypeFeatureUnavailableInTier is Cognito's error for a feature the pool's plan lacks.
const TypeFeatureUnavailableInTier = "FeatureUnavailableInTierException"

// GetUserPoolMfaConfig returns a pool's MFA mode and factors.
func (s *Service) GetUserPoolMfaConfig(ctx context.Context, in *GetUserPoolMfaConfigInput) (*UserPoolMfaConfigOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.mfaConfigOutput(), nil
}

// mfaConfigOutput describes the pool's MFA configuration. The caller holds p.mu.
func (p *Pool) mfaConfigOutput() *UserPoolMfaConfigOutput {
	mode := p.cfg.MfaConfiguration
	if mode == "" {
		mode = "OFF"
	}
	out := &UserPoolMfaConfigOutput{MfaConfiguration: mode}
	if mode == "OFF" {
		return out
	}
	m := p.mfa
	out.SoftwareTokenMfaConfiguration = &SoftwareTokenMfaConfigType{Enabled: m.TOTP}
	if m.SMS {
		c := &SmsMfaConfigType{SmsConfiguration: p.cfg.SmsConfiguration}
		if m.SMSMessage != "" {
			c.SmsAuthenticationMessage = ptr(m.SMSMessage)
		} else {
			c.SmsAuthenticationMessage = p.cfg.SmsAuthenticationMessage
		}
		out.SmsMfaConfiguration = c
	}
	if m.Email {
		c := &EmailMfaConfigType{}
		if m.EmailMessage != "" {
			c.Message = ptr(m.EmailMessage)
		}
		if m.EmailSubject != "" {
			c.Subject = ptr(m.EmailSubject)
		}
		out.EmailMfaConfiguration = c
	}
	return out
}

// mfaOperations are the MFA APIs: AssociateSoftwareToken, VerifySoftwareToken,
// SetUserMFAPreference, AdminSetUserMFAPreference, SetUserPoolMfaConfig,
// GetUserPoolMfaConfig.
func (s *Service) mfaOperations() map[string]Operation {
	return map[string]Operation{
		"SetUserPoolMfaConfig":      op(s.SetUserPoolMfaConfig),
		"GetUserPoolMfaConfig":      op(s.GetUserPoolMfaConfig),
		"SetUserMFAPreference":      op(s.SetUserMFAPreference),
		"AdminSetUserMFAPreference": op(s.AdminSetUserMFAPreference),
		"AssociateSoftwareToken":    op(s.AssociateSoftwareToken),
		"VerifySoftwareToken":       op(s.VerifySoftwareToken),
	}
}
