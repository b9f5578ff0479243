package srp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"
)

// engines are the two implementations every known-answer test runs on.
var engines = []struct {
	name string
	eng  engine
}{
	{"fast", fastEngine()},
	{"mathbig", bigEngine{}},
}

func repeatByte(b byte, n int) []byte { return bytes.Repeat([]byte{b}, n) }

// TestSpecVector reproduces the worked example of spec §3.4 byte for byte, on the
// client and on the server, with both engines.
func TestSpecVector(t *testing.T) {
	const (
		poolID   = "us-east-1_ExAmPle12"
		user     = "alice"
		password = "Passw0rd!"
		block    = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	)
	salt := []byte{0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x8b, 0x8c, 0x8d, 0x8e, 0x8f}
	now := time.Date(2024, time.March, 5, 7, 4, 9, 0, time.UTC)
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			realm, err := PoolName(poolID)
			if err != nil || realm != "ExAmPle12" {
				t.Fatalf("PoolName = %q, %v", realm, err)
			}
			ver := makeVerifier(e.eng, salt, realm, user, password)
			srv := newServerFromSecret(e.eng, ver, new(big.Int).SetBytes(repeatByte(0x22, 128)))
			c, err := newClient(e.eng, bytes.NewReader(repeatByte(0x11, 128)))
			if err != nil {
				t.Fatal(err)
			}
			if got := padHex(new(big.Int).SetBytes(salt)); got != "00808182838485868788898a8b8c8d8e8f" {
				t.Errorf("SALT = %s", got)
			}
			a := c.SRPA()
			if len(a) != 768 || !strings.HasPrefix(a, "67679d4fea151663") || !strings.HasSuffix(a, "373a857c32e03a6c") {
				t.Errorf("SRP_A = %s…%s (%d digits)", a[:16], a[len(a)-16:], len(a))
			}
			b := srv.SRPB()
			if !strings.HasPrefix(b, "7b4bdc852ddb8de1") || !strings.HasSuffix(b, "658901a92e257c5a") {
				t.Errorf("SRP_B = %s…%s", b[:16], b[len(b)-16:])
			}
			tr, err := c.Transcript(Challenge{Realm: realm, UserID: user, Salt: ver.SaltHex(), B: b, SecretBlock: block}, password, now)
			if err != nil {
				t.Fatal(err)
			}
			checks := []struct{ name, got, want string }{
				{"x", tr.X.Text(16), "4ae0dc79429e6d8119d08972e357263c757c9eceb0c63728e2f7d365481d1129"},
				{"u", tr.U.Text(16), "a92bb3925d2fd72dd6e4a913724e21c5e1edb820177117fea2df8885d37c1684"},
				{"K", hex.EncodeToString(tr.Key), "89062ca42c50dfb969d2b1ede2ac1734"},
				{"TIMESTAMP", tr.Response.Timestamp, "Tue Mar 5 07:04:09 UTC 2024"},
				{"signature", tr.Response.Signature, "WUvxPIfKGMsAjAwpoq6MjoWy8/knnqHD+y06/8j/p20="},
				{"secret block", tr.Response.SecretBlock, block},
			}
			for _, ck := range checks {
				if ck.got != ck.want {
					t.Errorf("%s = %s, want %s", ck.name, ck.got, ck.want)
				}
			}
			p := Proof{Realm: realm, UserID: user, A: a, SecretBlock: block, Timestamp: tr.Response.Timestamp, Signature: tr.Response.Signature}
			if err := srv.Verify(p); err != nil {
				t.Errorf("server rejects the client's proof: %v", err)
			}
		})
	}
}

func TestK(t *testing.T) {
	if got, want := K().Text(16), "538282c4354742d7cbbde2359fcf67f9f5b3a6b08791e5011b43b8a5b66d9ee6"; got != want {
		t.Fatalf("k = %s, want %s", got, want)
	}
	// N = 2^3072 − 2^3008 − 1 + 2^64·(⌊2^2942·π⌋ + 1690314): check the cheap parts.
	if N().BitLen() != 3072 || !N().ProbablyPrime(4) {
		t.Fatal("N is not a 3072-bit prime")
	}
}

