package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/internal/exitcode"
)

// runIn runs a command line with the given standard input and environment.
func runIn(t *testing.T, stdin string, envVars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return envVars[k] }, Now: time.Now, Random: rand.Reader}
	return Run(t.Context(), env, args), out.String(), errb.String()
}

// TestSignin walks sign-ins against the embedded pool's default fixture.
func TestSignin(t *testing.T) {
	tests := []struct {
		name    string
		stdin   string
		env     map[string]string
		args    []string
		code    int
		steps   []string // the steps printed, in order
		stderrs string
	}{
		{name: "SRP done", args: []string{"--username", "confirmed", "--password", "Confirmed-Passw0rd"}, steps: []string{"done"}},
		{name: "password flow, JS dialect, password from the environment", env: map[string]string{"AUTHBENCH_PASSWORD": "Confirmed-Passw0rd"},
			args: []string{"--username", "confirmed@example.com", "--flow", "password", "--dialect", "js"}, steps: []string{"done"}},
		{name: "secret client", args: []string{"--username", "confirmed", "--password", "Confirmed-Passw0rd", "--client-id", "authbenchsecretclient01"}, steps: []string{"done"}},
		{name: "new password from a flag", args: []string{"--username", "newpassword", "--password", "Temporary-Passw0rd", "--new-password", "N3w-Passw0rd!"},
			steps: []string{"confirmSignInWithNewPassword", "done"}},
		{name: "new password and attribute from the terminal", stdin: "na@example.com\nN3w-Passw0rd!\n",
			args: []string{"--username", "needsattributes", "--password", "Temporary-Passw0rd"}, steps: []string{"confirmSignInWithNewPassword", "done"}},
		{name: "missing answer without prompting", args: []string{"--username", "needsattributes", "--password", "Temporary-Passw0rd", "--no-prompt"},
			code: exitcode.Usage, steps: []string{"confirmSignInWithNewPassword"}, stderrs: "--no-prompt"},
		{name: "unconfirmed", args: []string{"--username", "unconfirmed", "--password", "Unconfirmed-Passw0rd"}, steps: []string{"confirmSignUp"}},
		{name: "reset required", args: []string{"--username", "resetrequired", "--password", "Old-Passw0rd-Reset"}, steps: []string{"resetPassword"}},
		{name: "wrong password", args: []string{"--username", "confirmed", "--password", "Wrong-Passw0rd"}, code: exitcode.Failure, stderrs: "NotAuthorizedException: Incorrect username or password."},
		{name: "disabled", args: []string{"--username", "disabled", "--password", "Disabled-Passw0rd"}, code: exitcode.Failure, stderrs: "User is disabled."},
		{name: "bad flow", args: []string{"--username", "x", "--flow", "magic"}, code: exitcode.Usage, stderrs: "--flow"},
		{name: "bad attribute", args: []string{"--username", "x", "--attribute", "novalue"}, code: exitcode.Usage, stderrs: "--attribute"},
		{name: "no username", args: []string{}, code: exitcode.Usage, stderrs: "--username is required"},
		{name: "pool without client", args: []string{"--username", "x", "--pool-id", "us-east-1_abc", "--endpoint", "http://127.0.0.1:1"}, code: exitcode.Usage, stderrs: "--client-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, asJSON := range []bool{false, true} {
				args := append([]string{"signin"}, tt.args...)
				if asJSON {
					args = append(args, "--json")
				}
				code, out, stderr := runIn(t, tt.stdin, tt.env, args...)
				if code != tt.code {
					t.Fatalf("json=%v: exit %d, want %d\nstdout: %s\nstderr: %s", asJSON, code, tt.code, out, stderr)
				}
				if !strings.Contains(stderr, tt.stderrs) {
					t.Errorf("stderr %q lacks %q", stderr, tt.stderrs)
				}
				var steps []string
				for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
					if line == "" {
						continue
					}
					if asJSON {
						var l struct {
							SignInStep string `json:"signInStep"`
							JSStep     string `json:"jsSignInStep"`
						}
						if err := json.Unmarshal([]byte(line), &l); err != nil || l.JSStep == "" {
							t.Fatalf("not a step line: %q (%v)", line, err)
						}
						steps = append(steps, l.SignInStep)
					} else if rest, ok := strings.CutPrefix(line, "→ "); ok {
						steps = append(steps, strings.Fields(rest)[0])
					}
				}
				if strings.Join(steps, ",") != strings.Join(tt.steps, ",") {
					t.Errorf("json=%v: steps %v, want %v\n%s", asJSON, steps, tt.steps, out)
				}
				// Secrets never print: passwords, tokens, the client secret.
				all := out + stderr
				for _, secret := range []string{"Passw0rd", "eyJ", "authbench-fixture-client-secret"} {
					if strings.Contains(all, secret) {
						t.Errorf("output contains %q:\n%s", secret, all)
					}
				}
			}
		})
	}
}
