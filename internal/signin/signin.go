// Package signin walks one interactive sign-in, the way `authbench signin` does: it
// signs a user in through driver's state machine, prints each nextStep as it happens
// (a line of text, or a JSON line) and answers every step until the sign-in is done
// or stops at a step a sign-in cannot answer (confirm sign-up, reset password).
//
// Each answer comes from the options first (a new password, an MFA choice, custom
// challenge answers, a TOTP secret), SMS and email codes from a code source (a
// command, an emulator's outbox), and anything still missing from the terminal,
// unless prompting is off. Secret answers (passwords, codes, custom answers the
// challenge marks secret) are read without echo on a terminal and as plain lines
// from a pipe; choices, email addresses and attribute values are echoed. With no
// pool given, Run starts the embedded pool with its default fixture
// (fixtures/pool.yaml) for the length of the sign-in.
//
// The package is internal: it is the command's interaction (prompts, printed lines,
// exit codes), not a library promise. Secrets (passwords, codes, TOTP secrets,
// tokens, sessions) are never printed.
package signin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/mfa"
)

// Options configure one sign-in.
type Options struct {
	// Endpoint, PoolID, ClientID and Region say which pool to sign in to. With no
	// Endpoint and no PoolID, Run starts the embedded pool (ClientID then defaults to
	// its public client).
	Endpoint, PoolID, ClientID, Region string
	// ClientSecret is the app client's secret, if it has one (for the embedded pool it
	// is taken from the fixture when empty).
	ClientSecret string
	// Username and Password sign in; an empty Password is asked for when the flow
	// needs one.
	Username, Password string
	// Flow is the auth flow; PreferredChallenge the USER_AUTH first factor.
	Flow               driver.AuthFlow
	PreferredChallenge driver.AuthFactor
	// Dialect is whose behaviour the driver copies.
	Dialect driver.Dialect
	// NewPassword, MFAChoice, FirstFactor and Email answer the steps that ask for
	// them; an empty one is asked for.
	NewPassword, MFAChoice, FirstFactor, Email string
	// TOTPSecret computes TOTP codes; without it, a secret received in a TOTP setup
	// is used, else the code is asked for.
	TOTPSecret string
	// DeviceName is the friendly name of a TOTP device set up in sign-in.
	DeviceName string
	// Answers answer custom challenges, one a round.
	Answers []string
	// Attributes are sent with a new password.
	Attributes map[string]string
	// Codes supplies SMS and email codes; nil means the outbox of the embedded pool
	// when Run starts it, or of the authbench pool at a loopback Endpoint (read with
	// the credentials of driver.AdminCredentials, as a pool that requires signatures
	// asks), else the terminal.
	Codes mfa.Source
	// JSON prints each step as a JSON line.
	JSON bool
	// NoPrompt never asks on the terminal: a missing answer is a usage error.
	NoPrompt bool
	// Stdin is the terminal's input; Stdout receives the steps, Stderr prompts and
	// notes.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Now is the clock and Random the source of secrets (of the driver and of the
	// embedded pool).
	Now    func() time.Time
	Random io.Reader
}

// Run walks one sign-in as o says. Errors a user can fix (no answer to a step, an
// invalid client configuration) carry exit code 2 (see package exitcode).
func Run(ctx context.Context, o Options) error {
	if o.PoolID == "" && o.Endpoint == "" {
		srv, loaded, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Options: emulator.Options{Now: o.Now, Random: o.Random}, Fixtures: []string{"pool"}})
		if err != nil {
			return err
		}
		defer srv.Close()
		p := loaded.Pools[0]
		o.Endpoint, o.PoolID = srv.Endpoint(), p.ID
		if o.ClientID == "" {
			o.ClientID = p.Clients[0].ID
		}
		for _, c := range p.Clients {
			if c.ID == o.ClientID && o.ClientSecret == "" {
				o.ClientSecret = c.Secret
			}
		}
		if o.Codes == nil {
			ob := mfa.NewOutbox(o.Endpoint, nil)
			defer ob.CloseIdleConnections()
			o.Codes = ob
		}
		if !o.JSON {
			fmt.Fprintf(o.Stderr, "embedded pool %s at %s (client %s)\n", o.PoolID, o.Endpoint, o.ClientID)
		}
	}
	if o.Codes == nil && driver.IsLoopback(o.Endpoint) {
		ob, err := loopbackOutbox(ctx, o)
		if err != nil {
			return err
		}
		if ob != nil {
			defer ob.CloseIdleConnections()
			o.Codes = ob
		}
	}
	idp := driver.NewSDKClient(o.PoolID, driver.Endpoint{URL: o.Endpoint, Region: o.Region})
	client, err := driver.New(idp, driver.Config{PoolID: o.PoolID, ClientID: o.ClientID, ClientSecret: o.ClientSecret, Dialect: o.Dialect, Random: o.Random, Now: o.Now})
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	if o.Attributes == nil {
		o.Attributes = map[string]string{}
	}
	s := &session{o: o, auth: client.NewAuth(), answers: o.Answers, started: o.Now(), in: mfa.NewInput(o.Stdin, o.Stderr)}
	if s.o.Codes == nil {
		s.o.Codes = mfa.NewPrompt(o.Stdin, o.Stderr, func(po *mfa.PromptOptions) { po.Input = s.in })
	}
	err = s.run(ctx)
	if errors.Is(err, mfa.ErrRefused) {
		// The pool wants its access key: the user has to give it.
		return exitcode.Wrap(exitcode.Usage, err)
	}
	return err
}

// loopbackOutbox returns the outbox of the pool at o.Endpoint, a loopback endpoint
// (an authbench pool started apart, `authbench emulate`), read with the Admin
// calls' credentials (driver.LoopbackOutbox): nil when the endpoint serves no outbox
// (another emulator: codes are then asked for), a usage error when no credentials
// can be had or the outbox refuses them.
func loopbackOutbox(ctx context.Context, o Options) (*mfa.Outbox, error) {
	ob, err := driver.LoopbackOutbox(ctx, o.Endpoint, o.PoolID, o.Region)
	if err != nil {
		return nil, exitcode.Wrap(exitcode.Usage, err)
	}
	return ob, nil
}

// session walks one sign-in.
type session struct {
	o       Options
	auth    *driver.Auth
	answers []string   // the custom challenge answers not used yet
	in      *mfa.Input // the terminal (or standard input), shared with a code prompt
	totp    *mfa.TOTP
	secret  string // a TOTP secret learnt during setup
	started time.Time
}

func (s *session) run(ctx context.Context) error {
	password := s.o.Password
	if password == "" && s.o.Flow != driver.CustomWithoutSRP && s.o.Flow != driver.UserAuth {
		p, err := s.ask(ctx, "Password for "+s.o.Username+": ", hidden)
		if err != nil {
			return err
		}
		password = p
	}
	res, err := s.auth.SignIn(ctx, s.o.Username, password, driver.SignInOptions{Flow: s.o.Flow, PreferredChallenge: s.o.PreferredChallenge})
	for {
		if err != nil {
			return err
		}
		s.print(res)
		switch res.NextStep.SignInStep {
		case driver.Done, driver.ResetPassword, driver.ConfirmSignUp:
			return nil
		}
		value, opts, aerr := s.answer(ctx, res.NextStep, password)
		if aerr != nil {
			return aerr
		}
		res, err = s.auth.ConfirmSignIn(ctx, value, opts)
	}
}
