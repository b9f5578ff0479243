package driver

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/srp"
)

// AuthFlow is how a sign-in starts (spec §2).
type AuthFlow string

// The sign-in flows, named as Amplify JS names them.
const (
	// UserSRPAuth signs in with SRP (the default).
	UserSRPAuth AuthFlow = "USER_SRP_AUTH"
	// UserPasswordAuth sends the password (the only flow that fires user migration).
	UserPasswordAuth AuthFlow = "USER_PASSWORD_AUTH"
	// CustomWithSRP proves the password with SRP, then runs custom challenges.
	CustomWithSRP AuthFlow = "CUSTOM_WITH_SRP"
	// CustomWithoutSRP runs custom challenges only; no password may be given.
	CustomWithoutSRP AuthFlow = "CUSTOM_WITHOUT_SRP"
	// UserAuth is choice-based sign-in: passwordless first factors or a password.
	UserAuth AuthFlow = "USER_AUTH"
)

// ParseAuthFlow reads a flow name (Amplify JS or Flutter spelling).
func ParseAuthFlow(s string) (AuthFlow, bool) {
	switch strings.ToUpper(strings.ReplaceAll(s, "-", "_")) {
	case "", "USER_SRP_AUTH", "USERSRPAUTH", "SRP":
		return UserSRPAuth, true
	case "USER_PASSWORD_AUTH", "USERPASSWORDAUTH", "PASSWORD":
		return UserPasswordAuth, true
	case "CUSTOM_WITH_SRP", "CUSTOMAUTHWITHSRP", "CUSTOM_AUTH_WITH_SRP":
		return CustomWithSRP, true
	case "CUSTOM_WITHOUT_SRP", "CUSTOMAUTHWITHOUTSRP", "CUSTOM_AUTH_WITHOUT_SRP", "CUSTOM":
		return CustomWithoutSRP, true
	case "USER_AUTH", "USERAUTH":
		return UserAuth, true
	}
	return "", false
}

// SignInOptions are signIn's options.
type SignInOptions struct {
	// Flow is the auth flow; empty means USER_SRP_AUTH.
	Flow AuthFlow
	// PreferredChallenge is USER_AUTH's preferred first factor (PREFERRED_CHALLENGE).
	PreferredChallenge AuthFactor
	// ClientMetadata goes to the pool's Lambda triggers.
	ClientMetadata map[string]string
	// Session is the Session ConfirmSignUp returned, for sign-in right after sign-up
	// (USER_AUTH only).
	Session string
}

// Auth is one user's sign-in state, like the Auth category of one running app: at
// most one sign-in in progress and one signed-in user. It is safe for concurrent use,
// but its calls are serialised, as an app's would be.
type Auth struct {
	c  *Client
	mu sync.Mutex

	flow   *flow       // the sign-in in progress, or nil
	tokens *Tokens     // the signed-in user's tokens, or nil
	auto   *autoSignIn // the sign-in a confirmed sign-up may complete
}

// flow is a sign-in in progress.
type flow struct {
	authFlow  AuthFlow
	typed     string // the username as the user typed it
	username  string // the canonical username, once Cognito said it
	password  string // kept only until the first factor is done (for PASSWORD_SRP)
	session   string
	challenge string
	params    map[string]string
	next      NextStep
	started   time.Time
	meta      map[string]string
	srpClient *srp.Client
	device    *Device
	// MFA setup (MFA_SETUP) progress.
	setupTypes   []MFAType
	setupChoice  MFAType
	setupSecret  string
	setupSession string
	retriedStale bool
	firstFactor  AuthFactor
	lastMFA      MFAType // the MFA type answered in this sign-in, for Flutter's side calls
}

// Client returns the client the Auth signs in through.
func (a *Auth) Client() *Client { return a.c }

// Username returns the canonical username of the sign-in in progress (as Cognito
// named it in its last challenge) or of the signed-in user, or "".
func (a *Auth) Username() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.flow != nil:
		return a.flow.username
	case a.tokens != nil:
		return a.tokens.Username
	}
	return ""
}

