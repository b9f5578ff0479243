package idp

// Custom authentication (CUSTOM_AUTH): the Define / Create / Verify auth-challenge
// triggers, run declaratively or through Lambda.

// customAuth starts a CUSTOM_AUTH sign-in.
func (s *Service) customAuth(r authRequest) (*InitiateAuthOutput, error) {
	return nil, errInvalidParameter("CUSTOM_AUTH is not supported by this emulator yet.")
}

// customNext returns the next CUSTOM_CHALLENGE of a CUSTOM_AUTH flow that began with
// SRP, or nil.
func (s *Service) customNext(r authRequest, u *User, pr progress) (*InitiateAuthOutput, error) {
	return nil, nil
}

// respondCustom answers CUSTOM_CHALLENGE.
func (s *Service) respondCustom(r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
}
