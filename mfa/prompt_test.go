package mfa_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/mfa"
)

func TestPrompt(t *testing.T) {
	t.Parallel()
	emailMFA := mfa.Request{Username: "alice", Medium: "EMAIL", Purpose: "MFA", Destination: "a***@e***"}
	tests := []struct {
		name     string
		in       string
		r        mfa.Request
		attempts int
		want     string // "" when an error is expected
		wantErr  error
		wantOut  string
	}{
		{
			name: "one answer", in: "123456\n", r: emailMFA, want: "123456",
			wantOut: "Code sent by EMAIL to a***@e*** for alice: ",
		},
		{
			name: "answer is trimmed, no final newline", in: "  654321 \r", r: emailMFA, want: "654321",
			wantOut: "Code sent by EMAIL to a***@e*** for alice: ",
		},
		{
			name: "empty lines ask again", in: "\n  \n777777\n", r: emailMFA, want: "777777",
			wantOut: strings.Repeat("Code sent by EMAIL to a***@e*** for alice: ", 3),
		},
		{
			name: "three empty lines give up", in: "\n\n\n888888\n", r: emailMFA, wantErr: mfa.ErrNoCode,
			wantOut: strings.Repeat("Code sent by EMAIL to a***@e*** for alice: ", 3),
		},
		{
			name: "attempts are configurable", in: "\n\n\n888888\n", r: emailMFA, attempts: 4, want: "888888",
			wantOut: strings.Repeat("Code sent by EMAIL to a***@e*** for alice: ", 4),
		},
		{
			name: "EOF gives up", in: "", r: emailMFA, wantErr: io.EOF,
			wantOut: "Code sent by EMAIL to a***@e*** for alice: ",
		},
		{
			name: "EOF after an empty line gives up", in: "\n", r: emailMFA, wantErr: io.EOF,
			wantOut: strings.Repeat("Code sent by EMAIL to a***@e*** for alice: ", 2),
		},
		{
			name: "sign-up code without destination", in: "121212\n",
			r: mfa.Request{Username: "bob", Medium: "SMS", Purpose: "SIGN_UP"}, want: "121212",
			wantOut: "SIGN_UP code sent by SMS for bob: ",
		},
		{
			name: "temporary password", in: "Tmp!pass 1\n",
			r: mfa.Request{Username: "carol", Medium: "EMAIL", Purpose: "TEMPORARY_PASSWORD"}, want: "Tmp!pass 1",
			wantOut: "Temporary password sent by EMAIL for carol: ",
		},
		{
			name: "control characters in fields are neutralised", in: "1\n",
			r: mfa.Request{Username: "eve\x1b[2J"}, want: "1",
			wantOut: "Code for eve [2J: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			p := mfa.NewPrompt(strings.NewReader(tt.in), &out, func(o *mfa.PromptOptions) { o.Attempts = tt.attempts })
			got, err := p.Code(t.Context(), tt.r)
			if tt.wantErr != nil {
				if !errors.Is(err, mfa.ErrNoCode) || !errors.Is(err, tt.wantErr) {
					t.Fatalf("got %q, %v; want %v", got, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), `"`+tt.r.Username+`"`) {
					t.Errorf("error %q does not name the user", err)
				}
			} else if err != nil || got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if out.String() != tt.wantOut {
				t.Errorf("wrote %q, want %q", out.String(), tt.wantOut)
			}
		})
	}
}

func TestPromptSuccessiveCalls(t *testing.T) {
	t.Parallel()
	// Buffered input is not lost between calls.
	var out bytes.Buffer
	p := mfa.NewPrompt(strings.NewReader("111111\n222222\n"), &out)
	for _, want := range []string{"111111", "222222"} {
		got, err := p.Code(t.Context(), mfa.Request{Username: "alice"})
		if err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
}

func TestPromptCancel(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	defer pw.Close()
	asked := make(chan string, 2)
	p := mfa.NewPrompt(pr, chanWriter(asked))

	// Nobody answers: cancelling returns at once.
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := p.Code(ctx, mfa.Request{Username: "alice", Medium: "SMS"})
		errc <- err
	}()
	<-asked // the question is out; the read starts right after
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) || !errors.Is(err, mfa.ErrNoCode) {
			t.Fatalf("err = %v, want ErrNoCode and Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Code did not return after cancellation")
	}

	// The read left pending serves the next call: the answer typed after the
	// second question is neither lost nor read twice.
	got := make(chan string, 1)
	go func() {
		c, err := p.Code(t.Context(), mfa.Request{Username: "alice", Medium: "SMS"})
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	<-asked
	if _, err := io.WriteString(pw, "313131\n"); err != nil {
		t.Fatal(err)
	}
	if c := <-got; c != "313131" {
		t.Fatalf("got %q, want 313131", c)
	}
}

func TestPromptWriteError(t *testing.T) {
	t.Parallel()
	p := mfa.NewPrompt(strings.NewReader("123456\n"), failWriter{})
	_, err := p.Code(t.Context(), mfa.Request{Username: "alice"})
	if !errors.Is(err, errClosed) || !errors.Is(err, mfa.ErrNoCode) {
		t.Fatalf("err = %v, want errClosed", err)
	}
}

// chanWriter sends each write to a channel.
type chanWriter chan string

func (w chanWriter) Write(b []byte) (int, error) {
	w <- string(b)
	return len(b), nil
}

var errClosed = errors.New("closed")

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errClosed }

func TestSourceFunc(t *testing.T) {
	t.Parallel()
	var src mfa.Source = mfa.SourceFunc(func(ctx context.Context, r mfa.Request) (string, error) {
		return r.Username + "-" + r.Purpose, nil
	})
	got, err := src.Code(t.Context(), mfa.Request{Username: "alice", Purpose: "OTP"})
	if err != nil || got != "alice-OTP" {
		t.Fatalf("got %q, %v", got, err)
	}
}

func TestNoCodeErrorText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *mfa.NoCodeError
		want string
	}{
		{
			&mfa.NoCodeError{Source: "outbox", Username: "alice", Medium: "SMS", Purpose: "MFA", Reason: "gave up waiting", Err: context.DeadlineExceeded},
			`mfa: outbox: no SMS MFA code for "alice": gave up waiting: context deadline exceeded`,
		},
		{
			&mfa.NoCodeError{Source: "prompt", Username: "bob", Reason: "3 empty answers"},
			`mfa: prompt: no code for "bob": 3 empty answers`,
		},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
		if !errors.Is(tt.err, mfa.ErrNoCode) {
			t.Errorf("%v does not match ErrNoCode", tt.err)
		}
	}
}
