package driver_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
)

// TestCodeSteps covers spec §1.2 rows 1–3b: a code challenge becomes its step with the
// fields each dialect fills, and the code goes back under the right key.
func TestCodeSteps(t *testing.T) {
	sms := map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "SMS", "CODE_DELIVERY_DESTINATION": "+*******0008", "USERNAME": "canonical"}
	email := map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "a***@e***", "USERNAME": "canonical"}
	rows := []struct {
		row       string
		challenge string
		params    map[string]string
		step      driver.Step
		js        string
		key       string
		delivery  map[driver.Dialect]*driver.CodeDeliveryDetails
		mfa       string // the MFA settings Flutter's side call enables
	}{
		{"1 SMS_MFA", "SMS_MFA", sms, driver.ConfirmSignInWithSMSMFACode, "CONFIRM_SIGN_IN_WITH_SMS_CODE", "SMS_MFA_CODE",
			map[driver.Dialect]*driver.CodeDeliveryDetails{driver.Flutter: {DeliveryMedium: "SMS", Destination: "+*******0008"}, driver.JS: {DeliveryMedium: "SMS", Destination: "+*******0008"}}, "sms"},
		{"2 SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA", map[string]string{"FRIENDLY_DEVICE_NAME": "phone", "USERNAME": "canonical"}, driver.ConfirmSignInWithTOTPMFACode, "CONFIRM_SIGN_IN_WITH_TOTP_CODE", "SOFTWARE_TOKEN_MFA_CODE",
			map[driver.Dialect]*driver.CodeDeliveryDetails{driver.Flutter: {DeliveryMedium: "TOTP", Destination: "phone"}, driver.JS: nil}, "totp"},
		{"3a EMAIL_OTP", "EMAIL_OTP", email, driver.ConfirmSignInWithOTPCode, "CONFIRM_SIGN_IN_WITH_EMAIL_CODE", "EMAIL_OTP_CODE",
			map[driver.Dialect]*driver.CodeDeliveryDetails{driver.Flutter: {DeliveryMedium: "EMAIL", Destination: "a***@e***"}, driver.JS: {DeliveryMedium: "EMAIL", Destination: "a***@e***"}}, "email"},
		{"3b SMS_OTP", "SMS_OTP", sms, driver.ConfirmSignInWithOTPCode, "CONFIRM_SIGN_IN_WITH_SMS_CODE", "SMS_OTP_CODE",
			map[driver.Dialect]*driver.CodeDeliveryDetails{driver.Flutter: {DeliveryMedium: "SMS", Destination: "+*******0008"}, driver.JS: {DeliveryMedium: "SMS", Destination: "+*******0008"}}, ""},
	}
	for _, r := range rows {
		for _, d := range dialects {
			t.Run(r.row+"/"+dname(d), func(t *testing.T) {
				f := &fake{}
				f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
					return challenge(r.challenge, r.params, "S1"), nil
				}
				a := newDriver(t, f, d, func(c *driver.Config) { c.ClientSecret = "sec" })
				res, err := a.SignIn(context.Background(), "typed@example.com", "pw", driver.SignInOptions{Flow: driver.UserPasswordAuth})
				if err != nil {
					t.Fatal(err)
				}
				n := res.NextStep
				if res.IsSignedIn || n.SignInStep != r.step || n.JSStep() != r.js {
					t.Fatalf("step %s (%s), want %s (%s)", n.SignInStep, n.JSStep(), r.step, r.js)
				}
				if !reflect.DeepEqual(n.CodeDeliveryDetails, r.delivery[d]) {
					t.Errorf("codeDeliveryDetails %+v, want %+v", n.CodeDeliveryDetails, r.delivery[d])
				}
				if r.challenge == "SMS_MFA" && d == driver.Flutter && !reflect.DeepEqual(n.AdditionalInfo, r.params) {
					t.Errorf("additionalInfo %v, want the challenge parameters", n.AdditionalInfo)
				}
				// A wrong code keeps the sign-in pending; the same session is retried.
				f.respond = func(*cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					return nil, apiErr("CodeMismatchException", "Invalid code or auth state for the user.")
				}
				if _, err := a.ConfirmSignIn(context.Background(), "000000", driver.ConfirmOptions{}); !driver.IsServiceError(err, "CodeMismatchException") {
					t.Fatalf("wrong code: %v", err)
				}
				f.respond = func(*cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) { return rdone(), nil }
				res, err = a.ConfirmSignIn(context.Background(), "123456", driver.ConfirmOptions{})
				if err != nil || !res.IsSignedIn || res.NextStep.SignInStep != driver.Done || res.Tokens.AccessToken != "access" {
					t.Fatalf("confirm: %v %+v", err, res)
				}
				in := last[*cip.RespondToAuthChallengeInput](f, "RespondToAuthChallenge")
				cr := in.ChallengeResponses
				// USERNAME and SECRET_HASH follow the canonical username the challenge named.
				if string(in.ChallengeName) != r.challenge || cr[r.key] != "123456" || cr["USERNAME"] != "canonical" || aws.ToString(in.Session) != "S1" ||
					cr["SECRET_HASH"] == "" || cr["SECRET_HASH"] == last[*cip.InitiateAuthInput](f, "InitiateAuth").AuthParameters["SECRET_HASH"] {
					t.Errorf("RTAC %s %v session %s", in.ChallengeName, cr, aws.ToString(in.Session))
				}
				// Flutter marks the MFA type enabled after an MFA sign-in; JS makes no such calls.
				ops := strings.Join(f.ops(), ",")
				side := strings.Contains(ops, "GetUser,SetUserMFAPreference")
				if want := d == driver.Flutter && r.mfa != ""; side != want {
					t.Errorf("side calls %v, want %v (%s)", side, want, ops)
				}
				if side {
					p := last[*cip.SetUserMFAPreferenceInput](f, "SetUserMFAPreference")
					got := map[string]bool{"sms": p.SMSMfaSettings != nil && p.SMSMfaSettings.Enabled, "totp": p.SoftwareTokenMfaSettings != nil && p.SoftwareTokenMfaSettings.Enabled, "email": p.EmailMfaSettings != nil && p.EmailMfaSettings.Enabled}
					if !got[r.mfa] {
						t.Errorf("SetUserMFAPreference %+v does not enable %s", p, r.mfa)
					}
				}
			})
		}
	}
}

