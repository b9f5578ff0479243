package idp

import "strings"

// The OAuth settings of app clients name scopes and identity providers that must
// exist in the pool; Create/UpdateUserPoolClient refuse the rest as Cognito does.

// standardScopes are the scopes every pool has (API reference,
// CreateUserPoolClient.AllowedOAuthScopes; the CloudFormation guide's correction in
// awsdocs/aws-cloudformation-user-guide#518).
var standardScopes = []string{"phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"}

// checkClientOAuth checks AllowedOAuthScopes against the standard scopes and the
// pool's resource servers, and SupportedIdentityProviders against COGNITO and the
// pool's identity providers. The caller holds p.mu.
func (p *Pool) checkClientOAuth(in *CreateUserPoolClientInput) *Error {
	for _, sc := range in.AllowedOAuthScopes {
		if contains(standardScopes, sc) {
			continue
		}
		if i := strings.LastIndexByte(sc, '/'); i > 0 {
			if rs := p.dir.ResourceServers[sc[:i]]; rs != nil {
				found := false
				for _, x := range rs.Scopes {
					found = found || x.ScopeName == sc[i+1:]
				}
				if found {
					continue
				}
			}
		}
		// Evidence: ScopeDoesNotExistException "Invalid scope requested: Cognito"
		// (awsdocs/aws-cloudformation-user-guide#564, a captured error).
		return newErr(TypeScopeDoesNotExist, "Invalid scope requested: %s", truncate(sc, 256))
	}
	for _, name := range in.SupportedIdentityProviders {
		if name == "COGNITO" || p.dir.Providers[name] != nil {
			continue
		}
		// Evidence: "The provider Salesforce does not exist for User Pool …"
		// (lgallard/terraform-aws-cognito-user-pool#71, a captured error).
		return errInvalidParameter("The provider %s does not exist for User Pool %s.", truncate(name, 32), p.id)
	}
	return nil
}

// TypeScopeDoesNotExist is the exception for an OAuth scope the pool does not have.
const TypeScopeDoesNotExist = "ScopeDoesNotExistException"
