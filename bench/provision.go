package bench

import (
	"context"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"golang.org/x/sync/errgroup"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// Admin is the part of Cognito's Admin API provisioning calls (the SDK client
// satisfies it).
type Admin interface {
	AdminCreateUser(context.Context, *cip.AdminCreateUserInput, ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error)
	AdminSetUserPassword(context.Context, *cip.AdminSetUserPasswordInput, ...func(*cip.Options)) (*cip.AdminSetUserPasswordOutput, error)
	AdminSetUserMFAPreference(context.Context, *cip.AdminSetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.AdminSetUserMFAPreferenceOutput, error)
	AdminDeleteUser(context.Context, *cip.AdminDeleteUserInput, ...func(*cip.Options)) (*cip.AdminDeleteUserOutput, error)
}

// DefaultProvisionParallel bounds concurrent provisioning calls.
const DefaultProvisionParallel = 16

// ProvisionOptions says which users to create.
type ProvisionOptions struct {
	// PoolID is the pool to create users in. This member is required.
	PoolID string
	// Flow is the flow the users are for: it decides their MFA (sms, email, totp,
	// device: SMS) and attributes.
	Flow string
	// Count is the number of users.
	Count int
	// Prefix starts every username (default "authbench-bench-").
	Prefix string
	// Parallel bounds concurrent users in provisioning (default
	// DefaultProvisionParallel).
	Parallel int
	// Random is the source of passwords and names (default crypto/rand).
	Random io.Reader
	// Client signs TOTP users in to set their software token up (totp only).
	Client *driver.Client
	// TOTP computes the setup codes (totp only).
	TOTP *mfa.TOTP
	// Progress, if set, is called after each user (from several goroutines).
	Progress func(done, total int)
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func randString(r io.Reader, n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", fmt.Errorf("bench: random: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// Provision creates o.Count users in o.PoolID through the Admin API, in parallel
// (bounded), and returns them with their secrets. On error it returns the users
// created so far, so they can be deleted.
func Provision(ctx context.Context, admin Admin, o ProvisionOptions) ([]User, error) {
	if o.Prefix == "" {
		o.Prefix = "authbench-bench-"
	}
	if o.Parallel <= 0 {
		o.Parallel = DefaultProvisionParallel
	}
	if o.Random == nil {
		o.Random = cryptoRand{}
	}
	if o.Flow == FlowTOTP && (o.Client == nil || o.TOTP == nil) {
		return nil, errors.New("bench: provisioning TOTP users needs a driver client and a TOTP source")
	}
	tag, err := randString(o.Random, 5)
	if err != nil {
		return nil, err
	}
	users := make([]User, o.Count)
	made := make([]bool, o.Count)
	for i := range users {
		pw, err := randString(o.Random, 15)
		if err != nil {
			return nil, err
		}
		u := User{Username: fmt.Sprintf("%s%s-%s-%d", o.Prefix, o.Flow, tag, i), Password: "Aa1!" + pw, Flows: []string{o.Flow}}
		switch o.Flow {
		case FlowSMS, FlowDevice:
			u.Phone = fmt.Sprintf("+1555%07d", i%10_000_000)
		case FlowEmail:
			u.Email = fmt.Sprintf("%s@example.com", u.Username)
		}
		users[i] = u
	}
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(o.Parallel)
	for i := range users {
		g.Go(func() error {
			if err := provisionOne(gctx, admin, o, &users[i], func() { made[i] = true }); err != nil {
				return fmt.Errorf("bench: provisioning %s: %w", users[i].Username, err)
			}
			if o.Progress != nil {
				o.Progress(int(done.Add(1)), len(users))
			}
			return nil
		})
	}
	err = g.Wait()
	if err != nil {
		var out []User
		for i, ok := range made {
			if ok {
				out = append(out, users[i])
			}
		}
		return out, err
	}
	return users, nil
}

func provisionOne(ctx context.Context, admin Admin, o ProvisionOptions, u *User, created func()) error {
	attrs := []types.AttributeType{}
	if u.Phone != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String("phone_number"), Value: aws.String(u.Phone)},
			types.AttributeType{Name: aws.String("phone_number_verified"), Value: aws.String("true")})
	}
	if u.Email != "" {
		attrs = append(attrs, types.AttributeType{Name: aws.String("email"), Value: aws.String(u.Email)},
			types.AttributeType{Name: aws.String("email_verified"), Value: aws.String("true")})
	}
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: aws.String(o.PoolID), Username: aws.String(u.Username),
		UserAttributes: attrs, MessageAction: types.MessageActionTypeSuppress}); err != nil {
		return err
	}
	created()
	if _, err := admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(o.PoolID), Username: aws.String(u.Username),
		Password: aws.String(u.Password), Permanent: true}); err != nil {
		return err
	}
	switch o.Flow {
	case FlowSMS, FlowDevice, FlowEmail:
		in := &cip.AdminSetUserMFAPreferenceInput{UserPoolId: aws.String(o.PoolID), Username: aws.String(u.Username)}
		if o.Flow == FlowEmail {
			in.EmailMfaSettings = &types.EmailMfaSettingsType{Enabled: true, PreferredMfa: true}
		} else {
			in.SMSMfaSettings = &types.SMSMfaSettingsType{Enabled: true, PreferredMfa: true}
		}
		if _, err := admin.AdminSetUserMFAPreference(ctx, in); err != nil {
			return err
		}
	case FlowTOTP:
		secret, spent, err := setUpTOTP(ctx, o, u)
		if err != nil {
			return err
		}
		u.TOTPSecret, u.TOTPSpent = secret, spent
	}
	return nil
}

