package idp

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// Admin user management and ListUsers.

// AdminCreateUserInput is the input of AdminCreateUser (API reference,
// AdminCreateUser: TemporaryPassword at most 256 of [\S]+, MessageAction RESEND or
// SUPPRESS, DesiredDeliveryMediums of SMS and EMAIL).
type AdminCreateUserInput struct {
	UserPoolId             string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username               string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	UserAttributes         []AttributeType   `json:"UserAttributes" validate:"len=:100"`
	ValidationData         []AttributeType   `json:"ValidationData" validate:"len=:100"`
	TemporaryPassword      string            `json:"TemporaryPassword" validate:"len=:256,pattern=code,sensitive"`
	ForceAliasCreation     bool              `json:"ForceAliasCreation"`
	MessageAction          string            `json:"MessageAction" validate:"enum=messageAction"`
	DesiredDeliveryMediums []string          `json:"DesiredDeliveryMediums" validate:"len=:2,enum=deliveryMedium"`
	ClientMetadata         map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// AdminCreateUserOutput is the output of AdminCreateUser.
type AdminCreateUserOutput struct {
	User *UserType `json:"User"`
}

// AdminCreateUser creates a user with a temporary password (FORCE_CHANGE_PASSWORD),
// or with MessageAction RESEND sends an existing such user's invitation again.
func (s *Service) AdminCreateUser(ctx context.Context, in *AdminCreateUserInput) (*AdminCreateUserOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	attrs := attrMap(in.UserAttributes)
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.checkAttributes(attrs, true); e != nil {
		return nil, e
	}
	temp := in.TemporaryPassword
	if temp != "" {
		if e := p.checkPassword(temp); e != nil {
			return nil, e
		}
	}
	if existing := p.lookup(in.Username); existing != nil {
		if in.MessageAction != "RESEND" {
			return nil, &Error{Type: TypeUsernameExists, Message: msgUsernameExists}
		}
		if existing.Status != StatusForceChangePassword {
			return nil, &Error{Type: TypeUnsupportedUserState, Message: "Resend not possible. " + existing.Username + " status is not FORCE_CHANGE_PASSWORD."}
		}
		s.invite(p, existing, temp, in.DesiredDeliveryMediums)
		w := existing.wire()
		return &AdminCreateUserOutput{User: &w}, nil
	} else if in.MessageAction == "RESEND" {
		return nil, errUserNotFound()
	}
	username, e := p.usernameFor(in.Username, attrs, s.newUUID)
	if e != nil {
		return nil, e
	}
	if e := p.aliasConflict(nil, attrs); e != nil && !in.ForceAliasCreation {
		return nil, e
	}
	if e := s.roomForUser(p); e != nil {
		return nil, e
	}
	now := s.now()
	u := &User{
		Username: username, Sub: s.newUUID(), Attrs: map[string]string{},
		Status: StatusForceChangePassword, Enabled: true, Created: now, Modified: now,
	}
	if username != in.Username && contains(p.cfg.UsernameAttributes, "email") && strings.Contains(in.Username, "@") {
		attrs["email"] = in.Username
	}
	if username != in.Username && contains(p.cfg.UsernameAttributes, "phone_number") && strings.HasPrefix(in.Username, "+") {
		attrs["phone_number"] = in.Username
	}
	if contains(p.cfg.UsernameAttributes, "email") || contains(p.cfg.UsernameAttributes, "phone_number") {
		u.Sub = username // such pools name users by their sub
	}
	for k, v := range attrs {
		u.Attrs[k] = v
	}
	p.index(u)
	if in.MessageAction == "SUPPRESS" {
		if temp != "" {
			s.setTemporaryPassword(p, u, temp)
		}
	} else {
		s.invite(p, u, temp, in.DesiredDeliveryMediums)
	}
	w := u.wire()
	return &AdminCreateUserOutput{User: &w}, nil
}

// usernameFor returns the username of a new user: the name given, or for pools whose
// users sign in by email or phone a new UUID (after checking the name is one).
func (p *Pool) usernameFor(name string, attrs map[string]string, newUUID func() string) (string, *Error) {
	ua := p.cfg.UsernameAttributes
	if len(ua) == 0 {
		if len(name) > 128 || strings.ContainsAny(name, " \t\n") {
			return "", errInvalidParameter("Username should be a valid username.")
		}
		return name, nil
	}
	isEmail := strings.Contains(name, "@")
	isPhone := strings.HasPrefix(name, "+") && validPhone(name)
	switch {
	case isEmail && contains(ua, "email"), isPhone && contains(ua, "phone_number"):
		return newUUID(), nil
	case contains(ua, "email") && contains(ua, "phone_number"):
		return "", errInvalidParameter("Username should be either an email or a phone number.")
	case contains(ua, "email"):
		return "", errInvalidParameter("Username should be an email.")
	}
	return "", errInvalidParameter("Username should be a phone number.")
}

// setTemporaryPassword stores a temporary password, valid for the policy's days.
func (s *Service) setTemporaryPassword(p *Pool, u *User, pw string) {
	s.setPassword(p, u, pw)
	days := p.cfg.Policies.PasswordPolicy.TemporaryPasswordValidityDays
	if days <= 0 {
		days = 7
	}
	u.TempPasswordExpires = s.now().Add(time.Duration(days) * 24 * time.Hour)
	u.Status = StatusForceChangePassword
}

// invite sets a temporary password (generated when none is given) and sends it.
func (s *Service) invite(p *Pool, u *User, temp string, mediums []string) {
	if temp == "" {
		temp = s.generatePassword(p)
	}
	s.setTemporaryPassword(p, u, temp)
	d := deliveryFor(p, u)
	if len(mediums) == 1 {
		if mediums[0] == "EMAIL" && u.Attrs["email"] != "" {
			d = CodeDeliveryDetailsType{AttributeName: ptr("email"), DeliveryMedium: "EMAIL", Destination: ptr(maskEmail(u.Attrs["email"]))}
		}
		if mediums[0] == "SMS" && u.Attrs["phone_number"] != "" {
			d = CodeDeliveryDetailsType{AttributeName: ptr("phone_number"), DeliveryMedium: "SMS", Destination: ptr(maskPhone(u.Attrs["phone_number"]))}
		}
	}
	if d.DeliveryMedium != "" {
		s.send(p, u, d, purposeTempPw, temp, "Your username is "+u.Username+" and temporary password is "+temp+".")
	}
}

// generatePassword makes a temporary password satisfying the pool's policy.
func (s *Service) generatePassword(p *Pool) string {
	n := int(deref(p.cfg.Policies.PasswordPolicy.MinimumLength))
	n = max(n, 12)
	return s.randString(1, "ABCDEFGHJKLMNPQRSTUVWXYZ") + s.randString(1, "abcdefghijkmnopqrstuvwxyz") +
		s.randString(1, digits) + s.randString(1, "^$*.!@#%&") + s.randString(n-4, alnum)
}

// userOf finds a user by username (or alias) in a pool, or UserNotFoundException.
func (s *Service) userOf(poolID, username string) (*Pool, *User, error) {
	p, err := s.pool(poolID)
	if err != nil {
		return nil, nil, err
	}
	p.mu.Lock()
	u := p.lookup(username)
	p.mu.Unlock()
	if u == nil {
		return nil, nil, errUserNotFound()
	}
	return p, u, nil
}

// AdminSetUserPasswordInput is the input of AdminSetUserPassword.
type AdminSetUserPasswordInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	Password   string `json:"Password" validate:"required,len=:256,sensitive"`
	Permanent  bool   `json:"Permanent"`
}