func TestPad(t *testing.T) {
	tests := []struct {
		in   string // hex
		want string // hex
	}{
		{"0", "00"},         // zero encodes as one zero byte
		{"1", "01"},         // odd digit count gains a 0 nibble
		{"7f", "7f"},        // top bit clear: unchanged
		{"80", "0080"},      // top bit set: a 00 byte in front
		{"ff00", "00ff00"},  // same at two bytes
		{"1ff00", "01ff00"}, // odd length with a small first digit
		{"00ff", "00ff"},    // leading zeros in the input do not count
	}
	for _, tt := range tests {
		x, _ := new(big.Int).SetString(tt.in, 16)
		if got := hex.EncodeToString(Pad(x)); got != tt.want {
			t.Errorf("Pad(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		// day not padded, hours on a 24-hour clock with two digits
		{time.Date(2024, 3, 5, 7, 4, 9, 0, time.UTC), "Tue Mar 5 07:04:09 UTC 2024"},
		{time.Date(2026, 12, 26, 13, 7, 9, 0, time.UTC), "Sat Dec 26 13:07:09 UTC 2026"},
		{time.Date(2026, 1, 1, 0, 0, 5, 0, time.UTC), "Thu Jan 1 00:00:05 UTC 2026"},
		// a non-UTC time is converted first
		{time.Date(2026, 1, 1, 1, 0, 5, 0, time.FixedZone("CET", 3600)), "Thu Jan 1 00:00:05 UTC 2026"},
	}
	for _, tt := range tests {
		got := Timestamp(tt.t)
		if got != tt.want {
			t.Errorf("Timestamp(%v) = %q, want %q", tt.t, got, tt.want)
		}
		back, err := ParseTimestamp(got)
		if err != nil || !back.Equal(tt.t) {
			t.Errorf("ParseTimestamp(%q) = %v, %v", got, back, err)
		}
	}
	for _, bad := range []string{"", "Tue Mar 5 7:04:09 UTC 2024 x", "2024-03-05T07:04:09Z", "Tue Mar 5 07:04:09 GMT 2024"} {
		if _, err := ParseTimestamp(bad); err == nil {
			t.Errorf("ParseTimestamp(%q) accepted", bad)
		}
	}
}

func TestSecretHash(t *testing.T) {
	c := AppClient{ID: "1example23456789", Secret: "s3cr3t"}
	if got, want := c.SecretHash("alice"), "IMpPuFOEIbgZyOCkK5ZvTY2hXdhUUff9Wz0ungvQbF8="; got != want {
		t.Errorf("SecretHash = %s, want %s", got, want)
	}
	if got := (AppClient{ID: "x"}).SecretHash("alice"); got != "" {
		t.Errorf("public client SecretHash = %q, want empty", got)
	}
	if s := c.String(); strings.Contains(s, "s3cr3t") {
		t.Errorf("String leaks the secret: %s", s)
	}
}

func TestPoolName(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"us-east-1_AbC123xyz", "AbC123xyz", true},
		{"eu-west-2_a_b", "a", true}, // split('_')[1]
		{"nounderscore", "", false},
		{"_abc", "", false},
		{"us-east-1_", "", false},
		{"us-east-1__x", "", false},
	}
	for _, tt := range tests {
		got, err := PoolName(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("PoolName(%q) = %q, %v", tt.in, got, err)
		}
	}
}

