package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/authbench/authbench/emulator/internal/idp"
)

// Fixture is a YAML file of pools, app clients and users to preload. Unknown keys are
// errors. Passwords in a fixture are test data: keep real ones out of it.
//
//	pools:
//	  - id: us-east-1_Fixture01        # optional; fixed so scripts can rely on it
//	    name: fixture
//	    mfa: OFF                       # OFF | ON | OPTIONAL
//	    mfaFactors: [SMS, TOTP, EMAIL] # the factors ON/OPTIONAL enables (default SMS)
//	    usernameAttributes: [email]    # or aliasAttributes: [email, phone_number]
//	    autoVerifiedAttributes: [email]
//	    passwordPolicy: {minimumLength: 8, requireSymbols: false}
//	    requiredAttributes: [email]
//	    deviceConfiguration: {challengeRequiredOnNewDevice: true}
//	    clients:
//	      - id: fixtureclient              # optional
//	        name: web
//	        secret: s3cr3t                 # optional; or generateSecret: true
//	        explicitAuthFlows: [ALLOW_USER_SRP_AUTH, ALLOW_REFRESH_TOKEN_AUTH]
//	        preventUserExistenceErrors: ENABLED
//	    users:
//	      - username: alice
//	        password: Passw0rd!
//	        status: CONFIRMED            # UNCONFIRMED | FORCE_CHANGE_PASSWORD | RESET_REQUIRED
//	        enabled: true
//	        attributes: {email: alice@example.com, email_verified: "true"}
//	        mfa: {sms: true, totp_secret: BASE32SECRET, email: true, preferred: TOTP}
type Fixture struct {
	Pools []FixturePool `yaml:"pools"`
}

// FixturePool is one pool of a fixture.
type FixturePool struct {
	ID                     string            `yaml:"id"`
	Name                   string            `yaml:"name"`
	MFA                    string            `yaml:"mfa"`
	MFAFactors             []string          `yaml:"mfaFactors"`
	UsernameAttributes     []string          `yaml:"usernameAttributes"`
	AliasAttributes        []string          `yaml:"aliasAttributes"`
	AutoVerifiedAttributes []string          `yaml:"autoVerifiedAttributes"`
	CaseSensitive          *bool             `yaml:"caseSensitive"`
	RequiredAttributes     []string          `yaml:"requiredAttributes"`
	CustomAttributes       []string          `yaml:"customAttributes"`
	AdminCreateUserOnly    bool              `yaml:"adminCreateUserOnly"`
	PasswordPolicy         *FixturePolicy    `yaml:"passwordPolicy"`
	Clients                []FixtureClient   `yaml:"clients"`
	Users                  []FixtureUser     `yaml:"users"`
	Tags                   map[string]string `yaml:"tags"`
	// DeviceConfiguration makes the pool remember devices (see fixtures/bench.yaml).
	DeviceConfiguration *FixtureDevices `yaml:"deviceConfiguration"`
	// LambdaConfig names trigger ARNs (DefineAuthChallenge: arn:…); CustomAuth runs
	// custom challenges without Lambdas; Quotas are the pool's own rate limits. See
	// fixtures/custom.yaml.
	LambdaConfig map[string]string     `yaml:"lambdaConfig"`
	CustomAuth   *idp.CustomAuthConfig `yaml:"customAuth"`
	Quotas       *idp.PoolQuotas       `yaml:"quotas"`
}

// FixturePolicy is a pool's password policy; unset fields keep Cognito's defaults.
type FixturePolicy struct {
	MinimumLength    *int32 `yaml:"minimumLength"`
	RequireLowercase *bool  `yaml:"requireLowercase"`
	RequireUppercase *bool  `yaml:"requireUppercase"`
	RequireNumbers   *bool  `yaml:"requireNumbers"`
	RequireSymbols   *bool  `yaml:"requireSymbols"`
	TemporaryDays    int32  `yaml:"temporaryPasswordValidityDays"`
}

// FixtureDevices is a pool's device tracking, as CreateUserPool's DeviceConfiguration.
type FixtureDevices struct {
	ChallengeRequiredOnNewDevice     bool `yaml:"challengeRequiredOnNewDevice"`
	DeviceOnlyRememberedOnUserPrompt bool `yaml:"deviceOnlyRememberedOnUserPrompt"`
}

