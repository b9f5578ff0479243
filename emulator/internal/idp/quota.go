package idp

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Quotas and injected latency: Cognito's request-rate categories and per-user limits,
// answered with TooManyRequestsException "Rate exceeded" when exceeded, and an
// optional delay per operation so a bench can rehearse a slow region. Both are off
// by default, and then admit costs two atomic loads.
//
// Each limit is a token bucket holding at most one second of its rate and refilled
// continuously from the service clock ([Options.Now]): at quota N, N calls within one
// second pass and the next fails until the clock moves. Limits apply at two levels:
// the service's ([Options.Limits], standing for the AWS account, summed over every
// pool as Cognito does) and a pool's own (the fixture's quotas). A call must pass both.
//
// RespondToAuthChallenge and AdminRespondToAuthChallenge first draw on their own
// allowance, three times the UserAuthentication quota; beyond it they count against
// UserAuthentication (spec §7).
//
// The per-user limit counts the calls naming a user (by Username, USERNAME, or the
// AccessToken's subject) separately for read calls (sign-in, refresh, Get/List user
// and devices) and write calls (updates, MFA and device changes, account recovery).

// Limits configures quotas and injected latency.
type Limits struct {
	// Quotas are requests per second by category (UserAuthentication, UserRead, …;
	// RespondToAuthChallenge overrides RTAC's own allowance). Absent or 0: no limit.
	Quotas map[string]float64
	// PerUser is the calls per user per second allowed, for reads and for writes
	// separately. 0: no limit.
	PerUser int
	// Latency is the delay injected before answering, by operation name, category
	// name or "*" (in that order of precedence).
	Latency map[string]Latency
	// Sleep waits for d or until ctx ends. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// PoolQuotas are a pool's own limits, from its fixture.
type PoolQuotas struct {
	// Categories are requests per second by category, as [Limits.Quotas].
	Categories map[string]float64 `json:"categories,omitempty" yaml:"categories"`
	// PerUser is as [Limits.PerUser], for this pool's users.
	PerUser int `json:"perUser,omitempty" yaml:"perUser"`
}

func (q *PoolQuotas) validate() error {
	for c, v := range q.Categories {
		if !knownCategory(c) {
			return errUnknownCategory(c)
		}
		if v < 0 {
			return errNegative(c)
		}
	}
	if q.PerUser < 0 {
		return errNegative("perUser")
	}
	return nil
}

func (l *Limits) active() bool {
	for _, v := range l.Quotas {
		if v > 0 {
			return true
		}
	}
	return l.PerUser > 0 || len(l.Latency) > 0
}

// limiter is the quota and latency state of a service.
type limiter struct {
	once sync.Once
	on   atomic.Bool // the service's limits or latency are set
	// poolQuotas is set once any pool of the service has quotas of its own (from a
	// fixture or a snapshot); until then admit skips looking for them.
	poolQuotas atomic.Bool

	mu     sync.Mutex
	global map[string]*bucket // by category
	pools  map[string]map[string]*bucket
	users  map[string]*bucket // by pool, user and class
}

// bucket is a token bucket holding up to one second of rate.
type bucket struct {
	rate   float64
	tokens float64
	last   time.Time
}

func newBucket(rate float64, now time.Time) *bucket {
	return &bucket{rate: rate, tokens: max(rate, 1), last: now}
}

func (b *bucket) refill(now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = min(max(b.rate, 1), b.tokens+d.Seconds()*b.rate)
		b.last = now
	}
}

func (b *bucket) has(now time.Time) bool { b.refill(now); return b.tokens >= 1 }

// admit applies the quotas and the injected latency to one call of op.
func (s *Service) admit(ctx context.Context, op string, in any) *Error {
	l := &s.limits
	l.once.Do(func() { l.on.Store(s.opts.Limits.active()) })
	if !l.on.Load() && !s.limits.poolQuotas.Load() {
		return nil
	}
	return s.admitSlow(ctx, op, in)
}

