package scenarios

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/mfa"
)

// Embedded is the embedded pool as a target: an emulator on 127.0.0.1, with a pool
// created through the Admin API for each distinct set of needs.
type Embedded struct {
	srv *emulator.Server
	// offset is added to the real time on the emulator's clock (see Advance).
	offset atomic.Int64
	admin  *cip.Client
	idp    *cip.Client
	outbox *mfa.Outbox
	codes  mfa.Source

	mu    sync.Mutex
	pools map[string]*Pool
	skips map[string]string
}

// StartEmbedded starts an emulator on a free port of 127.0.0.1, with no pool yet.
func StartEmbedded(ctx context.Context) (*Embedded, error) {
	e := &Embedded{pools: map[string]*Pool{}, skips: map[string]string{}}
	srv, _, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Options: emulator.Options{Now: func() time.Time { return time.Now().Add(time.Duration(e.offset.Load())) }}})
	if err != nil {
		return nil, err
	}
	ep := driver.Endpoint{URL: srv.Endpoint(), Retries: 1}
	e.srv = srv
	if e.admin, err = driver.NewAdminClient(ctx, "us-east-1_x", ep); err != nil {
		srv.Close()
		return nil, err
	}
	e.idp = driver.NewSDKClient("us-east-1_x", ep)
	// The outbox is read with the Admin client's credentials, as a pool that
	// requires signed requests asks.
	e.outbox = mfa.NewOutbox(srv.Endpoint(), nil, func(o *mfa.OutboxOptions) {
		o.Credentials, o.Region = e.admin.Options().Credentials, e.admin.Options().Region
	})
	e.codes = e.outbox
	return e, nil
}

// Advance moves the emulator's clock forward by d (back, for negative d), so specs
// can let sessions and codes expire without waiting.
func (e *Embedded) Advance(d time.Duration) { e.offset.Add(int64(d)) }

// Name is "embedded".
func (e *Embedded) Name() string { return "embedded" }

// Endpoint returns the emulator's URL.
func (e *Embedded) Endpoint() string { return e.srv.Endpoint() }

// Close stops the emulator, after closing the idle connections of its clients (a
// connection dialed but never used would hold the emulator's shutdown for 5 s).
func (e *Embedded) Close(context.Context) error {
	closeIdle := func() {
		e.outbox.CloseIdleConnections()
		for _, c := range []*cip.Client{e.admin, e.idp} {
			if ic, ok := c.Options().HTTPClient.(interface{ CloseIdleConnections() }); ok {
				ic.CloseIdleConnections()
			}
		}
	}
	closeIdle()
	err := e.srv.Close()
	closeIdle()
	return err
}

// allFlows are the flows an embedded test client allows.
var allFlows = []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH", "ALLOW_USER_AUTH"}

// Pool creates (once per distinct needs) a pool and client configured as asked. When
// the emulator does not support a configuration yet, the spec is skipped with the
// emulator's error as the reason.
func (e *Embedded) Pool(ctx context.Context, n Needs) (*Pool, string, error) {
	key := n.key()
	e.mu.Lock()
	defer e.mu.Unlock()
	if p := e.pools[key]; p != nil {
		return p, "", nil
	}
	if s := e.skips[key]; s != "" {
		return nil, s, nil
	}
	p, skip, err := e.create(ctx, n)
	if skip != "" {
		e.skips[key] = skip
	}
	if p != nil {
		e.pools[key] = p
	}
	return p, skip, err
}

