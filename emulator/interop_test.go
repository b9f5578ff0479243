package emulator_test

// Interop: real third-party Cognito clients, installed from npm into
// testdata/interop (amazon-cognito-identity-js and aws-amplify, pinned by its
// package-lock.json), sign in against the emulator as they would against Cognito.
// Each scenario is one Node process (testdata/interop/<client>.mjs <scenario>) that
// prints a JSON result line; the test provisions its user through the SDK, runs it,
// checks the result and then checks the emulator's side of the story through the SDK.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

const (
	interopDir = "testdata/interop"
	// interopMinNode is the oldest Node.js the scripts run on (global fetch and Web
	// Crypto, as jose and the clients expect).
	interopMinNode = 20
	// interopTimeout bounds one scenario's Node process.
	interopTimeout = 60 * time.Second
	// interopInstallTimeout bounds `npm ci`.
	interopInstallTimeout = 5 * time.Minute
)

var (
	interopOnce sync.Once
	interopNode string // path of node, once ready
	interopSkip string // why the interop tests cannot run here
	interopErr  error  // a failure to prepare them
)

// interopSetup finds node and npm and installs testdata/interop's packages when
// node_modules is missing or older than package-lock.json. It returns node's path.
// Without node or npm the test is skipped, or fails when CI is set.
func interopSetup(t *testing.T) string {
	t.Helper()
	interopOnce.Do(func() { interopNode, interopSkip, interopErr = prepareInterop() })
	if interopSkip != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("interop: %s (CI is set, so this is a failure, not a skip)", interopSkip)
		}
		t.Skipf("interop: %s", interopSkip)
	}
	if interopErr != nil {
		t.Fatalf("interop: %v", interopErr)
	}
	return interopNode
}

func prepareInterop() (node, skip string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", "node (Node.js) is not on PATH", nil
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return "", "npm is not on PATH", nil
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return "", "", fmt.Errorf("node --version: %v", err)
	}
	ver := strings.TrimSpace(string(out))
	major, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(ver, "v"), ".", 2)[0])
	if major < interopMinNode {
		return "", fmt.Sprintf("node %s is older than v%d", ver, interopMinNode), nil
	}
	stale, why, err := interopStale()
	if err != nil {
		return "", "", err
	}
	if stale {
		ctx, cancel := context.WithTimeout(context.Background(), interopInstallTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = interopDir
		cmd.WaitDelay = 10 * time.Second
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			return "", "", fmt.Errorf("npm ci in %s (%s) failed: %v\n%s", interopDir, why, err, out)
		}
		fmt.Fprintf(os.Stderr, "interop: npm ci in %s (%s) took %v\n", interopDir, why, time.Since(start).Round(time.Millisecond))
	}
	return node, "", nil
}

// interopStale reports whether testdata/interop needs `npm ci`: npm writes
// node_modules/.package-lock.json last, so it stands for the installed tree.
func interopStale() (bool, string, error) {
	lock, err := os.Stat(filepath.Join(interopDir, "package-lock.json"))
	if err != nil {
		return false, "", fmt.Errorf("no lock file: %v", err)
	}
	inst, err := os.Stat(filepath.Join(interopDir, "node_modules", ".package-lock.json"))
	if err != nil {
		return true, "node_modules is missing", nil
	}
	if inst.ModTime().Before(lock.ModTime()) {
		return true, "node_modules is older than package-lock.json", nil
	}
	return false, "", nil
}

// interopToken is a token's summary as the scripts report it, after jose verified
// its signature against the pool's JWKS.
type interopToken struct {
	Source   string `json:"source"`
	Kind     string `json:"kind"`
	Verified bool   `json:"verified"`
	Kid      string `json:"kid"`
	Iss      string `json:"iss"`
	Sub      string `json:"sub"`
	TokenUse string `json:"token_use"`
	Aud      string `json:"aud"`
	ClientID string `json:"client_id"`
	Username string `json:"username"`
}