// TestMFASelection covers row 5: allowed types from MFAS_CAN_CHOOSE; Flutter takes the
// choice in any case, JS only exactly.
func TestMFASelection(t *testing.T) {
	for _, d := range dialects {
		t.Run(dname(d), func(t *testing.T) {
			f := &fake{}
			f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				return challenge("SELECT_MFA_TYPE", map[string]string{"MFAS_CAN_CHOOSE": `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`}, "S1"), nil
			}
			a := newDriver(t, f, d)
			res, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{Flow: driver.UserPasswordAuth})
			if err != nil || res.NextStep.SignInStep != driver.ContinueSignInWithMFASelection || res.NextStep.JSStep() != "CONTINUE_SIGN_IN_WITH_MFA_SELECTION" ||
				!reflect.DeepEqual(res.NextStep.AllowedMFATypes, []driver.MFAType{"SMS", "TOTP"}) || res.NextStep.CodeDeliveryDetails != nil {
				t.Fatalf("%v %+v", err, res.NextStep)
			}
			var ve *driver.ValidationError
			if _, err := a.ConfirmSignIn(context.Background(), "EMAIL", driver.ConfirmOptions{}); !errors.As(err, &ve) {
				t.Errorf("a type not offered: %v", err)
			}
			if d == driver.JS {
				_, err = a.ConfirmSignIn(context.Background(), "totp", driver.ConfirmOptions{})
				if !errors.As(err, &ve) || ve.Name != "IncorrectMFAMethod" {
					t.Fatalf("JS lower case: %v", err)
				}
				if len(f.ops()) != 1 {
					t.Fatalf("JS validation made calls: %v", f.ops())
				}
			}
			f.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
				if in.ChallengeName != "SELECT_MFA_TYPE" || in.ChallengeResponses["ANSWER"] != "SOFTWARE_TOKEN_MFA" {
					t.Errorf("RTAC %s %v", in.ChallengeName, in.ChallengeResponses)
				}
				return rchallenge("SOFTWARE_TOKEN_MFA", map[string]string{}, "S2"), nil
			}
			choice := "TOTP"
			if d == driver.Flutter {
				choice = "totp"
			}
			res, err = a.ConfirmSignIn(context.Background(), choice, driver.ConfirmOptions{})
			if err != nil || res.NextStep.SignInStep != driver.ConfirmSignInWithTOTPMFACode {
				t.Fatalf("after choice: %v %+v", err, res.NextStep)
			}
		})
	}
}

