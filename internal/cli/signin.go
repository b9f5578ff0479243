package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/fixtures"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/mfa"
)

// signinFlags are `authbench signin`'s flags.
type signinFlags struct {
	endpoint, poolID, clientID, region         string
	username, password, flow, preferred        string
	dialect, newPassword, mfaChoice, firstFact string
	email, totpSecret, deviceName              string
	answers, attributes, codeCommand           []string
	asJSON, noPrompt                           bool
	timeout                                    time.Duration
}

func newSigninCmd(env Env) *cobra.Command {
	var fl signinFlags
	cmd := &cobra.Command{
		Use:   "signin --username NAME [--password PW] [flags]",
		Short: "Walk one sign-in step by step, printing each nextStep",
		Long: `signin signs one user in exactly as Amplify's signIn / confirmSignIn does and prints
each nextStep as it happens. Answers come from flags when given (--new-password,
--mfa-choice, --answer, …), SMS and email codes from the embedded pool's outbox (or
--code-command for a live pool), TOTP codes from --totp-secret; anything still
missing is asked for on the terminal unless --no-prompt.

With no --endpoint and no --pool-id it starts the embedded pool with its default
fixture (try --username confirmed --password Confirmed-Passw0rd, or --username
newpassword --password Temporary-Passw0rd). Secrets (passwords, codes, TOTP secrets,
tokens, sessions) are never printed.

The client secret is read from AUTHBENCH_CLIENT_SECRET, the password from
--password or AUTHBENCH_PASSWORD, the TOTP secret from --totp-secret or
AUTHBENCH_TOTP_SECRET.`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error { return runSignin(cmd.Context(), env, fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.endpoint, "endpoint", "", "Cognito endpoint URL (the embedded pool, LocalStack, moto); empty: AWS, or the embedded pool when --pool-id is empty too")
	f.StringVar(&fl.poolID, "pool-id", "", "user pool id")
	f.StringVar(&fl.clientID, "client-id", "", "app client id")
	f.StringVar(&fl.region, "region", "", "region (default: from the pool id)")
	f.StringVar(&fl.username, "username", "", "username, email or phone number to sign in")
	f.StringVar(&fl.password, "password", "", "password (or AUTHBENCH_PASSWORD)")
	f.StringVar(&fl.flow, "flow", "srp", "auth flow: srp, password, custom, custom-srp, user-auth")
	f.StringVar(&fl.preferred, "preferred-challenge", "", "USER_AUTH first factor: PASSWORD, PASSWORD_SRP, EMAIL_OTP, SMS_OTP")
	f.StringVar(&fl.dialect, "dialect", "flutter", "whose behaviour to copy: flutter or js")
	f.StringVar(&fl.newPassword, "new-password", "", "new password when one is required")
	f.StringVar(&fl.mfaChoice, "mfa-choice", "", "MFA type to choose or set up: SMS, TOTP, EMAIL")
	f.StringVar(&fl.firstFact, "first-factor", "", "first factor to choose in USER_AUTH")
	f.StringVar(&fl.email, "email", "", "email address for email MFA setup")
	f.StringVar(&fl.totpSecret, "totp-secret", "", "TOTP secret to compute codes from (or AUTHBENCH_TOTP_SECRET)")
	f.StringVar(&fl.deviceName, "device-name", "authbench", "friendly name of a TOTP device set up in sign-in")
	f.StringArrayVar(&fl.answers, "answer", nil, "custom challenge answer (repeat for several rounds)")
	f.StringArrayVar(&fl.attributes, "attribute", nil, "user attribute name=value sent with a new password (repeatable)")
	f.StringArrayVar(&fl.codeCommand, "code-command", nil, "program (and arguments, one flag each) that prints the SMS/email code")
	f.BoolVar(&fl.asJSON, "json", false, "print each step as a JSON line")
	f.BoolVar(&fl.noPrompt, "no-prompt", false, "never ask on the terminal; fail when an answer is missing")
	f.DurationVar(&fl.timeout, "timeout", 2*time.Minute, "give up after this long")
	return cmd
}

func runSignin(ctx context.Context, env Env, fl signinFlags) error {
	if fl.username == "" {
		return exitcode.Usagef("--username is required")
	}
	flow, ok := driver.ParseAuthFlow(fl.flow)
	if !ok {
		return exitcode.Usagef("--flow %q: want srp, password, custom, custom-srp or user-auth", fl.flow)
	}
	dialect, ok := driver.ParseDialect(fl.dialect)
	if !ok {
		return exitcode.Usagef("--dialect %q: want flutter or js", fl.dialect)
	}
	attrs := map[string]string{}
	for _, kv := range fl.attributes {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return exitcode.Usagef("--attribute %q: want name=value", kv)
		}
		attrs[k] = v
	}
	if fl.password == "" {
		fl.password = env.Getenv("AUTHBENCH_PASSWORD")
	}
	if fl.totpSecret == "" {
		fl.totpSecret = env.Getenv("AUTHBENCH_TOTP_SECRET")
	}
	secret := env.Getenv("AUTHBENCH_CLIENT_SECRET")
	ctx, cancel := context.WithTimeout(ctx, fl.timeout)
	defer cancel()

	// The target: a given pool, or the embedded one with its default fixture.
	if fl.poolID == "" && fl.endpoint == "" {
		srv := emulator.New(emulator.Options{Now: env.Now, Random: env.Random})
		fx, err := emulator.ParseFixture(bytes.NewReader(fixtures.PoolYAML))
		if err != nil {
			return err
		}
		loaded, err := srv.LoadFixture(ctx, fx)
		if err != nil {
			return err
		}
		if err := srv.Start(context.WithoutCancel(ctx), "127.0.0.1:0"); err != nil {
			return err
		}
		defer srv.Close()
		fl.endpoint, fl.poolID = srv.Endpoint(), loaded.Pools[0].ID
		if fl.clientID == "" {
			fl.clientID = loaded.Pools[0].Clients[0].ID
		}
		for _, c := range loaded.Pools[0].Clients {
			if c.ID == fl.clientID && secret == "" {
				secret = c.Secret
			}
		}
		if !fl.asJSON {
			fmt.Fprintf(env.Stderr, "embedded pool %s at %s (client %s)\n", fl.poolID, fl.endpoint, fl.clientID)
		}
	}
	if fl.poolID == "" || fl.clientID == "" {
		return exitcode.Usagef("--pool-id and --client-id are required with --endpoint or a live pool")
	}
	if driver.RegionOf(fl.poolID) == "" {
		return exitcode.Usagef("--pool-id %q: want <region>_<id>", fl.poolID)
	}
	if fl.endpoint != "" {
		if u, err := url.Parse(fl.endpoint); err != nil || u.Scheme == "" || u.Host == "" {
			return exitcode.Usagef("--endpoint %q: want a URL such as http://127.0.0.1:9229", fl.endpoint)
		}
	}
	idp := driver.NewSDKClient(fl.poolID, driver.Endpoint{URL: fl.endpoint, Region: fl.region})
	client, err := driver.New(idp, driver.Config{PoolID: fl.poolID, ClientID: fl.clientID, ClientSecret: secret, Dialect: dialect, Random: env.Random, Now: env.Now})
	if err != nil {
		return exitcode.Wrap(exitcode.Usage, err)
	}
	s := &signinSession{env: env, fl: fl, attrs: attrs, auth: client.NewAuth(), started: env.Now()}
	s.codes = s.codeSource()
	return s.run(ctx, flow)
}

// signinSession walks one sign-in.
type signinSession struct {
	env     Env
	fl      signinFlags
	attrs   map[string]string
	auth    *driver.Auth
	codes   mfa.Source
	prompt  *mfa.Prompt
	lines   *bufio.Reader
	totp    *mfa.TOTP
	secret  string // a TOTP secret learnt during setup
	started time.Time
}

// codeSource picks where SMS and email codes come from: a command, else the
// embedded pool's outbox (a loopback endpoint), else the terminal.
func (s *signinSession) codeSource() mfa.Source {
	if len(s.fl.codeCommand) > 0 {
		return &mfa.Command{Args: s.fl.codeCommand}
	}
	if isLoopback(s.fl.endpoint) {
		return mfa.NewOutbox(s.fl.endpoint, nil)
	}
	return s.promptSource()
}

func (s *signinSession) promptSource() *mfa.Prompt {
	if s.prompt == nil {
		s.prompt = mfa.NewPrompt(s.env.Stdin, s.env.Stderr)
	}
	return s.prompt
}

func isLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *signinSession) run(ctx context.Context, flow driver.AuthFlow) error {
	password := s.fl.password
	if password == "" && flow != driver.CustomWithoutSRP && flow != driver.UserAuth {
		p, err := s.ask(ctx, "Password for "+s.fl.username+": ")
		if err != nil {
			return err
		}
		password = p
	}
	res, err := s.auth.SignIn(ctx, s.fl.username, password, driver.SignInOptions{Flow: flow, PreferredChallenge: driver.AuthFactor(strings.ToUpper(s.fl.preferred))})
	answers := s.fl.answers
	for {
		if err != nil {
			return err
		}
		s.print(res)
		switch res.NextStep.SignInStep {
		case driver.Done, driver.ResetPassword, driver.ConfirmSignUp:
			return nil
		}
		value, opts, aerr := s.answer(ctx, res.NextStep, &answers, password)
		if aerr != nil {
			return aerr
		}
		res, err = s.auth.ConfirmSignIn(ctx, value, opts)
	}
}

