package idp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"

	"github.com/authbench/authbench/srp"
)

// USER_SRP_AUTH: the PASSWORD_VERIFIER challenge (salt, SRP_B, secret block), the
// simulated challenge of an unknown user under PreventUserExistenceErrors, and the
// answer's proof check, after which the pipeline runs.

// startSRP answers USER_SRP_AUTH with a PASSWORD_VERIFIER challenge.
func (s *Service) startSRP(r authRequest) (*InitiateAuthOutput, error) {
	n, e := s.firstFactorUser(r, "SRP_A")
	if e != nil {
		return nil, e
	}
	p, u, name, a, ver := r.pool, n.user, n.typed, r.params["SRP_A"], n.cred.verifier
	if u == nil {
		if !r.client.preventUserExistenceErrors() {
			return nil, errUserNotFound()
		}
		return s.fakeSRP(r, name, a)
	}
	p.mu.Lock()
	if !u.Enabled {
		p.mu.Unlock()
		return nil, errNotAuthorized(msgDisabled)
	}
	if u.Status == StatusResetRequired {
		// Refused at InitiateAuth, as USER_PASSWORD_AUTH is: the client shows the
		// reset-password step without proving a password first (issue #11; spec §1.2
		// RESET_PASSWORD from PasswordResetRequiredException).
		p.mu.Unlock()
		return nil, &Error{Type: TypePasswordResetRequired, Message: msgResetRequired}
	}
	p.mu.Unlock()
	if ver.V == nil {
		// No password to prove: a challenge that can only fail (the state error is
		// returned once the proof arrives).
		ver = s.fakeVerifier(p, name)
	}
	server, err := srp.NewServer(s.random(), ver)
	if err != nil {
		return nil, &Error{Type: TypeInternalError, Message: "srp failure", Fault: true}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := s.newSession(p, r.client, u, "PASSWORD_VERIFIER")
	ss.admin, ss.flow, ss.typedName = r.admin, r.flow, name
	ss.pr.deviceKey, ss.pr.meta = r.deviceKey, r.meta // a DEVICE_KEY given here (Flutter) counts too
	ss.srp, ss.srpA = server, packSRPA(a)
	ss.secretBlock = s.secretBlock(ss.id)
	return &InitiateAuthOutput{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT":            ver.SaltHex(),
			"SECRET_BLOCK":    ss.secretBlock,
			"SRP_B":           server.SRPB(),
			"USERNAME":        u.Username,
			"USER_ID_FOR_SRP": u.Username,
		},
		Session: ptr(ss.id),
	}, nil
}

// srpA is the SRP_A of a PASSWORD_VERIFIER session, kept until the proof arrives: as
// a number in fixed-size bytes when it is hex of at most the modulus' size (which the
// request's validation guarantees), else as sent, to be refused at the proof as
// before. Hex text would cost twice the bytes, a math/big value more.
type srpA struct {
	n      [srp.ModulusBytes]byte
	packed bool   // n holds SRP_A
	text   string // SRP_A as sent, when it is not such hex
}

// packSRPA keeps a (hex) as an srpA.
func packSRPA(a string) srpA {
	var p srpA
	x, ok := new(big.Int).SetString(a, 16)
	if !ok || x.Sign() < 0 || len(a) > 2*srp.ModulusBytes || strings.HasPrefix(a, "+") {
		p.text = a
		return p
	}
	x.FillBytes(p.n[:])
	p.packed = true
	return p
}

// hex returns SRP_A as hex the proof check reads (leading zeros are harmless: the
// same number).
func (a *srpA) hex() string {
	if !a.packed {
		return a.text
	}
	return hex.EncodeToString(a.n[:])
}

// secretBlock makes the SECRET_BLOCK of a session: the session's random bytes followed
// by more random bytes, so the block alone identifies its session.
func (s *Service) secretBlock(sessionID string) string {
	raw, _ := base64.RawURLEncoding.DecodeString(sessionID)
	return base64.StdEncoding.EncodeToString(append(raw, s.randBytes(32)...))
}

// fakeVerifier derives a stable salt and a verifier nobody knows the password of, for
// a name (spec §5.3: the same name always gets the same salt).
func (s *Service) fakeVerifier(p *Pool, name string) srp.Verifier {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("salt\x00" + p.norm(name)))
	salt := m.Sum(nil)[:srp.SaltBytes]
	m.Reset()
	m.Write([]byte("password\x00" + p.norm(name)))
	return srp.MakeVerifier(salt, p.realm, name, hex.EncodeToString(m.Sum(nil)))
}

