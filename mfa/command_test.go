package mfa_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/mfa"
)

// helperModeEnv selects what TestHelperProcess does when the test binary is run
// again as a Command's program.
const helperModeEnv = "MFA_TEST_HELPER_MODE"

// TestHelperProcess is not a test: it is the program the Command tests run, by
// re-executing the test binary. It does nothing unless helperModeEnv is set.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(helperModeEnv)
	if mode == "" {
		t.Skip("helper process only")
	}
	switch mode {
	case "env":
		// Record the AUTHBENCH_* variables for the test to check, then print a
		// code after blank lines and surrounded by spaces.
		got := map[string]string{}
		for _, kv := range os.Environ() {
			if k, v, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "AUTHBENCH_") || k == "KEEP_ME" {
				got[k] = v
			}
		}
		b, _ := json.Marshal(got)
		if err := os.WriteFile(os.Getenv("MFA_TEST_HELPER_OUT"), b, 0o600); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		fmt.Print("\n  \r\n  123456  \nsecond line is ignored\n")
	case "print":
		fmt.Print(os.Getenv("MFA_TEST_HELPER_PRINT"))
	case "fail":
		fmt.Println("654321")
		fmt.Fprint(os.Stderr, "no mail for alice yet\n"+strings.Repeat("x", 2000))
		os.Exit(7)
	case "hang":
		fmt.Fprintln(os.Stderr, "waiting for the inbox")
		time.Sleep(time.Minute)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
	os.Exit(0)
}

// helper returns a Command running TestHelperProcess in the given mode. Under the
// race detector a program sleeps a second at exit unless told not to.
func helper(mode string, env ...string) mfa.Command {
	base := append(os.Environ(), helperModeEnv+"="+mode, "GORACE=atexit_sleep_ms=0")
	return mfa.Command{
		Args: []string{os.Args[0], "-test.run=^TestHelperProcess$"},
		Env:  append(base, env...),
	}
}

func TestCommandPassesRequest(t *testing.T) {
	t.Parallel()
	out := filepath.Join(t.TempDir(), "env.json")
	c := helper("env", "MFA_TEST_HELPER_OUT="+out, "KEEP_ME=yes")
	r := mfa.Request{
		PoolID: "us-east-1_AbCdEf123", Username: "alice-canonical", Medium: mfa.MediumEmail,
		Purpose: mfa.PurposeMFA, Destination: "a***@e***",
		After: time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC),
	}
	got, err := c.Code(t.Context(), r)
	if err != nil {
		t.Fatal(err)
	}
	if got != "123456" {
		t.Errorf("code = %q, want 123456", got)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var env map[string]string
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"AUTHBENCH_POOL_ID":     "us-east-1_AbCdEf123",
		"AUTHBENCH_USERNAME":    "alice-canonical",
		"AUTHBENCH_MEDIUM":      "EMAIL",
		"AUTHBENCH_PURPOSE":     "MFA",
		"AUTHBENCH_DESTINATION": "a***@e***",
		"AUTHBENCH_AFTER":       "2026-03-04T05:06:07.890123456Z",
		// The rest of the environment is kept.
		"KEEP_ME": "yes",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
}

