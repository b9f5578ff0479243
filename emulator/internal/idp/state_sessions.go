package idp

import (
	"encoding/base64"
	"time"

	"github.com/authbench/authbench/srp"
)

// Sessions: a sign-in in progress between two calls. A session is bound to its app
// client, its expected challenge and the API (admin or not) that began it, expires
// after the client's AuthSessionValidity, and is used once.

// sessionBytes is the size of a session's random id.
const sessionBytes = 96

// session is one sign-in in progress: who, through which client, which challenge is
// expected next, until when. A session is used once: answering its challenge
// consumes it and any next challenge gets a new one.
type session struct {
	id        string
	user      *User // nil for a simulated challenge (unknown user, see [Service.fakeSRP])
	username  string
	clientID  string
	challenge string
	expires   time.Time
	used      bool
	admin     bool
	flow      string
	typedName string // the USERNAME the client typed in InitiateAuth
	// srp state for PASSWORD_VERIFIER, kept compactly for the session's lifetime
	// (see srpA): the server's half of the handshake and the client's SRP_A.
	srp         *srp.Server
	srpA        srpA
	secretBlock string
	// authTime is when the first factor was proven.
	authTime time.Time
	// pr is the sign-in's progress through the pipeline (see signin_pipeline.go).
	pr progress
	// state holds what a challenge family keeps between its answers (an MFA code, a
	// device's SRP state, custom challenge rounds); each family defines its own type.
	state any
}

// newSession registers a session for the challenge and returns it. The caller holds
// p.mu. Expired sessions are swept here, so memory stays bounded by the sign-ins in
// flight.
func (s *Service) newSession(p *Pool, c *AppClient, u *User, challenge string) *session {
	now := s.now()
	if len(p.sessions) >= 1024 && len(p.sessions)%256 == 0 {
		for id, ss := range p.sessions {
			if now.After(ss.expires) {
				delete(p.sessions, id)
			}
		}
	}
	raw := s.randBytes(sessionBytes)
	ss := &session{
		id:        base64.RawURLEncoding.EncodeToString(raw),
		user:      u,
		clientID:  c.id(),
		challenge: challenge,
		expires:   now.Add(c.sessionValidity()),
	}
	if u != nil {
		ss.username = u.Username
	}
	p.sessions[ss.id] = ss
	return ss
}

// takeSession finds the session for an RTAC, checks it belongs to the client, the API
// (admin or not) and the challenge and is neither expired nor used, and marks it used.
// The caller holds p.mu.
func (s *Service) takeSession(p *Pool, c *AppClient, id, challenge string, admin bool) (*session, *Error) {
	if id == "" {
		return nil, errInvalidParameter(msgMissingSession)
	}
	ss := p.sessions[id]
	if ss == nil || ss.clientID != c.id() || ss.admin != admin {
		return nil, errNotAuthorized("Invalid session for the user.")
	}
	if s.now().After(ss.expires) {
		delete(p.sessions, id)
		return nil, errNotAuthorized(msgSessionExpired)
	}
	if ss.used {
		return nil, errNotAuthorized(msgSessionUsed)
	}
	if ss.challenge != challenge {
		return nil, errInvalidParameter("Invalid challenge name: expected %s, got %s", ss.challenge, challenge)
	}
	ss.used = true
	return ss, nil
}

// sessionFromSecretBlock returns the session id a PASSWORD_VERIFIER SECRET_BLOCK was
// issued with: the block carries the session's random bytes.
func sessionFromSecretBlock(block string) string {
	raw, err := base64.StdEncoding.DecodeString(block)
	if err != nil || len(raw) < sessionBytes {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString(raw[:sessionBytes])
}
