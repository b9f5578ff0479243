package idp

// Unit tests of the pool itself, with no HTTP: real Services and pools, an injected
// clock and a deterministic random source. This file holds the shared set-up.

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
)

// testClock is an injected clock that moves only when told to.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// testPool is a Service with one pool and one public app client.
type testPool struct {
	svc    *Service
	clock  *testClock
	poolID string
	client string
}

// newTestPool returns a Service on a fixed clock and a seeded random stream, with a
// pool and a client allowing the password, SRP and refresh flows. Each option edits
// the Service's options and the pool's input before they are used.
func newTestPool(t *testing.T, options ...func(*Options, *CreateUserPoolInput)) *testPool {
	t.Helper()
	clock := &testClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
	o := Options{Now: clock.Now, Random: rand.NewChaCha8([32]byte{'i', 'd', 'p'})}
	in := CreateUserPoolInput{PoolName: "unit"}
	for _, f := range options {
		f(&o, &in)
	}
	svc := New(o)
	t.Cleanup(svc.Close)
	ctx := context.Background()
	poolID, err := svc.SeedCreatePool(ctx, SeedPool{ID: "us-east-1_UnitTest", Input: in})
	if err != nil {
		t.Fatal(err)
	}
	client, _, err := svc.SeedCreateClient(ctx, SeedClient{ID: "unitclient", Input: CreateUserPoolClientInput{
		UserPoolId: poolID, ClientName: "unit",
		ExplicitAuthFlows: []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return &testPool{svc: svc, clock: clock, poolID: poolID, client: client}
}

// addUser seeds a user.
func (tp *testPool) addUser(t *testing.T, su SeedUser) {
	t.Helper()
	if err := tp.svc.SeedCreateUser(context.Background(), tp.poolID, su); err != nil {
		t.Fatal(err)
	}
}

// pool returns the test pool's *Pool and *AppClient.
func (tp *testPool) pool(t *testing.T) (*Pool, *AppClient) {
	t.Helper()
	p, c, err := tp.svc.client(tp.poolID, tp.client)
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

// wantErr fails unless err is a Cognito error of type typ with message msg ("" for
// any message).
func wantErr(t *testing.T, err error, typ, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want %s", err, typ)
	}
	if e.Type != typ || (msg != "" && e.Message != msg) {
		t.Fatalf("got %s %q, want %s %q", e.Type, e.Message, typ, msg)
	}
}
