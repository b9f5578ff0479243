//go:build linux

package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// terminal is a pseudo-terminal for a test: the program under test gets tty as its
// standard input, output and error, and the test types into and reads from the
// other end, seeing exactly what a person at the terminal would see (echo included).
type terminal struct {
	t        *testing.T
	ptm, tty *os.File

	mu      sync.Mutex
	shown   bytes.Buffer
	changed chan struct{} // closed and replaced whenever shown grows
	done    chan struct{} // closed when the reader stops
}

// openTerminal opens a pseudo-terminal and starts reading what it shows.
func openTerminal(t *testing.T) *terminal {
	t.Helper()
	ptm, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	tm := &terminal{t: t, ptm: ptm, tty: tty, changed: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(tm.done)
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			tm.mu.Lock()
			tm.shown.Write(buf[:n])
			close(tm.changed)
			tm.changed = make(chan struct{})
			tm.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		tty.Close()
		ptm.Close()
	})
	return tm
}

// waitShown waits until the terminal has shown s.
func (tm *terminal) waitShown(ctx context.Context, s string) {
	tm.t.Helper()
	for {
		tm.mu.Lock()
		ok, ch := strings.Contains(tm.shown.String(), s), tm.changed
		tm.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			tm.t.Fatalf("the terminal never showed %q; it shows:\n%s", s, tm.text())
		}
	}
}

// waitEcho waits until the terminal's echo is on (want true) or off, as the program
// under test sets it. It polls the terminal's modes: no event reports their change.
func (tm *terminal) waitEcho(ctx context.Context, want bool) {
	tm.t.Helper()
	for {
		tio, err := unix.IoctlGetTermios(int(tm.tty.Fd()), unix.TCGETS)
		if err != nil {
			tm.t.Fatalf("reading the terminal's modes: %v", err)
		}
		if tio.Lflag&unix.ECHO != 0 == want {
			return
		}
		select {
		case <-time.After(time.Millisecond):
		case <-ctx.Done():
			tm.t.Fatalf("the terminal's echo never turned %v; it shows:\n%s", want, tm.text())
		}
	}
}

// typeLine types s and Enter.
func (tm *terminal) typeLine(s string) {
	tm.t.Helper()
	if _, err := tm.ptm.WriteString(s + "\r"); err != nil {
		tm.t.Fatal(err)
	}
}

// closeAndText closes the program's end and returns everything the terminal showed.
func (tm *terminal) closeAndText() string {
	tm.tty.Close()
	<-tm.done
	return tm.text()
}

func (tm *terminal) text() string {
	tm.mu.Lock()
	defer tm.mu.Unlock()
	return tm.shown.String()
}

// TestSigninTerminalHidesSecrets runs `authbench signin` on a pseudo-terminal against
// the embedded pool as a person would: the fixture user newpassword, its temporary
// password typed at "Password for newpassword:" and a new password at "New password:".
// Neither password may appear on the terminal, and the sign-in must complete.
func TestSigninTerminalHidesSecrets(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	tm := openTerminal(t)
	env := Env{Stdin: tm.tty, Stdout: tm.tty, Stderr: tm.tty,
		Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	const temporary, fresh = "Temporary-Passw0rd", "Fresh-N3w-Passw0rd!"
	code := make(chan int, 1)
	go func() { code <- Run(ctx, env, []string{"signin", "--username", "newpassword"}) }()

	tm.waitShown(ctx, "Password for newpassword: ")
	tm.waitEcho(ctx, false)
	tm.typeLine(temporary)
	tm.waitShown(ctx, "New password: ")
	tm.waitEcho(ctx, false)
	tm.typeLine(fresh)

	var got int
	select {
	case got = <-code:
	case <-ctx.Done():
		t.Fatalf("signin did not finish; the terminal shows:\n%s", tm.text())
	}
	tm.waitEcho(ctx, true)
	shown := tm.closeAndText()
	if got != 0 {
		t.Fatalf("exit code %d, want 0; the terminal shows:\n%s", got, shown)
	}
	for _, want := range []string{"→ confirmSignInWithNewPassword", "→ done (DONE): signed in as newpassword"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the terminal does not show %q:\n%s", want, shown)
		}
	}
	for _, secret := range []string{temporary, fresh, "Passw0rd"} {
		if strings.Contains(shown, secret) {
			t.Errorf("the terminal shows the typed secret %q:\n%s", secret, shown)
		}
	}
}
