package scenarios

import (
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// advance moves the target's clock by d for the rest of the spec, or skips the spec
// on a target without a controllable clock.
func advance(d time.Duration) {
	GinkgoHelper()
	c, ok := current().Target.(Clock)
	if !ok {
		Skip("the target's clock cannot be moved (a live pool)")
	}
	c.Advance(d)
	DeferCleanup(func() { c.Advance(-d) })
}

// Expiry and throttling: sessions and codes expire as Cognito's do, and quota
// throttles surface as TooManyRequestsException.
var _ = Describe("Expiry and throttling", Label("family:failures"), func() {
	It("refuses an expired session", Label("error:NotAuthorizedException", "session"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		temp := password()
		name := p.newUser(ctx, userOpts{Password: temp, Temporary: true})
		a := p.Driver(driver.Flutter).NewAuth()
		res, err := a.SignIn(ctx, name, temp, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.NextStep.SignInStep).To(Equal(driver.ConfirmSignInWithNewPassword))
		advance(3*time.Minute + 5*time.Second) // the default AuthSessionValidity is 3 minutes
		_, err = a.ConfirmSignIn(ctx, password(), driver.ConfirmOptions{})
		expectServiceError(err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	})

	It("refuses an expired sign-up code", Label("error:ExpiredCodeException"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{SelfSignUp: true})
		a := p.Driver(driver.Flutter).NewAuth()
		name := p.userName(ctx)
		sent := time.Now()
		_, err := a.SignUp(ctx, name, password(), driver.SignUpOptions{UserAttributes: map[string]string{"email": randomSuffix() + "@example.com"}})
		Expect(err).NotTo(HaveOccurred())
		code := p.code(ctx, name, mfa.PurposeSignUp, sent.Add(-time.Second))
		advance(25 * time.Hour)
		_, err = a.ConfirmSignUp(ctx, name, code)
		expectServiceError(err, "ExpiredCodeException", "Invalid code provided, please request a code again.")
	})

	It("answers throttled sign-ins with TooManyRequestsException", Label("error:TooManyRequestsException", "throttling"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{Throttle: true})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw})
		var err error
		for i := 0; i < 10; i++ {
			if _, err = p.Driver(driver.Flutter).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{Flow: driver.UserPasswordAuth}); err != nil {
				break
			}
		}
		expectServiceError(err, "TooManyRequestsException", "Rate exceeded")
	})
})
