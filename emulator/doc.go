// Package emulator is a Cognito-compatible user-pool server for tests and benches on
// 127.0.0.1: the AWS SDKs, Amplify JS and amazon-cognito-identity-js sign in against
// it as against AWS. It speaks Cognito's wire protocol (AWS JSON 1.1: POST / with an
// X-Amz-Target header naming the operation; errors as HTTP 400 with __type and
// message), verifies SRP for real, issues RS256 tokens whose keys it publishes at
// /<poolId>/.well-known/jwks.json, and keeps every SMS and email it "sends" in an
// outbox readable at /_authbench/outbox.
//
// The package is the HTTP face: decoding, dispatch by target, Cognito's errors, the
// well-known documents and the outbox endpoint. The pools' state and semantics live
// in emulator/internal/idp, whose only HTTP is the calls to Lambda triggers.
package emulator
