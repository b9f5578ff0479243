package cli

import (
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/internal/exitcode"
)

// TestEmulateMaxSessions: `emulate --max-sessions 2` keeps a pool's two newest
// sign-ins in flight, the older ones answered as expired; a negative value exits 2
// with one line.
func TestEmulateMaxSessions(t *testing.T) {
	code, _, stderr := run(t, "emulate", "--max-sessions", "-1")
	if code != exitcode.Usage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("--max-sessions -1: exit %d, stderr %q", code, stderr)
	}

	ctx := t.Context()
	idp := emulatortest.NewClient(startEmulateInProcess(t, "--max-sessions", "2"))
	pool, err := idp.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("sessions")})
	if err != nil {
		t.Fatal(err)
	}
	client, err := idp.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: pool.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		t.Fatal(err)
	}
	clientID := client.UserPoolClient.ClientId
	if _, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: pool.UserPool.Id, Username: aws.String("nina"),
		TemporaryPassword: aws.String("Temp-Passw0rd!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		t.Fatal(err)
	}
	var sessions []*string
	for range 3 {
		out, err := idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: clientID,
			AuthParameters: map[string]string{"USERNAME": "nina", "PASSWORD": "Temp-Passw0rd!"}})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Fatalf("InitiateAuth: %v", err)
		}
		sessions = append(sessions, out.Session)
	}
	answer := func(session *string) (*cip.RespondToAuthChallengeOutput, error) {
		return idp.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ClientId: clientID, ChallengeName: types.ChallengeNameTypeNewPasswordRequired,
			Session: session, ChallengeResponses: map[string]string{"USERNAME": "nina", "NEW_PASSWORD": "N3w-Passw0rd!"}})
	}
	_, err = answer(sessions[0])
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session is expired.")
	if out, err := answer(sessions[2]); err != nil || out.AuthenticationResult == nil {
		t.Fatalf("the newest session: %v", err)
	}
}
