//go:build unix

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/fixtures"
	"github.com/authbench/authbench/internal/exitcode"
)

// TestLiveEndpoints runs the CLI as a new user would against endpoints it treats as
// live (`--endpoint`, `--pool-id`, `--client-id`), in a subprocess (Ginkgo allows one
// suite run per process) with an empty environment: no AWS_* variables and a HOME
// with no AWS configuration.
//
//   - Against an endpoint that is not loopback, conform and bench provision say in one
//     line that no AWS credentials were found, exit 2, and send nothing to it.
//   - Against the embedded pool loaded from each shipped fixture, conform exits 0 with
//     only reasoned skips and bench provision provisions every flow the pool can
//     serve, with no metadata-service noise on stderr.
//
// It takes a minute or so (most of it building the CLI); -short skips it.
func TestLiveEndpoints(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and runs it against every fixture (-short)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is needed to build authbench: %v", err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 8*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "authbench")
	if err := motoBuildCLI(ctx, goTool, bin); err != nil {
		t.Fatal(err)
	}
	t.Run("no-credentials", func(t *testing.T) { testNoCredentials(t, ctx, bin) })
	for _, name := range fixtures.Names() {
		t.Run(name, func(t *testing.T) { testFixtureLive(t, ctx, bin, name) })
	}
}

// emptyEnv is an environment with no AWS settings: PATH, a HOME of its own, and extra.
func emptyEnv(t *testing.T, extra ...string) []string {
	return append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, extra...)
}

