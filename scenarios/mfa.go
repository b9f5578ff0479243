package scenarios

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// totps hands out TOTP codes once per window and user; Lookahead uses the next
// window's code rather than waiting 30 s when a spec needs two codes in a row.
var totps = &mfa.TOTP{Lookahead: true}

// setMFA enables MFA factors for a user with AdminSetUserMFAPreference.
func (p *Pool) setMFA(ctx context.Context, name string, sms, email bool, preferred string) {
	GinkgoHelper()
	in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(p.ID), Username: aws.String(name)}
	if sms {
		in.SMSMfaSettings = &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: preferred == "SMS"}
	}
	if email {
		in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: preferred == "EMAIL"}
	}
	_, err := p.Admin.AdminSetUserMFAPreference(ctx, in)
	Expect(err).NotTo(HaveOccurred(), "AdminSetUserMFAPreference")
}

// totpUser provisions a user with a verified TOTP device set up through the driver
// (SetUpTOTP, VerifyTOTPSetup, UpdateMFAPreference) and returns its name, password and
// TOTP secret.
func (p *Pool) totpUser(ctx context.Context, attrs map[string]string, preferred bool) (string, string, string) {
	GinkgoHelper()
	pw := password()
	name := p.newUser(ctx, userOpts{Password: pw, Attrs: attrs})
	a := p.Driver(driver.Flutter).NewAuth()
	res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
	Expect(err).NotTo(HaveOccurred())
	Expect(res.IsSignedIn).To(BeTrue(), "a user with no MFA yet signs in without it")
	setup, err := a.SetUpTOTP(ctx)
	Expect(err).NotTo(HaveOccurred(), "SetUpTOTP")
	code, err := totps.Next(ctx, setup.SharedSecret)
	Expect(err).NotTo(HaveOccurred())
	Expect(a.VerifyTOTPSetup(ctx, code, "conform-phone")).To(Succeed(), "VerifyTOTPSetup")
	pref := driver.MFASetting("ENABLED")
	if preferred {
		pref = "PREFERRED"
	}
	Expect(a.UpdateMFAPreference(ctx, "", pref, "")).To(Succeed(), "UpdateMFAPreference")
	Expect(a.SignOut(ctx, false)).To(Succeed())
	return name, pw, setup.SharedSecret
}

func phone() string { return "+1555" + randomDigits(7) }

func randomDigits(n int) string {
	s := ""
	for _, c := range randomSuffix() + randomSuffix() {
		if c >= '0' && c <= '9' {
			s += string(c)
		}
	}
	for len(s) < n {
		s += "7"
	}
	return s[:n]
}

