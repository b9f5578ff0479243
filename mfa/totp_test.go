package mfa_test

import (
	"context"
	"encoding/base32"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp"

	"github.com/authbench/authbench/mfa"
)

// rfcSecret is RFC 6238's SHA-1 test key, "12345678901234567890", in base32 as
// Cognito would give it (upper case, no padding).
var rfcSecret = base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))

func TestRFCSecretEncoding(t *testing.T) {
	const want = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	if rfcSecret != want {
		t.Fatalf("rfcSecret = %q, want %q", rfcSecret, want)
	}
}

func TestTOTPCodeRFC6238(t *testing.T) {
	t.Parallel()
	// RFC 6238 Appendix B, SHA-1 rows. Cognito truncates to 6 digits; since
	// 10^6 divides 10^8, the 6-digit code is the last 6 digits of the 8-digit one.
	tests := []struct {
		unix   int64
		eight  string // the RFC's 8-digit value
		wanted string // what Cognito expects
	}{
		{59, "94287082", "287082"},
		{1111111109, "07081804", "081804"},
		{1111111111, "14050471", "050471"},
		{1234567890, "89005924", "005924"},
		{2000000000, "69279037", "279037"},
		{20000000000, "65353130", "353130"},
	}
	for _, tt := range tests {
		if got := tt.eight[2:]; got != tt.wanted {
			t.Fatalf("table error at T=%d: last six digits of %s are %s, not %s", tt.unix, tt.eight, got, tt.wanted)
		}
		got, err := mfa.TOTPCode(rfcSecret, time.Unix(tt.unix, 0))
		if err != nil {
			t.Fatalf("T=%d: %v", tt.unix, err)
		}
		if got != tt.wanted {
			t.Errorf("T=%d: got %s, want %s", tt.unix, got, tt.wanted)
		}
	}
}

func TestTOTPCodeSecretForms(t *testing.T) {
	t.Parallel()
	at := time.Unix(59, 0)
	tests := []struct {
		name   string
		secret string
		want   string // the code; "" for any valid code; "-" for ErrInvalidSecret
	}{
		// Cognito's own form.
		{"canonical", rfcSecret, "287082"},
		// Authenticator apps show lower case.
		{"lower case", strings.ToLower(rfcSecret), "287082"},
		// Grouped for reading.
		{"spaces", "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ", "287082"},
		// Padded: "1234567890123456789" is 19 bytes, 31 characters unpadded.
		{"padding", base32.StdEncoding.EncodeToString([]byte("1234567890123456789")), ""},
		// 1 is not in the base32 alphabet.
		{"bad character", "GEZDGNBVGY3TQOJ1", "-"},
		{"empty", "", "-"},
		{"only padding", "========", "-"},
		// 3 characters is never a valid base32 length.
		{"bad length", "ABC", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := mfa.TOTPCode(tt.secret, at)
			if tt.want == "-" {
				if !errors.Is(err, mfa.ErrInvalidSecret) {
					t.Fatalf("err = %v, want ErrInvalidSecret", err)
				}
				if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
					t.Fatalf("error %q echoes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Fatalf("got %s, want %s", got, tt.want)
			}
			if len(got) != mfa.TOTPDigits {
				t.Fatalf("code %q has %d digits", got, len(got))
			}
		})
	}
}

