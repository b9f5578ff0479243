package idp

import (
	"sync"
	"time"
)

// Message is one SMS or email a pool "sent".
type Message struct {
	// Seq orders messages: larger is newer.
	Seq      int64     `json:"seq"`
	Time     time.Time `json:"time"`
	PoolID   string    `json:"poolId"`
	Username string    `json:"username"`
	// Medium is "SMS" or "EMAIL".
	Medium string `json:"medium"`
	// Destination is the full phone number or address.
	Destination string `json:"destination"`
	// Purpose says why it was sent: SIGN_UP, FORGOT_PASSWORD, TEMPORARY_PASSWORD,
	// VERIFY_ATTRIBUTE, RESEND_CODE, MFA, OTP.
	Purpose string `json:"purpose"`
	// Code is the code or temporary password it carries.
	Code string `json:"code"`
	// Body is the text as a person would read it.
	Body string `json:"body"`
}

// Outbox keeps every message the pools send, bounded in size (oldest dropped first).
// It is safe for concurrent use.
type Outbox struct {
	mu   sync.Mutex
	now  func() time.Time
	seq  int64
	msgs []Message
	max  int
}

// DefaultOutboxSize is how many messages an outbox keeps.
const DefaultOutboxSize = 100000

// NewOutbox returns an empty outbox.
func NewOutbox(now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	return &Outbox{now: now, max: DefaultOutboxSize}
}

func (o *Outbox) add(m Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	m.Seq = o.seq
	m.Time = o.now()
	if len(o.msgs) >= o.max {
		n := copy(o.msgs, o.msgs[len(o.msgs)/4:])
		o.msgs = o.msgs[:n]
	}
	o.msgs = append(o.msgs, m)
}

// Filter selects messages; empty fields match anything.
type Filter struct {
	PoolID   string
	Username string
	Purpose  string
	// After keeps messages with Seq > After.
	After int64
	// Limit caps the result; 0 means no cap.
	Limit int
}

// List returns the messages matching f, newest first.
func (o *Outbox) List(f Filter) []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []Message
	for i := len(o.msgs) - 1; i >= 0; i-- {
		m := o.msgs[i]
		if m.Seq <= f.After {
			break
		}
		if (f.PoolID == "" || m.PoolID == f.PoolID) && (f.Username == "" || m.Username == f.Username) && (f.Purpose == "" || m.Purpose == f.Purpose) {
			out = append(out, m)
			if f.Limit > 0 && len(out) == f.Limit {
				break
			}
		}
	}
	return out
}
