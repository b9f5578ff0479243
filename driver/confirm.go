package driver

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
)

// ConfirmOptions are confirmSignIn's options.
type ConfirmOptions struct {
	// UserAttributes go with a new password (NEW_PASSWORD_REQUIRED).
	UserAttributes map[string]string
	// ClientMetadata goes to the pool's Lambda triggers.
	ClientMetadata map[string]string
	// FriendlyDeviceName names the TOTP device being set up.
	FriendlyDeviceName string
}

// jsSessionTTL is how long Amplify JS keeps a pending sign-in (signInStore.ts).
const jsSessionTTL = 3 * time.Minute

// ConfirmSignIn answers the pending step (Amplify's confirmSignIn) with value: a code,
// an MFA type ("SMS", "TOTP", "EMAIL"), a first factor, an email address for email MFA
// setup, a new password or a custom challenge answer.
func (a *Auth) ConfirmSignIn(ctx context.Context, value string, o ConfirmOptions) (Result, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.c
	js := c.cfg.Dialect == JS
	f := a.flow
	if f == nil {
		if js {
			return Result{}, &StateError{Name: "SignInException", Message: "signIn was not called before confirmSignIn, or the sign-in session expired."}
		}
		return Result{}, &StateError{Name: "AuthPreconditionException", Message: "Cannot call `confirmSignIn` without an active sign-in session."}
	}
	if js && c.cfg.Now().Sub(f.started) > jsSessionTTL {
		a.flow = nil
		return Result{}, &StateError{Name: "SignInException", Message: "signIn was not called before confirmSignIn, or the sign-in session expired."}
	}
	if o.ClientMetadata != nil {
		f.meta = o.ClientMetadata
	}
	res, err := a.confirm(ctx, f, value, o)
	if err == nil && res.NextStep.SignInStep == Done && !js && !c.cfg.SkipSideCalls {
		a.sideCalls(ctx, f, res.Tokens, o)
	}
	return a.settle(ctx, f, res, err, false)
}

