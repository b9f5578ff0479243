// Package tokens issues and checks the RS256 JSON Web Tokens of an emulated user
// pool: one RSA key pair per pool, id and access tokens signed with it, the JWKS that
// publishes its public half, and verification of tokens presented back to the pool.
// It knows nothing of users or HTTP: callers pass claims in and get claims out.
package tokens

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"

	"github.com/authbench/authbench/internal/modexp"
)

// KeyBits is the size of the RSA keys, as Cognito uses.
const KeyBits = 2048

// keyPrimes is the number of primes of a generated key (multi-prime RSA, RFC 8017
// §3.2): four 512-bit primes make signing several times cheaper than two
// 1024-bit ones, and verifiers, who see only n and e, cannot tell the difference.
const keyPrimes = 4

// Errors of [Key.Verify].
var (
	ErrMalformed = errors.New("tokens: malformed token")
	ErrSignature = errors.New("tokens: bad signature")
	ErrKeyID     = errors.New("tokens: unknown key id")
)

// Key is one pool's signing key. It is safe for concurrent use.
//
// Keys made by [NewKey] have four 512-bit primes and sign through a specialised
// multi-prime CRT path (crt.go, on the engine of package modexp), which is fast but, unlike
// crypto/rsa, not constant-time: fine for an emulator's throw-away keys, not for
// keys that protect anything. Keys read by [ParseKey] with primes above 512 bits
// (ordinary two-prime keys) are signed with crypto/rsa.
type Key struct {
	id     string
	header string // base64url of the JOSE header, with the trailing '.'
	priv   *rsa.PrivateKey
	crt    *crtKey // nil: sign with crypto/rsa
}

// NewKey generates a key pair from random: a 2048-bit modulus that is the product
// of four random 512-bit primes, e = 65537. All randomness is read from random
// (crypto/rsa.GenerateKey ignores custom readers since Go 1.26). Its key id is
// derived from the public key.
func NewKey(random io.Reader) (*Key, error) {
	one := big.NewInt(1)
	for {
		primes := make([]*big.Int, 0, keyPrimes)
		n := big.NewInt(1)
		phi := big.NewInt(1)
	next:
		for len(primes) < keyPrimes {
			p, err := genPrime(random, KeyBits/keyPrimes)
			if err != nil {
				return nil, fmt.Errorf("tokens: generate key: %w", err)
			}
			for _, q := range primes {
				if q.Cmp(p) == 0 {
					continue next
				}
			}
			primes = append(primes, p)
			n.Mul(n, p)
			phi.Mul(phi, new(big.Int).Sub(p, one))
		}
		if n.BitLen() != KeyBits { // cannot happen with genPrime's top bits; be sure
			continue
		}
		d := new(big.Int).ModInverse(big.NewInt(pubE), phi)
		if d == nil {
			continue
		}
		priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: pubE}, D: d, Primes: primes}
		return newKey(priv)
	}
}

func newKey(priv *rsa.PrivateKey) (*Key, error) {
	priv.Precompute()
	if err := priv.Validate(); err != nil {
		return nil, fmt.Errorf("tokens: key: %w", err)
	}
	crt, err := newCRTKey(priv.N, priv.E, priv.D, priv.Primes, modexp.Kernels512()[0])
	if err != nil {
		return nil, err
	}
	der := x509.MarshalPKCS1PublicKey(&priv.PublicKey)
	sum := sha256.Sum256(der)
	id := base64.StdEncoding.EncodeToString(sum[:])
	header, err := json.Marshal(map[string]string{"kid": id, "alg": "RS256"})
	if err != nil {
		return nil, err
	}
	return &Key{
		id:     id,
		header: base64.RawURLEncoding.EncodeToString(header) + ".",
		priv:   priv,
		crt:    crt,
	}, nil
}

// ParseKey reads a key saved with [Key.MarshalPKCS8]. It also accepts any other
// PKCS #8 RSA key, two-prime ones included.
func ParseKey(der []byte) (*Key, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("tokens: parse key: %w", err)
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("tokens: key is %T, want RSA", k)
	}
	return newKey(priv)
}

