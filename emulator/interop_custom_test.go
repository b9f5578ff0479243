package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/authbench/authbench/emulator"
)

// interopCustomFixture is the pool of the custom-auth interop scenarios
// (testdata/interop/custom.mjs): a riddle with two attempts, then an emailed code.
const interopCustomFixture = `
pools:
  - name: interop-custom
    autoVerifiedAttributes: [email]
    customAuth:
      rounds:
        - challengeMetadata: RIDDLE
          publicParameters: {question: "2+2?"}
          answers: ["4"]
          attempts: 2
        - challengeMetadata: EMAIL_CODE
          code: email
    clients:
      - id: interopcustom
        explicitAuthFlows: [ALLOW_CUSTOM_AUTH, ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
        preventUserExistenceErrors: ENABLED
`

// TestInteropCustomAuth: Amplify v6 (CUSTOM_WITHOUT_SRP, CUSTOM_WITH_SRP) and
// amazon-cognito-identity-js (initiateAuth, authenticateUser with CUSTOM_AUTH) leave
// every custom challenge, a wrong answer included, and end signed in.
func TestInteropCustomAuth(t *testing.T) {
	node := interopSetup(t)
	e := newEnv(t)
	f, err := emulator.ParseFixture(strings.NewReader(interopCustomFixture))
	if err != nil {
		t.Fatal(err)
	}
	l, err := e.Srv.LoadFixture(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	poolID, clientID := l.Pools[0].ID, l.Pools[0].Clients[0].ID
	confirmedUser := func(t *testing.T, r *interopRun) {
		r.e.User(t, r.poolID, r.username, interopPassword, "email", r.email, "email_verified", "true")
	}
	amplifySteps := []string{"CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", "CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE", "DONE"}
	ijsSteps := []string{"customChallenge", "customChallenge", "customChallenge", "onSuccess"}
	runs := []interopRun{
		{scenario: "amplify-without-srp", wantSources: []string{"CUSTOM_WITHOUT_SRP"}, wantSteps: map[string][]string{"custom": amplifySteps}},
		{scenario: "amplify-with-srp", wantSources: []string{"CUSTOM_WITH_SRP"}, wantSteps: map[string][]string{"custom": amplifySteps}},
		{scenario: "identity-js-without-srp", wantSources: []string{"CUSTOM_AUTH"}, wantSteps: map[string][]string{"custom": ijsSteps}},
		{scenario: "identity-js-with-srp", wantSources: []string{"CUSTOM_AUTH with SRP"}, wantSteps: map[string][]string{"custom": ijsSteps}},
	}
	for _, sc := range runs {
		r := sc
		r.password, r.setup = interopPassword, confirmedUser
		r.e, r.poolID, r.clientID = e, poolID, clientID
		r.client, r.script = "custom", "custom.mjs"
		r.username = "cst-" + sc.scenario
		r.email = r.username + "@example.com"
		t.Run(sc.scenario, func(t *testing.T) {
			t.Parallel()
			r.run(t, node)
		})
	}
}