func (a *Auth) confirm(ctx context.Context, f *flow, value string, o ConfirmOptions) (Result, error) {
	c := a.c
	js := c.cfg.Dialect == JS
	withDevice := func(m map[string]string) map[string]string {
		if f.device != nil && js {
			m["DEVICE_KEY"] = f.device.Key
		}
		return m
	}
	var out challengeOut
	var err error
	switch f.next.SignInStep {
	case ConfirmSignInWithSMSMFACode:
		f.lastMFA = MFASMS
		out, err = a.respond(ctx, f, "SMS_MFA", withDevice(map[string]string{"SMS_MFA_CODE": value}), "")
	case ConfirmSignInWithTOTPMFACode:
		f.lastMFA = MFATOTP
		out, err = a.respond(ctx, f, "SOFTWARE_TOKEN_MFA", withDevice(map[string]string{"SOFTWARE_TOKEN_MFA_CODE": value}), "")
	case ConfirmSignInWithOTPCode:
		if f.challenge == "SMS_OTP" {
			out, err = a.respond(ctx, f, "SMS_OTP", withDevice(map[string]string{"SMS_OTP_CODE": value}), "")
		} else {
			f.lastMFA = MFAEmail
			out, err = a.respond(ctx, f, "EMAIL_OTP", withDevice(map[string]string{"EMAIL_OTP_CODE": value}), "")
		}
	case ContinueSignInWithMFASelection:
		t, ok := parseMFAType(value, js)
		if !ok || !containsMFA(f.next.AllowedMFATypes, t) {
			return Result{}, badMFAChoice(js, value)
		}
		out, err = a.respond(ctx, f, "SELECT_MFA_TYPE", map[string]string{"ANSWER": mfaChallenge[t]}, "")
	case ContinueSignInWithMFASetupSelection, ContinueSignInWithTOTPSetup, ContinueSignInWithEmailMFASetup:
		return a.confirmSetup(ctx, f, value, o)
	case ContinueSignInWithFirstFactorSelection:
		factor := AuthFactor(strings.ToUpper(value))
		switch factor {
		case FactorPassword, FactorPasswordSRP:
			f.firstFactor = factor
			return Result{NextStep: NextStep{SignInStep: ConfirmSignInWithPassword}}, nil
		case FactorEmailOTP, FactorSMSOTP:
			resp := map[string]string{"ANSWER": string(factor)}
			if !js && f.device != nil {
				resp["DEVICE_KEY"] = f.device.Key
			}
			out, err = a.respond(ctx, f, "SELECT_CHALLENGE", resp, "")
		default:
			return Result{}, &ValidationError{Name: "InvalidParameterException", Message: "not an available first factor: " + value}
		}
	case ConfirmSignInWithPassword:
		factor := f.firstFactor
		if factor == "" {
			factor = AuthFactor(f.challenge) // the server asked for PASSWORD or PASSWORD_SRP
		}
		if value == "" {
			return Result{}, &ValidationError{Name: "EmptyConfirmSignInChallengeResponse", Message: "a password is required"}
		}
		resp := map[string]string{"ANSWER": string(factor)}
		if !js && f.device != nil {
			resp["DEVICE_KEY"] = f.device.Key
		}
		if factor == FactorPasswordSRP {
			if err := a.newSRP(ctx, f); err != nil {
				return Result{}, err
			}
			resp["SRP_A"] = f.srpClient.SRPA()
			f.password = value
		} else {
			resp["PASSWORD"] = value
		}
		// Both clients answer with SELECT_CHALLENGE, even when the server asked for
		// PASSWORD / PASSWORD_SRP itself.
		out, err = a.respond(ctx, f, "SELECT_CHALLENGE", resp, "")
	case ConfirmSignInWithNewPassword:
		resp := map[string]string{"NEW_PASSWORD": value}
		required := map[string]bool{}
		for _, n := range f.next.MissingAttributes {
			required[n] = true
		}
		for k, v := range o.UserAttributes {
			if v == "" {
				continue
			}
			if js || required[k] {
				resp["userAttributes."+k] = v
			}
		}
		out, err = a.respond(ctx, f, "NEW_PASSWORD_REQUIRED", resp, "")
	case ConfirmSignInWithCustomChallenge:
		resp := withDevice(map[string]string{"ANSWER": value})
		if !js && f.device != nil {
			resp["DEVICE_KEY"] = f.device.Key // Flutter adds it to custom answers too
		}
		out, err = a.respond(ctx, f, "CUSTOM_CHALLENGE", resp, "")
	default:
		return Result{}, &StateError{Name: "InvalidStateException", Message: "nothing to confirm in step " + string(f.next.SignInStep)}
	}
	if err != nil {
		return Result{}, err
	}
	return a.handle(ctx, f, out)
}

