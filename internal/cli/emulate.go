package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/exitcode"
)

func newEmulateCmd(env Env) *cobra.Command {
	var (
		addr, fixture, state, region, logLevel string
		interval                               time.Duration
		quotas, latencies, lambdas             []string
		perUser                                int
		lambdaTimeout                          time.Duration
	)
	// The HTTP face's bounds and who may call it (issue #13).
	var (
		maxConns, maxSessions    int
		allowOrigins, allowHosts []string
	)
	// Signed requests and the public URL of a pool beyond loopback (issue #13).
	var (
		accessKeyID, secretKeyFile, publicURL string
		requireSignature                      bool
	)
	cmd := &cobra.Command{
		Use:   "emulate",
		Short: "Serve a Cognito-compatible user pool on 127.0.0.1",
		Long: `emulate serves the embedded Cognito user pool: the Cognito API on POST / (point an
AWS SDK's endpoint, Amplify's userPoolEndpoint or amazon-cognito-identity-js's endpoint at
it), JWKS at /<poolId>/.well-known/jwks.json, and every SMS and email it "sends" at
/_authbench/outbox?poolId=…&username=….

--fixture preloads pools, clients and users from YAML (see fixtures/pool.yaml). --state
keeps the pools across restarts: it is loaded on start (and then the fixture is not
applied), written atomically every --state-interval and on shutdown. Its directory
must be writable (checked at start); a symbolic link is written through, the link kept.
SIGINT or SIGTERM shut down cleanly (exit 0).

Bound beyond loopback (--addr 0.0.0.0:9229), the pool warns and requires SigV4-signed
requests for every operation Cognito signs (Admin, provisioning, list) and the outbox:
give the access key with --access-key-id and --secret-access-key-file (or
AUTHBENCH_EMULATOR_SECRET_ACCESS_KEY), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
--require-signature asks the same on loopback. Tokens' issuer and the JWKS URL then use
--public-url (default the machine's first non-loopback address).`,
		Args: usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if interval < 0 {
				return exitcode.Usagef("--state-interval must not be negative, got %s", interval)
			}
			if _, _, err := net.SplitHostPort(addr); err != nil {
				return exitcode.Usagef("--addr %q: %v", addr, err)
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return exitcode.Usagef("--log-level %q: want debug, info, warn or error", logLevel)
			}
			if maxConns < 0 {
				return exitcode.Usagef("--max-conns must not be negative, got %d", maxConns)
			}
			if maxSessions < 0 {
				return exitcode.Usagef("--max-sessions must not be negative, got %d", maxSessions)
			}
			var limits emulator.Limits
			var triggers emulator.Triggers
			if err := limitFlags(&limits, &triggers, quotas, latencies, lambdas, perUser, lambdaTimeout); err != nil {
				return err
			}
			if err := triggers.FromEnvironment(env.Getenv); err != nil {
				return exitcode.Usagef("%v", err)
			}
			keyID, secret, err := emulateAccessKey(env, accessKeyID, secretKeyFile)
			if err != nil {
				return err
			}
			if publicURL != "" {
				if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
					return exitcode.Usagef("--public-url %q: want an absolute http or https URL such as http://pool.example:9229", publicURL)
				}
			}
			log := slog.New(slog.NewTextHandler(env.Stderr, &slog.HandlerOptions{Level: level}))
			srv := emulator.New(emulator.Options{Region: region, Logger: log, Now: env.Now, Random: env.Random, Limits: limits, Triggers: triggers,
				MaxConns: maxConns, AllowOrigins: allowOrigins, AllowHosts: allowHosts, Resources: emulator.Resources{Sessions: maxSessions},
				AccessKeyID: keyID, SecretAccessKey: secret, RequireSignature: requireSignature, PublicURL: publicURL})
			ctx := cmd.Context()

			restored := false
			if state != "" {
				// Fail now, not at every save, when the state cannot be written.
				if err := emulator.PrepareState(state); err != nil {
					return exitcode.Wrap(exitcode.Usage, err)
				}
				ok, err := srv.LoadState(state)
				if err != nil {
					return exitcode.Wrap(exitcode.Usage, err)
				}
				restored = ok
			}
			if fixture != "" && !restored {
				if _, err := srv.LoadFixtureFile(ctx, fixture); err != nil {
					return exitcode.Wrap(exitcode.Usage, err)
				}
			}
			if err := srv.Start(context.WithoutCancel(ctx), addr); errors.Is(err, emulator.ErrNoAccessKey) {
				return exitcode.Usagef("--addr %s is beyond loopback or --require-signature is set, so Admin, provisioning and list calls must be signed: "+
					"give the access key with --access-key-id and --secret-access-key-file FILE (or %s), or with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", addr, envEmulatorSecret)
			} else if err != nil {
				return exitcode.Wrap(exitcode.Usage, err)
			}
			printBanner(env, srv, restored, state)

			var tick <-chan time.Time
			if state != "" && interval > 0 {
				t := time.NewTicker(interval)
				defer t.Stop()
				tick = t.C
			}
			for done := false; !done; {
				select {
				case <-ctx.Done():
					done = true
				case <-tick:
					if err := srv.SaveState(state); err != nil {
						log.Error("saving state", "err", err)
					}
				}
			}
			log.Info("shutting down")
			closeErr := srv.Close()
			if state != "" {
				if err := srv.SaveState(state); err != nil {
					return err
				}
				log.Info("state saved", "file", state)
			}
			return closeErr
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", emulator.DefaultAddr, "address to listen on")
	f.StringVar(&fixture, "fixture", "", "YAML file of pools, clients and users to preload")
	f.StringVar(&state, "state", "", "file to keep state in across restarts")
	f.DurationVar(&interval, "state-interval", 30*time.Second, "how often to write --state (0: only on shutdown)")
	f.StringVar(&region, "region", "us-east-1", "region of pool ids and token issuers")
	f.StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	f.StringArrayVar(&quotas, "quota", nil, "a request-rate quota, Category=RPS (e.g. UserAuthentication=120), or defaults for Cognito's; repeatable")
	f.IntVar(&perUser, "quota-per-user", 0, "operations per user per second, for reads and for writes (Cognito: 10; 0: off)")
	f.StringArrayVar(&latencies, "latency", nil, "injected latency, Operation|Category|*=D, D±J or p50=D,p99=D (e.g. InitiateAuth=20ms±5ms); repeatable")
	f.StringArrayVar(&lambdas, "lambda", nil, "where a trigger ARN runs: ARN=URL of a Lambda runtime interface emulator, or URL for every ARN; repeatable (ARNs not named run through the Lambda Invoke API at AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL)")
	f.DurationVar(&lambdaTimeout, "lambda-timeout", 0, "how long a trigger may take (default 5s, as Cognito)")
	// The HTTP face's bounds and who may call it (issue #13).
	f.IntVar(&maxConns, "max-conns", emulator.DefaultMaxConns, "connections served at once (more wait for a free one)")
	f.IntVar(&maxSessions, "max-sessions", emulator.DefaultSessions, "sign-ins in flight a pool keeps (past it the oldest session is forgotten, its client told it expired; 0 means the default)")
	f.StringArrayVar(&allowOrigins, "allow-origin", nil, "a web origin (e.g. http://localhost:3000, or *) whose pages may call Admin and provisioning operations and read the outbox; repeatable")
	f.StringArrayVar(&allowHosts, "allow-host", nil, "a host name, besides the bound address and localhost, that requests may name in their Host header; repeatable")
	// Signed requests and the public URL of a pool beyond loopback (issue #13).
	f.StringVar(&accessKeyID, "access-key-id", "", "the AWS access key id whose SigV4 signatures the pool accepts (default AWS_ACCESS_KEY_ID); required beyond loopback")
	f.StringVar(&secretKeyFile, "secret-access-key-file", "", "a file holding that key's secret access key (or set "+envEmulatorSecret+"; default AWS_SECRET_ACCESS_KEY)")
	f.BoolVar(&requireSignature, "require-signature", false, "require SigV4-signed requests for Admin, provisioning and list operations and the outbox on loopback too (always on beyond loopback)")
	f.StringVar(&publicURL, "public-url", "", "base URL of the tokens' issuer and JWKS (default the bound address; for 0.0.0.0 the machine's first non-loopback address)")
	return cmd
}

