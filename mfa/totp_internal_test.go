package mfa

import (
	"context"
	"encoding/base32"
	"fmt"
	"testing"
	"time"
)

// TestTOTPMemoryBounded checks that windows long past are forgotten, so a TOTP used
// with many secrets over a long run does not grow without bound.
func TestTOTPMemoryBounded(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000-1_700_000_000%30, 0)
	tp := &TOTP{
		Now: func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			now = now.Add(d)
			return nil
		},
	}
	secret := func(i int) string {
		return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(fmt.Appendf(nil, "user-%06d-secret", i))
	}
	tests := []struct {
		name    string
		secrets int           // fresh secrets to use in this step
		advance time.Duration // clock advance before the step
		want    int           // entries remembered after the step
	}{
		// Every secret used in the current window is remembered.
		{"one window of users", 1000, 0, 1000},
		// A new window forgets the previous one's entries on first use.
		{"next window", 10, 30 * time.Second, 10},
		// Hours later, only the latest window is remembered.
		{"hours later", 1, 3 * time.Hour, 1},
	}
	n := 0
	for _, tt := range tests {
		now = now.Add(tt.advance)
		for range tt.secrets {
			if _, err := tp.Next(t.Context(), secret(n)); err != nil {
				t.Fatal(err)
			}
			n++
		}
		tp.mu.Lock()
		got := len(tp.used)
		tp.mu.Unlock()
		if got != tt.want {
			t.Errorf("%s: %d entries remembered, want %d", tt.name, got, tt.want)
		}
	}
}

func TestWindow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		unix int64
		want int64
	}{
		{0, 0},
		{29, 0},
		{30, 1},
		{59, 1},
		{1111111109, 37037036},
		// Before 1970 windows still start on multiples of 30 s.
		{-1, -1},
		{-30, -1},
		{-31, -2},
	}
	for _, tt := range tests {
		if got := window(time.Unix(tt.unix, 0)); got != tt.want {
			t.Errorf("window(%d) = %d, want %d", tt.unix, got, tt.want)
		}
		if s := windowStart(tt.want).Unix(); s > tt.unix || tt.unix-s >= 30 {
			t.Errorf("windowStart(%d) = %d does not contain %d", tt.want, s, tt.unix)
		}
	}
}

// TestLookahead: with Lookahead, a taken window gives the next window's code without
// waiting; a third code in the same window waits.
func TestLookahead(t *testing.T) {
	now := time.Unix(1_700_000_010, 0) // 10 s into a window
	slept := time.Duration(0)
	tt := &TOTP{Lookahead: true, Now: func() time.Time { return now }, Sleep: func(_ context.Context, d time.Duration) error {
		slept += d
		now = now.Add(d)
		return nil
	}}
	const secret = "JBSWY3DPEHPK3PXP"
	first, err := tt.Next(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	second, err := tt.Next(context.Background(), secret)
	if err != nil || slept != 0 {
		t.Fatalf("second code waited %v (%v)", slept, err)
	}
	want, _ := TOTPCode(secret, now.Add(30*time.Second))
	if second != want || second == first {
		t.Fatalf("second %s, want the next window's %s", second, want)
	}
	if _, err := tt.Next(context.Background(), secret); err != nil || slept == 0 {
		t.Fatalf("third code did not wait (%v)", err)
	}
}
