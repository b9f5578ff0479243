package scenarios

import (
	"crypto/rand"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/srp"
)

// The failures: each is Cognito's own error, with its message, and leaves the app
// able to sign in again.
var _ = Describe("Failures", Label("family:failures"), func() {
	for _, d := range dialects {
		for _, flow := range []driver.AuthFlow{driver.UserSRPAuth, driver.UserPasswordAuth} {
			It("refuses a wrong password "+string(flow)+" "+describeDialect(d), Label("error:NotAuthorizedException", "flow:"+string(flow), "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
				p := need(ctx, Needs{})
				pw := password()
				name := p.newUser(ctx, userOpts{Password: pw})
				a := p.Driver(d).NewAuth()
				_, err := a.SignIn(ctx, name, pw+"x", driver.SignInOptions{Flow: flow})
				expectServiceError(err, "NotAuthorizedException", "Incorrect username or password.")
				res, err := a.SignIn(ctx, name, pw, driver.SignInOptions{Flow: flow})
				Expect(err).NotTo(HaveOccurred())
				Expect(res.IsSignedIn).To(BeTrue())
			})
		}
	}

	DescribeTable("answers an unknown user as PreventUserExistenceErrors says",
		func(ctx SpecContext, pue string, flow driver.AuthFlow, want, msg string) {
			p := need(ctx, Needs{PreventUserExistenceErrors: pue, Flows: []string{"ALLOW_" + string(flow)}})
			_, err := p.Driver(driver.Flutter).NewAuth().SignIn(ctx, UserPrefix+"nobody-"+randomSuffix(), password(), driver.SignInOptions{Flow: flow})
			expectServiceError(err, want, msg)
		},
		Entry("ENABLED, SRP: a simulated challenge, then a wrong-password error", Label("error:NotAuthorizedException"), specTimeout, "ENABLED", driver.UserSRPAuth, "NotAuthorizedException", "Incorrect username or password."),
		Entry("ENABLED, password", Label("error:NotAuthorizedException"), specTimeout, "ENABLED", driver.UserPasswordAuth, "NotAuthorizedException", "Incorrect username or password."),
		Entry("LEGACY, SRP", Label("error:UserNotFoundException"), specTimeout, "LEGACY", driver.UserSRPAuth, "UserNotFoundException", "User does not exist."),
		Entry("LEGACY, password", Label("error:UserNotFoundException"), specTimeout, "LEGACY", driver.UserPasswordAuth, "UserNotFoundException", "User does not exist."),
	)

	It("refuses a disabled user", Label("error:NotAuthorizedException"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw, Disabled: true})
		_, err := p.Driver(driver.Flutter).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{})
		expectServiceError(err, "NotAuthorizedException", "User is disabled.")
	})

	// Developer guide, "Authentication", lockout behavior: after five failed attempts
	// a lockout of 2^(n-5) seconds begins; the attempts that start it answer as wrong
	// passwords, and only attempts made during it are "Password attempts exceeded".
	It("locks a user out after five wrong passwords", Label("error:NotAuthorizedException", "lockout", "defaults"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{Flows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw})
		a := p.Driver(driver.Flutter).NewAuth()
		var err error
		for i := 0; i < 5; i++ {
			_, err = a.SignIn(ctx, name, pw+"x", driver.SignInOptions{Flow: driver.UserPasswordAuth})
			expectServiceError(err, "NotAuthorizedException", "Incorrect username or password.")
		}
		_, err = a.SignIn(ctx, name, pw+"x", driver.SignInOptions{Flow: driver.UserPasswordAuth})
		expectServiceError(err, "NotAuthorizedException", "Password attempts exceeded")
		_, err = a.SignIn(ctx, name, pw, driver.SignInOptions{Flow: driver.UserPasswordAuth})
		expectServiceError(err, "NotAuthorizedException", "Password attempts exceeded")
	})

	It("refuses a reused session", Label("error:NotAuthorizedException", "session"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{Flows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
		temp := password()
		name := p.newUser(ctx, userOpts{Password: temp, Temporary: true})
		init, err := p.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(p.ClientID),
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": temp}})
		Expect(err).NotTo(HaveOccurred())
		Expect(init.Session).NotTo(BeNil(), "every challenge carries a Session")
		answer := func() error {
			_, err := p.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(p.ClientID),
				Session: init.Session, ChallengeResponses: map[string]string{"USERNAME": name, "NEW_PASSWORD": password()}})
			return err
		}
		Expect(answer()).To(Succeed())
		expectSDKError(answer(), "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
	})

	It("requires SECRET_HASH from a client with a secret, and refuses a wrong one", Label("client:secret", "error:NotAuthorizedException"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{Secret: true})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw})
		c, err := srp.NewClient(rand.Reader)
		Expect(err).NotTo(HaveOccurred())
		start := func(hash string) error {
			params := map[string]string{"USERNAME": name, "SRP_A": c.SRPA()}
			if hash != "" {
				params["SECRET_HASH"] = hash
			}
			_, err := p.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(p.ClientID), AuthParameters: params})
			return err
		}
		expectSDKError(start(""), "NotAuthorizedException", "Client "+p.ClientID+" is configured with secret but SECRET_HASH was not received")
		expectSDKError(start(srp.AppClient{ID: p.ClientID, Secret: p.ClientSecret}.SecretHash(name+"x")), "NotAuthorizedException", "Unable to verify secret hash for client "+p.ClientID)
		Expect(start(srp.AppClient{ID: p.ClientID, Secret: p.ClientSecret}.SecretHash(name))).To(Succeed())
	})

	It("refuses a flow the app client does not allow", Label("error:InvalidParameterException", "flow:USER_PASSWORD_AUTH"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{Without: []string{"ALLOW_USER_PASSWORD_AUTH"}})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw})
		_, err := p.Driver(driver.Flutter).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{Flow: driver.UserPasswordAuth})
		expectServiceError(err, "InvalidParameterException", "USER_PASSWORD_AUTH flow not enabled for this client")
	})
})
