package scenarios

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"
	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/mfa"
)

// Labels used across the specs. Each spec also carries flow:…, step:… and factor:…
// labels naming what it covers; the target's name is added by the runner.
var dialects = []driver.Dialect{driver.Flutter, driver.JS}

// need returns a pool meeting n or skips the spec with the target's reason.
func need(ctx context.Context, n Needs) *Pool {
	GinkgoHelper()
	p, skip, err := current().Target.Pool(ctx, n)
	Expect(err).NotTo(HaveOccurred())
	if skip != "" {
		Skip(skip)
	}
	if current().ListOnly {
		Skip(WouldRun)
	}
	return p
}

// userOpts describe a user to provision.
type userOpts struct {
	// Password is permanent unless Temporary.
	Password  string
	Temporary bool
	Attrs     map[string]string
	Disabled  bool
	// Reset puts the user in RESET_REQUIRED (needs a verified email).
	Reset bool
}

// newUser provisions a user with the Admin API and removes it when the spec ends. It
// returns the username.
func (p *Pool) newUser(ctx context.Context, o userOpts) string {
	GinkgoHelper()
	name := UserPrefix + randomSuffix()
	var attrs []types.AttributeType
	for k, v := range o.Attrs {
		attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(v)})
	}
	for _, k := range p.FillAttributes {
		if _, set := o.Attrs[k]; !set {
			attrs = append(attrs, types.AttributeType{Name: aws.String(k), Value: aws.String(fillValue(k, name))})
		}
	}
	in := &cip.AdminCreateUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(name), UserAttributes: attrs, MessageAction: types.MessageActionTypeSuppress}
	if o.Temporary {
		in.TemporaryPassword = aws.String(o.Password)
	}
	_, err := p.Admin.AdminCreateUser(ctx, in)
	Expect(err).NotTo(HaveOccurred(), "AdminCreateUser")
	DeferCleanup(func(ctx SpecContext) {
		_, _ = p.Admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(name)})
	}, NodeTimeout(current().Timeout))
	if !o.Temporary && o.Password != "" {
		_, err = p.Admin.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: aws.String(p.ID), Username: aws.String(name), Password: aws.String(o.Password), Permanent: true})
		Expect(err).NotTo(HaveOccurred(), "AdminSetUserPassword")
	}
	if o.Reset {
		_, err = p.Admin.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: aws.String(p.ID), Username: aws.String(name)})
		Expect(err).NotTo(HaveOccurred(), "AdminResetUserPassword")
	}
	if o.Disabled {
		_, err = p.Admin.AdminDisableUser(ctx, &cip.AdminDisableUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(name)})
		Expect(err).NotTo(HaveOccurred(), "AdminDisableUser")
	}
	return name
}

// fillValue is the value of a required attribute a spec does not set.
func fillValue(attr, username string) string {
	switch attr {
	case "email":
		return username + "@example.com"
	case "phone_number":
		return phone()
	case "birthdate":
		return "2000-01-01"
	case "updated_at":
		return "0"
	}
	return "authbench"
}

// userName returns a fresh name with the conformance prefix, for users a spec creates
// itself (sign-up); cleanup removes it.
func (p *Pool) userName(ctx context.Context) string {
	name := UserPrefix + randomSuffix()
	DeferCleanup(func(ctx SpecContext) {
		_, _ = p.Admin.AdminDeleteUser(ctx, &cip.AdminDeleteUserInput{UserPoolId: aws.String(p.ID), Username: aws.String(name)})
	}, NodeTimeout(current().Timeout))
	return name
}

func randomSuffix() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// password returns a password that satisfies Cognito's default policy.
func password() string { return "Aa1!" + randomSuffix() }

// code fetches the latest SMS or email code of a user, or skips when the target has
// no code source.
func (p *Pool) code(ctx context.Context, username, purpose string, after time.Time) string {
	GinkgoHelper()
	src := current().Codes
	if src == nil {
		src = p.Codes
	}
	if src == nil {
		Skip("no code source is configured")
	}
	c, err := src.Code(ctx, mfa.Request{PoolID: p.ID, Username: username, Purpose: purpose, After: after})
	Expect(err).NotTo(HaveOccurred(), "reading the %s code of %s", purpose, username)
	return c
}

