package srp

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"math/big"
	"testing"
	"time"
)

// stream is a deterministic byte stream for fuzzing: SHA-256 in counter mode.
func stream(seed []byte, n int) []byte {
	out := make([]byte, 0, n+sha256.Size)
	for ctr := byte(0); len(out) < n; ctr++ {
		s := sha256.Sum256(append(append([]byte{}, seed...), ctr))
		out = append(out, s[:]...)
	}
	return out[:n]
}

// FuzzHandshake checks, for random passwords, salts, identities, ephemerals, secret
// blocks and times, that the client's signature verifies on the server, and that a
// changed password, salt, timestamp or secret block does not.
func FuzzHandshake(f *testing.F) {
	f.Add("Passw0rd!", []byte{1, 2, 3}, []byte("a"), []byte("b"), []byte("block"), int64(1709622249), "ExAmPle12", "alice")
	f.Add("", []byte{0x80}, []byte{}, []byte{0}, []byte{0}, int64(0), "p", "")
	f.Add("pässwörd-✓-密码", []byte{0, 0, 1}, []byte("zz"), []byte("yy"), bytes.Repeat([]byte{0xff}, 64), int64(1798290429), "AbCdEfGhI", "4c1b7e2a")
	f.Fuzz(func(t *testing.T, password string, salt, aSeed, bSeed, block []byte, unix int64, realm, user string) {
		if len(salt) == 0 || len(block) == 0 || len(salt) > 64 || len(block) > 2048 {
			t.Skip()
		}
		now := time.Unix(unix%(1<<34), 0) // keep years within four digits
		eng := fastEngine()
		ver := makeVerifier(eng, salt, realm, user, password)
		srv := newServerFromSecret(eng, ver, new(big.Int).SetBytes(stream(bSeed, 32)))
		c, err := newClient(eng, bytes.NewReader(stream(aSeed, ClientSecretBytes)))
		if err != nil {
			t.Fatal(err)
		}
		blockB64 := base64.StdEncoding.EncodeToString(block)
		ch := Challenge{Realm: realm, UserID: user, Salt: ver.SaltHex(), B: srv.SRPB(), SecretBlock: blockB64}
		r, err := c.Respond(ch, password, now)
		if err != nil {
			t.Fatalf("Respond: %v", err)
		}
		proof := Proof{Realm: realm, UserID: user, A: c.SRPA(), SecretBlock: r.SecretBlock, Timestamp: r.Timestamp, Signature: r.Signature}
		if err := srv.Verify(proof); err != nil {
			t.Fatalf("valid proof rejected: %v", err)
		}

		// A changed password.
		r2, err := c.Respond(ch, password+"x", now)
		if err != nil {
			t.Fatal(err)
		}
		bad := proof
		bad.Signature = r2.Signature
		if err := srv.Verify(bad); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("changed password: err = %v", err)
		}
		// A changed salt (the client derives x from a different salt).
		ch2 := ch
		ch2.Salt = ver.SaltHex() + "01"
		r3, err := c.Respond(ch2, password, now)
		if err != nil {
			t.Fatal(err)
		}
		bad = proof
		bad.Signature = r3.Signature
		if err := srv.Verify(bad); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("changed salt: err = %v", err)
		}
		// A changed timestamp.
		bad = proof
		bad.Timestamp = Timestamp(now.Add(time.Second))
		if err := srv.Verify(bad); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("changed timestamp: err = %v", err)
		}
		// A changed secret block.
		flipped := append([]byte{}, block...)
		flipped[0] ^= 1
		bad = proof
		bad.SecretBlock = base64.StdEncoding.EncodeToString(flipped)
		if err := srv.Verify(bad); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("changed secret block: err = %v", err)
		}
	})
}

// FuzzParse feeds arbitrary wire strings to both sides: malformed input must be an
// error, never a panic.
func FuzzParse(f *testing.F) {
	f.Add("05", "0102", "AAAA", "Tue Mar 5 07:04:09 UTC 2024", "AAAA")
	f.Add("", "", "", "", "")
	f.Add("-1", "0x10", "-_8", "Mon Jan 32 25:61:61 UTC 2006", "====")
	c, err := NewClient(bytes.NewReader(bytes.Repeat([]byte{9}, ClientSecretBytes)))
	if err != nil {
		f.Fatal(err)
	}
	srv, err := NewServer(bytes.NewReader(bytes.Repeat([]byte{8}, 32)), MakeVerifier([]byte{1}, "P", "u", "pw"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b, salt, block, ts, sig string) {
		_, _ = c.Respond(Challenge{Realm: "P", UserID: "u", Salt: salt, B: b, SecretBlock: block}, "pw", time.Unix(0, 0))
		err := srv.Verify(Proof{Realm: "P", UserID: "u", A: b, SecretBlock: block, Timestamp: ts, Signature: sig})
		if err == nil {
			t.Fatalf("random proof verified: A=%q sig=%q", b, sig)
		}
		_, _ = ParseTimestamp(ts)
		_, _ = ParseDeviceVerifier(block, sig)
		_, _ = PoolName(salt)
	})
}