var _ = Describe("MFA codes", Label("family:mfa"), func() {
	for _, d := range dialects {
		It("asks for an SMS code, refuses a wrong one and accepts the right one "+describeDialect(d),
			Label("step:confirmSignInWithSmsMfaCode", "factor:sms", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "OPTIONAL", Factors: []string{"SMS"}})
				pw := password()
				tel := phone()
				name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{"phone_number": tel, "phone_number_verified": "true"}})
				p.setMFA(ctx, name, true, false, "SMS")
				a := p.Driver(d).NewAuth()
				sent := time.Now()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				n := res.NextStep
				Expect(n.SignInStep).To(Equal(driver.ConfirmSignInWithSMSMFACode))
				Expect(n.JSStep()).To(Equal("CONFIRM_SIGN_IN_WITH_SMS_CODE"))
				Expect(n.CodeDeliveryDetails).NotTo(BeNil())
				Expect(n.CodeDeliveryDetails.DeliveryMedium).To(Equal("SMS"))
				Expect(n.CodeDeliveryDetails.Destination).To(HaveSuffix(tel[len(tel)-4:]))
				Expect(n.CodeDeliveryDetails.Destination).NotTo(Equal(tel), "the destination is masked")
				if d == driver.Flutter {
					Expect(n.AdditionalInfo).To(HaveKey("CODE_DELIVERY_DESTINATION"))
				}
				code := p.code(ctx, name, mfa.PurposeMFA, sent.Add(-time.Second))
				_, err = a.ConfirmSignIn(ctx, wrong(code), driver.ConfirmOptions{})
				expectServiceError(err, "CodeMismatchException", "Invalid code or auth state for the user.")
				res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
				p.expectTokens(res.Tokens, name)
			})

		It("asks for a TOTP code and refuses one already used "+describeDialect(d),
			Label("step:confirmSignInWithTotpMfaCode", "factor:totp", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "OPTIONAL", Factors: []string{"TOTP"}})
				name, pw, secret := p.totpUser(ctx, nil, true)
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				n := res.NextStep
				Expect(n.SignInStep).To(Equal(driver.ConfirmSignInWithTOTPMFACode))
				Expect(n.JSStep()).To(Equal("CONFIRM_SIGN_IN_WITH_TOTP_CODE"))
				if d == driver.Flutter {
					Expect(n.CodeDeliveryDetails).To(Equal(&driver.CodeDeliveryDetails{DeliveryMedium: "TOTP", Destination: "conform-phone"}))
				} else {
					Expect(n.CodeDeliveryDetails).To(BeNil())
				}
				code, err := totps.Next(ctx, secret)
				Expect(err).NotTo(HaveOccurred())
				By("refusing a wrong code with the TOTP wording (amplify-js AuthErrorStrings.INVALID_MFA_CODE)")
				_, err = a.ConfirmSignIn(ctx, wrong(code), driver.ConfirmOptions{})
				expectServiceError(err, "CodeMismatchException", "Invalid code received for user")
				res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
				p.expectTokens(res.Tokens, name)

				By("refusing the same code in a second sign-in")
				b := p.Driver(d).NewAuth()
				_, err = b.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				_, err = b.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
				expectServiceError(err, "ExpiredCodeException", "Your software token has already been used once.")
			})

		It("asks for an email code "+describeDialect(d),
			Label("step:confirmSignInWithOtpCode", "factor:email", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "OPTIONAL", Factors: []string{"EMAIL"}})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{"email": randomSuffix() + "@example.com", "email_verified": "true"}})
				p.setMFA(ctx, name, false, true, "EMAIL")
				a := p.Driver(d).NewAuth()
				sent := time.Now()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithOTPCode))
				Expect(res.NextStep.JSStep()).To(Equal("CONFIRM_SIGN_IN_WITH_EMAIL_CODE"))
				Expect(res.NextStep.CodeDeliveryDetails.DeliveryMedium).To(Equal("EMAIL"))
				res, err = a.ConfirmSignIn(ctx, p.code(ctx, name, mfa.PurposeMFA, sent.Add(-time.Second)), driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})

		It("lets the user choose between SMS and TOTP "+describeDialect(d),
			Label("step:continueSignInWithMfaSelection", "factor:sms", "factor:totp", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "OPTIONAL", Factors: []string{"SMS", "TOTP"}})
				name, pw, _ := p.totpUser(ctx, map[string]string{"phone_number": phone(), "phone_number_verified": "true"}, false)
				p.setMFA(ctx, name, true, false, "")
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				n := res.NextStep
				Expect(n.SignInStep).To(Equal(driver.ContinueSignInWithMFASelection))
				Expect(n.JSStep()).To(Equal("CONTINUE_SIGN_IN_WITH_MFA_SELECTION"))
				Expect(n.AllowedMFATypes).To(ConsistOf(driver.MFASMS, driver.MFATOTP))
				sent := time.Now()
				res, err = a.ConfirmSignIn(ctx, "SMS", driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithSMSMFACode))
				res, err = a.ConfirmSignIn(ctx, p.code(ctx, name, mfa.PurposeMFA, sent.Add(-time.Second)), driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})
	}
})

