package srp

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
)

// nHex is the 3072-bit MODP prime of RFC 3526, group 15.
const nHex = "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74" +
	"020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437" +
	"4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed" +
	"ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05" +
	"98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb" +
	"9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b" +
	"e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718" +
	"3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33" +
	"a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7" +
	"abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864" +
	"d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2" +
	"08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff"

const (
	// ModulusBytes is the size of N in bytes.
	ModulusBytes = 384
	// ClientSecretBytes is the number of random bytes in the client's secret a.
	ClientSecretBytes = 128
	// ServerSecretBytes is the default number of random bytes in the server's secret b.
	ServerSecretBytes = 32
	// maxHexDigits bounds every hex integer we accept, so hostile input cannot make us
	// parse megabytes: a value mod N needs 768 digits; leading zeros get some slack.
	maxHexDigits = 2*ModulusBytes + 64
)

// params are the group constants, computed once and shared read-only.
type params struct {
	n, g, k *big.Int
	nMinus1 *big.Int
}

var group = newParams()

func newParams() *params {
	n, ok := new(big.Int).SetString(nHex, 16)
	if !ok {
		panic("srp: bad built-in modulus") // unreachable: constant input
	}
	g := big.NewInt(2)
	h := sha256.New()
	h.Write(Pad(n))
	h.Write(Pad(g))
	k := new(big.Int).SetBytes(h.Sum(nil))
	return &params{n: n, g: g, k: k, nMinus1: new(big.Int).Sub(n, big.NewInt(1))}
}

// N returns a copy of the group's modulus, the RFC 3526 3072-bit prime.
func N() *big.Int { return new(big.Int).Set(group.n) }

// G returns the group's generator, 2.
func G() *big.Int { return new(big.Int).Set(group.g) }

// K returns the SRP-6a multiplier k = H(PAD(N) ‖ PAD(g)).
func K() *big.Int { return new(big.Int).Set(group.k) }

// Pad returns the encoding the AWS clients hash integers in: the minimal big-endian
// bytes of x (x ≥ 0), with one 0x00 byte in front when the first byte's top bit is
// set, as Java's BigInteger.toByteArray does. Zero encodes as a single 0x00 byte.
func Pad(x *big.Int) []byte {
	return appendPad(nil, x)
}

// appendPad appends Pad(x) to dst.
func appendPad(dst []byte, x *big.Int) []byte {
	n := (x.BitLen() + 7) / 8
	if n == 0 {
		return append(dst, 0)
	}
	lead := 0
	if x.BitLen()%8 == 0 {
		lead = 1 // the top bit of the first byte is set
	}
	start := len(dst)
	dst = append(dst, make([]byte, lead+n)...)
	x.FillBytes(dst[start+lead:])
	return dst
}

// parseHex parses a non-negative hex integer the way the clients send them: any case,
// any length (odd lengths included), no sign, no prefix.
func parseHex(field, s string) (*big.Int, error) {
	if s == "" {
		return nil, &FormatError{Field: field, Reason: "empty"}
	}
	if len(s) > maxHexDigits {
		return nil, &FormatError{Field: field, Reason: "too long"}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return nil, &FormatError{Field: field, Reason: "not hexadecimal"}
		}
	}
	x, ok := new(big.Int).SetString(s, 16)
	if !ok {
		return nil, &FormatError{Field: field, Reason: "not hexadecimal"}
	}
	return x, nil
}

// hexString is the lowercase, unpadded hex the clients send (toString(16)).
func hexString(x *big.Int) string {
	if x.Sign() == 0 {
		return "0"
	}
	return x.Text(16)
}

// padHex is hex of Pad(x), the form Cognito sends SALT in.
func padHex(x *big.Int) string { return hex.EncodeToString(Pad(x)) }
