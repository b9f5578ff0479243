package idp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"math/big"
	"sort"
	"time"

	"github.com/authbench/authbench/srp"
)

// Device records: a user's devices as stored (pending until ConfirmDevice), their
// SRP verifiers and device groups. Sign-in with a device is in signin_device.go, the
// device APIs in op_devices.go.

// device is a device a user signed in from. A device is pending from the
// NewDeviceMetadata that named it until ConfirmDevice stores its verifier.
type device struct {
	Key        string    `json:"key"`
	GroupKey   string    `json:"groupKey"`
	Name       string    `json:"name,omitempty"`
	Confirmed  bool      `json:"confirmed"`
	Remembered bool      `json:"remembered"`
	Salt       []byte    `json:"salt,omitempty"`
	Verifier   string    `json:"verifier,omitempty"` // hex of v
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
	LastAuth   time.Time `json:"lastAuthenticated,omitzero"`
}

// verifier returns the device's SRP verifier, ok false when it has none.
func (d *device) verifier() (srp.Verifier, bool) {
	if d.Verifier == "" {
		return srp.Verifier{}, false
	}
	v, ok := new(big.Int).SetString(d.Verifier, 16)
	if !ok {
		return srp.Verifier{}, false
	}
	return srp.Verifier{Salt: d.Salt, V: v}, true
}

func marshalDevices(d map[string]*device) []byte {
	if len(d) == 0 {
		return nil
	}
	list := make([]*device, 0, len(d))
	for _, dv := range d {
		list = append(list, dv)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Key < list[j].Key })
	b, err := json.Marshal(list)
	if err != nil {
		return nil
	}
	return b
}

func unmarshalDevices(b []byte) (map[string]*device, error) {
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	var list []*device
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	m := make(map[string]*device, len(list))
	for _, d := range list {
		if d == nil || d.Key == "" {
			return nil, errors.New("device without a key")
		}
		m[d.Key] = d
	}
	return m, nil
}

// tracksDevices reports whether the pool remembers devices. The caller holds p.mu.
func (p *Pool) tracksDevices() bool { return p.cfg.DeviceConfiguration != nil }

// deviceGroupKey is the user's device group (one per user, stable): "-" and nine
// characters derived from the pool's secret and the user's sub. (The format real
// Cognito uses is UNCONFIRMED (U5).)
func deviceGroupKey(p *Pool, u *User) string {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("device-group\x00" + u.Sub))
	sum := m.Sum(nil)
	out := make([]byte, 9)
	for i := range out {
		out[i] = alnum[int(sum[i])%len(alnum)]
	}
	return "-" + string(out)
}
