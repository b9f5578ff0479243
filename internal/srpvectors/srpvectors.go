// Package srpvectors reads SRP known-answer vector files (the format of
// fixtures/srp-vectors.json) and checks every value of each vector against the srp
// package: the client's SRP_A, u, x, S, HKDF key and signature from a fixed secret a,
// and the server's verifier, SRP_B from a fixed secret b and its verdict on the
// client's signature.
package srpvectors

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"strconv"
	"time"

	"github.com/authbench/authbench/srp"
)

// File is a vector file.
type File struct {
	Description string   `json:"description"`
	NHex        string   `json:"n_hex"`
	G           int      `json:"g"`
	KHex        string   `json:"k_hex"`
	Vectors     []Vector `json:"vectors"`
}

// Vector is one known answer.
type Vector struct {
	Name   string `json:"name"`
	Note   string `json:"note"`
	Inputs struct {
		PoolID         string `json:"pool_id"`
		PoolName       string `json:"pool_name"`
		UserIDForSRP   string `json:"user_id_for_srp"`
		Password       string `json:"password"`
		AHex           string `json:"a_hex"`
		SaltHex        string `json:"salt_hex"`
		SRPBHex        string `json:"srp_b_hex"`
		SecretBlockB64 string `json:"secret_block_b64"`
		Timestamp      string `json:"timestamp"`
		TimestampUnix  any    `json:"timestamp_unix"`
	} `json:"inputs"`
	Server struct {
		BHex string `json:"b_hex"`
		VHex string `json:"v_hex"`
	} `json:"server"`
	Expected struct {
		SRPAHex   string `json:"srp_a_hex"`
		KHex      string `json:"k_hex"`
		UPadHex   string `json:"u_padhex"`
		XHex      string `json:"x_hex"`
		SPadHex   string `json:"s_padhex"`
		HKDFHex   string `json:"hkdf_hex"`
		Signature string `json:"signature_b64"`
	} `json:"expected"`
}

// Load decodes a vector file; unknown fields are ignored, missing vectors are an error.
func Load(r io.Reader) (*File, error) {
	var f File
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("srpvectors: decode: %w", err)
	}
	if len(f.Vectors) == 0 {
		return nil, fmt.Errorf("srpvectors: no vectors in file")
	}
	return &f, nil
}

// Check is the outcome of comparing one value.
type Check struct {
	// Value names what was compared, e.g. "client.S" or "server.verify".
	Value string
	// OK is true when the computed value equals the expected one.
	OK bool
	// Detail says what differed; empty when OK.
	Detail string
}

// Result is the outcome of one vector.
type Result struct {
	Name   string
	Checks []Check
}

// OK reports whether every check of the vector passed.
func (r Result) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// CheckGroup compares the file's group constants with the srp package's.
func (f *File) CheckGroup() []Check {
	var cs []Check
	if f.NHex != "" {
		cs = append(cs, eqHex("group.N", f.NHex, srp.N()))
	}
	if f.G != 0 {
		cs = append(cs, eq("group.g", strconv.Itoa(f.G), srp.G().String()))
	}
	if f.KHex != "" {
		cs = append(cs, eqHex("group.k", f.KHex, srp.K()))
	}
	return cs
}

