package idp

// Choice-based sign-in (USER_AUTH): SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP and the
// EMAIL_OTP / SMS_OTP first factors.

// userAuth starts a USER_AUTH sign-in.
func (s *Service) userAuth(r authRequest) (*InitiateAuthOutput, error) {
	return nil, errInvalidParameter("USER_AUTH is not supported by this emulator yet.")
}

// respondUserAuth answers SELECT_CHALLENGE, PASSWORD, PASSWORD_SRP, EMAIL_OTP and
// SMS_OTP of a USER_AUTH sign-in.
func (s *Service) respondUserAuth(r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
}

// isFirstFactorSession reports whether an EMAIL_OTP answer belongs to a USER_AUTH
// first factor rather than to email MFA.
func (s *Service) isFirstFactorSession(r challengeRequest) bool {
	return false
}