// TestMFASetup covers rows 6–8 and spec §1.3 items 1, 3 and 5.
func TestMFASetup(t *testing.T) {
	type want struct {
		step    driver.Step
		allowed []driver.MFAType
		secret  bool
	}
	rows := []struct {
		name    string
		canSet  string
		first   map[driver.Dialect]want
		choose  string // "" when there is nothing to choose
		second  map[driver.Dialect]want
		finalIn string // what completes the setup: a code or an email
		errName map[driver.Dialect]string
	}{
		{name: "TOTP and EMAIL", canSet: `["SOFTWARE_TOKEN_MFA","EMAIL_OTP"]`,
			first:   map[driver.Dialect]want{driver.Flutter: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"TOTP", "EMAIL"}, false}, driver.JS: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"TOTP", "EMAIL"}, false}},
			choose:  "TOTP",
			second:  map[driver.Dialect]want{driver.Flutter: {driver.ContinueSignInWithMFASetupSelection, nil, true}, driver.JS: {driver.ContinueSignInWithTOTPSetup, nil, true}},
			finalIn: "123456"},
		{name: "TOTP only (SMS listed)", canSet: `["SMS_MFA","SOFTWARE_TOKEN_MFA"]`,
			first:   map[driver.Dialect]want{driver.Flutter: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"SMS", "TOTP"}, true}, driver.JS: {driver.ContinueSignInWithTOTPSetup, nil, true}},
			finalIn: "123456"},
		{name: "EMAIL and TOTP, email chosen", canSet: `["EMAIL_OTP","SOFTWARE_TOKEN_MFA"]`,
			first:   map[driver.Dialect]want{driver.Flutter: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"EMAIL", "TOTP"}, false}, driver.JS: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"EMAIL", "TOTP"}, false}},
			choose:  "EMAIL",
			second:  map[driver.Dialect]want{driver.Flutter: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"EMAIL"}, false}, driver.JS: {driver.ContinueSignInWithEmailMFASetup, nil, false}},
			finalIn: "me@example.com"},
		{name: "EMAIL only", canSet: `["EMAIL_OTP"]`,
			first:   map[driver.Dialect]want{driver.Flutter: {driver.ContinueSignInWithMFASetupSelection, []driver.MFAType{"EMAIL"}, false}, driver.JS: {driver.ContinueSignInWithEmailMFASetup, nil, false}},
			finalIn: "me@example.com"},
		{name: "SMS only cannot be set up", canSet: `["SMS_MFA"]`,
			errName: map[driver.Dialect]string{driver.Flutter: "InvalidUserPoolConfigurationException", driver.JS: "SignInException"}},
	}
	for _, r := range rows {
		for _, d := range dialects {
			t.Run(r.name+"/"+dname(d), func(t *testing.T) {
				f := &fake{}
				f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
					return challenge("MFA_SETUP", map[string]string{"MFAS_CAN_SETUP": r.canSet}, "S0"), nil
				}
				f.assoc = func(in *cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error) {
					if aws.ToString(in.Session) != "S0" {
						t.Errorf("AssociateSoftwareToken session %q", aws.ToString(in.Session))
					}
					// Flutter passes the session as the access token too; JS does not.
					if (aws.ToString(in.AccessToken) == "S0") != (d == driver.Flutter) {
						t.Errorf("AssociateSoftwareToken access token %q", aws.ToString(in.AccessToken))
					}
					return &cip.AssociateSoftwareTokenOutput{SecretCode: aws.String("JBSWY3DPEHPK3PXP"), Session: aws.String("S1")}, nil
				}
				a := newDriver(t, f, d)
				res, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{Flow: driver.UserPasswordAuth})
				if r.errName != nil {
					var se *driver.StateError
					if !errors.As(err, &se) || se.Name != r.errName[d] {
						t.Fatalf("err %v, want %s", err, r.errName[d])
					}
					return
				}
				check := func(stage string, res driver.Result, w want) {
					t.Helper()
					n := res.NextStep
					if n.SignInStep != w.step || !reflect.DeepEqual(n.AllowedMFATypes, w.allowed) || (n.TOTPSetupDetails != nil) != w.secret {
						t.Fatalf("%s: %s %v secret=%v; want %+v", stage, n.SignInStep, n.AllowedMFATypes, n.TOTPSetupDetails != nil, w)
					}
					if w.secret && n.TOTPSetupDetails.SharedSecret != "JBSWY3DPEHPK3PXP" {
						t.Fatalf("%s: secret %q", stage, n.TOTPSetupDetails.SharedSecret)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				check("first", res, r.first[d])
				if r.choose != "" {
					res, err = a.ConfirmSignIn(context.Background(), r.choose, driver.ConfirmOptions{})
					if err != nil {
						t.Fatal(err)
					}
					check("after choosing", res, r.second[d])
				}
				f.verify = func(in *cip.VerifySoftwareTokenInput) (*cip.VerifySoftwareTokenOutput, error) {
					if aws.ToString(in.Session) != "S1" || aws.ToString(in.UserCode) != "123456" || aws.ToString(in.FriendlyDeviceName) != "phone" {
						t.Errorf("VerifySoftwareToken %+v", in)
					}
					return &cip.VerifySoftwareTokenOutput{Status: types.VerifySoftwareTokenResponseTypeSuccess, Session: aws.String("S2")}, nil
				}
				f.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					cr := in.ChallengeResponses
					switch {
					case in.ChallengeName == "MFA_SETUP" && strings.Contains(r.finalIn, "@"):
						if cr["EMAIL"] != r.finalIn || aws.ToString(in.Session) != "S0" {
							t.Errorf("email setup RTAC %v %s", cr, aws.ToString(in.Session))
						}
						return rchallenge("EMAIL_OTP", map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL", "CODE_DELIVERY_DESTINATION": "m***@e***"}, "S3"), nil
					case in.ChallengeName == "MFA_SETUP":
						if aws.ToString(in.Session) != "S2" || (cr["Session"] == "S2") != (d == driver.Flutter) {
							t.Errorf("TOTP setup RTAC %v %s", cr, aws.ToString(in.Session))
						}
						return rdone(), nil
					case in.ChallengeName == "EMAIL_OTP":
						return rdone(), nil
					}
					t.Errorf("unexpected RTAC %s", in.ChallengeName)
					return nil, errors.New("unexpected")
				}
				res, err = a.ConfirmSignIn(context.Background(), r.finalIn, driver.ConfirmOptions{FriendlyDeviceName: "phone"})
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(r.finalIn, "@") {
					if res.NextStep.SignInStep != driver.ConfirmSignInWithOTPCode {
						t.Fatalf("after the email: %+v", res.NextStep)
					}
					res, err = a.ConfirmSignIn(context.Background(), "654321", driver.ConfirmOptions{})
				}
				if err != nil || !res.IsSignedIn {
					t.Fatalf("not signed in: %v %+v", err, res)
				}
			})
		}
	}
}

