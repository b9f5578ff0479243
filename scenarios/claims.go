package scenarios

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
)

// Group and attribute claims: what an app authorizes with. The groups are made for
// the spec (names start with UserPrefix) and deleted after it, so the specs run on a
// live pool as on the embedded one.
var _ = Describe("Group and attribute claims", Label("family:claims"), func() {
	It("puts the user's groups in both tokens by precedence, with the roles in the id token", Label("claims:groups"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{})
		pw := password()
		name := p.newUser(ctx, userOpts{Password: pw})
		suffix := randomSuffix()
		role := func(g string) string { return "arn:aws:iam::123456789012:role/" + g }
		groups := []struct {
			name string
			prec *int32
			role bool
		}{
			{UserPrefix + "c-" + suffix, nil, false},
			{UserPrefix + "b-" + suffix, aws.Int32(7), true},
			{UserPrefix + "a-" + suffix, aws.Int32(2), true},
		}
		for _, g := range groups {
			in := &cip.CreateGroupInput{UserPoolId: aws.String(p.ID), GroupName: aws.String(g.name), Precedence: g.prec}
			if g.role {
				in.RoleArn = aws.String(role(g.name))
			}
			_, err := p.Admin.CreateGroup(ctx, in)
			Expect(err).NotTo(HaveOccurred(), "CreateGroup")
			DeferCleanup(func(ctx SpecContext) {
				_, _ = p.Admin.DeleteGroup(ctx, &cip.DeleteGroupInput{UserPoolId: aws.String(p.ID), GroupName: aws.String(g.name)})
			}, NodeTimeout(current().Timeout))
			_, err = p.Admin.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: aws.String(p.ID), Username: aws.String(name), GroupName: aws.String(g.name)})
			Expect(err).NotTo(HaveOccurred(), "AdminAddUserToGroup")
		}
		res, err := p.Driver(driver.Flutter).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IsSignedIn).To(BeTrue())
		id, access := p.expectTokens(res.Tokens, name)
		// Lower precedence first, a group without one last (API reference, CreateGroup).
		want := []any{groups[2].name, groups[1].name, groups[0].name}
		Expect(id["cognito:groups"]).To(Equal(want), "id token cognito:groups")
		Expect(access["cognito:groups"]).To(Equal(want), "access token cognito:groups")
		Expect(id["cognito:roles"]).To(ConsistOf(role(groups[2].name), role(groups[1].name)))
		Expect(id["cognito:preferred_role"]).To(Equal(role(groups[2].name)), "the role of the lowest precedence")
		Expect(access).NotTo(HaveKey("cognito:preferred_role"))
	})

	It("puts a custom attribute in the id token", Label("claims:custom"), specTimeout, func(ctx SpecContext) {
		p := need(ctx, Needs{CustomAttribute: true})
		pw := password()
		value := randomSuffix()[:4]
		name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{p.CustomAttribute: value}})
		res, err := p.Driver(driver.JS).NewAuth().SignIn(ctx, name, pw, driver.SignInOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IsSignedIn).To(BeTrue())
		id, access := p.expectTokens(res.Tokens, name)
		Expect(id).To(HaveKeyWithValue(p.CustomAttribute, value))
		Expect(access).NotTo(HaveKey(p.CustomAttribute), "attributes are id-token claims")
	})
})