// Tokens returns the signed-in user's tokens, or nil.
func (a *Auth) Tokens() *Tokens {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.tokens == nil {
		return nil
	}
	t := *a.tokens
	return &t
}

// SignIn starts a sign-in (Amplify's signIn). password may be empty for flows that
// take none.
func (a *Auth) SignIn(ctx context.Context, username, password string, o SignInOptions) (Result, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.c
	if a.tokens != nil {
		if c.cfg.Dialect == JS {
			return Result{}, &StateError{Name: "UserAlreadyAuthenticatedException", Message: "There is already a signed in user."}
		}
		return Result{}, &StateError{Name: "InvalidStateException", Message: "A user is already signed in."}
	}
	if o.Flow == "" {
		o.Flow = UserSRPAuth
	}
	if err := c.validateSignIn(username, password, o); err != nil {
		return Result{}, err
	}
	f := &flow{authFlow: o.Flow, typed: username, username: username, password: password, started: c.cfg.Now(), meta: o.ClientMetadata}
	if d, ok := c.cfg.Devices.Get(c.cfg.PoolID, username); ok {
		f.device = &d
	}
	a.flow = nil
	res, err := a.start(ctx, f, o)
	return a.settle(ctx, f, res, err, true)
}

// validateSignIn applies the clients' checks made before any network call.
func (c *Client) validateSignIn(username, password string, o SignInOptions) error {
	js := c.cfg.Dialect == JS
	if username == "" {
		if js {
			return &ValidationError{Name: "EmptySignInUsername", Message: "username is required to signIn"}
		}
		return &ValidationError{Name: "InvalidParameterException", Message: "No username was provided"}
	}
	needs, forbids := false, false
	switch o.Flow {
	case UserSRPAuth, UserPasswordAuth, CustomWithSRP:
		needs = true
	case CustomWithoutSRP:
		forbids = true
	case UserAuth:
		needs = js && (o.PreferredChallenge == FactorPassword || o.PreferredChallenge == FactorPasswordSRP)
	default:
		return &ValidationError{Name: "InvalidParameterException", Message: "unknown auth flow " + string(o.Flow)}
	}
	switch {
	case needs && password == "":
		if js {
			return &ValidationError{Name: "EmptySignInPassword", Message: "password is required to signIn"}
		}
		if o.Flow == CustomWithSRP {
			return &ValidationError{Name: "AuthValidationException", Message: "No password was provided"}
		}
		return &ValidationError{Name: "InvalidParameterException", Message: "No password was provided"}
	case forbids && password != "":
		if js {
			return &ValidationError{Name: "CustomAuthSignInPassword", Message: "password is not allowed when signing in with 'CUSTOM_WITHOUT_SRP'"}
		}
		return &ValidationError{Name: "AuthValidationException", Message: "A password must not be provided for custom auth without SRP"}
	}
	return nil
}

