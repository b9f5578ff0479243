package idp

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Self-service: sign-up, confirmation, forgotten passwords, and the calls a signed-in
// user makes with an access token.

// SignUpInput is the input of SignUp.
type SignUpInput struct {
	ClientId          string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	Username          string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	Password          string            `json:"Password" validate:"len=:256,sensitive"`
	SecretHash        string            `json:"SecretHash" validate:"len=1:128,pattern=secretHash,sensitive"`
	UserAttributes    []AttributeType   `json:"UserAttributes" validate:"len=:100"`
	ValidationData    []AttributeType   `json:"ValidationData" validate:"len=:100"`
	ClientMetadata    map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData   json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
}

// SignUpOutput is the output of SignUp.
type SignUpOutput struct {
	CodeDeliveryDetails *CodeDeliveryDetailsType `json:"CodeDeliveryDetails,omitempty"`
	Session             *string                  `json:"Session,omitempty"`
	UserConfirmed       bool                     `json:"UserConfirmed"`
	UserSub             string                   `json:"UserSub"`
}

// SignUp registers an UNCONFIRMED user and sends a confirmation code to the pool's
// auto-verified attribute.
func (s *Service) SignUp(ctx context.Context, in *SignUpInput) (*SignUpOutput, error) {
	p, c, err := s.poolForClient(in.ClientId)
	if err != nil {
		return nil, err
	}
	if e := checkSecretHash(c, in.SecretHash, in.Username); e != nil {
		return nil, e
	}
	attrs := attrMap(in.UserAttributes)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cfg.AdminCreateUserConfig != nil && p.cfg.AdminCreateUserConfig.AllowAdminCreateUserOnly {
		return nil, errNotAuthorized(msgSignUpNotAllowed)
	}
	if in.Password == "" {
		return nil, errInvalidParameter("Missing required parameter Password")
	}
	if e := p.checkPassword(in.Password); e != nil {
		return nil, e
	}
	if e := p.checkAttributes(attrs, true); e != nil {
		return nil, e
	}
	username, e := p.usernameFor(in.Username, attrs, s.newUUID)
	if e != nil {
		return nil, e
	}
	if username != in.Username {
		if contains(p.cfg.UsernameAttributes, "email") && attrs["email"] == "" && !validPhone(in.Username) {
			attrs["email"] = in.Username
		} else if attrs["phone_number"] == "" && validPhone(in.Username) {
			attrs["phone_number"] = in.Username
		}
	}
	if missing := p.requiredMissing(attrs); missing != "" {
		return nil, errInvalidParameter("Attributes did not conform to the schema: %s: The attribute is required", missing)
	}
	if p.lookup(in.Username) != nil || p.users[p.norm(username)] != nil {
		return nil, &Error{Type: TypeUsernameExists, Message: "User already exists"}
	}
	if e := p.aliasConflict(nil, attrs); e != nil && e.Type == TypeUsernameExists {
		return nil, e
	}
	if e := s.roomForUser(p); e != nil {
		return nil, e
	}
	now := s.now()
	u := &User{Username: username, Sub: s.newUUID(), Attrs: attrs, Status: StatusUnconfirmed, Enabled: true, Created: now, Modified: now}
	if username != in.Username {
		u.Sub = username
	}
	s.setPassword(p, u, in.Password)
	p.index(u)
	out := &SignUpOutput{UserSub: u.Sub}
	if d := s.autoVerifyDelivery(p, u); d != nil {
		s.issueCode(p, u, purposeSignUp, codeValidity)
		out.CodeDeliveryDetails = d
	}
	return out, nil
}

// autoVerifyDelivery returns where a sign-up code goes: the pool's auto-verified
// attribute the user has, email first. nil when the pool verifies nothing.
func (s *Service) autoVerifyDelivery(p *Pool, u *User) *CodeDeliveryDetailsType {
	av := p.cfg.AutoVerifiedAttributes
	if contains(av, "email") && u.Attrs["email"] != "" {
		return &CodeDeliveryDetailsType{AttributeName: ptr("email"), DeliveryMedium: "EMAIL", Destination: ptr(maskEmail(u.Attrs["email"]))}
	}
	if contains(av, "phone_number") && u.Attrs["phone_number"] != "" {
		return &CodeDeliveryDetailsType{AttributeName: ptr("phone_number"), DeliveryMedium: "SMS", Destination: ptr(maskPhone(u.Attrs["phone_number"]))}
	}
	return nil
}

