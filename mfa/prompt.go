package mfa

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// DefaultPromptAttempts is how many times a Prompt asks before giving up on empty
// answers.
const DefaultPromptAttempts = 3

// PromptOptions tunes a Prompt. The zero value gives the defaults.
type PromptOptions struct {
	// Attempts is how many times to ask when the answer is empty. Zero means
	// DefaultPromptAttempts.
	Attempts int
	// Input, when set, is where answers are read from instead of a new Input over
	// NewPrompt's reader, so that a Prompt and other questions share one terminal
	// without two buffers competing for its lines.
	Input *Input
}

// Prompt is a Source that asks a person: it writes one line such as
//
//	Code sent by EMAIL to a***@e*** for alice:
//
// and reads the answer, one line, trimmed. Codes are secrets: on a terminal the
// answer is read without echo (see [Input]); from a pipe it is read as a line. An
// empty answer is asked again, up to Attempts times. End of input gives up.
//
// Reading honours ctx: when ctx ends, Code returns at once (see [Input] for the read
// left pending). Calls are served one at a time; a Prompt is safe for concurrent use.
type Prompt struct {
	in       *Input
	out      io.Writer
	attempts int

	turn chan struct{} // holds a token while a call is asking
}

// NewPrompt returns a Prompt that writes questions to out and reads answers from
// in (typically os.Stderr and os.Stdin). It buffers in unless in is a terminal, so
// nothing else should read from in afterwards; share an [Input] through
// PromptOptions.Input to ask other questions on the same input.
func NewPrompt(in io.Reader, out io.Writer, optFns ...func(*PromptOptions)) *Prompt {
	var o PromptOptions
	for _, fn := range optFns {
		fn(&o)
	}
	if o.Attempts <= 0 {
		o.Attempts = DefaultPromptAttempts
	}
	if o.Input == nil {
		o.Input = NewInput(in, out)
	}
	return &Prompt{in: o.Input, out: out, attempts: o.Attempts, turn: make(chan struct{}, 1)}
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
		line, err := p.in.ReadLine(ctx, true)
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