// FixtureClient is one app client of a fixture pool.
type FixtureClient struct {
	ID                         string   `yaml:"id"`
	Name                       string   `yaml:"name"`
	Secret                     string   `yaml:"secret"`
	GenerateSecret             bool     `yaml:"generateSecret"`
	ExplicitAuthFlows          []string `yaml:"explicitAuthFlows"`
	PreventUserExistenceErrors string   `yaml:"preventUserExistenceErrors"`
	AuthSessionValidity        *int32   `yaml:"authSessionValidity"`
	EnableTokenRevocation      *bool    `yaml:"enableTokenRevocation"`
}

// FixtureUser is one user of a fixture pool.
type FixtureUser struct {
	Username   string            `yaml:"username"`
	Password   string            `yaml:"password"`
	Status     string            `yaml:"status"`
	Enabled    *bool             `yaml:"enabled"`
	Attributes map[string]string `yaml:"attributes"`
	MFA        *FixtureMFA       `yaml:"mfa"`
}

// FixtureMFA is a user's MFA: the factors enabled (totp_secret is a verified
// software token, base32) and the preferred one (SMS, TOTP or EMAIL).
type FixtureMFA struct {
	SMS        bool   `yaml:"sms"`
	TOTPSecret string `yaml:"totp_secret"`
	Email      bool   `yaml:"email"`
	Preferred  string `yaml:"preferred"`
}

// ParseFixture decodes a fixture strictly.
func ParseFixture(r io.Reader) (*Fixture, error) {
	var f Fixture
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return &f, nil
		}
		return nil, &fixtureError{err: err}
	}
	return &f, nil
}

// fixtureError is a fixture that does not decode: YAML syntax, an unknown field or a
// value of the wrong type. Its text is one line that keeps every detail the decoder
// gave, for example "fixture: line 3: field rat not found in type emulator.FixturePool;
// line 4: cannot unmarshal !!seq into string". It unwraps to the decoder's error.
type fixtureError struct {
	err error
}

// Error is the decoder's message on one line: its type errors joined by "; ".
func (e *fixtureError) Error() string {
	var te *yaml.TypeError
	if errors.As(e.err, &te) && len(te.Errors) > 0 {
		return "fixture: " + strings.Join(te.Errors, "; ")
	}
	return "fixture: " + strings.Join(strings.Fields(strings.TrimPrefix(e.err.Error(), "yaml: ")), " ")
}

// Unwrap returns the decoder's error.
func (e *fixtureError) Unwrap() error { return e.err }