// Run checks one vector.
func (v *Vector) Run() Result {
	r := Result{Name: v.Name}
	add := func(c Check) { r.Checks = append(r.Checks, c) }
	in := v.Inputs

	realm := in.PoolName
	if in.PoolID != "" {
		name, err := srp.PoolName(in.PoolID)
		if err != nil {
			add(Check{Value: "inputs.pool_id", Detail: err.Error()})
			return r
		}
		if realm != "" && realm != name {
			add(Check{Value: "inputs.pool_name", Detail: fmt.Sprintf("pool_id gives %q", name)})
		}
		realm = name
	}
	now, err := timestampTime(in.Timestamp, in.TimestampUnix)
	if err != nil {
		add(Check{Value: "inputs.timestamp", Detail: err.Error()})
		return r
	}

	aBytes, err := fixedBytes(in.AHex, srp.ClientSecretBytes)
	if err != nil {
		add(Check{Value: "inputs.a_hex", Detail: err.Error()})
		return r
	}
	client, err := srp.NewClient(bytes.NewReader(aBytes))
	if err != nil {
		add(Check{Value: "client.A", Detail: err.Error()})
		return r
	}
	add(eq("client.SRP_A", v.Expected.SRPAHex, client.SRPA()))
	ch := srp.Challenge{Realm: realm, UserID: in.UserIDForSRP, Salt: in.SaltHex, B: in.SRPBHex, SecretBlock: in.SecretBlockB64}
	t, err := client.Transcript(ch, in.Password, now)
	if err != nil {
		add(Check{Value: "client.respond", Detail: err.Error()})
		return r
	}
	if v.Expected.KHex != "" {
		add(eqHex("client.k", v.Expected.KHex, srp.K()))
	}
	add(eq("client.u", v.Expected.UPadHex, hex.EncodeToString(srp.Pad(t.U))))
	add(eqHex("client.x", v.Expected.XHex, t.X))
	add(eq("client.S", v.Expected.SPadHex, hex.EncodeToString(srp.Pad(t.S))))
	add(eq("client.K", v.Expected.HKDFHex, hex.EncodeToString(t.Key)))
	add(eq("client.TIMESTAMP", in.Timestamp, t.Response.Timestamp))
	add(eq("client.PASSWORD_CLAIM_SIGNATURE", v.Expected.Signature, t.Response.Signature))

	if v.Server.BHex == "" && v.Server.VHex == "" {
		return r
	}
	salt, err := hex.DecodeString(evenHex(in.SaltHex))
	if err != nil {
		add(Check{Value: "inputs.salt_hex", Detail: "not hex"})
		return r
	}
	ver := srp.MakeVerifier(salt, realm, in.UserIDForSRP, in.Password)
	if v.Server.VHex != "" {
		add(eqHex("server.v", v.Server.VHex, ver.V))
	}
	if v.Server.BHex == "" {
		return r
	}
	bBytes, err := hex.DecodeString(evenHex(v.Server.BHex))
	if err != nil {
		add(Check{Value: "server.b_hex", Detail: "not hex"})
		return r
	}
	server, err := srp.NewServer(bytes.NewReader(bBytes), ver, srp.WithServerSecretBytes(len(bBytes)))
	if err != nil {
		add(Check{Value: "server.B", Detail: err.Error()})
		return r
	}
	add(eqHex("server.SRP_B", in.SRPBHex, mustHexInt(server.SRPB())))
	proof := srp.Proof{Realm: realm, UserID: in.UserIDForSRP, A: client.SRPA(),
		SecretBlock: t.Response.SecretBlock, Timestamp: t.Response.Timestamp, Signature: t.Response.Signature}
	if err := server.Verify(proof); err != nil {
		add(Check{Value: "server.verify", Detail: err.Error()})
	} else {
		add(Check{Value: "server.verify", OK: true})
	}
	return r
}

func timestampTime(ts string, unix any) (time.Time, error) {
	var secs int64
	switch u := unix.(type) {
	case float64:
		secs = int64(u)
	case string:
		n, err := strconv.ParseInt(u, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("timestamp_unix %q is not a number", u)
		}
		secs = n
	case nil:
		t, err := srp.ParseTimestamp(ts)
		return t, err
	default:
		return time.Time{}, fmt.Errorf("timestamp_unix has type %T", unix)
	}
	return time.Unix(secs, 0).UTC(), nil
}

func fixedBytes(h string, n int) ([]byte, error) {
	b, err := hex.DecodeString(evenHex(h))
	if err != nil {
		return nil, fmt.Errorf("not hex")
	}
	if len(b) > n {
		// a leading zero byte beyond n is harmless; anything else is not.
		trim := bytes.TrimLeft(b, "\x00")
		if len(trim) > n {
			return nil, fmt.Errorf("longer than %d bytes", n)
		}
		b = trim
	}
	out := make([]byte, n)
	copy(out[n-len(b):], b)
	return out, nil
}

func evenHex(h string) string {
	if len(h)%2 == 1 {
		return "0" + h
	}
	return h
}

func mustHexInt(h string) *big.Int {
	x, _ := new(big.Int).SetString(h, 16)
	return x
}

func eq(name, want, got string) Check {
	if want == got {
		return Check{Value: name, OK: true}
	}
	return Check{Value: name, Detail: fmt.Sprintf("want %s, got %s", short(want), short(got))}
}

// eqHex compares a hex value with an integer, ignoring leading zeros and case.
func eqHex(name, want string, got *big.Int) Check {
	w, ok := new(big.Int).SetString(evenHex(want), 16)
	if !ok {
		return Check{Value: name, Detail: "expected value is not hex"}
	}
	if w.Cmp(got) == 0 {
		return Check{Value: name, OK: true}
	}
	return Check{Value: name, Detail: fmt.Sprintf("want %s, got %s", short(want), short(got.Text(16)))}
}

func short(s string) string {
	if len(s) <= 40 {
		return s
	}
	return s[:16] + "…" + s[len(s)-16:]
}
