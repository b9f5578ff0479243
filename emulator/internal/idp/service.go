package idp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
	"sync"
	"time"

	"github.com/authbench/authbench/emulator/internal/tokens"
	"github.com/authbench/authbench/internal/syncrand"
)

// Options configures a [Service].
type Options struct {
	// Region is used in pool ids, ARNs and issuers. Default "us-east-1".
	Region string
	// IssuerBase is the URL tokens' iss claims start with; the pool id is appended.
	// Default "https://cognito-idp.<region>.amazonaws.com"; the HTTP face sets it to
	// its own address so that iss/.well-known/jwks.json reaches it.
	IssuerBase string
	// Now is the clock. Default time.Now.
	Now func() time.Time
	// Random is the source of every secret and id. Default crypto/rand.Reader.
	Random io.Reader
	// NewKey makes a pool's signing key. Default tokens.NewKey(Random).
	NewKey func() (*tokens.Key, error)
	// Outbox receives every message the pools send. Default: a new outbox.
	Outbox *Outbox
	// SRPSkew is how far a PASSWORD_VERIFIER TIMESTAMP may be from the clock.
	// Default 5 minutes. (How much Cognito allows is UNCONFIRMED (U3).)
	SRPSkew time.Duration
	// Lockout is the failed-password policy. Zero values take the defaults.
	Lockout LockoutPolicy
	// Triggers maps LambdaConfig ARNs to functions (trigger.go).
	Triggers TriggerOptions
	// Limits are the quotas and injected latency (quota.go); off by default.
	Limits Limits
	// Resources caps how many pools, clients, groups, sessions, … the service keeps
	// (limits.go); zero members take Cognito's quotas.
	Resources Resources
}

// LockoutPolicy is how repeated wrong passwords lock a user out.
type LockoutPolicy struct {
	// Attempts is how many consecutive failures are allowed before a lockout. Default 5.
	Attempts int
	// Base is the first lockout; each further failure doubles it. Default 1 s.
	Base time.Duration
	// Max caps the lockout. Default 15 minutes.
	Max time.Duration
}

// Service is a set of emulated user pools. It is safe for concurrent use.
type Service struct {
	opts   Options
	rnd    *syncrand.Reader
	mu     sync.RWMutex
	pools  map[string]*Pool
	outbox *Outbox
	limits limiter
	// ownClient is set when the trigger client is the Service's own (Close releases
	// its connections).
	ownClient bool
}

// New returns an empty service.
func New(o Options) *Service {
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.IssuerBase == "" {
		o.IssuerBase = "https://cognito-idp." + o.Region + ".amazonaws.com"
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	if o.SRPSkew == 0 {
		o.SRPSkew = 5 * time.Minute
	}
	if o.Lockout.Attempts == 0 {
		o.Lockout.Attempts = 5
	}
	if o.Lockout.Base == 0 {
		o.Lockout.Base = time.Second
	}
	if o.Lockout.Max == 0 {
		o.Lockout.Max = 15 * time.Minute
	}
	o.Resources = o.Resources.withDefaults()
	ownClient := o.Triggers.Client == nil
	if ownClient {
		o.Triggers.Client = newLambdaClient()
	}
	s := &Service{opts: o, rnd: syncrand.New(o.Random), ownClient: ownClient, pools: make(map[string]*Pool), outbox: o.Outbox}
	if s.outbox == nil {
		s.outbox = NewOutbox(o.Now)
		s.outbox.maxMsgs, s.outbox.maxBytes = o.Resources.OutboxMessages, o.Resources.OutboxBytes
	}
	if o.NewKey == nil {
		s.opts.NewKey = func() (*tokens.Key, error) { return tokens.NewKey(s.random()) }
	}
	return s
}

// Close releases what the Service holds outside its memory: the idle connections of
// its own trigger client (one passed in Options is left to its owner). The Service
// stays usable.
func (s *Service) Close() {
	if s.ownClient {
		s.opts.Triggers.Client.CloseIdleConnections()
	}
}

// Outbox returns the messages the pools have sent.
func (s *Service) Outbox() *Outbox { return s.outbox }

// Region returns the service's region.
func (s *Service) Region() string { return s.opts.Region }

// SetIssuerBase changes the base of token issuers (see [Options.IssuerBase]). Call it
// before any token is issued.
func (s *Service) SetIssuerBase(base string) {
	s.mu.Lock()
	s.opts.IssuerBase = base
	s.mu.Unlock()
}

func (s *Service) now() time.Time { return s.opts.Now() }

// random returns the service's random source, serialised.
func (s *Service) random() io.Reader { return s.rnd }

// randBytes returns n random bytes.
func (s *Service) randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.random(), b); err != nil {
		panic(fmt.Sprintf("idp: random source failed: %v", err)) // crypto/rand does not fail
	}
	return b
}

// randString returns n random characters from alphabet.
func (s *Service) randString(n int, alphabet string) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, err := rand.Int(s.random(), max)
		if err != nil {
			panic(fmt.Sprintf("idp: random source failed: %v", err))
		}
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}

const (
	alnum      = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	digits     = "0123456789"
)

