package idp

import (
	"crypto/subtle"
	"strings"
	"unicode"

	"github.com/authbench/authbench/srp"
)

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

// setPassword stores the SRP verifier of pw for u (the only form a password is kept
// in). The caller holds p.mu; the work is one fixed-base exponentiation.
func (s *Service) setPassword(p *Pool, u *User, pw string) {
	u.Verifier = srp.MakeVerifier(s.randBytes(srp.SaltBytes), p.realm, u.Username, pw)
}

// passwordMatches reports whether pw is u's password, by recomputing the verifier
// with the stored salt. It needs no lock if v is a snapshot of u.Verifier.
func passwordMatches(realm, username string, v srp.Verifier, pw string) bool {
	if v.V == nil {
		return false
	}
	got := srp.MakeVerifier(v.Salt, realm, username, pw)
	return subtle.ConstantTimeCompare(srp.Pad(got.V), srp.Pad(v.V)) == 1
}