// TestFirstFactorSelection covers rows 9 and 10 (USER_AUTH).
func TestFirstFactorSelection(t *testing.T) {
	for _, d := range dialects {
		for _, pick := range []string{"EMAIL_OTP", "PASSWORD", "PASSWORD_SRP"} {
			t.Run(dname(d)+"/"+pick, func(t *testing.T) {
				f := &fake{}
				f.initiate = func(in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
					if in.AuthFlow != "USER_AUTH" || in.AuthParameters["PASSWORD"] != "" || in.AuthParameters["PREFERRED_CHALLENGE"] != "" {
						t.Errorf("InitiateAuth %s %v", in.AuthFlow, in.AuthParameters)
					}
					return &cip.InitiateAuthOutput{ChallengeName: "SELECT_CHALLENGE", Session: aws.String("S1"), ChallengeParameters: map[string]string{},
						AvailableChallenges: []types.ChallengeNameType{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP", "WEB_AUTHN"}}, nil
				}
				a := newDriver(t, f, d)
				res, err := a.SignIn(context.Background(), "u", "", driver.SignInOptions{Flow: driver.UserAuth})
				if err != nil {
					t.Fatal(err)
				}
				want := []driver.AuthFactor{"PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"}
				if d == driver.JS {
					want = append(want, "WEB_AUTHN")
				}
				if res.NextStep.SignInStep != driver.ContinueSignInWithFirstFactorSelection || !reflect.DeepEqual(res.NextStep.AvailableFactors, want) {
					t.Fatalf("step %+v", res.NextStep)
				}
				calls := len(f.calls)
				f.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					cr := in.ChallengeResponses
					switch {
					case in.ChallengeName == "SELECT_CHALLENGE" && cr["ANSWER"] == "EMAIL_OTP":
						return rchallenge("EMAIL_OTP", map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"}, "S2"), nil
					case in.ChallengeName == "SELECT_CHALLENGE" && cr["ANSWER"] == "PASSWORD" && cr["PASSWORD"] == "pw":
						return rdone(), nil
					case in.ChallengeName == "SELECT_CHALLENGE" && cr["ANSWER"] == "PASSWORD_SRP" && cr["SRP_A"] != "":
						return rchallenge("PASSWORD_VERIFIER", map[string]string{"SALT": "0102", "SRP_B": "05", "SECRET_BLOCK": "AAAA", "USER_ID_FOR_SRP": "u", "USERNAME": "u"}, "S2"), nil
					case in.ChallengeName == "PASSWORD_VERIFIER" && cr["PASSWORD_CLAIM_SIGNATURE"] != "":
						return rdone(), nil
					}
					t.Errorf("unexpected RTAC %s %v", in.ChallengeName, cr)
					return nil, errors.New("unexpected")
				}
				res, err = a.ConfirmSignIn(context.Background(), pick, driver.ConfirmOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if pick == "EMAIL_OTP" {
					if res.NextStep.SignInStep != driver.ConfirmSignInWithOTPCode {
						t.Fatalf("%+v", res.NextStep)
					}
					return
				}
				// Choosing a password factor makes no request (row 10).
				if len(f.calls) != calls || res.NextStep.SignInStep != driver.ConfirmSignInWithPassword || res.NextStep.JSStep() != "CONFIRM_SIGN_IN_WITH_PASSWORD" {
					t.Fatalf("after choosing %s: %v %+v", pick, f.ops()[calls:], res.NextStep)
				}
				res, err = a.ConfirmSignIn(context.Background(), "pw", driver.ConfirmOptions{})
				if err != nil || !res.IsSignedIn {
					t.Fatalf("%v %+v", err, res)
				}
			})
		}
	}
}

// TestNewPasswordRequired covers row 11 and the attribute difference of §1.3.
func TestNewPasswordRequired(t *testing.T) {
	for _, d := range dialects {
		t.Run(dname(d), func(t *testing.T) {
			f := &fake{}
			f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				return challenge("NEW_PASSWORD_REQUIRED", map[string]string{"requiredAttributes": `["userAttributes.name"]`, "userAttributes": `{"email":"e@x.io"}`, "USER_ID_FOR_SRP": "u"}, "S1"), nil
			}
			a := newDriver(t, f, d)
			res, err := a.SignIn(context.Background(), "u", "Temp-1", driver.SignInOptions{Flow: driver.UserPasswordAuth})
			if err != nil {
				t.Fatal(err)
			}
			n := res.NextStep
			if n.SignInStep != driver.ConfirmSignInWithNewPassword || n.JSStep() != "CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED" || !reflect.DeepEqual(n.MissingAttributes, []string{"name"}) {
				t.Fatalf("%+v", n)
			}
			if (n.AdditionalInfo["userAttributes"] == `{"email":"e@x.io"}`) != (d == driver.Flutter) {
				t.Errorf("additionalInfo %v", n.AdditionalInfo)
			}
			f.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
				cr := in.ChallengeResponses
				_, extra := cr["userAttributes.family_name"]
				if cr["NEW_PASSWORD"] != "New-Passw0rd" || cr["userAttributes.name"] != "Ann" || extra != (d == driver.JS) {
					t.Errorf("RTAC %v", cr)
				}
				return rdone(), nil
			}
			res, err = a.ConfirmSignIn(context.Background(), "New-Passw0rd", driver.ConfirmOptions{UserAttributes: map[string]string{"name": "Ann", "family_name": "Lee"}})
			if err != nil || !res.IsSignedIn {
				t.Fatal(err)
			}
			// Flutter writes the attributes it did not send once signed in.
			updated := strings.Contains(strings.Join(f.ops(), ","), "UpdateUserAttributes")
			if updated != (d == driver.Flutter) {
				t.Fatalf("UpdateUserAttributes %v: %v", updated, f.ops())
			}
			if updated {
				u := last[*cip.UpdateUserAttributesInput](f, "UpdateUserAttributes")
				if len(u.UserAttributes) != 1 || aws.ToString(u.UserAttributes[0].Name) != "family_name" {
					t.Errorf("UpdateUserAttributes %+v", u.UserAttributes)
				}
			}
		})
	}
}

// TestCustomChallenge covers row 12 and the custom flows of §2.
func TestCustomChallenge(t *testing.T) {
	for _, d := range dialects {
		for _, withSRP := range []bool{false, true} {
			name := dname(d) + "/without SRP"
			if withSRP {
				name = dname(d) + "/with SRP"
			}
			t.Run(name, func(t *testing.T) {
				f := &fake{}
				f.initiate = func(in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
					p := in.AuthParameters
					if in.AuthFlow != "CUSTOM_AUTH" || (p["SRP_A"] != "") != withSRP || (p["CHALLENGE_NAME"] == "SRP_A") != withSRP {
						t.Errorf("InitiateAuth %s %v", in.AuthFlow, p)
					}
					if withSRP {
						return challenge("PASSWORD_VERIFIER", map[string]string{"SALT": "0102", "SRP_B": "05", "SECRET_BLOCK": "AAAA", "USER_ID_FOR_SRP": "u", "USERNAME": "u"}, "S1"), nil
					}
					return challenge("CUSTOM_CHALLENGE", map[string]string{"question": "2+2", "USERNAME": "u"}, "S1"), nil
				}
				round := 0
				f.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					switch in.ChallengeName {
					case "PASSWORD_VERIFIER":
						return rchallenge("CUSTOM_CHALLENGE", map[string]string{"question": "2+2", "USERNAME": "u"}, "S2"), nil
					case "CUSTOM_CHALLENGE":
						round++
						switch in.ChallengeResponses["ANSWER"] {
						case "4":
							if round == 1 {
								return rchallenge("CUSTOM_CHALLENGE", map[string]string{"question": "3+3", "USERNAME": "u"}, "S3"), nil
							}
							return rdone(), nil
						case "6":
							return rdone(), nil
						}
						return nil, apiErr("NotAuthorizedException", "Incorrect username or password.")
					}
					return nil, errors.New("unexpected")
				}
				a := newDriver(t, f, d)
				pw := ""
				flow := driver.CustomWithoutSRP
				if withSRP {
					pw, flow = "pw", driver.CustomWithSRP
				}
				res, err := a.SignIn(context.Background(), "u", pw, driver.SignInOptions{Flow: flow, ClientMetadata: map[string]string{"k": "v"}})
				if err != nil || res.NextStep.SignInStep != driver.ConfirmSignInWithCustomChallenge || res.NextStep.AdditionalInfo["question"] != "2+2" {
					t.Fatalf("%v %+v", err, res.NextStep)
				}
				res, err = a.ConfirmSignIn(context.Background(), "4", driver.ConfirmOptions{})
				if err != nil || res.NextStep.AdditionalInfo["question"] != "3+3" {
					t.Fatalf("round 2: %v %+v", err, res.NextStep)
				}
				if _, err := a.ConfirmSignIn(context.Background(), "7", driver.ConfirmOptions{}); !driver.IsServiceError(err, "NotAuthorizedException") {
					t.Fatalf("wrong answer: %v", err)
				}
				in := last[*cip.RespondToAuthChallengeInput](f, "RespondToAuthChallenge")
				if in.ClientMetadata["k"] != "v" {
					t.Errorf("clientMetadata not sent: %v", in.ClientMetadata)
				}
			})
		}
	}
}

