package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authbench/authbench/reports"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/internal/exitcode"
)

// Ginkgo allows one suite run per process and TestConform uses this process's, so the
// tests that need more conform runs build the CLI and run it as a subprocess.

// builtCLI are the programs the subprocess conform tests run.
type builtCLI struct {
	// authbench is the CLI; outboxcode is testdata/outboxcode, a --code-command that
	// reads an emulator's outbox.
	authbench, outboxcode string
}

// buildCLIForTest builds the CLI and the outbox helper into a temporary directory.
func buildCLIForTest(t *testing.T) builtCLI {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the CLI in subprocesses; skipped in -short mode")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the CLI with: %v", err)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	// Relative to this package's directory, where `go test` runs the test binary.
	cmd := exec.CommandContext(ctx, gobin, "build", "-o", dir+string(filepath.Separator), "../../cmd/authbench", "./testdata/outboxcode")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	exe := ""
	if runtime.GOOS == "windows" {
		exe = ".exe"
	}
	return builtCLI{authbench: filepath.Join(dir, "authbench"+exe), outboxcode: filepath.Join(dir, "outboxcode"+exe)}
}

// cliRunResult is the outcome of one subprocess run of `authbench conform`.
type cliRunResult struct {
	code           int
	stdout, stderr string
}

// runBuiltConform runs the built CLI with args in dir, with an environment holding
// dummy AWS credentials (for the live target's Admin calls) and nothing of the
// caller's AWS or authbench configuration.
func runBuiltConform(t *testing.T, bin, dir string, args ...string) cliRunResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "AUTHBENCH_") {
			env = append(env, kv)
		}
	}
	none := filepath.Join(dir, "no-such-aws-file")
	cmd.Env = append(env, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing", "AWS_REGION=us-east-1",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := cliRunResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && ctx.Err() == nil:
		r.code = exit.ExitCode()
	default:
		t.Fatalf("%s %s: %v\n%s\n%s", filepath.Base(bin), strings.Join(args, " "), err, r.stdout, r.stderr)
	}
	return r
}

// readConformReportFile reads a JSON report of conform.
func readConformReportFile(t *testing.T, path string) reports.ConformReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	var r reports.ConformReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("JSON report %s: %v", path, err)
	}
	if r.Schema != "authbench.report/v1" || r.Kind != "conform" || len(r.Specs) == 0 {
		t.Fatalf("JSON report %s: schema %q kind %q, %d specs", path, r.Schema, r.Kind, len(r.Specs))
	}
	return r
}

// cognitoTargetHdrPrefix starts the X-Amz-Target header of Cognito calls.
const cognitoTargetHdrPrefix = "AWSCognitoIdentityProviderService."

// smsChallengeStripper is a reverse proxy in front of an emulator that deletes the
// ChallengeParameters named by its current setting from the SMS_MFA challenges of
// InitiateAuth and RespondToAuthChallenge answers: the non-conforming behaviour.
// With no parameters set, everything passes unchanged.
type smsChallengeStripper struct {
	params   atomic.Pointer[[]string] // parameters to delete; nil: none
	stripped atomic.Int64             // challenges rewritten
}

// strip sets the parameters to delete from now on and resets the count.
func (d *smsChallengeStripper) strip(params ...string) {
	d.params.Store(&params)
	d.stripped.Store(0)
}

func (d *smsChallengeStripper) handler(target *url.URL) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.Out.Host = r.In.Host // the SDK signed the proxy's host
		},
		ModifyResponse: d.modify,
	}
}

