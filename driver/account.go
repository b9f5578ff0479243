package driver

import (
	"context"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// The rest of the loop a QA script needs: sign-up, password reset, sign-out, refresh,
// MFA preferences, TOTP setup and devices.

// autoSignIn is a sign-in that a confirmed sign-up may complete.
type autoSignIn struct {
	username, password string
	session            string
	opts               SignInOptions
}

// SignUpOptions are signUp's options.
type SignUpOptions struct {
	UserAttributes map[string]string
	ClientMetadata map[string]string
	// AutoSignIn signs the user in after ConfirmSignUp (Amplify's autoSignIn option):
	// call Auth.AutoSignIn once ConfirmSignUp reports it.
	AutoSignIn bool
	// AutoSignInFlow is the flow the automatic sign-in uses; empty means USER_SRP_AUTH
	// (USER_AUTH uses the Session ConfirmSignUp returns).
	AutoSignInFlow AuthFlow
}

// SignUpResult is signUp's and confirmSignUp's outcome.
type SignUpResult struct {
	IsSignUpComplete bool
	// NextStep is "CONFIRM_SIGN_UP", "COMPLETE_AUTO_SIGN_IN" or "DONE".
	NextStep            string
	UserID              string
	CodeDeliveryDetails *CodeDeliveryDetails
}

func attrList(m map[string]string) []types.AttributeType {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	sort.Strings(names)
	out := make([]types.AttributeType, 0, len(m))
	for _, k := range names {
		out = append(out, types.AttributeType{Name: aws.String(k), Value: aws.String(m[k])})
	}
	return out
}

func fromDelivery(d *types.CodeDeliveryDetailsType) *CodeDeliveryDetails {
	if d == nil {
		return nil
	}
	return &CodeDeliveryDetails{DeliveryMedium: string(d.DeliveryMedium), Destination: aws.ToString(d.Destination), AttributeName: aws.ToString(d.AttributeName)}
}

// SignUp registers a user (Amplify's signUp).
func (a *Auth) SignUp(ctx context.Context, username, password string, o SignUpOptions) (SignUpResult, error) {
	c := a.c
	in := &cip.SignUpInput{ClientId: aws.String(c.cfg.ClientID), Username: aws.String(username), UserAttributes: attrList(o.UserAttributes), ClientMetadata: o.ClientMetadata}
	if password != "" {
		in.Password = aws.String(password)
	}
	in.SecretHash = c.secretHashField(username)
	out, err := c.idp.SignUp(ctx, in)
	if err != nil {
		return SignUpResult{}, wrapService("SignUp", err)
	}
	a.mu.Lock()
	a.auto = nil
	if o.AutoSignIn {
		a.auto = &autoSignIn{username: username, password: password, opts: SignInOptions{Flow: o.AutoSignInFlow, ClientMetadata: o.ClientMetadata}}
	}
	a.mu.Unlock()
	r := SignUpResult{UserID: aws.ToString(out.UserSub), CodeDeliveryDetails: fromDelivery(out.CodeDeliveryDetails), IsSignUpComplete: out.UserConfirmed, NextStep: "CONFIRM_SIGN_UP"}
	if out.UserConfirmed {
		r.NextStep = "DONE"
		if o.AutoSignIn {
			r.NextStep = "COMPLETE_AUTO_SIGN_IN"
		}
	}
	return r, nil
}

// ConfirmSignUp confirms a sign-up with its code.
func (a *Auth) ConfirmSignUp(ctx context.Context, username, code string) (SignUpResult, error) {
	c := a.c
	in := &cip.ConfirmSignUpInput{ClientId: aws.String(c.cfg.ClientID), Username: aws.String(username), ConfirmationCode: aws.String(code)}
	in.SecretHash = c.secretHashField(username)
	out, err := c.idp.ConfirmSignUp(ctx, in)
	if err != nil {
		return SignUpResult{}, wrapService("ConfirmSignUp", err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.auto != nil && a.auto.username == username {
		a.auto.session = aws.ToString(out.Session)
		return SignUpResult{IsSignUpComplete: true, NextStep: "COMPLETE_AUTO_SIGN_IN"}, nil
	}
	return SignUpResult{IsSignUpComplete: true, NextStep: "DONE"}, nil
}

// AutoSignIn completes the sign-in a SignUp with AutoSignIn asked for, once the
// sign-up is confirmed.
func (a *Auth) AutoSignIn(ctx context.Context) (Result, error) {
	a.mu.Lock()
	auto := a.auto
	a.auto = nil
	a.mu.Unlock()
	if auto == nil {
		return Result{}, &StateError{Name: "AutoSignInException", Message: "The autoSignIn flow has not started, or has been cancelled."}
	}
	o := auto.opts
	if o.Flow == UserAuth {
		o.Session = auto.session
	}
	return a.SignIn(ctx, auto.username, auto.password, o)
}

// ResendSignUpCode sends the sign-up code again.
func (a *Auth) ResendSignUpCode(ctx context.Context, username string) (*CodeDeliveryDetails, error) {
	c := a.c
	in := &cip.ResendConfirmationCodeInput{ClientId: aws.String(c.cfg.ClientID), Username: aws.String(username)}
	in.SecretHash = c.secretHashField(username)
	out, err := c.idp.ResendConfirmationCode(ctx, in)
	if err != nil {
		return nil, wrapService("ResendConfirmationCode", err)
	}
	return fromDelivery(out.CodeDeliveryDetails), nil
}

// ResetPassword starts a password reset (ForgotPassword) and says where the code went.
func (a *Auth) ResetPassword(ctx context.Context, username string) (*CodeDeliveryDetails, error) {
	c := a.c
	in := &cip.ForgotPasswordInput{ClientId: aws.String(c.cfg.ClientID), Username: aws.String(username)}
	in.SecretHash = c.secretHashField(username)
	out, err := c.idp.ForgotPassword(ctx, in)
	if err != nil {
		return nil, wrapService("ForgotPassword", err)
	}
	return fromDelivery(out.CodeDeliveryDetails), nil
}

// ConfirmResetPassword sets a new password with the reset code.
func (a *Auth) ConfirmResetPassword(ctx context.Context, username, code, newPassword string) error {
	c := a.c
	in := &cip.ConfirmForgotPasswordInput{ClientId: aws.String(c.cfg.ClientID), Username: aws.String(username), ConfirmationCode: aws.String(code), Password: aws.String(newPassword)}
	in.SecretHash = c.secretHashField(username)
	_, err := c.idp.ConfirmForgotPassword(ctx, in)
	return wrapService("ConfirmForgotPassword", err)
}

// SignOut signs the user out: locally it revokes the refresh token (RevokeToken, as
// both clients do) and forgets the tokens; global also calls GlobalSignOut, which
// revokes every token of the user everywhere.
func (a *Auth) SignOut(ctx context.Context, global bool) error {
	a.mu.Lock()
	t := a.tokens
	a.tokens, a.flow = nil, nil
	a.mu.Unlock()
	if t == nil {
		return nil
	}
	c := a.c
	if global {
		if _, err := c.idp.GlobalSignOut(ctx, &cip.GlobalSignOutInput{AccessToken: aws.String(t.AccessToken)}); err != nil {
			return wrapService("GlobalSignOut", err)
		}
		return nil
	}
	if t.RefreshToken == "" {
		return nil
	}
	in := &cip.RevokeTokenInput{ClientId: aws.String(c.cfg.ClientID), Token: aws.String(t.RefreshToken)}
	if c.cfg.ClientSecret != "" {
		in.ClientSecret = aws.String(c.cfg.ClientSecret)
	}
	_, err := c.idp.RevokeToken(ctx, in)
	return wrapService("RevokeToken", err)
}

// Refresh gets new id and access tokens with the refresh token (REFRESH_TOKEN_AUTH).
func (a *Auth) Refresh(ctx context.Context) (*Tokens, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	t := a.tokens
	if t == nil || t.RefreshToken == "" {
		return nil, &StateError{Name: "SignedOutException", Message: "no signed-in user to refresh"}
	}
	c := a.c
	params := map[string]string{"REFRESH_TOKEN": t.RefreshToken}
	if h := c.secretHash(t.Username); h != "" {
		params["SECRET_HASH"] = h
		params["USERNAME"] = t.Username
	}
	if d, ok := c.cfg.Devices.Get(c.cfg.PoolID, t.Username); ok {
		params["DEVICE_KEY"] = d.Key
	}
	out, err := c.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: aws.String(c.cfg.ClientID), AuthParameters: params})
	if err != nil {
		return nil, wrapService("InitiateAuth", err)
	}
	r := out.AuthenticationResult
	if r == nil {
		return nil, &StateError{Name: "InvalidStateException", Message: "refresh returned no tokens"}
	}
	nt := *t
	nt.IDToken, nt.AccessToken, nt.ExpiresIn = aws.ToString(r.IdToken), aws.ToString(r.AccessToken), r.ExpiresIn
	if r.RefreshToken != nil {
		nt.RefreshToken = *r.RefreshToken
	}
	a.tokens = &nt
	cp := nt
	return &cp, nil
}

// accessToken returns the signed-in user's access token or a StateError.
func (a *Auth) accessToken() (*string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens == nil {
		return nil, &StateError{Name: "SignedOutException", Message: "no signed-in user"}
	}
	return aws.String(a.tokens.AccessToken), nil
}

// MFAPreference is what fetchMFAPreference reports.
type MFAPreference struct {
	Enabled   []MFAType
	Preferred MFAType
}

// FetchMFAPreference reads the signed-in user's MFA settings (GetUser).
func (a *Auth) FetchMFAPreference(ctx context.Context) (MFAPreference, error) {
	tok, err := a.accessToken()
	if err != nil {
		return MFAPreference{}, err
	}
	out, err := a.c.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: tok})
	if err != nil {
		return MFAPreference{}, wrapService("GetUser", err)
	}
	var p MFAPreference
	for _, s := range out.UserMFASettingList {
		if t, ok := mfaFromChallenge(s); ok {
			p.Enabled = append(p.Enabled, t)
		}
	}
	if t, ok := mfaFromChallenge(aws.ToString(out.PreferredMfaSetting)); ok {
		p.Preferred = t
	}
	return p, nil
}

