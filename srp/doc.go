// Package srp implements the SRP-6a variant that Amazon Cognito user pools use for
// USER_SRP_AUTH, CUSTOM_AUTH with SRP and remembered devices, on both sides of the
// handshake, plus the SECRET_HASH of app clients with a secret.
//
// The model: a [Client] is one sign-in's ephemeral state. It picks a secret a, sends
// SRP_A = g^a mod N, and answers the PASSWORD_VERIFIER challenge (SALT, SRP_B,
// SECRET_BLOCK, USER_ID_FOR_SRP) with a [Response] whose PASSWORD_CLAIM_SIGNATURE is an
// HMAC under a key derived from the shared secret S. A [Server] is the pool's half: it
// holds a [Verifier] (salt and v = g^x mod N, never the password), sends
// SRP_B = k·v + g^b mod N and checks the client's signature with [Server.Verify]. The
// device variant (remembered devices) is the same math with the device group key in
// place of the pool name, the device key in place of the user id and a random device
// password; see [NewDeviceSecret].
//
// Every byte follows the rules the AWS clients (Amplify JS v6, Amplify Flutter,
// amazon-cognito-identity-js) implement: the 3072-bit RFC 3526 group 15 prime with
// g = 2, k = H(PAD(N) ‖ PAD(g)), integers hashed in their minimal two's-complement
// encoding ([Pad]), a 16-byte HKDF-SHA256 key with info "Caldera Derived Key", and a
// timestamp laid out as "Mon Jan 2 15:04:05 UTC 2006".
//
// Randomness and time are always injected (an [io.Reader] and a [time.Time]) so that
// sign-ins are reproducible in tests. The exponentiations run on a precomputed
// fixed-base table for g and a Montgomery engine specialised for the 3072-bit modulus
// (package internal/modexp); all values are shared read-only, so every function here
// is safe for concurrent use.
// Errors never contain passwords, keys or the secret block.
package srp
