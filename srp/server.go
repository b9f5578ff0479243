package srp

import (
	"crypto/hmac"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
)

// SaltBytes is the size of the salts [NewVerifier] makes.
const SaltBytes = 16

// Verifier is what a pool stores instead of a password: the salt and v = g^x mod N.
type Verifier struct {
	// Salt holds the salt bytes; SALT on the wire is their hex.
	Salt []byte
	// V is g^x mod N.
	V *big.Int
}

// NewVerifier draws a 16-byte salt from random and computes the verifier of password
// for userID in realm (the pool name, or a device group key).
func NewVerifier(random io.Reader, realm, userID, password string) (Verifier, error) {
	salt := make([]byte, SaltBytes)
	if _, err := io.ReadFull(random, salt); err != nil {
		return Verifier{}, fmt.Errorf("%w: %w", ErrShortRandom, err)
	}
	return MakeVerifier(salt, realm, userID, password), nil
}

// MakeVerifier computes the verifier of password for userID in realm with the given
// salt.
func MakeVerifier(salt []byte, realm, userID, password string) Verifier {
	return makeVerifier(fastEngine(), salt, realm, userID, password)
}

func makeVerifier(eng engine, salt []byte, realm, userID, password string) Verifier {
	x := computeX(new(big.Int).SetBytes(salt), realm, userID, password)
	return Verifier{Salt: append([]byte(nil), salt...), V: eng.expG(x)}
}

// SaltHex returns the SALT challenge parameter: the hex of the salt bytes.
func (v Verifier) SaltHex() string { return hex.EncodeToString(v.Salt) }

// Server is the pool's half of one handshake: the secret b and SRP_B for one
// user's verifier. Create one per challenge with [NewServer] and keep it with the
// session until the PASSWORD_VERIFIER response arrives. It is safe for concurrent use.
//
// A pool keeps one per sign-in in flight for the session's lifetime, so it holds
// only what the proof check needs, compactly: b as its bytes, SRP_B as fixed-size
// bytes, and the verifier shared with the caller's [Verifier] rather than copied.
// Everything else (SRP_B's hex, the math/big values) is made when it is used.
type Server struct {
	eng  engine
	v    *big.Int // the Verifier's V (not a copy: a Verifier is never changed), < N
	b    []byte   // the secret b, big-endian
	bigB [ModulusBytes]byte
}

// ServerOption changes how [NewServer] builds a handshake.
type ServerOption func(*serverOptions)

type serverOptions struct{ secretBytes int }

// WithServerSecretBytes sets the size of the server's random secret b in bytes
// (default [ServerSecretBytes], 256 bits). Values below 16 are raised to 16.
func WithServerSecretBytes(n int) ServerOption {
	return func(o *serverOptions) { o.secretBytes = max(n, 16) }
}

// NewServer reads the secret b from random and computes SRP_B = k·v + g^b mod N.
func NewServer(random io.Reader, v Verifier, opts ...ServerOption) (*Server, error) {
	return newServer(fastEngine(), random, v, opts...)
}

func newServer(eng engine, random io.Reader, v Verifier, opts ...ServerOption) (*Server, error) {
	o := serverOptions{secretBytes: ServerSecretBytes}
	for _, opt := range opts {
		opt(&o)
	}
	buf := make([]byte, o.secretBytes)
	if _, err := io.ReadFull(random, buf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShortRandom, err)
	}
	return newServerFromSecretBytes(eng, v, buf), nil
}

func newServerFromSecret(eng engine, v Verifier, b *big.Int) *Server {
	return newServerFromSecretBytes(eng, v, b.Bytes())
}

// newServerFromSecretBytes computes SRP_B = k·v + g^b mod N for the secret b (big
// endian) and keeps b, which it does not copy.
func newServerFromSecretBytes(eng engine, v Verifier, b []byte) *Server {
	vv := v.V
	if vv.Sign() < 0 || vv.Cmp(group.n) >= 0 {
		vv = new(big.Int).Mod(v.V, group.n)
	}
	bigB := mulMod(group.k, vv)
	bigB.Add(bigB, eng.expG(new(big.Int).SetBytes(b)))
	if bigB.Cmp(group.n) >= 0 {
		bigB.Sub(bigB, group.n)
	}
	s := &Server{eng: eng, v: vv, b: b}
	bigB.FillBytes(s.bigB[:])
	return s
}

// SRPB returns SRP_B as lowercase hex with no padding.
func (s *Server) SRPB() string { return hexString(new(big.Int).SetBytes(s.bigB[:])) }

// Proof is a client's PASSWORD_VERIFIER response with the identity it claims.
type Proof struct {
	// Realm is the pool name or device group key the challenge was issued for.
	Realm string
	// UserID is USER_ID_FOR_SRP, or the device key.
	UserID string
	// A is SRP_A from the first request (hex, any case, odd length allowed).
	A string
	// SecretBlock is PASSWORD_CLAIM_SECRET_BLOCK (base64).
	SecretBlock string
	// Timestamp is TIMESTAMP exactly as sent.
	Timestamp string
	// Signature is PASSWORD_CLAIM_SIGNATURE (base64).
	Signature string
}

// Verify checks a client's proof: it refuses A ≡ 0 (mod N), malformed fields and a
// signature that does not match (a wrong password among other things). The timestamp
// is hashed as sent; checking its skew is the caller's policy (see [ParseTimestamp]).
func (s *Server) Verify(p Proof) error {
	a, err := parseHex("SRP_A", p.A)
	if err != nil {
		return err
	}
	block, err := decodeBase64("PASSWORD_CLAIM_SECRET_BLOCK", p.SecretBlock)
	if err != nil {
		return err
	}
	got, err := decodeBase64("PASSWORD_CLAIM_SIGNATURE", p.Signature)
	if err != nil {
		return err
	}
	aModN := new(big.Int).Mod(a, group.n)
	if aModN.Sign() == 0 {
		return ErrInvalidA
	}
	u := computeU(a, new(big.Int).SetBytes(s.bigB[:]))
	if u.Sign() == 0 {
		return ErrZeroU
	}
	// S = (A · v^u)^b mod N.
	base := mulMod(aModN, s.eng.exp(s.v, u))
	sh := s.eng.exp(base, new(big.Int).SetBytes(s.b))
	key, err := deriveKey(u, sh)
	if err != nil {
		return err
	}
	want := sign(key, p.Realm, p.UserID, block, p.Timestamp)
	if !hmac.Equal(got, want) {
		return ErrBadSignature
	}
	return nil
}
