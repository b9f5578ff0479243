package idp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"strings"
	"unicode"

	"github.com/authbench/authbench/srp"
)

// Passwords: the pool's password policy and the stored credential (an SRP verifier
// for USER_SRP_AUTH and a salted hash for the password flows).

// passwordSymbols are the special characters Cognito's policy counts.
const passwordSymbols = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- "

// checkPassword applies the pool's password policy and returns
// InvalidPasswordException with Cognito's reason. The caller holds p.mu.
func (p *Pool) checkPassword(pw string) *Error {
	pp := p.cfg.Policies.PasswordPolicy
	if pp == nil {
		pp = defaultPasswordPolicy()
	}
	fail := func(reason string) *Error {
		return &Error{Type: TypeInvalidPassword, Message: "Password did not conform with policy: " + reason}
	}
	if strings.TrimSpace(pw) != pw {
		return &Error{Type: TypeInvalidPassword, Message: "Password did not conform with policy: Password must not have leading or trailing whitespace"}
	}
	if min := int(deref(pp.MinimumLength)); len([]rune(pw)) < min {
		return fail("Password not long enough")
	}
	var lower, upper, number, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsLower(r):
			lower = true
		case unicode.IsUpper(r):
			upper = true
		case unicode.IsDigit(r):
			number = true
		case strings.ContainsRune(passwordSymbols, r):
			symbol = true
		}
	}
	switch {
	case pp.RequireLowercase && !lower:
		return fail("Password must have lowercase characters")
	case pp.RequireUppercase && !upper:
		return fail("Password must have uppercase characters")
	case pp.RequireNumbers && !number:
		return fail("Password must have numeric characters")
	case pp.RequireSymbols && !symbol:
		return fail("Password must have symbol characters")
	}
	return nil
}

// credential is how a password is kept: its SRP verifier (for USER_SRP_AUTH) and an
// HMAC-SHA256 of it keyed with the same salt (to check USER_PASSWORD_AUTH and
// ChangePassword without an exponentiation). The password itself is never kept.
type credential struct {
	verifier srp.Verifier
	hash     []byte
}

// newCredential derives the credential of pw with a fresh salt. It needs no lock.
func (s *Service) newCredential(realm, username, pw string) credential {
	salt := s.randBytes(srp.SaltBytes)
	return credential{verifier: srp.MakeVerifier(salt, realm, username, pw), hash: passwordHash(salt, pw)}
}

func passwordHash(salt []byte, pw string) []byte {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(pw))
	return m.Sum(nil)
}

// setPassword stores the credential of pw for u. The caller holds p.mu.
func (s *Service) setPassword(p *Pool, u *User, pw string) {
	c := s.newCredential(p.realm, u.Username, pw)
	u.Verifier, u.PasswordHash = c.verifier, c.hash
}

// matches reports whether pw is the password of c. It needs no lock when c is a
// snapshot of a user's fields.
func (c credential) matches(realm, username, pw string) bool {
	switch {
	case c.hash != nil:
		return hmac.Equal(passwordHash(c.verifier.Salt, pw), c.hash)
	case c.verifier.V != nil: // a state saved before hashes were kept
		got := srp.MakeVerifier(c.verifier.Salt, realm, username, pw)
		return subtle.ConstantTimeCompare(srp.Pad(got.V), srp.Pad(c.verifier.V)) == 1
	}
	return false
}

// credentialOf snapshots u's credential. The caller holds p.mu.
func credentialOf(u *User) credential { return credential{verifier: u.Verifier, hash: u.PasswordHash} }
