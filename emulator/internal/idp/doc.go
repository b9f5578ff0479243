// Package idp is the state and semantics of the emulated Cognito user pools: pools,
// app clients, users, sessions, codes, devices, tokens and the outbox. Each API
// operation is a method of [Service] taking the request's context and its decoded
// input and returning its output or an [*Error] carrying Cognito's exception name and
// message; [Service.Operations] lists them by wire name for the HTTP face (package
// emulator), which owns decoding, dispatch by X-Amz-Target and the wire errors.
//
// Where a request can wait, it waits within its context: the injected latency of the
// quotas (quota.go) and the Lambda trigger calls. Those trigger calls are the only
// HTTP in the package (trigger.go): each is a POST to the function's URL made with
// the request's context, bounded by the trigger timeout, through the HTTP client of
// [TriggerOptions] (the emulator's, or one of the Service's own).
//
// A Service shares nothing with another: its clock, random source, pools, outbox,
// quota buckets and trigger client are its own, and the package holds no mutable
// state of its own (its package-level variables are read-only tables).
//
// Locking: the Service's lock guards the set of pools; each pool has its own lock for
// everything inside it. Expensive work (SRP math, token signatures) runs outside the
// locks, and the state it depends on is re-checked when the result is applied.
//
// # Where things are
//
// Files follow one scheme: op_*.go are operation families, signin*.go the sign-in
// flows and challenges (one file each), state_*.go the pool's model, tokens_*.go,
// trigger*.go and quota*.go their subsystems.
//
// Operation family → file:
//
//	CreateUserPool, DescribeUserPool, UpdateUserPool,
//	ListUserPools, DeleteUserPool                         op_pools.go
//	Create/Describe/Update/Delete/ListUserPoolClient(s)   op_clients.go
//	AdminCreateUser, AdminGetUser, AdminSetUserPassword,
//	AdminUpdateUserAttributes, AdminConfirmSignUp,
//	AdminResetUserPassword, AdminDisable/EnableUser,
//	AdminDeleteUser, AdminUserGlobalSignOut, ListUsers    op_admin_users.go
//	SignUp, ConfirmSignUp, ResendConfirmationCode,
//	ForgotPassword, ConfirmForgotPassword, ChangePassword,
//	GetUser, UpdateUserAttributes, DeleteUser,
//	GlobalSignOut, RevokeToken                            op_selfservice.go
//	ConfirmDevice, Get/List/ForgetDevice,
//	UpdateDeviceStatus and their Admin twins              op_devices.go
//	SetUserPoolMfaConfig, GetUserPoolMfaConfig            op_mfa_config.go
//	SetUserMFAPreference, AdminSetUserMFAPreference       op_mfa_prefs.go
//	AssociateSoftwareToken, VerifySoftwareToken           op_totp.go
//	InitiateAuth, AdminInitiateAuth,
//	RespondToAuthChallenge, AdminRespondToAuthChallenge   signin.go (dispatch)
//	GetTokensFromRefreshToken                             signin_refresh.go
//	fixtures (SeedCreatePool, SeedCreateUser, …)          seed.go
//
// Sign-in flow (AuthFlow) → file where it starts:
//
//	USER_SRP_AUTH                                         signin_srp.go
//	USER_PASSWORD_AUTH, ADMIN_USER_PASSWORD_AUTH,
//	ADMIN_NO_SRP_AUTH                                     signin_password.go
//	CUSTOM_AUTH                                           signin_custom.go
//	USER_AUTH                                             signin_userauth.go
//	REFRESH_TOKEN_AUTH, REFRESH_TOKEN                     signin_refresh.go
//
// Challenge (ChallengeName) → the one file where its answer is checked:
//
//	PASSWORD_VERIFIER                                     signin_srp.go
//	NEW_PASSWORD_REQUIRED                                 signin_newpassword.go
//	SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP (as MFA),
//	SELECT_MFA_TYPE, MFA_SETUP                            signin_mfa.go
//	CUSTOM_CHALLENGE                                      signin_custom.go
//	DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER             signin_device.go
//	SELECT_CHALLENGE and the USER_AUTH first factors
//	PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP            signin_userauth.go
//
// What happens after any first factor — NEW_PASSWORD_REQUIRED, custom rounds after
// SRP, the remembered device, MFA, then tokens — is the pipeline in
// signin_pipeline.go; the prologue every first factor shares (USERNAME, the user's
// lookup, SECRET_HASH) and the lockout are in signin.go. Declarative custom challenges
// are in signin_custom_declarative.go; a TOTP code is checked in op_totp.go
// (totpStep), SMS and email MFA codes in signin_mfa.go.
//
// The rest:
//
//	service.go               Options, New, randomness, the operation table
//	state_model.go           pools, app clients, users, lookup by username or alias
//	state_attrs.go           attribute schema checks and changes
//	state_password.go        password policy and stored credentials
//	state_sessions.go        sessions: single use, expiry, bound to client/challenge
//	state_codes.go           verification codes: expiry, attempts, single use
//	state_devices.go         device records
//	state_snapshot.go        Snapshot and Restore (the state file)
//	tokens_issue.go          id/access/refresh tokens, revocation, JWKS
//	tokens_peek.go           a token's pool before its signature is checked
//	trigger.go               Lambda trigger calls (the package's only HTTP)
//	trigger_hooks.go         PreAuthentication, PostAuthentication, PreTokenGeneration
//	quota.go, quota_*.go     request-rate quotas and injected latency
//	limits.go                resource limits (Cognito's quotas) and every bound on what requests make the pool keep
//	outbox.go                the SMS and email a pool sends
//	errors.go                Cognito's exception names and messages
//	shapes.go, validate.go   shared wire shapes, request validation (validate tags)
package idp