func TestCommandOutput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		purpose string
		stdout  string
		want    string // "" when an error is expected
	}{
		{"digits", "MFA", "123456\n", "123456"},
		{"no newline", "MFA", "123456", "123456"},
		{"blank lines and spaces first", "MFA", "\n\t\n  0042-ab \n", "0042-ab"},
		{"crlf", "SIGN_UP", "987654\r\n", "987654"},
		{"space inside", "MFA", "123 456\n", ""},
		{"too short", "MFA", "123\n", ""},
		{"too long", "MFA", strings.Repeat("1", 65), ""},
		{"symbols", "MFA", "12345!\n", ""},
		{"nothing", "MFA", "", ""},
		{"only blank lines", "MFA", "\n \n\t\n", ""},
		{"temporary password with symbols", "TEMPORARY_PASSWORD", "Tmp!pa55^word\n", "Tmp!pa55^word"},
		{"temporary password with a space", "TEMPORARY_PASSWORD", "Tmp pa55\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := helper("print", "MFA_TEST_HELPER_PRINT="+tt.stdout)
			got, err := c.Code(t.Context(), mfa.Request{Username: "alice", Purpose: tt.purpose})
			if tt.want == "" {
				if !errors.Is(err, mfa.ErrNoCode) {
					t.Fatalf("got %q, %v; want ErrNoCode", got, err)
				}
				// The error names the command, whose temporary path may hold the
				// output's characters by chance: look only at the rest.
				msg := strings.ReplaceAll(err.Error(), os.Args[0], "")
				if s := strings.TrimSpace(tt.stdout); s != "" && strings.Contains(msg, s) {
					t.Fatalf("error %q quotes the output", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCommandFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		c       mfa.Command
		ctx     func(context.Context) (context.Context, context.CancelFunc)
		check   func(t *testing.T, err error)
		maxTime time.Duration
	}{
		{
			name: "non-zero exit",
			c:    helper("fail"),
			check: func(t *testing.T, err error) {
				var exit *exec.ExitError
				if !errors.As(err, &exit) || exit.ExitCode() != 7 {
					t.Errorf("err = %v, want exit status 7", err)
				}
				if !strings.Contains(err.Error(), "no mail for alice yet") {
					t.Errorf("error %q lacks stderr", err)
				}
				if len(err.Error()) > 800 {
					t.Errorf("error is %d bytes long; stderr should be cut", len(err.Error()))
				}
				if strings.Contains(err.Error(), "654321") {
					t.Errorf("error %q quotes stdout", err)
				}
			},
		},
		{
			name: "ctx deadline",
			c:    helper("hang"),
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				return context.WithTimeout(ctx, 300*time.Millisecond)
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("err = %v, want DeadlineExceeded", err)
				}
			},
			maxTime: 5 * time.Second,
		},
		{
			name: "own timeout",
			c: func() mfa.Command {
				c := helper("hang")
				c.Timeout = 300 * time.Millisecond
				return c
			}(),
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "timed out after 300ms") {
					t.Errorf("err = %v, want a timeout", err)
				}
			},
			maxTime: 5 * time.Second,
		},
		{
			name: "already cancelled",
			c:    helper("env"),
			ctx: func(ctx context.Context) (context.Context, context.CancelFunc) {
				ctx, cancel := context.WithCancel(ctx)
				cancel()
				return ctx, cancel
			},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("err = %v, want Canceled", err)
				}
			},
		},
		{
			name: "no program",
			c:    mfa.Command{},
			check: func(t *testing.T, err error) {
				if err == nil {
					t.Error("no error")
				}
			},
		},
		{
			name: "program not found",
			c:    mfa.Command{Args: []string{filepath.Join(t.TempDir(), "no-such-program")}},
			check: func(t *testing.T, err error) {
				if !errors.Is(err, os.ErrNotExist) {
					t.Errorf("err = %v, want ErrNotExist", err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := t.Context(), context.CancelFunc(func() {})
			if tt.ctx != nil {
				ctx, cancel = tt.ctx(ctx)
			}
			defer cancel()
			start := time.Now()
			got, err := tt.c.Code(ctx, mfa.Request{Username: "alice", Medium: "SMS", Purpose: "MFA"})
			if got != "" || !errors.Is(err, mfa.ErrNoCode) {
				t.Fatalf("got %q, %v; want ErrNoCode", got, err)
			}
			if !strings.Contains(err.Error(), `"alice"`) {
				t.Errorf("error %q does not name the user", err)
			}
			tt.check(t, err)
			if tt.maxTime > 0 && time.Since(start) > tt.maxTime {
				t.Errorf("took %v", time.Since(start))
			}
		})
	}
}