func TestSetupURI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                    string
		secret, issuer, account string
		wantErr                 error // nil: must round-trip
	}{
		{"amplify form", rfcSecret, "authbench", "alice", nil},
		{"email account and spaced issuer", rfcSecret, "Example Co", "alice+qa@example.com", nil},
		{"lower-case secret", strings.ToLower(rfcSecret), "authbench", "alice", nil},
		{"account with colon", rfcSecret, "authbench", "team:alice", nil},
		// Characters that mean something in a URI.
		{"reserved characters", rfcSecret, "A&B=C+D?#%/é", "x?y#z%20/w&v=1+2 é", nil},
		{"malformed secret", "not base32!", "authbench", "alice", mfa.ErrInvalidSecret},
		{"no issuer", rfcSecret, "", "alice", errAny},
		{"issuer with colon", rfcSecret, "a:b", "alice", errAny},
		{"no account", rfcSecret, "authbench", "", errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			uri, err := mfa.SetupURI(tt.secret, tt.issuer, tt.account)
			if tt.wantErr != nil {
				if err == nil || (tt.wantErr != errAny && !errors.Is(err, tt.wantErr)) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), tt.secret) {
					t.Fatalf("error %q echoes the secret", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(uri, "otpauth://totp/") {
				t.Fatalf("uri %q is not a TOTP otpauth URI", uri)
			}
			k, err := otp.NewKeyFromURL(uri)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := k.Secret(), strings.ToUpper(tt.secret); got != want {
				t.Errorf("secret: got %s, want %s", got, want)
			}
			if got := k.Issuer(); got != tt.issuer {
				t.Errorf("issuer: got %q, want %q", got, tt.issuer)
			}
			if got := k.AccountName(); got != tt.account {
				t.Errorf("account: got %q, want %q", got, tt.account)
			}
			if k.Type() != "totp" || k.Digits() != otp.DigitsSix || k.Period() != 30 || k.Algorithm() != otp.AlgorithmSHA1 {
				t.Errorf("parameters: type %s digits %d period %d algorithm %s", k.Type(), k.Digits(), k.Period(), k.Algorithm())
			}
		})
	}
}

var errAny = errors.New("any error")

// windowStart returns the start of the TOTP window containing the Unix time unix.
func windowStart(unix int64) time.Time {
	return time.Unix(unix-unix%30, 0)
}

// fakeClock is a clock whose Sleep advances time instead of waiting.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	slept  []time.Duration
	onWait func(ctx context.Context) error // if set, Sleep calls it instead of advancing
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.slept = append(c.slept, d)
	hook := c.onWait
	c.mu.Unlock()
	if hook != nil {
		return hook(ctx)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return nil
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

func newTOTP(start time.Time) (*mfa.TOTP, *fakeClock) {
	c := &fakeClock{now: start}
	return &mfa.TOTP{Now: c.Now, Sleep: c.Sleep}, c
}

func mustCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := mfa.TOTPCode(secret, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

const otherSecret = "JBSWY3DPEHPK3PXP"

func TestTOTPNext(t *testing.T) {
	t.Parallel()
	// base is 10 s into a window.
	w0 := windowStart(1_700_000_000)
	base := w0.Add(10 * time.Second)
	w1, w2 := w0.Add(30*time.Second), w0.Add(60*time.Second)

	type step struct {
		mark   time.Time // if not zero, MarkUsed(secret, mark) instead of Next
		secret string
		want   time.Time     // window whose code Next must return
		slept  time.Duration // total fake sleep expected so far
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first call uses the current window", []step{
			{secret: rfcSecret, want: w0},
		}},
		{"same window twice waits for the next window", []step{
			{secret: rfcSecret, want: w0},
			{secret: rfcSecret, want: w1, slept: 20 * time.Second},
		}},
		{"three calls take three windows", []step{
			{secret: rfcSecret, want: w0},
			{secret: rfcSecret, want: w1, slept: 20 * time.Second},
			{secret: rfcSecret, want: w2, slept: 50 * time.Second},
		}},
		{"different secrets do not interfere", []step{
			{secret: rfcSecret, want: w0},
			{secret: otherSecret, want: w0},
			{secret: strings.ToLower(otherSecret), want: w1, slept: 20 * time.Second},
		}},
		{"MarkUsed in the current window makes Next wait", []step{
			{secret: rfcSecret, mark: base},
			{secret: rfcSecret, want: w1, slept: 20 * time.Second},
		}},
		{"MarkUsed in a past window changes nothing", []step{
			{secret: rfcSecret, mark: base.Add(-time.Minute)},
			{secret: rfcSecret, want: w0},
		}},
		{"MarkUsed of a later window pushes Next past it", []step{
			{secret: rfcSecret, mark: w1},
			{secret: rfcSecret, want: w2, slept: 50 * time.Second},
		}},
		{"MarkUsed with a malformed secret is ignored", []step{
			{secret: "!!", mark: base},
			{secret: rfcSecret, want: w0},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, clock := newTOTP(base)
			for i, s := range tt.steps {
				if !s.mark.IsZero() {
					tp.MarkUsed(s.secret, s.mark)
					continue
				}
				got, err := tp.Next(t.Context(), s.secret)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if want := mustCode(t, s.secret, s.want); got != want {
					t.Errorf("step %d: got %s, want the code of window %v (%s)", i, got, s.want, want)
				}
				var slept time.Duration
				for _, d := range clock.Slept() {
					slept += d
				}
				if slept != s.slept {
					t.Errorf("step %d: slept %v, want %v", i, slept, s.slept)
				}
			}
		})
	}
}