type interopError struct {
	Name    string `json:"name"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// interopResult is a script's JSON result line.
type interopResult struct {
	Client               string         `json:"client"`
	Scenario             string         `json:"scenario"`
	OK                   bool           `json:"ok"`
	Error                string         `json:"error"`
	Tokens               []interopToken `json:"tokens"`
	Steps                []string       `json:"steps"`
	Rejected             *interopError  `json:"rejected"`
	SignedOutAccessToken string         `json:"signedOutAccessToken"`
	UserSub              string         `json:"userSub"`
}

// interopRun is one client's run of one scenario: its inputs and what the test
// checks of the result.
type interopRun struct {
	scenario    string // the script's scenario argument
	password    string // --password: the user's password (or the one to try)
	newPassword string // --new-password, where the scenario sets one
	// setup provisions the user through the SDK before the script runs.
	setup func(t *testing.T, r *interopRun)
	// wantSources are the ways the client must have obtained tokens, in order (the
	// scripts' names); each must yield a verified id and access token.
	wantSources []string
	// wantSteps are the steps the client reported, by client.
	wantSteps map[string][]string
	// wantRejected is the error the client must report instead of signing in.
	wantRejected *interopError
	// after checks the emulator's side through the SDK once the script passed.
	after func(t *testing.T, r *interopRun, res *interopResult)

	// Filled in per client by TestInterop.
	e                *env
	poolID, clientID string
	client, script   string
	username, email  string
}

const (
	interopPassword    = "Passw0rd!"
	interopNewPassword = "N3w-Passw0rd!"
)

// interopScenarios are the scenarios each client runs. Token sources are named by
// the scripts: the flow (or step) that produced the tokens.
func interopScenarios() []interopRun {
	confirmedUser := func(t *testing.T, r *interopRun) {
		r.e.User(t, r.poolID, r.username, interopPassword, "email", r.email, "email_verified", "true")
	}
	return []interopRun{
		{
			scenario:    "srp",
			password:    interopPassword,
			setup:       confirmedUser,
			wantSources: []string{"USER_SRP_AUTH", "refresh"},
			wantSteps:   map[string][]string{"identity-js": {"onSuccess"}, "amplify": {"DONE"}},
			after: func(t *testing.T, r *interopRun, res *interopResult) {
				// The client's sign-out revoked the refresh token, and with it the
				// access tokens of its family.
				if res.SignedOutAccessToken == "" {
					t.Fatal("no signedOutAccessToken in the result")
				}
				_, err := r.e.IDP.GetUser(context.Background(), &cip.GetUserInput{AccessToken: &res.SignedOutAccessToken})
				emulatortest.APIError(t, err, "NotAuthorizedException", "Access Token has been revoked")
			},
		},
		{
			scenario:    "password",
			password:    interopPassword,
			setup:       confirmedUser,
			wantSources: []string{"USER_PASSWORD_AUTH"},
			wantSteps:   map[string][]string{"identity-js": {"onSuccess"}, "amplify": {"DONE"}},
		},
		{
			scenario:    "new-password",
			password:    "Temp0rary!",
			newPassword: interopNewPassword,
			setup: func(t *testing.T, r *interopRun) {
				_, err := r.e.IDP.AdminCreateUser(context.Background(), &cip.AdminCreateUserInput{
					UserPoolId: &r.poolID, Username: &r.username, TemporaryPassword: aws.String(r.password),
					UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: &r.email}, {Name: aws.String("email_verified"), Value: aws.String("true")}},
					MessageAction:  types.MessageActionTypeSuppress,
				})
				if err != nil {
					t.Fatal(err)
				}
			},
			wantSources: []string{"NEW_PASSWORD_REQUIRED", "USER_SRP_AUTH after new password"},
			wantSteps: map[string][]string{
				"identity-js": {"newPasswordRequired", "onSuccess"},
				"amplify":     {"CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED", "DONE", "DONE"},
			},
			after: func(t *testing.T, r *interopRun, res *interopResult) {
				r.wantStatus(t, "CONFIRMED")
				r.wantSignIn(t, interopNewPassword)
			},
		},
		{
			scenario:    "forgot-password",
			password:    interopPassword,
			newPassword: interopNewPassword,
			setup:       confirmedUser,
			wantSources: []string{"USER_SRP_AUTH after reset"},
			wantSteps: map[string][]string{
				"identity-js": {"inputVerificationCode", "confirmPassword:SUCCESS", "onSuccess"},
				"amplify":     {"CONFIRM_RESET_PASSWORD_WITH_CODE", "DONE"},
			},
			after: func(t *testing.T, r *interopRun, res *interopResult) {
				r.wantSignIn(t, interopNewPassword)
			},
		},
		{
			scenario:    "sign-up",
			password:    interopPassword,
			wantSources: []string{"sign-in after sign-up"},
			wantSteps: map[string][]string{
				"identity-js": {"signUp:unconfirmed", "confirmRegistration:SUCCESS", "onSuccess"},
				"amplify":     {"CONFIRM_SIGN_UP", "COMPLETE_AUTO_SIGN_IN", "DONE"},
			},
			after: func(t *testing.T, r *interopRun, res *interopResult) {
				u := r.wantStatus(t, "CONFIRMED")
				attrs := map[string]string{}
				for _, a := range u.UserAttributes {
					attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
				}
				if attrs["email"] != r.email || attrs["email_verified"] != "true" || attrs["sub"] != res.UserSub {
					t.Fatalf("after sign-up: attributes %v, want email %s verified and sub %s", attrs, r.email, res.UserSub)
				}
			},
		},
		{
			scenario:     "wrong-password",
			password:     "Wr0ng-Passw0rd!",
			setup:        confirmedUser,
			wantRejected: &interopError{Name: "NotAuthorizedException", Message: "Incorrect username or password."},
		},
	}
}

// wantStatus asserts the user's status and returns it.
func (r *interopRun) wantStatus(t *testing.T, status types.UserStatusType) *cip.AdminGetUserOutput {
	t.Helper()
	u, err := r.e.IDP.AdminGetUser(context.Background(), &cip.AdminGetUserInput{UserPoolId: &r.poolID, Username: &r.username})
	if err != nil {
		t.Fatal(err)
	}
	if u.UserStatus != status {
		t.Fatalf("user %s is %s, want %s", r.username, u.UserStatus, status)
	}
	return u
}

// wantSignIn asserts that the Go SDK (with the srp package) signs in with password.
func (r *interopRun) wantSignIn(t *testing.T, password string) {
	t.Helper()
	out, err := r.e.srpSignIn(context.Background(), r.poolID, r.clientID, r.username, password)
	if err != nil || out.AuthenticationResult == nil {
		t.Fatalf("SDK sign-in of %s with the new password: %v %+v", r.username, err, out)
	}
}

func TestInterop(t *testing.T) {
	node := interopSetup(t)
	e := newEnv(t)
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}})
	clients := []struct{ name, script, prefix string }{
		{"identity-js", "identity-js.mjs", "ijs"},
		{"amplify", "amplify.mjs", "amp"},
	}
	for _, c := range clients {
		for _, sc := range interopScenarios() {
			r := sc
			r.e, r.poolID, r.clientID = e, poolID, clientID
			r.client, r.script = c.name, c.script
			r.username = c.prefix + "-" + sc.scenario
			r.email = r.username + "@example.com"
			t.Run(c.name+"/"+sc.scenario, func(t *testing.T) {
				t.Parallel()
				r.run(t, node)
			})
		}
	}
}

func (r *interopRun) run(t *testing.T, node string) {
	if r.setup != nil {
		r.setup(t, r)
	}
	args := []string{r.script, r.scenario,
		"--endpoint", r.e.Srv.Endpoint(), "--pool-id", r.poolID, "--client-id", r.clientID,
		"--username", r.username, "--email", r.email, "--password", r.password}
	if r.newPassword != "" {
		args = append(args, "--new-password", r.newPassword)
	}
	ctx, cancel := context.WithTimeout(context.Background(), interopTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, args...)
	cmd.Dir = interopDir
	cmd.Env = append(os.Environ(), "NODE_ENV=test")
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	runErr := cmd.Run()
	elapsed := time.Since(start).Round(time.Millisecond)

	fail := func(format string, a ...any) {
		t.Helper()
		t.Fatalf("%s %s (%v): %s\n--- stdout:\n%s\n--- stderr:\n%s", r.client, r.scenario, elapsed, fmt.Sprintf(format, a...), stdout.String(), stderr.String())
	}
	if ctx.Err() != nil {
		fail("timed out after %v", interopTimeout)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var res interopResult
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		fail("no JSON result line (exit: %v): %v", runErr, err)
	}
	if runErr != nil || !res.OK {
		fail("script failed (exit: %v): %s", runErr, res.Error)
	}
	if res.Client != r.client || res.Scenario != r.scenario {
		fail("result is for %s %s", res.Client, res.Scenario)
	}
	t.Logf("%s %s: ok in %v, %d tokens verified", r.client, r.scenario, elapsed, len(res.Tokens))

	if r.wantRejected != nil {
		if res.Rejected == nil || res.Rejected.Name != r.wantRejected.Name || res.Rejected.Message != r.wantRejected.Message {
			fail("rejected with %+v, want %+v", res.Rejected, r.wantRejected)
		}
		if len(res.Tokens) != 0 {
			fail("rejected, yet reported tokens")
		}
	}
	if want := r.wantSteps[r.client]; want != nil && !slices.Equal(res.Steps, want) {
		fail("steps %q, want %q", res.Steps, want)
	}
	r.checkTokens(t, &res, fail)
	if r.after != nil {
		r.after(t, r, &res)
	}
}

// checkTokens asserts that the client obtained an id and an access token from each
// expected source and that each carries the claims Cognito's would.
func (r *interopRun) checkTokens(t *testing.T, res *interopResult, fail func(string, ...any)) {
	t.Helper()
	iss := r.e.Srv.Endpoint() + "/" + r.poolID
	var got []string
	for _, tok := range res.Tokens {
		if !slices.Contains(got, tok.Source) {
			got = append(got, tok.Source)
		}
		switch {
		case !tok.Verified || tok.Kid == "":
			fail("%s %s token not verified against the JWKS: %+v", tok.Source, tok.Kind, tok)
		case tok.Iss != iss:
			fail("%s %s token iss %q, want %q", tok.Source, tok.Kind, tok.Iss, iss)
		case tok.TokenUse != tok.Kind:
			fail("%s %s token has token_use %q", tok.Source, tok.Kind, tok.TokenUse)
		case tok.Kind == "id" && tok.Aud != r.clientID:
			fail("%s id token aud %q, want %q", tok.Source, tok.Aud, r.clientID)
		case tok.Kind == "access" && tok.ClientID != r.clientID:
			fail("%s access token client_id %q, want %q", tok.Source, tok.ClientID, r.clientID)
		case tok.Username != r.username:
			fail("%s %s token is for %q, want %q", tok.Source, tok.Kind, tok.Username, r.username)
		}
	}
	kinds := func(src string) []string {
		var k []string
		for _, tok := range res.Tokens {
			if tok.Source == src {
				k = append(k, tok.Kind)
			}
		}
		slices.Sort(k)
		return k
	}
	for _, src := range got {
		if k := kinds(src); !slices.Equal(k, []string{"access", "id"}) {
			fail("from %s the client reported %q tokens, want one id and one access", src, k)
		}
	}
	if !slices.Equal(got, r.wantSources) {
		fail("tokens from %q, want from %q", got, r.wantSources)
	}
}
