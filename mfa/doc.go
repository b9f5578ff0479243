// Package mfa supplies the one-time codes a Cognito sign-in asks for: TOTP codes
// computed from a software-token secret, and SMS or email codes fetched from
// wherever the pool delivered them.
//
// TOTP follows [RFC 6238] as Cognito uses it: six digits, a 30-second step, HMAC-SHA-1,
// and the secret in the base32 form AssociateSoftwareToken returns as SecretCode.
// [TOTPCode] computes one code for a moment in time and [SetupURI] builds the
// otpauth:// URI an authenticator app scans. Cognito accepts each code only once per
// window and user, so a sign-in loop that runs the same user again and again takes its
// codes from a [TOTP], which remembers the windows it handed out (keyed by a hash of
// the secret, never the secret itself) and waits for a fresh window when needed.
//
// SMS and email codes come from a [Source], asked with a [Request] that names the
// pool, the canonical username, the medium, the purpose and the moment the triggering
// call was sent. Four sources are provided:
//
//   - [Outbox] polls the embedded pool's message outbox over HTTP, signing its
//     requests with AWS Signature Version 4 when it is given credentials (a pool
//     bound beyond loopback, or started with --require-signature, serves its outbox
//     only to its access key, and refuses other requests with a [*RefusedError],
//     which matches [ErrRefused]);
//   - [Command] runs an external program, for live pools whose messages land
//     somewhere only a team script can read;
//   - [Prompt] asks a person at a terminal;
//   - [SourceFunc] turns a function into a Source.
//
// Everything that waits takes a [context.Context] and, where time matters, an
// injectable clock and sleep function, so tests never sleep. When a source cannot
// supply a code its error is a [*NoCodeError], which matches [ErrNoCode] with
// [errors.Is] and also unwraps to the cause (a context error, an HTTP status, an
// outbox's refusal, an exit status). Codes and secrets never appear in error
// messages.
//
// [RFC 6238]: https://www.rfc-editor.org/rfc/rfc6238
package mfa