// answer finds the value for a step: a flag, a code source, or the terminal.
func (s *signinSession) answer(ctx context.Context, n driver.NextStep, answers *[]string, password string) (string, driver.ConfirmOptions, error) {
	fl := s.fl
	var o driver.ConfirmOptions
	pick := func(flag, question string) (string, error) {
		if flag != "" {
			return flag, nil
		}
		return s.ask(ctx, question)
	}
	switch n.SignInStep {
	case driver.ConfirmSignInWithSMSMFACode, driver.ConfirmSignInWithOTPCode:
		d := n.CodeDeliveryDetails
		req := mfa.Request{PoolID: s.auth.Client().Config().PoolID, Username: s.auth.Username(), After: s.started.Add(-time.Second)}
		if d != nil {
			req.Medium, req.Destination = d.DeliveryMedium, d.Destination
		}
		code, err := s.codes.Code(ctx, req)
		return code, o, err
	case driver.ConfirmSignInWithTOTPMFACode:
		c, err := s.totpCode(ctx)
		return c, o, err
	case driver.ContinueSignInWithMFASelection:
		v, err := pick(fl.mfaChoice, fmt.Sprintf("Choose an MFA type %v: ", n.AllowedMFATypes))
		return v, o, err
	case driver.ContinueSignInWithMFASetupSelection, driver.ContinueSignInWithTOTPSetup, driver.ContinueSignInWithEmailMFASetup:
		switch {
		case n.TOTPSetupDetails != nil:
			s.secret = n.TOTPSetupDetails.SharedSecret
			if s.fl.totpSecret == "" && !s.fl.noPrompt {
				uri, err := mfa.SetupURI(s.secret, "authbench", s.auth.Username())
				if err == nil {
					fmt.Fprintf(s.env.Stderr, "Add this TOTP device to an authenticator app (this URI contains its secret): %s\n", uri)
				}
			}
			o.FriendlyDeviceName = fl.deviceName
			c, err := s.totpCode(ctx)
			return c, o, err
		case n.SignInStep == driver.ContinueSignInWithEmailMFASetup || (len(n.AllowedMFATypes) == 1 && n.AllowedMFATypes[0] == driver.MFAEmail):
			v, err := pick(fl.email, "Email address for email MFA: ")
			return v, o, err
		}
		choice := fl.mfaChoice
		if choice == "" && len(n.AllowedMFATypes) > 0 && fl.noPrompt {
			choice = string(n.AllowedMFATypes[0])
		}
		v, err := pick(choice, fmt.Sprintf("Choose an MFA type to set up %v: ", n.AllowedMFATypes))
		return v, o, err
	case driver.ContinueSignInWithFirstFactorSelection:
		v, err := pick(fl.firstFact, fmt.Sprintf("Choose a first factor %v: ", n.AvailableFactors))
		return v, o, err
	case driver.ConfirmSignInWithPassword:
		v, err := pick(password, "Password: ")
		return v, o, err
	case driver.ConfirmSignInWithNewPassword:
		o.UserAttributes = s.attrs
		for _, a := range n.MissingAttributes {
			if o.UserAttributes[a] == "" {
				v, err := s.ask(ctx, "Value of required attribute "+a+": ")
				if err != nil {
					return "", o, err
				}
				o.UserAttributes[a] = v
			}
		}
		v, err := pick(fl.newPassword, "New password: ")
		return v, o, err
	case driver.ConfirmSignInWithCustomChallenge:
		if len(*answers) > 0 {
			v := (*answers)[0]
			*answers = (*answers)[1:]
			return v, o, nil
		}
		v, err := s.ask(ctx, "Answer to the custom challenge: ")
		return v, o, err
	}
	return "", o, fmt.Errorf("no way to answer step %s", n.SignInStep)
}