// ConfirmSignUpInput is the input of ConfirmSignUp.
type ConfirmSignUpInput struct {
	ClientId           string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	Username           string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	ConfirmationCode   string            `json:"ConfirmationCode" validate:"required,len=1:2048,pattern=code,sensitive"`
	SecretHash         string            `json:"SecretHash" validate:"len=1:128,pattern=secretHash,sensitive"`
	ForceAliasCreation bool              `json:"ForceAliasCreation"`
	ClientMetadata     map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata  json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData    json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
	Session            string            `json:"Session" validate:"len=20:2048,sensitive"`
}

// ConfirmSignUpOutput is the output of ConfirmSignUp.
type ConfirmSignUpOutput struct {
	Session *string `json:"Session,omitempty"`
}

// selfUser finds the user a self-service call names, applying the client's secret
// and its PreventUserExistenceErrors setting.
func (s *Service) selfUser(clientID, username, secretHash string) (*Pool, *AppClient, *User, error) {
	p, c, err := s.poolForClient(clientID)
	if err != nil {
		return nil, nil, nil, err
	}
	p.mu.Lock()
	u := p.lookup(username)
	canonical := ""
	if u != nil {
		canonical = u.Username
	}
	p.mu.Unlock()
	if e := checkSecretHash(c, secretHash, username, canonical); e != nil {
		return nil, nil, nil, e
	}
	if u == nil {
		return p, c, nil, nil
	}
	return p, c, u, nil
}