// start sends InitiateAuth for the flow and handles what comes back.
func (a *Auth) start(ctx context.Context, f *flow, o SignInOptions) (Result, error) {
	c := a.c
	js := c.cfg.Dialect == JS
	params := map[string]string{"USERNAME": f.typed}
	if h := c.secretHash(f.typed); h != "" {
		params["SECRET_HASH"] = h
	}
	flowName := string(f.authFlow)
	withDevice := !js // Flutter sends DEVICE_KEY in InitiateAuth for every flow
	switch f.authFlow {
	case UserSRPAuth:
		if err := a.newSRP(ctx, f); err != nil {
			return Result{}, err
		}
		params["SRP_A"] = f.srpClient.SRPA()
	case UserPasswordAuth:
		params["PASSWORD"] = f.password
		withDevice = true
	case CustomWithSRP:
		flowName = "CUSTOM_AUTH"
		if err := a.newSRP(ctx, f); err != nil {
			return Result{}, err
		}
		params["SRP_A"] = f.srpClient.SRPA()
		params["CHALLENGE_NAME"] = "SRP_A"
	case CustomWithoutSRP:
		flowName = "CUSTOM_AUTH"
		withDevice = true
	case UserAuth:
		if o.PreferredChallenge != "" {
			params["PREFERRED_CHALLENGE"] = string(o.PreferredChallenge)
		}
		if js && o.PreferredChallenge == FactorPassword {
			params["PASSWORD"] = f.password
		}
		if js && o.PreferredChallenge == FactorPasswordSRP {
			if err := a.newSRP(ctx, f); err != nil {
				return Result{}, err
			}
			params["SRP_A"] = f.srpClient.SRPA()
		}
	}
	if withDevice && f.device != nil {
		params["DEVICE_KEY"] = f.device.Key
	}
	in := &cip.InitiateAuthInput{AuthFlow: types.AuthFlowType(flowName), ClientId: aws.String(c.cfg.ClientID), AuthParameters: params, ClientMetadata: f.meta}
	if o.Session != "" {
		in.Session = aws.String(o.Session)
	}
	out, err := c.idp.InitiateAuth(ctx, in)
	if err != nil {
		return Result{}, wrapService("InitiateAuth", err)
	}
	return a.handle(ctx, f, challengeOut{name: string(out.ChallengeName), params: out.ChallengeParameters, session: aws.ToString(out.Session), result: out.AuthenticationResult, available: out.AvailableChallenges})
}

// newSRP makes the flow's SRP client (a fresh secret a).
func (a *Auth) newSRP(ctx context.Context, f *flow) error {
	c, err := timeSRP(ctx, func() (*srp.Client, error) { return srp.NewClient(a.c.random) })
	if err != nil {
		return err
	}
	f.srpClient = c
	return nil
}

// challengeOut is what InitiateAuth or RespondToAuthChallenge answered.
type challengeOut struct {
	name      string
	params    map[string]string
	session   string
	result    *types.AuthenticationResultType
	available []types.ChallengeNameType
}

// settle finishes a SignIn or ConfirmSignIn: on a step the flow stays pending, on Done
// it ends, and the two exceptions Amplify maps become steps (in ConfirmSignIn only in
// the JS dialect).
func (a *Auth) settle(ctx context.Context, f *flow, res Result, err error, fromSignIn bool) (Result, error) {
	if err != nil {
		mapIt := fromSignIn || a.c.cfg.Dialect == JS
		if mapIt && IsServiceError(err, "UserNotConfirmedException") {
			a.flow = nil
			return Result{NextStep: NextStep{SignInStep: ConfirmSignUp}}, nil
		}
		if mapIt && IsServiceError(err, "PasswordResetRequiredException") {
			a.flow = nil
			return Result{NextStep: NextStep{SignInStep: ResetPassword}}, nil
		}
		if fromSignIn {
			a.flow = nil // JS clears its store when signIn fails; Flutter has no state left
		}
		return Result{}, err
	}
	if res.NextStep.SignInStep == Done {
		a.flow = nil
		a.tokens = res.Tokens
		return res, nil
	}
	f.next = res.NextStep
	a.flow = f
	return res, nil
}

// handle answers the challenges the clients answer by themselves and turns the
// first one that needs the app into a step, or the tokens into Done.
func (a *Auth) handle(ctx context.Context, f *flow, out challengeOut) (Result, error) {
	c := a.c
	for {
		if u := out.params["USERNAME"]; u != "" {
			f.username = u
		} else if u := out.params["USER_ID_FOR_SRP"]; u != "" && c.cfg.Dialect == JS {
			f.username = u
		}
		f.session, f.challenge, f.params = out.session, out.name, out.params
		if out.result != nil {
			return a.done(ctx, f, out.result)
		}
		var err error
		switch out.name {
		case "PASSWORD_VERIFIER":
			out, err = a.passwordVerifier(ctx, f)
		case "DEVICE_SRP_AUTH":
			out, err = a.deviceSRP(ctx, f)
		case "DEVICE_PASSWORD_VERIFIER":
			out, err = a.devicePasswordVerifier(ctx, f)
		default:
			next, err := a.stepFor(ctx, f, out)
			if err != nil {
				return Result{}, err
			}
			return Result{NextStep: next}, nil
		}
		if err != nil {
			return Result{}, err
		}
	}
}