// totpCode computes a TOTP code from the known secret, or asks for one.
func (s *signinSession) totpCode(ctx context.Context) (string, error) {
	secret := s.fl.totpSecret
	if secret == "" {
		secret = s.secret
	}
	if secret == "" {
		return s.ask(ctx, "TOTP code: ")
	}
	if s.totp == nil {
		s.totp = &mfa.TOTP{Now: s.env.Now}
	}
	return s.totp.Next(ctx, secret)
}

// ask reads one answer from the terminal, unless --no-prompt.
func (s *signinSession) ask(ctx context.Context, question string) (string, error) {
	if s.fl.noPrompt {
		return "", exitcode.Usagef("an answer is needed (%s) and --no-prompt is set", strings.TrimSuffix(strings.TrimSpace(question), ":"))
	}
	if s.lines == nil {
		s.lines = bufio.NewReader(s.env.Stdin)
	}
	fmt.Fprint(s.env.Stderr, question)
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		l, err := s.lines.ReadString('\n')
		ch <- line{strings.TrimSpace(l), err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case l := <-ch:
		if l.s == "" && l.err != nil {
			if errors.Is(l.err, io.EOF) {
				return "", exitcode.Usagef("no answer on standard input (%s)", strings.TrimSuffix(strings.TrimSpace(question), ":"))
			}
			return "", l.err
		}
		return l.s, nil
	}
}

