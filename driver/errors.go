package driver

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// ServiceError is an error Cognito returned, with its exception name and message
// (Amplify's AuthError name and message). It wraps the SDK's error, so errors.As
// with the SDK's exception types (e.g. *types.NotAuthorizedException) works too.
type ServiceError struct {
	// Operation is the API operation that failed, e.g. "RespondToAuthChallenge".
	Operation string
	// Name is Cognito's exception name, e.g. "NotAuthorizedException".
	Name string
	// Message is Cognito's message, e.g. "Incorrect username or password.".
	Message string
	err     error
}

func (e *ServiceError) Error() string { return e.Name + ": " + e.Message }
func (e *ServiceError) Unwrap() error { return e.err }

// wrapService turns an SDK error into a *ServiceError when it carries a Cognito
// error; other errors (network, context) are wrapped with the operation.
func wrapService(op string, err error) error {
	if err == nil {
		return nil
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return &ServiceError{Operation: op, Name: ae.ErrorCode(), Message: ae.ErrorMessage(), err: err}
	}
	return fmt.Errorf("driver: %s: %w", op, err)
}

// IsServiceError reports whether err is a Cognito error with the given name.
func IsServiceError(err error, name string) bool {
	var se *ServiceError
	return errors.As(err, &se) && se.Name == name
}

// ValidationError is a request the clients refuse before any network call (an
// Amplify AuthValidationException / validation error), e.g. a missing password.
type ValidationError struct {
	// Name is the Amplify validation name, e.g. "EmptySignInPassword".
	Name    string
	Message string
}

func (e *ValidationError) Error() string { return e.Name + ": " + e.Message }

// StateError is a call made in the wrong state: confirmSignIn with no sign-in in
// progress, signIn while signed in, a challenge the client cannot handle. Name is the
// exception the chosen dialect's Amplify throws.
type StateError struct {
	Name    string
	Message string
}

func (e *StateError) Error() string { return e.Name + ": " + e.Message }