// respond sends RespondToAuthChallenge with USERNAME and SECRET_HASH for the current
// canonical username.
func (a *Auth) respond(ctx context.Context, f *flow, name string, resp map[string]string, session string) (challengeOut, error) {
	c := a.c
	resp["USERNAME"] = f.username
	if h := c.secretHash(f.username); h != "" {
		resp["SECRET_HASH"] = h
	}
	if session == "" {
		session = f.session
	}
	in := &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameType(name), ClientId: aws.String(c.cfg.ClientID), ChallengeResponses: resp, ClientMetadata: f.meta}
	if session != "" {
		in.Session = aws.String(session)
	}
	out, err := c.idp.RespondToAuthChallenge(ctx, in)
	if err != nil {
		return challengeOut{}, wrapService("RespondToAuthChallenge", err)
	}
	return challengeOut{name: string(out.ChallengeName), params: out.ChallengeParameters, session: aws.ToString(out.Session), result: out.AuthenticationResult}, nil
}

// passwordVerifier answers PASSWORD_VERIFIER with the SRP proof.
func (a *Auth) passwordVerifier(ctx context.Context, f *flow) (challengeOut, error) {
	c := a.c
	p := f.params
	if f.srpClient == nil {
		return challengeOut{}, &StateError{Name: "InvalidStateException", Message: "PASSWORD_VERIFIER without SRP_A"}
	}
	userID := p["USER_ID_FOR_SRP"]
	r, err := timeSRP(ctx, func() (srp.Response, error) {
		return f.srpClient.Respond(srp.Challenge{Realm: c.realm, UserID: userID, Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, f.password, c.cfg.Now())
	})
	if err != nil {
		return challengeOut{}, err
	}
	resp := map[string]string{
		"PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock,
		"PASSWORD_CLAIM_SIGNATURE":    r.Signature,
		"TIMESTAMP":                   r.Timestamp,
	}
	if c.cfg.Dialect == JS {
		f.username = userID // JS answers with USER_ID_FOR_SRP as USERNAME
	}
	if f.device != nil {
		resp["DEVICE_KEY"] = f.device.Key
	}
	out, err := a.respond(ctx, f, "PASSWORD_VERIFIER", resp, "")
	if err != nil && f.device != nil && IsServiceError(err, "ResourceNotFoundException") && !f.retriedStale {
		// The device was forgotten on the server: drop it and sign in again without it.
		c.cfg.Devices.Delete(c.cfg.PoolID, f.typed)
		c.cfg.Devices.Delete(c.cfg.PoolID, f.username)
		f.device, f.retriedStale = nil, true
		return a.restart(ctx, f)
	}
	f.password = ""
	return out, err
}

// restart runs the flow's InitiateAuth again (after a stale device was dropped) and
// returns its first challenge.
func (a *Auth) restart(ctx context.Context, f *flow) (challengeOut, error) {
	if err := a.newSRP(ctx, f); err != nil {
		return challengeOut{}, err
	}
	c := a.c
	params := map[string]string{"USERNAME": f.typed, "SRP_A": f.srpClient.SRPA()}
	if h := c.secretHash(f.typed); h != "" {
		params["SECRET_HASH"] = h
	}
	flowName := string(f.authFlow)
	if f.authFlow == CustomWithSRP {
		flowName, params["CHALLENGE_NAME"] = "CUSTOM_AUTH", "SRP_A"
	}
	out, err := c.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowType(flowName), ClientId: aws.String(c.cfg.ClientID), AuthParameters: params, ClientMetadata: f.meta})
	if err != nil {
		return challengeOut{}, wrapService("InitiateAuth", err)
	}
	return challengeOut{name: string(out.ChallengeName), params: out.ChallengeParameters, session: aws.ToString(out.Session), result: out.AuthenticationResult}, nil
}

