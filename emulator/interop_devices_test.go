package emulator_test

// Interop: remembered devices through amazon-cognito-identity-js
// (testdata/interop/devices.mjs), on a pool that requires SMS MFA when the emulator
// enforces MFA: the remembered device's SRP proof stands in for the code.

import (
	"context"
	"slices"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

// mfaAvailable reports whether the emulator implements MFA (GetUserPoolMfaConfig).
func (e *env) mfaAvailable(t *testing.T, poolID string) bool {
	t.Helper()
	_, err := e.IDP.GetUserPoolMfaConfig(context.Background(), &cip.GetUserPoolMfaConfigInput{UserPoolId: &poolID})
	if code, ok := emulatortest.ErrorCode(err); ok && code == "UnknownOperationException" {
		return false
	}
	if err != nil {
		t.Fatalf("GetUserPoolMfaConfig: %v", err)
	}
	return true
}

func TestInteropDevices(t *testing.T) {
	node := interopSetup(t)
	e := newEnv(t)
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
		in.DeviceConfiguration = &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: true}
		smsMFA(in, types.UserPoolMfaTypeOn)
	}})
	mfa := e.mfaAvailable(t, poolID)
	if !mfa {
		t.Log("this emulator build does not enforce MFA: the device sign-ins run without it")
	}
	first := []string{"InitiateAuth:USER_SRP_AUTH", "RespondToAuthChallenge:PASSWORD_VERIFIER"}
	if mfa {
		first = append(first, "mfaRequired", "RespondToAuthChallenge:SMS_MFA")
	}
	first = append(first, "ConfirmDevice", "onSuccess:userConfirmationNecessary", "UpdateDeviceStatus", "--")
	cat := func(parts ...[]string) []string { return slices.Concat(parts...) }

	runs := []interopRun{
		{
			scenario:    "remembered-device",
			wantSources: []string{"new device", "remembered device"},
			wantSteps: map[string][]string{"identity-js": cat(first, []string{
				"InitiateAuth:USER_SRP_AUTH", "RespondToAuthChallenge:PASSWORD_VERIFIER",
				"RespondToAuthChallenge:DEVICE_SRP_AUTH", "RespondToAuthChallenge:DEVICE_PASSWORD_VERIFIER", "onSuccess",
			})},
			after: func(t *testing.T, r *interopRun, _ *interopResult) {
				l, err := r.e.IDP.AdminListDevices(context.Background(), &cip.AdminListDevicesInput{UserPoolId: &r.poolID, Username: &r.username})
				if err != nil || len(l.Devices) != 1 || deviceAttrs(l.Devices[0])["dev:device_remembered_status"] != "remembered" || l.Devices[0].DeviceLastAuthenticatedDate == nil {
					t.Fatalf("AdminListDevices: %v %+v", err, l)
				}
			},
		},
		{
			scenario:    "stale-device",
			wantSources: []string{"new device", "after stale device"},
			wantSteps: map[string][]string{"identity-js": cat(first, []string{
				"InitiateAuth:USER_SRP_AUTH", "RespondToAuthChallenge:PASSWORD_VERIFIER", "RespondToAuthChallenge:PASSWORD_VERIFIER",
			}, map[bool][]string{true: {"mfaRequired", "RespondToAuthChallenge:SMS_MFA"}}[mfa], []string{
				"ConfirmDevice", "onSuccess:userConfirmationNecessary",
			})},
		},
	}
	for i := range runs {
		r := runs[i]
		r.e, r.poolID, r.clientID = e, poolID, clientID
		r.client, r.script = "identity-js", "devices.mjs"
		r.password = interopPassword
		r.username = "dev-" + r.scenario
		r.email = r.username + "@example.com"
		r.setup = func(t *testing.T, r *interopRun) {
			r.e.User(t, r.poolID, r.username, interopPassword, "email", r.email, "email_verified", "true", "phone_number", "+15555550123", "phone_number_verified", "true")
		}
		t.Run(r.scenario, func(t *testing.T) {
			t.Parallel()
			r.run(t, node)
		})
	}
}
