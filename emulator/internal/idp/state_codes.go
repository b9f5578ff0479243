package idp

import (
	"crypto/subtle"
	"strings"
	"time"
)

// Verification codes (sign-up, forgotten password, attribute verification, temporary
// passwords): 6 random digits, one outstanding per purpose, with an expiry and a
// bounded number of wrong attempts; a right code is consumed. MFA codes live in their
// challenge's session instead (signin_mfa.go).

// Code purposes.
const (
	purposeSignUp  = "SIGN_UP"
	purposeForgot  = "FORGOT_PASSWORD"
	purposeTempPw  = "TEMPORARY_PASSWORD"
	purposeAttr    = "VERIFY_ATTRIBUTE"
	codeValidity   = 24 * time.Hour
	forgotValidity = time.Hour
	codeAttempts   = 5
)

// code is an outstanding verification code.
type code struct {
	value    string
	expires  time.Time
	attempts int
}

// issueCode makes a random 6-digit code for purpose, replacing any earlier one, and
// "sends" it to the user's email or phone. It returns the delivery details. The
// caller holds p.mu.
func (s *Service) issueCode(p *Pool, u *User, purpose string, validity time.Duration) CodeDeliveryDetailsType {
	c := &code{value: s.randString(6, digits), expires: s.now().Add(validity)}
	if u.Codes == nil {
		u.Codes = map[string]*code{}
	}
	u.Codes[purpose] = c
	d := deliveryFor(p, u)
	s.send(p, u, d, purpose, c.value, "Your verification code is "+c.value)
	return d
}

// deliveryFor picks where messages to u go: email when the pool verifies email (or
// the user only has an email), else the phone.
func deliveryFor(p *Pool, u *User) CodeDeliveryDetailsType {
	email, hasEmail := u.Attrs["email"]
	phone, hasPhone := u.Attrs["phone_number"]
	preferEmail := contains(p.cfg.AutoVerifiedAttributes, "email") || !hasPhone
	switch {
	case hasEmail && (preferEmail || !hasPhone):
		return CodeDeliveryDetailsType{AttributeName: ptr("email"), DeliveryMedium: "EMAIL", Destination: ptr(maskEmail(email))}
	case hasPhone:
		return CodeDeliveryDetailsType{AttributeName: ptr("phone_number"), DeliveryMedium: "SMS", Destination: ptr(maskPhone(phone))}
	}
	return CodeDeliveryDetailsType{}
}

// send puts a message in the outbox, addressed in full.
func (s *Service) send(p *Pool, u *User, d CodeDeliveryDetailsType, purpose, codeValue, body string) {
	dest := u.Attrs[deref(d.AttributeName)]
	s.outbox.add(Message{PoolID: p.id, Username: u.Username, Medium: d.DeliveryMedium, Destination: dest, Purpose: purpose, Code: codeValue, Body: body})
}

// checkCode verifies a code for purpose: ExpiredCodeException when there is none or
// it expired, CodeMismatchException for a wrong code, and after too many wrong
// attempts LimitExceededException. A right code is consumed. The caller holds p.mu.
func (s *Service) checkCode(u *User, purpose, got string) *Error {
	c := u.Codes[purpose]
	if c == nil || s.now().After(c.expires) {
		return &Error{Type: TypeExpiredCode, Message: msgCodeExpired}
	}
	if c.attempts >= codeAttempts {
		return &Error{Type: TypeLimitExceeded, Message: msgAttemptLimit}
	}
	if subtle.ConstantTimeCompare([]byte(c.value), []byte(got)) != 1 {
		c.attempts++
		return &Error{Type: TypeCodeMismatch, Message: msgCodeMismatch}
	}
	delete(u.Codes, purpose)
	return nil
}

// maskEmail masks an address as Cognito does: first character, ***, @, first
// character of the domain, ***. (The exact pattern is UNCONFIRMED (U4).)
func maskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" || domain == "" {
		return "***"
	}
	return local[:1] + "***@" + domain[:1] + "***"
}

// maskPhone keeps the "+" and the last four digits: +*******0008.
func maskPhone(phone string) string {
	if len(phone) <= 4 {
		return strings.Repeat("*", len(phone))
	}
	prefix := ""
	if strings.HasPrefix(phone, "+") {
		prefix, phone = "+", phone[1:]
	}
	if len(phone) <= 4 {
		return prefix + phone
	}
	return prefix + strings.Repeat("*", len(phone)-4) + phone[len(phone)-4:]
}