// setUpTOTP signs u in and sets a software token up for it, returning its secret.
// In a pool where MFA is optional the user signs in and associates a token itself;
// where MFA is required Cognito asks for the setup during the sign-in (MFA_SETUP),
// offering every factor the pool enables: provisioning chooses TOTP and answers the
// setup with the first code.
func setUpTOTP(ctx context.Context, o ProvisionOptions, u *User) (secret string, spent time.Time, err error) {
	a := o.Client.NewAuth()
	res, err := a.SignIn(ctx, u.Username, u.Password, driver.SignInOptions{})
	if err != nil {
		return "", time.Time{}, err
	}
	if !res.IsSignedIn {
		return setUpTOTPInSignIn(ctx, o, a, res)
	}
	setup, err := a.SetUpTOTP(ctx)
	if err != nil {
		return "", time.Time{}, err
	}
	code, spent, err := o.TOTP.NextWindow(ctx, setup.SharedSecret)
	if err != nil {
		return "", time.Time{}, err
	}
	if err := a.VerifyTOTPSetup(ctx, code, "authbench"); err != nil {
		return "", time.Time{}, err
	}
	if err := a.UpdateMFAPreference(ctx, "", "PREFERRED", ""); err != nil {
		return "", time.Time{}, err
	}
	return setup.SharedSecret, spent, nil
}

// setUpTOTPInSignIn answers the MFA setup a sign-in stopped at (res): it selects
// TOTP when the pool offers a choice, then confirms the setup with a code.
func setUpTOTPInSignIn(ctx context.Context, o ProvisionOptions, a *driver.Auth, res driver.Result) (string, time.Time, error) {
	n := res.NextStep
	if n.SignInStep == driver.ContinueSignInWithMFASetupSelection && n.TOTPSetupDetails == nil {
		if !slices.Contains(n.AllowedMFATypes, driver.MFATOTP) {
			return "", time.Time{}, fmt.Errorf("TOTP setup: the pool offers %v to set up, not TOTP", n.AllowedMFATypes)
		}
		var err error
		if res, err = a.ConfirmSignIn(ctx, string(driver.MFATOTP), driver.ConfirmOptions{}); err != nil {
			return "", time.Time{}, err
		}
		n = res.NextStep
	}
	if n.TOTPSetupDetails == nil {
		return "", time.Time{}, fmt.Errorf("TOTP setup: sign-in stopped at %s", n.SignInStep)
	}
	secret := n.TOTPSetupDetails.SharedSecret
	code, spent, err := o.TOTP.NextWindow(ctx, secret)
	if err != nil {
		return "", time.Time{}, err
	}
	res, err = a.ConfirmSignIn(ctx, code, driver.ConfirmOptions{FriendlyDeviceName: "authbench"})
	if err != nil {
		return "", time.Time{}, err
	}
	if !res.IsSignedIn {
		return "", time.Time{}, fmt.Errorf("TOTP setup: sign-in stopped at %s after the setup", res.NextStep.SignInStep)
	}
	return secret, spent, nil
}

// Deprovision deletes users from poolID in parallel (bounded); users already gone
// count as deleted.
func Deprovision(ctx context.Context, admin Admin, poolID string, users []User, parallel int, progress func(done, total int)) error {
	if parallel <= 0 {
		parallel = DefaultProvisionParallel
	}
	var done atomic.Int64
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	for _, u := range users {
		g.Go(func() error {
			_, err := admin.AdminDeleteUser(gctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(poolID), Username: aws.String(u.Username)})
			var nf *types.UserNotFoundException
			if err != nil && !errors.As(err, &nf) {
				return fmt.Errorf("bench: deleting %s: %w", u.Username, err)
			}
			if progress != nil {
				progress(int(done.Add(1)), len(users))
			}
			return nil
		})
	}
	return g.Wait()
}

// UserSetSchema versions the user-set file.
const UserSetSchema = "authbench.users/v1"

// PoolRef is a pool and app client. ClientSecret is a secret: it is kept in the
// user-set file and never in reports.
type PoolRef struct {
	PoolID       string `json:"poolId"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret,omitempty"`
}

// UserSet is a provisioned user set, by flow, with the pool each flow's users live
// in. It holds secrets: write it with WriteFile (mode 0600), never into a report.
type UserSet struct {
	Schema string `json:"schema"`
	// Endpoint is the Cognito endpoint URL the users live behind ("" for AWS).
	Endpoint string `json:"endpoint,omitempty"`
	// Region is the pools' region.
	Region string `json:"region,omitempty"`
	// Pools are the pools by flow.
	Pools map[string]PoolRef `json:"pools"`
	// Users are the users by flow.
	Users map[string][]User `json:"users"`
}

// Count returns the number of users.
func (s *UserSet) Count() int {
	n := 0
	for _, us := range s.Users {
		n += len(us)
	}
	return n
}

// WriteFile writes the set to path with mode 0600 (created or truncated).
func (s *UserSet) WriteFile(path string) error {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadUserSet reads a user-set file.
func ReadUserSet(path string) (*UserSet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s UserSet
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("bench: user set %s: %w", path, err)
	}
	if s.Schema != UserSetSchema {
		return nil, fmt.Errorf("bench: user set %s: schema %q, want %q", path, s.Schema, UserSetSchema)
	}
	return &s, nil
}
