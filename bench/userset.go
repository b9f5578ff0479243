package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// UserSetOptions configure ProvisionUserSet and DeprovisionUserSet. As with Options,
// errors name them by the 'bench provision' command's flags.
type UserSetOptions struct {
	// File is the user-set file written (or read, to delete its users).
	File string
	// Users is the number of users per flow of Mix (weights are ignored).
	Users int
	Mix   string
	// PoolID, ClientID and ClientSecret are the pool and the app client the bench
	// signs in through (the secret is kept in the file). The command takes the
	// secret from the environment (AUTHBENCH_CLIENT_SECRET), never from a flag's
	// value, which every user of ps could read.
	PoolID, ClientID, ClientSecret string
	// ClientSecretFile, if set, is a file holding the client secret (surrounding
	// space trimmed); it takes the place of ClientSecret.
	ClientSecretFile string
	// Region and Endpoint reach the pool (default: the pool id's region, AWS).
	Region, Endpoint string
	// IOwnThisPool confirms that users may be created in a non-loopback pool.
	IOwnThisPool bool
	// Parallel bounds the users provisioned at once.
	Parallel int
	// Random is the source of passwords and names.
	Random io.Reader
	// Stderr receives progress.
	Stderr io.Writer
}

// checkOwned is the safety gate of provisioning: a non-loopback pool needs
// IOwnThisPool.
func (o UserSetOptions) checkOwned() error {
	if (o.Endpoint == "" || !driver.IsLoopback(o.Endpoint)) && !o.IOwnThisPool {
		return invalidf("add --i-own-this-pool to confirm you may create and delete users in this pool")
	}
	return nil
}

// ProvisionUserSet creates o.Users users per flow of o.Mix through the Admin API and
// writes them, with their secrets, to o.File (mode 0600). When provisioning fails the
// users made so far are written all the same, so DeprovisionUserSet can remove them.
// Option problems are ErrInvalid errors.
func ProvisionUserSet(ctx context.Context, o UserSetOptions) error {
	if o.PoolID == "" {
		return invalidf("--pool-id is required")
	}
	if err := o.checkOwned(); err != nil {
		return err
	}
	if o.Users <= 0 {
		return invalidf("--users must be positive, got %d", o.Users)
	}
	if o.ClientID == "" {
		return invalidf("--client-id is required")
	}
	mix, err := ParseMix(o.Mix)
	if err != nil {
		return optionError("mix", err)
	}
	if driver.RegionOf(o.PoolID) == "" {
		return invalidf("--pool-id %q: want <region>_<id>", o.PoolID)
	}
	if o.ClientSecretFile != "" {
		b, err := os.ReadFile(o.ClientSecretFile)
		if err != nil {
			return invalidf("--client-secret-file: %v", err)
		}
		if o.ClientSecret = strings.TrimSpace(string(b)); o.ClientSecret == "" {
			return invalidf("--client-secret-file %s is empty", o.ClientSecretFile)
		}
	}
	admin, err := NewAdmin(ctx, o.PoolID, o.Endpoint, o.Region)
	if err != nil {
		return err
	}
	ref := PoolRef{PoolID: o.PoolID, ClientID: o.ClientID, ClientSecret: o.ClientSecret}
	set := &UserSet{Schema: UserSetSchema, Endpoint: o.Endpoint, Region: o.Region, Pools: map[string]PoolRef{}, Users: map[string][]User{}}
	for _, f := range slices.Sorted(maps.Keys(mix)) {
		if mix[f] == 0 {
			continue
		}
		po := ProvisionOptions{PoolID: o.PoolID, Flow: f, Count: o.Users, Parallel: o.Parallel, Random: o.Random, Progress: ProgressPrinter(o.Stderr, f+" users provisioned")}
		if f == FlowTOTP {
			c, err := driver.New(driver.NewSDKClient(o.PoolID, driver.Endpoint{URL: o.Endpoint, Region: o.Region, Retries: 1}),
				driver.Config{PoolID: o.PoolID, ClientID: o.ClientID, ClientSecret: o.ClientSecret, SkipSideCalls: true})
			if err != nil {
				return invalid(err)
			}
			po.Client, po.TOTP = c, &mfa.TOTP{Lookahead: true}
		}
		us, err := Provision(ctx, admin, po)
		set.Pools[f], set.Users[f] = ref, us
		if err != nil {
			// Keep what was made, so --delete can remove it.
			_ = set.WriteFile(o.File)
			return fmt.Errorf("%w (the users made so far are in %s)", err, o.File)
		}
	}
	if err := set.WriteFile(o.File); err != nil {
		return err
	}
	fmt.Fprintf(o.Stderr, "wrote %d users to %s (mode 0600: it holds their passwords)\n", set.Count(), o.File)
	return nil
}

// DeprovisionUserSet deletes the users listed in o.File from their pools.
func DeprovisionUserSet(ctx context.Context, o UserSetOptions) error {
	if err := o.checkOwned(); err != nil {
		return err
	}
	set, err := ReadUserSet(o.File)
	if err != nil {
		return invalid(err)
	}
	for f, us := range set.Users {
		ref := set.Pools[f]
		admin, err := NewAdmin(ctx, ref.PoolID, o.Endpoint, o.Region)
		if err != nil {
			return err
		}
		if err := Deprovision(ctx, admin, ref.PoolID, us, o.Parallel, ProgressPrinter(o.Stderr, "deleted")); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.Stderr, "deleted %d users listed in %s\n", set.Count(), o.File)
	return nil
}

// NewAdmin returns an Admin API client of poolID, built by [driver.NewAdminClient]:
// credentials from the default chain, checked before any call (a loopback emulator
// takes dummy ones). No credentials for an AWS pool is an ErrInvalid error.
func NewAdmin(ctx context.Context, poolID, endpoint, region string) (Admin, error) {
	if poolID == "" {
		return nil, errors.New("no pool id")
	}
	admin, err := driver.NewAdminClient(ctx, poolID, driver.Endpoint{URL: endpoint, Region: region, Retries: 3})
	if errors.Is(err, driver.ErrNoCredentials) {
		return nil, invalid(err)
	}
	if err != nil {
		return nil, err
	}
	return admin, nil
}
