package bench

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// User is one user of a user set. Password and TOTPSecret are secrets: they are never
// written to reports, and the User prints as its username only.
type User struct {
	// Username is the user's name in the pool. This member is required.
	Username string `json:"username"`
	// Password is the user's password.
	Password string `json:"password,omitempty"`
	// TOTPSecret is the user's TOTP secret (base32), for the totp flow.
	TOTPSecret string `json:"totpSecret,omitempty"`
	// TOTPSpent is the start of the TOTP window whose code provisioning used: a
	// bench starting within it must not use that code again.
	TOTPSpent time.Time `json:"totpSpent,omitzero"`
	// Email and Phone are the addresses MFA codes go to.
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
	// Flows lists the flows the user was provisioned for (empty: any).
	Flows []string `json:"flows,omitempty"`
}

// LogValue prints the username only.
func (u User) LogValue() slog.Value { return slog.StringValue(u.Username) }

// String prints the username only.
func (u User) String() string { return u.Username }

// ErrNoUsers is returned by NewLease for an empty user set.
var ErrNoUsers = errors.New("bench: the user set is empty")

// Lease hands out users so that each is in at most one sign-in at a time. Users are
// handed out in FIFO order (the least recently returned first), which spreads sign-ins
// over the whole set — kind to per-user quotas and to TOTP's one use per window.
//
// When every user is busy, Acquire waits (until ctx is done) rather than failing:
// in the open loop the wait is part of the sign-in's latency, measured from its
// intended start, so it is never hidden, and the engine counts each iteration that
// had to wait (see Result.UserWaits). Use a user set at least as large as the peak
// number of in-flight sign-ins to avoid measuring the set instead of the pool.
// A Lease is safe for concurrent use.
type Lease struct {
	users []User
	free  chan int
}

// NewLease returns a lease over users.
func NewLease(users []User) (*Lease, error) {
	if len(users) == 0 {
		return nil, ErrNoUsers
	}
	l := &Lease{users: users, free: make(chan int, len(users))}
	for i := range users {
		l.free <- i
	}
	return l, nil
}

// Len returns the number of users.
func (l *Lease) Len() int { return len(l.users) }

// Free returns the number of users not in a sign-in now.
func (l *Lease) Free() int { return len(l.free) }

// TryAcquire returns a free user and true, or false when every user is busy.
func (l *Lease) TryAcquire() (*Leased, bool) {
	select {
	case i := <-l.free:
		return &Leased{l: l, i: i}, true
	default:
		return nil, false
	}
}

// Acquire returns a free user, waiting until one is released or ctx is done.
func (l *Lease) Acquire(ctx context.Context) (*Leased, error) {
	select {
	case i := <-l.free:
		return &Leased{l: l, i: i}, nil
	default:
	}
	select {
	case i := <-l.free:
		return &Leased{l: l, i: i}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Leased is a user held by one sign-in until Release.
type Leased struct {
	l    *Lease
	i    int
	done bool
}

// User returns the leased user.
func (u *Leased) User() *User { return &u.l.users[u.i] }

// Index returns the user's index in the set (stable per user, e.g. for per-user state).
func (u *Leased) Index() int { return u.i }

// Release returns the user to the set; calling it again does nothing.
func (u *Leased) Release() {
	if u == nil || u.done {
		return
	}
	u.done = true
	u.l.free <- u.i
}