// handshake runs a whole handshake and returns the server's verdict.
func handshake(t testing.TB, eng engine, seed byte, pwUsed, pwStored string) error {
	t.Helper()
	ver := makeVerifier(eng, []byte{seed, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, "Pool", "user", pwStored)
	srv := newServerFromSecret(eng, ver, new(big.Int).SetBytes(repeatByte(seed^0x5a, 32)))
	c, err := newClient(eng, bytes.NewReader(repeatByte(seed, 128)))
	if err != nil {
		t.Fatal(err)
	}
	block := "c2VjcmV0IGJsb2Nr"
	r, err := c.Respond(Challenge{Realm: "Pool", UserID: "user", Salt: ver.SaltHex(), B: srv.SRPB(), SecretBlock: block}, pwUsed, time.Unix(1e9, 0))
	if err != nil {
		t.Fatal(err)
	}
	return srv.Verify(Proof{Realm: "Pool", UserID: "user", A: c.SRPA(), SecretBlock: r.SecretBlock, Timestamp: r.Timestamp, Signature: r.Signature})
}

func TestWrongPassword(t *testing.T) {
	for _, e := range engines {
		if err := handshake(t, e.eng, 7, "right", "right"); err != nil {
			t.Errorf("%s: right password rejected: %v", e.name, err)
		}
		if err := handshake(t, e.eng, 7, "wrong", "right"); !errors.Is(err, ErrBadSignature) {
			t.Errorf("%s: wrong password: err = %v, want ErrBadSignature", e.name, err)
		}
	}
}

func TestSafetyChecks(t *testing.T) {
	c, err := NewClient(bytes.NewReader(repeatByte(3, 128)))
	if err != nil {
		t.Fatal(err)
	}
	ok := Challenge{Realm: "P", UserID: "u", Salt: "0102", B: "05", SecretBlock: "AAAA"}
	nHexUpper := strings.ToUpper(N().Text(16))
	tests := []struct {
		name   string
		mutate func(*Challenge)
		want   error
	}{
		{"B zero", func(ch *Challenge) { ch.B = "0" }, ErrInvalidB},
		{"B equals N", func(ch *Challenge) { ch.B = nHexUpper }, ErrInvalidB},
		{"B equals 2N", func(ch *Challenge) { ch.B = new(big.Int).Lsh(N(), 1).Text(16) }, ErrInvalidB},
	}
	for _, tt := range tests {
		ch := ok
		tt.mutate(&ch)
		if _, err := c.Respond(ch, "pw", time.Unix(0, 0)); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	var fe *FormatError
	malformed := []func(*Challenge){
		func(ch *Challenge) { ch.B = "" },
		func(ch *Challenge) { ch.B = "xyz" },
		func(ch *Challenge) { ch.B = "-5" },
		func(ch *Challenge) { ch.B = "0x5" },
		func(ch *Challenge) { ch.B = strings.Repeat("f", 5000) },
		func(ch *Challenge) { ch.Salt = "zz" },
		func(ch *Challenge) { ch.SecretBlock = "!!!" },
		func(ch *Challenge) { ch.SecretBlock = "" },
	}
	for i, m := range malformed {
		ch := ok
		m(&ch)
		if _, err := c.Respond(ch, "pw", time.Unix(0, 0)); !errors.As(err, &fe) {
			t.Errorf("malformed case %d: err = %v, want *FormatError", i, err)
		}
	}

	// The server refuses A ≡ 0 (mod N) in every spelling.
	srv, err := NewServer(bytes.NewReader(repeatByte(9, 32)), MakeVerifier([]byte{1}, "P", "u", "pw"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"0", "00", N().Text(16), nHexUpper, new(big.Int).Lsh(N(), 3).Text(16)} {
		err := srv.Verify(Proof{Realm: "P", UserID: "u", A: a, SecretBlock: "AAAA", Timestamp: "x", Signature: "AAAA"})
		if !errors.Is(err, ErrInvalidA) {
			t.Errorf("A=%.10s…: err = %v, want ErrInvalidA", a, err)
		}
	}
	for _, p := range []Proof{
		{A: "zz", SecretBlock: "AAAA", Signature: "AAAA"},
		{A: "05", SecretBlock: "@@", Signature: "AAAA"},
		{A: "05", SecretBlock: "AAAA", Signature: "%%%"},
	} {
		if err := srv.Verify(p); !errors.As(err, &fe) {
			t.Errorf("Verify(%+v) = %v, want *FormatError", p, err)
		}
	}
}

func TestShortRandom(t *testing.T) {
	if _, err := NewClient(bytes.NewReader(make([]byte, 10))); !errors.Is(err, ErrShortRandom) {
		t.Errorf("NewClient: err = %v", err)
	}
	if _, err := NewServer(bytes.NewReader(nil), Verifier{V: big.NewInt(4)}); !errors.Is(err, ErrShortRandom) {
		t.Errorf("NewServer: err = %v", err)
	}
	if _, err := NewVerifier(bytes.NewReader(nil), "p", "u", "pw"); !errors.Is(err, ErrShortRandom) {
		t.Errorf("NewVerifier: err = %v", err)
	}
	if _, err := NewDeviceSecret(bytes.NewReader(make([]byte, 41)), "g", "k"); !errors.Is(err, ErrShortRandom) {
		t.Errorf("NewDeviceSecret: err = %v", err)
	}
}

// TestDeviceHandshake runs the remembered-device variant end to end: the client makes
// a device secret, the pool parses the uploaded verifier, and a DEVICE_PASSWORD_VERIFIER
// round verifies with the group key and device key in place of pool and user.
func TestDeviceHandshake(t *testing.T) {
	const groupKey, deviceKey = "-abcDEF12", "us-east-1_6d3b1c1e-8f44-4b53-9c3f-0a3d6f1f2b7e"
	rnd := bytes.NewReader(append(repeatByte(0xa5, 40), repeatByte(0x93, 16)...))
	ds, err := NewDeviceSecret(rnd, groupKey, deviceKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Salt) != 17 || ds.Salt[0] != 0 { // 0x93… has its top bit set
		t.Errorf("salt = %x, want PAD of 16 bytes with a 00 in front", ds.Salt)
	}
	ver, err := ParseDeviceVerifier(ds.VerifierBase64(), ds.SaltBase64())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := NewServer(bytes.NewReader(repeatByte(0x42, 32)), ver)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewClient(bytes.NewReader(repeatByte(0x24, 128)))
	if err != nil {
		t.Fatal(err)
	}
	ch := Challenge{Realm: groupKey, UserID: deviceKey, Salt: ver.SaltHex(), B: srv.SRPB(), SecretBlock: "ZGV2aWNl"}
	for _, pw := range []string{ds.Password, ds.Password + "x"} {
		r, err := c.Respond(ch, pw, time.Unix(1.7e9, 0))
		if err != nil {
			t.Fatal(err)
		}
		err = srv.Verify(Proof{Realm: groupKey, UserID: deviceKey, A: c.SRPA(), SecretBlock: r.SecretBlock, Timestamp: r.Timestamp, Signature: r.Signature})
		if (err == nil) != (pw == ds.Password) {
			t.Errorf("device password %q… verified = %v", pw[:4], err)
		}
	}
	for _, bad := range [][2]string{{"", "AAAA"}, {"AAAA", "@"}, {"AAAA", "AAAA"}, {N().Text(16), "AAAA"}} {
		if _, err := ParseDeviceVerifier(bad[0], bad[1]); err == nil {
			t.Errorf("ParseDeviceVerifier(%q, %q) accepted", bad[0], bad[1])
		}
	}
}

func TestDecodeBase64Variants(t *testing.T) {
	// The JS clients accept URL-safe, unpadded SECRET_BLOCKs; so do we.
	for _, s := range []string{"+/8=", "-_8", "-_8=", "+/8"} {
		b, err := decodeBase64("SECRET_BLOCK", s)
		if err != nil || !bytes.Equal(b, []byte{0xfb, 0xff}) {
			t.Errorf("decodeBase64(%q) = %x, %v", s, b, err)
		}
	}
}
