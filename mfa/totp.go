package mfa

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters Cognito uses for software tokens.
const (
	// TOTPDigits is the number of digits in a code.
	TOTPDigits = 6
	// TOTPPeriod is the length of one time step (window).
	TOTPPeriod = 30 * time.Second
)

// ErrInvalidSecret is matched by the error returned for a TOTP secret that is not
// base32. The error never contains the secret.
var ErrInvalidSecret = errors.New("mfa: invalid TOTP secret")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// decodeSecret decodes a base32 secret as Cognito's SecretCode gives it. It also
// accepts lower case, '=' padding and spaces, as authenticator apps do.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.Join(strings.Fields(secret), ""))
	s = strings.TrimRight(s, "=")
	if s == "" {
		return nil, fmt.Errorf("%w: empty", ErrInvalidSecret)
	}
	key, err := b32.DecodeString(s)
	if err != nil {
		// base32.CorruptInputError reports only an offset, never input bytes.
		return nil, fmt.Errorf("%w: not base32 (%d characters): %w", ErrInvalidSecret, len(s), err)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: decodes to no bytes", ErrInvalidSecret)
	}
	return key, nil
}

// TOTPCode returns the six-digit TOTP code for secret at time t, computed with
// HMAC-SHA-1 over 30-second steps as Cognito does. The secret is base32 as
// AssociateSoftwareToken returns it; lower case and padding are accepted. A
// malformed secret yields an error matching ErrInvalidSecret.
func TOTPCode(secret string, t time.Time) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	code, err := totp.GenerateCodeCustom(b32.EncodeToString(key), t, totp.ValidateOpts{
		Period:    uint(TOTPPeriod / time.Second),
		Digits:    otp.DigitsSix,
		Algorithm: otp.AlgorithmSHA1,
	})
	if err != nil {
		return "", fmt.Errorf("mfa: computing TOTP code: %w", err)
	}
	return code, nil
}

// SetupURI returns the otpauth:// URI an authenticator app scans to add secret, in
// the form Amplify's getSetupUri produces,
// otpauth://totp/<issuer>:<account>?secret=<secret>&issuer=<issuer>, followed by
// the standard algorithm, digits and period parameters. The secret appears in
// canonical base32 (upper case, no padding). Issuer and account name are required,
// and the issuer must not contain a colon, which would make the label ambiguous.
// The URI is checked to read back, through otp.NewKeyFromURL, as the same secret,
// issuer and account name.
func SetupURI(secret, issuer, accountName string) (string, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", err
	}
	switch {
	case issuer == "":
		return "", errors.New("mfa: setup URI: issuer is required")
	case strings.Contains(issuer, ":"):
		return "", fmt.Errorf("mfa: setup URI: issuer %s contains a colon", quote(issuer))
	case accountName == "":
		return "", errors.New("mfa: setup URI: account name is required")
	}
	canonical := b32.EncodeToString(key)
	// totp.Generate would build much the same URI, but its query escaping leaves
	// '&', '=' and '+' in an issuer as they are, which breaks the round trip.
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + accountName}
	query := "secret=" + canonical +
		"&issuer=" + queryEscape(issuer) +
		"&algorithm=" + otp.AlgorithmSHA1.String() +
		"&digits=" + otp.DigitsSix.String() +
		"&period=" + strconv.Itoa(int(TOTPPeriod/time.Second))
	uri := u.String() + "?" + query

	k, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return "", fmt.Errorf("mfa: setup URI: %w", err)
	}
	if k.Secret() != canonical || k.Issuer() != issuer || k.AccountName() != accountName {
		return "", fmt.Errorf("mfa: setup URI: issuer %s or account name %s does not survive URI encoding", quote(issuer), quote(accountName))
	}
	return k.String(), nil
}

// queryEscape escapes s for a query value, with spaces as %20 rather than '+',
// which some authenticator apps show literally.
func queryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// window returns the number of the TOTP step t falls in.
func window(t time.Time) int64 {
	p := int64(TOTPPeriod / time.Second)
	u := t.Unix()
	w := u / p
	if u < 0 && u%p != 0 {
		w--
	}
	return w
}

// windowStart returns the first instant of step w.
func windowStart(w int64) time.Time {
	return time.Unix(w*int64(TOTPPeriod/time.Second), 0)
}

// secretKey is the map key for a secret: a SHA-256 of its bytes, so the secret
// itself is never kept.
type secretKey [sha256.Size]byte

func keyOf(secret []byte) secretKey {
	h := sha256.New()
	h.Write([]byte("authbench/mfa/totp\x00"))
	h.Write(secret)
	var k secretKey
	h.Sum(k[:0])
	return k
}

