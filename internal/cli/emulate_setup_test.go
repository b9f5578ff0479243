package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// needTool returns the path of a command the test needs; it skips without it, or
// fails when CI is set (CI must have everything `make test` installs).
func needTool(t *testing.T, name string, probe ...string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil && len(probe) > 0 {
		err = exec.Command(p, probe...).Run()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is needed: %v", name, err)
		}
		t.Skipf("%s is not usable here: %v", name, err)
	}
	return p
}

// TestSetupScriptAgainstEmulate runs a realistic app's boto3 setup script
// (emulator/testdata/setup/provision_app.py: custom attributes, groups with
// precedence and roles, a resource server, a domain, an identity provider, three
// clients) against `authbench emulate`, then signs the grouped user in with
// amazon-cognito-identity-js and aws-amplify and checks the cognito:groups, role and
// custom: claims of the tokens they verified against the pool's JWKS.
func TestSetupScriptAgainstEmulate(t *testing.T) {
	python := needTool(t, "python3", "-c", "import boto3")
	node := needTool(t, "node", "--version")
	interop := filepath.Join("..", "..", "emulator", "testdata", "interop")
	if _, err := os.Stat(filepath.Join(interop, "node_modules", "amazon-cognito-identity-js")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("interop clients are not installed (make deps runs npm ci): %v", err)
		}
		t.Skipf("interop clients are not installed: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	endpoint := startEmulateInProcess(t)

	cmd := exec.CommandContext(ctx, python, filepath.Join("..", "..", "emulator", "testdata", "setup", "provision_app.py"), "--endpoint", endpoint)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("provision_app.py: %v\n%s", err, stderr.String())
	}
	var app struct {
		PoolID, WebClientID, Username, Password string
		LegacyFlows                             []string
		LegacyPreventUserExistenceErrors        string
		CustomSchema, Groups                    []string
		Roles, Tags                             map[string]string
		ResourceServers, Providers              []string
		DomainPool, DescribeDomain              string
	}
	if err := json.Unmarshal(out, &app); err != nil {
		t.Fatalf("provision_app.py output %q: %v", out, err)
	}
	checks := []struct {
		what      string
		got, want any
	}{
		{"custom schema", app.CustomSchema, []string{"custom:beta", "custom:plan", "custom:seats", "custom:tenant_id"}},
		{"groups", app.Groups, []string{"admins", "editors", "readers"}},
		{"tags", app.Tags, map[string]string{"app": "shop", "env": "prod"}},
		{"resource servers", app.ResourceServers, []string{"https://api.shop.example"}},
		{"providers", app.Providers, []string{"Google"}},
		{"domain's pool", app.DomainPool, app.PoolID},
		{"DescribeUserPool domain", app.DescribeDomain, "shop-prod-auth"},
		{"legacy flows echoed", app.LegacyFlows, []string{"ADMIN_NO_SRP_AUTH"}},
		{"API client default", app.LegacyPreventUserExistenceErrors, "LEGACY"},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}

	for _, client := range []string{"identity-js", "amplify"} {
		cmd := exec.CommandContext(ctx, node, "claims.mjs", client, "--endpoint", endpoint, "--pool-id", app.PoolID,
			"--client-id", app.WebClientID, "--username", app.Username, "--password", app.Password)
		cmd.Dir = interop
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var res struct {
			OK     bool
			Error  string
			Claims struct {
				IDGroups, AccessGroups, Roles []string
				PreferredRole                 string
				EmailVerified                 bool
				Custom                        map[string]string
			}
		}
		if jerr := json.Unmarshal(out, &res); jerr != nil || err != nil || !res.OK {
			t.Fatalf("%s: %v %s\n%s", client, err, res.Error, stderr.String())
		}
		c := res.Claims
		want := []string{"admins", "editors", "readers"} // precedence 0, 5, then none
		if !reflect.DeepEqual(c.IDGroups, want) || !reflect.DeepEqual(c.AccessGroups, want) {
			t.Errorf("%s: cognito:groups id=%v access=%v, want %v", client, c.IDGroups, c.AccessGroups, want)
		}
		if wantRoles := []string{app.Roles["admins"], app.Roles["editors"]}; !reflect.DeepEqual(c.Roles, wantRoles) {
			t.Errorf("%s: cognito:roles = %v, want %v", client, c.Roles, wantRoles)
		}
		if c.PreferredRole != app.Roles["admins"] {
			t.Errorf("%s: cognito:preferred_role = %q, want %q", client, c.PreferredRole, app.Roles["admins"])
		}
		wantCustom := map[string]string{"custom:tenant_id": "tenant-42", "custom:plan": "pro", "custom:seats": "25", "custom:beta": "true"}
		if !reflect.DeepEqual(c.Custom, wantCustom) || !c.EmailVerified {
			t.Errorf("%s: custom claims %v (email_verified %v), want %v", client, c.Custom, c.EmailVerified, wantCustom)
		}
	}
}
