package emulator_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// verifyPassword computes and sends the PASSWORD_VERIFIER answer to the challenge
// init of an SRP start by c.
func (e *env) verifyPassword(ctx context.Context, poolID, clientID string, c *srp.Client, init *cip.InitiateAuthOutput, password string) (*cip.RespondToAuthChallengeOutput, error) {
	p := init.ChallengeParameters
	realm, _ := srp.PoolName(poolID)
	r, err := c.Respond(srp.Challenge{Realm: realm, UserID: p["USER_ID_FOR_SRP"], Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, password, time.Now())
	if err != nil {
		return nil, err
	}
	return e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientId: &clientID, Session: init.Session,
		ChallengeResponses: map[string]string{
			"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock,
			"PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp,
		},
	})
}

// srpSignIn runs USER_SRP_AUTH with the srp package as the client and returns the
// output of the PASSWORD_VERIFIER answer.
func (e *env) srpSignIn(ctx context.Context, poolID, clientID, username, password string) (*cip.RespondToAuthChallengeOutput, error) {
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		return nil, err
	}
	init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": username, "SRP_A": c.SRPA()},
	})
	if err != nil {
		return nil, err
	}
	return e.verifyPassword(ctx, poolID, clientID, c, init, password)
}

func TestSRPSignIn(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, poolID, "alice", "Passw0rd!", "email", "alice@example.com", "email_verified", "true")

	out, err := e.srpSignIn(ctx, poolID, clientID, "alice", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil || aws.ToString(out.AuthenticationResult.IdToken) == "" {
		t.Fatalf("no tokens: %+v", out)
	}
	_, err = e.srpSignIn(ctx, poolID, clientID, "alice", "wrong-Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// Not an alias pool: an unknown user, named as a LEGACY client (the API's
	// default) does.
	_, err = e.srpSignIn(ctx, poolID, clientID, "nobody", "Passw0rd!")
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")
}

func TestPasswordSignInAndNewPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{})
	_, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: aws.String("bob"), TemporaryPassword: aws.String("Temp0rary!"), MessageAction: types.MessageActionTypeSuppress})
	if err != nil {
		t.Fatal(err)
	}
	init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": "bob", "PASSWORD": "Temp0rary!"}})
	if err != nil {
		t.Fatal(err)
	}
	if init.ChallengeName != types.ChallengeNameTypeNewPasswordRequired || init.Session == nil {
		t.Fatalf("got %+v", init)
	}
	out, err := e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &clientID, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("no tokens: %+v", out)
	}
	// The session is single use.
	_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeNewPasswordRequired, ClientId: &clientID, Session: init.Session,
		ChallengeResponses: map[string]string{"USERNAME": "bob", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")

	got, err := e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: out.AuthenticationResult.AccessToken})
	if err != nil || aws.ToString(got.Username) != "bob" {
		t.Fatalf("GetUser: %v %+v", err, got)
	}
	if _, err := e.srpSignIn(ctx, poolID, clientID, "bob", "N3w-Passw0rd!"); err != nil {
		t.Fatal(err)
	}
}
