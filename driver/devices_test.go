package driver_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/srp"
)

var pvParams = map[string]string{"SALT": "0102", "SRP_B": "05", "SECRET_BLOCK": "AAAA", "USER_ID_FOR_SRP": "u", "USERNAME": "u"}

// TestDeviceLifecycle: a sign-in that returns NewDeviceMetadata confirms the device with
// a verifier the pool can check; the next sign-in answers DEVICE_SRP_AUTH and
// DEVICE_PASSWORD_VERIFIER by itself (they never surface as steps), with DEVICE_KEY
// where each dialect puts it.
func TestDeviceLifecycle(t *testing.T) {
	for _, d := range dialects {
		t.Run(dname(d), func(t *testing.T) {
			store := driver.NewMemoryDevices()
			f := &fake{}
			var verifier srp.Verifier
			f.confirm = func(in *cip.ConfirmDeviceInput) (*cip.ConfirmDeviceOutput, error) {
				v, err := srp.ParseDeviceVerifier(aws.ToString(in.DeviceSecretVerifierConfig.PasswordVerifier), aws.ToString(in.DeviceSecretVerifierConfig.Salt))
				if err != nil || aws.ToString(in.DeviceKey) != "us-east-1_dev" || aws.ToString(in.AccessToken) != "access" {
					t.Fatalf("ConfirmDevice %+v: %v", in, err)
				}
				if (in.DeviceName != nil) != (d == driver.JS) {
					t.Errorf("DeviceName %v", in.DeviceName)
				}
				verifier = v
				return &cip.ConfirmDeviceOutput{UserConfirmationNecessary: false}, nil
			}
			f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				return challenge("PASSWORD_VERIFIER", pvParams, "S1"), nil
			}
			f.respond = func(*cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
				r := rdone()
				r.AuthenticationResult.NewDeviceMetadata = &types.NewDeviceMetadataType{DeviceKey: aws.String("us-east-1_dev"), DeviceGroupKey: aws.String("-grp")}
				return r, nil
			}
			cfg := func(c *driver.Config) { c.Devices, c.DeviceName = store, "laptop" }
			a := newDriver(t, f, d, cfg)
			if res, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{}); err != nil || !res.IsSignedIn {
				t.Fatalf("%v %+v", err, res)
			}
			dev, ok := store.Get(testPool, "u")
			if !ok || dev.Key != "us-east-1_dev" || dev.GroupKey != "-grp" || dev.Password == "" {
				t.Fatalf("device not remembered: %+v", dev)
			}

			// The next sign-in, on a new Auth sharing the device store.
			f2 := &srpFake{}
			f2.initiate = func(in *cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
				// Flutter sends DEVICE_KEY in InitiateAuth; JS does not for SRP.
				if (in.AuthParameters["DEVICE_KEY"] == dev.Key) != (d == driver.Flutter) {
					t.Errorf("InitiateAuth DEVICE_KEY %q", in.AuthParameters["DEVICE_KEY"])
				}
				return challenge("PASSWORD_VERIFIER", pvParams, "S1"), nil
			}
			var server *srp.Server
			f2.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
				cr := in.ChallengeResponses
				switch in.ChallengeName {
				case "PASSWORD_VERIFIER":
					if cr["DEVICE_KEY"] != dev.Key {
						t.Errorf("PASSWORD_VERIFIER without DEVICE_KEY: %v", cr)
					}
					return rchallenge("DEVICE_SRP_AUTH", map[string]string{"USERNAME": "u"}, "S2"), nil
				case "DEVICE_SRP_AUTH":
					if cr["DEVICE_KEY"] != dev.Key || cr["SRP_A"] == "" {
						t.Fatalf("DEVICE_SRP_AUTH %v", cr)
					}
					var err error
					if server, err = srp.NewServer(strings.NewReader(strings.Repeat("b", 32)), verifier); err != nil {
						t.Fatal(err)
					}
					f2.srpA = cr["SRP_A"]
					return rchallenge("DEVICE_PASSWORD_VERIFIER", map[string]string{"SRP_B": server.SRPB(), "SALT": verifier.SaltHex(), "SECRET_BLOCK": "ZGV2", "USERNAME": "u", "DEVICE_KEY": dev.Key}, "S3"), nil
				case "DEVICE_PASSWORD_VERIFIER":
					err := server.Verify(srp.Proof{Realm: "-grp", UserID: dev.Key, A: f2.srpA, SecretBlock: cr["PASSWORD_CLAIM_SECRET_BLOCK"], Timestamp: cr["TIMESTAMP"], Signature: cr["PASSWORD_CLAIM_SIGNATURE"]})
					if err != nil {
						t.Fatalf("device proof does not verify: %v", err)
					}
					return rdone(), nil
				}
				t.Fatalf("unexpected %s", in.ChallengeName)
				return nil, nil
			}
			b := newDriver(t, &f2.fake, d, cfg)
			res, err := b.SignIn(context.Background(), "u", "pw", driver.SignInOptions{})
			if err != nil || !res.IsSignedIn {
				t.Fatalf("remembered-device sign-in: %v %+v", err, res)
			}
			if got := strings.Join(f2.ops(), ","); got != "InitiateAuth,RespondToAuthChallenge,RespondToAuthChallenge,RespondToAuthChallenge" {
				t.Errorf("calls %s", got)
			}
		})
	}
}

// TestStaleDevice: a device forgotten on the server ("Device does not exist.") is
// dropped and the sign-in starts again without it.
func TestStaleDevice(t *testing.T) {
	store := driver.NewMemoryDevices()
	store.Put(testPool, "u", driver.Device{Key: "gone", GroupKey: "g", Password: "p"})
	f := &fake{}
	f.initiate = func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error) {
		return challenge("PASSWORD_VERIFIER", pvParams, "S1"), nil
	}
	f.respond = func(in *cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error) {
		if in.ChallengeResponses["DEVICE_KEY"] == "gone" {
			return nil, apiErr("ResourceNotFoundException", "Device does not exist.")
		}
		return rdone(), nil
	}
	a := newDriver(t, f, driver.JS, func(c *driver.Config) { c.Devices = store })
	res, err := a.SignIn(context.Background(), "u", "pw", driver.SignInOptions{})
	if err != nil || !res.IsSignedIn {
		t.Fatalf("%v %+v", err, res)
	}
	if _, ok := store.Get(testPool, "u"); ok {
		t.Error("stale device kept")
	}
	if got := strings.Join(f.ops(), ","); got != "InitiateAuth,RespondToAuthChallenge,InitiateAuth,RespondToAuthChallenge" {
		t.Errorf("calls %s", got)
	}
}

// srpFake is a fake that remembers an SRP_A between calls.
type srpFake struct {
	fake
	srpA string
}