// MFASetting is an update of one MFA type: "ENABLED", "DISABLED", "PREFERRED" or
// "NOT_PREFERRED"; empty leaves it unchanged.
type MFASetting string

// UpdateMFAPreference changes the signed-in user's MFA settings
// (SetUserMFAPreference).
func (a *Auth) UpdateMFAPreference(ctx context.Context, sms, totp, email MFASetting) error {
	tok, err := a.accessToken()
	if err != nil {
		return err
	}
	in := &cip.SetUserMFAPreferenceInput{AccessToken: tok}
	conv := func(s MFASetting) (enabled, preferred bool, set bool) {
		switch s {
		case "ENABLED":
			return true, false, true
		case "DISABLED":
			return false, false, true
		case "PREFERRED":
			return true, true, true
		case "NOT_PREFERRED":
			return true, false, true
		}
		return false, false, false
	}
	if e, p, ok := conv(sms); ok {
		in.SMSMfaSettings = &types.SMSMfaSettingsType{Enabled: e, PreferredMfa: p}
	}
	if e, p, ok := conv(totp); ok {
		in.SoftwareTokenMfaSettings = &types.SoftwareTokenMfaSettingsType{Enabled: e, PreferredMfa: p}
	}
	if e, p, ok := conv(email); ok {
		in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: e, PreferredMfa: p}
	}
	_, err = a.c.idp.SetUserMFAPreference(ctx, in)
	return wrapService("SetUserMFAPreference", err)
}

