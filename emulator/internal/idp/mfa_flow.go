package idp

// MFA in sign-in: deciding the MFA challenge after the first factor, and answering
// SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE and MFA_SETUP.

// mfaNext returns the MFA challenge the user must answer, or nil when none applies.
func (s *Service) mfaNext(r authRequest, u *User, pr progress) (*InitiateAuthOutput, error) {
	return nil, nil
}

// respondMFA answers an MFA challenge.
func (s *Service) respondMFA(r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
}

// userMFA is a user's MFA state.
type userMFA struct{}

func (m userMFA) marshal() []byte { return nil }

func (m *userMFA) unmarshal(b []byte) error { return nil }

// mfaOperations are the MFA APIs: AssociateSoftwareToken, VerifySoftwareToken,
// SetUserMFAPreference, AdminSetUserMFAPreference, SetUserPoolMfaConfig,
// GetUserPoolMfaConfig.
func (s *Service) mfaOperations() map[string]Operation { return nil }
