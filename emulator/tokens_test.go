package emulator_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// verifyJWT checks an RS256 token against the pool's JWKS, fetched over HTTP the way a
// resource server would, and returns its claims.
func verifyJWT(t *testing.T, endpoint, poolID, token string) map[string]any {
	t.Helper()
	var oidc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, endpoint+"/"+poolID+"/.well-known/openid-configuration", &oidc)
	if oidc.Issuer != endpoint+"/"+poolID || oidc.JWKSURI != oidc.Issuer+"/.well-known/jwks.json" {
		t.Fatalf("openid-configuration: %+v", oidc)
	}
	var jwks struct {
		Keys []struct{ Kid, Kty, Alg, Use, N, E string } `json:"keys"`
	}
	getJSON(t, oidc.JWKSURI, &jwks)
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	var hdr struct{ Kid, Alg string }
	b, _ := base64.RawURLEncoding.DecodeString(parts[0])
	if err := json.Unmarshal(b, &hdr); err != nil || hdr.Alg != "RS256" {
		t.Fatalf("header %s: %v", b, err)
	}
	for _, k := range jwks.Keys {
		if k.Kid != hdr.Kid {
			continue
		}
		nb, _ := base64.RawURLEncoding.DecodeString(k.N)
		eb, _ := base64.RawURLEncoding.DecodeString(k.E)
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: int(new(big.Int).SetBytes(eb).Int64())}
		sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
			t.Fatalf("signature does not verify: %v", err)
		}
		pb, _ := base64.RawURLEncoding.DecodeString(parts[1])
		var claims map[string]any
		if err := json.Unmarshal(pb, &claims); err != nil {
			t.Fatal(err)
		}
		if claims["iss"] != oidc.Issuer {
			t.Fatalf("iss %v, want %s", claims["iss"], oidc.Issuer)
		}
		return claims
	}
	t.Fatalf("kid %s not in JWKS", hdr.Kid)
	return nil
}

func TestTokenClaims(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Client: func(in *cip.CreateUserPoolClientInput) {
		in.AccessTokenValidity, in.IdTokenValidity = aws.Int32(10), aws.Int32(20)
		in.TokenValidityUnits = &types.TokenValidityUnitsType{AccessToken: types.TimeUnitsTypeMinutes, IdToken: types.TimeUnitsTypeMinutes}
	}})
	e.User(t, poolID, "carol", "Passw0rd!", "email", "carol@example.com", "email_verified", "true", "name", "Carol")
	out, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": "carol", "PASSWORD": "Passw0rd!"}})
	if err != nil {
		t.Fatal(err)
	}
	ar := out.AuthenticationResult
	if ar.ExpiresIn != 600 || aws.ToString(ar.TokenType) != "Bearer" || aws.ToString(ar.RefreshToken) == "" {
		t.Errorf("result: expires %d type %q", ar.ExpiresIn, aws.ToString(ar.TokenType))
	}
	now := time.Now().Unix()
	access := verifyJWT(t, e.Srv.Endpoint(), poolID, *ar.AccessToken)
	id := verifyJWT(t, e.Srv.Endpoint(), poolID, *ar.IdToken)
	sub, _ := id["sub"].(string)
	checks := []struct {
		name string
		got  any
		want any
	}{
		{"access token_use", access["token_use"], "access"},
		{"access client_id", access["client_id"], clientID},
		{"access username", access["username"], "carol"},
		{"access scope", access["scope"], "aws.cognito.signin.user.admin"},
		{"access sub", access["sub"], sub},
		{"id token_use", id["token_use"], "id"},
		{"id aud", id["aud"], clientID},
		{"id cognito:username", id["cognito:username"], "carol"},
		{"id email", id["email"], "carol@example.com"},
		{"id email_verified", id["email_verified"], true},
		{"id name", id["name"], "Carol"},
		{"same origin_jti", access["origin_jti"], id["origin_jti"]},
		{"same event_id", access["event_id"], id["event_id"]},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for name, tok := range map[string]map[string]any{"access": access, "id": id} {
		iat, exp, at := tok["iat"].(float64), tok["exp"].(float64), tok["auth_time"].(float64)
		if d := int64(iat) - now; d < -5 || d > 5 {
			t.Errorf("%s iat %v far from now", name, iat)
		}
		if int64(at) > int64(iat) || tok["jti"] == "" || tok["jti"] == nil {
			t.Errorf("%s auth_time/jti: %v", name, tok)
		}
		want := map[string]float64{"access": 600, "id": 1200}[name]
		if exp-iat != want {
			t.Errorf("%s validity %v s, want %v", name, exp-iat, want)
		}
	}
	if access["jti"] == id["jti"] || sub == "" {
		t.Error("jti shared between tokens, or no sub")
	}
}