func (d *smsChallengeStripper) modify(resp *http.Response) error {
	params := d.params.Load()
	op := strings.TrimPrefix(resp.Request.Header.Get("X-Amz-Target"), cognitoTargetHdrPrefix)
	if params == nil || len(*params) == 0 || resp.StatusCode != http.StatusOK || (op != "InitiateAuth" && op != "RespondToAuthChallenge") {
		return nil
	}
	if enc := resp.Header.Get("Content-Encoding"); enc != "" && enc != "identity" {
		return errors.New("proxy: cannot rewrite a " + enc + " answer")
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	out, changed, err := stripChallengeParams(body, "SMS_MFA", *params...)
	if err != nil {
		return err
	}
	if changed {
		d.stripped.Add(1)
	}
	resp.Body = io.NopCloser(bytes.NewReader(out))
	resp.ContentLength = int64(len(out))
	resp.Header.Set("Content-Length", strconv.Itoa(len(out)))
	return nil
}

// stripChallengeParams deletes params from the ChallengeParameters of an answer body
// whose ChallengeName is challenge, and reports whether it deleted any; the other
// members are copied verbatim.
func stripChallengeParams(body []byte, challenge string, params ...string) ([]byte, bool, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, false, err
	}
	var name string
	if raw, ok := m["ChallengeName"]; !ok || json.Unmarshal(raw, &name) != nil || name != challenge {
		return body, false, nil
	}
	var cp map[string]string
	if err := json.Unmarshal(m["ChallengeParameters"], &cp); err != nil {
		return nil, false, err
	}
	n := len(cp)
	for _, p := range params {
		delete(cp, p)
	}
	if len(cp) == n {
		return body, false, nil
	}
	raw, err := json.Marshal(cp)
	if err != nil {
		return nil, false, err
	}
	m["ChallengeParameters"] = raw
	out, err := json.Marshal(m)
	return out, err == nil, err
}

func TestStripChallengeParams(t *testing.T) {
	in := `{"ChallengeName":"SMS_MFA","Session":"s","ChallengeParameters":{"CODE_DELIVERY_DELIVERY_MEDIUM":"SMS","CODE_DELIVERY_DESTINATION":"+*******1234","USER_ID_FOR_SRP":"u"}}`
	out, changed, err := stripChallengeParams([]byte(in), "SMS_MFA", "CODE_DELIVERY_DESTINATION")
	if err != nil || !changed {
		t.Fatalf("changed %v, err %v", changed, err)
	}
	var got struct {
		ChallengeName, Session string
		ChallengeParameters    map[string]string
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatal(err)
	}
	if got.ChallengeName != "SMS_MFA" || got.Session != "s" || len(got.ChallengeParameters) != 2 ||
		got.ChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] != "SMS" || got.ChallengeParameters["USER_ID_FOR_SRP"] != "u" {
		t.Errorf("rewritten: %s", out)
	}
	for _, keep := range []string{
		`{"ChallengeName":"SOFTWARE_TOKEN_MFA","ChallengeParameters":{"CODE_DELIVERY_DESTINATION":"x"}}`,
		`{"ChallengeName":"SMS_MFA","ChallengeParameters":{"USER_ID_FOR_SRP":"u"}}`,
		`{"AuthenticationResult":{"ExpiresIn":3600},"ChallengeParameters":{}}`,
	} {
		if out, changed, err := stripChallengeParams([]byte(keep), "SMS_MFA", "CODE_DELIVERY_DESTINATION"); err != nil || changed || string(out) != keep {
			t.Errorf("%s: rewritten to %s (changed %v, err %v)", keep, out, changed, err)
		}
	}
}