// confirmSetup advances MFA setup: a type choice, then a TOTP code or an email address.
func (a *Auth) confirmSetup(ctx context.Context, f *flow, value string, o ConfirmOptions) (Result, error) {
	js := a.c.cfg.Dialect == JS
	if f.setupChoice == "" || (f.setupChoice == MFATOTP && f.setupSecret == "" && !isDigits(value)) || (f.setupChoice == MFAEmail && !strings.Contains(value, "@") && len(f.setupTypes) > 1 && !js) {
		t, ok := parseMFAType(value, js)
		if !ok || t == MFASMS || !containsMFA(f.setupTypes, t) {
			return Result{}, badMFAChoice(js, value)
		}
		f.setupChoice = t
		switch t {
		case MFATOTP:
			step := ContinueSignInWithTOTPSetup
			if !js {
				step = ContinueSignInWithMFASetupSelection
			}
			n, err := a.totpSetupStep(ctx, f, step)
			return Result{NextStep: n}, err
		default:
			if js {
				return Result{NextStep: NextStep{SignInStep: ContinueSignInWithEmailMFASetup}}, nil
			}
			return Result{NextStep: NextStep{SignInStep: ContinueSignInWithMFASetupSelection, AllowedMFATypes: []MFAType{MFAEmail}}}, nil
		}
	}
	switch f.setupChoice {
	case MFATOTP:
		if f.setupSecret == "" {
			n, err := a.totpSetupStep(ctx, f, f.next.SignInStep)
			return Result{NextStep: n}, err
		}
		in := &cip.VerifySoftwareTokenInput{UserCode: aws.String(value), Session: aws.String(f.setupSession)}
		if o.FriendlyDeviceName != "" {
			in.FriendlyDeviceName = aws.String(o.FriendlyDeviceName)
		}
		v, err := a.c.idp.VerifySoftwareToken(ctx, in)
		if err != nil {
			return Result{}, wrapService("VerifySoftwareToken", err)
		}
		if v.Status != types.VerifySoftwareTokenResponseTypeSuccess {
			return Result{}, &ServiceError{Operation: "VerifySoftwareToken", Name: "EnableSoftwareTokenMFAException", Message: "Code mismatch"}
		}
		sess := aws.ToString(v.Session)
		resp := map[string]string{}
		if !js {
			resp["Session"] = sess // Flutter also puts the session in the responses
		}
		f.lastMFA = MFATOTP
		out, err := a.respond(ctx, f, "MFA_SETUP", resp, sess)
		if err != nil {
			return Result{}, err
		}
		return a.handle(ctx, f, out)
	default: // email
		if !strings.Contains(value, "@") {
			return Result{}, &ValidationError{Name: "InvalidParameterException", Message: "an email address is required to set up email MFA"}
		}
		out, err := a.respond(ctx, f, "MFA_SETUP", map[string]string{"EMAIL": value}, "")
		if err != nil {
			return Result{}, err
		}
		return a.handle(ctx, f, out)
	}
}

func parseMFAType(v string, js bool) (MFAType, bool) {
	if !js {
		v = strings.ToUpper(v)
	}
	switch MFAType(v) {
	case MFASMS, MFATOTP, MFAEmail:
		return MFAType(v), true
	}
	return "", false
}

func containsMFA(list []MFAType, t MFAType) bool {
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

func badMFAChoice(js bool, v string) error {
	if js {
		return &ValidationError{Name: "IncorrectMFAMethod", Message: "incorrect MFA method was chosen: " + v + "; it should be one of SMS, TOTP or EMAIL"}
	}
	return &ValidationError{Name: "ArgumentError", Message: "invalid MFA type: " + v}
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// sideCalls are Amplify Flutter's best-effort calls after a sign-in completes: after an
// MFA code or MFA setup, GetUser and SetUserMFAPreference to mark that type enabled;
// after a new password, UpdateUserAttributes with the attributes not sent. Errors are
// ignored, as Flutter ignores them.
func (a *Auth) sideCalls(ctx context.Context, f *flow, t *Tokens, o ConfirmOptions) {
	c := a.c
	if t == nil {
		return
	}
	tok := aws.String(t.AccessToken)
	if f.lastMFA != "" {
		if _, err := c.idp.GetUser(ctx, &cip.GetUserInput{AccessToken: tok}); err == nil {
			in := &cip.SetUserMFAPreferenceInput{AccessToken: tok}
			on := &types.SMSMfaSettingsType{Enabled: true}
			switch f.lastMFA {
			case MFASMS:
				in.SMSMfaSettings = on
			case MFATOTP:
				in.SoftwareTokenMfaSettings = &types.SoftwareTokenMfaSettingsType{Enabled: true}
			case MFAEmail:
				in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: true}
			}
			_, _ = c.idp.SetUserMFAPreference(ctx, in)
		}
	}
	if f.next.SignInStep == ConfirmSignInWithNewPassword && len(o.UserAttributes) > 0 {
		required := map[string]bool{}
		for _, n := range f.next.MissingAttributes {
			required[n] = true
		}
		var rest []types.AttributeType
		names := make([]string, 0, len(o.UserAttributes))
		for k := range o.UserAttributes {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			if v := o.UserAttributes[k]; v != "" && !required[k] {
				rest = append(rest, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
			}
		}
		if len(rest) > 0 {
			_, _ = c.idp.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: tok, UserAttributes: rest})
		}
	}
}