func (s *Service) admitSlow(ctx context.Context, op string, in any) *Error {
	cat := category(op, in)
	rejected := s.throttle(op, cat, in)
	if d := s.delay(op, cat); d > 0 {
		sleep := s.opts.Limits.Sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if err := sleep(ctx, d); err != nil {
			return &Error{Type: TypeInternalError, Message: "Request cancelled.", Fault: true}
		}
	}
	return rejected
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// throttle takes a token from every bucket the call draws on, or returns
// TooManyRequestsException without taking any.
func (s *Service) throttle(op, cat string, in any) *Error {
	lim := &s.opts.Limits
	var pq *PoolQuotas
	var poolID, userKey string
	perUser := lim.PerUser
	class := perUserClass(cat)
	if s.limits.poolQuotas.Load() || (perUser > 0 && class != "") {
		p, name, sub := s.callTarget(in)
		if p != nil {
			p.mu.Lock()
			poolID, pq = p.id, p.ext.Quotas
			if pq != nil && pq.PerUser > 0 && (perUser == 0 || pq.PerUser < perUser) {
				perUser = pq.PerUser
			}
			if class != "" && perUser > 0 {
				switch {
				case sub != "":
					userKey = sub
				case name != "":
					if u := p.lookup(name); u != nil {
						userKey = u.Sub
					} else {
						userKey = "?" + p.norm(name)
					}
				}
			}
			p.mu.Unlock()
		}
	}
	now := s.now()
	l := &s.limits
	l.mu.Lock()
	defer l.mu.Unlock()
	var take []*bucket
	scope := func(m *map[string]*bucket, quotas map[string]float64) bool {
		b := l.categoryBucket(m, quotas, cat, now)
		if cat == catAuth && (op == "RespondToAuthChallenge" || op == "AdminRespondToAuthChallenge") {
			if rb := l.rtacBucket(m, quotas, now); rb != nil && rb.has(now) {
				b = rb
			}
		}
		if b == nil {
			return true
		}
		if !b.has(now) {
			return false
		}
		take = append(take, b)
		return true
	}
	if !scope(&l.global, lim.Quotas) {
		return tooManyRequests()
	}
	if pq != nil {
		if l.pools == nil {
			l.pools = map[string]map[string]*bucket{}
		}
		m := l.pools[poolID]
		ok := scope(&m, pq.Categories)
		l.pools[poolID] = m
		if !ok {
			return tooManyRequests()
		}
	}
	if userKey != "" {
		if l.users == nil {
			l.users = map[string]*bucket{}
		}
		k := poolID + "\x00" + class + "\x00" + userKey
		b := l.users[k]
		if b == nil || b.rate != float64(perUser) {
			if len(l.users) >= 1<<16 {
				l.sweepUsers(now)
			}
			b = newBucket(float64(perUser), now)
			l.users[k] = b
		}
		if !b.has(now) {
			return tooManyRequests()
		}
		take = append(take, b)
	}
	for _, b := range take {
		b.tokens--
	}
	return nil
}

func tooManyRequests() *Error { return &Error{Type: TypeTooManyRequests, Message: msgTooManyRequests} }

// categoryBucket returns the bucket of a category in a scope, or nil when the scope
// does not limit it. The caller holds l.mu.
func (l *limiter) categoryBucket(m *map[string]*bucket, quotas map[string]float64, cat string, now time.Time) *bucket {
	rate := quotas[cat]
	if rate <= 0 {
		return nil
	}
	if *m == nil {
		*m = map[string]*bucket{}
	}
	b := (*m)[cat]
	if b == nil || b.rate != rate {
		b = newBucket(rate, now)
		(*m)[cat] = b
	}
	return b
}

// rtacBucket returns RTAC's own allowance in a scope: RespondToAuthChallenge's quota
// if set, else three times UserAuthentication's; nil when neither is set.
func (l *limiter) rtacBucket(m *map[string]*bucket, quotas map[string]float64, now time.Time) *bucket {
	q := quotas
	if quotas[catRTACAllowance] <= 0 {
		if quotas[catAuth] <= 0 {
			return nil
		}
		q = map[string]float64{catRTACAllowance: rtacAllowanceMultiple * quotas[catAuth]}
	}
	return l.categoryBucket(m, q, catRTACAllowance, now)
}

// sweepUsers forgets users whose buckets are full again. The caller holds l.mu.
func (l *limiter) sweepUsers(now time.Time) {
	for k, b := range l.users {
		b.refill(now)
		if b.tokens >= max(b.rate, 1) {
			delete(l.users, k)
		}
	}
}

// callTarget finds the pool and user a call names: UserPoolId, ClientId or the
// AccessToken's issuer for the pool; Username, USERNAME in AuthParameters or
// ChallengeResponses, or the AccessToken's subject for the user. Nothing here is
// verified: it only picks the buckets.
func (s *Service) callTarget(in any) (p *Pool, name, sub string) {
	v := reflect.ValueOf(in)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, "", ""
	}
	str := func(field string) string {
		f := v.FieldByName(field)
		if f.IsValid() && f.Kind() == reflect.String {
			return f.String()
		}
		return ""
	}
	param := func(field string) string {
		f := v.FieldByName(field)
		if f.IsValid() && f.Kind() == reflect.Map && f.Type().Key().Kind() == reflect.String && f.Type().Elem().Kind() == reflect.String && !f.IsNil() {
			if x := f.MapIndex(reflect.ValueOf("USERNAME")); x.IsValid() {
				return x.String()
			}
		}
		return ""
	}
	name = str("Username")
	if name == "" {
		name = param("AuthParameters")
	}
	if name == "" {
		name = param("ChallengeResponses")
	}
	poolID := str("UserPoolId")
	if tok := str("AccessToken"); tok != "" {
		iss, subject := peekIssuerSubject(tok)
		if poolID == "" {
			poolID = iss
		}
		sub = subject
	}
	if poolID != "" {
		p, _ = s.pool(poolID)
		return p, name, sub
	}
	if cid := str("ClientId"); cid != "" {
		p, _, _ = s.poolForClient(cid)
	}
	return p, name, sub
}

// peekIssuerSubject reads a JWT's pool (from iss) and sub without verifying it.
func peekIssuerSubject(tok string) (poolID, sub string) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return "", ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", ""
	}
	var c struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
	}
	if json.Unmarshal(b, &c) != nil {
		return "", ""
	}
	return c.Iss[strings.LastIndexByte(c.Iss, '/')+1:], c.Sub
}
