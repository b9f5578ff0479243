package mfa

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"sync"

	"golang.org/x/term"
)

// Input reads a person's answers one line at a time, from a terminal or from any
// other reader. On a terminal, a secret line (a password, a code) is read with echo
// switched off through golang.org/x/term, and a newline is written after it since the
// Enter key is not echoed either; any other line is read with echo, as typed. A
// reader that is not a terminal (a pipe, a file, a string) is read line by line,
// secret or not, for scripts.
//
// Reading honours ctx: when ctx ends, ReadLine returns at once. The read itself runs
// in a goroutine that cannot be interrupted on a blocking reader, so it may outlive
// the cancelled call; the next ReadLine then takes over that pending read rather than
// starting a second one, so no input is lost or read twice. A secret read cut short
// this way switches the terminal's echo back on at once, so a program that exits on
// cancellation never leaves the terminal silent. An Input is safe for concurrent use;
// reads are served one at a time.
type Input struct {
	fd   int           // the terminal's file descriptor, or -1 when in is not a terminal
	raw  io.Reader     // the terminal itself, read unbuffered (fd >= 0)
	buf  *bufio.Reader // any other reader, buffered (fd < 0)
	echo io.Writer     // receives the newline after a secret line on a terminal

	mu      sync.Mutex
	pending *pendingRead // an outstanding read, or nil
}

// pendingRead is a read started by one ReadLine call and perhaps finished by another.
type pendingRead struct {
	ch      chan readResult
	restore *term.State // the terminal's state before a secret read, or nil
}

type readResult struct {
	line string
	err  error
}

// fder is what an *os.File offers to tell whether it is a terminal.
type fder interface {
	Fd() uintptr
}

// NewInput returns an Input reading from in (typically os.Stdin) and writing the
// newline that ends a secret answer to out (typically os.Stderr, where the question
// went). in is a terminal when it is a file whose descriptor is one; nothing else
// should read from in afterwards.
func NewInput(in io.Reader, out io.Writer) *Input {
	if out == nil {
		out = io.Discard
	}
	if f, ok := in.(fder); ok && term.IsTerminal(int(f.Fd())) {
		return &Input{fd: int(f.Fd()), raw: in, echo: out}
	}
	return &Input{fd: -1, buf: bufio.NewReader(in), echo: out}
}

// IsTerminal reports whether the Input reads from a terminal.
func (in *Input) IsTerminal() bool { return in.fd >= 0 }

// ReadLine waits for the next line, without its line ending, or for ctx to end.
// When secret is true and the Input is a terminal, what is typed is not echoed. At the
// end of the input, ReadLine returns what was read with io.EOF.
func (in *Input) ReadLine(ctx context.Context, secret bool) (string, error) {
	in.mu.Lock()
	p := in.pending
	if p == nil {
		p = in.start(secret)
		in.pending = p
	}
	in.mu.Unlock()

	select {
	case res := <-p.ch:
		in.mu.Lock()
		in.pending = nil
		in.mu.Unlock()
		return strings.TrimRight(res.line, "\r\n"), res.err
	case <-ctx.Done():
		if p.restore != nil {
			// The read stays pending with echo off; give the terminal its echo back
			// now, in case the program ends before the read does.
			_ = term.Restore(in.fd, p.restore)
		}
		return "", ctx.Err()
	}
}

// start begins one read in a goroutine.
func (in *Input) start(secret bool) *pendingRead {
	p := &pendingRead{ch: make(chan readResult, 1)}
	switch {
	case in.fd < 0:
		go func() {
			line, err := in.buf.ReadString('\n')
			p.ch <- readResult{line, err}
		}()
	case secret:
		if st, err := term.GetState(in.fd); err == nil {
			p.restore = st
		}
		go func() {
			b, err := term.ReadPassword(in.fd)
			// The Enter that ended the line was not echoed: move to the next line.
			_, _ = io.WriteString(in.echo, "\n")
			p.ch <- readResult{string(b), err}
		}()
	default:
		go func() {
			line, err := readRawLine(in.raw)
			p.ch <- readResult{line, err}
		}()
	}
	return p
}

// readRawLine reads one line a byte at a time, so that nothing past the line is
// taken from the terminal (a secret read that follows reads the terminal directly).
func readRawLine(r io.Reader) (string, error) {
	var b strings.Builder
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		if n == 1 {
			if one[0] == '\n' {
				return b.String(), nil
			}
			b.WriteByte(one[0])
			continue
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return b.String(), io.EOF
			}
			return b.String(), err
		}
	}
}