// TestConformCatchesNonConformingPool shows that the conformance harness catches a
// pool that changes one behaviour, and blames the specs covering it. The target is a
// live pool: an emulator behind a proxy that can rewrite its answers. A baseline run
// against the emulator as it is must pass; then
//
//   - with the code delivery details (CODE_DELIVERY_DELIVERY_MEDIUM and
//     CODE_DELIVERY_DESTINATION) removed from SMS_MFA challenges, the failed specs
//     must be exactly those labelled factor:sms and step:confirmSignInWithSmsMfaCode
//     that ran in the baseline;
//   - with only CODE_DELIVERY_DESTINATION removed, the failed specs must be some of
//     those (at least one): not every spec reaching that step asserts the masked
//     destination, and the ones that do not are logged.
//
// In both, every other spec of the MFA and sign-in families (the control group) must
// end as in the baseline.
func TestConformCatchesNonConformingPool(t *testing.T) {
	tools := buildCLIForTest(t)

	e := emulatortest.Start(t)
	target, err := url.Parse(e.Srv.Endpoint())
	if err != nil {
		t.Fatal(err)
	}
	var proxyRW smsChallengeStripper
	proxy := httptest.NewServer(proxyRW.handler(target))
	t.Cleanup(proxy.Close)

	poolID, clientID := createNegativePool(t, e)

	dir := t.TempDir()
	run := func(name string) (cliRunResult, reports.ConformReport) {
		t.Helper()
		js := filepath.Join(dir, name+".json")
		// The outbox helper reads the emulator directly: the outbox is not under test.
		r := runBuiltConform(t, tools.authbench, dir, "conform",
			"--endpoint", proxy.URL, "--pool-id", poolID, "--client-id", clientID,
			"--label-filter", "family:mfa || family:signin", "--json", js, "--timeout", "80s",
			"--code-command", tools.outboxcode, "--code-command", e.Srv.Endpoint())
		if r.code != 0 && r.code != exitcode.ConformanceFailed {
			t.Fatalf("%s run: exit %d\n%s\n%s", name, r.code, r.stdout, r.stderr)
		}
		return r, readConformReportFile(t, js)
	}

	// Baseline: the emulator as it is conforms.
	baseRun, base := run("baseline")
	if baseRun.code != 0 || base.Failed != 0 {
		t.Fatalf("baseline: exit %d, %d failed\n%s\n%s", baseRun.code, base.Failed, baseRun.stdout, baseRun.stderr)
	}
	if base.Target != "live" {
		t.Errorf("baseline target %q, want live", base.Target)
	}
	if want := (reports.ConformTarget{PoolID: poolID, ClientID: clientID, Region: "us-east-1", Endpoint: proxy.URL}); base.Pool == nil || *base.Pool != want {
		t.Errorf("baseline report names %+v, want %+v", base.Pool, want)
	}
	covering := map[string]bool{} // labelled specs that ran: the ones the change can fail
	control := 0                  // other specs that ran
	for _, s := range base.Specs {
		labelled := slices.Contains(s.Labels, "factor:sms") && slices.Contains(s.Labels, "step:confirmSignInWithSmsMfaCode")
		switch {
		case labelled && s.State == "passed":
			covering[s.Name] = true
		case labelled:
			// For instance the client-secret variants: one app client cannot be both
			// public and secret. They must stay skipped, which the comparison checks.
			t.Logf("baseline: SMS spec not run on this pool: %s (%s)", s.Name, s.SkipReason)
		case s.State == "passed":
			control++
		}
	}
	if len(covering) < 2 {
		t.Fatalf("baseline: %d specs labelled factor:sms and step:confirmSignInWithSmsMfaCode ran, want at least one per dialect", len(covering))
	}
	if control == 0 {
		t.Fatal("baseline: no other spec ran, so there is no control group")
	}
	if n := proxyRW.stripped.Load(); n != 0 {
		t.Fatalf("the proxy rewrote %d answers of the baseline run", n)
	}

	check := func(name string, exact bool, params ...string) {
		t.Helper()
		proxyRW.strip(params...)
		r, rep := run(name)
		if r.code != exitcode.ConformanceFailed {
			t.Fatalf("%s: exit %d, want %d\n%s\n%s", name, r.code, exitcode.ConformanceFailed, r.stdout, r.stderr)
		}
		if n := proxyRW.stripped.Load(); n < int64(len(covering)) {
			t.Fatalf("%s: the proxy rewrote %d SMS_MFA challenges, want at least %d", name, n, len(covering))
		}
		failed := compareConformRuns(t, name, base, rep, covering)
		if rep.Failed != len(failed) {
			t.Errorf("%s: the report counts %d failures, its specs %d", name, rep.Failed, len(failed))
		}
		if !strings.Contains(r.stdout, "FAIL ") {
			t.Errorf("%s: the summary names no failing spec:\n%s", name, r.stdout)
		}
		var missed []string
		for n := range covering {
			if !failed[n] {
				missed = append(missed, n)
			}
		}
		sort.Strings(missed)
		switch {
		case exact && len(missed) > 0:
			t.Errorf("%s: %d specs covering the change passed anyway:\n  %s", name, len(missed), strings.Join(missed, "\n  "))
		case len(failed) == 0:
			t.Errorf("%s: no spec failed", name)
		case len(missed) > 0:
			t.Logf("%s: %d of %d covering specs do not assert this and passed:\n  %s", name, len(missed), len(covering), strings.Join(missed, "\n  "))
		}
		t.Logf("%s: %d specs failed, the %d others ended as in the baseline", name, len(failed), len(rep.Specs)-len(failed))
	}
	check("no-delivery-details", true, "CODE_DELIVERY_DELIVERY_MEDIUM", "CODE_DELIVERY_DESTINATION")
	check("no-destination", false, "CODE_DELIVERY_DESTINATION")
}