func TestTOTPNextConcurrent(t *testing.T) {
	t.Parallel()
	base := windowStart(1_700_000_000)
	tp, _ := newTOTP(base)
	const n = 8
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c, err := tp.Next(t.Context(), rfcSecret)
			if err != nil {
				t.Error(err)
				return
			}
			codes <- c
		})
	}
	wg.Wait()
	close(codes)
	want := map[string]bool{}
	for i := range n {
		want[mustCode(t, rfcSecret, base.Add(time.Duration(i)*30*time.Second))] = true
	}
	for c := range codes {
		if !want[c] {
			t.Errorf("code %s is not from one of the first %d windows, or was handed out twice", c, n)
		}
		delete(want, c)
	}
}

func TestTOTPNextCancelled(t *testing.T) {
	t.Parallel()
	base := windowStart(1_700_000_000)
	tp, clock := newTOTP(base)
	waiting := make(chan struct{})
	clock.onWait = func(ctx context.Context) error {
		close(waiting)
		<-ctx.Done()
		return ctx.Err()
	}
	if _, err := tp.Next(t.Context(), rfcSecret); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() {
		_, err := tp.Next(ctx, rfcSecret)
		errc <- err
	}()
	<-waiting
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Next did not return after cancellation")
	}

	// The cancelled call gave its window back: in the next window, Next uses it.
	clock.mu.Lock()
	clock.onWait = nil
	clock.mu.Unlock()
	clock.Advance(30 * time.Second)
	got, err := tp.Next(t.Context(), rfcSecret)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustCode(t, rfcSecret, base.Add(30*time.Second)); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestTOTPRealSleepHonoursContext(t *testing.T) {
	t.Parallel()
	// The zero TOTP uses the real clock and timer; with a context already cancelled
	// it must not wait for the next window.
	var tp mfa.TOTP
	tp.MarkUsed(rfcSecret, time.Now())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	start := time.Now()
	if _, err := tp.Next(ctx, rfcSecret); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Next took %v", d)
	}
}

func TestTOTPNextInvalidSecret(t *testing.T) {
	t.Parallel()
	var tp mfa.TOTP
	_, err := tp.Next(t.Context(), "secret-with-bad-chars")
	if !errors.Is(err, mfa.ErrInvalidSecret) {
		t.Fatalf("err = %v, want ErrInvalidSecret", err)
	}
	if strings.Contains(err.Error(), "secret-with-bad-chars") {
		t.Fatalf("error %q echoes the secret", err)
	}
}

// TestTOTPSpent: a window marked spent elsewhere is not handed out; the next one is.
func TestTOTPSpent(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 10, 0, time.UTC)
	tp := &mfa.TOTP{Now: func() time.Time { return now }, Lookahead: true}
	const secret = "JBSWY3DPEHPK3PXP"
	if err := tp.Spent(secret, now); err != nil {
		t.Fatal(err)
	}
	code, start, err := tp.NextWindow(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	spent, _ := mfa.TOTPCode(secret, now.Truncate(30*time.Second))
	if code == spent || !start.Equal(now.Truncate(30*time.Second).Add(30*time.Second)) {
		t.Fatalf("got the spent window's code (%s at %v)", code, start)
	}
	if err := tp.Spent("not base32!", now); err == nil {
		t.Fatal("a malformed secret was accepted")
	}
}
