package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// LiveOptions name a live pool (or any Cognito-compatible endpoint).
type LiveOptions struct {
	PoolID, ClientID, ClientSecret, Region string
	// Endpoint overrides the Cognito endpoint (LocalStack, moto, a remote emulator).
	Endpoint string
	// Codes supplies SMS and email codes (a command or a prompt); nil skips the specs
	// that need them.
	Codes mfa.Source
}

// Live is a live pool as a target: its configuration, read with DescribeUserPool and
// DescribeUserPoolClient, decides which specs apply. Users are provisioned with the
// Admin API and the default AWS credential chain.
type Live struct {
	o      LiveOptions
	admin  *cip.Client
	idp    *cip.Client
	pool   *types.UserPoolType
	client *types.UserPoolClientType
	// factors are the MFA factors the pool enables; nil when unknown.
	factors map[string]bool
}

// OpenLive reads the pool's configuration; an unreachable pool or missing
// permissions are errors.
func OpenLive(ctx context.Context, o LiveOptions) (*Live, error) {
	region := o.Region
	if region == "" {
		region = driver.RegionOf(o.PoolID)
	}
	ep := driver.Endpoint{URL: o.Endpoint, Region: region}
	// The credentials are checked before any call to the pool.
	admin, err := driver.NewAdminClient(ctx, o.PoolID, ep)
	if err != nil {
		return nil, fmt.Errorf("conform: %w", err)
	}
	idp := driver.NewSDKClient(o.PoolID, ep)
	l := &Live{o: o, admin: admin, idp: idp}
	dp, err := admin.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(o.PoolID)})
	if err != nil {
		return nil, fmt.Errorf("conform: DescribeUserPool %s: %w", o.PoolID, err)
	}
	dc, err := admin.DescribeUserPoolClient(ctx, &cip.DescribeUserPoolClientInput{UserPoolId: aws.String(o.PoolID), ClientId: aws.String(o.ClientID)})
	if err != nil {
		return nil, fmt.Errorf("conform: DescribeUserPoolClient %s: %w", o.ClientID, err)
	}
	l.pool, l.client = dp.UserPool, dc.UserPoolClient
	l.factors = poolFactors(ctx, admin, o.PoolID)
	return l, nil
}

// poolFactors returns the MFA factors the pool enables ("SMS", "TOTP", "EMAIL"), as
// GetUserPoolMfaConfig says, or nil (unknown: every factor is assumed) when that call
// is refused.
func poolFactors(ctx context.Context, admin *cip.Client, poolID string) map[string]bool {
	mc, err := admin.GetUserPoolMfaConfig(ctx, &cip.GetUserPoolMfaConfigInput{UserPoolId: aws.String(poolID)})
	if err != nil {
		return nil
	}
	f := map[string]bool{}
	if mc.SmsMfaConfiguration != nil {
		f["SMS"] = true
	}
	if mc.SoftwareTokenMfaConfiguration != nil && mc.SoftwareTokenMfaConfiguration.Enabled {
		f["TOTP"] = true
	}
	if mc.EmailMfaConfiguration != nil {
		f["EMAIL"] = true
	}
	return f
}

// factorsReason returns why the pool's MFA factors do not meet the needs, or "".
func (l *Live) factorsReason(n Needs) string {
	if l.factors == nil {
		return ""
	}
	for _, f := range n.Factors {
		if !l.factors[f] {
			return "the pool does not enable the " + f + " MFA factor"
		}
	}
	if !n.OnlyFactors {
		return ""
	}
	var extra []string
	for _, f := range []string{"SMS", "TOTP", "EMAIL"} {
		if l.factors[f] && !slices.Contains(n.Factors, f) {
			extra = append(extra, f)
		}
	}
	if len(extra) > 0 {
		return fmt.Sprintf("the pool also enables %s MFA: the spec needs %s as the only factor (Cognito offers every enabled factor to set up)",
			strings.Join(extra, " and "), strings.Join(n.Factors, " and "))
	}
	return ""
}

// Name is "live".
func (l *Live) Name() string { return "live" }

