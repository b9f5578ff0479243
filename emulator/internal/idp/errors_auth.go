package idp

// The errors of AWS request authentication (Signature Version 4), which the emulator
// answers before an operation runs when a pool requires signed requests. Their
// names are those of the JSON protocol's __type; the texts are quoted from Cognito
// where noted beside the code that uses them (emulator/guard.go).
const (
	// TypeMissingAuthenticationToken: the request carries no signature (the AWS
	// API reference's Common Errors: MissingAuthenticationToken, HTTP 403).
	TypeMissingAuthenticationToken = "MissingAuthenticationTokenException"
	// (TypeUnrecognizedClient, in errors.go, is the answer to an access key id the
	// service does not know.)
	// TypeInvalidSignature: the signature does not match the request, or it has
	// expired.
	TypeInvalidSignature = "InvalidSignatureException"
	// TypeIncompleteSignature: the Authorization header is not a SigV4 one (Common
	// Errors: IncompleteSignature, HTTP 400).
	TypeIncompleteSignature = "IncompleteSignatureException"
)
