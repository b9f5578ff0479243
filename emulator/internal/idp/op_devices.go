package idp

import (
	"context"
	"errors"
	"sort"
	"strconv"

	"github.com/authbench/authbench/srp"
)

// The device APIs: ConfirmDevice, GetDevice, ListDevices, ForgetDevice,
// UpdateDeviceStatus and their Admin twins.

// deviceOperations are the device APIs.
func (s *Service) deviceOperations() map[string]Operation {
	return map[string]Operation{
		"ConfirmDevice":           op(s.ConfirmDevice),
		"GetDevice":               op(s.GetDevice),
		"ListDevices":             op(s.ListDevices),
		"ForgetDevice":            op(s.ForgetDevice),
		"UpdateDeviceStatus":      op(s.UpdateDeviceStatus),
		"AdminGetDevice":          op(s.AdminGetDevice),
		"AdminListDevices":        op(s.AdminListDevices),
		"AdminForgetDevice":       op(s.AdminForgetDevice),
		"AdminUpdateDeviceStatus": op(s.AdminUpdateDeviceStatus),
	}
}

// DeviceSecretVerifierConfigType is the device's SRP salt and verifier, base64.
//
// The API reference publishes no bound for PasswordVerifier and Salt; the emulator
// holds each to 2048 characters, well above a 3072-bit verifier in base64
// (UNCONFIRMED (U27)).
type DeviceSecretVerifierConfigType struct {
	PasswordVerifier *string `json:"PasswordVerifier,omitempty" validate:"len=:2048"`
	Salt             *string `json:"Salt,omitempty" validate:"len=:2048"`
}

// DeviceType is a device as the device APIs return it.
type DeviceType struct {
	DeviceAttributes            []AttributeType `json:"DeviceAttributes,omitempty"`
	DeviceCreateDate            *Epoch          `json:"DeviceCreateDate,omitempty"`
	DeviceKey                   *string         `json:"DeviceKey,omitempty"`
	DeviceLastAuthenticatedDate *Epoch          `json:"DeviceLastAuthenticatedDate,omitempty"`
	DeviceLastModifiedDate      *Epoch          `json:"DeviceLastModifiedDate,omitempty"`
}

// wire describes the device. The caller holds p.mu.
func (d *device) wire(p *Pool, u *User) DeviceType {
	status := "not_remembered"
	if d.Remembered {
		status = "remembered"
	}
	attrs := []AttributeType{{Name: ptr("device_status"), Value: ptr("valid")}}
	if d.Name != "" {
		attrs = append(attrs, AttributeType{Name: ptr("device_name"), Value: ptr(d.Name)})
	}
	owner := u.Username + "." + p.id
	if pre := deviceArnPrefix(p); pre != "" {
		attrs = append(attrs, AttributeType{Name: ptr("dev:device_arn"), Value: ptr(pre + "owner/" + owner + "/device/" + d.Key)})
	}
	attrs = append(attrs,
		AttributeType{Name: ptr("dev:device_owner"), Value: ptr(owner)},
		AttributeType{Name: ptr("dev:device_remembered_status"), Value: ptr(status)},
	)
	w := DeviceType{DeviceAttributes: attrs, DeviceKey: ptr(d.Key), DeviceCreateDate: epoch(d.Created), DeviceLastModifiedDate: epoch(d.Modified)}
	if !d.LastAuth.IsZero() {
		w.DeviceLastAuthenticatedDate = epoch(d.LastAuth)
	}
	return w
}

var deviceStatuses = []string{"remembered", "not_remembered"}

// ConfirmDeviceInput is the input of ConfirmDevice (API reference, ConfirmDevice:
// DeviceKey 1–55 of [\w-]+_[0-9a-f-]+, DeviceName 1–1024).
type ConfirmDeviceInput struct {
	AccessToken                string                          `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	DeviceKey                  string                          `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
	DeviceName                 string                          `json:"DeviceName" validate:"len=1:1024"`
	DeviceSecretVerifierConfig *DeviceSecretVerifierConfigType `json:"DeviceSecretVerifierConfig"`
}

// ConfirmDeviceOutput is the output of ConfirmDevice.
type ConfirmDeviceOutput struct {
	UserConfirmationNecessary bool `json:"UserConfirmationNecessary"`
}

