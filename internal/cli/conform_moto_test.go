//go:build unix

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestConformAgainstMoto runs `authbench conform` against moto's Cognito emulation
// (moto_server, Python) as a live target: it starts moto, creates a pool and a public
// app client in it through the SDK, and runs the CLI in a subprocess (Ginkgo allows
// one suite run per process, and TestConform has this one). Moto is known not to
// honour everything Cognito does, so spec failures are expected and only logged; the
// test asserts that the run completes, that every spec is accounted for, that what a
// plain moto pool lacks is skipped with a reason, and that some specs ran and passed.
//
// Without moto_server on PATH the test skips, unless CI and AUTHBENCH_REQUIRE_MOTO are
// both set. Run with -artifacts to keep the JSON and JUnit reports.
func TestConformAgainstMoto(t *testing.T) {
	motoPath, err := exec.LookPath("moto_server")
	if err != nil {
		if os.Getenv("CI") != "" && os.Getenv("AUTHBENCH_REQUIRE_MOTO") != "" {
			t.Fatalf("moto_server is required (CI and AUTHBENCH_REQUIRE_MOTO are set) but not found: %v", err)
		}
		t.Skipf("moto_server not found (pip install 'moto[server]'): %v", err)
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is needed to build authbench: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	dir := t.TempDir()

	// Build the CLI while moto starts.
	bin := filepath.Join(dir, "authbench")
	built := make(chan error, 1)
	go func() { built <- motoBuildCLI(ctx, goTool, bin) }()

	endpoint := startMoto(t, ctx, motoPath, dir)
	poolID, clientID := createMotoPool(t, ctx, endpoint)
	if err := <-built; err != nil {
		t.Fatal(err)
	}

	out := t.ArtifactDir()
	js, junit := filepath.Join(out, "report.json"), filepath.Join(out, "junit.xml")
	runCtx, runCancel := context.WithTimeout(ctx, 3*time.Minute)
	defer runCancel()
	cmd := exec.CommandContext(runCtx, bin, "conform", "--endpoint", endpoint, "--pool-id", poolID, "--client-id", clientID,
		"--json", js, "--junit", junit)
	cmd.Env = motoEnv(dir, "AWS_REGION=us-east-1")
	cmd.WaitDelay = 10 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err = cmd.Run()
	took := time.Since(start)
	code := cmd.ProcessState.ExitCode()
	if runCtx.Err() != nil {
		t.Fatalf("conform did not finish within its timeout (%s)\nstdout:\n%s\nstderr:\n%s", took.Round(time.Second), motoTail(stdout.String(), 60), stderr.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("running conform: %v", err)
	}
	if code != exitcode.OK && code != exitcode.ConformanceFailed {
		t.Fatalf("conform exited %d, want %d or %d (a completed run)\nstdout:\n%s\nstderr:\n%s",
			code, exitcode.OK, exitcode.ConformanceFailed, motoTail(stdout.String(), 60), stderr.String())
	}
	t.Logf("conform against moto: exit %d in %s", code, took.Round(time.Millisecond))

	rep := readMotoReport(t, js)
	checkMotoReport(t, rep, code)
	checkMotoJUnit(t, junit, len(rep.Specs))
	logMotoResults(t, rep)
}

// motoReport is the part of conform's JSON report (authbench.report/v1) checked here.
type motoReport struct {
	Schema  string `json:"schema"`
	Kind    string `json:"kind"`
	Target  string `json:"target"`
	Passed  int    `json:"passed"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
	Specs   []struct {
		Name       string   `json:"name"`
		Labels     []string `json:"labels"`
		State      string   `json:"state"`
		SkipReason string   `json:"skip_reason"`
		Failure    string   `json:"failure"`
	} `json:"specs"`
}

func readMotoReport(t *testing.T, path string) motoReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("JSON report: %v", err)
	}
	var rep motoReport
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("JSON report %s: %v", path, err)
	}
	return rep
}

// motoLacks are labels of specs that need what a plain moto pool and public client do
// not have (MFA, remembered devices, custom-auth triggers, a client secret): the
// live target must skip them, with its reason.
var motoLacks = []string{"family:mfa", "family:mfa-setup", "family:devices", "family:custom", "client:secret"}

func checkMotoReport(t *testing.T, rep motoReport, code int) {
	t.Helper()
	if rep.Schema != "authbench.report/v1" || rep.Kind != "conform" || rep.Target != "live" {
		t.Errorf("report header: schema %q kind %q target %q", rep.Schema, rep.Kind, rep.Target)
	}
	if len(rep.Specs) == 0 {
		t.Fatal("the report lists no specs")
	}
	if n := rep.Passed + rep.Failed + rep.Skipped; n != len(rep.Specs) {
		t.Errorf("totals %d passed + %d failed + %d skipped = %d, but %d specs are listed", rep.Passed, rep.Failed, rep.Skipped, n, len(rep.Specs))
	}
	if (code == exitcode.ConformanceFailed) != (rep.Failed > 0) {
		t.Errorf("exit %d with %d failed specs", code, rep.Failed)
	}
	var passed, failed, skipped int
	for _, s := range rep.Specs {
		switch {
		case s.State == "":
			t.Errorf("spec without a state: %s", s.Name)
		case s.State == "passed":
			passed++
		case s.State == "skipped" || s.State == "pending":
			skipped++
			if strings.TrimSpace(s.SkipReason) == "" {
				t.Errorf("skipped without a reason: %s", s.Name)
			}
		default: // failed, panicked, timedout, …
			failed++
			if strings.TrimSpace(s.Failure) == "" {
				t.Errorf("%s without a failure message: %s", s.State, s.Name)
			}
		}
		for _, l := range motoLacks {
			if slices.Contains(s.Labels, l) && s.State != "skipped" {
				t.Errorf("%s (%s) is %s on a plain moto pool; want skipped with a reason", s.Name, l, s.State)
			}
		}
	}
	if passed != rep.Passed || failed != rep.Failed || skipped != rep.Skipped {
		t.Errorf("states count %d/%d/%d, totals say %d/%d/%d", passed, failed, skipped, rep.Passed, rep.Failed, rep.Skipped)
	}
	if passed+failed == 0 {
		t.Error("no spec ran against moto")
	} else if passed == 0 {
		t.Error("no spec passed against moto: the target does not work at all")
	}
}

func checkMotoJUnit(t *testing.T, path string, specs int) {
	t.Helper()
	var suites struct {
		XMLName xml.Name `xml:"testsuites"`
		Tests   int      `xml:"tests,attr"`
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("JUnit report: %v", err)
		return
	}
	if err := xml.Unmarshal(b, &suites); err != nil || suites.Tests < specs {
		t.Errorf("JUnit report: %v, %d tests for %d specs", err, suites.Tests, specs)
	}
}

// logMotoResults logs what failed on moto and why, what was skipped and why, and the
// totals.
func logMotoResults(t *testing.T, rep motoReport) {
	t.Helper()
	var b strings.Builder
	w := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "STATE\tSPEC\tWHY")
	for _, s := range rep.Specs {
		if s.State != "passed" && s.State != "skipped" {
			fmt.Fprintf(w, "%s\t%s\t%s\n", s.State, s.Name, motoFailureGist(s.Failure))
		}
	}
	reasons := map[string]int{}
	for _, s := range rep.Specs {
		if s.State == "skipped" {
			reasons[firstLine(s.SkipReason)]++
		}
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "skipped\t%d specs\t%s\n", reasons[k], k)
	}
	w.Flush()
	for _, s := range rep.Specs {
		if s.State == "passed" {
			fmt.Fprintf(&b, "passed  %s\n", s.Name)
		}
	}
	t.Logf("specs against moto:\n%s%d passed, %d failed, %d skipped", b.String(), rep.Passed, rep.Failed, rep.Skipped)
}

// motoGomegaNoise matches what makes Gomega's messages long without saying more: object
// headers with addresses, and indentation.
var (
	motoGomegaNoise = regexp.MustCompile(`<\*?[\w.]+ \| 0x[0-9a-f]+>:?`)
	motoSpaces      = regexp.MustCompile(`\s+`)
)

// motoFailureGist is the start of a failure message on one line (Gomega's first line is
// often just "Expected", so a few lines are joined).
func motoFailureGist(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	var keep []string
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "{" || len(keep) == 5 {
			break
		}
		if l != "" {
			keep = append(keep, l)
		}
	}
	s := strings.Join(keep, " ")
	s = strings.TrimSpace(motoSpaces.ReplaceAllString(motoGomegaNoise.ReplaceAllString(s, " "), " "))
	if len(s) > 220 {
		s = s[:220] + "…"
	}
	return s
}

// motoBuildCLI builds cmd/authbench from the module root into bin.
func motoBuildCLI(ctx context.Context, goTool, bin string) error {
	gomod, err := exec.CommandContext(ctx, goTool, "env", "GOMOD").Output()
	if err != nil {
		return fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Join("..", "..") // internal/cli → the module root
	if p := strings.TrimSpace(string(gomod)); p != "" && p != os.DevNull {
		root = filepath.Dir(p)
	}
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, "./cmd/authbench")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/authbench: %w\n%s", err, out)
	}
	return nil
}

// motoEnv is the environment without the caller's AWS settings, with moto's test
// credentials and no shared config files, plus extra.
func motoEnv(dir string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	none := filepath.Join(dir, "no-aws-config")
	env = append(env, "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_CONFIG_FILE="+none, "AWS_SHARED_CREDENTIALS_FILE="+none, "AWS_EC2_METADATA_DISABLED=true")
	return append(env, extra...)
}

// startMoto starts moto_server on a free loopback port in its own process group,
// waits until it answers, and stops the whole group when the test ends. It returns
// moto's URL.
func startMoto(t *testing.T, ctx context.Context, motoPath, dir string) string {
	t.Helper()
	port := motoFreePort(t)
	logPath := filepath.Join(dir, "moto.log")
	logf, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(motoPath, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = motoEnv(dir, "AWS_DEFAULT_REGION=us-east-1")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		pgid := cmd.Process.Pid // Setpgid: the group is the leader's pid
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-exited
		}
		// Children that outlived the leader are in the group still.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	})

	url := "http://127.0.0.1:" + strconv.Itoa(port)
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(waitCtx, http.MethodGet, url+"/moto-api/", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			return url
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server exited before answering:\n%s", b)
		case <-waitCtx.Done():
			b, _ := os.ReadFile(logPath)
			t.Fatalf("moto_server did not answer on %s within 30 s: %v\n%s", url, err, b)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func motoFreePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// createMotoPool creates a pool and a public app client in moto. The pool aliases and
// auto-verifies email (so the alias and sign-up specs run); it has no MFA, devices,
// triggers or secret, which the live target must answer with skips.
func createMotoPool(t *testing.T, ctx context.Context, endpoint string) (poolID, clientID string) {
	t.Helper()
	c := cip.New(cip.Options{
		BaseEndpoint: aws.String(endpoint),
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("testing", "testing", ""),
	})
	pool, err := c.CreateUserPool(ctx, &cip.CreateUserPoolInput{
		PoolName:               aws.String("authbench-conform-moto"),
		AliasAttributes:        []types.AliasAttributeType{types.AliasAttributeTypeEmail},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail},
	})
	if err != nil {
		t.Fatalf("CreateUserPool: %v", err)
	}
	poolID = aws.ToString(pool.UserPool.Id)
	client, err := c.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{
		UserPoolId:     aws.String(poolID),
		ClientName:     aws.String("authbench-conform"),
		GenerateSecret: false,
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{
			types.ExplicitAuthFlowsTypeAllowUserSrpAuth,
			types.ExplicitAuthFlowsTypeAllowUserPasswordAuth,
			types.ExplicitAuthFlowsTypeAllowRefreshTokenAuth,
			types.ExplicitAuthFlowsTypeAllowCustomAuth,
		},
	})
	if err != nil {
		t.Fatalf("CreateUserPoolClient: %v", err)
	}
	return poolID, aws.ToString(client.UserPoolClient.ClientId)
}

// motoTail returns the last n lines of s.
func motoTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
