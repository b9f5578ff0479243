package scenarios

import (
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
)

// Password and SRP sign-in: USER_SRP_AUTH and USER_PASSWORD_AUTH end in done with
// tokens that verify against the pool's JWKS, for a public client and one with a
// secret, in both dialects, by username and by a verified email alias.
var _ = Describe("Sign-in with a password", Label("family:signin", "step:done"), func() {
	type row struct {
		flow   driver.AuthFlow
		secret bool
		alias  bool
	}
	body := func(ctx SpecContext, r row, d driver.Dialect) {
		n := Needs{Secret: r.secret}
		if r.alias {
			n.Aliases = []string{"email"}
		}
		p := need(ctx, n)
		pw := password()
		email := randomSuffix() + "@example.com"
		name := p.newUser(ctx, userOpts{Password: pw, Attrs: map[string]string{"email": email, "email_verified": "true"}})
		typed := name
		if r.alias {
			typed = email
		}
		a := p.Driver(d).NewAuth()
		res, err := a.SignIn(ctx, typed, pw, driver.SignInOptions{Flow: r.flow})
		Expect(err).NotTo(HaveOccurred())
		Expect(res.IsSignedIn).To(BeTrue())
		Expect(res.NextStep.SignInStep).To(Equal(driver.Done))
		Expect(res.NextStep.JSStep()).To(Equal("DONE"))
		p.expectTokens(res.Tokens, name)
		Expect(a.Username()).To(Equal(name), "the canonical username, not the alias")
	}
	describe := func(r row, d driver.Dialect) string {
		s := string(r.flow)
		if r.secret {
			s += " with a client secret"
		}
		if r.alias {
			s += " by email alias"
		}
		return s + " " + describeDialect(d)
	}
	args := []any{body, describe}
	for _, d := range dialects {
		for _, flow := range []driver.AuthFlow{driver.UserSRPAuth, driver.UserPasswordAuth} {
			for _, secret := range []bool{false, true} {
				for _, alias := range []bool{false, true} {
					labels := Label("flow:"+string(flow), "dialect:"+d.String())
					if secret {
						labels = append(labels, "client:secret")
					}
					args = append(args, Entry(nil, labels, specTimeout, row{flow, secret, alias}, d))
				}
			}
		}
	}
	DescribeTable("ends in done with verifiable tokens", args...)
})