// deviceSRP answers DEVICE_SRP_AUTH with SRP_A for the remembered device.
func (a *Auth) deviceSRP(ctx context.Context, f *flow) (challengeOut, error) {
	if f.device == nil {
		return challengeOut{}, &StateError{Name: "InvalidStateException", Message: "DEVICE_SRP_AUTH without a remembered device"}
	}
	// JS makes a fresh a; Flutter reuses the user SRP's when there is one.
	if a.c.cfg.Dialect == JS || f.srpClient == nil {
		if err := a.newSRP(ctx, f); err != nil {
			return challengeOut{}, err
		}
	}
	return a.respond(ctx, f, "DEVICE_SRP_AUTH", map[string]string{"DEVICE_KEY": f.device.Key, "SRP_A": f.srpClient.SRPA()}, "")
}

// devicePasswordVerifier proves the device password.
func (a *Auth) devicePasswordVerifier(ctx context.Context, f *flow) (challengeOut, error) {
	p := f.params
	d := f.device
	if d == nil || f.srpClient == nil {
		return challengeOut{}, &StateError{Name: "InvalidStateException", Message: "DEVICE_PASSWORD_VERIFIER without a device"}
	}
	r, err := timeSRP(ctx, func() (srp.Response, error) {
		return f.srpClient.Respond(srp.Challenge{Realm: d.GroupKey, UserID: d.Key, Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, d.Password, a.c.cfg.Now())
	})
	if err != nil {
		return challengeOut{}, err
	}
	return a.respond(ctx, f, "DEVICE_PASSWORD_VERIFIER", map[string]string{
		"DEVICE_KEY":                  d.Key,
		"PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock,
		"PASSWORD_CLAIM_SIGNATURE":    r.Signature,
		"TIMESTAMP":                   r.Timestamp,
	}, "")
}

// stepFor turns a challenge that needs the app into its step (spec §1.2).
func (a *Auth) stepFor(ctx context.Context, f *flow, out challengeOut) (NextStep, error) {
	c := a.c
	js := c.cfg.Dialect == JS
	p := out.params
	switch out.name {
	case "SMS_MFA":
		return NextStep{SignInStep: ConfirmSignInWithSMSMFACode, CodeDeliveryDetails: delivery(p), AdditionalInfo: copyMap(p)}, nil
	case "SOFTWARE_TOKEN_MFA":
		n := NextStep{SignInStep: ConfirmSignInWithTOTPMFACode}
		if !js {
			n.CodeDeliveryDetails = &CodeDeliveryDetails{DeliveryMedium: "TOTP", Destination: p["FRIENDLY_DEVICE_NAME"]}
		}
		return n, nil
	case "EMAIL_OTP", "SMS_OTP":
		return NextStep{SignInStep: ConfirmSignInWithOTPCode, CodeDeliveryDetails: delivery(p), otpBySMS: out.name == "SMS_OTP"}, nil
	case "SELECT_MFA_TYPE":
		return NextStep{SignInStep: ContinueSignInWithMFASelection, AllowedMFATypes: mfaList(p["MFAS_CAN_CHOOSE"])}, nil
	case "MFA_SETUP":
		return a.mfaSetupStep(ctx, f, p)
	case "SELECT_CHALLENGE":
		var factors []AuthFactor
		for _, ch := range out.available {
			switch AuthFactor(ch) {
			case FactorPassword, FactorPasswordSRP, FactorEmailOTP, FactorSMSOTP:
				factors = append(factors, AuthFactor(ch))
			case FactorWebAuthn:
				if js {
					factors = append(factors, FactorWebAuthn)
				}
			}
		}
		return NextStep{SignInStep: ContinueSignInWithFirstFactorSelection, AvailableFactors: factors}, nil
	case "PASSWORD", "PASSWORD_SRP":
		return NextStep{SignInStep: ConfirmSignInWithPassword}, nil
	case "NEW_PASSWORD_REQUIRED":
		n := NextStep{SignInStep: ConfirmSignInWithNewPassword, MissingAttributes: requiredAttributes(p["requiredAttributes"])}
		if !js {
			n.AdditionalInfo = map[string]string{"userAttributes": p["userAttributes"], "requiredAttributes": p["requiredAttributes"]}
		}
		return n, nil
	case "CUSTOM_CHALLENGE":
		return NextStep{SignInStep: ConfirmSignInWithCustomChallenge, AdditionalInfo: copyMap(p)}, nil
	}
	if js {
		return NextStep{}, &StateError{Name: "SignInException", Message: "An error occurred during the sign in process. " + out.name + " challengeName returned by the underlying service was not addressed."}
	}
	return NextStep{}, &StateError{Name: "InvalidStateException", Message: "Unrecognized challenge type: " + out.name}
}

// mfaSetupStep is MFA_SETUP's step: which types can be set up in sign-in (SMS
// cannot), and for TOTP alone the secret from AssociateSoftwareToken.
func (a *Auth) mfaSetupStep(ctx context.Context, f *flow, p map[string]string) (NextStep, error) {
	js := a.c.cfg.Dialect == JS
	all := mfaList(p["MFAS_CAN_SETUP"])
	var settable []MFAType
	for _, t := range all {
		if t != MFASMS {
			settable = append(settable, t)
		}
	}
	f.setupTypes, f.setupChoice, f.setupSecret = settable, "", ""
	if len(settable) == 0 {
		if js {
			return NextStep{}, &StateError{Name: "SignInException", Message: "Cannot initiate MFA setup from available types: " + strings.Join(mfaNames(all), ", ")}
		}
		return NextStep{}, &StateError{Name: "InvalidUserPoolConfigurationException", Message: "Cannot set up MFA: no MFA type can be set up in sign-in"}
	}
	if len(settable) == 1 {
		f.setupChoice = settable[0]
	}
	if js {
		switch {
		case len(settable) > 1:
			return NextStep{SignInStep: ContinueSignInWithMFASetupSelection, AllowedMFATypes: settable}, nil
		case settable[0] == MFATOTP:
			return a.totpSetupStep(ctx, f, ContinueSignInWithTOTPSetup)
		default:
			return NextStep{SignInStep: ContinueSignInWithEmailMFASetup}, nil
		}
	}
	// Flutter reports every MFA_SETUP as the setup selection, with the TOTP secret
	// already fetched when TOTP is the only type that can be set up.
	if len(settable) == 1 && settable[0] == MFATOTP {
		n, err := a.totpSetupStep(ctx, f, ContinueSignInWithMFASetupSelection)
		n.AllowedMFATypes = all
		return n, err
	}
	return NextStep{SignInStep: ContinueSignInWithMFASetupSelection, AllowedMFATypes: all}, nil
}

// totpSetupStep calls AssociateSoftwareToken with the sign-in session and returns the
// step carrying the shared secret.
func (a *Auth) totpSetupStep(ctx context.Context, f *flow, step Step) (NextStep, error) {
	in := &cip.AssociateSoftwareTokenInput{Session: aws.String(f.session)}
	if a.c.cfg.Dialect == Flutter {
		// Flutter passes the session as the access token too (spec §1.3 item 5).
		in.AccessToken = aws.String(f.session)
	}
	out, err := a.c.idp.AssociateSoftwareToken(ctx, in)
	if err != nil {
		return NextStep{}, wrapService("AssociateSoftwareToken", err)
	}
	f.setupChoice = MFATOTP
	f.setupSecret = aws.ToString(out.SecretCode)
	f.setupSession = aws.ToString(out.Session)
	return NextStep{SignInStep: step, TOTPSetupDetails: &TOTPSetupDetails{SharedSecret: f.setupSecret, Username: f.typed}}, nil
}

func delivery(p map[string]string) *CodeDeliveryDetails {
	m := p["CODE_DELIVERY_DELIVERY_MEDIUM"]
	if m == "" {
		m = "UNKNOWN"
	}
	return &CodeDeliveryDetails{DeliveryMedium: m, Destination: p["CODE_DELIVERY_DESTINATION"]}
}

// mfaList parses MFAS_CAN_CHOOSE / MFAS_CAN_SETUP (a JSON array of challenge names).
func mfaList(s string) []MFAType {
	var names []string
	if json.Unmarshal([]byte(s), &names) != nil {
		return nil
	}
	var out []MFAType
	for _, n := range names {
		if t, ok := mfaFromChallenge(n); ok {
			out = append(out, t)
		}
	}
	return out
}

func mfaNames(ts []MFAType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = mfaChallenge[t]
	}
	return out
}

