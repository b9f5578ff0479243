package emulator_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// customFixture is a pool with declarative custom auth: a riddle allowing two
// attempts, then a code sent by email.
const customFixture = `
pools:
  - id: us-east-1_Custom%s
    name: custom
    customAuth:
      srpFirst: %s
      rounds:
        - challengeMetadata: RIDDLE
          publicParameters: {question: "2+2?"}
          answers: ["4", "four"]
          attempts: 2
        - challengeMetadata: EMAIL_CODE
          code: email
    clients:
      - id: %s
        explicitAuthFlows: [ALLOW_CUSTOM_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
        preventUserExistenceErrors: %s
      - id: %sadmin
        explicitAuthFlows: [ALLOW_CUSTOM_AUTH, ALLOW_ADMIN_USER_PASSWORD_AUTH]
        preventUserExistenceErrors: LEGACY
    users:
      - username: carol
        password: Passw0rd!
        attributes: {email: carol@example.com, email_verified: "true"}
`

// loadCustomPool loads customFixture and returns the pool and client ids.
func (e *env) loadCustomPool(t *testing.T, suffix string, srpFirst bool, prevent string) (poolID, clientID string) {
	t.Helper()
	clientID = "customclient" + strings.ToLower(suffix)
	f, err := emulator.ParseFixture(strings.NewReader(fmt.Sprintf(customFixture, suffix, map[bool]string{true: "true", false: "false"}[srpFirst], clientID, prevent, clientID)))
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.Srv.LoadFixture(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return l.Pools[0].ID, clientID
}

// customStart starts CUSTOM_AUTH without SRP.
func (e *env) customStart(ctx context.Context, clientID, user string) (*cip.InitiateAuthOutput, error) {
	return e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": user}})
}

// customAnswer answers a CUSTOM_CHALLENGE.
func (e *env) customAnswer(ctx context.Context, clientID string, session *string, user, answer string) (*cip.RespondToAuthChallengeOutput, error) {
	return e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{
		ChallengeName: types.ChallengeNameTypeCustomChallenge, ClientId: &clientID, Session: session,
		ChallengeResponses: map[string]string{"USERNAME": user, "ANSWER": answer},
	})
}

// customSRPStart starts CUSTOM_AUTH with SRP and answers PASSWORD_VERIFIER.
func (e *env) customSRPStart(ctx context.Context, poolID, clientID, user, password string) (*cip.RespondToAuthChallengeOutput, error) {
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		return nil, err
	}
	init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{
		AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": user, "SRP_A": c.SRPA(), "CHALLENGE_NAME": "SRP_A"},
	})
	if err != nil {
		return nil, err
	}
	if init.ChallengeName != types.ChallengeNameTypePasswordVerifier || init.Session == nil {
		return nil, fmt.Errorf("want PASSWORD_VERIFIER with a session, got %s", init.ChallengeName)
	}
	return e.verifyPassword(ctx, poolID, clientID, c, init, password)
}

// wantCustomChallenge asserts a CUSTOM_CHALLENGE with a session and the given
// parameters.
func wantCustomChallenge(t *testing.T, name types.ChallengeNameType, session *string, params map[string]string, want map[string]string) {
	t.Helper()
	if name != types.ChallengeNameTypeCustomChallenge || aws.ToString(session) == "" {
		t.Fatalf("want CUSTOM_CHALLENGE with a session, got %q (session %v)", name, session != nil)
	}
	for k, v := range want {
		if params[k] != v {
			t.Fatalf("challenge parameter %s = %q, want %q (all: %v)", k, params[k], v, params)
		}
	}
}