// ConfirmSignUp confirms a user with the code it was sent, verifying the attribute
// the code went to.
func (s *Service) ConfirmSignUp(ctx context.Context, in *ConfirmSignUpInput) (*ConfirmSignUpOutput, error) {
	p, c, u, err := s.selfUser(in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if c.preventUserExistenceErrors() {
			return nil, &Error{Type: TypeCodeMismatch, Message: msgCodeMismatch}
		}
		return nil, errUserNotFound()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Status != StatusUnconfirmed {
		return nil, errNotAuthorized("User cannot be confirmed. Current status is " + u.Status)
	}
	// Too many wrong codes answer as every code check does, LimitExceededException
	// "Attempt limit exceeded, please try after some time." (the documented limit
	// exception; the earlier TooManyFailedAttemptsException wording had no public
	// capture).
	if e := s.checkCode(u, purposeSignUp, in.ConfirmationCode); e != nil {
		return nil, e
	}
	u.Status = StatusConfirmed
	if d := s.autoVerifyDelivery(p, u); d != nil {
		p.applyAttributes(u, map[string]string{deref(d.AttributeName) + "_verified": "true"})
	}
	u.Modified = s.now()
	ss := s.newSession(p, c, u, "USER_AUTH_AFTER_SIGN_UP")
	return &ConfirmSignUpOutput{Session: ptr(ss.id)}, nil
}

// ResendConfirmationCodeInput is the input of ResendConfirmationCode.
type ResendConfirmationCodeInput struct {
	ClientId          string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	Username          string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	SecretHash        string            `json:"SecretHash" validate:"len=1:128,pattern=secretHash,sensitive"`
	ClientMetadata    map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData   json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
}

// ResendConfirmationCodeOutput is the output of ResendConfirmationCode and
// ForgotPassword.
type ResendConfirmationCodeOutput struct {
	CodeDeliveryDetails *CodeDeliveryDetailsType `json:"CodeDeliveryDetails,omitempty"`
}

// ResendConfirmationCode sends a new sign-up code.
func (s *Service) ResendConfirmationCode(ctx context.Context, in *ResendConfirmationCodeInput) (*ResendConfirmationCodeOutput, error) {
	p, c, u, err := s.selfUser(in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if c.preventUserExistenceErrors() {
			return &ResendConfirmationCodeOutput{CodeDeliveryDetails: s.fakeDelivery(in.Username)}, nil
		}
		return nil, errUserNotFound()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Status != StatusUnconfirmed {
		return nil, errInvalidParameter("User is already confirmed.")
	}
	if e := s.codeRequestAllowed(u, purposeSignUp); e != nil {
		return nil, e
	}
	d := s.autoVerifyDelivery(p, u)
	if d == nil {
		dd := deliveryFor(p, u)
		d = &dd
	}
	s.issueCode(p, u, purposeSignUp, codeValidity)
	return &ResendConfirmationCodeOutput{CodeDeliveryDetails: d}, nil
}

// fakeDelivery is what an unknown user's code request answers when
// PreventUserExistenceErrors is ENABLED: a plausible delivery that never happens.
func (s *Service) fakeDelivery(username string) *CodeDeliveryDetailsType {
	if validPhone(username) {
		return &CodeDeliveryDetailsType{AttributeName: ptr("phone_number"), DeliveryMedium: "SMS", Destination: ptr(maskPhone(username))}
	}
	dest := "u***@e***"
	if len(username) > 0 && !containsRune(username, '@') {
		dest = username[:1] + "***@e***"
	} else if containsRune(username, '@') {
		dest = maskEmail(username)
	}
	return &CodeDeliveryDetailsType{AttributeName: ptr("email"), DeliveryMedium: "EMAIL", Destination: ptr(dest)}
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// codeRequestLimit is how many codes of one purpose a user may request per hour.
const codeRequestLimit = 10

// codeRequestAllowed rate-limits code requests: LimitExceededException past the
// limit. The caller holds p.mu.
func (s *Service) codeRequestAllowed(u *User, purpose string) *Error {
	if u.codeRequests == nil {
		u.codeRequests = map[string][]time.Time{}
	}
	now := s.now()
	recent := u.codeRequests[purpose][:0]
	for _, t := range u.codeRequests[purpose] {
		if now.Sub(t) < time.Hour {
			recent = append(recent, t)
		}
	}
	if len(recent) >= codeRequestLimit {
		u.codeRequests[purpose] = recent
		return &Error{Type: TypeLimitExceeded, Message: msgAttemptLimit}
	}
	u.codeRequests[purpose] = append(recent, now)
	return nil
}

// ForgotPasswordInput is the input of ForgotPassword.
type ForgotPasswordInput struct {
	ClientId          string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	Username          string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	SecretHash        string            `json:"SecretHash" validate:"len=1:128,pattern=secretHash,sensitive"`
	ClientMetadata    map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData   json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
}

// ForgotPassword sends a password-reset code to the user's verified email or phone.
func (s *Service) ForgotPassword(ctx context.Context, in *ForgotPasswordInput) (*ResendConfirmationCodeOutput, error) {
	p, c, u, err := s.selfUser(in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if c.preventUserExistenceErrors() {
			return &ResendConfirmationCodeOutput{CodeDeliveryDetails: s.fakeDelivery(in.Username)}, nil
		}
		return nil, errUserNotFound()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !u.Enabled {
		return nil, errNotAuthorized(msgDisabled)
	}
	if !hasVerifiedContact(u) && u.Status != StatusUnconfirmed {
		return nil, errInvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	if e := s.codeRequestAllowed(u, purposeForgot); e != nil {
		return nil, e
	}
	d := s.issueCode(p, u, purposeForgot, forgotValidity)
	return &ResendConfirmationCodeOutput{CodeDeliveryDetails: &d}, nil
}

// ConfirmForgotPasswordInput is the input of ConfirmForgotPassword.
type ConfirmForgotPasswordInput struct {
	ClientId          string            `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	Username          string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	ConfirmationCode  string            `json:"ConfirmationCode" validate:"required,len=1:2048,pattern=code,sensitive"`
	Password          string            `json:"Password" validate:"required,len=:256,sensitive"`
	SecretHash        string            `json:"SecretHash" validate:"len=1:128,pattern=secretHash,sensitive"`
	ClientMetadata    map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
	AnalyticsMetadata json.RawMessage   `json:"AnalyticsMetadata" validate:"len=:32768"`
	UserContextData   json.RawMessage   `json:"UserContextData" validate:"len=:32768"`
}

// ConfirmForgotPasswordOutput is the output of ConfirmForgotPassword.
type ConfirmForgotPasswordOutput struct{}

// ConfirmForgotPassword sets a new password with a reset code.
func (s *Service) ConfirmForgotPassword(ctx context.Context, in *ConfirmForgotPasswordInput) (*ConfirmForgotPasswordOutput, error) {
	p, c, u, err := s.selfUser(in.ClientId, in.Username, in.SecretHash)
	if err != nil {
		return nil, err
	}
	if u == nil {
		if c.preventUserExistenceErrors() {
			return nil, &Error{Type: TypeCodeMismatch, Message: msgCodeMismatch}
		}
		return nil, errUserNotFound()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.checkPassword(in.Password); e != nil {
		return nil, e
	}
	if e := s.checkCode(u, purposeForgot, in.ConfirmationCode); e != nil {
		return nil, e
	}
	s.setPassword(p, u, in.Password)
	if u.Status == StatusResetRequired || u.Status == StatusForceChangePassword {
		u.Status = StatusConfirmed
	}
	u.FailedAttempts, u.LockedUntil, u.TempPasswordExpires = 0, time.Time{}, time.Time{}
	u.Modified = s.now()
	return &ConfirmForgotPasswordOutput{}, nil
}

// ChangePasswordInput is the input of ChangePassword.
type ChangePasswordInput struct {
	AccessToken      string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	PreviousPassword string `json:"PreviousPassword" validate:"len=:256,sensitive"`
	ProposedPassword string `json:"ProposedPassword" validate:"required,len=:256,sensitive"`
}

// ChangePasswordOutput is the output of ChangePassword.
type ChangePasswordOutput struct{}

// ChangePassword changes a signed-in user's password.
func (s *Service) ChangePassword(ctx context.Context, in *ChangePasswordInput) (*ChangePasswordOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	cred, username := credentialOf(u), u.Username
	if e := p.checkPassword(in.ProposedPassword); e != nil {
		p.mu.Unlock()
		return nil, e
	}
	if s.lockedOut(u) {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgAttemptsExceeded)
	}
	p.mu.Unlock()
	ok := cred.matches(p.realm, username, in.PreviousPassword)
	p.mu.Lock()
	defer p.mu.Unlock()
	if !ok {
		return nil, s.failedPassword(u)
	}
	s.setPassword(p, u, in.ProposedPassword)
	u.FailedAttempts = 0
	u.Modified = s.now()
	return &ChangePasswordOutput{}, nil
}

// GetUserInput is the input of GetUser.
type GetUserInput struct {
	AccessToken string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
}

// GetUserOutput is the output of GetUser.
type GetUserOutput struct {
	MFAOptions          []MFAOptionType `json:"MFAOptions,omitempty"`
	PreferredMfaSetting *string         `json:"PreferredMfaSetting,omitempty"`
	UserAttributes      []AttributeType `json:"UserAttributes"`
	UserMFASettingList  []string        `json:"UserMFASettingList,omitempty"`
	Username            string          `json:"Username"`
}

// GetUser returns the signed-in user.
func (s *Service) GetUser(ctx context.Context, in *GetUserInput) (*GetUserOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	list, preferred := u.mfaReport()
	return &GetUserOutput{UserAttributes: u.attributes(), Username: u.Username, UserMFASettingList: list, PreferredMfaSetting: preferred}, nil
}

// UpdateUserAttributesInput is the input of UpdateUserAttributes.
type UpdateUserAttributesInput struct {
	AccessToken    string            `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	UserAttributes []AttributeType   `json:"UserAttributes" validate:"required,len=:100"`
	ClientMetadata map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// UpdateUserAttributesOutput is the output of UpdateUserAttributes.
type UpdateUserAttributesOutput struct {
	CodeDeliveryDetailsList []CodeDeliveryDetailsType `json:"CodeDeliveryDetailsList,omitempty"`
}

// UpdateUserAttributes changes the signed-in user's attributes; a changed email or
// phone number that the pool auto-verifies gets a verification code.
func (s *Service) UpdateUserAttributes(ctx context.Context, in *UpdateUserAttributesInput) (*UpdateUserAttributesOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	attrs := attrMap(in.UserAttributes)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, v := range []string{"email_verified", "phone_number_verified"} {
		if _, ok := attrs[v]; ok {
			return nil, errInvalidParameter("Cannot modify the verified attribute %s", v)
		}
	}
	for n := range attrs {
		if strings.HasPrefix(n, "dev:") {
			// A developer-only attribute is for administrators (API reference,
			// SchemaAttributeType.DeveloperOnlyAttribute); UNCONFIRMED (U17) wording.
			return nil, errInvalidParameter("Cannot modify developer-only attribute %s", n)
		}
	}
	if e := p.checkAttributes(attrs, false); e != nil {
		return nil, e
	}
	if e := p.aliasConflict(u, attrs); e != nil {
		return nil, e
	}
	p.applyAttributes(u, attrs)
	u.Modified = s.now()
	out := &UpdateUserAttributesOutput{}
	for _, a := range []string{"email", "phone_number"} {
		if _, changed := attrs[a]; changed && contains(p.cfg.AutoVerifiedAttributes, a) && u.Attrs[a] != "" {
			d := s.issueCode(p, u, purposeAttr+":"+a, codeValidity)
			out.CodeDeliveryDetailsList = append(out.CodeDeliveryDetailsList, d)
		}
	}
	return out, nil
}

// DeleteUserInput is the input of DeleteUser.
type DeleteUserInput struct {
	AccessToken string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
}

// DeleteUserOutput is the output of DeleteUser.
type DeleteUserOutput struct{}

// DeleteUser deletes the signed-in user.
func (s *Service) DeleteUser(ctx context.Context, in *DeleteUserInput) (*DeleteUserOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	s.deleteUser(p, u)
	p.mu.Unlock()
	return &DeleteUserOutput{}, nil
}

// GlobalSignOutInput is the input of GlobalSignOut.
type GlobalSignOutInput struct {
	AccessToken string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
}

// GlobalSignOutOutput is the output of GlobalSignOut.
type GlobalSignOutOutput struct{}

// GlobalSignOut revokes every token of the signed-in user.
func (s *Service) GlobalSignOut(ctx context.Context, in *GlobalSignOutInput) (*GlobalSignOutOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	s.revokeUserTokens(p, u)
	p.mu.Unlock()
	return &GlobalSignOutOutput{}, nil
}

// RevokeTokenInput is the input of RevokeToken.
type RevokeTokenInput struct {
	Token        string `json:"Token" validate:"required,len=1:16384,sensitive"`
	ClientId     string `json:"ClientId" validate:"required,len=1:128,pattern=clientId,sensitive"`
	ClientSecret string `json:"ClientSecret" validate:"len=1:64,sensitive"`
}

// RevokeTokenOutput is the output of RevokeToken.
type RevokeTokenOutput struct{}

// RevokeToken revokes a refresh token and the access tokens issued from it.
func (s *Service) RevokeToken(ctx context.Context, in *RevokeTokenInput) (*RevokeTokenOutput, error) {
	p, c, err := s.poolForClient(in.ClientId)
	if err != nil {
		return nil, err
	}
	if c.secret() != "" && c.secret() != in.ClientSecret {
		return nil, &Error{Type: TypeUnauthorized, Message: "Invalid client secret."}
	}
	if c.cfg.EnableTokenRevocation != nil && !*c.cfg.EnableTokenRevocation {
		return nil, &Error{Type: TypeUnsupportedOperation, Message: "Token revocation is disabled for this client."}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	rt := p.refresh[in.Token]
	if rt == nil {
		// Unknown, already revoked or expired tokens revoke silently, as RFC 7009 asks.
		return &RevokeTokenOutput{}, nil
	}
	if rt.clientID != c.id() {
		return nil, &Error{Type: TypeUnauthorized, Message: "Token was not issued to this client."}
	}
	s.revokeFamily(p, rt.user, rt.family, s.now().Add(25*time.Hour))
	delete(p.refresh, in.Token)
	return &RevokeTokenOutput{}, nil
}
