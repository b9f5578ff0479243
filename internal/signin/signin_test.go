package signin_test

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/internal/signin"
)

// TestRunEmbedded walks sign-ins on the embedded pool Run starts: the default
// fixture's users, answers from options and from the terminal, and a missing answer
// with prompting off.
func TestRunEmbedded(t *testing.T) {
	tests := []struct {
		name   string
		o      signin.Options
		stdin  string
		code   int
		stdout []string // the step lines printed, each as a prefix
	}{
		{name: "done", o: signin.Options{Username: "confirmed", Password: "Confirmed-Passw0rd"},
			stdout: []string{"→ done (DONE): signed in as confirmed"}},
		{name: "new password from the options", o: signin.Options{Username: "newpassword", Password: "Temporary-Passw0rd", NewPassword: "N3w-Passw0rd!"},
			stdout: []string{"→ confirmSignInWithNewPassword (CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED)", "→ done (DONE)"}},
		{name: "password and new password from the terminal", o: signin.Options{Username: "newpassword"}, stdin: "Temporary-Passw0rd\nN3w-Passw0rd!\n",
			stdout: []string{"→ confirmSignInWithNewPassword", "→ done (DONE)"}},
		{name: "missing attribute without prompting", o: signin.Options{Username: "needsattributes", Password: "Temporary-Passw0rd", NoPrompt: true},
			code: exitcode.Usage, stdout: []string{"→ confirmSignInWithNewPassword (CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED): missing attributes [email]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			o := tt.o
			o.Flow, o.Dialect = driver.UserSRPAuth, driver.Flutter
			o.Stdin, o.Stdout, o.Stderr, o.Now, o.Random = strings.NewReader(tt.stdin), &out, &errb, time.Now, rand.Reader
			err := signin.Run(t.Context(), o)
			if got := exitcode.Of(err); got != tt.code {
				t.Fatalf("exit code %d (%v), want %d\nstdout: %s\nstderr: %s", got, err, tt.code, out.String(), errb.String())
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != len(tt.stdout) {
				t.Fatalf("stdout %q, want %d lines", out.String(), len(tt.stdout))
			}
			for i, want := range tt.stdout {
				if !strings.HasPrefix(lines[i], want) {
					t.Errorf("line %d %q, want prefix %q", i, lines[i], want)
				}
			}
			if !strings.HasPrefix(errb.String(), "embedded pool us-east-1_AuthBench1 at http://127.0.0.1:") {
				t.Errorf("stderr %q lacks the embedded pool's line", errb.String())
			}
			if strings.Contains(out.String()+errb.String(), "Passw0rd") {
				t.Errorf("a password was printed:\n%s%s", out.String(), errb.String())
			}
		})
	}
}
