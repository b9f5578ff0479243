package emulator_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authbench/authbench/emulator/internal/tokens"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// Run with: go test -run '^$' -bench . -count 6 ./emulator/
//
// BenchmarkPasswordSignIn puts a complete USER_PASSWORD_AUTH sign-in (SDK client,
// HTTP over loopback, the emulator), the emulator's part of it alone, and the work it
// cannot avoid (signing its two RS256 tokens) side by side;
// BenchmarkPasswordSignInRatio measures the last two interleaved. BenchmarkSRPSignIn
// puts the emulator's whole server-side work for one SRP sign-in beside the client's.

func benchEnv(b *testing.B) (*env, string, string) {
	e := newEnv(b)
	poolID, clientID, _ := e.Pool(b, emulatortest.PoolSpec{})
	for i := 0; i < 64; i++ {
		e.User(b, poolID, fmt.Sprintf("user%d", i), "Passw0rd!")
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
	b.Run("part=server", func(b *testing.B) {
		// The emulator alone: the same request through its HTTP handler in-process
		// (no client, no socket): decoding, state, the password check, both token
		// signatures and encoding.
		h := e.Srv.Handler()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			body := fmt.Sprintf(`{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":%q,"AuthParameters":{"USERNAME":"user%d","PASSWORD":"Passw0rd!"}}`, clientID, i%64)
			rec := handlerCall(h, "InitiateAuth", body)
			if rec.Code != 200 {
				b.Fatal(rec.Body.String())
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

// BenchmarkSRPSignIn alternates the two halves of real SRP sign-ins and times each:
// the client's SRP work (secret a, SRP_A, the PASSWORD_VERIFIER response) and the
// emulator's whole server-side work (InitiateAuth and RespondToAuthChallenge through
// its HTTP handler: SRP_B, the proof check, both tokens). It reports both per sign-in
// and their ratio over the same moments. Goal: server/client ≤ 1.
func BenchmarkSRPSignIn(b *testing.B) {
	e, poolID, clientID := benchEnv(b)
	h := e.Srv.Handler()
	realm, _ := srp.PoolName(poolID)
	call := func(op, body string) string {
		rec := handlerCall(h, op, body)
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", op, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	var server, client time.Duration
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		user := fmt.Sprintf("user%d", i%64)
		i++
		t0 := time.Now()
		c, err := srp.NewClient(rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		a := c.SRPA()
		t1 := time.Now()
		initBody := call("InitiateAuth", `{"AuthFlow":"USER_SRP_AUTH","ClientId":"`+clientID+`","AuthParameters":{"USERNAME":"`+user+`","SRP_A":"`+a+`"}}`)
		t2 := time.Now()
		params, session := emulatortest.DecodeChallenge(b, initBody)
		t3 := time.Now()
		r, err := c.Respond(srp.Challenge{Realm: realm, UserID: params["USER_ID_FOR_SRP"], Salt: params["SALT"], B: params["SRP_B"], SecretBlock: params["SECRET_BLOCK"]}, "Passw0rd!", time.Now())
		if err != nil {
			b.Fatal(err)
		}
		t4 := time.Now()
		body := fmt.Sprintf(`{"ChallengeName":"PASSWORD_VERIFIER","ClientId":%q,"Session":%q,"ChallengeResponses":{"USERNAME":%q,"PASSWORD_CLAIM_SECRET_BLOCK":%q,"PASSWORD_CLAIM_SIGNATURE":%q,"TIMESTAMP":%q}}`,
			clientID, session, user, r.SecretBlock, r.Signature, r.Timestamp)
		t5 := time.Now()
		out := call("RespondToAuthChallenge", body)
		t6 := time.Now()
		if !strings.Contains(out, "IdToken") {
			b.Fatalf("no tokens: %s", out)
		}
		client += t1.Sub(t0) + t4.Sub(t3)
		server += t2.Sub(t1) + t6.Sub(t5)
	}
	b.ReportMetric(float64(server.Nanoseconds())/float64(i), "server-ns/signin")
	b.ReportMetric(float64(client.Nanoseconds())/float64(i), "client-ns/signin")
	b.ReportMetric(float64(server)/float64(client), "ratio")
}

// BenchmarkPasswordSignInRatio alternates, iteration by iteration, one password
// sign-in through the emulator's handler and the signing of two tokens alone, and
// reports their costs and ratio measured over the same moments, so machine noise
// hits both equally. Goal: ratio ≤ 1.4.
func BenchmarkPasswordSignInRatio(b *testing.B) {
	e, _, clientID := benchEnv(b)
	h := e.Srv.Handler()
	key, _ := testKey()
	var server, sign time.Duration
	i := 0
	for b.Loop() {
		body := fmt.Sprintf(`{"AuthFlow":"USER_PASSWORD_AUTH","ClientId":%q,"AuthParameters":{"USERNAME":"user%d","PASSWORD":"Passw0rd!"}}`, clientID, i%64)
		req, rec := newRequest("InitiateAuth", body), httptest.NewRecorder()
		t0 := time.Now()
		h.ServeHTTP(rec, req)
		t1 := time.Now()
		signTwo(b, key)
		t2 := time.Now()
		if rec.Code != 200 {
			b.Fatal(rec.Body.String())
		}
		server += t1.Sub(t0)
		sign += t2.Sub(t1)
		i++
	}
	b.ReportMetric(float64(server.Nanoseconds())/float64(i), "server-ns/signin")
	b.ReportMetric(float64(sign.Nanoseconds())/float64(i), "sign2-ns/signin")
	b.ReportMetric(float64(server)/float64(sign), "ratio")
}