// TOTP hands out TOTP codes while respecting Cognito's rule that a user may use a
// code only once per 30-second window: it remembers, per secret, the latest window
// it handed out or was told about, and waits for the next window when the current
// one is taken. It keeps a SHA-256 of each secret, never the secret, and forgets
// windows once they are past, so its memory is bounded by the number of secrets used
// within about one window.
//
// The zero TOTP is ready to use with the real clock. Set Now and Sleep before first
// use, not after. A TOTP is safe for concurrent use.
type TOTP struct {
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx ends, returning ctx.Err() in that case. Nil
	// means a timer-based wait. Tests pass a function that advances a fake clock;
	// Next keeps sleeping until Now reaches the window it waits for.
	Sleep func(ctx context.Context, d time.Duration) error
	// Lookahead hands out the next window's code at once when the current window is
	// taken, instead of waiting for it, relying on the server accepting one window of
	// clock skew (Cognito and the embedded pool accept ±1 window). A third code within
	// one window still waits.
	Lookahead bool

	mu        sync.Mutex
	used      map[secretKey]int64 // latest window handed out or marked, per secret
	lastSweep int64               // window of the last sweep of used
}

func (t *TOTP) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

func (t *TOTP) sleep(ctx context.Context, d time.Duration) error {
	if t.Sleep != nil {
		return t.Sleep(ctx, d)
	}
	return sleepCtx(ctx, d)
}

// sweepLocked drops windows earlier than cur: they can no longer make anyone wait.
// It runs at most once per window. t.mu must be held.
func (t *TOTP) sweepLocked(cur int64) {
	if t.used == nil {
		t.used = make(map[secretKey]int64)
	}
	if cur <= t.lastSweep {
		return
	}
	t.lastSweep = cur
	for k, w := range t.used {
		if w < cur {
			delete(t.used, k)
		}
	}
}

// Next returns a code for secret from a window no code for that secret was handed
// out or marked in. When the current window is taken it waits, using Sleep, until
// the next free window begins; it returns early with an error wrapping ctx.Err() if
// ctx ends first. Concurrent calls with the same secret get codes from successive
// windows. A malformed secret yields an error matching ErrInvalidSecret.
func (t *TOTP) Next(ctx context.Context, secret string) (string, error) {
	code, _, err := t.NextWindow(ctx, secret)
	return code, err
}

// NextWindow is Next that also returns the start of the window whose code it gave,
// so that a later user of the same secret (another process) can be told it is spent
// (see Spent).
func (t *TOTP) NextWindow(ctx context.Context, secret string) (string, time.Time, error) {
	key, err := decodeSecret(secret)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := ctx.Err(); err != nil {
		return "", time.Time{}, fmt.Errorf("mfa: TOTP: %w", err)
	}
	k := keyOf(key)
	canonical := b32.EncodeToString(key)

	// Reserve a window.
	t.mu.Lock()
	cur := window(t.now())
	t.sweepLocked(cur)
	prev, hadPrev := t.used[k]
	target := cur
	if hadPrev && prev >= cur {
		target = prev + 1
	}
	t.used[k] = target
	t.mu.Unlock()

	// Wait for it to begin; with Lookahead the window after the current one needs no
	// wait.
	start := windowStart(target)
	if t.Lookahead && target == cur+1 {
		code, err := TOTPCode(canonical, start)
		return code, start, err
	}
	for {
		d := start.Sub(t.now())
		if d <= 0 {
			break
		}
		if err := t.sleep(ctx, d); err != nil {
			t.release(k, target, prev, hadPrev)
			return "", time.Time{}, fmt.Errorf("mfa: TOTP: waiting %v for a fresh window: %w", d.Round(time.Millisecond), err)
		}
		if err := ctx.Err(); err != nil {
			t.release(k, target, prev, hadPrev)
			return "", time.Time{}, fmt.Errorf("mfa: TOTP: waiting for a fresh window: %w", err)
		}
	}
	code, err := TOTPCode(canonical, start)
	return code, start, err
}

// Spent records that the code of secret for the window containing at was used
// elsewhere (for example while a user was provisioned), so Next does not hand it out
// again: Cognito refuses a code used once.
func (t *TOTP) Spent(secret string, at time.Time) error {
	key, err := decodeSecret(secret)
	if err != nil {
		return err
	}
	k := keyOf(key)
	w := window(at)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(window(t.now()))
	if prev, ok := t.used[k]; !ok || prev < w {
		t.used[k] = w
	}
	return nil
}

// release gives back a reservation of window target that was not used, unless a
// later reservation was made meanwhile.
func (t *TOTP) release(k secretKey, target, prev int64, hadPrev bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.used[k] != target {
		return
	}
	if hadPrev {
		t.used[k] = prev
	} else {
		delete(t.used, k)
	}
}

// MarkUsed records that a code for secret from the window containing at was used
// elsewhere (for example the code just sent with VerifySoftwareToken), so Next will
// not hand out a code from that window or an earlier one. A malformed secret is
// ignored: Next rejects it anyway.
func (t *TOTP) MarkUsed(secret string, at time.Time) {
	key, err := decodeSecret(secret)
	if err != nil {
		return
	}
	k := keyOf(key)
	w := window(at)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweepLocked(window(t.now()))
	if old, ok := t.used[k]; !ok || w > old {
		t.used[k] = w
	}
}
