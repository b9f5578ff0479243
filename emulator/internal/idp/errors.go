package idp

import "fmt"

// Error is a Cognito error as the service returns it: an exception type name and a
// message. Fault is true for the few errors that are the service's fault (HTTP 500).
type Error struct {
	Type    string
	Message string
	Fault   bool
}

func (e *Error) Error() string { return e.Type + ": " + e.Message }

func newErr(typ, format string, args ...any) *Error {
	return &Error{Type: typ, Message: fmt.Sprintf(format, args...)}
}

// The exception names, spelled as on the wire.
const (
	TypeAliasExists                = "AliasExistsException"
	TypeCodeDeliveryFailure        = "CodeDeliveryFailureException"
	TypeCodeMismatch               = "CodeMismatchException"
	TypeConcurrentModification     = "ConcurrentModificationException"
	TypeEnableSoftwareTokenMFA     = "EnableSoftwareTokenMFAException"
	TypeExpiredCode                = "ExpiredCodeException"
	TypeInternalError              = "InternalErrorException"
	TypeInvalidLambdaResponse      = "InvalidLambdaResponseException"
	TypeInvalidParameter           = "InvalidParameterException"
	TypeInvalidPassword            = "InvalidPasswordException"
	TypeInvalidUserPoolConfig      = "InvalidUserPoolConfigurationException"
	TypeLimitExceeded              = "LimitExceededException"
	TypeMFAMethodNotFound          = "MFAMethodNotFoundException"
	TypeNotAuthorized              = "NotAuthorizedException"
	TypePasswordResetRequired      = "PasswordResetRequiredException"
	TypeResourceNotFound           = "ResourceNotFoundException"
	TypeSoftwareTokenMFANotFound   = "SoftwareTokenMFANotFoundException"
	TypeTooManyFailedAttempts      = "TooManyFailedAttemptsException"
	TypeTooManyRequests            = "TooManyRequestsException"
	TypeUnexpectedLambda           = "UnexpectedLambdaException"
	TypeUnsupportedOperation       = "UnsupportedOperationException"
	TypeUserLambdaValidation       = "UserLambdaValidationException"
	TypeUserNotConfirmed           = "UserNotConfirmedException"
	TypeUserNotFound               = "UserNotFoundException"
	TypeUsernameExists             = "UsernameExistsException"
	TypeInvalidOAuthFlow           = "InvalidOAuthFlowException"
	TypeUserPoolTaggingException   = "UserPoolTaggingException"
	TypeUnsupportedTokenType       = "UnsupportedTokenTypeException"
	TypeUnauthorized               = "UnauthorizedException"
	TypeDeviceKeyExists            = "DeviceKeyExistsException"
	TypeForbidden                  = "ForbiddenException"
	TypeUnsupportedUserState       = "UnsupportedUserStateException"
	TypeGroupExists                = "GroupExistsException"
	TypeSerialization              = "SerializationException"
	TypeUnknownOperation           = "UnknownOperationException"
	TypeUnrecognizedClient         = "UnrecognizedClientException"
	TypeRequestEntityTooLarge      = "RequestEntityTooLargeException"
	TypeInvalidEmailRoleAccess     = "InvalidEmailRoleAccessPolicyException"
	TypeInvalidSmsRoleAccessPolicy = "InvalidSmsRoleAccessPolicyException"
)

// Messages Cognito uses verbatim (spec §4.2, §5.2).
const (
	msgIncorrect        = "Incorrect username or password."
	msgAttemptsExceeded = "Password attempts exceeded"
	msgDisabled         = "User is disabled."
	// A session the pool never made, or one of another client or user: captured
	// from Cognito in aws-amplify/amplify-js#10959 and
	// aws-samples/amazon-cognito-passwordless-email-auth#17 (NotAuthorizedException).
	msgSessionInvalid    = "Invalid session for the user."
	msgSessionExpired    = "Invalid session for the user, session is expired."
	msgSessionUsed       = "Invalid session for the user, session can only be used once."
	msgUserNotFound      = "User does not exist."
	msgNotConfirmed      = "User is not confirmed."
	msgResetRequired     = "Password reset required for the user"
	msgCodeMismatch      = "Invalid verification code provided, please try again."
	msgCodeMismatchAuth  = "Invalid code or auth state for the user."
	msgTOTPMismatch      = "Invalid code received for user"
	msgCodeExpired       = "Invalid code provided, please request a code again."
	msgAttemptLimit      = "Attempt limit exceeded, please try after some time."
	msgInvalidToken      = "Invalid Access Token"
	msgAccessRevoked     = "Access Token has been revoked"
	msgAccessExpired     = "Access Token has expired"
	msgRefreshInvalid    = "Invalid Refresh Token"
	msgRefreshRevoked    = "Refresh Token has been revoked"
	msgRefreshExpired    = "Refresh Token has expired"
	msgMissingSession    = "Missing required parameter Session"
	msgTooManyRequests   = "Rate exceeded"
	msgUsernameExists    = "User account already exists"
	msgSignUpNotAllowed  = "SignUp is not permitted for this user pool"
	msgAlreadyConfirmed  = "User cannot be confirmed. Current status is CONFIRMED"
	msgTempPasswordStale = "Temporary password has expired and must be reset by an administrator."
)

func errNotAuthorized(msg string) *Error { return &Error{Type: TypeNotAuthorized, Message: msg} }
func errInvalidParameter(format string, args ...any) *Error {
	return newErr(TypeInvalidParameter, format, args...)
}
func errResourceNotFound(format string, args ...any) *Error {
	return newErr(TypeResourceNotFound, format, args...)
}
func errUserNotFound() *Error { return &Error{Type: TypeUserNotFound, Message: msgUserNotFound} }

// errValidation is the service's generic validation failure for a member, as the
// AWS front end words it. A value of type hidden (a sensitive member, or one longer
// than its constraint) and any value longer than maxQuoted characters are not quoted:
// "Value at 'password' failed to satisfy constraint: …".
func errValidation(member, constraint string, value any) *Error {
	v := fmtValue(value)
	if v == "" {
		return newErr(TypeInvalidParameter, "1 validation error detected: Value at '%s' failed to satisfy constraint: %s", member, constraint)
	}
	return newErr(TypeInvalidParameter, "1 validation error detected: Value %s at '%s' failed to satisfy constraint: %s", v, member, constraint)
}

// fmtValue quotes a value for a validation message, or returns "" when the value is
// not to be quoted.
func fmtValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case hidden:
		return ""
	default:
		s := fmt.Sprint(x)
		if len(s) > maxQuoted {
			return ""
		}
		return "'" + s + "'"
	}
}
