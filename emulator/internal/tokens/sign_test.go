package tokens

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/authbench/authbench/internal/modexp"
)

// primeCache holds the primes of testPrimes, made once per test binary.
var primeCache []*big.Int

// testPrimes returns n random 512-bit primes (cached across tests).
func testPrimes(t testing.TB, n int) []*big.Int {
	t.Helper()
	for len(primeCache) < n {
		p, err := genPrime(rand.Reader, 512)
		if err != nil {
			t.Fatal(err)
		}
		primeCache = append(primeCache, p)
	}
	return primeCache[:n]
}

// seeded is a deterministic io.Reader for reproducible keys.
type seeded struct{ r *mrand.ChaCha8 }

func (s seeded) Read(p []byte) (int, error) { return s.r.Read(p) }

func newSeeded(seed byte) io.Reader { return seeded{mrand.NewChaCha8([32]byte{seed})} }

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

// twoPrimeKey is an ordinary crypto/rsa 2048-bit key.
func twoPrimeKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, KeyBits); err != nil {
			panic(err)
		}
	})
	return rsaKey
}

// verifyJWT checks tok's signature with crypto/rsa against pub.
func verifyJWT(t *testing.T, pub *rsa.PublicKey, tok string) {
	t.Helper()
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(tok[:i]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("crypto/rsa rejects %.40q...: %v", tok, err)
	}
}

func TestNewKeyShape(t *testing.T) {
	k, err := NewKey(newSeeded(1))
	if err != nil {
		t.Fatal(err)
	}
	if k.crt == nil {
		t.Fatal("generated key does not use the CRT path")
	}
	if n := k.priv.N.BitLen(); n != KeyBits || k.priv.E != 65537 || len(k.priv.Primes) != 4 {
		t.Fatalf("key: %d bits, e=%d, %d primes", n, k.priv.E, len(k.priv.Primes))
	}
	for _, p := range k.priv.Primes {
		if p.BitLen() != 512 || !p.ProbablyPrime(20) {
			t.Fatalf("bad prime %x", p)
		}
	}
	// The injected reader is the only source of randomness.
	k2, err := NewKey(newSeeded(1))
	if err != nil {
		t.Fatal(err)
	}
	if k2.ID() != k.ID() {
		t.Fatal("same seed, different keys")
	}
	if k3, _ := NewKey(newSeeded(2)); k3.ID() == k.ID() {
		t.Fatal("different seeds, same key")
	}
}

func TestSignMessages(t *testing.T) {
	k, _ := keys(t)
	long := strings.Repeat("x", 5000)
	msgs := []Claims{
		{},
		{"sub": "abc"},
		{"sub": "d6e1c2c5-0000-4000-8000-000000000000", "token_use": "id", "exp": 1700000000, "email": "a@b.c"},
		{"unicode": "ünïcödé ✓", "n": 1.5, "list": []string{"a", "b"}},
		{"long": long},
	}
	for i := range 30 {
		msgs = append(msgs, Claims{"i": i, "r": mrand.Uint64()})
	}
	for _, c := range msgs {
		tok, err := k.Sign(c)
		if err != nil {
			t.Fatal(err)
		}
		verifyJWT(t, &k.priv.PublicKey, tok)
		if _, err := k.Verify(tok); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSignMatchesCryptoRSA: PKCS #1 v1.5 is deterministic, so the CRT path must give
// crypto/rsa's bytes exactly, on every kernel.
func TestSignMatchesCryptoRSA(t *testing.T) {
	k, _ := keys(t)
	for _, kern := range modexp.Kernels512() {
		ck, err := newCRTKey(k.priv.N, k.priv.E, k.priv.D, k.priv.Primes, kern)
		if err != nil || ck == nil {
			t.Fatal(err)
		}
		for i := range 5 {
			sum := sha256.Sum256([]byte{byte(i)})
			got, err := ck.signPKCS1v15(&sum)
			if err != nil {
				t.Fatal(err)
			}
			want, err := rsa.SignPKCS1v15(nil, k.priv, crypto.SHA256, sum[:])
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s: signature differs from crypto/rsa", kern)
			}
		}
	}
}

// TestSelfCheck: a wrong exponent must be caught and never released; Sign then
// falls back to crypto/rsa.
func TestSelfCheck(t *testing.T) {
	k, _ := keys(t)
	ck, err := newCRTKey(k.priv.N, k.priv.E, k.priv.D, k.priv.Primes, modexp.Kernels512()[0])
	if err != nil {
		t.Fatal(err)
	}
	ck.exps[2][0] ^= 2 // a fault in one prime's exponent
	sum := sha256.Sum256([]byte("x"))
	if _, err := ck.signPKCS1v15(&sum); err != errSelfCheck {
		t.Fatalf("faulty signature not caught: %v", err)
	}
	bad := *k
	bad.crt = ck
	tok, err := bad.Sign(Claims{"a": 1})
	if err != nil {
		t.Fatal(err)
	}
	verifyJWT(t, &k.priv.PublicKey, tok)
}

// TestCRTShapes: the CRT path with 2, 3 and 5 primes of at most 512 bits (short
// and multiple groups of four lanes), against crypto/rsa's bytes.
func TestCRTShapes(t *testing.T) {
	ps := testPrimes(t, 5)
	for _, np := range []int{2, 3, 5} {
		primes := ps[:np]
		n, phi := big.NewInt(1), big.NewInt(1)
		for _, p := range primes {
			n.Mul(n, p)
			phi.Mul(phi, new(big.Int).Sub(p, big.NewInt(1)))
		}
		d := new(big.Int).ModInverse(big.NewInt(65537), phi)
		priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: 65537}, D: d, Primes: primes}
		k, err := newKey(priv)
		if err != nil || k.crt == nil {
			t.Fatalf("%d primes: %v", np, err)
		}
		for _, kern := range modexp.Kernels512() {
			k.crt.kern = kern
			sum := sha256.Sum256([]byte{byte(np)})
			got, err := k.sign(&sum)
			if err != nil {
				t.Fatal(err)
			}
			want, _ := rsa.SignPKCS1v15(nil, priv, crypto.SHA256, sum[:])
			if string(got) != string(want) {
				t.Fatalf("%d primes, %s: signature differs from crypto/rsa", np, kern)
			}
		}
	}
	// Primes that do not multiply to n are rejected.
	bad := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: new(big.Int).Mul(ps[0], ps[1]), E: 65537}, D: big.NewInt(3), Primes: []*big.Int{ps[0], ps[2]}}
	if _, err := newCRTKey(bad.N, bad.E, bad.D, bad.Primes, modexp.Kernels512()[0]); err == nil {
		t.Error("inconsistent key accepted")
	}
}

