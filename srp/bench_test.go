package srp

import (
	"bytes"
	"crypto/sha256"
	"math/big"
	"testing"
	"time"
)

// Run with: go test -run '^$' -bench . -count 6 ./srp/ | benchstat -col /engine -
//
// Each benchmark has a sub-benchmark per engine: "fast" is what authbench uses, and
// "mathbig" is the same computation with plain big.Int.Exp (no tables, no custom
// Montgomery), so the speed-up is the ratio of the two lines in one run.

// benchFixture is one handshake's inputs, fixed so both engines do identical work.
type benchFixture struct {
	ver    Verifier
	bSec   *big.Int
	aSec   []byte
	srpB   string
	proof  Proof
	chal   Challenge
	passwd string
}

func newBenchFixture(tb testing.TB) benchFixture {
	seed := sha256.Sum256([]byte("authbench srp benchmark"))
	const realm, user, pw = "AbCdEfGhI", "4c1b7e2a-0d3f-4a8e-9b6c-2f5d8e1a7c90", "Correct-Horse-Battery-Staple-9!"
	ver := makeVerifier(bigEngine{}, seed[:16], realm, user, pw)
	bSec := new(big.Int).SetBytes(seed[:])
	srv := newServerFromSecret(bigEngine{}, ver, bSec)
	aSec := bytes.Repeat(seed[:], ClientSecretBytes/len(seed))
	c, err := newClient(bigEngine{}, bytes.NewReader(aSec))
	if err != nil {
		tb.Fatal(err)
	}
	ch := Challenge{Realm: realm, UserID: user, Salt: ver.SaltHex(), B: srv.SRPB(), SecretBlock: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="}
	r, err := c.Respond(ch, pw, time.Unix(1.77e9, 0))
	if err != nil {
		tb.Fatal(err)
	}
	p := Proof{Realm: realm, UserID: user, A: c.SRPA(), SecretBlock: r.SecretBlock, Timestamp: r.Timestamp, Signature: r.Signature}
	return benchFixture{ver: ver, bSec: bSec, aSec: aSec, srpB: srv.SRPB(), proof: p, chal: ch, passwd: pw}
}

// BenchmarkClientSignIn is the client's whole SRP work for one sign-in: the secret a,
// SRP_A = g^a, then the PASSWORD_VERIFIER response (g^x, S, HKDF, HMAC).
func BenchmarkClientSignIn(b *testing.B) {
	fx := newBenchFixture(b)
	now := time.Unix(1.77e9, 0)
	for _, e := range engines {
		b.Run("engine="+e.name, func(b *testing.B) {
			b.ReportAllocs()
			rd := bytes.NewReader(fx.aSec)
			for b.Loop() {
				rd.Reset(fx.aSec)
				c, err := newClient(e.eng, rd)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Respond(fx.chal, fx.passwd, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkServerSignIn is the pool's whole SRP work for one sign-in: SRP_B from the
// stored verifier (g^b), then checking the client's signature (v^u, (A·v^u)^b, HKDF,
// HMAC). The proof verifies, as in a successful sign-in.
func BenchmarkServerSignIn(b *testing.B) {
	fx := newBenchFixture(b)
	for _, e := range engines {
		b.Run("engine="+e.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				s := newServerFromSecret(e.eng, fx.ver, fx.bSec)
				if err := s.Verify(fx.proof); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerifier is what a pool pays to store a password: x and v = g^x.
func BenchmarkVerifier(b *testing.B) {
	for _, e := range engines {
		b.Run("engine="+e.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				makeVerifier(e.eng, []byte("0123456789abcdef"), "Pool", "user", "password")
			}
		})
	}
}

// BenchmarkHashing is the part of a client sign-in that is not exponentiation (u, x,
// HKDF, HMAC), for scale.
func BenchmarkHashing(b *testing.B) {
	fx := newBenchFixture(b)
	bigA := new(big.Int).SetBytes(bytes.Repeat([]byte{0x5a}, 384))
	bigB, _ := new(big.Int).SetString(fx.srpB, 16)
	b.ReportAllocs()
	for b.Loop() {
		u := computeU(bigA, bigB)
		x := computeX(bigA, "Pool", "user", "password")
		key, _ := deriveKey(u, bigB)
		sign(key, "Pool", "user", x.Bytes(), "Tue Mar 5 07:04:09 UTC 2024")
	}
}