// TestCustomAuthDeclarative runs the declarative rounds without SRP: a wrong answer
// retried, the riddle, the emailed code, tokens; then the failures.
func TestCustomAuthDeclarative(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID := e.loadCustomPool(t, "A", false, "ENABLED")

	out, err := e.customStart(ctx, clientID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, map[string]string{"question": "2+2?", "USERNAME": "carol"})
	// A wrong answer: the round allows two, so the same riddle comes back on a new session.
	r1, err := e.customAnswer(ctx, clientID, out.Session, "carol", "5")
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, r1.ChallengeName, r1.Session, r1.ChallengeParameters, map[string]string{"question": "2+2?"})
	if aws.ToString(r1.Session) == aws.ToString(out.Session) {
		t.Fatal("the retry reused the session")
	}
	// The spent session cannot be answered again.
	_, err = e.customAnswer(ctx, clientID, out.Session, "carol", "4")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")

	r2, err := e.customAnswer(ctx, clientID, r1.Session, "carol", "four")
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, r2.ChallengeName, r2.Session, r2.ChallengeParameters, map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"})
	code := e.lastCode(t, poolID, "carol", "CUSTOM_CHALLENGE")
	r3, err := e.customAnswer(ctx, clientID, r2.Session, "carol", code)
	if err != nil {
		t.Fatal(err)
	}
	if r3.AuthenticationResult == nil || aws.ToString(r3.AuthenticationResult.IdToken) == "" {
		t.Fatalf("want tokens, got %+v", r3)
	}
	if _, err := e.IDP.GetUser(ctx, &cip.GetUserInput{AccessToken: r3.AuthenticationResult.AccessToken}); err != nil {
		t.Fatal(err)
	}

	// Two wrong answers spend the riddle's attempts.
	out, err = e.customStart(ctx, clientID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	r1, err = e.customAnswer(ctx, clientID, out.Session, "carol", "3")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.customAnswer(ctx, clientID, r1.Session, "carol", "5")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// A wrong code in the one-attempt round ends the flow.
	out, _ = e.customStart(ctx, clientID, "carol")
	r1, err = e.customAnswer(ctx, clientID, out.Session, "carol", "4")
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.customAnswer(ctx, clientID, r1.Session, "carol", "000000x")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// Missing answer, missing session.
	out, _ = e.customStart(ctx, clientID, "carol")
	_, err = e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypeCustomChallenge, ClientId: &clientID, Session: out.Session, ChallengeResponses: map[string]string{"USERNAME": "carol"}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Missing required parameter ANSWER")
	_, err = e.customAnswer(ctx, clientID, nil, "carol", "4")
	emulatortest.APIError(t, err, "InvalidParameterException", "Missing required parameter Session")

	// An unknown user with PreventUserExistenceErrors ENABLED gets a challenge
	// whose every answer fails; with LEGACY, UserNotFoundException.
	out, err = e.customStart(ctx, clientID, "ghost")
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, map[string]string{"question": "2+2?", "USERNAME": "ghost"})
	r1, _ = e.customAnswer(ctx, clientID, out.Session, "ghost", "4")
	_, err = e.customAnswer(ctx, clientID, r1.Session, "ghost", "4")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	_, err = e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: aws.String(clientID + "admin"), AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "ghost"}})
	emulatortest.APIError(t, err, "UserNotFoundException", "User does not exist.")

	// The admin APIs run the same flow.
	adminClient := clientID + "admin"
	ai, err := e.IDP.AdminInitiateAuth(ctx, &cip.AdminInitiateAuthInput{UserPoolId: &poolID, ClientId: &adminClient, AuthFlow: types.AuthFlowTypeCustomAuth, AuthParameters: map[string]string{"USERNAME": "carol"}})
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, ai.ChallengeName, ai.Session, ai.ChallengeParameters, nil)
	ar, err := e.IDP.AdminRespondToAuthChallenge(ctx, &cip.AdminRespondToAuthChallengeInput{UserPoolId: &poolID, ClientId: &adminClient, ChallengeName: types.ChallengeNameTypeCustomChallenge, Session: ai.Session, ChallengeResponses: map[string]string{"USERNAME": "carol", "ANSWER": "4"}})
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, ar.ChallengeName, ar.Session, ar.ChallengeParameters, map[string]string{"CODE_DELIVERY_DELIVERY_MEDIUM": "EMAIL"})
	// A session of the admin API is not valid on the public one.
	_, err = e.customAnswer(ctx, adminClient, ar.Session, "carol", e.lastCode(t, poolID, "carol", "CUSTOM_CHALLENGE"))
	emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user.")
}