// stepLine is a step as a JSON line; it carries no secret.
type stepLine struct {
	Time       string          `json:"time"`
	SignInStep driver.Step     `json:"signInStep"`
	JSStep     string          `json:"jsSignInStep"`
	IsSignedIn bool            `json:"isSignedIn"`
	NextStep   driver.NextStep `json:"nextStep"`
	Username   string          `json:"username,omitempty"`
}

func (s *signinSession) print(res driver.Result) {
	n := res.NextStep
	if s.fl.asJSON {
		l := stepLine{Time: s.env.Now().UTC().Format(time.RFC3339Nano), SignInStep: n.SignInStep, JSStep: n.JSStep(), IsSignedIn: res.IsSignedIn, NextStep: n}
		if res.IsSignedIn {
			l.Username = s.auth.Username()
		}
		b, _ := json.Marshal(l)
		fmt.Fprintln(s.env.Stdout, string(b))
		return
	}
	fmt.Fprintf(s.env.Stdout, "→ %s (%s)", n.SignInStep, n.JSStep())
	switch {
	case res.IsSignedIn:
		fmt.Fprintf(s.env.Stdout, ": signed in as %s", s.auth.Username())
	case n.CodeDeliveryDetails != nil:
		fmt.Fprintf(s.env.Stdout, ": code via %s to %s", n.CodeDeliveryDetails.DeliveryMedium, n.CodeDeliveryDetails.Destination)
	case len(n.AllowedMFATypes) > 0:
		fmt.Fprintf(s.env.Stdout, ": %v", n.AllowedMFATypes)
	case len(n.AvailableFactors) > 0:
		fmt.Fprintf(s.env.Stdout, ": %v", n.AvailableFactors)
	case len(n.MissingAttributes) > 0:
		fmt.Fprintf(s.env.Stdout, ": missing attributes %v", n.MissingAttributes)
	}
	if n.TOTPSetupDetails != nil {
		fmt.Fprint(s.env.Stdout, " (TOTP secret received)")
	}
	fmt.Fprintln(s.env.Stdout)
}
