package driver

import (
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/authbench/authbench/internal/syncrand"
	"github.com/authbench/authbench/srp"
)

// Config is a pool and app client as the driver signs in to it.
type Config struct {
	// PoolID is the user pool id ("us-east-1_AbC123xyz"). This member is required.
	PoolID string
	// ClientID is the app client id. This member is required.
	ClientID string
	// ClientSecret is the app client's secret, or "" for a public client. With a
	// secret, SECRET_HASH goes on every call that carries a username.
	ClientSecret string
	// Dialect chooses Amplify Flutter's or Amplify JS's behaviour; default Flutter.
	Dialect Dialect
	// Random is the source of SRP secrets and device passwords; nil means
	// crypto/rand.Reader.
	Random io.Reader
	// Now is the clock (SRP timestamps, the JS session expiry); nil means time.Now.
	Now func() time.Time
	// Devices keeps remembered devices; nil means a new in-memory store.
	Devices DeviceStore
	// DeviceName is sent with ConfirmDevice in the JS dialect (Flutter sends none).
	DeviceName string
	// SkipSideCalls turns off Flutter's best-effort calls after a sign-in
	// (GetUser + SetUserMFAPreference after MFA, UpdateUserAttributes after a new
	// password with extra attributes). They are on by default in the Flutter dialect,
	// as Amplify Flutter makes them.
	SkipSideCalls bool
	// Logger receives debug lines about the state machine; nil discards. Secrets are
	// never logged.
	Logger *slog.Logger
}

// Client is a pool and app client with the Cognito API to reach them. It is safe for
// concurrent use by any number of [Auth]s.
type Client struct {
	idp    IdentityProvider
	cfg    Config
	realm  string
	app    srp.AppClient
	log    *slog.Logger
	random io.Reader
}

// New returns a client calling Cognito through idp (usually [NewSDKClient]).
func New(idp IdentityProvider, cfg Config) (*Client, error) {
	var errs []error
	if idp == nil {
		errs = append(errs, errors.New("driver: nil IdentityProvider"))
	}
	if cfg.ClientID == "" {
		errs = append(errs, errors.New("driver: ClientID is required"))
	}
	realm, err := srp.PoolName(cfg.PoolID)
	if err != nil {
		errs = append(errs, errors.New("driver: PoolID must look like <region>_<id>"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Devices == nil {
		cfg.Devices = NewMemoryDevices()
	}
	c := &Client{idp: idp, cfg: cfg, realm: realm, app: srp.AppClient{ID: cfg.ClientID, Secret: cfg.ClientSecret}, log: cfg.Logger}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	c.random = cfg.Random
	if c.random == nil {
		c.random = rand.Reader
	} else {
		c.random = syncrand.New(cfg.Random)
	}
	return c, nil
}

// Config returns the client's configuration.
func (c *Client) Config() Config { return c.cfg }

// IdentityProvider returns the Cognito API the client calls.
func (c *Client) IdentityProvider() IdentityProvider { return c.idp }

// NewAuth returns a new signed-out user session.
func (c *Client) NewAuth() *Auth { return &Auth{c: c} }

// secretHash returns SECRET_HASH for username, or "" for a public client.
func (c *Client) secretHash(username string) string { return c.app.SecretHash(username) }

// Device is a remembered device: its key, group key and the device password (a
// secret).
type Device struct {
	Key, GroupKey string
	Password      string
}

// DeviceStore keeps remembered devices per pool and username. Implementations must be
// safe for concurrent use.
type DeviceStore interface {
	Get(poolID, username string) (Device, bool)
	Put(poolID, username string, d Device)
	Delete(poolID, username string)
}

// MemoryDevices is an in-memory DeviceStore.
type MemoryDevices struct {
	mu sync.Mutex
	m  map[string]Device
}

// NewMemoryDevices returns an empty store.
func NewMemoryDevices() *MemoryDevices { return &MemoryDevices{m: map[string]Device{}} }

func devKey(poolID, username string) string { return poolID + "\x00" + username }

// Get returns the device remembered for a user.
func (s *MemoryDevices) Get(poolID, username string) (Device, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.m[devKey(poolID, username)]
	return d, ok
}

// Put remembers a device for a user.
func (s *MemoryDevices) Put(poolID, username string, d Device) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[devKey(poolID, username)] = d
}

// Delete forgets a user's device.
func (s *MemoryDevices) Delete(poolID, username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, devKey(poolID, username))
}
