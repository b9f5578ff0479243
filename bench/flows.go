package bench

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// The flow names a mix may use.
const (
	FlowSRP      = "srp"      // USER_SRP_AUTH, no MFA
	FlowPassword = "password" // USER_PASSWORD_AUTH, no MFA
	FlowSMS      = "sms"      // SRP, then an SMS MFA code from the code source
	FlowTOTP     = "totp"     // SRP, then a TOTP code computed from the user's secret
	FlowEmail    = "email"    // SRP, then an email MFA code from the code source
	FlowCustom   = "custom"   // CUSTOM_WITHOUT_SRP, answering the embedded pool's question
	FlowRefresh  = "refresh"  // sign in once per user, then REFRESH_TOKEN_AUTH each time
	FlowDevice   = "device"   // SRP from a remembered device (DEVICE_SRP_AUTH)
)

// FlowNames lists every flow, in a stable order.
var FlowNames = []string{FlowSRP, FlowPassword, FlowSMS, FlowTOTP, FlowEmail, FlowCustom, FlowRefresh, FlowDevice}

// ParseMix reads a weighted flow mix: "srp=80,password=10,totp=10" (weights are
// relative, non-negative integers; a bare "srp" means srp=1).
func ParseMix(s string) (map[string]int, error) {
	out := map[string]int{}
	off := 0
	for _, part := range strings.Split(s, ",") {
		name, w, hasW := strings.Cut(part, "=")
		name = strings.TrimSpace(name)
		if !slices.Contains(FlowNames, name) {
			return nil, syntaxErrorf("mix %q at position %d: unknown flow %q (want one of %s)", s, off+1, name, strings.Join(FlowNames, ", "))
		}
		n := 1
		if hasW {
			v, err := strconv.Atoi(strings.TrimSpace(w))
			if err != nil || v < 0 {
				return nil, syntaxErrorf("mix %q at position %d: weight %q is not an integer ≥ 0", s, off+len(name)+2, w)
			}
			n = v
		}
		if _, dup := out[name]; dup {
			return nil, syntaxErrorf("mix %q at position %d: flow %q given twice", s, off+1, name)
		}
		out[name] = n
		off += len(part) + 1
	}
	total := 0
	for _, w := range out {
		total += w
	}
	if total == 0 {
		return nil, syntaxErrorf("mix %q: the weights add up to 0", s)
	}
	return out, nil
}

// Mix is a weighted choice of flows, each drawing from its own user set. It is a
// Flow and a Picker: the choice for iteration seq is a pure function of seq (a hash),
// so runs are reproducible and the proportions hold over any long stretch.
type Mix struct {
	names   []string
	flows   []Flow
	leases  []*Lease
	cum     []uint64
	total   uint64
	weights map[string]int
}

// NewMix returns a mix of flows with weights; users gives each flow's user set
// (nil: the engine's Config.Lease).
func NewMix(weights map[string]int, flows map[string]Flow, users map[string]*Lease) (*Mix, error) {
	m := &Mix{weights: weights}
	for _, name := range slices.Sorted(maps.Keys(weights)) {
		w := weights[name]
		if w == 0 {
			continue
		}
		f := flows[name]
		if f == nil {
			return nil, invalidf("bench: flow %q is not available on this target", name)
		}
		m.total += uint64(w)
		m.names, m.flows, m.leases, m.cum = append(m.names, name), append(m.flows, f), append(m.leases, users[name]), append(m.cum, m.total)
	}
	if m.total == 0 {
		return nil, invalidf("bench: empty mix")
	}
	return m, nil
}

// Weights returns the mix's weights.
func (m *Mix) Weights() map[string]int { return m.weights }

// Pick chooses iteration seq's flow.
func (m *Mix) Pick(seq int64) (string, Flow, *Lease) {
	x := splitmix64(uint64(seq)) % m.total
	i, _ := slices.BinarySearch(m.cum, x+1)
	return m.names[i], m.flows[i], m.leases[i]
}

