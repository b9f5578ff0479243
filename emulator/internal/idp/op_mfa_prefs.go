package idp

import (
	"context"
	"fmt"
	"strings"
)

// Per-user MFA settings: SetUserMFAPreference, AdminSetUserMFAPreference and seeding.

// MfaSettingsType is one factor's setting in SetUserMFAPreference.
type MfaSettingsType struct {
	Enabled      bool `json:"Enabled"`
	PreferredMfa bool `json:"PreferredMfa"`
}

// SetUserMFAPreferenceInput is the input of SetUserMFAPreference.
type SetUserMFAPreferenceInput struct {
	AccessToken              string           `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	SMSMfaSettings           *MfaSettingsType `json:"SMSMfaSettings"`
	SoftwareTokenMfaSettings *MfaSettingsType `json:"SoftwareTokenMfaSettings"`
	EmailMfaSettings         *MfaSettingsType `json:"EmailMfaSettings"`
}

// AdminSetUserMFAPreferenceInput is the input of AdminSetUserMFAPreference.
type AdminSetUserMFAPreferenceInput struct {
	UserPoolId               string           `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username                 string           `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	SMSMfaSettings           *MfaSettingsType `json:"SMSMfaSettings"`
	SoftwareTokenMfaSettings *MfaSettingsType `json:"SoftwareTokenMfaSettings"`
	EmailMfaSettings         *MfaSettingsType `json:"EmailMfaSettings"`
}

// SetUserMFAPreferenceOutput is the output of both preference APIs.
type SetUserMFAPreferenceOutput struct{}

const msgOnePreferred = "Only one MFA method can be preferred."

// SetUserMFAPreference sets the signed-in user's MFA factors and preference.
func (s *Service) SetUserMFAPreference(ctx context.Context, in *SetUserMFAPreferenceInput) (*SetUserMFAPreferenceOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := s.setMFAPreference(u, in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings); e != nil {
		return nil, e
	}
	return &SetUserMFAPreferenceOutput{}, nil
}

// AdminSetUserMFAPreference sets a user's MFA factors and preference.
func (s *Service) AdminSetUserMFAPreference(ctx context.Context, in *AdminSetUserMFAPreferenceInput) (*SetUserMFAPreferenceOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := s.setMFAPreference(u, in.SMSMfaSettings, in.SoftwareTokenMfaSettings, in.EmailMfaSettings); e != nil {
		return nil, e
	}
	return &SetUserMFAPreferenceOutput{}, nil
}

// setMFAPreference applies the settings given (a factor left out keeps its state).
// A preferred factor is also enabled; at most one may be preferred; a factor can
// only be enabled when it has somewhere to go: a phone number (SMS), a verified
// software token (TOTP), an email address (email). Nothing changes on an error. The
// caller holds p.mu.
func (s *Service) setMFAPreference(u *User, sms, tok, email *MfaSettingsType) *Error {
	preferred := 0
	for _, st := range []*MfaSettingsType{sms, tok, email} {
		if st != nil && st.PreferredMfa {
			preferred++
		}
	}
	if preferred > 1 {
		return errInvalidParameter(msgOnePreferred)
	}
	m := u.MFA
	for _, f := range []struct {
		name string
		st   *MfaSettingsType
		on   *bool
	}{{factorSMS, sms, &m.SMS}, {factorTOTP, tok, &m.TOTP}, {factorEmail, email, &m.Email}} {
		if f.st == nil {
			continue
		}
		enable := f.st.Enabled || f.st.PreferredMfa
		if enable {
			if e := canEnable(u, f.name); e != nil {
				return e
			}
		}
		*f.on = enable
		switch {
		case f.st.PreferredMfa:
			m.Preferred = f.name
		case m.Preferred == f.name:
			m.Preferred = ""
		}
	}
	u.MFA = m
	u.Modified = s.now()
	return nil
}

// canEnable checks that factor has somewhere to deliver to. The wording follows the
// service's for TOTP ("User does not have delivery config set to turn on
// SOFTWARE_TOKEN_MFA"); the SMS and email variants are the same sentence.
func canEnable(u *User, factor string) *Error {
	switch factor {
	case factorSMS:
		if u.Attrs["phone_number"] == "" {
			return errInvalidParameter("User does not have delivery config set to turn on %s", factorSMS)
		}
	case factorEmail:
		if u.Attrs["email"] == "" {
			return errInvalidParameter("User does not have delivery config set to turn on %s", factorEmail)
		}
	case factorTOTP:
		if u.MFA.Secret == "" && u.MFA.Pending != "" {
			return errInvalidParameter("User has not verified software token mfa")
		}
		if u.MFA.Secret == "" {
			return errInvalidParameter("User does not have delivery config set to turn on %s", factorTOTP)
		}
	}
	return nil
}

// SeedMFA is a user's MFA settings in a fixture.
type SeedMFA struct {
	SMS, Email bool
	// TOTPSecret, when set, is a verified software token (base32) and enables TOTP.
	TOTPSecret string
	// Preferred is SMS, TOTP or EMAIL (or the challenge names); empty for none.
	Preferred string
}

// SeedUserMFA sets a user's MFA as a fixture says, with the same checks as
// AdminSetUserMFAPreference.
func (s *Service) SeedUserMFA(ctx context.Context, poolID, username string, sm SeedMFA) error {
	p, u, err := s.userOf(poolID, username)
	if err != nil {
		return err
	}
	secret := strings.ToUpper(strings.ReplaceAll(sm.TOTPSecret, " ", ""))
	for _, c := range secret {
		if !strings.ContainsRune(base32Chars, c) {
			return fmt.Errorf("mfa: totp_secret is not base32")
		}
	}
	var preferred string
	switch strings.ToUpper(sm.Preferred) {
	case "":
	case "SMS", factorSMS:
		preferred = factorSMS
	case "TOTP", factorTOTP:
		preferred = factorTOTP
	case "EMAIL", factorEmail:
		preferred = factorEmail
	default:
		return fmt.Errorf("mfa: preferred %q: want SMS, TOTP or EMAIL", sm.Preferred)
	}
	setting := func(on bool, name string) *MfaSettingsType {
		return &MfaSettingsType{Enabled: on, PreferredMfa: on && preferred == name}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if secret != "" {
		u.MFA.Secret, u.MFA.DeviceName = secret, defaultFriendlyName
	}
	if preferred != "" && !map[string]bool{factorSMS: sm.SMS, factorTOTP: secret != "", factorEmail: sm.Email}[preferred] {
		return fmt.Errorf("mfa: preferred %s is not enabled", preferred)
	}
	if e := s.setMFAPreference(u, setting(sm.SMS, factorSMS), setting(secret != "", factorTOTP), setting(sm.Email, factorEmail)); e != nil {
		return e
	}
	return nil
}

// SeedPoolMFA sets a fixture pool's MFA mode and factors (SMS, TOTP, EMAIL), as
// SetUserPoolMfaConfig would.
func (s *Service) SeedPoolMFA(ctx context.Context, poolID, mode string, factors []string) error {
	in := &SetUserPoolMfaConfigInput{UserPoolId: poolID, MfaConfiguration: mode}
	for _, f := range factors {
		switch strings.ToUpper(f) {
		case "SMS", factorSMS:
			in.SmsMfaConfiguration = &SmsMfaConfigType{}
		case "TOTP", factorTOTP:
			in.SoftwareTokenMfaConfiguration = &SoftwareTokenMfaConfigType{Enabled: true}
		case "EMAIL", factorEmail:
			in.EmailMfaConfiguration = &EmailMfaConfigType{}
		default:
			return fmt.Errorf("factor %q: want SMS, TOTP or EMAIL", f)
		}
	}
	_, err := s.SetUserPoolMfaConfig(ctx, in)
	return err
}
