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

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
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
	// Credentials, when set, sign every request with AWS Signature Version 4
	// (service "cognito-idp", Region, the empty payload's hash), as a pool bound
	// beyond loopback or started with --require-signature asks of its outbox. Give
	// the credentials the caller signs its Admin calls with. Nil (or
	// aws.AnonymousCredentials) sends requests unsigned.
	Credentials aws.CredentialsProvider
	// Region is the region of the signature's scope: the pool's region. Empty means
	// DefaultOutboxRegion.
	Region string
	// Now is the clock of the signature's time. Nil means time.Now.
	Now func() time.Time
}

// DefaultOutboxRegion is the region a signed outbox request names when
// OutboxOptions.Region is empty: the embedded pool's default region.
const DefaultOutboxRegion = "us-east-1"

// outboxSigningName is the service a signed outbox request names in its scope.
const outboxSigningName = "cognito-idp"

// emptyPayloadHash is the hex SHA-256 of an empty body, which a GET sends.
const emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// Outbox is a Source that reads the embedded pool's outbox over HTTP
// (GET <endpoint>/_authbench/outbox), polling until a message for the request
// appears. It hands out each message at most once: it remembers, per pool and user,
// the highest sequence number it returned and ignores messages at or below it. With
// OutboxOptions.Credentials it signs its requests (SigV4), as a pool that requires
// signatures asks; a pool that refuses a request answers with a *RefusedError. It
// is safe for concurrent use.
type Outbox struct {
	endpoint string
	client   *http.Client
	opts     OutboxOptions
	creds    aws.CredentialsProvider // nil: unsigned
	signer   *v4.Signer

	mu   sync.Mutex
	seen map[poolUser]int64 // highest Seq handed out
}

type poolUser struct{ pool, user string }

