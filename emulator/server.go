package emulator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/authbench/authbench/emulator/internal/idp"
	"github.com/authbench/authbench/emulator/internal/tokens"
)

// DefaultAddr is where `authbench emulate` listens by default.
const DefaultAddr = "127.0.0.1:9229"

// DefaultMaxBodyBytes bounds a request body.
const DefaultMaxBodyBytes = 1 << 20

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
}

// Triggers says where pools' Lambda triggers run (see its SetLambda).
type Triggers = idp.TriggerOptions

// Limits are quotas and latency (see its SetQuota and SetLatency).
type Limits = idp.Limits

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
	done     chan struct{}
	reqSeq   uint64
}

// New returns a server with no pools.
func New(o Options) *Server {
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	svc := idp.New(idp.Options{Region: o.Region, Now: o.Now, Random: o.Random, NewKey: o.NewKey, SRPSkew: o.SRPSkew, Triggers: o.Triggers, Limits: o.Limits})
	return &Server{opts: o, svc: svc, ops: svc.Operations(), log: log}
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves until ctx ends or
// Close is called. It returns once the listener is open; Endpoint then gives the URL.
func (s *Server) Start(ctx context.Context, addr string) error {
	if addr == "" {
		addr = DefaultAddr
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listen %s: %w", addr, err)
	}
	endpoint := "http://" + ln.Addr().String()
	s.svc.SetIssuerBase(endpoint)
	hs := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	s.mu.Lock()
	s.ln, s.http, s.endpoint, s.done = ln, hs, endpoint, make(chan struct{})
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
// "" before Start.
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