// SetUpTOTP starts TOTP setup for the signed-in user (AssociateSoftwareToken with the
// access token) and returns the shared secret.
func (a *Auth) SetUpTOTP(ctx context.Context) (*TOTPSetupDetails, error) {
	tok, err := a.accessToken()
	if err != nil {
		return nil, err
	}
	out, err := a.c.idp.AssociateSoftwareToken(ctx, &cip.AssociateSoftwareTokenInput{AccessToken: tok})
	if err != nil {
		return nil, wrapService("AssociateSoftwareToken", err)
	}
	a.mu.Lock()
	user := a.tokens.Username
	a.mu.Unlock()
	return &TOTPSetupDetails{SharedSecret: aws.ToString(out.SecretCode), Username: user}, nil
}

// VerifyTOTPSetup verifies a code from the new TOTP device (VerifySoftwareToken).
func (a *Auth) VerifyTOTPSetup(ctx context.Context, code, friendlyDeviceName string) error {
	tok, err := a.accessToken()
	if err != nil {
		return err
	}
	in := &cip.VerifySoftwareTokenInput{AccessToken: tok, UserCode: aws.String(code)}
	if friendlyDeviceName != "" {
		in.FriendlyDeviceName = aws.String(friendlyDeviceName)
	}
	out, err := a.c.idp.VerifySoftwareToken(ctx, in)
	if err != nil {
		return wrapService("VerifySoftwareToken", err)
	}
	if out.Status != types.VerifySoftwareTokenResponseTypeSuccess {
		return &ServiceError{Operation: "VerifySoftwareToken", Name: "EnableSoftwareTokenMFAException", Message: "Code mismatch"}
	}
	return nil
}