// expectTokens checks a completed sign-in's tokens the way a resource server would:
// RS256 signatures against the pool's JWKS (fetched from iss/.well-known/jwks.json),
// iss naming the pool, aud / client_id naming the client, token_use, and expiry. It
// returns both tokens' claims.
func (p *Pool) expectTokens(t *driver.Tokens, username string) (id, access map[string]any) {
	GinkgoHelper()
	Expect(t).NotTo(BeNil())
	Expect(t.RefreshToken).NotTo(BeEmpty(), "refresh token")
	// The keys are where the tokens' iss says; a non-AWS endpoint serves them itself
	// (moto names AWS in iss).
	jwksURL := ""
	if p.Endpoint != "" {
		jwksURL = strings.TrimRight(p.Endpoint, "/") + "/" + p.ID + "/.well-known/jwks.json"
	}
	id = verifyJWT(t.IDToken, jwksURL)
	access = verifyJWT(t.AccessToken, jwksURL)
	for _, c := range []map[string]any{id, access} {
		Expect(c["iss"]).To(HaveSuffix("/"+p.ID), "iss")
		exp, _ := c["exp"].(float64)
		Expect(time.Unix(int64(exp), 0)).To(BeTemporally(">", time.Now()), "exp")
		Expect(c["sub"]).To(Equal(id["sub"]), "sub")
	}
	Expect(id["token_use"]).To(Equal("id"))
	Expect(id["aud"]).To(Equal(p.ClientID))
	Expect(access["token_use"]).To(Equal("access"))
	Expect(access["client_id"]).To(Equal(p.ClientID))
	if username != "" {
		Expect(id["cognito:username"]).To(Equal(username))
		Expect(access["username"]).To(Equal(username))
	}
	return id, access
}

var jwksCache sync.Map // url → map[kid]*rsa.PublicKey

// verifyJWT checks an RS256 token against the JWKS at jwksURL (or the one its iss
// names, when jwksURL is "") and returns its claims.
func verifyJWT(token, jwksURL string) map[string]any {
	GinkgoHelper()
	parts := strings.Split(token, ".")
	Expect(parts).To(HaveLen(3), "a JWT has three parts")
	var hdr struct{ Kid, Alg string }
	Expect(json.Unmarshal(b64(parts[0]), &hdr)).To(Succeed())
	Expect(hdr.Alg).To(Equal("RS256"))
	var claims map[string]any
	Expect(json.Unmarshal(b64(parts[1]), &claims)).To(Succeed())
	if jwksURL == "" {
		iss, _ := claims["iss"].(string)
		jwksURL = iss + "/.well-known/jwks.json"
	}
	keys := jwks(jwksURL)
	pub, ok := keys[hdr.Kid]
	Expect(ok).To(BeTrue(), "kid %s is in the pool's JWKS", hdr.Kid)
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	Expect(rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], b64(parts[2]))).To(Succeed(), "RS256 signature")
	return claims
}

func b64(s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	Expect(err).NotTo(HaveOccurred())
	return b
}

func jwks(url string) map[string]*rsa.PublicKey {
	GinkgoHelper()
	if v, ok := jwksCache.Load(url); ok {
		return v.(map[string]*rsa.PublicKey)
	}
	resp, err := http.Get(url)
	Expect(err).NotTo(HaveOccurred(), "GET %s", url)
	defer resp.Body.Close()
	Expect(resp.StatusCode).To(Equal(200), "GET %s", url)
	var set struct {
		Keys []struct{ Kid, N, E string } `json:"keys"`
	}
	Expect(json.NewDecoder(resp.Body).Decode(&set)).To(Succeed())
	out := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, e := new(big.Int).SetBytes(b64(k.N)), new(big.Int).SetBytes(b64(k.E))
		out[k.Kid] = &rsa.PublicKey{N: n, E: int(e.Int64())}
	}
	jwksCache.Store(url, out)
	return out
}

// expectServiceError asserts err is the named Cognito error (and message, if given).
func expectServiceError(err error, name, message string) {
	GinkgoHelper()
	var se *driver.ServiceError
	Expect(errors.As(err, &se)).To(BeTrue(), "want %s, got %v", name, err)
	Expect(se.Name).To(Equal(name))
	if message != "" {
		Expect(se.Message).To(Equal(message))
	}
}

func dialectLabel(d driver.Dialect) Labels { return Label("dialect:" + d.String()) }

func describeDialect(d driver.Dialect) string { return fmt.Sprintf("[%s]", d) }

// specTimeout bounds every spec that talks to a pool.
var specTimeout = NodeTimeout(60 * time.Second)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// expectSDKError asserts err, from a direct SDK call, is the named Cognito error.
func expectSDKError(err error, name, message string) {
	GinkgoHelper()
	var ae smithy.APIError
	Expect(errors.As(err, &ae)).To(BeTrue(), "want %s, got %v", name, err)
	Expect(ae.ErrorCode()).To(Equal(name))
	if message != "" {
		Expect(ae.ErrorMessage()).To(Equal(message))
	}
}
