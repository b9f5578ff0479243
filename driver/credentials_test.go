package driver

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"
)

// clearAWSEnv leaves the test with no AWS credentials configured: no AWS_* variables,
// shared config files that do not exist, and the metadata service off.
func clearAWSEnv(t *testing.T) {
	dir := t.TempDir()
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		t.Setenv(k, "")
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "none"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("HOME", dir)
}

func accessKey(t *testing.T, poolID string, ep Endpoint) (string, error) {
	t.Helper()
	c, err := NewAdminClient(t.Context(), poolID, ep)
	if err != nil {
		return "", err
	}
	v, err := c.Options().Credentials.Retrieve(t.Context())
	if err != nil {
		t.Fatalf("the client's credentials: %v", err)
	}
	return v.AccessKeyID, nil
}

func TestNewAdminClientWithoutCredentials(t *testing.T) {
	clearAWSEnv(t)
	for _, url := range []string{"http://127.0.0.1:9229", "http://localhost:9229", "http://[::1]:9229"} {
		key, err := accessKey(t, "us-east-1_x", Endpoint{URL: url})
		if err != nil || key != LoopbackAccessKey {
			t.Errorf("%s: key %q, %v; want the dummy key %q", url, key, err, LoopbackAccessKey)
		}
	}
	for _, url := range []string{"http://192.0.2.1", ""} {
		_, err := accessKey(t, "eu-west-1_x", Endpoint{URL: url})
		var ce *CredentialsError
		if !errors.Is(err, ErrNoCredentials) || !errors.As(err, &ce) {
			t.Fatalf("%q: err %v, want a CredentialsError", url, err)
		}
		msg := err.Error()
		if strings.Contains(msg, "\n") || !strings.Contains(msg, "no AWS credentials found for the Admin calls to eu-west-1_x") ||
			!strings.Contains(msg, "AWS_PROFILE") || !strings.Contains(msg, "AWS_ACCESS_KEY_ID") || !strings.Contains(msg, "IAM role") || strings.Contains(msg, "(") {
			t.Errorf("%q: message %q", url, msg)
		}
	}
}

func TestNewAdminClientConfiguredCredentials(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDAUTHBENCHTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "not-a-secret")
	for _, url := range []string{"http://127.0.0.1:9229", "http://192.0.2.1", ""} {
		if key, err := accessKey(t, "us-east-1_x", Endpoint{URL: url}); err != nil || key != "AKIDAUTHBENCHTEST" {
			t.Errorf("%q: key %q, %v; want the environment's", url, key, err)
		}
	}
	// A loopback endpoint does not run what a shared config file names unasked.
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(cfg, []byte("[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = not-a-secret\n"+
		"[profile authbench]\naws_access_key_id = AKIDFROMPROFILE\naws_secret_access_key = not-a-secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	for url, want := range map[string]string{"http://127.0.0.1:9229": LoopbackAccessKey, "http://192.0.2.1": "AKIDFROMFILE"} {
		if key, err := accessKey(t, "us-east-1_x", Endpoint{URL: url}); err != nil || key != want {
			t.Errorf("%s with a shared config file: key %q, %v; want %q", url, key, err, want)
		}
	}
	t.Setenv("AWS_PROFILE", "authbench")
	if key, err := accessKey(t, "us-east-1_x", Endpoint{URL: "http://127.0.0.1:9229"}); err != nil || key != "AKIDFROMPROFILE" {
		t.Errorf("loopback with AWS_PROFILE: key %q, %v", key, err)
	}
	given := credentials.NewStaticCredentialsProvider("AKIDGIVEN", "s", "")
	if key, err := accessKey(t, "us-east-1_x", Endpoint{URL: "http://192.0.2.1", Credentials: given}); err != nil || key != "AKIDGIVEN" {
		t.Errorf("Endpoint.Credentials: key %q, %v", key, err)
	}
}

// TestNewAdminClientBrokenProfile: a named source that gives nothing keeps the SDK's
// reason, on the same line.
func TestNewAdminClientBrokenProfile(t *testing.T) {
	clearAWSEnv(t)
	t.Setenv("AWS_PROFILE", "authbench-no-such-profile")
	_, err := accessKey(t, "us-east-1_x", Endpoint{URL: "http://192.0.2.1"})
	if !errors.Is(err, ErrNoCredentials) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "authbench-no-such-profile") {
		t.Errorf("err %v, want one line naming the profile", err)
	}
	// A shared config file whose default profile fails says why too.
	t.Setenv("AWS_PROFILE", "")
	cfg := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(cfg, []byte("[default]\ncredential_process = false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", cfg)
	_, err = accessKey(t, "us-east-1_x", Endpoint{URL: "http://192.0.2.1"})
	if !errors.Is(err, ErrNoCredentials) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), " (") {
		t.Errorf("err %v, want one line with the SDK's reason", err)
	}
	// Against a loopback endpoint the same environment signs with the dummy key.
	if key, err := accessKey(t, "us-east-1_x", Endpoint{URL: "http://127.0.0.1:9229"}); err != nil || key != LoopbackAccessKey {
		t.Errorf("loopback: key %q, %v", key, err)
	}
}

func TestIMDSAvailable(t *testing.T) {
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(p string) ([]byte, error) {
			if v, ok := m[p]; ok {
				return []byte(v), nil
			}
			return nil, fs.ErrNotExist
		}
	}
	const vendor, tag, xen = "/sys/devices/virtual/dmi/id/sys_vendor", "/sys/devices/virtual/dmi/id/board_asset_tag", "/sys/hypervisor/uuid"
	tests := []struct {
		name  string
		env   string
		files map[string]string
		want  bool
	}{
		{"a laptop", "", map[string]string{vendor: "LENOVO\n"}, false},
		{"no DMI", "", nil, false},
		{"Nitro instance", "", map[string]string{vendor: "Amazon EC2\n"}, true},
		{"asset tag", "", map[string]string{tag: "i-0123456789abcdef0\n"}, true},
		{"Xen instance", "", map[string]string{xen: "ec2e1916-9099-7caf-fd21-012345abcdef\n"}, true},
		{"asked for", "false", nil, true},
		{"switched off on EC2", "true", map[string]string{vendor: "Amazon EC2\n"}, false},
	}
	for _, tt := range tests {
		env := sysEnv{getenv: func(k string) string {
			if k == "AWS_EC2_METADATA_DISABLED" {
				return tt.env
			}
			return ""
		}, readFile: files(tt.files)}
		if got := imdsAvailable(env); got != tt.want {
			t.Errorf("%s: imdsAvailable = %v, want %v", tt.name, got, tt.want)
		}
	}
}