// envEmulatorSecret names the environment variable holding the secret access key
// the pool checks signatures with (a secret is never a flag value).
const envEmulatorSecret = "AUTHBENCH_EMULATOR_SECRET_ACCESS_KEY"

// emulateAccessKey resolves the access key of `emulate`: --access-key-id with its
// secret from --secret-access-key-file or AUTHBENCH_EMULATOR_SECRET_ACCESS_KEY, else
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY. Both halves or neither.
func emulateAccessKey(env Env, keyID, secretFile string) (string, string, error) {
	secret := env.Getenv(envEmulatorSecret)
	if secretFile != "" {
		b, err := os.ReadFile(secretFile)
		if err != nil {
			return "", "", exitcode.Usagef("--secret-access-key-file: %v", err)
		}
		if secret = strings.TrimSpace(string(b)); secret == "" {
			return "", "", exitcode.Usagef("--secret-access-key-file %s is empty", secretFile)
		}
	}
	switch {
	case keyID != "" && secret == "":
		return "", "", exitcode.Usagef("--access-key-id needs its secret: give --secret-access-key-file FILE or set %s", envEmulatorSecret)
	case keyID == "" && secret != "":
		return "", "", exitcode.Usagef("a secret access key was given (--secret-access-key-file or %s) without --access-key-id", envEmulatorSecret)
	case keyID == "":
		keyID, secret = env.Getenv("AWS_ACCESS_KEY_ID"), env.Getenv("AWS_SECRET_ACCESS_KEY")
		if keyID == "" || secret == "" {
			return "", "", nil
		}
	}
	return keyID, secret, nil
}

