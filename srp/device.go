package srp

import (
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
)

// DeviceSecret is what a client makes when it remembers a device: a random device
// password it keeps, and the salt and verifier it uploads with ConfirmDevice.
type DeviceSecret struct {
	// Password is the device password (40 random bytes, base64). Keep it secret.
	Password string
	// Salt is PAD of 16 random bytes read as an integer (16 or 17 bytes).
	Salt []byte
	// Verifier is PAD(v), v = g^x mod N.
	Verifier []byte
}

// NewDeviceSecret makes a device password and its verifier for the device key in its
// device group, as the clients do after a sign-in returns NewDeviceMetadata.
func NewDeviceSecret(random io.Reader, deviceGroupKey, deviceKey string) (DeviceSecret, error) {
	var pw [40]byte
	var saltRaw [16]byte
	if _, err := io.ReadFull(random, pw[:]); err != nil {
		return DeviceSecret{}, fmt.Errorf("%w: %w", ErrShortRandom, err)
	}
	if _, err := io.ReadFull(random, saltRaw[:]); err != nil {
		return DeviceSecret{}, fmt.Errorf("%w: %w", ErrShortRandom, err)
	}
	password := base64.StdEncoding.EncodeToString(pw[:])
	salt := Pad(new(big.Int).SetBytes(saltRaw[:]))
	v := makeVerifier(fastEngine(), salt, deviceGroupKey, deviceKey, password)
	return DeviceSecret{Password: password, Salt: salt, Verifier: Pad(v.V)}, nil
}

// SaltBase64 is DeviceSecretVerifierConfig.Salt for ConfirmDevice.
func (d DeviceSecret) SaltBase64() string { return base64.StdEncoding.EncodeToString(d.Salt) }

// VerifierBase64 is DeviceSecretVerifierConfig.PasswordVerifier for ConfirmDevice.
func (d DeviceSecret) VerifierBase64() string {
	return base64.StdEncoding.EncodeToString(d.Verifier)
}

// ParseDeviceVerifier reads the DeviceSecretVerifierConfig a client uploaded with
// ConfirmDevice into a [Verifier] the pool can run [NewServer] with.
func ParseDeviceVerifier(passwordVerifier, salt string) (Verifier, error) {
	v, err := decodeBase64("PasswordVerifier", passwordVerifier)
	if err != nil {
		return Verifier{}, err
	}
	s, err := decodeBase64("Salt", salt)
	if err != nil {
		return Verifier{}, err
	}
	if len(v) > ModulusBytes+1 {
		return Verifier{}, &FormatError{Field: "PasswordVerifier", Reason: "too long"}
	}
	if len(s) > 1024 {
		return Verifier{}, &FormatError{Field: "Salt", Reason: "too long"}
	}
	vi := new(big.Int).SetBytes(v)
	if vi.Sign() == 0 || vi.Cmp(group.n) >= 0 {
		return Verifier{}, &FormatError{Field: "PasswordVerifier", Reason: "out of range"}
	}
	return Verifier{Salt: s, V: vi}, nil
}
