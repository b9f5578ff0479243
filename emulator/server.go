package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authbench/authbench/emulator/internal/idp"
	"github.com/authbench/authbench/emulator/internal/tokens"
)

// DefaultAddr is where `authbench emulate` listens by default.
const DefaultAddr = "127.0.0.1:9229"

// DefaultMaxBodyBytes bounds a request body.
const DefaultMaxBodyBytes = 1 << 20

// The defaults of the HTTP server's bounds (see [Options]).
const (
	DefaultMaxConns          = 1024
	DefaultReadHeaderTimeout = 10 * time.Second
	DefaultReadTimeout       = 30 * time.Second
	DefaultWriteTimeout      = 60 * time.Second
	DefaultIdleTimeout       = 2 * time.Minute
	// maxHeaderBytes bounds a request's headers (AWS SDKs send about 1 KiB).
	maxHeaderBytes = 32 << 10
)

// Options configures a [Server].
type Options struct {
	// Region is used in pool ids, ARNs and token issuers. Default "us-east-1".
	Region string
	// Logger receives one line per failed request and lifecycle events; nil discards.
	// Request bodies are never logged.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Random is the source of secrets and ids; nil means crypto/rand.Reader.
	Random io.Reader
	// NewKey makes pools' signing keys; nil generates a fresh RSA-2048 key per pool.
	// Tests may share a key across pools to save the generation time.
	NewKey func() (*tokens.Key, error)
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// SRPSkew is the PASSWORD_VERIFIER timestamp skew allowed; 0 means 5 minutes.
	SRPSkew time.Duration
	// Triggers maps the ARNs of pools' LambdaConfig to Lambda runtime URLs; its Client,
	// when set, makes the trigger calls (each within its request's context).
	Triggers Triggers
	// Limits switches on Cognito's quotas and injected latency; off when zero.
	Limits Limits
	// Resources caps the pools, app clients, users, groups, identity providers,
	// resource servers, sign-in sessions and devices the pool keeps; zero members
	// take Cognito's quotas (see [Resources]).
	Resources Resources

	// MaxConns caps the connections served at once; the next one waits in the
	// listen backlog until one closes. 0 means DefaultMaxConns.
	MaxConns int
	// ReadHeaderTimeout bounds reading a request's headers, ReadTimeout the whole
	// request with its body (a body sent a byte at a time is cut off there),
	// WriteTimeout the handling and writing of its response (keep it above injected
	// latency and trigger timeouts), IdleTimeout a kept-alive connection between
	// requests. 0 means the Default… constant of each.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// AllowOrigins names web origins ("http://localhost:3000", or "*" for any) whose
	// pages may call every operation and read the outbox; pages of other origins may
	// call only what Cognito serves to browsers without a signature (guard.go).
	AllowOrigins []string
	// AllowHosts names host names, besides the bound address and localhost,
	// 127.0.0.1 and [::1], that requests may give in their Host header (guard.go).
	AllowHosts []string

	// Who may call a pool beyond the browser operations (issue #13, guard.go).

	// AccessKeyID and SecretAccessKey are the AWS access key whose SigV4 signatures
	// the pool accepts when it requires signed requests.
	AccessKeyID, SecretAccessKey string
	// RequireSignature makes the operations Cognito signs (Admin, provisioning and
	// list operations: all but the browser ones) and the outbox require a SigV4
	// signature by AccessKeyID on loopback too. A pool bound beyond loopback requires
	// them always, and Start refuses to bind it without an access key.
	RequireSignature bool
	// PublicURL is the base URL of the tokens' issuer and the JWKS URL
	// ("http://pool.example:9229"). "" means the bound address, or, for a wildcard
	// address (0.0.0.0, [::]), the machine's first non-loopback address.
	PublicURL string
}

// ErrNoAccessKey is the error of Start for a pool that requires signed requests
// (bound beyond loopback, or Options.RequireSignature) without an access key.
var ErrNoAccessKey = errors.New("emulator: signed requests are required but no access key was given")

// Triggers says where pools' Lambda triggers run (see its SetLambda).
type Triggers = idp.TriggerOptions

// Limits are quotas and latency (see its SetQuota and SetLatency).
type Limits = idp.Limits

// Resources caps how many of each resource the pool keeps.
type Resources = idp.Resources

// DefaultSessions is how many sign-ins in flight a pool keeps by default.
const DefaultSessions = idp.DefaultSessions

// Server is an emulated Cognito endpoint. Create it with [New], then serve its
// [Server.Handler] yourself or call [Server.Start]. It is safe for concurrent use.
type Server struct {
	opts Options
	svc  *idp.Service
	ops  map[string]idp.Operation
	log  *slog.Logger

	mu       sync.Mutex
	ln       net.Listener
	http     *http.Server
	endpoint string
	// public is the issuer's base URL, publicHost its host name (which Host
	// headers may name); requireSig says whether signed requests are required.
	public, publicHost string
	requireSig         bool
	done               chan struct{}
	reqSeq             uint64
}

