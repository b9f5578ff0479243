package scenarios

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// UserPrefix starts the name of every user the specs create, so leftovers of an
// interrupted run can be found and removed (`authbench conform --cleanup`).
const UserPrefix = "authbench-conform-"

// Config is what the specs run against.
type Config struct {
	// Target supplies pools. This member is required.
	Target Target
	// Codes supplies SMS and email codes; nil means the target's own (the embedded
	// pool's outbox, read with the Admin client's credentials), and specs needing
	// codes are skipped when there is none.
	Codes mfa.Source
	// Timeout bounds each node that talks to a pool; 0 means 30 s.
	Timeout time.Duration
	// OnReport receives the suite's report after the last spec.
	OnReport func(types.Report)
	// ListOnly makes every spec stop right after asking the target for its pool:
	// skipped with WouldRun as the reason when it would run, or with the target's
	// reason when it would be skipped. Nothing is signed in.
	ListOnly bool
}

// WouldRun is the skip reason of a spec that would run, in a ListOnly run.
const WouldRun = "would run"

var (
	cfgMu sync.Mutex
	cfg   *Config
)

// Configure sets the configuration the specs run with. Call it once, before RunSpecs.
func Configure(c Config) {
	if c.Timeout == 0 {
		c.Timeout = 30 * time.Second
	}
	cfgMu.Lock()
	cfg = &c
	cfgMu.Unlock()
}

func current() *Config {
	cfgMu.Lock()
	defer cfgMu.Unlock()
	if cfg == nil {
		panic("scenarios: Configure was not called before RunSpecs")
	}
	return cfg
}

// Needs is the pool configuration a spec requires.
type Needs struct {
	// MFA is the pool's MFA mode: "" (any, OFF preferred), "OFF", "OPTIONAL" or "ON".
	MFA string
	// Factors are the MFA factors the pool must enable: "SMS", "TOTP", "EMAIL".
	Factors []string
	// OnlyFactors needs Factors to be every factor the pool enables: the premise of
	// a spec such as "TOTP is the only factor", where Cognito offers a user the
	// factors to set up by the pool's configuration, not by the user's.
	OnlyFactors bool
	// Secret needs an app client with a secret.
	Secret bool
	// Flows are the ExplicitAuthFlows the client must allow (ALLOW_… names).
	Flows []string
	// Without are ExplicitAuthFlows the client must not allow.
	Without []string
	// Aliases are the alias attributes the pool must have (email, phone_number).
	Aliases []string
	// Required are the attributes the schema must require (beyond none).
	Required []string
	// PreventUserExistenceErrors is "", "ENABLED" or "LEGACY".
	PreventUserExistenceErrors string
	// DeviceTracking needs the pool to track devices (always remembered).
	DeviceTracking bool
	// SelfSignUp needs the pool to allow SignUp, with email auto-verified.
	SelfSignUp bool
	// Custom needs a custom-auth setup answering "42" to its challenge.
	Custom bool
	// FirstFactors are the USER_AUTH first factors the pool must allow.
	FirstFactors []string
	// Throttle needs a pool whose sign-in quota is tiny, to provoke throttling.
	Throttle bool
	// CustomAttribute needs a mutable custom String attribute in the schema that
	// takes a 4-character value (Pool.CustomAttribute names it).
	CustomAttribute bool
}

// Clock is a target whose pool clock the specs can move (the embedded pool).
type Clock interface {
	Advance(d time.Duration)
}

// key is a stable description of the needs, for caching pools and for messages.
func (n Needs) key() string {
	parts := []string{"mfa=" + n.MFA}
	add := func(name string, v []string) {
		if len(v) > 0 {
			s := append([]string(nil), v...)
			sort.Strings(s)
			parts = append(parts, name+"="+strings.Join(s, "+"))
		}
	}
	add("factors", n.Factors)
	add("flows", n.Flows)
	add("without", n.Without)
	add("aliases", n.Aliases)
	add("required", n.Required)
	add("first", n.FirstFactors)
	parts = append(parts, fmt.Sprintf("secret=%v", n.Secret), "pue="+n.PreventUserExistenceErrors,
		fmt.Sprintf("devices=%v", n.DeviceTracking), fmt.Sprintf("signup=%v", n.SelfSignUp), fmt.Sprintf("custom=%v", n.Custom), fmt.Sprintf("throttle=%v", n.Throttle), fmt.Sprintf("customattr=%v", n.CustomAttribute), fmt.Sprintf("only=%v", n.OnlyFactors))
	return strings.Join(parts, ",")
}

// Target supplies pools to specs.
type Target interface {
	// Name is "embedded" or "live", used as a label.
	Name() string
	// Pool returns a pool meeting the needs, or a non-empty skip reason when the
	// target cannot provide one ("pool MFA is OFF").
	Pool(ctx context.Context, n Needs) (p *Pool, skip string, err error)
	// Close releases what the target created.
	Close(ctx context.Context) error
}

// Pool is a pool and app client the specs sign in to.
type Pool struct {
	ID, ClientID, ClientSecret string
	// Endpoint is the Cognito endpoint URL, or "" for AWS.
	Endpoint string
	// Admin makes the Admin calls that provision users (signed on live pools).
	Admin *cip.Client
	// IDP is the unsigned client the driver signs in through.
	IDP driver.IdentityProvider
	// Codes supplies SMS and email codes, or nil.
	Codes mfa.Source
	// Desc is the pool's configuration as DescribeUserPool reported it.
	MFA string
	// CustomAttribute is the custom attribute (custom:…) a spec that needed one may
	// set, or "".
	CustomAttribute string
	// FillAttributes are attributes the pool's schema requires that the spec does not
	// need to be missing (a live pool's): every user provisioned gets a value for
	// each one the spec does not set, so a new password needs no more than the spec
	// gives.
	FillAttributes []string
}

// Driver returns a driver client for the pool in a dialect.
func (p *Pool) Driver(d driver.Dialect) *driver.Client {
	c, err := driver.New(p.IDP, driver.Config{PoolID: p.ID, ClientID: p.ClientID, ClientSecret: p.ClientSecret, Dialect: d})
	if err != nil {
		panic(err) // the target built a valid pool id
	}
	return c
}
