package emulator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

// TestFixtureStates loads fixtures/pool.yaml and checks each user's state at sign-in.
func TestFixtureStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	loaded, err := e.Srv.LoadFixtureFile(ctx, "../fixtures/pool.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded.Pools) != 1 || loaded.Pools[0].ID != "us-east-1_AuthBench1" || len(loaded.Pools[0].Clients) != 2 || loaded.Pools[0].Users != 6 {
		t.Fatalf("loaded: %+v", loaded)
	}
	poolID, clientID := loaded.Pools[0].ID, "authbenchpublicclient01"
	if _, err := e.srpSignIn(ctx, poolID, clientID, "confirmed", "Confirmed-Passw0rd"); err != nil {
		t.Error(err)
	}
	if _, err := e.srpSignIn(ctx, poolID, clientID, "CONFIRMED@example.com", "Confirmed-Passw0rd"); err != nil {
		t.Errorf("case-insensitive alias: %v", err)
	}
	_, err = e.srpSignIn(ctx, poolID, clientID, "unconfirmed", "Unconfirmed-Passw0rd")
	emulatortest.APIError(t, err, "UserNotConfirmedException", "")
	_, err = e.srpSignIn(ctx, poolID, clientID, "resetrequired", "Old-Passw0rd-Reset")
	emulatortest.APIError(t, err, "PasswordResetRequiredException", "")
	_, err = e.srpSignIn(ctx, poolID, clientID, "disabled", "Disabled-Passw0rd")
	emulatortest.APIError(t, err, "NotAuthorizedException", "User is disabled.")
	out, err := e.srpSignIn(ctx, poolID, clientID, "needsattributes", "Temporary-Passw0rd")
	if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || out.ChallengeParameters["requiredAttributes"] != `["userAttributes.email"]` {
		t.Fatalf("needsattributes: %v %+v", err, out)
	}
	_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &clientID, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "needsattributes", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Invalid attributes given, email is missing")
	done, err := e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &clientID, Session: out.Session,
		ChallengeResponses: map[string]string{"USERNAME": "needsattributes", "NEW_PASSWORD": "N3w-Passw0rd!", "userAttributes.email": "na@example.com"}})
	if err != nil || done.AuthenticationResult == nil {
		t.Fatalf("with the attribute: %v", err)
	}
	if _, err := e.Srv.LoadFixtureFile(ctx, "../fixtures/pool.yaml"); err == nil {
		t.Error("loading the same fixed pool id twice succeeded")
	}
}

func TestFixtureStrict(t *testing.T) {
	for _, bad := range []string{
		"pools:\n  - nmae: typo\n",
		"pools:\n  - users:\n      - username: a\n        status: SLEEPING\n        password: Passw0rd!\n",
		"pools:\n  - id: nounderscore\n",
	} {
		f, err := emulator.ParseFixture(strings.NewReader(bad))
		if err == nil {
			_, err = emulator.New(emulator.Options{NewKey: testKey}).LoadFixture(context.Background(), f)
		}
		if err == nil {
			t.Errorf("fixture accepted:\n%s", bad)
		}
	}
}

// TestStatePersistence: what one server saved, another serves: users sign in with
// their passwords, refresh tokens still work and the signing key is the same.
func TestStatePersistence(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "rae", "Passw0rd!", "email", "rae@example.com", "email_verified", "true")
	first, err := e.passwordAuth(ctx, clientID, "rae", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := e.Srv.SaveState(path); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("state file: %v %v", err, fi.Mode())
	}

	e2 := newEnv(t)
	ok, err := e2.Srv.LoadState(path)
	if err != nil || !ok {
		t.Fatalf("LoadState: %v %v", ok, err)
	}
	if _, err := e2.srpSignIn(ctx, poolID, clientID, "rae", "Passw0rd!"); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": *first.AuthenticationResult.RefreshToken}}); err != nil {
		t.Fatalf("refresh after restart: %v", err)
	}
	g, err := e2.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("rae")})
	if err != nil || g.UserStatus != types.UserStatusTypeConfirmed {
		t.Fatalf("AdminGetUser: %v", err)
	}
	if ok, err := e2.Srv.LoadState(filepath.Join(t.TempDir(), "missing.json")); ok || err != nil {
		t.Errorf("missing file: %v %v", ok, err)
	}
	if err := os.WriteFile(path, []byte("{garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.Srv.LoadState(path); err == nil {
		t.Error("garbage state accepted")
	}
}
