package emulator_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// limitExceeded asserts a refusal past a resource quota.
func limitExceeded(t *testing.T, err error, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s past its limit: accepted", what)
	}
	emulatortest.APIError(t, err, "LimitExceededException", "")
}

// TestResourceLimits: with small limits set in the options, each resource can be
// created up to its limit, one more is refused with LimitExceededException, and
// deleting one makes room again.
func TestResourceLimits(t *testing.T) {
	e := newEnv(t, func(o *emulator.Options) {
		o.Resources = emulator.Resources{UserPools: 2, AppClients: 2, Users: 3, Groups: 3, GroupsPerUser: 2, IdentityProviders: 2, ResourceServers: 2}
	})
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})

	t.Run("user pools", func(t *testing.T) {
		other, _, _ := e.Pool(t, emulatortest.PoolSpec{})
		_, err := e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("third")})
		limitExceeded(t, err, "CreateUserPool")
		if _, err := e.IDP.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: &other}); err != nil {
			t.Fatal(err)
		}
		out, err := e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("again")})
		if err != nil {
			t.Fatalf("CreateUserPool after a delete: %v", err)
		}
		if _, err := e.IDP.DeleteUserPool(ctx, &cip.DeleteUserPoolInput{UserPoolId: out.UserPool.Id}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("app clients", func(t *testing.T) {
		second, _ := e.AddClient(t, poolID, nil)
		_, err := e.IDP.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: &poolID, ClientName: aws.String("third")})
		limitExceeded(t, err, "CreateUserPoolClient")
		if _, err := e.IDP.DeleteUserPoolClient(ctx, &cip.DeleteUserPoolClientInput{UserPoolId: &poolID, ClientId: &second}); err != nil {
			t.Fatal(err)
		}
		e.AddClient(t, poolID, nil)
	})
	t.Run("users", func(t *testing.T) {
		for _, u := range []string{"u1", "u2", "u3"} {
			e.User(t, poolID, u, "Passw0rd!")
		}
		_, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("u4"), MessageAction: types.MessageActionTypeSuppress})
		limitExceeded(t, err, "AdminCreateUser")
		out, err := e.IDP.ListUserPoolClients(ctx, &cip.ListUserPoolClientsInput{UserPoolId: &poolID, MaxResults: aws.Int32(1)})
		if err != nil {
			t.Fatal(err)
		}
		clientID := aws.ToString(out.UserPoolClients[0].ClientId)
		_, err = e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("u5"), Password: aws.String("Passw0rd!")})
		limitExceeded(t, err, "SignUp")
		if _, err := e.IDP.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: &poolID, Username: aws.String("u3")}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.IDP.SignUp(ctx, &cip.SignUpInput{ClientId: &clientID, Username: aws.String("u5"), Password: aws.String("Passw0rd!")}); err != nil {
			t.Fatalf("SignUp after a delete: %v", err)
		}
	})
	t.Run("groups", func(t *testing.T) {
		for _, g := range []string{"g1", "g2", "g3"} {
			if _, err := e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String(g)}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("g4")})
		limitExceeded(t, err, "CreateGroup")
	})
	t.Run("groups per user", func(t *testing.T) {
		add := func(g string) error {
			_, err := e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("u1"), GroupName: aws.String(g)})
			return err
		}
		for _, g := range []string{"g1", "g2"} {
			if err := add(g); err != nil {
				t.Fatal(err)
			}
		}
		limitExceeded(t, add("g3"), "AdminAddUserToGroup")
		// Adding a member twice is still no error at the limit.
		if err := add("g2"); err != nil {
			t.Fatalf("adding a member again at the limit: %v", err)
		}
		out, err := e.IDP.AdminListGroupsForUser(ctx, &cip.AdminListGroupsForUserInput{UserPoolId: &poolID, Username: aws.String("u1")})
		if err != nil || len(out.Groups) != 2 {
			t.Fatalf("the user's groups: %v %d, want 2", err, len(out.Groups))
		}
	})
	t.Run("identity providers", func(t *testing.T) {
		create := func(name string) error {
			_, err := e.IDP.CreateIdentityProvider(ctx, &cip.CreateIdentityProviderInput{UserPoolId: &poolID, ProviderName: aws.String(name), ProviderType: types.IdentityProviderTypeTypeOidc,
				ProviderDetails: map[string]string{"client_id": "c", "client_secret": "s", "authorize_scopes": "openid", "attributes_request_method": "GET", "oidc_issuer": "https://issuer.example.com"}})
			return err
		}
		for _, n := range []string{"idp1", "idp2"} {
			if err := create(n); err != nil {
				t.Fatal(err)
			}
		}
		limitExceeded(t, create("idp3"), "CreateIdentityProvider")
	})
	t.Run("resource servers", func(t *testing.T) {
		for _, id := range []string{"https://api1.example.com", "https://api2.example.com"} {
			if _, err := e.IDP.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(id), Name: aws.String("api")}); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.IDP.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String("https://api3.example.com"), Name: aws.String("api")})
		limitExceeded(t, err, "CreateResourceServer")
	})
}

