package idp

// Remembered devices in sign-in: DEVICE_SRP_AUTH for a presented device, and
// NewDeviceMetadata for a new one.

// deviceNext returns DEVICE_SRP_AUTH when the client presented a remembered device, or
// nil.
func (s *Service) deviceNext(r authRequest, u *User, pr progress) (*InitiateAuthOutput, error) {
	return nil, nil
}

// respondDevice answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER.
func (s *Service) respondDevice(r challengeRequest) (*RespondToAuthChallengeOutput, error) {
	return nil, errInvalidParameter("%s is not supported by this emulator yet.", r.name)
}

// newDeviceMetadata returns the metadata of a new device to confirm, when the pool
// tracks devices and the sign-in presented none.
func (s *Service) newDeviceMetadata(r authRequest, u *User, pr progress) *NewDeviceMetadataType {
	return nil
}

// device is a device a user signed in from.
type device struct{}

func marshalDevices(d map[string]*device) []byte { return nil }

func unmarshalDevices(b []byte) (map[string]*device, error) { return nil, nil }

// deviceOperations are the device APIs: ConfirmDevice, GetDevice, ListDevices,
// ForgetDevice, UpdateDeviceStatus and their Admin twins.
func (s *Service) deviceOperations() map[string]Operation { return nil }
