package emulator_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator/internal/tokens"
	"github.com/authbench/authbench/srp"
)

// Run with: go test -run '^$' -bench . -count 6 ./emulator/
//
// BenchmarkPasswordSignIn puts a complete USER_PASSWORD_AUTH sign-in (SDK client,
// HTTP over loopback, the emulator) beside the work it cannot avoid: signing its two
// RS256 tokens. BenchmarkSRPSignIn puts the emulator's whole server-side work for one
// SRP sign-in (InitiateAuth and the PASSWORD_VERIFIER answer, through its HTTP
// handler, tokens included) beside the client's SRP work for one sign-in.

func benchEnv(b *testing.B) (*env, string, string) {
	e := newEnv(b)
	poolID, clientID, _ := e.pool(b, poolSpec{})
	for i := 0; i < 64; i++ {
		e.user(b, poolID, fmt.Sprintf("user%d", i), "Passw0rd!")
	}
	return e, poolID, clientID
}

func BenchmarkPasswordSignIn(b *testing.B) {
	e, _, clientID := benchEnv(b)
	ctx := context.Background()
	b.Run("part=full", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			out, err := e.passwordAuth(ctx, clientID, fmt.Sprintf("user%d", i%64), "Passw0rd!")
			if err != nil || out.AuthenticationResult == nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("part=sign2tokens", func(b *testing.B) {
		key, _ := testKey()
		b.ReportAllocs()
		for b.Loop() {
			signTwo(b, key)
		}
	})
}

// signTwo signs an access and an id token shaped like the emulator's.
func signTwo(b *testing.B, key *tokens.Key) {
	now := time.Now().Unix()
	common := func(c tokens.Claims) tokens.Claims {
		c["sub"], c["iss"], c["origin_jti"], c["event_id"] = "4c1b7e2a-0d3f-4a8e-9b6c-2f5d8e1a7c90", "http://127.0.0.1:9229/us-east-1_AbCdEfGhI", "6c3b1c1e-8f44-4b53-9c3f-0a3d6f1f2b7e", "7d3b1c1e-8f44-4b53-9c3f-0a3d6f1f2b7e"
		c["auth_time"], c["iat"], c["exp"], c["jti"] = now, now, now+3600, "8e3b1c1e-8f44-4b53-9c3f-0a3d6f1f2b7e"
		return c
	}
	if _, err := key.Sign(common(tokens.Claims{"client_id": "abcdefghijklmnopqrstuvwxyz", "token_use": "access", "scope": "aws.cognito.signin.user.admin", "username": "user1"})); err != nil {
		b.Fatal(err)
	}
	if _, err := key.Sign(common(tokens.Claims{"aud": "abcdefghijklmnopqrstuvwxyz", "token_use": "id", "cognito:username": "user1"})); err != nil {
		b.Fatal(err)
	}
}

func BenchmarkSRPSignIn(b *testing.B) {
	e, poolID, clientID := benchEnv(b)
	h := e.srv.Handler()
	realm, _ := srp.PoolName(poolID)
	call := func(b *testing.B, op, body string) string {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	b.Run("side=server", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			b.StopTimer()
			c, err := srp.NewClient(rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			user := fmt.Sprintf("user%d", i%64)
			i++
			b.StartTimer()
			initBody := call(b, "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"`+clientID+`","AuthParameters":{"USERNAME":"`+user+`","SRP_A":"`+c.SRPA()+`"}}`)
			b.StopTimer()
			var init cip.InitiateAuthOutput
			params, session := decodeChallenge(b, initBody, &init)
			r, err := c.Respond(srp.Challenge{Realm: realm, UserID: params["USER_ID_FOR_SRP"], Salt: params["SALT"], B: params["SRP_B"], SecretBlock: params["SECRET_BLOCK"]}, "Passw0rd!", time.Now())
			if err != nil {
				b.Fatal(err)
			}
			body := fmt.Sprintf(`{"ChallengeName":"PASSWORD_VERIFIER","ClientId":%q,"Session":%q,"ChallengeResponses":{"USERNAME":%q,"PASSWORD_CLAIM_SECRET_BLOCK":%q,"PASSWORD_CLAIM_SIGNATURE":%q,"TIMESTAMP":%q}}`,
				clientID, session, user, r.SecretBlock, r.Signature, r.Timestamp)
			b.StartTimer()
			if out := call(b, "RespondToAuthChallenge", body); !strings.Contains(out, "IdToken") {
				b.Fatalf("no tokens: %s", out)
			}
		}
	})
	b.Run("side=client", func(b *testing.B) {
		// The client's SRP work for one sign-in, against a live challenge.
		c0, _ := srp.NewClient(rand.Reader)
		var init cip.InitiateAuthOutput
		params, _ := decodeChallenge(b, call(b, "InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"`+clientID+`","AuthParameters":{"USERNAME":"user0","SRP_A":"`+c0.SRPA()+`"}}`), &init)
		ch := srp.Challenge{Realm: realm, UserID: params["USER_ID_FOR_SRP"], Salt: params["SALT"], B: params["SRP_B"], SecretBlock: params["SECRET_BLOCK"]}
		b.ReportAllocs()
		for b.Loop() {
			c, err := srp.NewClient(rand.Reader)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := c.Respond(ch, "Passw0rd!", time.Now()); err != nil {
				b.Fatal(err)
			}
		}
	})
	_ = aws.String
	_ = types.AuthFlowTypeUserSrpAuth
}
