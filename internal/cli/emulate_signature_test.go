package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/authbench/authbench/internal/emulatortest"
)

// TestEmulateSignatureFlags: a pool beyond loopback or with --require-signature
// needs an access key (one line, exit 2, before binding); the secret comes from a
// file or the environment, never a flag; with --require-signature a signed SDK client
// is served, an unsigned one refused, and the secret is never printed.
func TestEmulateSignatureFlags(t *testing.T) {
	for _, args := range [][]string{
		{"emulate", "--addr", "0.0.0.0:0"},
		{"emulate", "--addr", "127.0.0.1:0", "--require-signature"},
	} {
		code, stdout, stderr := run(t, args...)
		oneUsageLine(t, code, stderr, "--access-key-id", "--secret-access-key-file", "AWS_ACCESS_KEY_ID")
		if stdout != "" {
			t.Errorf("%v: the pool started: %q", args, stdout)
		}
	}
	code, _, stderr := run(t, "emulate", "--addr", "127.0.0.1:0", "--access-key-id", "AKIDONLY")
	oneUsageLine(t, code, stderr, "--secret-access-key-file")
	code, _, stderr = run(t, "emulate", "--addr", "127.0.0.1:0", "--public-url", "ftp://pool")
	oneUsageLine(t, code, stderr, "--public-url")
	code, _, stderr = run(t, "emulate", "--addr", "127.0.0.1:0", "--access-key-id", "AKID", "--secret-access-key-file", filepath.Join(t.TempDir(), "none"))
	oneUsageLine(t, code, stderr, "--secret-access-key-file")

	const keyID, secret = "AKIAEMULATECLITEST01", "emulate-cli-secret-never-printed-000000"
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	errb := &syncBuffer{}
	env := Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: errb, Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, env, []string{"emulate", "--addr", "127.0.0.1:0", "--require-signature",
			"--access-key-id", keyID, "--secret-access-key-file", secretFile})
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	endpoint := ""
	for sc.Scan() {
		if ep, ok := strings.CutPrefix(sc.Text(), "authbench emulate: Cognito endpoint "); ok {
			endpoint = strings.TrimSpace(ep)
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if endpoint == "" {
		t.Fatalf("emulate printed no endpoint; stderr %q", errb.String())
	}
	defer func() {
		cancel()
		<-done
	}()
	signed := cip.New(cip.Options{BaseEndpoint: aws.String(endpoint), Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keyID, secret, ""), HTTPClient: emulatortest.HTTPClient()})
	if _, err := signed.ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)}); err != nil {
		t.Fatalf("signed ListUserPools: %v", err)
	}
	_, err := emulatortest.NewClient(endpoint).ListUserPools(ctx, &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	emulatortest.APIError(t, err, "MissingAuthenticationTokenException", "Missing Authentication Token")
	if strings.Contains(errb.String(), secret) {
		t.Errorf("the secret was printed: %q", errb.String())
	}
}

// TestEmulateAccessKey: --access-key-id takes its secret from the file or
// AUTHBENCH_EMULATOR_SECRET_ACCESS_KEY; without it AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY are used; half a key is a usage error.
func TestEmulateAccessKey(t *testing.T) {
	envOf := func(kv map[string]string) Env { return Env{Getenv: func(k string) string { return kv[k] }} }
	cases := []struct {
		name            string
		vars            map[string]string
		keyID           string
		wantID, wantSec string
		wantErr         bool
	}{
		{"none", nil, "", "", "", false},
		{"flag and env secret", map[string]string{envEmulatorSecret: "s1", "AWS_ACCESS_KEY_ID": "A2", "AWS_SECRET_ACCESS_KEY": "s2"}, "A1", "A1", "s1", false},
		{"AWS variables", map[string]string{"AWS_ACCESS_KEY_ID": "A2", "AWS_SECRET_ACCESS_KEY": "s2"}, "", "A2", "s2", false},
		{"AWS id without secret", map[string]string{"AWS_ACCESS_KEY_ID": "A2"}, "", "", "", false},
		{"flag without secret", map[string]string{"AWS_SECRET_ACCESS_KEY": "s2"}, "A1", "", "", true},
		{"secret without flag", map[string]string{envEmulatorSecret: "s1"}, "", "", "", true},
	}
	for _, c := range cases {
		id, sec, err := emulateAccessKey(envOf(c.vars), c.keyID, "")
		if (err != nil) != c.wantErr || id != c.wantID || sec != c.wantSec {
			t.Errorf("%s: got %q %q %v", c.name, id, sec, err)
		}
	}
}
