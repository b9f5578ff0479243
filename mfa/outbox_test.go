package mfa_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbench/authbench/mfa"
)

// fakePool serves an outbox the way the embedded pool does: filtered by poolId,
// username, purpose and after, newest first.
type fakePool struct {
	mu    sync.Mutex
	seq   int64
	msgs  []mfa.OutboxMessage         // oldest first
	later map[int][]mfa.OutboxMessage // sent just before poll n (1-based) is answered
	polls int

	status        int    // if not 0 or 200, answer with it
	raw           string // if set, answer with this body
	ignoreFilters bool   // answer with every message, as a careless server might
}

func (p *fakePool) send(ms ...mfa.OutboxMessage) {
	for _, m := range ms {
		p.seq++
		m.Seq = p.seq
		p.msgs = append(p.msgs, m)
	}
}

func (p *fakePool) Polls() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.polls
}

func (p *fakePool) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.URL.Path != mfa.OutboxPath || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	p.polls++
	p.send(p.later[p.polls]...)
	if p.status != 0 && p.status != http.StatusOK {
		http.Error(w, `{"message":"outbox is on fire"}`, p.status)
		return
	}
	if p.raw != "" {
		w.Write([]byte(p.raw))
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	out := []mfa.OutboxMessage{}
	for i := len(p.msgs) - 1; i >= 0; i-- {
		m := p.msgs[i]
		if p.ignoreFilters || (m.Seq > after &&
			(q.Get("poolId") == "" || m.PoolID == q.Get("poolId")) &&
			(q.Get("username") == "" || m.Username == q.Get("username")) &&
			(q.Get("purpose") == "" || m.Purpose == q.Get("purpose"))) {
			out = append(out, m)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": out, "now": time.Now().UTC()})
}

var t0 = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

// msg builds a message from pool "pool_1"; at is seconds relative to t0.
func msg(user, medium, purpose, code string, at float64) mfa.OutboxMessage {
	return mfa.OutboxMessage{
		Time: t0.Add(time.Duration(at * float64(time.Second))), PoolID: "pool_1", Username: user,
		Medium: medium, Destination: "+*******0000", Purpose: purpose, Code: code,
		Body: "Your code is " + code,
	}
}

// req asks pool "pool_1" for a code sent at or after t0.
func req(user, medium, purpose string) mfa.Request {
	return mfa.Request{PoolID: "pool_1", Username: user, Medium: medium, Purpose: purpose, After: t0}
}

func TestOutboxCode(t *testing.T) {
	t.Parallel()
	type call struct {
		r       mfa.Request
		want    string // code; empty when an error is expected
		wantErr error  // matched with errors.Is besides ErrNoCode
	}
	tests := []struct {
		name          string
		initial       []mfa.OutboxMessage
		later         map[int][]mfa.OutboxMessage
		ignoreFilters bool
		calls         []call
		wantPolls     int
	}{
		{
			name:      "code already there",
			initial:   []mfa.OutboxMessage{msg("alice", "SMS", "MFA", "111111", 1)},
			calls:     []call{{r: req("alice", "SMS", "MFA"), want: "111111"}},
			wantPolls: 1,
		},
		{
			name:      "waits for a new message",
			later:     map[int][]mfa.OutboxMessage{3: {msg("alice", "SMS", "MFA", "222222", 2)}},
			calls:     []call{{r: req("alice", "SMS", "MFA"), want: "222222"}},
			wantPolls: 3,
		},
		{
			name:    "ignores messages sent before After",
			initial: []mfa.OutboxMessage{msg("alice", "SMS", "MFA", "000000", -0.001)},
			later:   map[int][]mfa.OutboxMessage{2: {msg("alice", "SMS", "MFA", "333333", 0)}},
			// A message sent exactly at After counts.
			calls:     []call{{r: req("alice", "SMS", "MFA"), want: "333333"}},
			wantPolls: 2,
		},
		{
			name:    "never hands a message out twice",
			initial: []mfa.OutboxMessage{msg("alice", "EMAIL", "MFA", "444444", 1)},
			later:   map[int][]mfa.OutboxMessage{3: {msg("alice", "EMAIL", "MFA", "555555", 2)}},
			calls: []call{
				{r: req("alice", "EMAIL", "MFA"), want: "444444"},
				{r: req("alice", "EMAIL", "MFA"), want: "555555"},
			},
			wantPolls: 3,
		},
		{
			name: "newest of several wins, older ones are skipped",
			initial: []mfa.OutboxMessage{
				msg("alice", "SMS", "MFA", "666661", 1),
				msg("alice", "SMS", "MFA", "666662", 2),
			},
			later: map[int][]mfa.OutboxMessage{3: {msg("alice", "SMS", "MFA", "666663", 3)}},
			calls: []call{
				{r: req("alice", "SMS", "MFA"), want: "666662"},
				{r: req("alice", "SMS", "MFA"), want: "666663"},
			},
			wantPolls: 3,
		},
		{
			name: "filters by medium",
			initial: []mfa.OutboxMessage{
				msg("alice", "EMAIL", "MFA", "777771", 1),
				msg("alice", "SMS", "MFA", "777772", 2),
			},
			calls:     []call{{r: req("alice", "email", "MFA"), want: "777771"}},
			wantPolls: 1,
		},
		{
			name: "filters by purpose, user and pool even if the server does not",
			initial: []mfa.OutboxMessage{
				msg("alice", "EMAIL", "SIGN_UP", "888881", 1),
				msg("alice", "EMAIL", "FORGOT_PASSWORD", "888882", 2),
				msg("bob", "EMAIL", "SIGN_UP", "888883", 3),
				func() mfa.OutboxMessage {
					m := msg("alice", "EMAIL", "SIGN_UP", "888884", 4)
					m.PoolID = "pool_2"
					return m
				}(),
			},
			ignoreFilters: true,
			calls:         []call{{r: req("alice", "", "SIGN_UP"), want: "888881"}},
			wantPolls:     1,
		},
		{
			name:      "empty purpose takes any purpose",
			initial:   []mfa.OutboxMessage{msg("alice", "EMAIL", "FORGOT_PASSWORD", "999999", 1)},
			calls:     []call{{r: req("alice", "", ""), want: "999999"}},
			wantPolls: 1,
		},
		{
			name:    "gives up when ctx ends",
			initial: []mfa.OutboxMessage{msg("bob", "SMS", "MFA", "121212", 1)},
			calls:   []call{{r: req("alice", "SMS", "MFA"), wantErr: context.Canceled}},
			// The fake sleep cancels after 5 sleeps.
			wantPolls: 5,
		},
		{
			name:      "a request without a pool is refused",
			calls:     []call{{r: mfa.Request{Username: "alice"}, wantErr: mfa.ErrNoCode}},
			wantPolls: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pool := &fakePool{later: tt.later, ignoreFilters: tt.ignoreFilters}
			pool.send(tt.initial...)
			srv := httptest.NewServer(pool)
			defer srv.Close()

			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			sleeps := 0
			ob := mfa.NewOutbox(srv.URL+"/", srv.Client(), func(o *mfa.OutboxOptions) {
				o.Interval = 250 * time.Millisecond
				o.Sleep = func(ctx context.Context, d time.Duration) error {
					if d != 250*time.Millisecond {
						t.Errorf("slept %v, want the interval", d)
					}
					if sleeps++; sleeps == 5 {
						cancel()
					}
					return ctx.Err()
				}
			})
			for i, c := range tt.calls {
				got, err := ob.Code(ctx, c.r)
				if c.wantErr != nil {
					if !errors.Is(err, mfa.ErrNoCode) || !errors.Is(err, c.wantErr) {
						t.Fatalf("call %d: err = %v, want ErrNoCode and %v", i, err, c.wantErr)
					}
					var nce *mfa.NoCodeError
					if !errors.As(err, &nce) || nce.Username != c.r.Username || nce.Purpose != c.r.Purpose {
						t.Fatalf("call %d: error %#v does not name the request", i, err)
					}
					continue
				}
				if err != nil {
					t.Fatalf("call %d: %v", i, err)
				}
				if got != c.want {
					t.Errorf("call %d: got %s, want %s", i, got, c.want)
				}
			}
			if got := pool.Polls(); got != tt.wantPolls {
				t.Errorf("polled %d times, want %d", got, tt.wantPolls)
			}
		})
	}
}

func TestOutboxErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		pool   *fakePool
		check  func(error) bool
		secret string // must not appear in the error
	}{
		{
			name:  "500",
			pool:  &fakePool{status: http.StatusInternalServerError},
			check: func(err error) bool { var se *mfa.StatusError; return errors.As(err, &se) && se.StatusCode == 500 },
		},
		{
			name:  "404 from a server that is not an emulator",
			pool:  &fakePool{status: http.StatusNotFound},
			check: func(err error) bool { var se *mfa.StatusError; return errors.As(err, &se) && se.StatusCode == 404 },
		},
		{
			name:   "bad JSON",
			pool:   &fakePool{raw: `{"messages":[{"seq":1,"code":"424242",`},
			check:  func(err error) bool { return strings.Contains(err.Error(), "bad JSON") },
			secret: "424242",
		},
		{
			name:   "wrong types",
			pool:   &fakePool{raw: `{"messages":[{"seq":"424242"}]}`},
			check:  func(err error) bool { return strings.Contains(err.Error(), "bad JSON") },
			secret: "424242",
		},
		{
			name:   "bad time",
			pool:   &fakePool{raw: `{"messages":[{"seq":1,"time":"424242"}]}`},
			check:  func(err error) bool { return strings.Contains(err.Error(), "bad JSON") },
			secret: "424242",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tt.pool)
			defer srv.Close()
			ob := mfa.NewOutbox(srv.URL, nil, func(o *mfa.OutboxOptions) {
				o.Sleep = func(ctx context.Context, d time.Duration) error {
					t.Error("an error answer must not be retried")
					return errors.New("stop")
				}
			})
			_, err := ob.Code(t.Context(), req("alice", "SMS", "MFA"))
			if !errors.Is(err, mfa.ErrNoCode) || !tt.check(err) {
				t.Fatalf("err = %v", err)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Fatalf("error %q quotes the answer", err)
			}
			if !strings.Contains(err.Error(), `"alice"`) {
				t.Fatalf("error %q does not name the user", err)
			}
		})
	}
}

