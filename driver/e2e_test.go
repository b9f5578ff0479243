package driver_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/emulatortest"
)

// pool is an embedded pool reached over HTTP through the real SDK client (see
// package emulatortest), with one app client.
type pool struct {
	*emulatortest.Env
	id       string
	clientID string
	secret   string
}

type poolOpts struct {
	create func(*cip.CreateUserPoolInput)
	client func(*cip.CreateUserPoolClientInput)
}

func newPool(t testing.TB, o poolOpts) *pool {
	t.Helper()
	p := &pool{Env: emulatortest.Start(t)}
	p.id, p.clientID, p.secret = p.Pool(t, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) {
			in.PoolName = aws.String("driver")
			if o.create != nil {
				o.create(in)
			}
		},
		Client: driverClient(o.client),
	})
	return p
}

// addClient creates another app client of the pool and returns its id and secret.
func (p *pool) addClient(t testing.TB, edit func(*cip.CreateUserPoolClientInput)) (id, secret string) {
	t.Helper()
	return p.AddClient(t, p.id, driverClient(edit))
}

// driverClient is the app client the driver's tests use (the flows the driver
// starts), as edit changes it.
func driverClient(edit func(*cip.CreateUserPoolClientInput)) func(*cip.CreateUserPoolClientInput) {
	return func(in *cip.CreateUserPoolClientInput) {
		in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
		if edit != nil {
			edit(in)
		}
	}
}

func (p *pool) client(t testing.TB, d driver.Dialect) *driver.Client {
	t.Helper()
	return p.clientWith(t, d, e2eClientOpts{})
}

// e2eClientOpts vary a driver client of a pool.
type e2eClientOpts struct {
	// clientID and secret name another app client; empty means the pool's own.
	clientID, secret string
	// wrap wraps the SDK client (e.g. with an e2eSpy).
	wrap func(driver.IdentityProvider) driver.IdentityProvider
}

func (p *pool) clientWith(t testing.TB, d driver.Dialect, o e2eClientOpts) *driver.Client {
	t.Helper()
	if o.clientID == "" {
		o.clientID, o.secret = p.clientID, p.secret
	}
	var idp driver.IdentityProvider = driver.NewSDKClient(p.id, driver.Endpoint{URL: p.Srv.Endpoint(), Retries: 1})
	if o.wrap != nil {
		idp = o.wrap(idp)
	}
	c, err := driver.New(idp, driver.Config{PoolID: p.id, ClientID: o.clientID, ClientSecret: o.secret, Dialect: d})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// user creates a user; with temp it has a temporary password (FORCE_CHANGE_PASSWORD).
func (p *pool) user(t testing.TB, name, password string, temp bool, attrs ...string) {
	t.Helper()
	if !temp {
		p.User(t, p.id, name, password, attrs...)
		return
	}
	var ua []types.AttributeType
	for i := 0; i+1 < len(attrs); i += 2 {
		ua = append(ua, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
	}
	if _, err := p.IDP.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{UserPoolId: &p.id, Username: &name, UserAttributes: ua,
		TemporaryPassword: &password, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
}

// attrs returns a user's attributes as AdminGetUser reports them.
func (p *pool) attrs(t testing.TB, name string) map[string]string {
	t.Helper()
	out, err := p.IDP.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &p.id, Username: &name})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, a := range out.UserAttributes {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	m["@status"] = string(out.UserStatus)
	return m
}

// outboxCode returns the newest code the pool "sent" to username for purpose, read over
// HTTP from the emulator's outbox.
func (p *pool) outboxCode(t testing.TB, username, purpose string) string {
	t.Helper()
	m := p.Outbox(t, p.id, username, purpose)
	if len(m) == 0 || m[0].Code == "" {
		t.Fatalf("outbox %s/%s: %d messages", username, purpose, len(m))
	}
	if got := m[0].Purpose; got != purpose {
		t.Fatalf("outbox: newest message has purpose %q, want %q", got, purpose)
	}
	return m[0].Code
}

// getUser calls GetUser with an access token through the SDK (not the driver).
func (p *pool) getUser(accessToken string) (*cip.GetUserOutput, error) {
	return p.IDP.GetUser(context.Background(), &cip.GetUserInput{AccessToken: &accessToken})
}

// refreshWith runs REFRESH_TOKEN_AUTH through the SDK (not the driver).
func (p *pool) refreshWith(clientID, refreshToken string) error {
	_, err := p.IDP.InitiateAuth(context.Background(), &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"REFRESH_TOKEN": refreshToken},
	})
	return err
}

// secretHashOf is SECRET_HASH computed here, independently of package srp (spec §3.5).
func secretHashOf(secret, username, clientID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(username + clientID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// e2eObserver records what a driver call did over the network.
type e2eObserver struct {
	mu  sync.Mutex
	ops []string
	srp time.Duration
	api time.Duration
}

func (o *e2eObserver) SRP(d time.Duration) { o.mu.Lock(); o.srp += d; o.mu.Unlock() }
func (o *e2eObserver) Call(op string, d time.Duration, _ error) {
	o.mu.Lock()
	o.ops = append(o.ops, op)
	o.api += d
	o.mu.Unlock()
}

func (o *e2eObserver) calls() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]string(nil), o.ops...)
}

// observe returns a context reporting to a new e2eObserver.
func e2eObserve() (context.Context, *e2eObserver) {
	o := &e2eObserver{}
	return driver.WithObserver(context.Background(), o), o
}

// e2eSpy wraps the SDK client and records the requests that matter to the tests.
type e2eSpy struct {
	driver.IdentityProvider
	mu       sync.Mutex
	calls    []string
	initiate []*cip.InitiateAuthInput
	respond  []*cip.RespondToAuthChallengeInput
	updates  []*cip.UpdateUserAttributesInput
}

func spyOn(s *e2eSpy) func(driver.IdentityProvider) driver.IdentityProvider {
	return func(idp driver.IdentityProvider) driver.IdentityProvider { s.IdentityProvider = idp; return s }
}

func (s *e2eSpy) record(op string, f func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, op)
	f()
}

func (s *e2eSpy) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, o ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	s.record("InitiateAuth", func() { s.initiate = append(s.initiate, in) })
	return s.IdentityProvider.InitiateAuth(ctx, in, o...)
}

func (s *e2eSpy) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, o ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	s.record("RespondToAuthChallenge", func() { s.respond = append(s.respond, in) })
	return s.IdentityProvider.RespondToAuthChallenge(ctx, in, o...)
}

func (s *e2eSpy) UpdateUserAttributes(ctx context.Context, in *cip.UpdateUserAttributesInput, o ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error) {
	s.record("UpdateUserAttributes", func() { s.updates = append(s.updates, in) })
	return s.IdentityProvider.UpdateUserAttributes(ctx, in, o...)
}

var e2eDialects = []driver.Dialect{driver.Flutter, driver.JS}

func TestSmokeSRP(t *testing.T) {
	p := newPool(t, poolOpts{})
	p.user(t, "alice", "Passw0rd!", false)
	for _, d := range []driver.Dialect{driver.Flutter, driver.JS} {
		a := p.client(t, d).NewAuth()
		res, err := a.SignIn(context.Background(), "alice", "Passw0rd!", driver.SignInOptions{})
		if err != nil || !res.IsSignedIn || res.NextStep.SignInStep != driver.Done || res.Tokens == nil {
			t.Fatalf("%s: %v %+v", d, err, res)
		}
	}
}
