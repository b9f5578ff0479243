package scenarios

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// Reset password (row 13), confirm sign-up (row 14), refresh and sign-out.
var _ = Describe("Reset password", Label("family:reset-password"), func() {
	for _, d := range dialects {
		It("turns PasswordResetRequiredException into the resetPassword step "+describeDialect(d),
			Label("step:resetPassword", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{"email": randomSuffix() + "@example.com", "email_verified": "true"}, Reset: true})
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeFalse())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ResetPassword))
				Expect(res.NextStep.JSStep()).To(Equal("RESET_PASSWORD"))

				By("completing the reset with the code sent (the admin's reset already sent one)")
				code := p.code(ctx, name, mfa.PurposeForgotPassword, time.Time{})
				newPw := password()
				Expect(a.ConfirmResetPassword(ctx, name, code, newPw)).To(Succeed())
				res, err = a.SignIn(ctx, name, newPw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})
	}

	It("resets a forgotten password with the emailed code", Label("step:done"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{"email": randomSuffix() + "@example.com", "email_verified": "true"}})
		a := p.Driver(driver.Flutter).NewAuth()
		sent := time.Now()
		d, err := a.ResetPassword(ctx, name)
		Expect(err).NotTo(HaveOccurred())
		Expect(d.DeliveryMedium).To(Equal("EMAIL"))
		Expect(d.Destination).To(ContainSubstring("***"))
		By("refusing a wrong code")
		err = a.ConfirmResetPassword(ctx, name, "000000", password())
		expectServiceError(err, "CodeMismatchException", "")
		code := p.code(ctx, name, mfa.PurposeForgotPassword, sent.Add(-time.Second))
		newPw := password()
		Expect(a.ConfirmResetPassword(ctx, name, code, newPw)).To(Succeed())
		By("refusing the old password and accepting the new one")
		_, err = a.SignIn(ctx, name, pw, driver.SignInOptions{})
		expectServiceError(err, "NotAuthorizedException", "Incorrect username or password.")
		res, err := a.SignIn(ctx, name, newPw, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IsSignedIn).To(BeTrue())
	})
})

var _ = Describe("Confirm sign-up", Label("family:confirm-sign-up"), func() {
	for _, d := range dialects {
		It("turns UserNotConfirmedException into the confirmSignUp step, then confirms, resends and signs in "+describeDialect(d),
			Label("step:confirmSignUp", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{SelfSignUp: true})
				a := p.Driver(d).NewAuth()
				name := p.userName(ctx)
				pw := password()
				sent := time.Now()
				up, err := a.SignUp(ctx, name, pw, driver.SignUpOptions{UserAttributes: map[string]string{"email": randomSuffix() + "@example.com"}, AutoSignIn: true})
				Expect(err).NotTo(HaveOccurred())
				Expect(up.IsSignUpComplete).To(BeFalse())
				Expect(up.NextStep).To(Equal("CONFIRM_SIGN_UP"))
				Expect(up.CodeDeliveryDetails).NotTo(BeNil())

				By("signing in before confirming")
				other := p.Driver(d).NewAuth()
				res, err := other.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignUp))
				Expect(res.NextStep.JSStep()).To(Equal("CONFIRM_SIGN_UP"))

				By("resending the code: the newest one confirms")
				first := p.code(ctx, name, mfa.PurposeSignUp, sent.Add(-time.Second))
				_, err = a.ResendSignUpCode(ctx, name)
				Expect(err).NotTo(HaveOccurred())
				second := p.code(ctx, name, mfa.PurposeSignUp, sent.Add(-time.Second))
				if first != second {
					_, err = a.ConfirmSignUp(ctx, name, first)
					expectServiceError(err, "CodeMismatchException", "")
				}
				c, err := a.ConfirmSignUp(ctx, name, second)
				Expect(err).NotTo(HaveOccurred())
				Expect(c.NextStep).To(Equal("COMPLETE_AUTO_SIGN_IN"))
				res, err = a.AutoSignIn(ctx)
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
				p.expectTokens(res.Tokens, name)
			})
	}
})

var _ = Describe("Refresh and sign-out", Label("family:session"), func() {
	It("refreshes tokens, then signs out locally (the refresh token dies)", specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw})
		a := p.Driver(driver.Flutter).NewAuth()
		_, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		old := a.Tokens()
		t, err := a.Refresh(ctx)
		Expect(err).NotTo(HaveOccurred())
		Expect(t.AccessToken).NotTo(Equal(old.AccessToken))
		p.expectTokens(&driver.Tokens{IDToken: t.IDToken, AccessToken: t.AccessToken, RefreshToken: t.RefreshToken}, name)
		Expect(a.SignOut(ctx, false)).To(Succeed())
		Expect(a.Tokens()).To(BeNil())

		b := p.Driver(driver.Flutter).NewAuth()
		_, err = b.SignIn(ctx, name, pw, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(b.SignOut(ctx, true)).To(Succeed(), "global sign-out")
	})
})
