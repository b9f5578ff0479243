package scenarios

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
)

// Custom challenges (row 12): CUSTOM_AUTH with and without SRP, several rounds, a wrong
// answer with a second try, and a wrong answer that ends the sign-in. A live pool needs
// triggers that ask "What is 6*7?" (42), allowing a second try, then "What is 2+2?" (4).
var _ = Describe("Custom challenge", Label("family:custom", "step:confirmSignInWithCustomChallenge"), func() {
	for _, d := range dialects {
		for _, flow := range []driver.AuthFlow{driver.CustomWithoutSRP, driver.CustomWithSRP} {
			It("runs every round to done, with a second try after a wrong answer, "+string(flow)+" "+describeDialect(d),
				Label("flow:"+string(flow), "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
					p := need(ctx, Needs{Custom: true})
					pw := password()
					name := p.newUser(ctx, userOpts{Password: pw})
					if flow == driver.CustomWithoutSRP {
						pw = ""
					}
					a := p.Driver(d).NewAuth()
					res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{Flow: flow, ClientMetadata: map[string]string{"source": "authbench"}})
					Expect(err).NotTo(HaveOccurred())
					Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithCustomChallenge))
					Expect(res.NextStep.JSStep()).To(Equal("CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE"))
					Expect(res.NextStep.AdditionalInfo).To(HaveKeyWithValue("question", "What is 6*7?"))

					By("a wrong answer gets the same challenge again")
					res, err = a.ConfirmSignIn(ctx, "41", driver.ConfirmOptions{})
					Expect(err).NotTo(HaveOccurred())
					Expect(res.NextStep.AdditionalInfo).To(HaveKeyWithValue("question", "What is 6*7?"))

					By("the right answers end the rounds")
					res, err = a.ConfirmSignIn(ctx, "42", driver.ConfirmOptions{})
					Expect(err).NotTo(HaveOccurred())
					Expect(res.NextStep.AdditionalInfo).To(HaveKeyWithValue("question", "What is 2+2?"))
					res, err = a.ConfirmSignIn(ctx, "4", driver.ConfirmOptions{})
					Expect(err).NotTo(HaveOccurred())
					Expect(res.IsSignedIn).To(BeTrue())
					p.expectTokens(res.Tokens, name)
				})
		}

		It("ends the sign-in when the tries run out "+describeDialect(d), Label("flow:CUSTOM_WITHOUT_SRP", "error:NotAuthorizedException", "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
			p := need(ctx, Needs{Custom: true})
			name := p.newUser(ctx, userOpts{Password: password()})
			a := p.Driver(d).NewAuth()
			_, err := a.SignIn(ctx, name, "", driver.SignInOptions{Flow: driver.CustomWithoutSRP})
			Expect(err).NotTo(HaveOccurred())
			_, err = a.ConfirmSignIn(ctx, "41", driver.ConfirmOptions{})
			Expect(err).NotTo(HaveOccurred())
			_, err = a.ConfirmSignIn(ctx, "40", driver.ConfirmOptions{})
			expectServiceError(err, "NotAuthorizedException", "Incorrect username or password.")
		})
	}
})