func TestOutboxConcurrentCallsGetDistinctMessages(t *testing.T) {
	t.Parallel()
	pool := &fakePool{}
	srv := httptest.NewServer(pool)
	defer srv.Close()
	var mu sync.Mutex
	next := 0
	ob := mfa.NewOutbox(srv.URL, srv.Client(), func(o *mfa.OutboxOptions) {
		// Each sleep sends one more message, so every waiter is eventually served.
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			next++
			m := msg("alice", "SMS", "MFA", "c"+strconv.Itoa(100000+next), float64(next))
			mu.Unlock()
			pool.mu.Lock()
			pool.send(m)
			pool.mu.Unlock()
			return ctx.Err()
		}
	})
	const n = 6
	got := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, err := ob.Code(t.Context(), req("alice", "SMS", "MFA"))
			if err != nil {
				t.Error(err)
				return
			}
			got <- c
		})
	}
	wg.Wait()
	close(got)
	seen := map[string]bool{}
	for c := range got {
		if seen[c] {
			t.Errorf("code %s handed out twice", c)
		}
		seen[c] = true
	}
}

func TestOutboxDefaultSleepHonoursDeadline(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&fakePool{})
	defer srv.Close()
	// A deadline already passed: the real sleep must not wait an interval.
	ctx, cancel := context.WithDeadline(t.Context(), time.Now().Add(-time.Second))
	defer cancel()
	_, err := mfa.NewOutbox(srv.URL, nil).Code(ctx, req("alice", "SMS", "MFA"))
	if !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, mfa.ErrNoCode) {
		t.Fatalf("err = %v, want ErrNoCode and DeadlineExceeded", err)
	}
	for _, s := range []string{`"alice"`, "MFA", "SMS"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not mention %s", err, s)
		}
	}
}

