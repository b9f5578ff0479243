package cli

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/internal/signin"
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
missing is asked for on the terminal unless --no-prompt. On a terminal, passwords,
codes and custom answers the challenge marks secret (public parameter secret: true)
are read without echo; from a pipe every answer is one line.

With no --endpoint and no --pool-id it starts the embedded pool with its default
fixture (try --username confirmed --password Confirmed-Passw0rd, or --username
newpassword --password Temporary-Passw0rd). Secrets (passwords, codes, TOTP secrets,
tokens, sessions) are never printed.

An authbench pool at a loopback --endpoint that requires signed requests
(emulate --require-signature) serves its outbox only to its access key: give it in
AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, as for its Admin calls.

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
	// With no --endpoint and no --pool-id, signin.Run starts the embedded pool.
	if fl.poolID != "" || fl.endpoint != "" {
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
	}
	o := signin.Options{
		Endpoint: fl.endpoint, PoolID: fl.poolID, ClientID: fl.clientID, Region: fl.region, ClientSecret: env.Getenv("AUTHBENCH_CLIENT_SECRET"),
		Username: fl.username, Password: fl.password, Flow: flow, PreferredChallenge: driver.AuthFactor(strings.ToUpper(fl.preferred)), Dialect: dialect,
		NewPassword: fl.newPassword, MFAChoice: fl.mfaChoice, FirstFactor: fl.firstFact, Email: fl.email,
		TOTPSecret: fl.totpSecret, DeviceName: fl.deviceName, Answers: fl.answers, Attributes: attrs,
		JSON: fl.asJSON, NoPrompt: fl.noPrompt,
		Stdin: env.Stdin, Stdout: env.Stdout, Stderr: env.Stderr, Now: env.Now, Random: env.Random,
	}
	if o.Password == "" {
		o.Password = env.Getenv("AUTHBENCH_PASSWORD")
	}
	if o.TOTPSecret == "" {
		o.TOTPSecret = env.Getenv("AUTHBENCH_TOTP_SECRET")
	}
	// SMS and email codes: from a command, else (nil) from the outbox of the embedded
	// pool or of a loopback endpoint's authbench pool (read with the Admin
	// credentials, as a pool that requires signatures asks), else the terminal.
	if len(fl.codeCommand) > 0 {
		o.Codes = &mfa.Command{Args: fl.codeCommand}
	}
	ctx, cancel := context.WithTimeout(ctx, fl.timeout)
	defer cancel()
	return signin.Run(ctx, o)
}
