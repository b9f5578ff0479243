package scenarios

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// DriverWith returns a driver client for the pool in a dialect that keeps remembered
// devices in store.
func (p *Pool) DriverWith(d driver.Dialect, store driver.DeviceStore) *driver.Client {
	c, err := driver.New(p.IDP, driver.Config{PoolID: p.ID, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Dialect: d, Devices: store, DeviceName: "conform"})
	if err != nil {
		panic(err)
	}
	return c
}

// Remembered devices: after an MFA sign-in on a pool that remembers devices, the next
// sign-in from the same device answers DEVICE_SRP_AUTH instead of MFA (the device
// steps never surface); a forgotten device brings MFA back.
var _ = Describe("Remembered devices", Label("family:devices"), func() {
	for _, d := range dialects {
		It("skips MFA on a remembered device and asks again once it is forgotten "+describeDialect(d),
			Label("step:done", "factor:sms", "devices", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{MFA: "OPTIONAL", Factors: []string{"SMS"}, DeviceTracking: true})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{"phone_number": phone(), "phone_number_verified": "true"}})
				p.setMFA(ctx, name, true, false, "SMS")
				store := driver.NewMemoryDevices()

				By("signing in with MFA on a new device, which the driver confirms")
				a := p.DriverWith(d, store).NewAuth()
				sent := time.Now()
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithSMSMFACode))
				res, err = a.ConfirmSignIn(ctx, p.code(ctx, name, mfa.PurposeMFA, sent.Add(-time.Second)), driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
				_, ok := store.Get(p.ID, name)
				Expect(ok).To(BeTrue(), "the device is remembered")

				By("signing in again from the remembered device: no MFA step")
				b := p.DriverWith(d, store).NewAuth()
				res, err = b.SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.Done))
				p.expectTokens(res.Tokens, name)

				By("forgetting the device: MFA is back")
				Expect(b.ForgetDevice(ctx)).To(Succeed())
				res, err = p.DriverWith(d, store).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithSMSMFACode))
			})
	}
})

// Passwordless and choice-based sign-in (USER_AUTH, rows 9 and 10).
var _ = Describe("Choice-based sign-in", Label("family:passwordless", "flow:USER_AUTH"), func() {
	for _, d := range dialects {
		It("offers the first factors and signs in with an email code "+describeDialect(d),
			Label("step:continueSignInWithFirstFactorSelection", "step:confirmSignInWithOtpCode", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{FirstFactors: []string{"PASSWORD", "EMAIL_OTP"}})
				name := p.newUser(ctx, userOpts{Password: password(), Attrs: map[string]string{"email": randomSuffix() + "@example.com", "email_verified": "true"}})
				a := p.Driver(d).NewAuth()
				res, err := a.SignIn(ctx, name, "", driver.SignInOptions{Flow: driver.UserAuth})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ContinueSignInWithFirstFactorSelection))
				Expect(res.NextStep.JSStep()).To(Equal("CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION"))
				Expect(res.NextStep.AvailableFactors).To(ContainElement(driver.FactorEmailOTP))
				sent := time.Now()
				res, err = a.ConfirmSignIn(ctx, "EMAIL_OTP", driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithOTPCode))
				res, err = a.ConfirmSignIn(ctx, p.code(ctx, name, mfa.PurposeOTP, sent.Add(-time.Second)), driver.ConfirmOptions{})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
				p.expectTokens(res.Tokens, name)
			})

		for _, factor := range []driver.AuthFactor{driver.FactorPassword, driver.FactorPasswordSRP} {
			It("signs in with the preferred first factor "+string(factor)+" "+describeDialect(d),
				Label("step:confirmSignInWithPassword", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
					p := need(ctx, Needs{FirstFactors: []string{"PASSWORD", "EMAIL_OTP"}})
					pw := password()
					name := p.newUser(ctx, userOpts{Password: pw})
					a := p.Driver(d).NewAuth()
					res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{Flow: driver.UserAuth, PreferredChallenge: factor})
					Expect(err).NotTo(HaveOccurred())
					if d == driver.Flutter {
						// Flutter never sends the password in InitiateAuth: Cognito asks for it.
						Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithPassword))
						res, err = a.ConfirmSignIn(ctx, pw, driver.ConfirmOptions{})
						Expect(err).NotTo(HaveOccurred())
					}
					Expect(res.IsSignedIn).To(BeTrue())
					p.expectTokens(res.Tokens, name)
				})
		}
	}
})