// RememberDevice marks the current device remembered (UpdateDeviceStatus), for pools
// that remember devices on the user's choice.
func (a *Auth) RememberDevice(ctx context.Context) error {
	return a.deviceStatus(ctx, types.DeviceRememberedStatusTypeRemembered)
}

func (a *Auth) deviceStatus(ctx context.Context, st types.DeviceRememberedStatusType) error {
	tok, err := a.accessToken()
	if err != nil {
		return err
	}
	c := a.c
	a.mu.Lock()
	user := a.tokens.Username
	a.mu.Unlock()
	d, ok := c.cfg.Devices.Get(c.cfg.PoolID, user)
	if !ok {
		return &StateError{Name: "DeviceNotTrackedException", Message: "no device is tracked for this user"}
	}
	_, err = c.idp.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: tok, DeviceKey: aws.String(d.Key), DeviceRememberedStatus: st})
	return wrapService("UpdateDeviceStatus", err)
}

// ForgetDevice forgets the current device on the server (ForgetDevice) and locally.
func (a *Auth) ForgetDevice(ctx context.Context) error {
	tok, err := a.accessToken()
	if err != nil {
		return err
	}
	c := a.c
	a.mu.Lock()
	user := a.tokens.Username
	a.mu.Unlock()
	d, ok := c.cfg.Devices.Get(c.cfg.PoolID, user)
	if !ok {
		return &StateError{Name: "DeviceNotTrackedException", Message: "no device is tracked for this user"}
	}
	if _, err := c.idp.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: tok, DeviceKey: aws.String(d.Key)}); err != nil {
		return wrapService("ForgetDevice", err)
	}
	c.cfg.Devices.Delete(c.cfg.PoolID, user)
	return nil
}

// secretHashField is the SecretHash member of a request about username: nil when the
// app client has no secret, so the member is left out.
func (c *Client) secretHashField(username string) *string {
	if h := c.secretHash(username); h != "" {
		return aws.String(h)
	}
	return nil
}