// ConfirmDevice stores the SRP verifier of a device the sign-in named in
// NewDeviceMetadata. The device is remembered at once unless the pool remembers
// devices only on the user's prompt (UserConfirmationNecessary, then
// UpdateDeviceStatus).
func (s *Service) ConfirmDevice(ctx context.Context, in *ConfirmDeviceInput) (*ConfirmDeviceOutput, error) {
	var ver srp.Verifier
	hasVer := false
	if c := in.DeviceSecretVerifierConfig; c != nil && (deref(c.PasswordVerifier) != "" || deref(c.Salt) != "") {
		v, err := srp.ParseDeviceVerifier(deref(c.PasswordVerifier), deref(c.Salt))
		if err != nil {
			field := "DeviceSecretVerifierConfig"
			var fe *srp.FormatError
			if errors.As(err, &fe) {
				field += "." + fe.Field
			}
			return nil, errInvalidParameter("%s is not valid.", field)
		}
		ver, hasVer = v, true
	}
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.tracksDevices() {
		return nil, &Error{Type: TypeInvalidUserPoolConfig, Message: "Device tracking is not enabled for this user pool."}
	}
	d := u.Devices[in.DeviceKey]
	if d == nil {
		return nil, errResourceNotFound(msgDeviceMissing)
	}
	if d.Confirmed {
		return nil, &Error{Type: TypeDeviceKeyExists, Message: "Device key already exists."}
	}
	s.roomForDevice(u, d.Key)
	now := s.now()
	d.Confirmed, d.Name, d.Modified, d.LastAuth = true, in.DeviceName, now, now
	if hasVer {
		d.Salt, d.Verifier = ver.Salt, ver.V.Text(16)
	}
	onPrompt := p.cfg.DeviceConfiguration.DeviceOnlyRememberedOnUserPrompt
	d.Remembered = !onPrompt
	return &ConfirmDeviceOutput{UserConfirmationNecessary: onPrompt}, nil
}

// deviceOf finds a confirmed device of u. The caller holds p.mu.
func deviceOf(u *User, key string) (*device, *Error) {
	d := u.Devices[key]
	if d == nil || !d.Confirmed {
		return nil, errResourceNotFound(msgDeviceMissing)
	}
	return d, nil
}

// withDevice runs f on a confirmed device of the user, under p.mu.
func (s *Service) withDevice(p *Pool, u *User, key string, f func(d *device) *Error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	d, e := deviceOf(u, key)
	if e != nil {
		return e
	}
	if e := f(d); e != nil {
		return e
	}
	return nil
}

// GetDeviceInput is the input of GetDevice.
type GetDeviceInput struct {
	AccessToken string `json:"AccessToken" validate:"len=:16384,sensitive"`
	DeviceKey   string `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
}

// GetDeviceOutput is the output of GetDevice and AdminGetDevice.
type GetDeviceOutput struct {
	Device DeviceType `json:"Device"`
}

// GetDevice describes one of the signed-in user's devices.
func (s *Service) GetDevice(ctx context.Context, in *GetDeviceInput) (*GetDeviceOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	return s.getDevice(p, u, in.DeviceKey)
}

func (s *Service) getDevice(p *Pool, u *User, key string) (*GetDeviceOutput, error) {
	out := &GetDeviceOutput{}
	err := s.withDevice(p, u, key, func(d *device) *Error {
		out.Device = d.wire(p, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListDevicesInput is the input of ListDevices.
type ListDevicesInput struct {
	AccessToken     string  `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	Limit           *int32  `json:"Limit" validate:"range=0:60"`
	PaginationToken *string `json:"PaginationToken" validate:"len=1:131072,pattern=code"`
}

// ListDevicesOutput is the output of ListDevices and AdminListDevices.
type ListDevicesOutput struct {
	Devices         []DeviceType `json:"Devices"`
	PaginationToken *string      `json:"PaginationToken,omitempty"`
}

// ListDevices lists the signed-in user's devices, Limit (0–60, default 60) at a
// time, by device key.
func (s *Service) ListDevices(ctx context.Context, in *ListDevicesInput) (*ListDevicesOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	return s.listDevices(p, u, in.Limit, deref(in.PaginationToken))
}