var _ = Describe("MFA setup in sign-in", Label("family:mfa-setup"), func() {
	for _, d := range dialects {
		It("sets up TOTP when MFA is required and TOTP is the only factor "+describeDialect(d),
			Label("step:continueSignInWithMfaSetupSelection", "step:continueSignInWithTotpSetup", "factor:totp", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "ON", Factors: []string{"TOTP"}, OnlyFactors: true})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw})
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				n := res.NextStep
				if d == driver.Flutter {
					Expect(n.SignInStep).To(Equal(driver.ContinueSignInWithMFASetupSelection))
				} else {
					Expect(n.SignInStep).To(Equal(driver.ContinueSignInWithTOTPSetup))
				}
				Expect(n.TOTPSetupDetails).NotTo(BeNil())
				code, err := totps.Next(ctx, n.TOTPSetupDetails.SharedSecret)
				Expect(err).NotTo(HaveOccurred())
				res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{FriendlyDeviceName: "conform"})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
				pref, err := a.FetchMFAPreference(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(pref.Enabled).To(ContainElement(driver.MFATOTP))

				By("asking the next sign-in for a TOTP code, not for setup again")
				res, err = p.Driver(d).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithTOTPMFACode))
			})

		It("sets up email MFA when MFA is required and email is the only factor "+describeDialect(d),
			Label("step:continueSignInWithEmailMfaSetup", "step:confirmSignInWithOtpCode", "factor:email", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "ON", Factors: []string{"EMAIL"}, OnlyFactors: true})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw})
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				n := res.NextStep
				if d == driver.Flutter {
					Expect(n.SignInStep).To(Equal(driver.ContinueSignInWithMFASetupSelection))
					Expect(n.AllowedMFATypes).To(Equal([]driver.MFAType{driver.MFAEmail}))
				} else {
					Expect(n.SignInStep).To(Equal(driver.ContinueSignInWithEmailMFASetup))
				}
				sent := time.Now()
				res, err = a.ConfirmSignIn(ctx, randomSuffix()+"@example.com", driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithOTPCode))
				res, err = a.ConfirmSignIn(ctx, p.code(ctx, name, mfa.PurposeMFA, sent.Add(-time.Second)), driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})

		It("offers the setup selection when TOTP and email can both be set up "+describeDialect(d),
			Label("step:continueSignInWithMfaSetupSelection", "factor:totp", "factor:email", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "ON", Factors: []string{"TOTP", "EMAIL"}})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw})
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ContinueSignInWithMFASetupSelection))
				Expect(res.NextStep.JSStep()).To(Equal("CONTINUE_SIGN_IN_WITH_MFA_SETUP_SELECTION"))
				Expect(res.NextStep.AllowedMFATypes).To(ContainElements(driver.MFATOTP, driver.MFAEmail))
				res, err = a.ConfirmSignIn(ctx, "TOTP", driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.TOTPSetupDetails).NotTo(BeNil())
				code, err := totps.Next(ctx, res.NextStep.TOTPSetupDetails.SharedSecret)
				Expect(err).NotTo(HaveOccurred())
				res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})

		It("chains a new password into TOTP setup "+describeDialect(d),
			Label("step:confirmSignInWithNewPassword", "step:continueSignInWithMfaSetupSelection", "factor:totp", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "ON", Factors: []string{"TOTP"}, OnlyFactors: true})
				temp := password()
				name := p.newUser(ctx, userOpts{Password: temp, Temporary: true})
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, temp, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithNewPassword))
				res, err = a.ConfirmSignIn(ctx, password(), driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.TOTPSetupDetails).NotTo(BeNil(), "MFA setup follows the new password")
				code, err := totps.Next(ctx, res.NextStep.TOTPSetupDetails.SharedSecret)
				Expect(err).NotTo(HaveOccurred())
				res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})
	}
})

// wrong returns a six-digit code different from code.
func wrong(code string) string {
	if code == "000000" {
		return "111111"
	}
	return "000000"
}