// fakeUserID is the stable UUID-shaped USER_ID_FOR_SRP of an unknown name.
func fakeUserID(p *Pool, name string) string {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("id\x00" + p.norm(name)))
	b := m.Sum(nil)[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// fakeSRP is the simulated PASSWORD_VERIFIER challenge for an unknown user when
// PreventUserExistenceErrors is ENABLED: a deterministic salt and user id, a real
// SRP_B, and a proof step that always fails with NotAuthorizedException.
func (s *Service) fakeSRP(r authRequest, name, a string) (*InitiateAuthOutput, error) {
	p := r.pool
	ver := s.fakeVerifier(p, name)
	server, err := srp.NewServer(s.random(), ver)
	if err != nil {
		return nil, &Error{Type: TypeInternalError, Message: "srp failure", Fault: true}
	}
	id := fakeUserID(p, name)
	p.mu.Lock()
	defer p.mu.Unlock()
	ss := s.newSession(p, r.client, nil, "PASSWORD_VERIFIER")
	ss.admin, ss.flow, ss.typedName, ss.username = r.admin, r.flow, name, id
	ss.srp, ss.srpA = server, packSRPA(a)
	ss.secretBlock = s.secretBlock(ss.id)
	return &InitiateAuthOutput{
		ChallengeName: "PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SALT":            ver.SaltHex(),
			"SECRET_BLOCK":    ss.secretBlock,
			"SRP_B":           server.SRPB(),
			"USERNAME":        id,
			"USER_ID_FOR_SRP": id,
		},
		Session: ptr(ss.id),
	}, nil
}

// passwordVerifier checks the SRP proof of a PASSWORD_VERIFIER answer: the session
// (from Session, or from the secret block when a client sends none), the USERNAME,
// the timestamp's skew, A ≢ 0 and the signature.
func (s *Service) passwordVerifier(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	block, e := requireParam(r.responses, "PASSWORD_CLAIM_SECRET_BLOCK")
	if e != nil {
		return nil, e
	}
	sig, e := requireParam(r.responses, "PASSWORD_CLAIM_SIGNATURE")
	if e != nil {
		return nil, e
	}
	ts, e := requireParam(r.responses, "TIMESTAMP")
	if e != nil {
		return nil, e
	}
	sid := r.session
	if sid == "" {
		sid = sessionFromSecretBlock(block)
	}
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, sid, "PASSWORD_VERIFIER", r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, e
	}
	u, username := ss.user, ss.username
	p.mu.Unlock()
	name := r.responses["USERNAME"]
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], name, username, ss.typedName); e != nil {
		return nil, e
	}
	if name != username && name != ss.typedName {
		return nil, errNotAuthorized(msgIncorrect)
	}
	if block != ss.secretBlock {
		return nil, errNotAuthorized(msgIncorrect)
	}
	t, err := srp.ParseTimestamp(ts)
	if err != nil {
		return nil, errInvalidParameter("TIMESTAMP format is not valid.")
	}
	if d := s.now().Sub(t); d > s.opts.SRPSkew || d < -s.opts.SRPSkew {
		return nil, errNotAuthorized(msgIncorrect)
	}
	verr := ss.srp.Verify(srp.Proof{Realm: p.realm, UserID: username, A: ss.srpA.hex(), SecretBlock: block, Timestamp: ts, Signature: sig})
	if errors.Is(verr, srp.ErrInvalidA) {
		return nil, errNotAuthorized(msgIncorrect)
	}
	var fe *srp.FormatError
	if errors.As(verr, &fe) {
		if fe.Field == "SRP_A" {
			return nil, errNotAuthorized(msgIncorrect)
		}
		return nil, errInvalidParameter("%s is not valid.", strings.ReplaceAll(fe.Field, "PASSWORD_CLAIM_", "PASSWORD_CLAIM_"))
	}
	if u == nil {
		return nil, errNotAuthorized(msgIncorrect) // the simulated challenge of an unknown user
	}
	ar := authRequest{flow: ss.flow, admin: ss.admin, pool: p, client: r.client, deviceKey: ss.pr.deviceKey, meta: ss.pr.meta}
	if k := r.responses["DEVICE_KEY"]; k != "" {
		ar.deviceKey = k // JS presents the device here rather than in InitiateAuth
	}
	out, err := s.afterFirstFactor(ctx, ar, u, ss.typedName, verr == nil)
	if err != nil {
		if isStaleDevice(err) {
			// identity-js drops the device and answers again on the same session.
			p.mu.Lock()
			ss.used = false
			p.mu.Unlock()
		}
		return nil, err
	}
	return fromInitiate(out), nil
}
