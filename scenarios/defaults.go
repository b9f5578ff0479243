package scenarios

import (
	"crypto/rand"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/srp"
)

// Cognito's defaults and answers that an emulator easily gets wrong, each with the
// public evidence it rests on. They create nothing lasting on a live pool: a client
// made for the spec is deleted, a refused CreateUserPool creates nothing.
var _ = Describe("Cognito's defaults", Label("family:defaults", "defaults"), func() {
	It("makes an app client created through the API LEGACY for user existence errors", Label("provisioning"), specTimeout, func(ctx SpecContext) {
		// Developer guide, "Managing user existence error responses": "When you create
		// a new app client with the Amazon Cognito user pools API,
		// PreventUserExistenceErrors is LEGACY, or disabled, by default."
		p := need(ctx, Needs{})
		out, err := p.Admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: aws.String(p.ID), ClientName: aws.String(UserPrefix + "client-" + randomSuffix())})
		Expect(err).NotTo(HaveOccurred())
		id := out.UserPoolClient.ClientId
		DeferCleanup(func(ctx SpecContext) {
			_, _ = p.Admin.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: aws.String(p.ID), ClientId: id})
		}, NodeTimeout(current().Timeout))
		Expect(out.UserPoolClient.PreventUserExistenceErrors).To(Equal(types.PreventUserExistenceErrorTypesLegacy))
		Expect(aws.ToBool(out.UserPoolClient.EnableTokenRevocation)).To(BeTrue(), "token revocation is on by default")
	})

	It("refuses a user pool with MFA ON and no SMS configuration", Label("provisioning", "error:InvalidParameterException"), specTimeout, func(ctx SpecContext) {
		// Captured in aws-cdk#12075 and aws-cdk#11478; TOTP-only MFA goes through
		// SetUserPoolMfaConfig.
		p := need(ctx, Needs{})
		_, err := p.Admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String(UserPrefix + "mfa-" + randomSuffix()), MfaConfiguration: types.UserPoolMfaTypeOn})
		expectSDKError(err, "InvalidParameterException", "SMS configuration and Auto verification for phone_number are required when MFA is required/optional")
	})

	It("refuses an SRP sign-in of a user who must reset the password at InitiateAuth", Label("flow:USER_SRP_AUTH", "error:PasswordResetRequiredException"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		name := p.newUser(ctx, userOpts{Password: password(), Reset: true, Attrs: map[string]string{"email": randomSuffix() + "@example.com", "email_verified": "true"}})
		c, err := srp.NewClient(rand.Reader)
		Expect(err).NotTo(HaveOccurred())
		_, err = p.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: aws.String(p.ClientID),
			AuthParameters: map[string]string{"USERNAME": name, "SRP_A": c.SRPA()}})
		expectSDKError(err, "PasswordResetRequiredException", "")
	})

	It("refuses a challenge answer that names another user", Label("step:confirmSignInWithNewPassword", "error:NotAuthorizedException"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{Flows: []string{"ALLOW_USER_PASSWORD_AUTH"}})
		temp := password()
		name := p.newUser(ctx, userOpts{Password: temp, Temporary: true})
		other := p.newUser(ctx, userOpts{Password: password()})
		init, err := p.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: aws.String(p.ClientID),
			AuthParameters: map[string]string{"USERNAME": name, "PASSWORD": temp}})
		Expect(err).NotTo(HaveOccurred())
		Expect(init.ChallengeName).To(Equal(types.ChallengeNameTypeNewPasswordRequired))
		_, err = p.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: aws.String(p.ClientID), Session: init.Session,
			ChallengeResponses: map[string]string{"USERNAME": other, "NEW_PASSWORD": password()}})
		expectSDKError(err, "NotAuthorizedException", "")
	})
})
