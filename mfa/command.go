package mfa

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"time"
)

// DefaultCommandTimeout bounds one run of a Command whose Timeout is zero.
const DefaultCommandTimeout = 2 * time.Minute

// Environment variables a Command's program receives, one per Request field.
const (
	EnvPoolID      = "AUTHBENCH_POOL_ID"
	EnvUsername    = "AUTHBENCH_USERNAME"
	EnvMedium      = "AUTHBENCH_MEDIUM"
	EnvPurpose     = "AUTHBENCH_PURPOSE"
	EnvDestination = "AUTHBENCH_DESTINATION"
	// EnvAfter holds Request.After in RFC 3339 with nanoseconds, or "" for the zero time.
	EnvAfter = "AUTHBENCH_AFTER"
)

const (
	maxStdout      = 64 << 10 // bytes of stdout kept
	maxStderr      = 4 << 10  // bytes of stderr kept
	stderrInError  = 300      // bytes of stderr shown in an error
	commandWaitEnd = time.Second
)

// codePattern is what a code printed by a Command must look like.
var codePattern = regexp.MustCompile(`^[0-9A-Za-z-]{4,64}$`)

// Command is a Source that runs an external program, typically a team script that
// fetches the code from wherever a live pool delivers it (a test inbox, an SMS
// gateway's API). The program is run directly, without a shell, with the Request in
// the AUTHBENCH_* environment variables (EnvPoolID, ...) added to its environment.
// The code is the first non-empty line of its standard output, trimmed; it must
// match ^[0-9A-Za-z-]{4,64}$, except for PurposeTemporaryPassword, where any 4 to
// 256 printable ASCII characters without spaces are accepted. A program that exits
// with a non-zero status, prints no valid code, or outlives ctx or Timeout yields a
// *NoCodeError that includes the start of its standard error.
//
// A Command holds no state and is safe for concurrent use.
type Command struct {
	// Args is the program and its arguments, for example
	// []string{"./fetch-code.sh", "--inbox", "qa"}. This member is required.
	Args []string
	// Timeout bounds one run. Zero means DefaultCommandTimeout.
	Timeout time.Duration
	// Env is the environment the AUTHBENCH_* variables are added to. Nil means the
	// environment of the current process.
	Env []string
	// Dir is the program's working directory. Empty means the current directory.
	Dir string
}

// Code runs the program once and returns the code it prints.
func (c Command) Code(ctx context.Context, r Request) (string, error) {
	if len(c.Args) == 0 || c.Args[0] == "" {
		return "", newNoCode("command", r, "no program configured", nil)
	}
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCommandTimeout
	}
	runCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	cmd := exec.CommandContext(runCtx, c.Args[0], c.Args[1:]...)
	env := c.Env
	if env == nil {
		env = os.Environ()
	}
	after := ""
	if !r.After.IsZero() {
		after = r.After.Format(time.RFC3339Nano)
	}
	cmd.Env = append(env[:len(env):len(env)],
		EnvPoolID+"="+r.PoolID,
		EnvUsername+"="+r.Username,
		EnvMedium+"="+r.Medium,
		EnvPurpose+"="+r.Purpose,
		EnvDestination+"="+r.Destination,
		EnvAfter+"="+after,
	)
	cmd.Dir = c.Dir
	stdout := &capWriter{max: maxStdout}
	stderr := &capWriter{max: maxStderr}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	// A program whose children keep stdout open must not hold Wait forever once
	// it has been killed.
	cmd.WaitDelay = commandWaitEnd

	name := quote(c.Args[0])
	err := cmd.Run()
	if errors.Is(err, exec.ErrWaitDelay) && cmd.ProcessState != nil && cmd.ProcessState.Success() {
		// The program succeeded but something it started kept its output open;
		// what it printed is all there is.
		err = nil
	}
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return "", newNoCode("command", r, name+" was stopped"+c.stderrNote(stderr), ctx.Err())
		case runCtx.Err() != nil:
			return "", newNoCode("command", r, fmt.Sprintf("%s timed out after %v%s", name, timeout, c.stderrNote(stderr)), runCtx.Err())
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return "", newNoCode("command", r, fmt.Sprintf("%s failed (%v)%s", name, exit.ProcessState, c.stderrNote(stderr)), err)
		}
		return "", newNoCode("command", r, name+" could not run"+c.stderrNote(stderr), err)
	}
	code, err := parseCommandOutput(stdout.Bytes(), r.Purpose)
	if err != nil {
		return "", newNoCode("command", r, name+": "+err.Error()+c.stderrNote(stderr), nil)
	}
	return code, nil
}

func (c Command) stderrNote(w *capWriter) string {
	s := strings.TrimSpace(string(w.Bytes()))
	if s == "" {
		return ""
	}
	return "; stderr: " + truncate(s, stderrInError)
}

// parseCommandOutput returns the first non-empty line of out, trimmed, after
// checking that it looks like a code for purpose. Its errors never quote out.
func parseCommandOutput(out []byte, purpose string) (string, error) {
	for line := range strings.Lines(string(out)) {
		s := strings.TrimSpace(line)
		if s == "" {
			continue
		}
		if purpose == PurposeTemporaryPassword {
			if !isTemporaryPassword(s) {
				return "", fmt.Errorf("output line of %d bytes is not a temporary password", len(s))
			}
			return s, nil
		}
		if !codePattern.MatchString(s) {
			return "", fmt.Errorf("output line of %d bytes is not a code (want 4 to 64 letters, digits or '-')", len(s))
		}
		return s, nil
	}
	return "", errors.New("printed no code")
}

// isTemporaryPassword reports whether s could be a Cognito temporary password:
// 4 to 256 printable ASCII characters, no spaces.
func isTemporaryPassword(s string) bool {
	if len(s) < 4 || len(s) > 256 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// capWriter keeps the first max bytes written to it and discards the rest, while
// reporting every write as complete so the program is not disturbed.
type capWriter struct {
	max int
	buf bytes.Buffer
}

func (w *capWriter) Write(p []byte) (int, error) {
	if room := w.max - w.buf.Len(); room > 0 {
		w.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (w *capWriter) Bytes() []byte { return w.buf.Bytes() }