// MarshalPKCS8 returns the private key for persistence: PKCS #8 wrapping a PKCS #1
// RSAPrivateKey, version 1 (multi-prime, with otherPrimeInfos) for generated keys.
func (k *Key) MarshalPKCS8() ([]byte, error) { return x509.MarshalPKCS8PrivateKey(k.priv) }

// ID returns the key id ("kid").
func (k *Key) ID() string { return k.id }

// Claims is a token's payload. Values must marshal to JSON; numbers for times are
// Unix seconds.
type Claims map[string]any

// Sign returns the compact serialisation of an RS256 JWT with the given claims.
func (k *Key) Sign(c Claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("tokens: claims: %w", err)
	}
	enc := base64.RawURLEncoding
	sigLen := enc.EncodedLen((k.priv.N.BitLen() + 7) / 8)
	buf := make([]byte, 0, len(k.header)+enc.EncodedLen(len(payload))+1+sigLen)
	buf = append(buf, k.header...)
	buf = enc.AppendEncode(buf, payload)
	sum := sha256.Sum256(buf)
	sig, err := k.sign(&sum)
	if err != nil {
		return "", fmt.Errorf("tokens: sign: %w", err)
	}
	buf = append(buf, '.')
	buf = enc.AppendEncode(buf, sig)
	return string(buf), nil
}

// sign returns the PKCS #1 v1.5 signature of a SHA-256 digest.
func (k *Key) sign(sum *[32]byte) ([]byte, error) {
	if k.crt != nil {
		sig, err := k.crt.signPKCS1v15(sum)
		if err == nil {
			return sig, nil
		}
		// A failed self-check means a fault (or a bug): never release that
		// signature; fall back to crypto/rsa, which checks its own.
	}
	return rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, sum[:])
}

// Verify checks a token's RS256 signature under this key and returns its claims. It
// does not look at expiry or any other claim: that is the caller's policy.
func (k *Key) Verify(token string) (Claims, error) {
	if len(token) > 16<<10 {
		return nil, ErrMalformed
	}
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s, ".") {
		return nil, ErrMalformed
	}
	enc := base64.RawURLEncoding
	hb, err := enc.DecodeString(h)
	if err != nil {
		return nil, ErrMalformed
	}
	var hdr struct {
		Kid string `json:"kid"`
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &hdr) != nil || hdr.Alg != "RS256" {
		return nil, ErrMalformed
	}
	if hdr.Kid != k.id {
		return nil, ErrKeyID
	}
	sig, err := enc.DecodeString(s)
	if err != nil {
		return nil, ErrMalformed
	}
	sum := sha256.Sum256([]byte(token[:len(h)+1+len(p)]))
	if err := rsa.VerifyPKCS1v15(&k.priv.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return nil, ErrSignature
	}
	pb, err := enc.DecodeString(p)
	if err != nil {
		return nil, ErrMalformed
	}
	var c Claims
	dec := json.NewDecoder(strings.NewReader(string(pb)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return nil, ErrMalformed
	}
	return c, nil
}

// JWK is the public half of a key as a JSON Web Key.
type JWK struct {
	Alg string `json:"alg"`
	E   string `json:"e"`
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	N   string `json:"n"`
	Use string `json:"use"`
}

// JWK returns the key's public JSON Web Key.
func (k *Key) JWK() JWK {
	pub := k.priv.PublicKey
	return JWK{
		Alg: "RS256",
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
		Kid: k.id,
		Kty: "RSA",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		Use: "sig",
	}
}

// String returns Claims[name] as a string, or "".
func (c Claims) String(name string) string {
	s, _ := c[name].(string)
	return s
}

// Int returns Claims[name] as an integer, or 0.
func (c Claims) Int(name string) int64 {
	switch v := c[name].(type) {
	case json.Number:
		n, _ := v.Int64()
		return n
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	}
	return 0
}
