package idp

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/authbench/authbench/srp"
)

// Remembered devices in sign-in (spec §3.6): NewDeviceMetadata for a new device,
// DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER for a remembered one (which stands in
// for MFA). The device APIs are in op_devices.go, the device records in
// state_devices.go.

const (
	msgDeviceMissing = "Device does not exist."
	// maxPendingDevices bounds the devices a user has been offered but never
	// confirmed; the oldest is dropped beyond it, so sign-ins on a tracking pool by
	// clients that never call ConfirmDevice (a bench) keep memory bounded.
	maxPendingDevices = 16
)

// deviceChallenge is the state of a DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
// session.
type deviceChallenge struct {
	key, group string
	server     *srp.Server
	a          string
}

// deviceNext returns DEVICE_SRP_AUTH when the client presented a remembered device,
// or nil. A presented key that names no confirmed device of the user (forgotten on
// the server, or never confirmed) is ResourceNotFoundException "Device does not
// exist.", after which the clients drop the key and try again without it.
func (s *Service) deviceNext(ctx context.Context, r authRequest, u *User, pr progress) (*InitiateAuthOutput, error) {
	if pr.deviceKey == "" || pr.deviceProven {
		return nil, nil
	}
	p := r.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tracksDevices() {
		return nil, nil
	}
	d := u.Devices[pr.deviceKey]
	if d == nil || !d.Confirmed {
		return nil, errResourceNotFound(msgDeviceMissing)
	}
	if _, ok := d.verifier(); !ok || !d.Remembered {
		return nil, nil
	}
	ss := s.newSession(p, r.client, u, "DEVICE_SRP_AUTH")
	ss.setProgress(pr)
	ss.state = &deviceChallenge{key: d.Key, group: d.GroupKey}
	return &InitiateAuthOutput{
		ChallengeName:       "DEVICE_SRP_AUTH",
		ChallengeParameters: map[string]string{"USERNAME": u.Username, "DEVICE_KEY": d.Key},
		Session:             ptr(ss.id),
	}, nil
}

// isStaleDevice reports whether err is the error of a presented device that does not
// exist (the PASSWORD_VERIFIER answer may then be retried on the same session, as
// amazon-cognito-identity-js does after dropping its device key).
func isStaleDevice(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Type == TypeResourceNotFound && e.Message == msgDeviceMissing
}

// respondDevice answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
func (s *Service) respondDevice(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	if r.name == "DEVICE_SRP_AUTH" {
		return s.deviceSRPAuth(ctx, r)
	}
	return s.devicePasswordVerifier(ctx, r)
}

// takeDeviceSession takes the session of a device challenge and checks SECRET_HASH,
// USERNAME and DEVICE_KEY. A wrong SECRET_HASH leaves the session usable. On success
// p.mu is held; on failure it is not.
func (s *Service) takeDeviceSession(r challengeRequest, key string) (*session, *deviceChallenge, *device, error) {
	p := r.pool
	p.mu.Lock()
	ss, e := s.takeSession(p, r.client, r.session, r.name, r.admin)
	if e != nil {
		p.mu.Unlock()
		return nil, nil, nil, e
	}
	st, _ := ss.state.(*deviceChallenge)
	u := ss.user
	if st == nil || u == nil {
		p.mu.Unlock()
		return nil, nil, nil, errNotAuthorized(msgSessionInvalid)
	}
	name := r.responses["USERNAME"]
	if e := checkSecretHash(r.client, r.responses["SECRET_HASH"], name, u.Username, ss.typedName); e != nil {
		ss.used = false
		p.mu.Unlock()
		return nil, nil, nil, e
	}
	if !p.namesUser(name, u, ss.typedName) {
		p.mu.Unlock()
		return nil, nil, nil, errNotAuthorized(msgIncorrect)
	}
	d := u.Devices[key]
	if d == nil || !d.Confirmed {
		p.mu.Unlock()
		return nil, nil, nil, errResourceNotFound(msgDeviceMissing)
	}
	if key != st.key {
		p.mu.Unlock()
		return nil, nil, nil, errNotAuthorized(msgIncorrect)
	}
	return ss, st, d, nil
}