func (e *Embedded) create(ctx context.Context, n Needs) (*Pool, string, error) {
	if n.Custom {
		return e.createCustom(ctx, n)
	}
	if n.Throttle {
		return e.createThrottled(ctx)
	}
	in := &cip.CreateUserPoolInput{PoolName: aws.String("conform")}
	for _, a := range n.Aliases {
		in.AliasAttributes = append(in.AliasAttributes, types.AliasAttributeType(a))
	}
	for _, a := range n.Required {
		in.Schema = append(in.Schema, types.SchemaAttributeType{Name: aws.String(a), Required: aws.Bool(true), Mutable: aws.Bool(true)})
	}
	if n.SelfSignUp {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{"email"}
	}
	if n.CustomAttribute {
		in.Schema = append(in.Schema, types.SchemaAttributeType{Name: aws.String("tier"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(true)})
	}
	if n.DeviceTracking {
		in.DeviceConfiguration = &types.DeviceConfigurationType{ChallengeRequiredOnNewDevice: true}
	}
	if len(n.FirstFactors) > 0 {
		var ff []types.AuthFactorType
		for _, f := range n.FirstFactors {
			ff = append(ff, types.AuthFactorType(f))
		}
		in.Policies = &types.UserPoolPolicyType{SignInPolicy: &types.SignInPolicyType{AllowedFirstAuthFactors: ff}}
	}
	out, err := e.admin.CreateUserPool(ctx, in)
	if err != nil {
		return nil, unsupported("CreateUserPool", err), nil
	}
	id := aws.ToString(out.UserPool.Id)
	if n.MFA != "" && n.MFA != "OFF" {
		mi := &cip.SetUserPoolMfaConfigInput{UserPoolId: aws.String(id), MfaConfiguration: types.UserPoolMfaType(n.MFA)}
		for _, f := range n.Factors {
			switch f {
			case "SMS":
				mi.SmsMfaConfiguration = &types.SmsMfaConfigType{SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::000000000000:role/sns")}}
			case "TOTP":
				mi.SoftwareTokenMfaConfiguration = &types.SoftwareTokenMfaConfigType{Enabled: true}
			case "EMAIL":
				mi.EmailMfaConfiguration = &types.EmailMfaConfigType{}
			}
		}
		if _, err := e.admin.SetUserPoolMfaConfig(ctx, mi); err != nil {
			return nil, unsupported("SetUserPoolMfaConfig", err), nil
		}
	}
	var flows []types.ExplicitAuthFlowsType
	for _, f := range allFlows {
		keep := true
		for _, w := range n.Without {
			keep = keep && string(f) != w
		}
		if keep {
			flows = append(flows, f)
		}
	}
	ci := &cip.CreateUserPoolClientInput{UserPoolId: aws.String(id), ClientName: aws.String("conform"), ExplicitAuthFlows: flows, GenerateSecret: n.Secret}
	if n.PreventUserExistenceErrors != "" {
		ci.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypes(n.PreventUserExistenceErrors)
	}
	cout, err := e.admin.CreateUserPoolClient(ctx, ci)
	if err != nil {
		return nil, unsupported("CreateUserPoolClient", err), nil
	}
	if skip := e.probe(ctx, aws.ToString(cout.UserPoolClient.ClientId), n); skip != "" {
		return nil, skip, nil
	}
	pool := &Pool{
		ID: id, ClientID: aws.ToString(cout.UserPoolClient.ClientId), ClientSecret: aws.ToString(cout.UserPoolClient.ClientSecret),
		Endpoint: e.srv.Endpoint(), Admin: e.admin, IDP: e.idp, Codes: e.codes, MFA: n.MFA,
	}
	if n.CustomAttribute {
		pool.CustomAttribute = "custom:tier"
	}
	return pool, "", nil
}

// unsupported turns a refusal of the emulator into a skip reason; other errors stay
// errors.
func unsupported(op string, err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return fmt.Sprintf("the embedded pool does not support this configuration yet (%s: %s: %s)", op, ae.ErrorCode(), ae.ErrorMessage())
	}
	return fmt.Sprintf("%s failed: %v", op, err)
}

// probe asks the emulator whether it supports what the needs use that pool creation
// does not reveal (USER_AUTH, devices), so unsupported specs are skipped, not failed.
func (e *Embedded) probe(ctx context.Context, clientID string, n Needs) string {
	if len(n.FirstFactors) > 0 {
		_, err := e.idp.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserAuth, ClientId: aws.String(clientID),
			AuthParameters: map[string]string{"USERNAME": UserPrefix + "probe"}})
		var ae smithy.APIError
		if errors.As(err, &ae) && strings.Contains(ae.ErrorMessage(), "not supported by this emulator") {
			return "the embedded pool does not support USER_AUTH yet"
		}
	}
	if n.DeviceTracking {
		_, err := e.idp.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: aws.String("probe")})
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "UnknownOperationException" {
			return "the embedded pool does not support devices yet"
		}
	}
	return ""
}

// createCustom loads a pool with declarative custom challenges through the embedded
// fixture conform-custom (the Admin API can only name Lambda ARNs), its client with a
// secret when the needs ask for one.
func (e *Embedded) createCustom(ctx context.Context, n Needs) (*Pool, string, error) {
	f, err := emulator.EmbeddedFixture("conform-custom")
	if err != nil {
		return nil, "", err
	}
	f.Pools[0].Clients[0].GenerateSecret = n.Secret
	loaded, err := e.srv.LoadFixture(ctx, f)
	if err != nil {
		return nil, "the embedded pool does not support declarative custom auth: " + err.Error(), nil
	}
	lp := loaded.Pools[0]
	return &Pool{ID: lp.ID, ClientID: lp.Clients[0].ID, ClientSecret: lp.Clients[0].Secret,
		Endpoint: e.srv.Endpoint(), Admin: e.admin, IDP: e.idp, Codes: e.codes}, "", nil
}

// createThrottled loads a pool with a tiny sign-in quota through the embedded fixture
// conform-throttled.
func (e *Embedded) createThrottled(ctx context.Context) (*Pool, string, error) {
	f, err := emulator.EmbeddedFixture("conform-throttled")
	if err != nil {
		return nil, "", err
	}
	loaded, err := e.srv.LoadFixture(ctx, f)
	if err != nil {
		return nil, "the embedded pool does not support quotas: " + err.Error(), nil
	}
	lp := loaded.Pools[0]
	return &Pool{ID: lp.ID, ClientID: lp.Clients[0].ID, Endpoint: e.srv.Endpoint(), Admin: e.admin, IDP: e.idp, Codes: e.codes}, "", nil
}