// compareConformRuns checks a run against the baseline: the same specs, failures only
// among the covering specs (with a message), every other spec in its baseline
// state. It returns the failed specs.
func compareConformRuns(t *testing.T, name string, base, rep reports.ConformReport, covering map[string]bool) map[string]bool {
	t.Helper()
	baseState := map[string]string{}
	for _, s := range base.Specs {
		baseState[s.Name] = s.State
	}
	failed := map[string]bool{}
	seen := map[string]bool{}
	for _, s := range rep.Specs {
		seen[s.Name] = true
		old, ok := baseState[s.Name]
		switch {
		case !ok:
			t.Errorf("%s: spec %q is not in the baseline report", name, s.Name)
		case covering[s.Name] && s.State == "failed":
			if s.Failure == "" {
				t.Errorf("%s: spec %q failed without a message", name, s.Name)
			}
			failed[s.Name] = true
			t.Logf("%s: fails as expected: %s\n    %s", name, s.Name, squeezeFailure(s.Failure))
		case covering[s.Name] && s.State == "passed":
			// The caller decides whether a covering spec may pass.
		case s.State != old:
			t.Errorf("%s: spec %q is %s, was %s in the baseline (%s)", name, s.Name, s.State, old, squeezeFailure(s.Failure))
		}
	}
	for n := range baseState {
		if !seen[n] {
			t.Errorf("%s: spec %q of the baseline is missing", name, n)
		}
	}
	return failed
}

// squeezeFailure puts a Gomega failure message on one short line.
func squeezeFailure(msg string) string {
	s := strings.Join(strings.Fields(msg), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// createNegativePool creates a pool on which both the SMS specs and the control group
// run on the live target: MFA OPTIONAL with SMS (and TOTP and email, since the live
// target runs the TOTP and email specs of family:mfa on any OPTIONAL pool), an email
// alias (for the alias sign-in specs) and a public client allowing SRP, password and
// refresh-token sign-in.
func createNegativePool(t *testing.T, e *emulatortest.Env) (poolID, clientID string) {
	t.Helper()
	poolID, clientID, _ = e.Pool(t, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) {
			in.PoolName = aws.String("conform-negative")
			in.AliasAttributes = []types.AliasAttributeType{types.AliasAttributeTypeEmail}
		},
		Client: func(in *cip.CreateUserPoolClientInput) {
			in.ClientName = aws.String("conform-negative")
			in.ExplicitAuthFlows = []types.ExplicitAuthFlowsType{
				types.ExplicitAuthFlowsTypeAllowUserSrpAuth, types.ExplicitAuthFlowsTypeAllowUserPasswordAuth, types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth}
		},
	})
	e.SetMFA(t, poolID, types.UserPoolMfaTypeOptional, "SMS", "TOTP", "EMAIL")
	return poolID, clientID
}