// TestCustomAuthWithSRP runs CUSTOM_AUTH with SRP first: PASSWORD_VERIFIER, then the
// rounds; a wrong password ends it; a pool requiring SRP refuses a flow without.
func TestCustomAuthWithSRP(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID := e.loadCustomPool(t, "B", true, "ENABLED")

	pv, err := e.customSRPStart(ctx, poolID, clientID, "carol", "Passw0rd!")
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, pv.ChallengeName, pv.Session, pv.ChallengeParameters, map[string]string{"question": "2+2?", "USERNAME": "carol"})
	r1, err := e.customAnswer(ctx, clientID, pv.Session, "carol", "4")
	if err != nil {
		t.Fatal(err)
	}
	r2, err := e.customAnswer(ctx, clientID, r1.Session, "carol", e.lastCode(t, poolID, "carol", "CUSTOM_CHALLENGE"))
	if err != nil || r2.AuthenticationResult == nil {
		t.Fatalf("want tokens: %v %+v", err, r2)
	}

	_, err = e.customSRPStart(ctx, poolID, clientID, "carol", "Wr0ng-Passw0rd!")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// srpFirst: the flow without SRP fails at once.
	_, err = e.customStart(ctx, clientID, "carol")
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// A pool without custom auth configured.
	_, plainClient, _ := e.Pool(t, emulatortest.PoolSpec{})
	_, err = e.customStart(ctx, plainClient, "carol")
	emulatortest.APIError(t, err, "InvalidParameterException", "Custom auth lambda trigger is not configured for the user pool.")
}

// TestCustomAuthFixtureErrors: a bad customAuth block is refused when loading.
func TestCustomAuthFixtureErrors(t *testing.T) {
	e := newEnv(t)
	for _, y := range []string{
		"pools: [{name: a, customAuth: {rounds: []}}]",
		"pools: [{name: b, customAuth: {rounds: [{publicParameters: {q: x}}]}}]",
		"pools: [{name: c, customAuth: {rounds: [{answers: [x], code: pigeon}]}}]",
		"pools: [{name: d, customAuth: {rounds: [{answers: [x], prompt: y}]}}]",
		"pools: [{name: e, quotas: {categories: {UserAuth: 3}}}]",
	} {
		f, err := emulator.ParseFixture(strings.NewReader(y))
		if err == nil {
			_, err = e.Srv.LoadFixture(context.Background(), f)
		}
		if err == nil {
			t.Errorf("%s: loaded", y)
		}
	}
}

// TestCustomFixtureFile: fixtures/custom.yaml loads, and its declarative pool signs in.
func TestCustomFixtureFile(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	l, err := e.Srv.LoadFixtureFile(ctx, "../fixtures/custom.yaml")
	if err != nil {
		t.Fatal(err)
	}
	poolID, clientID := l.Pools[0].ID, l.Pools[0].Clients[0].ID
	out, err := e.customStart(ctx, clientID, "carol")
	if err != nil {
		t.Fatal(err)
	}
	wantCustomChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, map[string]string{"question": "What is 2+2?"})
	r, err := e.customAnswer(ctx, clientID, out.Session, "carol", "four")
	if err != nil {
		t.Fatal(err)
	}
	r, err = e.customAnswer(ctx, clientID, r.Session, "carol", e.lastCode(t, poolID, "carol", "CUSTOM_CHALLENGE"))
	if err != nil || r.AuthenticationResult == nil {
		t.Fatalf("want tokens: %v %+v", err, r)
	}
	// The Lambda pool without a mapping for its ARN.
	_, err = e.customStart(ctx, l.Pools[1].Clients[0].ID, "dave")
	emulatortest.APIError(t, err, "UnexpectedLambdaException", "DefineAuthChallenge invocation failed due to error ResourceNotFoundException.")
}