func TestOutboxAvailable(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"messages":[],"now":"2026-01-01T00:00:00Z"}`))
	}))
	defer ok.Close()
	other := httptest.NewServer(http.NotFoundHandler())
	defer other.Close()
	if got, err := mfa.NewOutbox(ok.URL, nil).Available(context.Background()); !got || err != nil {
		t.Errorf("an outbox was not seen: %v, %v", got, err)
	}
	if got, err := mfa.NewOutbox(other.URL, nil).Available(context.Background()); got || err != nil {
		t.Errorf("a server without an outbox was taken for one: %v, %v", got, err)
	}
}

// TestOutboxRefused: an outbox answering as a pool that requires signatures does (a
// 403 MissingAuthenticationTokenException, a 400 UnrecognizedClientException or
// InvalidSignatureException, a 403 ForbiddenException) is a *RefusedError at the
// first poll, never polled again, and Available reports it; other 400 and 403
// answers stay *StatusError.
func TestOutboxRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		header   string // x-amzn-ErrorType
		body     string
		wantType string // "" means not a refusal
		wantHint bool
	}{
		{"missing token", 403, "MissingAuthenticationTokenException", `{"__type":"MissingAuthenticationTokenException","message":"Missing Authentication Token"}`, "MissingAuthenticationTokenException", true},
		{"unknown key", 400, "UnrecognizedClientException:http://internal.amazon.com/coral/com.amazon.coral.service/", `{"__type":"com.amazon.coral.service#UnrecognizedClientException","message":"The security token included in the request is invalid."}`, "UnrecognizedClientException", true},
		{"wrong secret, header only", 400, "InvalidSignatureException", `not json`, "InvalidSignatureException", true},
		{"origin", 403, "ForbiddenException", `{"__type":"ForbiddenException","message":"The outbox is not served to web pages"}`, "ForbiddenException", false},
		{"other 400", 400, "InvalidParameterException", `{"__type":"InvalidParameterException","message":"bad"}`, "", false},
		{"plain 403", 403, "", `forbidden`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var polls atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				polls.Add(1)
				if tt.header != "" {
					w.Header().Set("x-amzn-ErrorType", tt.header)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			ob := mfa.NewOutbox(srv.URL, srv.Client(), func(o *mfa.OutboxOptions) {
				o.Sleep = func(context.Context, time.Duration) error {
					t.Error("a refused read must not be polled again")
					return errors.New("stop")
				}
			})
			_, err := ob.Code(t.Context(), req("alice", "SMS", "MFA"))
			if n := polls.Load(); n != 1 {
				t.Errorf("%d polls, want 1", n)
			}
			var refused *mfa.RefusedError
			if tt.wantType == "" {
				var se *mfa.StatusError
				if errors.As(err, &refused) || !errors.As(err, &se) || se.StatusCode != tt.status {
					t.Fatalf("err = %v, want a *StatusError %d", err, tt.status)
				}
				if ok, aerr := ob.Available(t.Context()); ok || aerr != nil {
					t.Errorf("Available = %v, %v; want false, nil", ok, aerr)
				}
				return
			}
			if !errors.As(err, &refused) || !errors.Is(err, mfa.ErrRefused) || !errors.Is(err, mfa.ErrNoCode) {
				t.Fatalf("err = %v, want a *RefusedError in a *NoCodeError", err)
			}
			if refused.Type != tt.wantType || refused.StatusCode != tt.status || refused.Signed {
				t.Errorf("refusal = %+v, want type %s, status %d, unsigned", refused, tt.wantType, tt.status)
			}
			if !strings.Contains(err.Error(), "the pool's outbox refused the request: "+tt.wantType) {
				t.Errorf("error %q does not say the outbox refused the request", err)
			}
			if hint := strings.Contains(err.Error(), "give the pool's access key"); hint != tt.wantHint {
				t.Errorf("error %q: hint to give the access key = %v, want %v", err, hint, tt.wantHint)
			}
			ok, aerr := ob.Available(t.Context())
			if ok || !errors.As(aerr, &refused) {
				t.Errorf("Available = %v, %v; want false and the refusal", ok, aerr)
			}
		})
	}
}
