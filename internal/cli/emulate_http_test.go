package cli

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestEmulateHTTPFlags starts `emulate --allow-origin … --max-conns …` and checks
// that the named origin may call a list operation and another origin may not; a
// negative --max-conns exits 2 with one line.
func TestEmulateHTTPFlags(t *testing.T) {
	code, _, stderr := run(t, "emulate", "--max-conns", "-1")
	if code != exitcode.Usage || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("--max-conns -1: exit %d, stderr %q", code, stderr)
	}

	ctx := t.Context()
	endpoint := startEmulateInProcess(t, "--allow-origin", "http://localhost:3000", "--max-conns", "8")
	call := func(origin string) int {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint+"/", strings.NewReader(`{"MaxResults":10}`))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService.ListUserPools")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Origin", origin)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := call("http://localhost:3000"); got != http.StatusOK {
		t.Errorf("ListUserPools from the allowed origin: %d", got)
	}
	if got := call("http://evil.example"); got != http.StatusForbidden {
		t.Errorf("ListUserPools from another origin: %d", got)
	}
}
