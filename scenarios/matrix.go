package scenarios

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// The nextStep matrix: every MFA factor × first-factor flow × app client with and
// without a secret × dialect signs in through its code step to done.
var _ = Describe("MFA matrix", Label("family:mfa", "matrix"), func() {
	type row struct {
		factor string
		flow   driver.AuthFlow
		secret bool
	}
	steps := map[string]driver.Step{"SMS": driver.ConfirmSignInWithSMSMFACode, "TOTP": driver.ConfirmSignInWithTOTPMFACode, "EMAIL": driver.ConfirmSignInWithOTPCode}
	jsSteps := map[string]string{"SMS": "CONFIRM_SIGN_IN_WITH_SMS_CODE", "TOTP": "CONFIRM_SIGN_IN_WITH_TOTP_CODE", "EMAIL": "CONFIRM_SIGN_IN_WITH_EMAIL_CODE"}
	body := func(ctx SpecContext, r row, d driver.Dialect) {
		p := need(ctx, Needs{MFA: "OPTIONAL", Factors: []string{r.factor}, Secret: r.secret})
		attrs := map[string]string{"email": randomSuffix() + "@example.com", "email_verified": "true", "phone_number": phone(), "phone_number_verified": "true"}
		var name, pw, secret string
		if r.factor == "TOTP" {
			name, pw, secret = p.totpUser(ctx, attrs, true)
		} else {
			pw = password()
			name = p.newUser(ctx, userOpts{Password: pw, Attrs: attrs})
			p.setMFA(ctx, name, r.factor == "SMS", r.factor == "EMAIL", r.factor)
		}
		a := p.Driver(d).NewAuth()
		sent := time.Now()
		res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{Flow: r.flow})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.NextStep.SignInStep).To(Equal(steps[r.factor]))
		Expect(res.NextStep.JSStep()).To(Equal(jsSteps[r.factor]))
		var code string
		if r.factor == "TOTP" {
			code, err = totps.Next(ctx, secret)
			Expect(err).NotTo(HaveOccurred())
		} else {
			Expect(res.NextStep.CodeDeliveryDetails).NotTo(BeNil())
			Expect(res.NextStep.CodeDeliveryDetails.DeliveryMedium).To(Equal(r.factor))
			Expect(res.NextStep.CodeDeliveryDetails.Destination).To(ContainSubstring("*"), "a masked destination")
			code = p.code(ctx, name, mfa.PurposeMFA, sent.Add(-time.Second))
		}
		res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IsSignedIn).To(BeTrue())
		p.expectTokens(res.Tokens, name)
	}
	describe := func(r row, d driver.Dialect) string {
		s := r.factor + " after " + string(r.flow)
		if r.secret {
			s += " with a client secret"
		}
		return s + " " + describeDialect(d)
	}
	args := []any{body, describe}
	for _, d := range dialects {
		for _, factor := range []string{"SMS", "TOTP", "EMAIL"} {
			for _, flow := range []driver.AuthFlow{driver.UserSRPAuth, driver.UserPasswordAuth} {
				for _, secret := range []bool{false, true} {
					labels := Label("factor:"+map[string]string{"SMS": "sms", "TOTP": "totp", "EMAIL": "email"}[factor], "flow:"+string(flow), "dialect:"+d.String(), "step:"+string(steps[factor]))
					if secret {
						labels = append(labels, "client:secret")
					}
					args = append(args, Entry(nil, labels, specTimeout, row{factor, flow, secret}, d))
				}
			}
		}
	}
	DescribeTable("signs in through the factor's code step", args...)
})