// New returns a server with no pools.
func New(o Options) *Server {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&o.ReadHeaderTimeout, DefaultReadHeaderTimeout}, {&o.ReadTimeout, DefaultReadTimeout}, {&o.WriteTimeout, DefaultWriteTimeout}, {&o.IdleTimeout, DefaultIdleTimeout}} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	if o.MaxConns <= 0 {
		o.MaxConns = DefaultMaxConns
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc := idp.New(idp.Options{Region: o.Region, Now: o.Now, Random: o.Random, NewKey: o.NewKey, SRPSkew: o.SRPSkew, Triggers: o.Triggers, Limits: o.Limits, Resources: o.Resources})
	return &Server{opts: o, svc: svc, ops: svc.Operations(), log: log, requireSig: o.RequireSignature}
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves until ctx ends or
// Close is called. It returns once the listener is open; Endpoint then gives the URL.
func (s *Server) Start(ctx context.Context, addr string) error {
	if addr == "" {
		addr = DefaultAddr
	}
	if s.opts.AccessKeyID == "" || s.opts.SecretAccessKey == "" {
		// Refuse before binding what is plainly beyond loopback; names are checked
		// once bound.
		host, _, _ := net.SplitHostPort(addr)
		ip := net.ParseIP(strings.Trim(host, "[]"))
		if s.opts.RequireSignature || host == "" || (ip != nil && !ip.IsLoopback()) {
			return fmt.Errorf("listen %s: %w", addr, ErrNoAccessKey)
		}
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listen %s: %w", addr, err)
	}
	endpoint := "http://" + ln.Addr().String()
	bound, _ := ln.Addr().(*net.TCPAddr)
	beyond := bound == nil || !bound.IP.IsLoopback()
	requireSig := s.opts.RequireSignature || beyond
	if requireSig && (s.opts.AccessKeyID == "" || s.opts.SecretAccessKey == "") {
		ln.Close()
		return fmt.Errorf("listen %s: %w", addr, ErrNoAccessKey)
	}
	public := strings.TrimRight(s.opts.PublicURL, "/")
	if public == "" && bound != nil && bound.IP.IsUnspecified() {
		ifAddrs, _ := net.InterfaceAddrs()
		public = "http://" + net.JoinHostPort(firstReachable(ifAddrs), strconv.Itoa(bound.Port))
	}
	if public == "" {
		public = endpoint
	} else if bound != nil && bound.IP.IsUnspecified() {
		endpoint = public // what a client can reach, not "http://[::]:9229"
	}
	publicHost := ""
	if u, err := url.Parse(public); err == nil {
		publicHost = u.Hostname()
	}
	s.svc.SetIssuerBase(public)
	if beyond {
		s.log.Warn("emulator: listening beyond loopback: Admin, provisioning and list operations and the outbox require SigV4 signatures by the access key given",
			"addr", ln.Addr().String(), "access_key_id", s.opts.AccessKeyID, "issuer_base", public)
	} else if requireSig {
		s.log.Info("emulator: Admin, provisioning and list operations and the outbox require SigV4 signatures", "access_key_id", s.opts.AccessKeyID)
	}
	hs := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.opts.ReadHeaderTimeout,
		ReadTimeout:       s.opts.ReadTimeout,
		WriteTimeout:      s.opts.WriteTimeout,
		IdleTimeout:       s.opts.IdleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	ln = newLimitListener(ln, s.opts.MaxConns)
	s.mu.Lock()
	s.ln, s.http, s.endpoint, s.done = ln, hs, endpoint, make(chan struct{})
	s.public, s.publicHost, s.requireSig = public, publicHost, requireSig
	s.mu.Unlock()
	go func() {
		defer close(s.done)
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("emulator: serve", "err", err)
		}
	}()
	go func() {
		select {
		case <-ctx.Done():
			s.Close()
		case <-s.done:
		}
	}()
	return nil
}

// Endpoint returns the base URL the server listens on ("http://127.0.0.1:port"), or
// "" before Start. For a wildcard address it is the public URL (Options.PublicURL).
func (s *Server) Endpoint() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.endpoint
}

// Close stops the server, waiting up to 5 s for requests in flight, and releases the
// idle connections of its trigger client.
func (s *Server) Close() error {
	s.mu.Lock()
	hs, done := s.http, s.done
	s.mu.Unlock()
	defer s.svc.Close()
	if hs == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := hs.Shutdown(ctx)
	<-done
	return err
}

// firstReachable picks the address a wildcard-bound pool is reached at: the first
// IPv4 address that is neither loopback nor link-local, else the first such IPv6
// one (in brackets are added by the caller's JoinHostPort), else "localhost".
func firstReachable(addrs []net.Addr) string {
	var v6 string
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok || ipn.IP.IsLoopback() || ipn.IP.IsLinkLocalUnicast() || ipn.IP.IsUnspecified() || ipn.IP.IsMulticast() {
			continue
		}
		if ip4 := ipn.IP.To4(); ip4 != nil {
			return ip4.String()
		}
		if v6 == "" {
			v6 = ipn.IP.String()
		}
	}
	if v6 != "" {
		return v6
	}
	return "localhost"
}

// limitListener accepts at most n connections at a time: Accept waits for a slot,
// and closing a connection frees its slot. What waits meanwhile waits in the
// kernel's listen backlog, costing the pool nothing.
type limitListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{}
	once  sync.Once
}

func newLimitListener(ln net.Listener, n int) *limitListener {
	return &limitListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close stops accepting; connections already accepted keep their slots until closed.
func (l *limitListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// limitConn frees its listener slot once, when closed.
type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
