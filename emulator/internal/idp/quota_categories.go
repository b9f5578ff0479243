package idp

import "strings"

// Cognito's request-rate categories (spec §7) and the operations in each. Where the
// AWS documentation did not settle it here, the choice is ours and marked.

// The categories.
const (
	catAuth               = "UserAuthentication"
	catRead               = "UserRead"
	catUpdate             = "UserUpdate"
	catCreation           = "UserCreation"
	catToken              = "UserToken"
	catRecovery           = "UserAccountRecovery"
	catList               = "UserList"
	catResourceRead       = "UserResourceRead"
	catResourceUpdate     = "UserResourceUpdate"
	catUserPoolCreate     = "UserPoolCreate"
	catUserPoolRead       = "UserPoolRead"
	catUserPoolUpdate     = "UserPoolUpdate"
	catUserPoolDelete     = "UserPoolDelete"
	catClientCreate       = "UserPoolClientCreate"
	catClientRead         = "UserPoolClientRead"
	catClientUpdate       = "UserPoolClientUpdate"
	catClientDelete       = "UserPoolClientDelete"
	catFederation         = "UserFederation"
	catRTACAllowance      = "RespondToAuthChallenge" // RTAC's own allowance: 3× UserAuthentication
	rtacAllowanceMultiple = 3
)

// defaultQuotas are Cognito's default request rates per category as last seen
// (the developer guide of January 2023, spec §7; the pool and client categories
// are the guide's defaults for those operations). `--quota defaults` applies them.
var defaultQuotas = map[string]float64{
	catAuth: 120, catRead: 120, catToken: 120, catUpdate: 25, catResourceRead: 50,
	catResourceUpdate: 25, catCreation: 50, catRecovery: 30, catList: 30, catFederation: 25,
	catUserPoolCreate: 1, catUserPoolRead: 15, catUserPoolUpdate: 5, catUserPoolDelete: 5,
	catClientCreate: 5, catClientRead: 15, catClientUpdate: 5, catClientDelete: 5,
}

// opCategories assigns every operation the emulator serves (and the device and MFA
// operations) to its category.
var opCategories = map[string]string{
	// UserAuthentication (RespondToAuthChallenge and its admin twin first use their
	// own allowance, see [limiter]).
	"InitiateAuth": catAuth, "AdminInitiateAuth": catAuth,
	"RespondToAuthChallenge": catAuth, "AdminRespondToAuthChallenge": catAuth,
	// UserToken: refresh (InitiateAuth with a refresh flow is moved here by
	// [category]) and revocation.
	"GetTokensFromRefreshToken": catToken, "RevokeToken": catToken,
	// UserCreation.
	"SignUp": catCreation, "ConfirmSignUp": catCreation, "AdminCreateUser": catCreation, "AdminConfirmSignUp": catCreation,
	// UserAccountRecovery.
	"ForgotPassword": catRecovery, "ConfirmForgotPassword": catRecovery, "ChangePassword": catRecovery,
	"AdminResetUserPassword": catRecovery, "AdminSetUserPassword": catRecovery,
	// UserRead.
	"GetUser": catRead, "AdminGetUser": catRead, "GetDevice": catRead, "AdminGetDevice": catRead,
	"ListDevices": catRead, "AdminListDevices": catRead, "AdminListGroupsForUser": catRead,
	"GetUserAttributeVerificationCode": catRead,
	// UserList.
	"ListUsers": catList, "ListUsersInGroup": catList,
	// UserUpdate.
	"UpdateUserAttributes": catUpdate, "AdminUpdateUserAttributes": catUpdate, "DeleteUserAttributes": catUpdate,
	"AdminDeleteUserAttributes": catUpdate, "DeleteUser": catUpdate, "AdminDeleteUser": catUpdate,
	"AdminDisableUser": catUpdate, "AdminEnableUser": catUpdate, "GlobalSignOut": catUpdate,
	"AdminUserGlobalSignOut": catUpdate, "ResendConfirmationCode": catUpdate, "VerifyUserAttribute": catUpdate,
	"SetUserSettings": catUpdate, "AdminSetUserSettings": catUpdate,
	// UNCONFIRMED (U6; spec §7): the MFA and device operations, here UserUpdate.
	"AssociateSoftwareToken": catUpdate, "VerifySoftwareToken": catUpdate, "SetUserMFAPreference": catUpdate,
	"AdminSetUserMFAPreference": catUpdate, "ConfirmDevice": catUpdate, "UpdateDeviceStatus": catUpdate,
	"AdminUpdateDeviceStatus": catUpdate, "ForgetDevice": catUpdate, "AdminForgetDevice": catUpdate,
	// Pool and client settings.
	"CreateUserPool": catUserPoolCreate, "DescribeUserPool": catUserPoolRead, "ListUserPools": catUserPoolRead,
	"GetUserPoolMfaConfig": catUserPoolRead, "UpdateUserPool": catUserPoolUpdate, "SetUserPoolMfaConfig": catUserPoolUpdate,
	"DeleteUserPool":       catUserPoolDelete,
	"CreateUserPoolClient": catClientCreate, "DescribeUserPoolClient": catClientRead, "ListUserPoolClients": catClientRead,
	"UpdateUserPoolClient": catClientUpdate, "DeleteUserPoolClient": catClientDelete,
}

// category returns the category of a call of op; unknown operations fall into
// UserRead (Get/List/Describe) or UserUpdate.
func category(op string, in any) string {
	if (op == "InitiateAuth" || op == "AdminInitiateAuth") && isRefreshFlow(in) {
		return catToken
	}
	if c, ok := opCategories[op]; ok {
		return c
	}
	for _, p := range []string{"Get", "List", "Describe", "AdminGet", "AdminList"} {
		if strings.HasPrefix(op, p) {
			return catRead
		}
	}
	return catUpdate
}

func isRefreshFlow(in any) bool {
	var flow string
	switch x := in.(type) {
	case *InitiateAuthInput:
		flow = x.AuthFlow
	case *AdminInitiateAuthInput:
		flow = x.AuthFlow
	}
	return flow == "REFRESH_TOKEN_AUTH" || flow == "REFRESH_TOKEN"
}

// perUserClass says whether op counts against a user's read or write allowance
// (spec §7: 10 per user per second each), or neither ("").
func perUserClass(cat string) string {
	switch cat {
	case catAuth, catRead, catToken:
		return "read"
	case catUpdate, catRecovery:
		return "write"
	}
	return ""
}

// knownCategory reports whether name is a category (or RTAC's allowance).
func knownCategory(name string) bool {
	if name == catRTACAllowance {
		return true
	}
	_, ok := defaultQuotas[name]
	return ok
}