// Close does nothing: a live pool is not ours to delete.
func (l *Live) Close(context.Context) error { return nil }

// Pool returns the live pool when its configuration meets the needs, else a reason.
func (l *Live) Pool(_ context.Context, n Needs) (*Pool, string, error) {
	p, c := l.pool, l.client
	mode := string(p.MfaConfiguration)
	switch {
	case n.MFA != "" && n.MFA != mode:
		return nil, fmt.Sprintf("pool MFA is %s, the spec needs %s", mode, n.MFA), nil
	case n.MFA == "" && mode == "ON":
		return nil, "pool MFA is ON: every sign-in needs MFA", nil
	case n.Throttle:
		return nil, "throttling is not provoked on a live pool (it would load the account's quota)", nil
	case n.Secret && aws.ToString(c.ClientSecret) == "" && l.o.ClientSecret == "":
		return nil, "the app client has no secret", nil
	case !n.Secret && (aws.ToString(c.ClientSecret) != "" || l.o.ClientSecret != ""):
		return nil, "the app client has a secret; the spec needs a public client", nil
	case n.PreventUserExistenceErrors != "" && pue(c) != n.PreventUserExistenceErrors:
		return nil, "PreventUserExistenceErrors is " + pue(c), nil
	case n.DeviceTracking && p.DeviceConfiguration == nil:
		return nil, "the pool does not track devices", nil
	case n.SelfSignUp && p.AdminCreateUserConfig != nil && p.AdminCreateUserConfig.AllowAdminCreateUserOnly:
		return nil, "the pool allows only administrators to create users", nil
	case n.SelfSignUp && !autoVerifiesEmail(p):
		return nil, "the pool does not auto-verify email (no sign-up code to confirm with)", nil
	case len(n.FirstFactors) > 0 && !hasFlow(c.ExplicitAuthFlows, "ALLOW_USER_AUTH"):
		return nil, "the app client does not allow ALLOW_USER_AUTH", nil
	case (n.Custom || len(n.Factors) > 0) && l.o.Codes == nil && needsCodes(n):
		return nil, "no code source is configured (--code-command)", nil
	}
	if r := l.factorsReason(n); r != "" {
		return nil, r, nil
	}
	for _, f := range specFlows(n, CurrentSpecReport().Labels()) {
		if !hasFlow(c.ExplicitAuthFlows, f) {
			return nil, "the app client does not allow " + f, nil
		}
	}
	for _, f := range n.Without {
		if hasFlow(c.ExplicitAuthFlows, f) {
			return nil, "the app client allows " + f, nil
		}
	}
	for _, a := range n.Aliases {
		found := false
		for _, x := range p.AliasAttributes {
			found = found || string(x) == a
		}
		if !found {
			return nil, "the pool has no " + a + " alias", nil
		}
	}
	for _, r := range n.Required {
		if !schemaRequires(p, r) {
			return nil, "the pool's schema does not require " + r, nil
		}
	}
	for _, f := range n.FirstFactors {
		if !allowsFirstFactor(p, f) {
			return nil, "the pool's sign-in policy does not allow the first factor " + f, nil
		}
	}
	if n.Custom && !lambdaSet(p) {
		return nil, "the pool has no custom-auth triggers", nil
	}
	custom := ""
	if n.CustomAttribute {
		if custom = customStringAttribute(p); custom == "" {
			return nil, "the pool's schema has no mutable custom String attribute taking a 4-character value", nil
		}
	}
	return &Pool{ID: l.o.PoolID, ClientID: l.o.ClientID, ClientSecret: firstNonEmpty(l.o.ClientSecret, aws.ToString(c.ClientSecret)),
		Endpoint: l.o.Endpoint, Admin: l.admin, IDP: l.idp, Codes: l.o.Codes, MFA: mode, CustomAttribute: custom,
		FillAttributes: fillAttributes(p, n)}, "", nil
}

