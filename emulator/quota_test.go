package emulator_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

// frozenClock stands still until told to move, so that "within one second" is exact.
type frozenClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFrozenClock() *frozenClock { return &frozenClock{t: time.Now().Truncate(time.Second)} }

func (c *frozenClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *frozenClock) advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func withLimits(clk *frozenClock, f func(*emulator.Limits)) func(*emulator.Options) {
	return func(o *emulator.Options) {
		o.Now = clk.now
		f(&o.Limits)
	}
}

// throttled reports whether err is Cognito's throttle, failing on any other error
// type only when strict.
func throttled(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	code, _ := emulatortest.ErrorCode(err)
	if code == "TooManyRequestsException" {
		emulatortest.APIError(t, err, "TooManyRequestsException", "Rate exceeded")
		return true
	}
	return false
}

// calls runs f n times and returns how many were throttled.
func calls(t *testing.T, n int, f func() error) int {
	t.Helper()
	k := 0
	for range n {
		if throttled(t, f()) {
			k++
		}
	}
	return k
}

// TestQuotaCategory: at quota N, N calls within one second pass and the next is
// throttled; other categories are not; the next second passes again.
func TestQuotaCategory(t *testing.T) {
	clk := newFrozenClock()
	e := newEnv(t, withLimits(clk, func(l *emulator.Limits) {
		if err := l.SetQuota("UserAuthentication=5"); err != nil {
			t.Fatal(err)
		}
	}))
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!")
	signIn := func() error { _, err := e.passwordAuth(ctx, clientID, "alice", "Passw0rd!"); return err }

	if n := calls(t, 5, signIn); n != 0 {
		t.Fatalf("%d of 5 calls at quota 5 throttled", n)
	}
	if !throttled(t, signIn()) {
		t.Fatal("call 6 within the second was not throttled")
	}
	// AdminInitiateAuth shares the category; AdminGetUser (UserRead) does not.
	_, err := e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &clientID, AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth, AuthParameters: map[string]string{"USERNAME": "alice", "PASSWORD": "Passw0rd!"}})
	if !throttled(t, err) {
		t.Fatalf("AdminInitiateAuth in the spent category: %v", err)
	}
	if _, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	clk.advance(time.Second)
	if n := calls(t, 5, signIn); n != 0 {
		t.Fatalf("next second: %d of 5 throttled", n)
	}
	if !throttled(t, signIn()) {
		t.Fatal("call 6 of the next second was not throttled")
	}
	// Half a second refills half the quota.
	clk.advance(500 * time.Millisecond)
	if n := calls(t, 3, signIn); n != 1 {
		t.Fatalf("after half a second: %d of 3 throttled, want 1", n)
	}
}

// TestQuotaRespondToAuthChallenge: RTAC has its own allowance of 3× the
// UserAuthentication quota, then spills into UserAuthentication.
func TestQuotaRespondToAuthChallenge(t *testing.T) {
	clk := newFrozenClock()
	e := newEnv(t, withLimits(clk, func(l *emulator.Limits) { l.Quotas = map[string]float64{"UserAuthentication": 2} }))
	ctx := context.Background()
	_, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	rtac := func() error {
		_, err := e.customAnswer(ctx, clientID, aws.String("no-such-session-of-twenty-chars"), "alice", "x")
		return err
	}
	// 6 RTAC on their allowance, 2 more spilling into UserAuthentication, then none.
	if n := calls(t, 8, rtac); n != 0 {
		t.Fatalf("%d of 8 RTAC throttled (allowance 6 + category 2)", n)
	}
	if !throttled(t, rtac()) {
		t.Fatal("RTAC 9 was not throttled")
	}
	// The spill spent the category: InitiateAuth is throttled too.
	if _, err := e.passwordAuth(ctx, clientID, "alice", "x"); !throttled(t, err) {
		t.Fatalf("InitiateAuth after the spill: %v", err)
	}
	clk.advance(time.Second)
	// InitiateAuth does not draw on RTAC's allowance: 2 pass, the third fails,
	// while RTAC still has its 6.
	signIn := func() error { _, err := e.passwordAuth(ctx, clientID, "alice", "x"); return err }
	if n := calls(t, 3, signIn); n != 1 {
		t.Fatalf("%d of 3 InitiateAuth throttled, want 1", n)
	}
	if n := calls(t, 7, rtac); n != 1 {
		t.Fatalf("%d of 7 RTAC throttled, want 1 (allowance 6, category spent)", n)
	}
}

// TestQuotaPerUser: 3 reads per user per second; writes and other users apart.
func TestQuotaPerUser(t *testing.T) {
	clk := newFrozenClock()
	e := newEnv(t, withLimits(clk, func(l *emulator.Limits) { l.PerUser = 3 }))
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!")
	e.User(t, poolID, "bob", "Passw0rd!")
	clk.advance(time.Second) // the set-up's writes are forgotten
	out, err := e.passwordAuth(ctx, clientID, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	get := func(name string) func() error {
		return func() error {
			_, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String(name)})
			return err
		}
	}
	if n := calls(t, 2, get("alice")); n != 0 {
		t.Fatalf("%d of alice's reads 2–3 throttled", n)
	}
	// Her fourth read, through her access token, is one too many.
	_, err = e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	if !throttled(t, err) {
		t.Fatalf("alice's fourth read: %v", err)
	}
	if n := calls(t, 3, get("bob")); n != 0 {
		t.Fatalf("bob throttled by alice's reads (%d)", n)
	}
	if _, err := e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("alice"), UserAttributes: []types.AttributeType{{Name: aws.String("name"), Value: aws.String("Alice")}}}); err != nil {
		t.Fatalf("a write throttled by reads: %v", err)
	}
	clk.advance(time.Second)
	if err := get("alice")(); err != nil {
		t.Fatal(err)
	}
}

