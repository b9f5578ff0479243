package srp

import (
	"encoding/base64"
	"fmt"
	"io"
	"math/big"
	"time"
)

// Client is one sign-in's client half of the handshake: the secret a and SRP_A.
// Create one per sign-in with [NewClient]; it is safe for concurrent use, but reusing
// it across sign-ins reuses a.
type Client struct {
	eng  engine
	a    *big.Int
	bigA *big.Int
	aHex string
}

// NewClient reads a 128-byte secret a from random and computes SRP_A = g^a mod N.
// random is usually crypto/rand.Reader; tests pass a fixed stream.
func NewClient(random io.Reader) (*Client, error) { return newClient(fastEngine(), random) }

func newClient(eng engine, random io.Reader) (*Client, error) {
	var buf [ClientSecretBytes]byte
	if _, err := io.ReadFull(random, buf[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrShortRandom, err)
	}
	return newClientFromSecret(eng, new(big.Int).SetBytes(buf[:]))
}

func newClientFromSecret(eng engine, a *big.Int) (*Client, error) {
	bigA := eng.expG(a)
	if bigA.Sign() == 0 { // impossible for g = 2; checked as the clients do
		return nil, ErrInvalidA
	}
	return &Client{eng: eng, a: a, bigA: bigA, aHex: hexString(bigA)}, nil
}

// SRPA returns SRP_A as the clients send it: lowercase hex, no padding.
func (c *Client) SRPA() string { return c.aHex }

// Challenge is a PASSWORD_VERIFIER (or DEVICE_PASSWORD_VERIFIER) challenge together with
// the identity it is answered for.
type Challenge struct {
	// Realm is the pool name (the part of the pool id after "_", see [PoolName]) for a
	// user, or the DeviceGroupKey for a device. This member is required.
	Realm string
	// UserID is USER_ID_FOR_SRP for a user, or the DeviceKey for a device. This member
	// is required.
	UserID string
	// Salt is the SALT challenge parameter (hex). This member is required.
	Salt string
	// B is the SRP_B challenge parameter (hex). This member is required.
	B string
	// SecretBlock is the SECRET_BLOCK challenge parameter (base64), returned verbatim.
	// This member is required.
	SecretBlock string
}

// Response is the answer to a PASSWORD_VERIFIER challenge: the values of the
// PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE and TIMESTAMP challenge
// responses.
type Response struct {
	SecretBlock string
	Signature   string
	Timestamp   string
}

// Transcript is every intermediate value of one client computation, for known-answer
// checks. It holds the session key: never log it.
type Transcript struct {
	A, B, U, X, S *big.Int
	// Key is the 16-byte HKDF output K.
	Key      []byte
	Response Response
}

// Respond answers a PASSWORD_VERIFIER challenge for password at time now.
func (c *Client) Respond(ch Challenge, password string, now time.Time) (Response, error) {
	t, err := c.Transcript(ch, password, now)
	if err != nil {
		return Response{}, err
	}
	return t.Response, nil
}

// Transcript answers a challenge as [Client.Respond] does and returns every
// intermediate value.
func (c *Client) Transcript(ch Challenge, password string, now time.Time) (*Transcript, error) {
	b, err := parseHex("SRP_B", ch.B)
	if err != nil {
		return nil, err
	}
	salt, err := parseHex("SALT", ch.Salt)
	if err != nil {
		return nil, err
	}
	block, err := decodeBase64("SECRET_BLOCK", ch.SecretBlock)
	if err != nil {
		return nil, err
	}
	bModN := new(big.Int).Mod(b, group.n)
	if bModN.Sign() == 0 {
		return nil, ErrInvalidB
	}
	u := computeU(c.bigA, b)
	if u.Sign() == 0 {
		return nil, ErrZeroU
	}
	x := computeX(salt, ch.Realm, ch.UserID, password)

	// S = (B − k·g^x)^(a + u·x) mod N, with the base reduced into [0, N).
	base := mulMod(group.k, c.eng.expG(x))
	base.Sub(bModN, base)
	if base.Sign() < 0 {
		base.Add(base, group.n)
	}
	e := new(big.Int).Mul(u, x)
	e.Add(e, c.a)
	s := c.eng.exp(base, e)

	key, err := deriveKey(u, s)
	if err != nil {
		return nil, err
	}
	ts := Timestamp(now)
	sig := sign(key, ch.Realm, ch.UserID, block, ts)
	return &Transcript{
		A: c.bigA, B: b, U: u, X: x, S: s, Key: key,
		Response: Response{
			SecretBlock: ch.SecretBlock,
			Signature:   base64.StdEncoding.EncodeToString(sig),
			Timestamp:   ts,
		},
	}, nil
}
