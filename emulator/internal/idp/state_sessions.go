package idp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/authbench/authbench/srp"
)

// Sessions: a sign-in in progress between two calls. A session is bound to its app
// client, its expected challenge and the API (admin or not) that began it, expires
// after the client's AuthSessionValidity, and is used once.
//
// A pool keeps at most Resources.Sessions of them (limits.go; the emulator's own
// bound, UNCONFIRMED (U29)): their ids wait in a queue in the order they were made,
// and making one forgets, from the head of the queue, the expired ones and, past
// the cap, the oldest — O(1) amortised, with no scan of the sessions. A session
// forgotten is told apart from one never made by its id, whose last bytes are a MAC
// of the others under the pool's secret: its client is told its session expired,
// as Cognito tells one whose session outlived AuthSessionValidity, whether it was
// evicted past the cap or forgotten once expired.

// sessionBytes is the size of a session's id: random bytes, then a MAC of them.
const (
	sessionBytes  = 96
	sessionRandom = sessionBytes - 8
)

// sessionQueue holds the ids of a pool's sessions, oldest first: ids[head:] are
// waiting. It may hold ids the pool has forgotten since (they are skipped).
type sessionQueue struct {
	ids  []string
	head int
}

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
// p.mu. The pool's oldest sessions are forgotten first when they have expired, or
// when the pool has Resources.Sessions of them, so memory stays bounded by the cap.
func (s *Service) newSession(p *Pool, c *AppClient, u *User, challenge string) *session {
	now := s.now()
	s.evictSessions(p, now)
	raw := s.randBytes(sessionBytes)
	copy(raw[sessionRandom:], sessionMAC(p, raw))
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
	p.sessq.ids = append(p.sessq.ids, ss.id)
	return ss
}

// evictSessions forgets, from the head of the queue, the sessions already forgotten
// elsewhere, the expired ones and, while the pool has Resources.Sessions of them,
// the oldest, leaving room for one more. The caller holds p.mu.
func (s *Service) evictSessions(p *Pool, now time.Time) {
	q := &p.sessq
	max := s.opts.Resources.Sessions
	for q.head < len(q.ids) {
		id := q.ids[q.head]
		if ss := p.sessions[id]; ss != nil && len(p.sessions) < max && !now.After(ss.expires) {
			break
		}
		delete(p.sessions, id)
		q.ids[q.head] = ""
		q.head++
	}
	switch waiting := len(q.ids) - q.head; {
	case waiting > 2*len(p.sessions)+1024:
		// Sessions forgotten elsewhere (a deleted user's, an expired one refused)
		// wait behind a live head: keep only the live ones, in order.
		live := q.ids[:0]
		for _, id := range q.ids[q.head:] {
			if p.sessions[id] != nil {
				live = append(live, id)
			}
		}
		clear(q.ids[len(live):])
		q.ids, q.head = live, 0
	case q.head > 0 && q.head >= len(q.ids)/2:
		n := copy(q.ids, q.ids[q.head:])
		clear(q.ids[n:])
		q.ids, q.head = q.ids[:n], 0
	}
}

// sessionMAC is the MAC of a session id's random bytes under the pool's secret.
func sessionMAC(p *Pool, raw []byte) []byte {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("session\x00"))
	m.Write(raw[:sessionRandom])
	return m.Sum(nil)[:8]
}

// forgotten reports whether id, not among the pool's sessions, is the id of one it
// made (and has forgotten: expired, evicted past Resources.Sessions, or its user
// deleted).
func forgotten(p *Pool, id string) bool {
	raw, err := base64.RawURLEncoding.DecodeString(id)
	return err == nil && len(raw) == sessionBytes && hmac.Equal(raw[sessionRandom:], sessionMAC(p, raw))
}

// takeSession finds the session for an RTAC, checks it belongs to the client, the API
// (admin or not) and the challenge and is neither expired nor used, and marks it used.
// The caller holds p.mu.
func (s *Service) takeSession(p *Pool, c *AppClient, id, challenge string, admin bool) (*session, *Error) {
	if id == "" {
		return nil, errInvalidParameter(msgMissingSession)
	}
	ss := p.sessions[id]
	if ss == nil && forgotten(p, id) {
		return nil, errNotAuthorized(msgSessionExpired)
	}
	if ss == nil || ss.clientID != c.id() || ss.admin != admin {
		return nil, errNotAuthorized(msgSessionInvalid)
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