// TestExceptionSteps covers rows 13 and 14 and §1.3 item 6: the two exceptions become
// steps in signIn (both dialects) and in confirmSignIn only in JS.
func TestExceptionSteps(t *testing.T) {
	for _, ex := range []struct {
		name string
		step driver.Step
	}{{"PasswordResetRequiredException", driver.ResetPassword}, {"UserNotConfirmedException", driver.ConfirmSignUp}} {
		for _, d := range dialects {
			t.Run(ex.name+"/"+dname(d), func(t *testing.T) {
				f := &fake{}
				f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) { return nil, apiErr(ex.name, "x") }
				a := newDriver(t, f, d)
				res, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{Flow: driver.UserPasswordAuth})
				if err != nil || res.IsSignedIn || res.NextStep.SignInStep != ex.step {
					t.Fatalf("signIn: %v %+v", err, res)
				}
				f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
					return challenge("CUSTOM_CHALLENGE", map[string]string{}, "S1"), nil
				}
				f.respond = func(*cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
					return nil, apiErr(ex.name, "x")
				}
				if _, err := a.SignIn(context.Background(), "u", "", driver.SignInOptions{Flow: driver.CustomWithoutSRP}); err != nil {
					t.Fatal(err)
				}
				res, err = a.ConfirmSignIn(context.Background(), "answer", driver.ConfirmOptions{})
				if d == driver.JS {
					if err != nil || res.NextStep.SignInStep != ex.step {
						t.Fatalf("JS confirmSignIn: %v %+v", err, res)
					}
				} else if !driver.IsServiceError(err, ex.name) {
					t.Fatalf("Flutter confirmSignIn must throw: %v %+v", err, res)
				}
			})
		}
	}
}

