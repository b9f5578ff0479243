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

// Outbox keeps the messages the pools send, bounded in number and in bytes: past
// either bound the oldest are dropped first. It is safe for concurrent use.
type Outbox struct {
	mu  sync.Mutex
	now func() time.Time
	seq int64
	// msgs[head:] are the messages kept, oldest first; bytes is their size.
	msgs     []Message
	head     int
	bytes    int64
	maxMsgs  int
	maxBytes int64
}

// NewOutbox returns an empty outbox keeping at most DefaultOutboxMessages messages
// and DefaultOutboxBytes bytes of them.
func NewOutbox(now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	return &Outbox{now: now, maxMsgs: DefaultOutboxMessages, maxBytes: DefaultOutboxBytes}
}

// size is what a message counts against the outbox's byte bound: its strings and
// a fixed part for the rest.
func (m *Message) size() int64 {
	return int64(len(m.PoolID)+len(m.Username)+len(m.Medium)+len(m.Destination)+len(m.Purpose)+len(m.Code)+len(m.Body)) + 64
}

// add appends m, dropping the oldest messages past the bounds. Amortised O(1): the
// kept messages move to the front of the slice once half of it is dropped ones.
func (o *Outbox) add(m Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.seq++
	m.Seq = o.seq
	m.Time = o.now()
	o.msgs = append(o.msgs, m)
	o.bytes += m.size()
	for len(o.msgs)-o.head > 1 && (len(o.msgs)-o.head > o.maxMsgs || o.bytes > o.maxBytes) {
		o.bytes -= o.msgs[o.head].size()
		o.msgs[o.head] = Message{}
		o.head++
	}
	if o.head > 0 && o.head >= len(o.msgs)/2 {
		n := copy(o.msgs, o.msgs[o.head:])
		clear(o.msgs[n:])
		o.msgs, o.head = o.msgs[:n], 0
	}
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
	for i := len(o.msgs) - 1; i >= o.head; i-- {
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
