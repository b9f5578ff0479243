//go:build linux

package mfa_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/authbench/authbench/mfa"
)

// ptyScreen is what the far end of a pseudo-terminal shows: the program's output
// and the echo of what is typed.
type ptyScreen struct {
	mu      sync.Mutex
	shown   bytes.Buffer
	changed chan struct{}
	done    chan struct{}
}

func openPTY(t *testing.T) (ptm, tty *os.File, s *ptyScreen) {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	s = &ptyScreen{changed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		buf := make([]byte, 1024)
		for {
			n, err := ptm.Read(buf)
			s.mu.Lock()
			s.shown.Write(buf[:n])
			close(s.changed)
			s.changed = make(chan struct{})
			s.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { tty.Close(); ptm.Close() })
	return ptm, tty, s
}

func (s *ptyScreen) waitShown(ctx context.Context, t *testing.T, want string) {
	t.Helper()
	for {
		s.mu.Lock()
		ok, ch, text := strings.Contains(s.shown.String(), want), s.changed, s.shown.String()
		s.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("the terminal never showed %q; it shows %q", want, text)
		}
	}
}

func (s *ptyScreen) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.shown.String()
}

// echoOn reports the terminal's ECHO mode.
func echoOn(t *testing.T, tty *os.File) bool {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

// waitEcho polls the terminal's modes until echo is as wanted: nothing reports
// their change as an event.
func waitEcho(ctx context.Context, t *testing.T, tty *os.File, want bool) {
	t.Helper()
	for echoOn(t, tty) != want {
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			t.Fatalf("echo never turned %v", want)
		}
	}
}

// TestPromptTerminal asks for a code on a pseudo-terminal: the code typed is read
// but never shown, the line still ends on screen, and a non-secret answer read next
// through the same Input is echoed as typed.
func TestPromptTerminal(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	ptm, tty, screen := openPTY(t)
	in := mfa.NewInput(tty, tty)
	if !in.IsTerminal() {
		t.Fatal("the pseudo-terminal is not taken for a terminal")
	}
	p := mfa.NewPrompt(tty, tty, func(o *mfa.PromptOptions) { o.Input = in })

	got := make(chan string, 1)
	go func() {
		c, err := p.Code(ctx, mfa.Request{Medium: "SMS", Username: "alice"})
		if err != nil {
			t.Error(err)
		}
		got <- c
	}()
	screen.waitShown(ctx, t, "Code sent by SMS for alice: ")
	waitEcho(ctx, t, tty, false)
	ptm.WriteString("246810\r")
	if c := <-got; c != "246810" {
		t.Fatalf("code %q, want 246810", c)
	}
	waitEcho(ctx, t, tty, true)

	line := make(chan string, 1)
	go func() {
		l, err := in.ReadLine(ctx, false)
		if err != nil {
			t.Error(err)
		}
		line <- l
	}()
	ptm.WriteString("TOTP\r")
	if l := <-line; l != "TOTP" {
		t.Fatalf("choice %q, want TOTP", l)
	}
	screen.waitShown(ctx, t, "TOTP")
	if text := screen.text(); strings.Contains(text, "246810") {
		t.Errorf("the terminal shows the code: %q", text)
	}
}

// TestInputCancelRestoresEcho cancels a secret read on a pseudo-terminal: echo is
// back on when ReadLine returns, so a program ending on cancellation never leaves
// the terminal silent.
func TestInputCancelRestoresEcho(t *testing.T) {
	ptm, tty, _ := openPTY(t)
	in := mfa.NewInput(tty, tty)
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := in.ReadLine(ctx, true)
		errc <- err
	}()
	waitEcho(t.Context(), t, tty, false)
	cancel()
	if err := <-errc; err != context.Canceled {
		t.Fatalf("ReadLine: %v", err)
	}
	if !echoOn(t, tty) {
		t.Fatal("echo still off after a cancelled secret read")
	}
	ptm.WriteString("\r") // let the pending read finish before the terminal closes
	if l, err := in.ReadLine(t.Context(), true); l != "" || err != nil {
		t.Fatalf("pending read = %q, %v", l, err)
	}
}
