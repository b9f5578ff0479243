package driver

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/logging"
)

// CredentialsTimeout bounds the up-front credential check of [NewAdminClient]: a
// credential chain that has not answered by then will not answer a sign-in either.
const CredentialsTimeout = 5 * time.Second

// LoopbackAccessKey is the access key of the static credentials an Admin client of a
// loopback endpoint signs with when none are configured. An emulator on this machine
// takes any key (unless it was told to check them, and then it was told which).
const LoopbackAccessKey = "authbench"

// CredentialsError says that no AWS credentials were found for Cognito's Admin API.
// Its text is one line that says how to provide them; the SDK's cause, when it adds
// something (a profile that does not exist, an expired SSO token), follows it.
type CredentialsError struct {
	// PoolID is the pool the Admin calls were for.
	PoolID string
	// Configured is true when some credential source was named (a profile, keys, a
	// web identity or container credentials) but gave nothing.
	Configured bool
	err        error
}

func (e *CredentialsError) Error() string {
	msg := "no AWS credentials found for the Admin calls to " + e.PoolID +
		": set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run with an IAM role"
	if e.Configured && e.err != nil {
		msg += " (" + oneLine(e.err.Error()) + ")"
	}
	return msg
}

func (e *CredentialsError) Unwrap() error { return e.err }

// ErrNoCredentials matches every *CredentialsError with errors.Is.
var ErrNoCredentials = errors.New("driver: no AWS credentials")

// Is makes a CredentialsError match ErrNoCredentials.
func (e *CredentialsError) Is(target error) bool { return target == ErrNoCredentials }

// sysEnv is what the credential lookup reads of the process: its environment and
// files (for the EC2 check). Tests replace both.
type sysEnv struct {
	getenv   func(string) string
	readFile func(string) ([]byte, error)
}

// NewAdminClient builds the Cognito client of poolID that makes Admin calls
// (provisioning test users, reading the pool's configuration): [NewSDKClient] with
// credentials. Every command builds its Admin client here, so all find credentials
// the same way:
//
//   - ep.Credentials, when set, are used as they are.
//   - Otherwise the SDK's default chain (environment, shared config and credentials
//     files, web identity, container credentials) is asked, up front and within
//     [CredentialsTimeout], before any call to the pool.
//   - The EC2 instance metadata service is part of that chain only where it can
//     answer: on an EC2 instance (its DMI vendor, asset tag or Xen UUID says so, the
//     method AWS documents for telling an instance apart), or when
//     AWS_EC2_METADATA_DISABLED=false asks for it. Elsewhere its probes only wait and
//     print the SDK's warnings.
//   - For a loopback endpoint (an emulator on this machine, which needs no AWS
//     account) only what the environment names is used: the keys of
//     AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (an emulator told to check
//     signatures is told which keys), or the chain of an AWS_PROFILE set; otherwise,
//     or when that gives nothing, the client signs with static dummy credentials
//     ([LoopbackAccessKey]). Shared config files, credential processes and SSO are
//     not run unasked for a pool on this machine, and the metadata service never.
//   - For any other endpoint, a chain with nothing is a *CredentialsError.
func NewAdminClient(ctx context.Context, poolID string, ep Endpoint) (*cip.Client, error) {
	creds, err := AdminCredentials(ctx, poolID, ep)
	if err != nil {
		return nil, err
	}
	ep.Credentials = creds
	return NewSDKClient(poolID, ep), nil
}

// AdminCredentials returns the credentials [NewAdminClient] signs poolID's Admin
// calls with, found as it says (ep.Credentials when set). What else talks to the
// same pool with signed requests — the embedded pool's outbox, which a pool bound
// beyond loopback or started with --require-signature serves only to requests
// signed by its access key — signs with these, so that one key works for both.
func AdminCredentials(ctx context.Context, poolID string, ep Endpoint) (aws.CredentialsProvider, error) {
	if ep.Credentials != nil {
		return ep.Credentials, nil
	}
	return adminCredentials(ctx, poolID, ep, sysEnv{getenv: os.Getenv, readFile: os.ReadFile})
}

func adminCredentials(ctx context.Context, poolID string, ep Endpoint, env sysEnv) (aws.CredentialsProvider, error) {
	loopback := ep.URL != "" && IsLoopback(ep.URL)
	dummy := credentials.NewStaticCredentialsProvider(LoopbackAccessKey, LoopbackAccessKey, "")
	if loopback {
		if id, secret := env.getenv("AWS_ACCESS_KEY_ID"), env.getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
			return credentials.NewStaticCredentialsProvider(id, secret, env.getenv("AWS_SESSION_TOKEN")), nil
		}
		if env.getenv("AWS_PROFILE") == "" {
			return dummy, nil
		}
	}
	region := ep.Region
	if region == "" {
		region = RegionOf(poolID)
	}
	state := imds.ClientDisabled
	if !loopback && imdsAvailable(env) {
		state = imds.ClientEnabled
	}
	ctx, cancel := context.WithTimeout(ctx, CredentialsTimeout)
	defer cancel()
	// The SDK's own logs (the metadata service's fallbacks) are not printed: a
	// failure is the one line of CredentialsError.
	cfg, err := config.LoadDefaultConfig(ctx, config.WithRegion(region), config.WithEC2IMDSClientEnableState(state),
		config.WithLogger(logging.Nop{}))
	if err == nil {
		_, err = cfg.Credentials.Retrieve(ctx)
	}
	switch {
	case err == nil:
		return cfg.Credentials, nil
	case loopback:
		return dummy, nil
	}
	return nil, &CredentialsError{PoolID: poolID, Configured: credentialSourceNamed(env), err: err}
}

// imdsAvailable reports whether the instance metadata service can be expected to
// answer: AWS_EC2_METADATA_DISABLED=false says so, =true says not; otherwise only
// an EC2 instance has one.
func imdsAvailable(env sysEnv) bool {
	switch strings.ToLower(env.getenv("AWS_EC2_METADATA_DISABLED")) {
	case "true":
		return false
	case "false":
		return true
	}
	return onEC2(env)
}

// onEC2 reports whether this machine is an EC2 instance, as AWS documents telling
// one apart on Linux: the DMI system vendor is "Amazon EC2", or the board asset tag
// is an instance id, or (older Xen instances) the hypervisor UUID starts with "ec2".
func onEC2(env sysEnv) bool {
	if b, err := env.readFile("/sys/devices/virtual/dmi/id/sys_vendor"); err == nil && bytes.Contains(b, []byte("Amazon EC2")) {
		return true
	}
	if b, err := env.readFile("/sys/devices/virtual/dmi/id/board_asset_tag"); err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("i-")) {
		return true
	}
	b, err := env.readFile("/sys/hypervisor/uuid")
	return err == nil && bytes.HasPrefix(bytes.ToLower(b), []byte("ec2"))
}

// credentialSourceNamed reports whether the environment names a credential source
// (a variable, or a shared config or credentials file), so that the SDK's reason for
// finding nothing is worth showing.
func credentialSourceNamed(env sysEnv) bool {
	for _, k := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"} {
		if env.getenv(k) != "" {
			return true
		}
	}
	files := []string{env.getenv("AWS_CONFIG_FILE"), env.getenv("AWS_SHARED_CREDENTIALS_FILE")}
	if home := env.getenv("HOME"); home != "" {
		files = append(files, filepath.Join(home, ".aws", "config"), filepath.Join(home, ".aws", "credentials"))
	}
	for _, f := range files {
		if _, err := env.readFile(f); f != "" && err == nil {
			return true
		}
	}
	return false
}

// oneLine joins a multi-line text into one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