// runLive runs the CLI with env and returns its exit code, stdout and stderr.
func runLive(t *testing.T, ctx context.Context, bin string, env []string, args ...string) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("authbench %s: %v", strings.Join(args, " "), err)
	}
	if ctx.Err() != nil {
		t.Fatalf("authbench %s did not finish\nstderr:\n%s", strings.Join(args, " "), stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// checkQuiet fails when stderr carries the SDK's logs (its metadata-service probes
// and warnings).
func checkQuiet(t *testing.T, stderr string) {
	t.Helper()
	for _, noise := range []string{"IMDS", "ec2imds", "SDK 2", "WARN", "169.254.169.254"} {
		if strings.Contains(stderr, noise) {
			t.Errorf("stderr carries SDK noise (%q):\n%s", noise, stderr)
			return
		}
	}
}

// testNoCredentials runs conform and bench provision against a TEST-NET address
// (192.0.2.1, never loopback) with no credentials. The HTTP proxy of the environment
// is a server of the test's, so a request to the endpoint would be seen, and
// answered at once rather than left to time out.
func testNoCredentials(t *testing.T, ctx context.Context, bin string) {
	var requests atomic.Int64
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "the test's proxy", http.StatusBadGateway)
	}))
	defer proxy.Close()
	env := emptyEnv(t, "AWS_EC2_METADATA_DISABLED=true", "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL)
	for _, args := range [][]string{
		{"conform", "--endpoint", "http://192.0.2.1", "--pool-id", "us-east-1_Nowhere", "--client-id", "nowhereclient"},
		{"bench", "provision", "--endpoint", "http://192.0.2.1", "--pool-id", "us-east-1_Nowhere", "--client-id", "nowhereclient",
			"--i-own-this-pool", "--users", "1", "--out", filepath.Join(t.TempDir(), "users.json")},
	} {
		code, _, stderr := runLive(t, ctx, bin, env, args...)
		if code != exitcode.Usage {
			t.Errorf("%s: exit %d, want %d\n%s", args[0], code, exitcode.Usage, stderr)
		}
		lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
		if len(lines) != 1 || !strings.Contains(stderr, "no AWS credentials found for the Admin calls") ||
			!strings.Contains(stderr, "AWS_PROFILE") || !strings.Contains(stderr, "AWS_ACCESS_KEY_ID") || !strings.Contains(stderr, "IAM role") {
			t.Errorf("%s: want one line saying no AWS credentials were found and how to give them, got:\n%s", args[0], stderr)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the endpoint before the credential check", n)
	}
	// The proxy does see the endpoint's requests: signin, which makes no Admin call
	// and needs no credentials, reaches it.
	if code, _, stderr := runLive(t, ctx, bin, env, "signin", "--endpoint", "http://192.0.2.1", "--pool-id", "us-east-1_Nowhere",
		"--client-id", "nowhereclient", "--username", "nobody", "--password", "not-a-password"); code == exitcode.OK || requests.Load() == 0 {
		t.Errorf("signin through the proxy: exit %d after %d requests\n%s", code, requests.Load(), stderr)
	}
}

// conformReport is the part of conform's JSON report checked here.
type conformReport struct {
	Failed, Passed, Skipped int
	Specs                   []struct {
		Name       string `json:"name"`
		State      string `json:"state"`
		SkipReason string `json:"skip_reason"`
	} `json:"specs"`
}

// testFixtureLive starts the embedded pool loaded from fixture name and, for each of
// its pools with a public app client, runs conform and bench provision against it
// as a live pool.
func testFixtureLive(t *testing.T, ctx context.Context, bin, name string) {
	fx, err := emulator.EmbeddedFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	// The Lambda triggers of a fixture (custom.yaml's custom-lambda) run in a stub
	// that asks the custom challenges the conformance specs expect of a live pool.
	lambda := httptest.NewServer(http.HandlerFunc(customChallengeLambda))
	defer lambda.Close()
	srv, loaded, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Fixtures: []string{name},
		Options: emulator.Options{Triggers: emulator.Triggers{Lambdas: map[string]string{"*": lambda.URL}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for pi, p := range loaded.Pools {
		t.Run(p.Name, func(t *testing.T) {
			ci := slices.IndexFunc(p.Clients, func(c emulator.LoadedClient) bool { return c.Secret == "" })
			if ci < 0 {
				t.Skip("the pool has no public app client")
			}
			clientID := p.Clients[ci].ID
			throttled := notConformable(fx.Pools[pi])
			if throttled != "" {
				t.Logf("conform and bench runs not run: %s", throttled)
			} else {
				conformLive(t, ctx, bin, srv.Endpoint(), p.ID, clientID)
			}
			provisionLive(t, ctx, bin, srv.Endpoint(), p.ID, clientID, throttled == "")
		})
	}
}

// notConformable says why a fixture pool cannot take a conformance run as a live pool
// would, or "": a pool whose sign-in quota is a few requests per second exists to
// be throttled (conform-throttled: the throttling spec loads it on the embedded
// target), and a run of every spec against it would be throttled throughout.
func notConformable(p emulator.FixturePool) string {
	if p.Quotas == nil {
		return ""
	}
	if q, ok := p.Quotas.Categories["UserAuthentication"]; ok && q < 10 {
		return fmt.Sprintf("its sign-in quota is %g requests per second: it exists to be throttled", q)
	}
	return ""
}

// conformLive runs conform against a pool as a live one and checks that it passed,
// with a reason for every spec it skipped.
func conformLive(t *testing.T, ctx context.Context, bin, endpoint, poolID, clientID string) {
	t.Helper()
	js := filepath.Join(t.TempDir(), "report.json")
	code, stdout, stderr := runLive(t, ctx, bin, emptyEnv(t), "conform", "--endpoint", endpoint, "--pool-id", poolID, "--client-id", clientID, "--json", js)
	if code != exitcode.OK {
		t.Fatalf("conform exited %d, want 0\nstdout:\n%s\nstderr:\n%s", code, motoTail(stdout, 40), motoTail(stderr, 80))
	}
	checkQuiet(t, stderr)
	var rep conformReport
	b, err := os.ReadFile(js)
	if err != nil || json.Unmarshal(b, &rep) != nil {
		t.Fatalf("JSON report: %v", err)
	}
	if rep.Failed != 0 || len(rep.Specs) == 0 {
		t.Fatalf("report: %d failed of %d specs", rep.Failed, len(rep.Specs))
	}
	reasons := map[string]int{}
	for _, s := range rep.Specs {
		if s.State == "skipped" {
			if s.SkipReason == "" {
				t.Errorf("skipped without a reason: %s", s.Name)
			}
			reasons[s.SkipReason]++
		}
	}
	t.Logf("conform %s: %d passed, %d skipped", poolID, rep.Passed, rep.Skipped)
	for r, n := range reasons {
		t.Logf("  %3d skipped: %s", n, r)
	}
}

// provisionLive runs bench provision (then --delete) for every flow the pool can
// serve, and logs why it skips the others; with run, the users of the flows that
// need no codes (srp, password) then take a short bench run.
func provisionLive(t *testing.T, ctx context.Context, bin, endpoint, poolID, clientID string, run bool) {
	t.Helper()
	admin, err := driver.NewAdminClient(ctx, poolID, driver.Endpoint{URL: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	serve := servableFlows(t, ctx, admin, poolID, clientID)
	for _, f := range bench.FlowNames {
		if reason := serve[f]; reason != "" {
			t.Logf("bench provision --mix %s not run: %s", f, reason)
			continue
		}
		out := filepath.Join(t.TempDir(), "users.json")
		env := emptyEnv(t)
		code, _, stderr := runLive(t, ctx, bin, env, "bench", "provision", "--endpoint", endpoint, "--pool-id", poolID, "--client-id", clientID,
			"--mix", f, "--users", "2", "--out", out)
		if code != exitcode.OK {
			t.Errorf("bench provision --mix %s exited %d, want 0\n%s", f, code, stderr)
			continue
		}
		checkQuiet(t, stderr)
		set, err := bench.ReadUserSet(out)
		if err != nil || len(set.Users[f]) != 2 {
			t.Errorf("bench provision --mix %s: user set %v, want 2 %s users", f, err, f)
			continue
		}
		if f == bench.FlowTOTP && (set.Users[f][0].TOTPSecret == "" || set.Users[f][1].TOTPSecret == "" || set.Users[f][0].TOTPSpent.IsZero()) {
			t.Errorf("bench provision --mix totp: a user without a TOTP secret or the window of its setup code")
		}
		// The TOTP run follows provisioning within its code's window: the bench must
		// not reuse the code provisioning spent.
		if run && (f == bench.FlowSRP || f == bench.FlowPassword || f == bench.FlowTOTP) {
			// The bench itself signs the users in, with no credentials either.
			code, stdout, stderr := runLive(t, ctx, bin, env, "bench", "--endpoint", endpoint, "--users-file", out, "--mix", f,
				"--iterations", "2", "--users", "1", "--out", filepath.Join(t.TempDir(), "run"))
			if code != exitcode.OK || !strings.Contains(stdout, "outcomes: ok 2 (100.0%)") {
				t.Errorf("bench --mix %s exited %d\nstdout:\n%s\nstderr:\n%s", f, code, stdout, stderr)
			}
			checkQuiet(t, stderr)
		}
		if code, _, stderr := runLive(t, ctx, bin, env, "bench", "provision", "--delete", "--endpoint", endpoint, "--out", out); code != exitcode.OK {
			t.Errorf("bench provision --delete (%s) exited %d\n%s", f, code, stderr)
		}
	}
}

// servableFlows reads the pool's configuration as a live target would and returns,
// for each bench flow the pool cannot serve, the reason.
func servableFlows(t *testing.T, ctx context.Context, admin *cip.Client, poolID, clientID string) map[string]string {
	t.Helper()
	dp, err := admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	dc, err := admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(poolID), ClientId: aws.String(clientID)})
	if err != nil {
		t.Fatal(err)
	}
	mc, err := admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		t.Fatal(err)
	}
	allows := func(f string) bool {
		return slices.Contains(dc.UserPoolClient.ExplicitAuthFlows, types.ExplicitAuthFlowsType(f))
	}
	mode := dp.UserPool.MfaConfiguration
	factor := map[string]bool{
		bench.FlowSMS:   mc.SmsMfaConfiguration != nil,
		bench.FlowEmail: mc.EmailMfaConfiguration != nil,
		bench.FlowTOTP:  mc.SoftwareTokenMfaConfiguration != nil && mc.SoftwareTokenMfaConfiguration.Enabled,
	}
	reasons := map[string]string{}
	for _, f := range bench.FlowNames {
		var r string
		switch f {
		case bench.FlowPassword:
			if !allows("ALLOW_USER_PASSWORD_AUTH") {
				r = "the app client does not allow ALLOW_USER_PASSWORD_AUTH"
			}
		case bench.FlowCustom:
			if !allows("ALLOW_CUSTOM_AUTH") {
				r = "the app client does not allow ALLOW_CUSTOM_AUTH"
			}
		default:
			if !allows("ALLOW_USER_SRP_AUTH") {
				r = "the app client does not allow ALLOW_USER_SRP_AUTH"
			}
		}
		switch f {
		case bench.FlowSMS, bench.FlowEmail, bench.FlowTOTP:
			if mode == types.UserPoolMfaTypeOff {
				r = "the pool's MFA is OFF"
			} else if !factor[f] {
				r = "the pool does not enable the " + f + " MFA factor"
			}
		case bench.FlowDevice:
			if dp.UserPool.DeviceConfiguration == nil {
				r = "the pool does not remember devices"
			} else if mode == types.UserPoolMfaTypeOff || !factor[bench.FlowSMS] {
				r = "the device flow signs in with SMS MFA, which the pool does not enable"
			}
		default:
			if mode == types.UserPoolMfaTypeOn {
				r = "the pool's MFA is ON: every sign-in needs MFA"
			}
		}
		if r != "" {
			reasons[f] = r
		}
	}
	return reasons
}

// customChallengeLambda is one Lambda function serving a pool's three custom-auth
// triggers (told apart by triggerSource) as scenarios/custom.go says a live pool's
// must: "What is 6*7?" (42) with a second try, then "What is 2+2?" (4). It takes
// and answers the trigger event JSON, as the Lambda runtime interface emulator does.
func customChallengeLambda(w http.ResponseWriter, r *http.Request) {
	var ev map[string]any
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req, _ := ev["request"].(map[string]any)
	var session []struct {
		ChallengeName     string `json:"challengeName"`
		ChallengeResult   bool   `json:"challengeResult"`
		ChallengeMetadata string `json:"challengeMetadata"`
	}
	if b, err := json.Marshal(req["session"]); err == nil {
		_ = json.Unmarshal(b, &session)
	}
	firstFailed, firstPassed, secondFailed, secondPassed := 0, false, false, false
	for _, c := range session {
		switch {
		case c.ChallengeMetadata == "FIRST" && c.ChallengeResult:
			firstPassed = true
		case c.ChallengeMetadata == "FIRST":
			firstFailed++
		case c.ChallengeMetadata == "SECOND":
			secondPassed, secondFailed = c.ChallengeResult, !c.ChallengeResult
		}
	}
	resp := map[string]any{}
	switch ev["triggerSource"] {
	case "DefineAuthChallenge_Authentication":
		last := ""
		if len(session) > 0 {
			last = session[len(session)-1].ChallengeName
		}
		switch {
		case last == "SRP_A":
			resp["challengeName"] = "PASSWORD_VERIFIER"
		case secondPassed:
			resp["issueTokens"] = true
		case secondFailed || firstFailed >= 2:
			resp["failAuthentication"] = true
		default:
			resp["challengeName"] = "CUSTOM_CHALLENGE"
		}
	case "CreateAuthChallenge_Authentication":
		question, answer, meta := "What is 6*7?", "42", "FIRST"
		if firstPassed {
			question, answer, meta = "What is 2+2?", "4", "SECOND"
		}
		resp["publicChallengeParameters"] = map[string]string{"question": question}
		resp["privateChallengeParameters"] = map[string]string{"answer": answer}
		resp["challengeMetadata"] = meta
	case "VerifyAuthChallengeResponse_Authentication":
		private, _ := req["privateChallengeParameters"].(map[string]any)
		resp["answerCorrect"] = private != nil && req["challengeAnswer"] == private["answer"]
	}
	ev["response"] = resp
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(ev)
}