// TestResourceLimitDefault: at the default, a pool takes Cognito's 25 resource
// servers and refuses the 26th.
func TestResourceLimitDefault(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	create := func(i int) error {
		_, err := e.IDP.CreateResourceServer(ctx, &cip.CreateResourceServerInput{UserPoolId: &poolID, Identifier: aws.String(fmt.Sprintf("https://api%d.example.com", i)), Name: aws.String("api")})
		return err
	}
	for i := range 25 {
		if err := create(i); err != nil {
			t.Fatalf("resource server %d of 25: %v", i+1, err)
		}
	}
	limitExceeded(t, create(25), "the 26th CreateResourceServer")
}

// TestSessionFlood: many USER_SRP_AUTH sign-ins of one user left unanswered, past a
// small cap on the pool's sessions, keep only the newest: the oldest session is then
// answered as expired, the oldest of those kept and the newest still sign in.
func TestSessionFlood(t *testing.T) {
	const max, flood = 20, 50
	e := newEnv(t, func(o *emulator.Options) { o.Resources.Sessions = max })
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "flo", "Passw0rd!")
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var inits []*cip.InitiateAuthOutput
	for range flood {
		out, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"USERNAME": "flo", "SRP_A": c.SRPA()}})
		if err != nil {
			t.Fatal(err)
		}
		inits = append(inits, out)
	}
	for _, i := range []int{0, flood - max - 1} {
		_, err := e.verifyPassword(ctx, poolID, clientID, c, inits[i], "Passw0rd!")
		emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	}
	for _, i := range []int{flood - max, flood - 1} {
		out, err := e.verifyPassword(ctx, poolID, clientID, c, inits[i], "Passw0rd!")
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("session %d of %d (among the newest %d): %v", i+1, flood, max, err)
		}
	}
}

// sessionHeap is the live heap after a full collection.
func sessionHeap() uint64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestSessionFloodHeapBounded sends USER_SRP_AUTH sign-ins that are never answered
// through the handler, ten times the pool's session cap (scaled down to 1,000), and
// checks that the live heap once the cap is reached stays within a margin far
// below what the sessions past the cap would cost if kept (about 1.5 KiB each).
func TestSessionFloodHeapBounded(t *testing.T) {
	const max = 1000
	const margin = 4 << 20 // the 9,000 sessions past the cap would take about 14 MiB
	e := newEnv(t, func(o *emulator.Options) { o.Resources.Sessions = max })
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "flood", "Passw0rd!")
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	h := e.Srv.Handler()
	body := `{"AuthFlow":"USER_SRP_AUTH","ClientId":"` + clientID + `","AuthParameters":{"USERNAME":"flood","SRP_A":"` + c.SRPA() + `"}}`
	initiate := func() string {
		rec := handlerCall(h, "InitiateAuth", body)
		if rec.Code != http.StatusOK {
			t.Fatalf("InitiateAuth: %d %.300s", rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	first := initiate()
	for range max {
		initiate()
	}
	base := sessionHeap()
	for range 9 * max {
		initiate()
	}
	after := sessionHeap()
	t.Logf("%d sign-ins in flight past a cap of %d: live heap %.1f MiB at the cap, %.1f MiB after (bound %.1f MiB)",
		10*max+1, max, float64(base)/(1<<20), float64(after)/(1<<20), float64(base+margin)/(1<<20))
	if after > base+margin {
		t.Fatalf("live heap grew from %d to %d bytes past the session cap (bound %d)", base, after, base+margin)
	}
	params, session := emulatortest.DecodeChallenge(t, first)
	init := &cip.InitiateAuthOutput{ChallengeParameters: params, Session: &session}
	_, err = e.verifyPassword(context.Background(), poolID, clientID, c, init, "Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	if _, err := e.srpSignIn(context.Background(), poolID, clientID, "flood", "Passw0rd!"); err != nil {
		t.Fatalf("an ordinary sign-in after the flood: %v", err)
	}
}
