package scenarios

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
)

// New password (spec §1.2 row 11): a user created with a temporary password gets
// confirmSignInWithNewPassword with the required attributes it lacks; the new password
// (and the attributes) complete the sign-in.
var _ = Describe("New password required", Label("family:new-password", "step:confirmSignInWithNewPassword"), func() {
	for _, d := range dialects {
		for _, flow := range []driver.AuthFlow{driver.UserSRPAuth, driver.UserPasswordAuth} {
			It("asks for a new password and the missing required attribute, then signs in "+string(flow)+" "+describeDialect(d),
				Label("flow:"+string(flow), "dialect:"+d.String()), specTimeout, func(ctx SpecContext) {
					p := need(ctx, Needs{Required: []string{"name"}})
					temp := password()
					name := p.newUser(ctx, userOpts{Password: temp, Temporary: true, Attrs: map[string]string{"email": randomSuffix() + "@example.com"}})
					a := p.Driver(d).NewAuth()
					res, err := a.SignIn(ctx, name, temp, driver.SignInOptions{Flow: flow})
					Expect(err).NotTo(HaveOccurred())
					n := res.NextStep
					Expect(res.IsSignedIn).To(BeFalse())
					Expect(n.SignInStep).To(Equal(driver.ConfirmSignInWithNewPassword))
					Expect(n.JSStep()).To(Equal("CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED"))
					Expect(n.MissingAttributes).To(Equal([]string{"name"}))
					if d == driver.Flutter {
						Expect(n.AdditionalInfo).To(HaveKey("userAttributes"))
						Expect(n.AdditionalInfo["requiredAttributes"]).To(ContainSubstring("userAttributes.name"))
					}

					By("refusing the new password without the required attribute")
					_, err = a.ConfirmSignIn(ctx, password(), driver.ConfirmOptions{})
					expectServiceError(err, "InvalidParameterException", "Invalid attributes given, name is missing")

					By("accepting it with the attribute, on the same session")
					newPw := password()
					res, err = a.ConfirmSignIn(ctx, newPw, driver.ConfirmOptions{UserAttributes: map[string]string{"name": "Ada", "family_name": "Lovelace"}})
					Expect(err).NotTo(HaveOccurred())
					Expect(res.NextStep.SignInStep).To(Equal(driver.Done))
					p.expectTokens(res.Tokens, name)

					got, err := p.Admin.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(name)})
					Expect(err).NotTo(HaveOccurred())
					Expect(string(got.UserStatus)).To(Equal("CONFIRMED"))
					attrs := map[string]string{}
					for _, at := range got.UserAttributes {
						attrs[aws.ToString(at.Name)] = aws.ToString(at.Value)
					}
					Expect(attrs).To(HaveKeyWithValue("name", "Ada"))
					// Flutter writes the attributes it did not send with UpdateUserAttributes
					// after signing in; JS sends them all in the challenge.
					Expect(attrs).To(HaveKeyWithValue("family_name", "Lovelace"))

					By("signing in with the new password")
					res, err = p.Driver(d).NewAuth().SignIn(ctx, name, newPw, driver.SignInOptions{Flow: flow})
					Expect(err).NotTo(HaveOccurred())
					Expect(res.IsSignedIn).To(BeTrue())
				})
		}
	}

	It("refuses a weak new password and allows a retry", Label("dialect:flutter"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		temp := password()
		name := p.newUser(ctx, userOpts{Password: temp, Temporary: true})
		a := p.Driver(driver.Flutter).NewAuth()
		_, err := a.SignIn(ctx, name, temp, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		_, err = a.ConfirmSignIn(ctx, "short", driver.ConfirmOptions{})
		var se *driver.ServiceError
		Expect(err).To(BeAssignableToTypeOf(err))
		Expect(errorsAs(err, &se)).To(BeTrue())
		Expect(se.Name).To(Equal("InvalidPasswordException"))
		res, err := a.ConfirmSignIn(ctx, password(), driver.ConfirmOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IsSignedIn).To(BeTrue())
	})
})