// NewOutbox returns an Outbox reading the pool served at endpoint (for example
// "http://127.0.0.1:9229"). A nil client means a client of its own (with a transport
// of its own, whose idle connections CloseIdleConnections closes) and a timeout of
// DefaultOutboxHTTPTimeout.
func NewOutbox(endpoint string, client *http.Client, optFns ...func(*OutboxOptions)) *Outbox {
	if client == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		client = &http.Client{Transport: tr, Timeout: DefaultOutboxHTTPTimeout}
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
	if o.Region == "" {
		o.Region = DefaultOutboxRegion
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	ob := &Outbox{
		endpoint: strings.TrimRight(endpoint, "/"),
		client:   client,
		opts:     o,
		seen:     make(map[poolUser]int64),
	}
	switch p := o.Credentials.(type) {
	case nil, aws.AnonymousCredentials, *aws.AnonymousCredentials:
	case *aws.CredentialsCache:
		ob.creds, ob.signer = p, v4.NewSigner()
	default:
		// Retrieve once, not per poll, for providers that do not cache.
		ob.creds, ob.signer = aws.NewCredentialsCache(p), v4.NewSigner()
	}
	return ob
}

// Signed reports whether the outbox signs its requests.
func (o *Outbox) Signed() bool { return o.creds != nil }

// CloseIdleConnections closes the idle connections of the outbox's HTTP client, so
// that nothing of it stays open once the pool stops.
func (o *Outbox) CloseIdleConnections() { o.client.CloseIdleConnections() }

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

// sign adds a SigV4 signature to req when the outbox has credentials.
func (o *Outbox) sign(ctx context.Context, req *http.Request) error {
	if o.creds == nil {
		return nil
	}
	creds, err := o.creds.Retrieve(ctx)
	if err != nil {
		// The provider's error names where it looked, never a secret.
		return fmt.Errorf("credentials for signing the outbox request: %w", err)
	}
	if err := o.signer.SignHTTP(ctx, creds, req, emptyPayloadHash, outboxSigningName, o.opts.Region, o.opts.Now().UTC()); err != nil {
		return fmt.Errorf("signing the outbox request: %w", err)
	}
	return nil
}

// ErrRefused is matched (with errors.Is) by every *RefusedError.
var ErrRefused = errors.New("mfa: the pool's outbox refused the request")

// RefusedError says that the pool's outbox refused the request, rather than having no
// code yet: the pool requires requests signed by its access key (it is bound beyond
// loopback, or was started with --require-signature) and the request was unsigned,
// or signed by another key or with another secret, or the pool refused the request
// for its origin or Host. Polling again would not help. Its text says what the pool
// answered and what to give; it never holds a secret.
type RefusedError struct {
	// StatusCode is the HTTP status, 403 or 400.
	StatusCode int
	// Type is the error type the pool named, for example
	// "MissingAuthenticationTokenException" or "InvalidSignatureException".
	Type string
	// Message is the pool's message, cut short.
	Message string
	// Signed reports whether the refused request was signed.
	Signed bool
}

// Error gives the pool's answer and how to get past it.
func (e *RefusedError) Error() string {
	s := "the pool's outbox refused the request: " + e.Type
	if e.Message != "" {
		s += ": " + e.Message
	}
	switch {
	case !e.isSignature():
		// An origin or Host refusal: the pool's own message says what to do.
	case e.Signed:
		s += " (give the pool's access key: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be the key the pool was started with, its --access-key-id and --secret-access-key-file)"
	default:
		s += " (give the pool's access key: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY to the key the pool was started with, its --access-key-id and --secret-access-key-file)"
	}
	return s
}

// Is makes a RefusedError match ErrRefused.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

// isSignature reports whether the refusal is about the request's signature: the
// error types an AWS endpoint answers when a signature is missing or wrong.
func (e *RefusedError) isSignature() bool {
	switch strings.TrimSuffix(e.Type, "Exception") {
	case "MissingAuthenticationToken", "UnrecognizedClient", "InvalidSignature", "IncompleteSignature",
		"SignatureDoesNotMatch", "InvalidClientTokenId", "ExpiredToken", "AccessDenied":
		return true
	}
	return false
}

// refusal returns the *RefusedError of an outbox answer that refuses the request (a
// 400 or 403 naming a signature error, or a 403 ForbiddenException), or nil. body is
// the start of the answer.
func refusal(resp *http.Response, body []byte, signed bool) *RefusedError {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusBadRequest {
		return nil
	}
	var answer struct {
		Type    string `json:"__type"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(body, &answer) // a cut or non-JSON body leaves the header's type
	typ := answer.Type
	if typ == "" {
		typ = resp.Header.Get("X-Amzn-Errortype")
	}
	// "aws.protocoltests#Name" and "Name:http://…" both mean Name.
	if i := strings.LastIndexByte(typ, '#'); i >= 0 {
		typ = typ[i+1:]
	}
	typ, _, _ = strings.Cut(typ, ":")
	typ = strings.TrimSpace(typ)
	if answer.Message == "" {
		answer.Message = resp.Header.Get("X-Amzn-Errormessage")
	}
	e := &RefusedError{StatusCode: resp.StatusCode, Type: truncate(typ, 80), Message: truncate(strings.TrimSpace(answer.Message), 300), Signed: signed}
	if !e.isSignature() && !(resp.StatusCode == http.StatusForbidden && e.Type == "ForbiddenException") {
		return nil
	}
	return e
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
// transport error, a refusal (cause *RefusedError: the pool wants a signature by its
// access key), another non-200 answer (cause *StatusError) or an undecodable answer.
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

// Available reports whether endpoint serves an outbox (an authbench embedded pool,
// not some other Cognito emulator): one listing that answers 200 with JSON. When the
// endpoint is an outbox that refuses the request (it requires a signature by the
// pool's access key, and the request carried none or another), it reports false with
// a *RefusedError, so that the caller can say so instead of going on without codes.
// Any other failure (no server, another kind of server) is false with a nil error.
func (o *Outbox) Available(ctx context.Context) (bool, error) {
	_, err := o.fetch(ctx, Request{PoolID: "probe", Username: "probe"}, 0)
	var refused *RefusedError
	if errors.As(err, &refused) {
		return false, err
	}
	return err == nil, nil
}

// fetch asks the outbox once for r's messages newer than sequence number after.
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
	if err := o.sign(ctx, req); err != nil {
		return outboxPage{}, err
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return outboxPage{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		if refused := refusal(resp, b, o.Signed()); refused != nil {
			return outboxPage{}, refused
		}
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