// AdminSetUserPasswordOutput is the output of AdminSetUserPassword.
type AdminSetUserPasswordOutput struct{}

// AdminSetUserPassword sets a permanent password (CONFIRMED) or a temporary one
// (FORCE_CHANGE_PASSWORD).
func (s *Service) AdminSetUserPassword(ctx context.Context, in *AdminSetUserPasswordInput) (*AdminSetUserPasswordOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.checkPassword(in.Password); e != nil {
		return nil, e
	}
	if in.Permanent {
		s.setPassword(p, u, in.Password)
		u.Status = StatusConfirmed
		u.TempPasswordExpires = time.Time{}
	} else {
		s.setTemporaryPassword(p, u, in.Password)
	}
	u.FailedAttempts, u.LockedUntil = 0, time.Time{}
	u.Modified = s.now()
	return &AdminSetUserPasswordOutput{}, nil
}

// AdminGetUserInput is the input of AdminGetUser.
type AdminGetUserInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
}

// AdminGetUserOutput is the output of AdminGetUser.
type AdminGetUserOutput struct {
	Enabled              bool            `json:"Enabled"`
	MFAOptions           []MFAOptionType `json:"MFAOptions,omitempty"`
	PreferredMfaSetting  *string         `json:"PreferredMfaSetting,omitempty"`
	UserAttributes       []AttributeType `json:"UserAttributes"`
	UserCreateDate       *Epoch          `json:"UserCreateDate,omitempty"`
	UserLastModifiedDate *Epoch          `json:"UserLastModifiedDate,omitempty"`
	UserMFASettingList   []string        `json:"UserMFASettingList,omitempty"`
	UserStatus           string          `json:"UserStatus,omitempty"`
	Username             string          `json:"Username"`
}

