package mfa

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
)

// DefaultPromptAttempts is how many times a Prompt asks before giving up on empty
// answers.
const DefaultPromptAttempts = 3

// PromptOptions tunes a Prompt. The zero value gives the defaults.
type PromptOptions struct {
	// Attempts is how many times to ask when the answer is empty. Zero means
	// DefaultPromptAttempts.
	Attempts int
}

// Prompt is a Source that asks a person: it writes one line such as
//
//	Code sent by EMAIL to a***@e*** for alice:
//
// and reads the answer, one line, trimmed. An empty answer is asked again, up to
// Attempts times. End of input gives up.
//
// Reading honours ctx: when ctx ends, Code returns at once. The read itself runs in
// a goroutine that cannot be interrupted on a blocking reader such as a terminal, so
// it may outlive the cancelled call; the next call then takes over that pending read
// rather than starting a second one, so no input is lost or read twice. Calls are
// served one at a time; a Prompt is safe for concurrent use.
type Prompt struct {
	in       *bufio.Reader
	out      io.Writer
	attempts int

	turn chan struct{} // holds a token while a call is asking

	mu      sync.Mutex
	pending chan readResult // an outstanding read, or nil
}

type readResult struct {
	line string
	err  error
}

// NewPrompt returns a Prompt that writes questions to out and reads answers from
// in (typically os.Stderr and os.Stdin). It buffers in, so nothing else should read
// from in afterwards.
func NewPrompt(in io.Reader, out io.Writer, optFns ...func(*PromptOptions)) *Prompt {
	var o PromptOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultPromptAttempts
	}
	return &Prompt{in: bufio.NewReader(in), out: out, attempts: o.Attempts, turn: make(chan struct{}, 1)}
}

// Code asks for the code r describes and returns the first non-empty answer.
func (p *Prompt) Code(ctx context.Context, r Request) (string, error) {
	select {
	case p.turn <- struct{}{}:
		defer func() { <-p.turn }()
	case <-ctx.Done():
		return "", newNoCode("prompt", r, "gave up waiting for another prompt", ctx.Err())
	}
	question := promptText(r)
	for range p.attempts {
		if _, err := io.WriteString(p.out, question); err != nil {
			return "", newNoCode("prompt", r, "could not ask", err)
		}
		line, err := p.readLine(ctx)
		if s := strings.TrimSpace(line); s != "" {
			return s, nil
		}
		switch {
		case ctx.Err() != nil:
			return "", newNoCode("prompt", r, "gave up waiting for an answer", ctx.Err())
		case errors.Is(err, io.EOF):
			return "", newNoCode("prompt", r, "input ended", err)
		case err != nil:
			return "", newNoCode("prompt", r, "could not read the answer", err)
		}
	}
	return "", newNoCode("prompt", r, fmt.Sprintf("%d empty answers", p.attempts), nil)
}

// readLine waits for the next line of input or for ctx to end. A read left pending
// by an earlier cancelled call is reused.
func (p *Prompt) readLine(ctx context.Context) (string, error) {
	p.mu.Lock()
	ch := p.pending
	if ch == nil {
		ch = make(chan readResult, 1)
		p.pending = ch
		go func() {
			line, err := p.in.ReadString('\n')
			ch <- readResult{line, err}
		}()
	}
	p.mu.Unlock()

	select {
	case res := <-ch:
		p.mu.Lock()
		p.pending = nil
		p.mu.Unlock()
		return res.line, res.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// promptText is the question for r, for example
// "Code sent by EMAIL to a***@e*** for alice: ".
func promptText(r Request) string {
	var b strings.Builder
	switch r.Purpose {
	case "", PurposeMFA:
		b.WriteString("Code")
	case PurposeTemporaryPassword:
		b.WriteString("Temporary password")
	default:
		b.WriteString(truncate(r.Purpose, 64))
		b.WriteString(" code")
	}
	if r.Medium != "" {
		b.WriteString(" sent by ")
		b.WriteString(truncate(r.Medium, 16))
	}
	if r.Destination != "" {
		b.WriteString(" to ")
		b.WriteString(truncate(r.Destination, 128))
	}
	if r.Username != "" {
		b.WriteString(" for ")
		b.WriteString(truncate(r.Username, 128))
	}
	b.WriteString(": ")
	return b.String()
}