// fillAttributes returns the attributes the pool's schema requires that the needs
// do not want missing, to be set on every user provisioned (sub, required but set
// by Cognito, is not mutable).
func fillAttributes(p *types.UserPoolType, n Needs) []string {
	var out []string
	for _, a := range p.SchemaAttributes {
		name := aws.ToString(a.Name)
		if aws.ToBool(a.Required) && aws.ToBool(a.Mutable) && !slices.Contains(n.Required, name) {
			out = append(out, name)
		}
	}
	return out
}

// specFlows returns the ExplicitAuthFlows a spec signs in with: those its needs name,
// those its flow: labels name (the flow the spec is about), ALLOW_CUSTOM_AUTH for a
// custom challenge, and otherwise the driver's default, ALLOW_USER_SRP_AUTH. A flow
// the needs want the client not to allow is the spec's subject, not its premise.
func specFlows(n Needs, labels []string) []string {
	flows := slices.Clone(n.Flows)
	add := func(f string) {
		if !slices.Contains(flows, f) && !slices.Contains(n.Without, f) {
			flows = append(flows, f)
		}
	}
	for _, l := range labels {
		switch flow, ok := strings.CutPrefix(l, "flow:"); {
		case !ok:
		case flow == "CUSTOM_WITHOUT_SRP" || flow == "CUSTOM_WITH_SRP":
			add("ALLOW_CUSTOM_AUTH")
		default:
			add("ALLOW_" + flow)
		}
	}
	if n.Custom {
		add("ALLOW_CUSTOM_AUTH")
	}
	if len(flows) == 0 && len(n.FirstFactors) == 0 && len(n.Without) == 0 {
		add("ALLOW_USER_SRP_AUTH")
	}
	return flows
}

func needsCodes(n Needs) bool {
	for _, f := range n.Factors {
		if f == "SMS" || f == "EMAIL" {
			return true
		}
	}
	return false
}

func hasFlow(flows []types.ExplicitAuthFlowsType, f string) bool {
	for _, x := range flows {
		if string(x) == f || strings.TrimPrefix(f, "ALLOW_") == string(x) {
			return true
		}
	}
	return false
}

func schemaRequires(p *types.UserPoolType, attr string) bool {
	for _, a := range p.SchemaAttributes {
		if aws.ToString(a.Name) == attr && aws.ToBool(a.Required) {
			return true
		}
	}
	return false
}

// customStringAttribute returns the first mutable custom String attribute of the
// schema whose length constraints take a 4-character value, or "".
func customStringAttribute(p *types.UserPoolType) string {
	for _, a := range p.SchemaAttributes {
		name := aws.ToString(a.Name)
		if !strings.HasPrefix(name, "custom:") || !aws.ToBool(a.Mutable) || a.AttributeDataType != types.AttributeDataTypeString {
			continue
		}
		if c := a.StringAttributeConstraints; c != nil {
			lo, _ := strconv.Atoi(aws.ToString(c.MinLength))
			hi, err := strconv.Atoi(aws.ToString(c.MaxLength))
			if lo > 4 || (err == nil && hi < 4) {
				continue
			}
		}
		return name
	}
	return ""
}

func lambdaSet(p *types.UserPoolType) bool {
	l := p.LambdaConfig
	return l != nil && l.DefineAuthChallenge != nil && l.CreateAuthChallenge != nil && l.VerifyAuthChallengeResponse != nil
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// pue is the client's PreventUserExistenceErrors, LEGACY when unset.
func pue(c *types.UserPoolClientType) string {
	if c.PreventUserExistenceErrors == "" {
		return "LEGACY"
	}
	return string(c.PreventUserExistenceErrors)
}

func autoVerifiesEmail(p *types.UserPoolType) bool {
	for _, a := range p.AutoVerifiedAttributes {
		if a == "email" {
			return true
		}
	}
	return false
}

func allowsFirstFactor(p *types.UserPoolType, f string) bool {
	if p.Policies == nil || p.Policies.SignInPolicy == nil {
		return f == "PASSWORD"
	}
	for _, x := range p.Policies.SignInPolicy.AllowedFirstAuthFactors {
		if string(x) == f {
			return true
		}
	}
	return false
}
