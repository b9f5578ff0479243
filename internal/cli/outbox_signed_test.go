package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// The access key of the signature-requiring pool these tests start.
const (
	outboxKeyID  = "AKIAOUTBOXCLI0000001"
	outboxSecret = "outbox-cli-secret/NeverPrinted+0123456789"
)

// startSignedMFAPool runs `authbench emulate --require-signature` in-process with
// the MFA fixture and the test key pair (the secret from a file) and returns its
// endpoint.
func startSignedMFAPool(t *testing.T) string {
	t.Helper()
	secretFile := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(secretFile, []byte(outboxSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return startEmulateInProcess(t, "--require-signature", "--access-key-id", outboxKeyID, "--secret-access-key-file", secretFile,
		"--fixture", filepath.Join("..", "..", "fixtures", "mfa.yaml"))
}

// setAWSKeys sets the AWS environment the Admin credentials (and so the outbox's
// signature) come from.
func setAWSKeys(t *testing.T, id, secret string) {
	t.Setenv("AWS_ACCESS_KEY_ID", id)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
}

// TestSigninSignedOutbox: `authbench signin --endpoint` of an SMS-MFA user of a pool
// started with `emulate --require-signature` reads the SMS code from the pool's
// outbox, signing with the pool's access key from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, and signs the user in. Without the keys, or with a wrong
// secret, it stops before the sign-in with one line saying that the outbox refused
// the request and to give the pool's access key, exit 2. The secret is never printed.
func TestSigninSignedOutbox(t *testing.T) {
	ep := startSignedMFAPool(t)
	args := []string{"signin", "--endpoint", ep, "--pool-id", "us-east-1_AuthBenchMFA", "--client-id", "authbenchmfaclient01",
		"--username", "sms", "--password", "Sms-Passw0rd", "--no-prompt"}

	t.Run("with the pool's key", func(t *testing.T) {
		setAWSKeys(t, outboxKeyID, outboxSecret)
		code, out, stderr := runIn(t, "", nil, args...)
		if code != exitcode.OK {
			t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, stderr)
		}
		if !strings.Contains(out, "confirmSignInWithSmsMfaCode") || !strings.Contains(out, "done") {
			t.Errorf("stdout %q: want the SMS code step, then done", out)
		}
		if strings.Contains(out+stderr, outboxSecret) {
			t.Error("the secret access key was printed")
		}
	})

	refusals := []struct {
		name, id, secret, want string
	}{
		{"without keys", "", "", "UnrecognizedClientException"}, // the loopback dummy key
		{"wrong secret", outboxKeyID, "not-the-pool-secret", "InvalidSignatureException"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			setAWSKeys(t, tt.id, tt.secret)
			code, out, stderr := runIn(t, "", nil, args...)
			if code != exitcode.Usage {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitcode.Usage, out, stderr)
			}
			line := strings.TrimSpace(stderr)
			if strings.Count(line, "\n") != 0 || !strings.Contains(line, "the pool's outbox refused the request: "+tt.want) ||
				!strings.Contains(line, "give the pool's access key") {
				t.Errorf("stderr %q: want one line saying the outbox refused the request (%s) and to give the key", stderr, tt.want)
			}
			if out != "" {
				t.Errorf("stdout %q: the sign-in must not start", out)
			}
			if strings.Contains(stderr, tt.secret) && tt.secret != "" || strings.Contains(stderr, outboxSecret) {
				t.Error("a secret access key was printed")
			}
		})
	}
}

// TestConformEndpointRefusedOutbox: `authbench conform --endpoint` of a pool that
// requires signatures, with a secret that is not the pool's, stops at once with the
// outbox's refusal (exit 2) instead of running the specs without codes.
func TestConformEndpointRefusedOutbox(t *testing.T) {
	ep := startSignedMFAPool(t)
	setAWSKeys(t, outboxKeyID, "not-the-pool-secret")
	code, out, stderr := runIn(t, "", nil, "conform", "--endpoint", ep, "--pool-id", "us-east-1_AuthBenchMFA", "--client-id", "authbenchmfaclient01")
	if code != exitcode.Usage {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, exitcode.Usage, out, stderr)
	}
	if !strings.Contains(stderr, "the pool's outbox refused the request: InvalidSignatureException") {
		t.Errorf("stderr %q lacks the outbox's refusal", stderr)
	}
	if strings.Contains(stderr, "not-the-pool-secret") || strings.Contains(stderr, outboxSecret) {
		t.Error("a secret access key was printed")
	}
}
