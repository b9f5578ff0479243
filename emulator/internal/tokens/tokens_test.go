package tokens

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
)

var (
	keyOnce sync.Once
	testKey *Key
	other   *Key
)

func keys(t *testing.T) (*Key, *Key) {
	keyOnce.Do(func() {
		var err error
		if testKey, err = NewKey(rand.Reader); err != nil {
			panic(err)
		}
		if other, err = NewKey(rand.Reader); err != nil {
			panic(err)
		}
	})
	return testKey, other
}

func TestSignVerify(t *testing.T) {
	k, o := keys(t)
	tok, err := k.Sign(Claims{"sub": "abc", "exp": 123, "token_use": "access"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := k.Verify(tok)
	if err != nil {
		t.Fatal(err)
	}
	if c.String("sub") != "abc" || c.Int("exp") != 123 || c.String("token_use") != "access" {
		t.Errorf("claims = %v", c)
	}
	if _, err := o.Verify(tok); !errors.Is(err, ErrKeyID) {
		t.Errorf("other key: %v", err)
	}
	parts := strings.Split(tok, ".")
	tampered := parts[0] + "." + parts[1] + "x." + parts[2]
	for _, bad := range []string{"", "a.b", "a.b.c.d", tampered, parts[0] + "." + parts[1] + ".AAAA", "!!.!!.!!"} {
		if _, err := k.Verify(bad); err == nil {
			t.Errorf("Verify(%.20q) accepted", bad)
		}
	}
}

func TestJWKAndPersistence(t *testing.T) {
	k, _ := keys(t)
	j := k.JWK()
	if j.Kty != "RSA" || j.Alg != "RS256" || j.E != "AQAB" || j.Kid != k.ID() || len(j.N) < 340 {
		t.Errorf("JWK = %+v", j)
	}
	der, err := k.MarshalPKCS8()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := ParseKey(der)
	if err != nil || k2.ID() != k.ID() {
		t.Fatalf("ParseKey: %v", err)
	}
	tok, _ := k.Sign(Claims{"a": 1})
	if _, err := k2.Verify(tok); err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(j); err != nil {
		t.Fatal(err)
	}
}

func FuzzVerify(f *testing.F) {
	f.Add("eyJhbGciOiJSUzI1NiJ9.e30.AAAA")
	f.Add("..")
	f.Fuzz(func(t *testing.T, s string) {
		k, _ := keys(nil)
		if _, err := k.Verify(s); err == nil {
			t.Fatalf("random token verified: %q", s)
		}
	})
}