// TestFlows covers spec §2: each flow's InitiateAuth and the password rules, checked
// before any network call.
func TestFlows(t *testing.T) {
	rows := []struct {
		flow      driver.AuthFlow
		preferred driver.AuthFactor
		password  string
		d         driver.Dialect
		wantFlow  string
		wantKeys  []string // AuthParameters present
		noKeys    []string // AuthParameters absent
		errName   string   // a validation error instead
	}{
		{flow: driver.UserSRPAuth, password: "pw", wantFlow: "USER_SRP_AUTH", wantKeys: []string{"USERNAME", "SRP_A", "SECRET_HASH"}, noKeys: []string{"PASSWORD"}},
		{flow: driver.UserSRPAuth, d: driver.Flutter, errName: "InvalidParameterException"},
		{flow: driver.UserSRPAuth, d: driver.JS, errName: "EmptySignInPassword"},
		{flow: driver.UserPasswordAuth, password: "pw", wantFlow: "USER_PASSWORD_AUTH", wantKeys: []string{"USERNAME", "PASSWORD", "SECRET_HASH"}, noKeys: []string{"SRP_A"}},
		{flow: driver.CustomWithSRP, password: "pw", wantFlow: "CUSTOM_AUTH", wantKeys: []string{"SRP_A", "CHALLENGE_NAME"}},
		{flow: driver.CustomWithSRP, d: driver.Flutter, errName: "AuthValidationException"},
		{flow: driver.CustomWithoutSRP, wantFlow: "CUSTOM_AUTH", noKeys: []string{"SRP_A", "PASSWORD"}},
		{flow: driver.CustomWithoutSRP, password: "pw", d: driver.JS, errName: "CustomAuthSignInPassword"},
		{flow: driver.CustomWithoutSRP, password: "pw", d: driver.Flutter, errName: "AuthValidationException"},
		{flow: driver.UserAuth, preferred: driver.FactorEmailOTP, wantFlow: "USER_AUTH", wantKeys: []string{"PREFERRED_CHALLENGE"}, noKeys: []string{"PASSWORD"}},
		{flow: driver.UserAuth, preferred: driver.FactorPassword, password: "pw", d: driver.Flutter, wantFlow: "USER_AUTH", noKeys: []string{"PASSWORD", "SRP_A"}},
		{flow: driver.UserAuth, preferred: driver.FactorPassword, password: "pw", d: driver.JS, wantFlow: "USER_AUTH", wantKeys: []string{"PASSWORD"}},
		{flow: driver.UserAuth, preferred: driver.FactorPasswordSRP, password: "pw", d: driver.JS, wantFlow: "USER_AUTH", wantKeys: []string{"SRP_A"}},
		{flow: driver.UserAuth, preferred: driver.FactorPassword, d: driver.JS, errName: "EmptySignInPassword"},
	}
	for _, r := range rows {
		t.Run(string(r.flow)+"/"+string(r.preferred)+"/"+dname(r.d)+"/"+r.errName, func(t *testing.T) {
			f := &fake{}
			f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				return &cip.InitiateAuthOutput{AuthenticationResult: tokensOut()}, nil
			}
			a := newDriver(t, f, r.d, func(c *driver.Config) { c.ClientSecret = "sec" })
			_, err := a.SignIn(context.Background(), "u", r.password, driver.SignInOptions{Flow: r.flow, PreferredChallenge: r.preferred})
			if r.errName != "" {
				var ve *driver.ValidationError
				if !errors.As(err, &ve) || ve.Name != r.errName || len(f.calls) != 0 {
					t.Fatalf("err %v (calls %v), want %s before any call", err, f.ops(), r.errName)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			in := last[*cip.InitiateAuthInput](f, "InitiateAuth")
			if string(in.AuthFlow) != r.wantFlow {
				t.Errorf("AuthFlow %s, want %s", in.AuthFlow, r.wantFlow)
			}
			for _, k := range r.wantKeys {
				if in.AuthParameters[k] == "" {
					t.Errorf("AuthParameters lack %s: %v", k, in.AuthParameters)
				}
			}
			for _, k := range r.noKeys {
				if _, ok := in.AuthParameters[k]; ok {
					t.Errorf("AuthParameters have %s", k)
				}
			}
		})
	}
}

// TestStateErrors covers §1.3 items 7 and 8.
func TestStateErrors(t *testing.T) {
	names := map[driver.Dialect][3]string{
		driver.Flutter: {"AuthPreconditionException", "InvalidStateException", ""},
		driver.JS:      {"SignInException", "UserAlreadyAuthenticatedException", "SignInException"},
	}
	for _, d := range dialects {
		t.Run(dname(d), func(t *testing.T) {
			now := time.Unix(1.7e9, 0)
			f := &fake{}
			a := newDriver(t, f, d, func(c *driver.Config) { c.Now = func() time.Time { return now } })
			var se *driver.StateError
			if _, err := a.ConfirmSignIn(context.Background(), "x", driver.ConfirmOptions{}); !errors.As(err, &se) || se.Name != names[d][0] {
				t.Errorf("confirm with nothing pending: %v", err)
			}
			// JS forgets a pending sign-in after 3 minutes; Flutter keeps it.
			f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				return challenge("CUSTOM_CHALLENGE", map[string]string{}, "S1"), nil
			}
			f.respond = func(*cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) { return rdone(), nil }
			if _, err := a.SignIn(context.Background(), "u", "", driver.SignInOptions{Flow: driver.CustomWithoutSRP}); err != nil {
				t.Fatal(err)
			}
			now = now.Add(3*time.Minute + time.Second)
			_, err := a.ConfirmSignIn(context.Background(), "x", driver.ConfirmOptions{})
			if d == driver.JS {
				if !errors.As(err, &se) || se.Name != names[d][2] {
					t.Fatalf("JS after 3 minutes: %v", err)
				}
				if _, err := a.SignIn(context.Background(), "u", "", driver.SignInOptions{Flow: driver.CustomWithoutSRP}); err != nil {
					t.Fatal(err)
				}
				_, err = a.ConfirmSignIn(context.Background(), "x", driver.ConfirmOptions{})
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{}); !errors.As(err, &se) || se.Name != names[d][1] {
				t.Errorf("signIn while signed in: %v", err)
			}
		})
	}
}

// TestUnrecognizedChallenge: challenges the clients cannot answer fail per dialect.
func TestUnrecognizedChallenge(t *testing.T) {
	for _, d := range dialects {
		f := &fake{}
		f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
			return challenge("ADMIN_NO_SRP_AUTH", map[string]string{}, "S1"), nil
		}
		a := newDriver(t, f, d)
		_, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{Flow: driver.UserPasswordAuth})
		var se *driver.StateError
		want := map[driver.Dialect]string{driver.Flutter: "InvalidStateException", driver.JS: "SignInException"}[d]
		if !errors.As(err, &se) || se.Name != want || !strings.Contains(se.Message, "ADMIN_NO_SRP_AUTH") {
			t.Errorf("%s: %v", dname(d), err)
		}
	}
}