// AdminGetUser returns a user.
func (s *Service) AdminGetUser(ctx context.Context, in *AdminGetUserInput) (*AdminGetUserOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	list, preferred := u.mfaReport()
	return &AdminGetUserOutput{
		Enabled: u.Enabled, UserAttributes: u.attributes(), UserCreateDate: epoch(u.Created),
		UserLastModifiedDate: epoch(u.Modified), UserStatus: u.Status, Username: u.Username,
		UserMFASettingList: list, PreferredMfaSetting: preferred,
	}, nil
}

// AdminDeleteUserInput is the input of AdminDeleteUser.
type AdminDeleteUserInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
}

// AdminDeleteUserOutput is the output of AdminDeleteUser.
type AdminDeleteUserOutput struct{}

// AdminDeleteUser deletes a user and everything issued to it.
func (s *Service) AdminDeleteUser(ctx context.Context, in *AdminDeleteUserInput) (*AdminDeleteUserOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	s.deleteUser(p, u)
	p.mu.Unlock()
	return &AdminDeleteUserOutput{}, nil
}

// deleteUser removes u, its tokens and its sessions. The caller holds p.mu.
func (s *Service) deleteUser(p *Pool, u *User) {
	s.revokeUserTokens(p, u)
	p.unindex(u)
	p.dir.forgetUser(u.Sub)
	for id, ss := range p.sessions {
		if ss.user == u {
			delete(p.sessions, id)
		}
	}
}

