package driver

import "strings"

// Step is Amplify's name for what the app must do next (Amplify Flutter's
// AuthSignInStep values).
type Step string

// The sign-in steps.
const (
	ContinueSignInWithMFASelection         Step = "continueSignInWithMfaSelection"
	ContinueSignInWithMFASetupSelection    Step = "continueSignInWithMfaSetupSelection"
	ContinueSignInWithTOTPSetup            Step = "continueSignInWithTotpSetup"
	ContinueSignInWithEmailMFASetup        Step = "continueSignInWithEmailMfaSetup"
	ContinueSignInWithFirstFactorSelection Step = "continueSignInWithFirstFactorSelection"
	ConfirmSignInWithSMSMFACode            Step = "confirmSignInWithSmsMfaCode"
	ConfirmSignInWithTOTPMFACode           Step = "confirmSignInWithTotpMfaCode"
	ConfirmSignInWithOTPCode               Step = "confirmSignInWithOtpCode"
	ConfirmSignInWithNewPassword           Step = "confirmSignInWithNewPassword"
	ConfirmSignInWithCustomChallenge       Step = "confirmSignInWithCustomChallenge"
	ConfirmSignInWithPassword              Step = "confirmSignInWithPassword"
	ResetPassword                          Step = "resetPassword"
	ConfirmSignUp                          Step = "confirmSignUp"
	Done                                   Step = "done"
)

// jsNames maps each step to Amplify JS v6's signInStep.
var jsNames = map[Step]string{
	ContinueSignInWithMFASelection:         "CONTINUE_SIGN_IN_WITH_MFA_SELECTION",
	ContinueSignInWithMFASetupSelection:    "CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION",
	ContinueSignInWithTOTPSetup:            "CONTINUE_SIGN_IN_WITH_TOTP_SETUP",
	ContinueSignInWithEmailMFASetup:        "CONTINUE_SIGN_IN_WITH_EMAIL_SETUP",
	ContinueSignInWithFirstFactorSelection: "CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION",
	ConfirmSignInWithSMSMFACode:            "CONFIRM_SIGN_IN_WITH_SMS_CODE",
	ConfirmSignInWithTOTPMFACode:           "CONFIRM_SIGN_IN_WITH_TOTP_CODE",
	ConfirmSignInWithOTPCode:               "CONFIRM_SIGN_IN_WITH_EMAIL_CODE",
	ConfirmSignInWithNewPassword:           "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED",
	ConfirmSignInWithCustomChallenge:       "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE",
	ConfirmSignInWithPassword:              "CONFIRM_SIGN_IN_WITH_PASSWORD",
	ResetPassword:                          "RESET_PASSWORD",
	ConfirmSignUp:                          "CONFIRM_SIGN_UP",
	Done:                                   "DONE",
}

// JS returns the step's Amplify JS v6 name. For confirmSignInWithOtpCode it is the
// email name; [NextStep.JSStep] knows when the OTP went by SMS.
func (s Step) JS() string { return jsNames[s] }

// Dialect selects whose behaviour the driver copies where the Amplify libraries
// differ (spec §1.3).
type Dialect int

const (
	// Flutter copies Amplify Flutter (the default).
	Flutter Dialect = iota
	// JS copies Amplify JS v6.
	JS
)

func (d Dialect) String() string {
	if d == JS {
		return "js"
	}
	return "flutter"
}

// ParseDialect reads "flutter" or "js".
func ParseDialect(s string) (Dialect, bool) {
	switch strings.ToLower(s) {
	case "flutter", "":
		return Flutter, true
	case "js", "javascript":
		return JS, true
	}
	return Flutter, false
}

// MFAType is an MFA factor as the apps name it.
type MFAType string

// The MFA types.
const (
	MFASMS   MFAType = "SMS"
	MFATOTP  MFAType = "TOTP"
	MFAEmail MFAType = "EMAIL"
)

// challenge names of each MFA type, as Cognito spells them.
var mfaChallenge = map[MFAType]string{MFASMS: "SMS_MFA", MFATOTP: "SOFTWARE_TOKEN_MFA", MFAEmail: "EMAIL_OTP"}

func mfaFromChallenge(c string) (MFAType, bool) {
	for t, name := range mfaChallenge {
		if name == c {
			return t, true
		}
	}
	return "", false
}

// AuthFactor is a first factor of choice-based sign-in (USER_AUTH).
type AuthFactor string

// The first factors.
const (
	FactorPassword    AuthFactor = "PASSWORD"
	FactorPasswordSRP AuthFactor = "PASSWORD_SRP"
	FactorEmailOTP    AuthFactor = "EMAIL_OTP"
	FactorSMSOTP      AuthFactor = "SMS_OTP"
	FactorWebAuthn    AuthFactor = "WEB_AUTHN"
)

// CodeDeliveryDetails says where a code went.
type CodeDeliveryDetails struct {
	// DeliveryMedium is "SMS", "EMAIL", "PHONE", "TOTP" (for TOTP steps, Flutter only)
	// or "UNKNOWN".
	DeliveryMedium string `json:"deliveryMedium"`
	// Destination is masked by Cognito, or the TOTP device name.
	Destination   string `json:"destination,omitempty"`
	AttributeName string `json:"attributeName,omitempty"`
}

// TOTPSetupDetails carries the shared secret of a TOTP setup. SharedSecret is a
// secret: it is never logged or printed by authbench.
type TOTPSetupDetails struct {
	SharedSecret string `json:"-"`
	// Username is the name the setup URI uses by default.
	Username string `json:"-"`
}

// NextStep is what the app must do next, with the fields Amplify fills for it.
type NextStep struct {
	SignInStep          Step                 `json:"signInStep"`
	CodeDeliveryDetails *CodeDeliveryDetails `json:"codeDeliveryDetails,omitempty"`
	TOTPSetupDetails    *TOTPSetupDetails    `json:"-"`
	AllowedMFATypes     []MFAType            `json:"allowedMfaTypes,omitempty"`
	AvailableFactors    []AuthFactor         `json:"availableFactors,omitempty"`
	AdditionalInfo      map[string]string    `json:"additionalInfo,omitempty"`
	MissingAttributes   []string             `json:"missingAttributes,omitempty"`
	// otpBySMS is set when a confirmSignInWithOtpCode code went by SMS (SMS_OTP).
	otpBySMS bool
}

// JSStep returns the step's Amplify JS v6 name, telling SMS from email OTP codes.
func (n NextStep) JSStep() string {
	if n.SignInStep == ConfirmSignInWithOTPCode && n.otpBySMS {
		return "CONFIRM_SIGN_IN_WITH_SMS_CODE"
	}
	return n.SignInStep.JS()
}

// Result is the outcome of SignIn or ConfirmSignIn.
type Result struct {
	IsSignedIn bool     `json:"isSignedIn"`
	NextStep   NextStep `json:"nextStep"`
	// Tokens are set when the step is Done.
	Tokens *Tokens `json:"-"`
}

// Tokens are a signed-in user's tokens. They are secrets: never logged or printed.
type Tokens struct {
	IDToken, AccessToken, RefreshToken string
	// ExpiresIn is the access token's validity in seconds.
	ExpiresIn int32
	// Username is the canonical username Cognito signed in.
	Username string
}