// newUUID returns a random version-4 UUID.
func (s *Service) newUUID() string {
	b := s.randBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// newOpaque returns an opaque token of n random bytes, base64url.
func (s *Service) newOpaque(n int) string {
	return base64.RawURLEncoding.EncodeToString(s.randBytes(n))
}

// pool returns the pool with the given id or Cognito's ResourceNotFoundException.
func (s *Service) pool(id string) (*Pool, error) {
	s.mu.RLock()
	p := s.pools[id]
	s.mu.RUnlock()
	if p == nil {
		return nil, errResourceNotFound("User pool %s does not exist.", id)
	}
	return p, nil
}

// poolForClient finds the pool that owns an app client id.
func (s *Service) poolForClient(clientID string) (*Pool, *AppClient, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, p := range s.pools {
		p.mu.Lock()
		c := p.clients[clientID]
		p.mu.Unlock()
		if c != nil {
			return p, c, nil
		}
	}
	return nil, nil, errResourceNotFound("User pool client %s does not exist.", clientID)
}

// Operation is one API operation: how to make its input and how to call it.
type Operation struct {
	// NewInput returns a pointer to a zero input struct to decode the request into.
	NewInput func() any
	// Call runs the operation.
	Call func(ctx context.Context, in any) (any, error)
}

func op[I, O any](f func(context.Context, *I) (*O, error)) Operation {
	return Operation{
		NewInput: func() any { return new(I) },
		Call: func(ctx context.Context, in any) (any, error) {
			out, err := f(ctx, in.(*I))
			if err != nil {
				return nil, err
			}
			return out, nil
		},
	}
}

// Operations returns every supported operation by its wire name. Each call's input is
// first validated, then admitted by the quotas (quota.go).
func (s *Service) Operations() map[string]Operation {
	m := s.coreOperations()
	for _, more := range []map[string]Operation{s.mfaOperations(), s.deviceOperations(), s.groupOperations(),
		s.resourceServerOperations(), s.identityProviderOperations(), s.domainOperations(), s.authEventOperations(), s.attributeOperations(), s.unservedOperations()} {
		for name, o := range more {
			m[name] = o
		}
	}
	for name, o := range m {
		m[name] = s.admitted(name, o)
	}
	return m
}

// admitted wraps an operation with input validation (validate.go), then the quota
// check and injected latency: the quotas' per-user buckets are keyed by names that
// have passed their length bounds.
func (s *Service) admitted(name string, o Operation) Operation {
	call := o.Call
	o.Call = func(ctx context.Context, in any) (any, error) {
		if err := validate(in); err != nil {
			return nil, err
		}
		if e := s.admit(ctx, name, in); e != nil {
			return nil, e
		}
		return call(ctx, in)
	}
	return o
}

func (s *Service) coreOperations() map[string]Operation {
	return map[string]Operation{
		// provisioning
		"CreateUserPool":         op(s.CreateUserPool),
		"DescribeUserPool":       op(s.DescribeUserPool),
		"UpdateUserPool":         op(s.UpdateUserPool),
		"ListUserPools":          op(s.ListUserPools),
		"DeleteUserPool":         op(s.DeleteUserPool),
		"CreateUserPoolClient":   op(s.CreateUserPoolClient),
		"DescribeUserPoolClient": op(s.DescribeUserPoolClient),
		"UpdateUserPoolClient":   op(s.UpdateUserPoolClient),
		"DeleteUserPoolClient":   op(s.DeleteUserPoolClient),
		"ListUserPoolClients":    op(s.ListUserPoolClients),
		// admin users
		"AdminCreateUser":           op(s.AdminCreateUser),
		"AdminSetUserPassword":      op(s.AdminSetUserPassword),
		"AdminGetUser":              op(s.AdminGetUser),
		"AdminDeleteUser":           op(s.AdminDeleteUser),
		"AdminUpdateUserAttributes": op(s.AdminUpdateUserAttributes),
		"AdminConfirmSignUp":        op(s.AdminConfirmSignUp),
		"AdminResetUserPassword":    op(s.AdminResetUserPassword),
		"AdminDisableUser":          op(s.AdminDisableUser),
		"AdminEnableUser":           op(s.AdminEnableUser),
		"AdminUserGlobalSignOut":    op(s.AdminUserGlobalSignOut),
		"ListUsers":                 op(s.ListUsers),
		// sign-in
		"InitiateAuth":                op(s.InitiateAuth),
		"AdminInitiateAuth":           op(s.AdminInitiateAuth),
		"RespondToAuthChallenge":      op(s.RespondToAuthChallenge),
		"AdminRespondToAuthChallenge": op(s.AdminRespondToAuthChallenge),
		"GetTokensFromRefreshToken":   op(s.GetTokensFromRefreshToken),
		// self-service
		"SignUp":                 op(s.SignUp),
		"ConfirmSignUp":          op(s.ConfirmSignUp),
		"ResendConfirmationCode": op(s.ResendConfirmationCode),
		"ForgotPassword":         op(s.ForgotPassword),
		"ConfirmForgotPassword":  op(s.ConfirmForgotPassword),
		"ChangePassword":         op(s.ChangePassword),
		"GetUser":                op(s.GetUser),
		"UpdateUserAttributes":   op(s.UpdateUserAttributes),
		"DeleteUser":             op(s.DeleteUser),
		"GlobalSignOut":          op(s.GlobalSignOut),
		"RevokeToken":            op(s.RevokeToken),
	}
}