func TestNewKeyReaderError(t *testing.T) {
	if _, err := NewKey(io.LimitReader(newSeeded(3), 100)); err == nil {
		t.Fatal("NewKey succeeded with a failing reader")
	}
}

func BenchmarkNewKey(b *testing.B) {
	for b.Loop() {
		if _, err := NewKey(rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

func TestPersistence(t *testing.T) {
	k, _ := keys(t)
	der2, err := x509.MarshalPKCS8PrivateKey(twoPrimeKey(t))
	if err != nil {
		t.Fatal(err)
	}
	der4, err := k.MarshalPKCS8()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		der     []byte
		primes  int
		crtPath bool
	}{{"4-prime", der4, 4, true}, {"2-prime", der2, 2, false}} {
		t.Run(tc.name, func(t *testing.T) {
			pk, err := ParseKey(tc.der)
			if err != nil {
				t.Fatal(err)
			}
			if len(pk.priv.Primes) != tc.primes || (pk.crt != nil) != tc.crtPath {
				t.Fatalf("%d primes, crt %v", len(pk.priv.Primes), pk.crt != nil)
			}
			der, err := pk.MarshalPKCS8()
			if err != nil {
				t.Fatal(err)
			}
			if string(der) != string(tc.der) {
				t.Error("MarshalPKCS8(ParseKey(der)) != der")
			}
			tok, err := pk.Sign(Claims{"sub": tc.name})
			if err != nil {
				t.Fatal(err)
			}
			verifyJWT(t, &pk.priv.PublicKey, tok)
			if _, err := pk.Verify(tok); err != nil {
				t.Fatal(err)
			}
		})
	}
	pk, _ := ParseKey(der4)
	if pk.ID() != k.ID() || pk.JWK() != k.JWK() {
		t.Error("round trip changed the public key")
	}
	if _, err := ParseKey(der4[:len(der4)-3]); err == nil {
		t.Error("truncated key accepted")
	}
}

func TestSignConcurrent(t *testing.T) {
	k, _ := keys(t)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				c := Claims{"g": g, "i": i}
				tok, err := k.Sign(c)
				if err != nil {
					errs <- err
					return
				}
				got, err := k.Verify(tok)
				if err != nil || got.Int("g") != int64(g) || got.Int("i") != int64(i) {
					errs <- fmt.Errorf("g%d i%d: %v %v", g, i, got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

var benchClaims = Claims{
	"sub": "d6e1c2c5-0000-4000-8000-000000000000", "token_use": "access", "scope": "aws.cognito.signin.user.admin",
	"auth_time": 1700000000, "iss": "http://127.0.0.1:9229/us-east-1_abcdefghi", "exp": 1700003600,
	"iat": 1700000000, "jti": "0f6b7a2e-1111-4222-8333-444455556666", "client_id": "1example23456789",
	"username": "alice", "origin_jti": "0f6b7a2e-1111-4222-8333-444455556667", "event_id": "e0000000-1111-4222-8333-444455556668",
}

func BenchmarkSign(b *testing.B) {
	fast, err := NewKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	slow := &Key{id: fast.id, header: fast.header, priv: twoPrimeKey(b)} // crypto/rsa, ordinary key
	for _, bc := range []struct {
		name string
		k    *Key
	}{{"fast", fast}, {"cryptorsa", slow}} {
		b.Run("impl="+bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := bc.k.Sign(benchClaims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignParts splits the fast path: the whole RSA operation, and the
// public-exponent fault check alone (and, for comparison, checking mod n with
// crypto/rsa.VerifyPKCS1v15 instead).
func BenchmarkSignParts(b *testing.B) {
	k, _ := keys(nil)
	sum := sha256.Sum256([]byte("x"))
	sig, _ := k.crt.signPKCS1v15(&sum)
	b.Run("rsa=crt4", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			k.crt.signPKCS1v15(&sum)
		}
	})
	b.Run("check=perprime", func(b *testing.B) {
		b.ReportAllocs()
		var x, v modexp.Nat512
		for b.Loop() {
			for _, ln := range k.crt.lanes {
				modexp.ExpF4(k.crt.check, &v, &x, ln)
			}
		}
	})
	b.Run("check=cryptorsa", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if rsa.VerifyPKCS1v15(&k.priv.PublicKey, crypto.SHA256, sum[:], sig) != nil {
				b.Fatal("bad")
			}
		}
	})
}
