package mfa_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/authbench/authbench/mfa"
)

// TestInputLines reads lines from a reader that is not a terminal: secret or not,
// they are plain lines, and the end of input is io.EOF with what was read.
func TestInputLines(t *testing.T) {
	in := mfa.NewInput(strings.NewReader("hunter2\r\nSMS\nlast"), io.Discard)
	if in.IsTerminal() {
		t.Fatal("a string reader is taken for a terminal")
	}
	for _, tt := range []struct {
		secret bool
		want   string
		err    error
	}{{true, "hunter2", nil}, {false, "SMS", nil}, {true, "last", io.EOF}, {false, "", io.EOF}} {
		got, err := in.ReadLine(t.Context(), tt.secret)
		if got != tt.want || !errors.Is(err, tt.err) {
			t.Errorf("ReadLine(secret=%v) = %q, %v; want %q, %v", tt.secret, got, err, tt.want, tt.err)
		}
	}
}

// TestInputCancelKeepsPendingRead cancels a read and finds its line in the next one.
func TestInputCancelKeepsPendingRead(t *testing.T) {
	pr, pw := io.Pipe()
	in := mfa.NewInput(pr, io.Discard)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := in.ReadLine(ctx, true); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ReadLine: %v", err)
	}
	go pw.Write([]byte("123456\n"))
	if got, err := in.ReadLine(t.Context(), true); got != "123456" || err != nil {
		t.Fatalf("ReadLine after a cancelled one = %q, %v", got, err)
	}
}