// Run runs the flow Pick chooses (for callers that do not pick themselves).
func (m *Mix) Run(ctx context.Context, it *Iteration) Outcome {
	name, f, _ := m.Pick(it.Seq)
	it.Flow = name
	return f.Run(ctx, it)
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// CustomAnswer is the answer the embedded bench pool's custom challenge expects.
const CustomAnswer = "42"

// SignInFlow is a whole sign-in through the driver: SignIn, then ConfirmSignIn with
// MFA codes or custom answers until the step is done. Every step met is recorded; SRP
// and API round trips reach the iteration through the driver's Observer. It is safe
// for concurrent use, given that each user is in at most one sign-in at a time.
type SignInFlow struct {
	// Name is the flow's name (FlowSRP, …).
	Name string
	// Client is the driver client of the flow's pool. This member is required.
	Client *driver.Client
	// Options are SignIn's options (the auth flow).
	Options driver.SignInOptions
	// Codes supplies SMS and email codes (the embedded pool's outbox).
	Codes mfa.Source
	// TOTP computes TOTP codes, one use per window per user.
	TOTP *mfa.TOTP
	// Answer answers custom challenges (default CustomAnswer).
	Answer string
	// Refresh makes the flow sign each user in once, then refresh its tokens.
	Refresh bool

	mu    sync.Mutex
	auths map[string]*driver.Auth // signed-in sessions for Refresh, by username

	httpClient *http.Client // the HTTP client Flows made for Client, or nil
}

// CloseIdleConnections closes the idle connections of the HTTP client Flows made for
// the flow's pool (a client given in FlowsOptions is its owner's to close).
func (f *SignInFlow) CloseIdleConnections() {
	if f.httpClient != nil {
		f.httpClient.CloseIdleConnections()
	}
}

// CloseIdleConnections closes the idle connections of the HTTP clients of flows (those
// Flows made), so that no connection to the pool outlives the run: call it when the
// run is over, before the pool stops.
func CloseIdleConnections(flows map[string]Flow) {
	for _, f := range flows {
		if c, ok := f.(interface{ CloseIdleConnections() }); ok {
			c.CloseIdleConnections()
		}
	}
}

// Run performs one sign-in for it.User.
func (f *SignInFlow) Run(ctx context.Context, it *Iteration) Outcome {
	if it.User == nil {
		return Outcome{Code: "NoUser", Err: errors.New("bench: the flow needs a user set")}
	}
	ctx = driver.WithObserver(ctx, it)
	u := it.User
	if f.Refresh {
		f.mu.Lock()
		a := f.auths[u.Username]
		f.mu.Unlock()
		if a != nil && a.Tokens() != nil {
			it.Step("refresh")
			_, err := a.Refresh(ctx)
			return Outcome{Err: err}
		}
	}
	a := f.Client.NewAuth()
	pw := u.Password
	if f.Options.Flow == driver.CustomWithoutSRP {
		pw = ""
	}
	sent := time.Now().Add(-time.Second) // the outbox and this process share a clock
	res, err := a.SignIn(ctx, u.Username, pw, f.Options)
	for range 6 {
		if err != nil {
			return Outcome{Err: err}
		}
		step := res.NextStep.SignInStep
		it.Step(string(step))
		var code string
		t0 := time.Now()
		switch step {
		case driver.Done:
			if f.Refresh {
				f.mu.Lock()
				if f.auths == nil {
					f.auths = map[string]*driver.Auth{}
				}
				f.auths[u.Username] = a
				f.mu.Unlock()
			}
			return Outcome{}
		case driver.ConfirmSignInWithSMSMFACode, driver.ConfirmSignInWithOTPCode:
			medium := mfa.MediumSMS
			if step == driver.ConfirmSignInWithOTPCode && res.NextStep.JSStep() != "CONFIRM_SIGN_IN_WITH_SMS_CODE" {
				medium = mfa.MediumEmail
			}
			if f.Codes == nil {
				return Outcome{Code: "NoCodeSource", Err: errors.New("bench: no SMS/email code source")}
			}
			code, err = f.Codes.Code(ctx, mfa.Request{PoolID: f.Client.Config().PoolID, Username: a.Username(), Medium: medium, Purpose: mfa.PurposeMFA, After: sent})
		case driver.ConfirmSignInWithTOTPMFACode:
			if f.TOTP == nil || u.TOTPSecret == "" {
				return Outcome{Code: "NoTOTPSecret", Err: errors.New("bench: the user has no TOTP secret")}
			}
			code, err = f.TOTP.Next(ctx, u.TOTPSecret)
		case driver.ConfirmSignInWithCustomChallenge:
			code = f.Answer
			if code == "" {
				code = CustomAnswer
			}
		default:
			return Outcome{Code: "UnexpectedStep", Err: fmt.Errorf("bench: flow %s: unexpected step %s", f.Name, step)}
		}
		if step != driver.ConfirmSignInWithCustomChallenge {
			// Time spent getting the code (outbox polling, waiting for a TOTP window):
			// the generator's, not the pool's, but inside signin.latency.
			it.Record("mfa.code", time.Since(t0))
		}
		if err != nil {
			return Outcome{Code: "NoCode", Err: err}
		}
		sent = time.Now().Add(-time.Second)
		res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{})
	}
	return Outcome{Code: "TooManySteps", Err: fmt.Errorf("bench: flow %s: no end after 6 steps", f.Name)}
}