func (s *Service) listDevices(p *Pool, u *User, limit *int32, token string) (*ListDevicesOutput, error) {
	n := int32(60)
	if limit != nil {
		if *limit < 0 || *limit > 60 {
			return nil, errValidation("limit", "Member must have value less than or equal to 60 and greater than or equal to 0", *limit)
		}
		if *limit > 0 {
			n = *limit
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	keys := make([]string, 0, len(u.Devices))
	for k, d := range u.Devices {
		if d.Confirmed {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	start := 0
	if token != "" {
		i, err := strconv.Atoi(token)
		if err != nil || i < 0 || i > len(keys) {
			return nil, errInvalidParameter("Invalid pagination token.")
		}
		start = i
	}
	end := min(start+int(n), len(keys))
	out := &ListDevicesOutput{Devices: []DeviceType{}}
	for _, k := range keys[start:end] {
		out.Devices = append(out.Devices, u.Devices[k].wire(p, u))
	}
	if end < len(keys) {
		out.PaginationToken = ptr(strconv.Itoa(end))
	}
	return out, nil
}

// ForgetDeviceInput is the input of ForgetDevice.
type ForgetDeviceInput struct {
	AccessToken string `json:"AccessToken" validate:"len=:16384,sensitive"`
	DeviceKey   string `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
}

// ForgetDeviceOutput is the output of ForgetDevice and AdminForgetDevice.
type ForgetDeviceOutput struct{}

// ForgetDevice forgets one of the signed-in user's devices: presenting it later gives
// "Device does not exist.".
func (s *Service) ForgetDevice(ctx context.Context, in *ForgetDeviceInput) (*ForgetDeviceOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	return s.forgetDevice(p, u, in.DeviceKey)
}

func (s *Service) forgetDevice(p *Pool, u *User, key string) (*ForgetDeviceOutput, error) {
	err := s.withDevice(p, u, key, func(d *device) *Error {
		delete(u.Devices, d.Key)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &ForgetDeviceOutput{}, nil
}

// UpdateDeviceStatusInput is the input of UpdateDeviceStatus.
type UpdateDeviceStatusInput struct {
	AccessToken            string `json:"AccessToken" validate:"required,len=1:16384,pattern=token,sensitive"`
	DeviceKey              string `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
	DeviceRememberedStatus string `json:"DeviceRememberedStatus" validate:"enum=deviceStatus"`
}

// UpdateDeviceStatusOutput is the output of UpdateDeviceStatus and
// AdminUpdateDeviceStatus.
type UpdateDeviceStatusOutput struct{}

// UpdateDeviceStatus marks one of the signed-in user's devices remembered or not.
func (s *Service) UpdateDeviceStatus(ctx context.Context, in *UpdateDeviceStatusInput) (*UpdateDeviceStatusOutput, error) {
	p, u, _, err := s.accessClaims(in.AccessToken)
	if err != nil {
		return nil, err
	}
	return s.updateDeviceStatus(p, u, in.DeviceKey, in.DeviceRememberedStatus)
}

func (s *Service) updateDeviceStatus(p *Pool, u *User, key, status string) (*UpdateDeviceStatusOutput, error) {
	err := s.withDevice(p, u, key, func(d *device) *Error {
		if status != "" {
			d.Remembered = status == "remembered"
		}
		d.Modified = s.now()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &UpdateDeviceStatusOutput{}, nil
}

// AdminGetDeviceInput is the input of AdminGetDevice.
type AdminGetDeviceInput struct {
	DeviceKey  string `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
}

// AdminGetDevice describes a user's device.
func (s *Service) AdminGetDevice(ctx context.Context, in *AdminGetDeviceInput) (*GetDeviceOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	return s.getDevice(p, u, in.DeviceKey)
}

// AdminListDevicesInput is the input of AdminListDevices.
type AdminListDevicesInput struct {
	UserPoolId      string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username        string  `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	Limit           *int32  `json:"Limit" validate:"range=0:60"`
	PaginationToken *string `json:"PaginationToken" validate:"len=1:131072,pattern=code"`
}

// AdminListDevices lists a user's devices.
func (s *Service) AdminListDevices(ctx context.Context, in *AdminListDevicesInput) (*ListDevicesOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	return s.listDevices(p, u, in.Limit, deref(in.PaginationToken))
}

// AdminForgetDeviceInput is the input of AdminForgetDevice.
type AdminForgetDeviceInput struct {
	DeviceKey  string `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
}

// AdminForgetDevice forgets a user's device.
func (s *Service) AdminForgetDevice(ctx context.Context, in *AdminForgetDeviceInput) (*ForgetDeviceOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	return s.forgetDevice(p, u, in.DeviceKey)
}

// AdminUpdateDeviceStatusInput is the input of AdminUpdateDeviceStatus.
type AdminUpdateDeviceStatusInput struct {
	DeviceKey              string `json:"DeviceKey" validate:"required,len=1:55,pattern=deviceKey"`
	UserPoolId             string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username               string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	DeviceRememberedStatus string `json:"DeviceRememberedStatus" validate:"enum=deviceStatus"`
}

// AdminUpdateDeviceStatus marks a user's device remembered or not.
func (s *Service) AdminUpdateDeviceStatus(ctx context.Context, in *AdminUpdateDeviceStatusInput) (*UpdateDeviceStatusOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	return s.updateDeviceStatus(p, u, in.DeviceKey, in.DeviceRememberedStatus)
}
