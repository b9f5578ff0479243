package mfa

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// OutboxPath is where the embedded pool serves its outbox, relative to its endpoint.
const OutboxPath = "/_authbench/outbox"

// Outbox defaults.
const (
	// DefaultOutboxInterval is the time between two polls of the outbox.
	DefaultOutboxInterval = 100 * time.Millisecond
	// DefaultOutboxHTTPTimeout bounds one poll when NewOutbox is given no client.
	DefaultOutboxHTTPTimeout = 10 * time.Second
	// maxOutboxBody caps the size of one outbox answer.
	maxOutboxBody = 16 << 20
)

// OutboxOptions tunes an Outbox. The zero value gives the defaults.
type OutboxOptions struct {
	// Interval is the time between two polls. Zero means DefaultOutboxInterval.
	Interval time.Duration
	// Sleep waits for d or until ctx ends, returning ctx.Err() in that case. Nil
	// means a timer-based wait. Tests pass a function that returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Outbox is a Source that reads the embedded pool's outbox over HTTP
// (GET <endpoint>/_authbench/outbox), polling until a message for the request
// appears. It hands out each message at most once: it remembers, per pool and user,
// the highest sequence number it returned and ignores messages at or below it. It
// is safe for concurrent use.
type Outbox struct {
	endpoint string
	client   *http.Client
	opts     OutboxOptions

	mu   sync.Mutex
	seen map[poolUser]int64 // highest Seq handed out
}

type poolUser struct{ pool, user string }

// NewOutbox returns an Outbox reading the pool served at endpoint (for example
// "http://127.0.0.1:9229"). A nil client means a client of its own with a timeout of
// DefaultOutboxHTTPTimeout.
func NewOutbox(endpoint string, client *http.Client, optFns ...func(*OutboxOptions)) *Outbox {
	if client == nil {
		client = &http.Client{Timeout: DefaultOutboxHTTPTimeout}
	}
	var o OutboxOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Interval <= 0 {
		o.Interval = DefaultOutboxInterval
	}
	if o.Sleep == nil {
		o.Sleep = sleepCtx
	}
	return &Outbox{
		endpoint: strings.TrimRight(endpoint, "/"),
		client:   client,
		opts:     o,
		seen:     make(map[poolUser]int64),
	}
}

// OutboxMessage is one message as the outbox serves it.
type OutboxMessage struct {
	// Seq orders messages: larger is newer.
	Seq int64 `json:"seq"`
	// Time is when the pool sent the message.
	Time     time.Time `json:"time"`
	PoolID   string    `json:"poolId"`
	Username string    `json:"username"`
	// Medium is "SMS" or "EMAIL".
	Medium      string `json:"medium"`
	Destination string `json:"destination"`
	Purpose     string `json:"purpose"`
	Code        string `json:"code"`
	Body        string `json:"body"`
}

// outboxPage is the outbox's answer.
type outboxPage struct {
	Messages []OutboxMessage `json:"messages"`
	Now      time.Time       `json:"now"`
}

// parseOutbox decodes one outbox answer. Its errors never quote the input.
func parseOutbox(data []byte) (outboxPage, error) {
	var p outboxPage
	if err := json.Unmarshal(data, &p); err != nil {
		// Describe the problem without quoting values: they may hold codes.
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return outboxPage{}, fmt.Errorf("bad JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return outboxPage{}, fmt.Errorf("bad JSON: %s has the wrong type", typ.Field)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return outboxPage{}, errors.New("bad JSON: truncated")
		default:
			return outboxPage{}, errors.New("bad JSON: a value could not be decoded")
		}
	}
	return p, nil
}

// StatusError is the cause of a NoCodeError when the outbox answers with a status
// other than 200 OK.
type StatusError struct {
	// StatusCode is the HTTP status, for example 500.
	StatusCode int
	// Body is the start of the answer, cut short.
	Body string
}

// Error gives the status and the start of the body.
func (e *StatusError) Error() string {
	s := "outbox answered " + strconv.Itoa(e.StatusCode) + " " + http.StatusText(e.StatusCode)
	if e.Body != "" {
		s += ": " + e.Body
	}
	return s
}

// matches reports whether m answers r.
func matches(m OutboxMessage, r Request) bool {
	return m.PoolID == r.PoolID &&
		m.Username == r.Username &&
		(r.Medium == "" || strings.EqualFold(m.Medium, r.Medium)) &&
		(r.Purpose == "" || m.Purpose == r.Purpose) &&
		!m.Time.Before(r.After)
}

// Code polls the outbox until a message for r's pool and user, with r's medium and
// purpose (when set), sent at or after r.After and not handed out before, appears;
// it returns that message's code. When several match, the newest wins and the
// older ones are never handed out, since Cognito honours only the latest code. It
// gives up when ctx ends, with a *NoCodeError wrapping ctx.Err(), and at once on a
// transport error, a non-200 answer (cause *StatusError) or an undecodable answer.
func (o *Outbox) Code(ctx context.Context, r Request) (string, error) {
	if r.PoolID == "" || r.Username == "" {
		return "", newNoCode("outbox", r, "request needs a pool ID and a username", nil)
	}
	pu := poolUser{r.PoolID, r.Username}
	for {
		o.mu.Lock()
		after := o.seen[pu]
		o.mu.Unlock()

		page, err := o.fetch(ctx, r, after)
		if err != nil {
			if ctx.Err() != nil {
				return "", newNoCode("outbox", r, "gave up waiting", ctx.Err())
			}
			return "", newNoCode("outbox", r, "", err)
		}
		if code, ok := o.claim(pu, page.Messages, r); ok {
			return code, nil
		}
		if err := o.opts.Sleep(ctx, o.opts.Interval); err != nil {
			return "", newNoCode("outbox", r, "gave up waiting", err)
		}
		if err := ctx.Err(); err != nil {
			return "", newNoCode("outbox", r, "gave up waiting", err)
		}
	}
}

// claim picks the newest message in msgs that matches r and is newer than anything
// handed out for pu, records it as handed out and returns its code.
func (o *Outbox) claim(pu poolUser, msgs []OutboxMessage, r Request) (string, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	after := o.seen[pu]
	best := -1
	for i, m := range msgs {
		if m.Seq > after && matches(m, r) && (best < 0 || m.Seq > msgs[best].Seq) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	o.seen[pu] = msgs[best].Seq
	return msgs[best].Code, true
}

// fetch asks the outbox once for r's messages newer than sequence number after.
// Available reports whether endpoint serves an outbox (an authbench embedded pool,
// not some other Cognito emulator): one listing that answers 200 with JSON.
func (o *Outbox) Available(ctx context.Context) bool {
	_, err := o.fetch(ctx, Request{PoolID: "probe", Username: "probe"}, 0)
	return err == nil
}

func (o *Outbox) fetch(ctx context.Context, r Request, after int64) (outboxPage, error) {
	q := url.Values{"poolId": {r.PoolID}, "username": {r.Username}}
	if r.Purpose != "" {
		q.Set("purpose", r.Purpose)
	}
	if after > 0 {
		q.Set("after", strconv.FormatInt(after, 10))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.endpoint+OutboxPath+"?"+q.Encode(), nil)
	if err != nil {
		return outboxPage{}, fmt.Errorf("building outbox request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := o.client.Do(req)
	if err != nil {
		return outboxPage{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return outboxPage{}, &StatusError{StatusCode: resp.StatusCode, Body: truncate(strings.TrimSpace(string(b)), 200)}
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxOutboxBody+1))
	if err != nil {
		return outboxPage{}, fmt.Errorf("reading outbox answer: %w", err)
	}
	if len(data) > maxOutboxBody {
		return outboxPage{}, fmt.Errorf("outbox answer is larger than %d bytes", maxOutboxBody)
	}
	page, err := parseOutbox(data)
	if err != nil {
		return outboxPage{}, fmt.Errorf("reading outbox answer: %w", err)
	}
	return page, nil
}