// requiredAttributes parses requiredAttributes ("userAttributes.name" entries) into
// attribute names.
func requiredAttributes(s string) []string {
	var names []string
	_ = json.Unmarshal([]byte(s), &names)
	out := []string{}
	for _, n := range names {
		out = append(out, strings.TrimPrefix(n, "userAttributes."))
	}
	sort.Strings(out)
	return out
}

func copyMap(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// done stores the tokens of a completed sign-in, confirms a new device, and makes
// Flutter's side calls.
func (a *Auth) done(ctx context.Context, f *flow, r *types.AuthenticationResultType) (Result, error) {
	// A flow with no challenge (USER_PASSWORD_AUTH) never heard the canonical name:
	// take it from the tokens, as both clients do (signing in by an alias).
	if u := tokenUsername(aws.ToString(r.AccessToken)); u != "" {
		f.username = u
	}
	t := &Tokens{IDToken: aws.ToString(r.IdToken), AccessToken: aws.ToString(r.AccessToken), RefreshToken: aws.ToString(r.RefreshToken), ExpiresIn: r.ExpiresIn, Username: f.username}
	if md := r.NewDeviceMetadata; md != nil && md.DeviceKey != nil {
		if err := a.confirmDevice(ctx, f, t, aws.ToString(md.DeviceKey), aws.ToString(md.DeviceGroupKey)); err != nil {
			return Result{}, err
		}
	}
	return Result{IsSignedIn: true, NextStep: NextStep{SignInStep: Done}, Tokens: t}, nil
}

// confirmDevice makes and uploads a device verifier (ConfirmDevice) and remembers the
// device locally.
func (a *Auth) confirmDevice(ctx context.Context, f *flow, t *Tokens, key, group string) error {
	c := a.c
	ds, err := timeSRP(ctx, func() (srp.DeviceSecret, error) { return srp.NewDeviceSecret(c.random, group, key) })
	if err != nil {
		return err
	}
	in := &cip.ConfirmDeviceInput{
		AccessToken: aws.String(t.AccessToken),
		DeviceKey:   aws.String(key),
		DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{
			PasswordVerifier: aws.String(ds.VerifierBase64()),
			Salt:             aws.String(ds.SaltBase64()),
		},
	}
	if c.cfg.Dialect == JS && c.cfg.DeviceName != "" {
		in.DeviceName = aws.String(c.cfg.DeviceName)
	}
	if _, err := c.idp.ConfirmDevice(ctx, in); err != nil {
		return wrapService("ConfirmDevice", err)
	}
	d := Device{Key: key, GroupKey: group, Password: ds.Password}
	c.cfg.Devices.Put(c.cfg.PoolID, f.username, d)
	if f.typed != f.username {
		c.cfg.Devices.Put(c.cfg.PoolID, f.typed, d)
	}
	return nil
}

// tokenUsername returns the username claim of an access token (unverified: the
// token came from Cognito over TLS), or "" when it has none.
func tokenUsername(tok string) string {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return ""
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return ""
	}
	var c struct {
		Username string `json:"username"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return ""
	}
	return c.Username
}
