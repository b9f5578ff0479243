package srp

import "errors"

// Errors a handshake can end with. They never carry secret material.
var (
	// ErrInvalidB means the server's SRP_B is ≡ 0 (mod N); the client must abort.
	ErrInvalidB = errors.New("srp: SRP_B is zero modulo N")
	// ErrInvalidA means the client's SRP_A is ≡ 0 (mod N); the server must abort.
	ErrInvalidA = errors.New("srp: SRP_A is zero modulo N")
	// ErrZeroU means H(PAD(A) ‖ PAD(B)) is zero; both sides must abort.
	ErrZeroU = errors.New("srp: scrambling parameter u is zero")
	// ErrBadSignature means the client's PASSWORD_CLAIM_SIGNATURE did not verify: a
	// wrong password, a changed secret block or timestamp, or a different user.
	ErrBadSignature = errors.New("srp: password claim signature does not verify")
	// ErrShortRandom means the random source could not supply an ephemeral secret.
	ErrShortRandom = errors.New("srp: random source failed")
)

// FormatError reports a malformed protocol field (bad hex, bad base64, bad timestamp,
// bad pool id). Field names the wire field; the value itself is never included.
type FormatError struct {
	// Field is the wire name of the malformed field, e.g. "SRP_B".
	Field string
	// Reason says what is wrong with it, e.g. "not hexadecimal".
	Reason string
}

func (e *FormatError) Error() string { return "srp: malformed " + e.Field + ": " + e.Reason }