// deviceSRPAuth answers DEVICE_SRP_AUTH {USERNAME, DEVICE_KEY, SRP_A} with
// DEVICE_PASSWORD_VERIFIER: SRP_B for the device's verifier and its salt as hex.
func (s *Service) deviceSRPAuth(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	key, e := requireParam(r.responses, "DEVICE_KEY")
	if e != nil {
		return nil, e
	}
	a, e := requireParam(r.responses, "SRP_A")
	if e != nil {
		return nil, e
	}
	ss, st, d, err := s.takeDeviceSession(r, key)
	if err != nil {
		return nil, err
	}
	p := r.pool
	u, pr := ss.user, ss.pr
	ver, ok := d.verifier()
	group := d.GroupKey
	p.mu.Unlock()
	if !ok {
		return nil, errResourceNotFound(msgDeviceMissing)
	}
	server, serr := srp.NewServer(s.random(), ver)
	if serr != nil {
		return nil, &Error{Type: TypeInternalError, Message: "srp failure", Fault: true}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	next := s.newSession(p, r.client, u, "DEVICE_PASSWORD_VERIFIER")
	next.setProgress(pr)
	next.secretBlock = s.secretBlock(next.id)
	next.state = &deviceChallenge{key: st.key, group: group, server: server, a: a}
	return &RespondToAuthChallengeOutput{
		ChallengeName: "DEVICE_PASSWORD_VERIFIER",
		ChallengeParameters: map[string]string{
			"SRP_B":        server.SRPB(),
			"SALT":         ver.SaltHex(),
			"SECRET_BLOCK": next.secretBlock,
			"USERNAME":     u.Username,
			"DEVICE_KEY":   st.key,
		},
		Session: ptr(next.id),
	}, nil
}

// devicePasswordVerifier checks the device's SRP proof (realm = the device group
// key, user id = the device key) and continues the sign-in past MFA.
func (s *Service) devicePasswordVerifier(ctx context.Context, r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	var vals [4]string
	for i, n := range []string{"PASSWORD_CLAIM_SECRET_BLOCK", "PASSWORD_CLAIM_SIGNATURE", "TIMESTAMP", "DEVICE_KEY"} {
		v, e := requireParam(r.responses, n)
		if e != nil {
			return nil, e
		}
		vals[i] = v
	}
	block, sig, ts, key := vals[0], vals[1], vals[2], vals[3]
	ss, st, _, err := s.takeDeviceSession(r, key)
	if err != nil {
		return nil, err
	}
	p := r.pool
	u, pr, wantBlock := ss.user, ss.pr, ss.secretBlock
	p.mu.Unlock()
	if st.server == nil || block != wantBlock {
		return nil, errNotAuthorized(msgIncorrect)
	}
	t, terr := srp.ParseTimestamp(ts)
	if terr != nil {
		return nil, errInvalidParameter("TIMESTAMP format is not valid.")
	}
	if d := s.now().Sub(t); d > s.opts.SRPSkew || d < -s.opts.SRPSkew {
		return nil, errNotAuthorized(msgIncorrect)
	}
	verr := st.server.Verify(srp.Proof{Realm: st.group, UserID: st.key, A: st.a, SecretBlock: block, Timestamp: ts, Signature: sig})
	var fe *srp.FormatError
	if errors.As(verr, &fe) && fe.Field != "SRP_A" {
		return nil, errInvalidParameter("%s is not valid.", fe.Field)
	}
	if verr != nil {
		return nil, errNotAuthorized(msgIncorrect)
	}
	p.mu.Lock()
	if d := u.Devices[st.key]; d != nil {
		d.LastAuth = s.now()
	}
	p.mu.Unlock()
	pr.deviceKey, pr.deviceProven = st.key, true
	out, perr := s.proceed(ctx, r.authRequest(ss), u, pr, stageMFA)
	if perr != nil {
		return nil, perr
	}
	return fromInitiate(out), nil
}

// newDeviceMetadata returns the metadata of a new device to confirm, when the pool
// tracks devices and the sign-in presented no known device, and records the device
// as pending.
func (s *Service) newDeviceMetadata(r authRequest, u *User, pr progress) *NewDeviceMetadataType {
	p := r.pool
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tracksDevices() {
		return nil
	}
	now := s.now()
	if d := u.Devices[pr.deviceKey]; pr.deviceKey != "" && d != nil && d.Confirmed {
		d.LastAuth = now
		return nil
	}
	if u.Devices == nil {
		u.Devices = map[string]*device{}
	}
	s.dropOldPending(u)
	d := &device{Key: s.opts.Region + "_" + s.newUUID(), GroupKey: deviceGroupKey(p, u), Created: now, Modified: now}
	u.Devices[d.Key] = d
	return &NewDeviceMetadataType{DeviceKey: ptr(d.Key), DeviceGroupKey: ptr(d.GroupKey)}
}

// dropOldPending makes room for one more pending device. The caller holds p.mu.
func (s *Service) dropOldPending(u *User) {
	var pending []*device
	for _, d := range u.Devices {
		if !d.Confirmed {
			pending = append(pending, d)
		}
	}
	if len(pending) < maxPendingDevices {
		return
	}
	sort.Slice(pending, func(i, j int) bool { return pending[i].Created.Before(pending[j].Created) })
	for _, d := range pending[:len(pending)-maxPendingDevices+1] {
		delete(u.Devices, d.Key)
	}
}

// deviceArnOwner returns the account part of the pool's ARN
// ("arn:aws:cognito-idp:<region>:<account>:"), for device ARNs.
func deviceArnPrefix(p *Pool) string {
	arn := deref(p.cfg.Arn)
	if i := strings.Index(arn, "userpool/"); i > 0 {
		return arn[:i]
	}
	return ""
}