// LoadFixtureFile reads a fixture file and loads it into the server.
func (s *Server) LoadFixtureFile(ctx context.Context, path string) (*Loaded, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fixture: %w", err)
	}
	f, err := ParseFixture(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	l, err := s.LoadFixture(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// Loaded lists what a fixture created.
type Loaded struct {
	Pools []LoadedPool
}

// LoadedPool is a pool a fixture created, with its clients.
type LoadedPool struct {
	ID, Name string
	Clients  []LoadedClient
	Users    int
}

// LoadedClient is an app client a fixture created. Secret is only for the caller's
// use; never print it.
type LoadedClient struct {
	ID, Name, Secret string
}

// LoadFixture creates the fixture's pools, clients and users.
func (s *Server) LoadFixture(ctx context.Context, f *Fixture) (*Loaded, error) {
	var out Loaded
	for i, fp := range f.Pools {
		where := fmt.Sprintf("pools[%d]", i)
		name := fp.Name
		if name == "" {
			name = fmt.Sprintf("pool%d", i+1)
		}
		in := idp.CreateUserPoolInput{
			PoolName:               name,
			UsernameAttributes:     fp.UsernameAttributes,
			AliasAttributes:        fp.AliasAttributes,
			AutoVerifiedAttributes: fp.AutoVerifiedAttributes,
			UserPoolTags:           fp.Tags,
		}
		if len(fp.LambdaConfig) > 0 {
			in.LambdaConfig, _ = json.Marshal(fp.LambdaConfig)
		}
		if fp.CaseSensitive != nil {
			in.UsernameConfiguration = &idp.UsernameConfigurationType{CaseSensitive: fp.CaseSensitive}
		}
		if d := fp.DeviceConfiguration; d != nil {
			in.DeviceConfiguration = &idp.DeviceConfigurationType{ChallengeRequiredOnNewDevice: d.ChallengeRequiredOnNewDevice, DeviceOnlyRememberedOnUserPrompt: d.DeviceOnlyRememberedOnUserPrompt}
		}
		if fp.AdminCreateUserOnly {
			in.AdminCreateUserConfig = &idp.AdminCreateUserConfigType{AllowAdminCreateUserOnly: true}
		}
		for _, a := range fp.RequiredAttributes {
			in.Schema = append(in.Schema, idp.SchemaAttributeType{Name: ptr(a), Required: ptr(true)})
		}
		for _, a := range fp.CustomAttributes {
			in.Schema = append(in.Schema, idp.SchemaAttributeType{Name: ptr(a), AttributeDataType: "String"})
		}
		if pp := fp.PasswordPolicy; pp != nil {
			pol := &idp.PasswordPolicyType{MinimumLength: pp.MinimumLength, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true, TemporaryPasswordValidityDays: pp.TemporaryDays}
			set := func(dst *bool, v *bool) {
				if v != nil {
					*dst = *v
				}
			}
			set(&pol.RequireLowercase, pp.RequireLowercase)
			set(&pol.RequireUppercase, pp.RequireUppercase)
			set(&pol.RequireNumbers, pp.RequireNumbers)
			set(&pol.RequireSymbols, pp.RequireSymbols)
			in.Policies = &idp.UserPoolPolicyType{PasswordPolicy: pol}
		}
		id, err := s.svc.SeedCreatePool(ctx, idp.SeedPool{ID: fp.ID, Input: in})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if factors := fp.MFAFactors; len(factors) > 0 || (fp.MFA != "" && fp.MFA != "OFF") {
			// The pool's MFA mode is set the way SetUserPoolMfaConfig sets it: a
			// pool created with MFA ON needs an SMS configuration (CreateUserPool
			// refuses it otherwise, as Cognito does).
			if len(factors) == 0 {
				factors = []string{"SMS"}
			}
			if err := s.svc.SeedPoolMFA(ctx, id, fp.MFA, factors); err != nil {
				return nil, fmt.Errorf("%s.mfaFactors: %w", where, err)
			}
		}
		if fp.CustomAuth != nil || fp.Quotas != nil {
			if err := s.svc.SeedPoolSettings(id, fp.CustomAuth, fp.Quotas); err != nil {
				return nil, fmt.Errorf("%s: %w", where, err)
			}
		}
		lp := LoadedPool{ID: id, Name: name}
		for j, fc := range fp.Clients {
			cname := fc.Name
			if cname == "" {
				cname = fmt.Sprintf("client%d", j+1)
			}
			cid, secret, err := s.svc.SeedCreateClient(ctx, idp.SeedClient{ID: fc.ID, Secret: fc.Secret, Input: idp.CreateUserPoolClientInput{
				UserPoolId: id, ClientName: cname, GenerateSecret: fc.GenerateSecret,
				ExplicitAuthFlows: fc.ExplicitAuthFlows, PreventUserExistenceErrors: fc.PreventUserExistenceErrors,
				AuthSessionValidity: fc.AuthSessionValidity, EnableTokenRevocation: fc.EnableTokenRevocation,
			}})
			if err != nil {
				return nil, fmt.Errorf("%s.clients[%d]: %w", where, j, err)
			}
			lp.Clients = append(lp.Clients, LoadedClient{ID: cid, Name: cname, Secret: secret})
		}
		for j, fu := range fp.Users {
			disabled := fu.Enabled != nil && !*fu.Enabled
			err := s.svc.SeedCreateUser(ctx, id, idp.SeedUser{Username: fu.Username, Attributes: fu.Attributes, Password: fu.Password, Status: fu.Status, Disabled: disabled})
			if err != nil {
				return nil, fmt.Errorf("%s.users[%d] (%s): %w", where, j, fu.Username, err)
			}
			if m := fu.MFA; m != nil {
				if err := s.svc.SeedUserMFA(ctx, id, fu.Username, idp.SeedMFA{SMS: m.SMS, Email: m.Email, TOTPSecret: m.TOTPSecret, Preferred: m.Preferred}); err != nil {
					return nil, fmt.Errorf("%s.users[%d] (%s): %w", where, j, fu.Username, err)
				}
			}
			lp.Users++
		}
		out.Pools = append(out.Pools, lp)
	}
	return &out, nil
}

func ptr[T any](v T) *T { return &v }