// AdminUpdateUserAttributesInput is the input of AdminUpdateUserAttributes.
type AdminUpdateUserAttributesInput struct {
	UserPoolId     string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username       string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	UserAttributes []AttributeType   `json:"UserAttributes" validate:"required,len=:100"`
	ClientMetadata map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// AdminUpdateUserAttributesOutput is the output of AdminUpdateUserAttributes.
type AdminUpdateUserAttributesOutput struct{}

// AdminUpdateUserAttributes changes attributes; an admin may set *_verified directly.
func (s *Service) AdminUpdateUserAttributes(ctx context.Context, in *AdminUpdateUserAttributesInput) (*AdminUpdateUserAttributesOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	attrs := attrMap(in.UserAttributes)
	p.mu.Lock()
	defer p.mu.Unlock()
	if e := p.checkAttributes(attrs, false); e != nil {
		return nil, e
	}
	if e := p.aliasConflict(u, attrs); e != nil {
		return nil, e
	}
	p.applyAttributes(u, attrs)
	u.Modified = s.now()
	return &AdminUpdateUserAttributesOutput{}, nil
}

// AdminConfirmSignUpInput is the input of AdminConfirmSignUp.
type AdminConfirmSignUpInput struct {
	UserPoolId     string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username       string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	ClientMetadata map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// AdminConfirmSignUpOutput is the output of AdminConfirmSignUp.
type AdminConfirmSignUpOutput struct{}

// AdminConfirmSignUp confirms an UNCONFIRMED user.
func (s *Service) AdminConfirmSignUp(ctx context.Context, in *AdminConfirmSignUpInput) (*AdminConfirmSignUpOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Status != StatusUnconfirmed {
		return nil, errNotAuthorized("User cannot be confirmed. Current status is " + u.Status)
	}
	u.Status = StatusConfirmed
	delete(u.Codes, purposeSignUp)
	u.Modified = s.now()
	return &AdminConfirmSignUpOutput{}, nil
}

// AdminResetUserPasswordInput is the input of AdminResetUserPassword.
type AdminResetUserPasswordInput struct {
	UserPoolId     string            `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username       string            `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	ClientMetadata map[string]string `json:"ClientMetadata" validate:"len=:64,keys=:256,values=:4096"`
}

// AdminResetUserPasswordOutput is the output of AdminResetUserPassword.
type AdminResetUserPasswordOutput struct{}

// AdminResetUserPassword invalidates the password (RESET_REQUIRED) and sends a
// forgot-password code to the user's verified email or phone.
func (s *Service) AdminResetUserPassword(ctx context.Context, in *AdminResetUserPasswordInput) (*AdminResetUserPasswordOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Status == StatusUnconfirmed {
		return nil, errNotAuthorized("User password cannot be reset in the current state.")
	}
	if !hasVerifiedContact(u) {
		return nil, errInvalidParameter("Cannot reset password for the user as there is no registered/verified email or phone_number")
	}
	u.Status = StatusResetRequired
	s.issueCode(p, u, purposeForgot, forgotValidity)
	u.Modified = s.now()
	return &AdminResetUserPasswordOutput{}, nil
}

func hasVerifiedContact(u *User) bool {
	return (u.Attrs["email"] != "" && u.Attrs["email_verified"] == "true") ||
		(u.Attrs["phone_number"] != "" && u.Attrs["phone_number_verified"] == "true")
}

// AdminDisableUserInput is the input of AdminDisableUser and AdminEnableUser.
type AdminDisableUserInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
}

// AdminDisableUserOutput is the output of AdminDisableUser and AdminEnableUser.
type AdminDisableUserOutput struct{}

// AdminDisableUser disables a user: sign-in then fails with "User is disabled." and
// its tokens stop working.
func (s *Service) AdminDisableUser(ctx context.Context, in *AdminDisableUserInput) (*AdminDisableUserOutput, error) {
	return s.setEnabled(in, false)
}

// AdminEnableUser enables a disabled user.
func (s *Service) AdminEnableUser(ctx context.Context, in *AdminDisableUserInput) (*AdminDisableUserOutput, error) {
	return s.setEnabled(in, true)
}

func (s *Service) setEnabled(in *AdminDisableUserInput, on bool) (*AdminDisableUserOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	u.Enabled = on
	if !on {
		s.revokeUserTokens(p, u)
	}
	u.Modified = s.now()
	return &AdminDisableUserOutput{}, nil
}

// AdminUserGlobalSignOutInput is the input of AdminUserGlobalSignOut.
type AdminUserGlobalSignOutInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
}

// AdminUserGlobalSignOutOutput is the output of AdminUserGlobalSignOut.
type AdminUserGlobalSignOutOutput struct{}

// AdminUserGlobalSignOut revokes every token of a user.
func (s *Service) AdminUserGlobalSignOut(ctx context.Context, in *AdminUserGlobalSignOutInput) (*AdminUserGlobalSignOutOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	s.revokeUserTokens(p, u)
	p.mu.Unlock()
	return &AdminUserGlobalSignOutOutput{}, nil
}