// limitFlags turns the quota, latency and Lambda flags into options.
func limitFlags(l *emulator.Limits, t *emulator.Triggers, quotas, latencies, lambdas []string, perUser int, timeout time.Duration) error {
	for _, q := range quotas {
		if err := l.SetQuota(q); err != nil {
			return exitcode.Usagef("--quota: %v", err)
		}
	}
	if perUser < 0 {
		return exitcode.Usagef("--quota-per-user must not be negative, got %d", perUser)
	}
	l.PerUser = perUser
	for _, d := range latencies {
		if err := l.SetLatency(d); err != nil {
			return exitcode.Usagef("--latency: %v", err)
		}
	}
	for _, m := range lambdas {
		if err := t.SetLambda(m); err != nil {
			return exitcode.Usagef("--lambda: %v", err)
		}
	}
	if timeout < 0 {
		return exitcode.Usagef("--lambda-timeout must not be negative, got %s", timeout)
	}
	t.Timeout = timeout
	return nil
}

// printBanner prints the start-up lines: the endpoint, each pool and its clients.
func printBanner(env Env, srv *emulator.Server, restored bool, state string) {
	ep := srv.Endpoint()
	fmt.Fprintf(env.Stdout, "authbench emulate: Cognito endpoint %s\n", ep)
	if restored {
		fmt.Fprintf(env.Stdout, "  state restored from %s\n", state)
	}
	pools := srv.Pools()
	if len(pools) == 0 {
		fmt.Fprintln(env.Stdout, "  no pools yet: create them with the AWS API (CreateUserPool) or start with --fixture")
	}
	for _, p := range pools {
		fmt.Fprintf(env.Stdout, "  pool %s (%s): %d users; clients: %s\n", p.ID, p.Name, p.Users, strings.Join(p.Clients, ", "))
	}
	fmt.Fprintf(env.Stdout, "  outbox %s/_authbench/outbox\n", ep)
}