// TestQuotaPerPool: a fixture pool's own quota; other pools and no-quota defaults.
func TestQuotaPerPool(t *testing.T) {
	clk := newFrozenClock()
	e := newEnv(t, func(o *emulator.Options) { o.Now = clk.now })
	ctx := context.Background()
	f, err := emulator.ParseFixture(strings.NewReader(`
pools:
  - name: limited
    quotas: {categories: {UserRead: 2}, perUser: 10}
    users: [{username: alice, password: Passw0rd!}]
  - name: free
    users: [{username: alice, password: Passw0rd!}]
`))
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.Srv.LoadFixture(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	get := func(poolID string) func() error {
		return func() error {
			_, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
			return err
		}
	}
	if n := calls(t, 3, get(l.Pools[0].ID)); n != 1 {
		t.Fatalf("limited pool: %d of 3 throttled, want 1", n)
	}
	if n := calls(t, 20, get(l.Pools[1].ID)); n != 0 {
		t.Fatalf("free pool: %d of 20 throttled", n)
	}
	// The pool's settings survive a snapshot.
	st := t.TempDir() + "/state.json"
	if err := e.Srv.SaveState(st); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t, func(o *emulator.Options) { o.Now = clk.now })
	if ok, err := e2.Srv.LoadState(st); err != nil || !ok {
		t.Fatalf("load state: %v %v", ok, err)
	}
	if n := calls(t, 3, func() error {
		_, err := e2.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &l.Pools[0].ID, Username: aws.String("alice")})
		return err
	}); n != 1 {
		t.Fatalf("restored limited pool: %d of 3 throttled, want 1", n)
	}
}

// TestLatency: the injected delay is applied per operation (recorded through the
// injected sleep), with jitter inside its bounds, really waited for, and cut short
// when the request ends.
func TestLatency(t *testing.T) {
	var mu sync.Mutex
	var slept []time.Duration
	e := newEnv(t, func(o *emulator.Options) {
		for _, s := range []string{"AdminGetUser=40ms", "UserRead=20ms±5ms", "ListUsers=p50=10ms,p99=50ms"} {
			if err := o.Limits.SetLatency(s); err != nil {
				t.Fatal(err)
			}
		}
		o.Limits.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			slept = append(slept, d)
			mu.Unlock()
			return nil
		}
	})
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!")
	mu.Lock()
	slept = nil
	mu.Unlock()
	if _, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")}); err != nil {
		t.Fatal(err)
	}
	out, err := e.passwordAuth(ctx, clientID, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if _, err := e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken}); err != nil {
			t.Fatal(err)
		}
	}
	for range 20 {
		if _, err := e.IDP.ListUsers(ctx, &cip.ListUsersInput{UserPoolId: &poolID}); err != nil {
			t.Fatal(err)
		}
	}
	mu.Lock()
	got := slices2(slept)
	mu.Unlock()
	if len(got) != 41 || got[0] != 40*time.Millisecond {
		t.Fatalf("slept %v: want 40ms for AdminGetUser, none for InitiateAuth, one per GetUser and ListUsers", got)
	}
	for _, d := range got[1:21] {
		if d < 15*time.Millisecond || d > 25*time.Millisecond {
			t.Fatalf("GetUser (UserRead=20ms±5ms) slept %v", d)
		}
	}
	for _, d := range got[21:] {
		if d <= 0 || d > time.Second {
			t.Fatalf("ListUsers (lognormal, p99 50ms) slept %v", d)
		}
	}

	// With the real sleep: at least the delay, and a request that ends stops the wait.
	e2 := newEnv(t, func(o *emulator.Options) {
		for _, s := range []string{"CreateUserPool=30ms", "ListUserPools=1h"} {
			if err := o.Limits.SetLatency(s); err != nil {
				t.Fatal(err)
			}
		}
	})
	start := time.Now()
	if _, err := e2.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("slow")}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("CreateUserPool answered in %v, before its 30ms latency", d)
	}
	cctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, err = e2.IDP.ListUserPools(cctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err == nil || time.Since(start) > 30*time.Second {
		t.Fatalf("ListUserPools with an hour of latency and a 100ms deadline: %v after %v", err, time.Since(start))
	}
}

func slices2(d []time.Duration) []time.Duration { return append([]time.Duration(nil), d...) }

// TestQuotasOffByDefault: without limits nothing is throttled.
func TestQuotasOffByDefault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!")
	if n := calls(t, 50, func() error {
		_, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("alice")})
		return err
	}); n != 0 {
		t.Fatalf("%d throttled with no quotas", n)
	}
}