// ListUsersInput is the input of ListUsers.
//
// API reference, ListUsers: AttributesToGet of 1–32 (attribute names), Filter at
// most 256, Limit 0–60, PaginationToken 1–131072 of [\S]+. The count of
// AttributesToGet, unpublished, is held to 100 (UNCONFIRMED (U27)).
type ListUsersInput struct {
	UserPoolId      string   `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	AttributesToGet []string `json:"AttributesToGet" validate:"len=:100,values=1:32,vpattern=name"`
	Filter          string   `json:"Filter" validate:"len=:256"`
	Limit           int32    `json:"Limit" validate:"range=0:60"`
	PaginationToken string   `json:"PaginationToken" validate:"len=1:131072,pattern=code"`
}

// ListUsersOutput is the output of ListUsers.
type ListUsersOutput struct {
	PaginationToken *string    `json:"PaginationToken,omitempty"`
	Users           []UserType `json:"Users"`
}

// listFilter is a parsed ListUsers filter: `name = "value"` or `name ^= "prefix"`.
type listFilter struct {
	attr, op, value string
}

var filterAttrs = []string{"username", "email", "phone_number", "name", "given_name", "family_name", "preferred_username", "cognito:user_status", "status", "sub"}

func parseFilter(f string) (*listFilter, *Error) {
	f = strings.TrimSpace(f)
	if f == "" {
		return nil, nil
	}
	bad := errInvalidParameter("Error while parsing filter.")
	var attr, op, rest string
	if i := strings.Index(f, "^="); i > 0 {
		attr, op, rest = f[:i], "^=", f[i+2:]
	} else if i := strings.IndexByte(f, '='); i > 0 {
		attr, op, rest = f[:i], "=", f[i+1:]
	} else {
		return nil, bad
	}
	attr = strings.Trim(strings.TrimSpace(attr), `"`)
	rest = strings.TrimSpace(rest)
	var value string
	if err := json.Unmarshal([]byte(rest), &value); err != nil {
		return nil, bad
	}
	if !contains(filterAttrs, attr) {
		return nil, errInvalidParameter("Invalid search attribute: %s", attr)
	}
	return &listFilter{attr: attr, op: op, value: value}, nil
}

func (f *listFilter) match(u *User) bool {
	if f == nil {
		return true
	}
	var v string
	switch f.attr {
	case "username":
		v = u.Username
	case "sub":
		v = u.Sub
	case "cognito:user_status":
		v = u.Status
	case "status":
		v = map[bool]string{true: "Enabled", false: "Disabled"}[u.Enabled]
	default:
		v = u.Attrs[f.attr]
	}
	if f.op == "^=" {
		return strings.HasPrefix(strings.ToLower(v), strings.ToLower(f.value))
	}
	if f.attr == "username" || f.attr == "email" || f.attr == "preferred_username" {
		return strings.EqualFold(v, f.value)
	}
	return v == f.value
}

// ListUsers lists users, optionally filtered, Limit (≤ 60) at a time.
func (s *Service) ListUsers(ctx context.Context, in *ListUsersInput) (*ListUsersOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	f, e := parseFilter(in.Filter)
	if e != nil {
		return nil, e
	}
	if in.Limit == 0 {
		in.Limit = 60
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var keys []string
	for k, u := range p.users {
		if f.match(u) {
			keys = append(keys, k)
		}
	}
	keys, next, e := page(keys, in.Limit, in.PaginationToken, 60)
	if e != nil {
		return nil, e
	}
	out := &ListUsersOutput{PaginationToken: next, Users: []UserType{}}
	for _, k := range keys {
		w := p.users[k].wire()
		if len(in.AttributesToGet) > 0 {
			var keep []AttributeType
			for _, a := range w.Attributes {
				if contains(in.AttributesToGet, deref(a.Name)) {
					keep = append(keep, a)
				}
			}
			w.Attributes = keep
		}
		out.Users = append(out.Users, w)
	}
	return out, nil
}
