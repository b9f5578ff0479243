package srp

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"math/big"
	"strings"
)

// derivedKeyInfo is the HKDF info string both AWS clients use.
const derivedKeyInfo = "Caldera Derived Key"

// KeyBytes is the length of the derived key K.
const KeyBytes = 16

// computeU returns u = H(PAD(A) ‖ PAD(B)).
func computeU(a, b *big.Int) *big.Int {
	var buf [2*ModulusBytes + 2]byte
	msg := appendPad(buf[:0], a)
	msg = appendPad(msg, b)
	sum := sha256.Sum256(msg)
	return new(big.Int).SetBytes(sum[:])
}

// computeX returns x = H(PAD(salt) ‖ H(realm ‖ userID ‖ ":" ‖ password)).
func computeX(salt *big.Int, realm, userID, password string) *big.Int {
	h := sha256.New()
	h.Write([]byte(realm))
	h.Write([]byte(userID))
	h.Write([]byte{':'})
	h.Write([]byte(password))
	var inner [sha256.Size]byte
	h.Sum(inner[:0])
	h.Reset()
	var buf [64]byte
	h.Write(appendPad(buf[:0], salt))
	h.Write(inner[:])
	var outer [sha256.Size]byte
	return new(big.Int).SetBytes(h.Sum(outer[:0]))
}

// deriveKey returns K = HKDF-SHA256(salt = PAD(u), ikm = PAD(S), info, 16 bytes).
func deriveKey(u, s *big.Int) ([]byte, error) {
	var sb [ModulusBytes + 1]byte
	return hkdf.Key(sha256.New, appendPad(sb[:0], s), Pad(u), derivedKeyInfo, KeyBytes)
}

// sign returns HMAC-SHA256(K, realm ‖ userID ‖ secretBlock ‖ timestamp).
func sign(key []byte, realm, userID string, secretBlock []byte, timestamp string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(realm))
	m.Write([]byte(userID))
	m.Write(secretBlock)
	m.Write([]byte(timestamp))
	return m.Sum(nil)
}

// decodeBase64 accepts standard padded base64 and, as the JS clients do, URL-safe or
// unpadded base64.
func decodeBase64(field, s string) ([]byte, error) {
	if s == "" {
		return nil, &FormatError{Field: field, Reason: "empty"}
	}
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	b, err := enc.Strict().DecodeString(s)
	if err != nil {
		return nil, &FormatError{Field: field, Reason: "not base64"}
	}
	return b, nil
}

// PoolName returns the part of a user pool id the SRP math uses: the text after the
// first "_" ("us-east-1_AbC123xyz" → "AbC123xyz").
func PoolName(poolID string) (string, error) {
	region, name, ok := strings.Cut(poolID, "_")
	if i := strings.IndexByte(name, '_'); i >= 0 {
		name = name[:i] // the clients take split('_')[1]
	}
	if !ok || region == "" || name == "" {
		return "", &FormatError{Field: "UserPoolId", Reason: "want <region>_<id>"}
	}
	return name, nil
}
