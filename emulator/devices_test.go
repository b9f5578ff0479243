package emulator_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/srp"
)

// recorder is the driver's Cognito client with a log of what the sign-ins did: the
// challenges the pool answered, ConfirmDevice calls and their answers.
type recorder struct {
	driver.IdentityProvider
	mu         sync.Mutex
	challenges []string
	confirms   []bool // UserConfirmationNecessary of each ConfirmDevice
	newDevices int    // NewDeviceMetadata seen
}

func (r *recorder) note(name types.ChallengeNameType, res *types.AuthenticationResultType) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name != "" {
		r.challenges = append(r.challenges, string(name))
	}
	if res != nil && res.NewDeviceMetadata != nil {
		r.newDevices++
	}
}

func (r *recorder) InitiateAuth(ctx context.Context, in *cip.InitiateAuthInput, o ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	out, err := r.IdentityProvider.InitiateAuth(ctx, in, o...)
	if err == nil {
		r.note(out.ChallengeName, out.AuthenticationResult)
	}
	return out, err
}

func (r *recorder) RespondToAuthChallenge(ctx context.Context, in *cip.RespondToAuthChallengeInput, o ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	out, err := r.IdentityProvider.RespondToAuthChallenge(ctx, in, o...)
	if err == nil {
		r.note(out.ChallengeName, out.AuthenticationResult)
	}
	return out, err
}

func (r *recorder) ConfirmDevice(ctx context.Context, in *cip.ConfirmDeviceInput, o ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error) {
	out, err := r.IdentityProvider.ConfirmDevice(ctx, in, o...)
	if err == nil {
		r.mu.Lock()
		r.confirms = append(r.confirms, out.UserConfirmationNecessary)
		r.mu.Unlock()
	}
	return out, err
}

// take returns what was recorded since the last call and resets it.
func (r *recorder) take() (challenges []string, confirms []bool, newDevices int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	challenges, confirms, newDevices = r.challenges, r.confirms, r.newDevices
	r.challenges, r.confirms, r.newDevices = nil, nil, 0
	return
}

// devicePool creates a pool that tracks devices (onPrompt: only when the user says
// so) and a client, with a secret if asked.
func (e *env) devicePool(t *testing.T, onPrompt, secret bool) (poolID, clientID, clientSecret string) {
	t.Helper()
	return e.Pool(t, emulatortest.PoolSpec{
		Create: func(in *cip.CreateUserPoolInput) {
			in.DeviceConfiguration = &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: onPrompt}
		},
		Client: func(in *cip.CreateUserPoolClientInput) { in.GenerateSecret = secret },
	})
}

// deviceDriver returns a driver client of the pool with a recorder and its own
// device store.
func (e *env) deviceDriver(t *testing.T, poolID, clientID, secret string, dialect driver.Dialect) (*driver.Client, *recorder, *driver.MemoryDevices) {
	t.Helper()
	rec := &recorder{IdentityProvider: driver.NewSDKClient(poolID, driver.Endpoint{URL: e.Srv.Endpoint(), Retries: 1})}
	devs := driver.NewMemoryDevices()
	c, err := driver.New(rec, driver.Config{PoolID: poolID, ClientID: clientID, ClientSecret: secret, Dialect: dialect, Devices: devs, DeviceName: "test-device", Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	return c, rec, devs
}

func signInDone(t *testing.T, c *driver.Client, user, pw string, flow driver.AuthFlow) *driver.Auth {
	t.Helper()
	a := c.NewAuth()
	res, err := a.SignIn(context.Background(), user, pw, driver.SignInOptions{Flow: flow})
	if err != nil {
		t.Fatalf("sign-in of %s: %v", user, err)
	}
	if !res.IsSignedIn || res.NextStep.SignInStep != driver.Done {
		t.Fatalf("sign-in of %s: %+v", user, res)
	}
	return a
}

func deviceAttrs(d types.DeviceType) map[string]string {
	m := map[string]string{}
	for _, a := range d.DeviceAttributes {
		m[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	return m
}

// TestRememberedDevice signs in twice with the driver on a pool that remembers every
// device: the first sign-in gets NewDeviceMetadata and confirms the device, the
// second proves the device with DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER.
func TestRememberedDevice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		dialect driver.Dialect
		secret  bool
		flow    driver.AuthFlow
	}{
		{"flutter-srp", driver.Flutter, false, driver.UserSRPAuth},
		{"flutter-srp-secret", driver.Flutter, true, driver.UserSRPAuth},
		{"js-srp", driver.JS, false, driver.UserSRPAuth},
		{"js-password", driver.JS, false, driver.UserPasswordAuth},
		{"flutter-password-secret", driver.Flutter, true, driver.UserPasswordAuth},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			poolID, clientID, secret := e.devicePool(t, false, tc.secret)
			e.User(t, poolID, "dee", "Passw0rd!")
			c, rec, devs := e.deviceDriver(t, poolID, clientID, secret, tc.dialect)

			a := signInDone(t, c, "dee", "Passw0rd!", tc.flow)
			ch, confirms, nd := rec.take()
			if nd != 1 || !slices.Equal(confirms, []bool{false}) || slices.Contains(ch, "DEVICE_SRP_AUTH") {
				t.Fatalf("first sign-in: challenges %v, confirms %v, new devices %d", ch, confirms, nd)
			}
			d, ok := devs.Get(poolID, "dee")
			if !ok || d.Key == "" || d.GroupKey == "" {
				t.Fatalf("no device remembered: %+v", d)
			}
			list, err := e.IDP.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: aws.String(a.Tokens().AccessToken)})
			if err != nil || len(list.Devices) != 1 || aws.ToString(list.Devices[0].DeviceKey) != d.Key {
				t.Fatalf("ListDevices: %v %+v", err, list)
			}
			attrs := deviceAttrs(list.Devices[0])
			if attrs["dev:device_remembered_status"] != "remembered" || attrs["device_status"] != "valid" {
				t.Fatalf("device attributes %v", attrs)
			}
			if wantName := map[driver.Dialect]string{driver.JS: "test-device"}[tc.dialect]; attrs["device_name"] != wantName {
				t.Fatalf("device_name %q, want %q", attrs["device_name"], wantName)
			}

			signInDone(t, c, "dee", "Passw0rd!", tc.flow)
			ch, confirms, nd = rec.take()
			want := []string{"DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"}
			if tc.flow == driver.UserSRPAuth {
				want = append([]string{"PASSWORD_VERIFIER"}, want...)
			}
			if !slices.Equal(ch, want) || len(confirms) != 0 || nd != 0 {
				t.Fatalf("second sign-in: challenges %v (want %v), confirms %v, new devices %d", ch, want, confirms, nd)
			}
			g, err := e.IDP.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &poolID, Username: aws.String("dee"), DeviceKey: &d.Key})
			if err != nil || g.Device.DeviceLastAuthenticatedDate == nil {
				t.Fatalf("AdminGetDevice: %v %+v", err, g)
			}
		})
	}
}

// TestDeviceOnUserPrompt: a pool that remembers devices only when asked confirms the
// device as not remembered (UserConfirmationNecessary); it then neither challenges the
// device nor offers a new one, until UpdateDeviceStatus remembers it.
func TestDeviceOnUserPrompt(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.devicePool(t, true, false)
	e.User(t, poolID, "opt", "Passw0rd!")
	c, rec, devs := e.deviceDriver(t, poolID, clientID, "", driver.Flutter)

	a := signInDone(t, c, "opt", "Passw0rd!", driver.UserSRPAuth)
	if _, confirms, nd := rec.take(); nd != 1 || !slices.Equal(confirms, []bool{true}) {
		t.Fatalf("first sign-in: confirms %v, new devices %d", confirms, nd)
	}
	d, _ := devs.Get(poolID, "opt")
	g, err := e.IDP.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: aws.String(a.Tokens().AccessToken), DeviceKey: &d.Key})
	if err != nil || deviceAttrs(*g.Device)["dev:device_remembered_status"] != "not_remembered" {
		t.Fatalf("GetDevice: %v %+v", err, g)
	}

	a = signInDone(t, c, "opt", "Passw0rd!", driver.UserSRPAuth)
	if ch, confirms, nd := rec.take(); !slices.Equal(ch, []string{"PASSWORD_VERIFIER"}) || len(confirms) != 0 || nd != 0 {
		t.Fatalf("not remembered: challenges %v, confirms %v, new devices %d", ch, confirms, nd)
	}
	if err := a.RememberDevice(ctx); err != nil {
		t.Fatal(err)
	}
	signInDone(t, c, "opt", "Passw0rd!", driver.UserSRPAuth)
	if ch, _, _ := rec.take(); !slices.Equal(ch, []string{"PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"}) {
		t.Fatalf("remembered: challenges %v", ch)
	}
	// Not remembered again: back to the password alone.
	if _, err := e.IDP.AdminUpdateDeviceStatus(ctx, &cip.AdminUpdateDeviceStatusInput{UserPoolId: &poolID, Username: aws.String("opt"), DeviceKey: &d.Key, DeviceRememberedStatus: types.DeviceRememberedStatusTypeNotRemembered}); err != nil {
		t.Fatal(err)
	}
	signInDone(t, c, "opt", "Passw0rd!", driver.UserSRPAuth)
	if ch, _, nd := rec.take(); !slices.Equal(ch, []string{"PASSWORD_VERIFIER"}) || nd != 0 {
		t.Fatalf("not remembered again: challenges %v, new devices %d", ch, nd)
	}
}

// rememberedDevice signs user in once through the driver and returns the device it
// remembered (with its password) and the tokens.
func (e *env) rememberedDevice(t *testing.T, poolID, clientID, secret, user, pw string) (driver.Device, *driver.Tokens) {
	t.Helper()
	c, _, devs := e.deviceDriver(t, poolID, clientID, secret, driver.Flutter)
	a := signInDone(t, c, user, pw, driver.UserSRPAuth)
	d, ok := devs.Get(poolID, user)
	if !ok {
		t.Fatal("no device remembered")
	}
	return d, a.Tokens()
}

// TestForgottenDevice: a device forgotten on the server gives "Device does not
// exist." where it is presented, and the clients' retries work: InitiateAuth again
// without it, or (identity-js) the PASSWORD_VERIFIER answer again on the same session.
func TestForgottenDevice(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.devicePool(t, false, false)
	e.User(t, poolID, "fay", "Passw0rd!")
	d, tok := e.rememberedDevice(t, poolID, clientID, "", "fay", "Passw0rd!")
	if _, err := e.IDP.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: aws.String(tok.AccessToken), DeviceKey: &d.Key}); err != nil {
		t.Fatal(err)
	}

	_, err := e.passwordAuth(ctx, clientID, "fay", "Passw0rd!", "DEVICE_KEY", d.Key)
	emulatortest.APIError(t, err, "ResourceNotFoundException", "Device does not exist.")
	// A wrong password still says so first.
	_, err = e.passwordAuth(ctx, clientID, "fay", "Wr0ng-pass!", "DEVICE_KEY", d.Key)
	emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")

	// identity-js: PASSWORD_VERIFIER with the stale key, then again without it.
	c, err := srp.NewClient(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	init, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserSrpAuth, ClientId: &clientID, AuthParameters: map[string]string{"USERNAME": "fay", "SRP_A": c.SRPA()}})
	if err != nil {
		t.Fatal(err)
	}
	p := init.ChallengeParameters
	realm, _ := srp.PoolName(poolID)
	r, err := c.Respond(srp.Challenge{Realm: realm, UserID: p["USER_ID_FOR_SRP"], Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, "Passw0rd!", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp := map[string]string{"USERNAME": p["USERNAME"], "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock, "PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp, "DEVICE_KEY": d.Key}
	in := &cip.RespondToAuthChallengeInput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ClientId: &clientID, Session: init.Session, ChallengeResponses: resp}
	_, err = e.IDP.RespondToAuthChallenge(ctx, in)
	emulatortest.APIError(t, err, "ResourceNotFoundException", "Device does not exist.")
	delete(resp, "DEVICE_KEY")
	out, err := e.IDP.RespondToAuthChallenge(ctx, in)
	if err != nil || out.AuthenticationResult == nil || out.AuthenticationResult.NewDeviceMetadata == nil {
		t.Fatalf("retry without the device: %v %+v", err, out)
	}

	// The driver (Flutter) drops the device and signs in again, getting a new one.
	c2, rec, devs := e.deviceDriver(t, poolID, clientID, "", driver.Flutter)
	devs.Put(poolID, "fay", d)
	signInDone(t, c2, "fay", "Passw0rd!", driver.UserSRPAuth)
	if _, confirms, nd := rec.take(); nd != 1 || len(confirms) != 1 {
		t.Fatalf("after the retry: confirms %v, new devices %d", confirms, nd)
	}
	if nd, _ := devs.Get(poolID, "fay"); nd.Key == d.Key || nd.Key == "" {
		t.Fatalf("device key %q after the retry", nd.Key)
	}
}

// TestDeviceChallengeChecks answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER by
// hand, with every mistake a client can make.
func TestDeviceChallengeChecks(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, secret := e.devicePool(t, false, true)
	e.User(t, poolID, "gus", "Passw0rd!")
	e.User(t, poolID, "other", "Passw0rd!")
	d, _ := e.rememberedDevice(t, poolID, clientID, secret, "gus", "Passw0rd!")
	od, _ := e.rememberedDevice(t, poolID, clientID, secret, "other", "Passw0rd!")
	app := srp.AppClient{ID: clientID, Secret: secret}
	hash := app.SecretHash("gus")

	start := func(t *testing.T) *string {
		t.Helper()
		out, err := e.passwordAuth(ctx, clientID, "gus", "Passw0rd!", "DEVICE_KEY", d.Key, "SECRET_HASH", hash)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth || out.Session == nil {
			t.Fatalf("InitiateAuth: %v %+v", err, out)
		}
		return out.Session
	}
	rtac := func(name types.ChallengeNameType, session *string, resp map[string]string) (*cip.RespondToAuthChallengeOutput, error) {
		return e.IDP.RespondToAuthChallenge(ctx, &cip.RespondToAuthChallengeInput{ChallengeName: name, ClientId: &clientID, Session: session, ChallengeResponses: resp})
	}
	srpAuth := func(t *testing.T, session *string, c *srp.Client) *cip.RespondToAuthChallengeOutput {
		t.Helper()
		out, err := rtac(types.ChallengeNameTypeDeviceSrpAuth, session, map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "SRP_A": c.SRPA(), "SECRET_HASH": hash})
		if err != nil || out.ChallengeName != types.ChallengeNameTypeDevicePasswordVerifier || out.Session == nil {
			t.Fatalf("DEVICE_SRP_AUTH: %v %+v", err, out)
		}
		return out
	}
	proof := func(t *testing.T, c *srp.Client, out *cip.RespondToAuthChallengeOutput, password string) map[string]string {
		t.Helper()
		p := out.ChallengeParameters
		if p["DEVICE_KEY"] != d.Key || p["USERNAME"] != "gus" || p["SALT"] == "" {
			t.Fatalf("DEVICE_PASSWORD_VERIFIER parameters %v", p)
		}
		r, err := c.Respond(srp.Challenge{Realm: d.GroupKey, UserID: d.Key, Salt: p["SALT"], B: p["SRP_B"], SecretBlock: p["SECRET_BLOCK"]}, password, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "PASSWORD_CLAIM_SECRET_BLOCK": r.SecretBlock, "PASSWORD_CLAIM_SIGNATURE": r.Signature, "TIMESTAMP": r.Timestamp, "SECRET_HASH": hash}
	}
	newClient := func(t *testing.T) *srp.Client {
		c, err := srp.NewClient(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	t.Run("happy path, then the session is spent", func(t *testing.T) {
		s := start(t)
		c := newClient(t)
		out := srpAuth(t, s, c)
		resp := proof(t, c, out, d.Password)
		done, err := rtac(types.ChallengeNameTypeDevicePasswordVerifier, out.Session, resp)
		if err != nil || done.AuthenticationResult == nil || done.AuthenticationResult.NewDeviceMetadata != nil {
			t.Fatalf("DEVICE_PASSWORD_VERIFIER: %v %+v", err, done)
		}
		_, err = rtac(types.ChallengeNameTypeDevicePasswordVerifier, out.Session, resp)
		emulatortest.APIError(t, err, "NotAuthorizedException", "Invalid session for the user, session can only be used once.")
	})

	t.Run("DEVICE_SRP_AUTH mistakes", func(t *testing.T) {
		c := newClient(t)
		cases := []struct {
			name     string
			resp     map[string]string
			typ, msg string
		}{
			{"no SRP_A", map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "SECRET_HASH": hash}, "InvalidParameterException", "Missing required parameter SRP_A"},
			{"no DEVICE_KEY", map[string]string{"USERNAME": "gus", "SRP_A": c.SRPA(), "SECRET_HASH": hash}, "InvalidParameterException", "Missing required parameter DEVICE_KEY"},
			{"no SECRET_HASH", map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "SRP_A": c.SRPA()}, "NotAuthorizedException", "Client " + clientID + " is configured with secret but SECRET_HASH was not received"},
			{"wrong SECRET_HASH", map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "SRP_A": c.SRPA(), "SECRET_HASH": app.SecretHash("other")}, "NotAuthorizedException", "Unable to verify secret hash for client " + clientID},
			{"another user", map[string]string{"USERNAME": "other", "DEVICE_KEY": d.Key, "SRP_A": c.SRPA(), "SECRET_HASH": app.SecretHash("other")}, "NotAuthorizedException", "Incorrect username or password."},
			{"another user's device", map[string]string{"USERNAME": "gus", "DEVICE_KEY": od.Key, "SRP_A": c.SRPA(), "SECRET_HASH": hash}, "ResourceNotFoundException", "Device does not exist."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := rtac(types.ChallengeNameTypeDeviceSrpAuth, start(t), tc.resp)
				emulatortest.APIError(t, err, tc.typ, tc.msg)
			})
		}
		// A wrong SECRET_HASH leaves the session usable.
		s := start(t)
		_, err := rtac(types.ChallengeNameTypeDeviceSrpAuth, s, map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "SRP_A": c.SRPA()})
		emulatortest.APIError(t, err, "NotAuthorizedException", "")
		srpAuth(t, s, c)
		// No session at all.
		_, err = rtac(types.ChallengeNameTypeDeviceSrpAuth, nil, map[string]string{"USERNAME": "gus", "DEVICE_KEY": d.Key, "SRP_A": c.SRPA(), "SECRET_HASH": hash})
		emulatortest.APIError(t, err, "InvalidParameterException", "Missing required parameter Session")
	})

	t.Run("DEVICE_PASSWORD_VERIFIER mistakes", func(t *testing.T) {
		cases := []struct {
			name     string
			edit     func(resp map[string]string, c *srp.Client, out *cip.RespondToAuthChallengeOutput)
			typ, msg string
		}{
			{"wrong device password", func(resp map[string]string, c *srp.Client, out *cip.RespondToAuthChallengeOutput) {
				for k, v := range proof(t, c, out, "not-the-device-password") {
					resp[k] = v
				}
			}, "NotAuthorizedException", "Incorrect username or password."},
			{"other secret block", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				resp["PASSWORD_CLAIM_SECRET_BLOCK"] = "AAAA"
			}, "NotAuthorizedException", "Incorrect username or password."},
			{"bad timestamp", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				resp["TIMESTAMP"] = "yesterday"
			}, "InvalidParameterException", "TIMESTAMP format is not valid."},
			{"stale timestamp", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				resp["TIMESTAMP"] = srp.Timestamp(time.Now().Add(-time.Hour))
			}, "NotAuthorizedException", "Incorrect username or password."},
			{"no signature", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				delete(resp, "PASSWORD_CLAIM_SIGNATURE")
			}, "InvalidParameterException", "Missing required parameter PASSWORD_CLAIM_SIGNATURE"},
			{"signature not base64", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				resp["PASSWORD_CLAIM_SIGNATURE"] = "%%%"
			}, "InvalidParameterException", "PASSWORD_CLAIM_SIGNATURE is not valid."},
			{"wrong SECRET_HASH", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				resp["SECRET_HASH"] = "AAAA"
			}, "NotAuthorizedException", "Unable to verify secret hash for client " + clientID},
			{"another device key", func(resp map[string]string, _ *srp.Client, _ *cip.RespondToAuthChallengeOutput) {
				resp["DEVICE_KEY"] = od.Key
			}, "ResourceNotFoundException", "Device does not exist."},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				c := newClient(t)
				out := srpAuth(t, start(t), c)
				resp := proof(t, c, out, d.Password)
				tc.edit(resp, c, out)
				_, err := rtac(types.ChallengeNameTypeDevicePasswordVerifier, out.Session, resp)
				emulatortest.APIError(t, err, tc.typ, tc.msg)
			})
		}
	})

	t.Run("forgotten between the two steps", func(t *testing.T) {
		d2, tok := e.rememberedDevice(t, poolID, clientID, secret, "gus", "Passw0rd!")
		out, err := e.passwordAuth(ctx, clientID, "gus", "Passw0rd!", "DEVICE_KEY", d2.Key, "SECRET_HASH", hash)
		if err != nil || out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
			t.Fatalf("InitiateAuth: %v %+v", err, out)
		}
		if _, err := e.IDP.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: aws.String(tok.AccessToken), DeviceKey: &d2.Key}); err != nil {
			t.Fatal(err)
		}
		c := newClient(t)
		_, err = rtac(types.ChallengeNameTypeDeviceSrpAuth, out.Session, map[string]string{"USERNAME": "gus", "DEVICE_KEY": d2.Key, "SRP_A": c.SRPA(), "SECRET_HASH": hash})
		emulatortest.APIError(t, err, "ResourceNotFoundException", "Device does not exist.")
	})
}

// TestDeviceAPIs covers the device APIs and their Admin twins, their errors, a pool
// without device tracking, and persistence.
func TestDeviceAPIs(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	poolID, clientID, _ := e.devicePool(t, false, false)
	e.User(t, poolID, "hal", "Passw0rd!")
	d1, _ := e.rememberedDevice(t, poolID, clientID, "", "hal", "Passw0rd!")
	d2, tok := e.rememberedDevice(t, poolID, clientID, "", "hal", "Passw0rd!")
	at := aws.String(tok.AccessToken)
	user := aws.String("hal")

	// Pagination, by device key.
	var keys []string
	var next *string
	for range 3 {
		out, err := e.IDP.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: at, Limit: aws.Int32(1), PaginationToken: next})
		if err != nil || len(out.Devices) != 1 {
			t.Fatalf("ListDevices: %v %+v", err, out)
		}
		keys = append(keys, aws.ToString(out.Devices[0].DeviceKey))
		if next = out.PaginationToken; next == nil {
			break
		}
	}
	want := []string{d1.Key, d2.Key}
	slices.Sort(want)
	if !slices.Equal(keys, want) || next != nil {
		t.Fatalf("pages %v, want %v", keys, want)
	}
	al, err := e.IDP.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &poolID, Username: user})
	if err != nil || len(al.Devices) != 2 || al.PaginationToken != nil {
		t.Fatalf("AdminListDevices: %v %+v", err, al)
	}
	dev := al.Devices[0]
	if a := deviceAttrs(dev); a["dev:device_owner"] != "hal."+poolID || a["dev:device_arn"] == "" || dev.DeviceCreateDate == nil || dev.DeviceLastModifiedDate == nil {
		t.Fatalf("device %+v", a)
	}

	// Persistence keeps devices, and device sign-in works after a restart.
	path := filepath.Join(t.TempDir(), "state.json")
	if err := e.Srv.SaveState(path); err != nil {
		t.Fatal(err)
	}
	e2 := newEnv(t)
	if ok, err := e2.Srv.LoadState(path); err != nil || !ok {
		t.Fatalf("LoadState: %v %v", ok, err)
	}
	out, err := e2.passwordAuth(ctx, clientID, "hal", "Passw0rd!", "DEVICE_KEY", d1.Key)
	if err != nil || out.ChallengeName != types.ChallengeNameTypeDeviceSrpAuth {
		t.Fatalf("after restart: %v %+v", err, out)
	}
	if l, err := e2.IDP.AdminListDevices(ctx, &cip.AdminListDevicesInput{UserPoolId: &poolID, Username: user}); err != nil || len(l.Devices) != 2 {
		t.Fatalf("after restart: %v %+v", err, l)
	}

	missing := aws.String("us-east-1_00000000-0000-4000-8000-000000000000")
	errCases := []struct {
		name     string
		call     func() error
		typ, msg string
	}{
		{"GetDevice unknown", func() error {
			_, err := e.IDP.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: at, DeviceKey: missing})
			return err
		}, "ResourceNotFoundException", "Device does not exist."},
		{"GetDevice bad token", func() error {
			_, err := e.IDP.GetDevice(ctx, &cip.GetDeviceInput{AccessToken: aws.String("x.y.z"), DeviceKey: &d1.Key})
			return err
		}, "NotAuthorizedException", "Invalid Access Token"},
		{"ListDevices limit", func() error {
			_, err := e.IDP.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: at, Limit: aws.Int32(61)})
			return err
		}, "InvalidParameterException", ""},
		{"ListDevices token", func() error {
			_, err := e.IDP.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: at, PaginationToken: aws.String("nope")})
			return err
		}, "InvalidParameterException", "Invalid pagination token."},
		{"UpdateDeviceStatus enum", func() error {
			_, err := e.IDP.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: at, DeviceKey: &d1.Key, DeviceRememberedStatus: "maybe"})
			return err
		}, "InvalidParameterException", "1 validation error detected: Value 'maybe' at 'deviceRememberedStatus' failed to satisfy constraint: Member must satisfy enum value set: [remembered, not_remembered]"},
		{"UpdateDeviceStatus unknown", func() error {
			_, err := e.IDP.UpdateDeviceStatus(ctx, &cip.UpdateDeviceStatusInput{AccessToken: at, DeviceKey: missing, DeviceRememberedStatus: "remembered"})
			return err
		}, "ResourceNotFoundException", "Device does not exist."},
		{"AdminGetDevice unknown user", func() error {
			_, err := e.IDP.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &poolID, Username: aws.String("nobody"), DeviceKey: &d1.Key})
			return err
		}, "UserNotFoundException", "User does not exist."},
		{"AdminForgetDevice unknown", func() error {
			_, err := e.IDP.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: &poolID, Username: user, DeviceKey: missing})
			return err
		}, "ResourceNotFoundException", "Device does not exist."},
		{"ConfirmDevice unknown", func() error {
			_, err := e.IDP.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: missing})
			return err
		}, "ResourceNotFoundException", "Device does not exist."},
		{"ConfirmDevice twice", func() error {
			_, err := e.IDP.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: &d1.Key})
			return err
		}, "DeviceKeyExistsException", "Device key already exists."},
		{"ConfirmDevice bad verifier", func() error {
			_, err := e.IDP.ConfirmDevice(ctx, &cip.ConfirmDeviceInput{AccessToken: at, DeviceKey: &d1.Key, DeviceSecretVerifierConfig: &types.DeviceSecretVerifierConfigType{PasswordVerifier: aws.String("!!"), Salt: aws.String("AAAA")}})
			return err
		}, "InvalidParameterException", "DeviceSecretVerifierConfig.PasswordVerifier is not valid."},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) { emulatortest.APIError(t, tc.call(), tc.typ, tc.msg) })
	}

	// Forget one through each API.
	if _, err := e.IDP.AdminForgetDevice(ctx, &cip.AdminForgetDeviceInput{UserPoolId: &poolID, Username: user, DeviceKey: &d1.Key}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.ForgetDevice(ctx, &cip.ForgetDeviceInput{AccessToken: at, DeviceKey: &d2.Key}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AdminGetDevice(ctx, &cip.AdminGetDeviceInput{UserPoolId: &poolID, Username: user, DeviceKey: &d2.Key})
	emulatortest.APIError(t, err, "ResourceNotFoundException", "Device does not exist.")
	if l, err := e.IDP.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: at}); err != nil || len(l.Devices) != 0 {
		t.Fatalf("after forgetting: %v %+v", err, l)
	}

	// A pool without device tracking offers no device.
	plainPool, plainClient, _ := e.Pool(t, emulatortest.PoolSpec{})
	e.User(t, plainPool, "ivy", "Passw0rd!")
	po, err := e.passwordAuth(ctx, plainClient, "ivy", "Passw0rd!")
	if err != nil || po.AuthenticationResult == nil || po.AuthenticationResult.NewDeviceMetadata != nil {
		t.Fatalf("no tracking: %v %+v", err, po)
	}
	// Unconfirmed devices are not listed, and the pending ones stay bounded.
	for range 20 {
		if _, err := e.passwordAuth(ctx, clientID, "hal", "Passw0rd!"); err != nil {
			t.Fatal(err)
		}
	}
	if l, err := e.IDP.ListDevices(ctx, &cip.ListDevicesInput{AccessToken: at}); err != nil || len(l.Devices) != 0 {
		t.Fatalf("pending devices listed: %v %+v", err, l)
	}
}

// TestRememberedDeviceSkipsMFA: on a pool that requires SMS MFA, the first sign-in
// answers the code and confirms the device; a remembered device then signs in with
// its SRP proof instead of a code, while a device not remembered still gets the code.
func TestRememberedDeviceSkipsMFA(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		onPrompt bool
		second   []string
	}{
		{"remembered", false, []string{"PASSWORD_VERIFIER", "DEVICE_SRP_AUTH", "DEVICE_PASSWORD_VERIFIER"}},
		{"not remembered", true, []string{"PASSWORD_VERIFIER", "SMS_MFA"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) {
				in.DeviceConfiguration = &types.DeviceConfigurationType{DeviceOnlyRememberedOnUserPrompt: tc.onPrompt}
				smsMFA(in, types.UserPoolMfaTypeOn)
			}})
			e.User(t, poolID, "max", "Passw0rd!", "phone_number", "+15555550199", "phone_number_verified", "true")
			c, rec, _ := e.deviceDriver(t, poolID, clientID, "", driver.JS)
			signInSMS := func(t *testing.T) {
				t.Helper()
				a := c.NewAuth()
				res, err := a.SignIn(ctx, "max", "Passw0rd!", driver.SignInOptions{})
				if err != nil || res.NextStep.SignInStep != driver.ConfirmSignInWithSMSMFACode {
					t.Fatalf("want the SMS code step: %v %+v", err, res)
				}
				res, err = a.ConfirmSignIn(ctx, e.lastCode(t, poolID, "max", "MFA"), driver.ConfirmOptions{})
				if err != nil || res.NextStep.SignInStep != driver.Done {
					t.Fatalf("SMS code: %v %+v", err, res)
				}
			}
			signInSMS(t)
			if ch, confirms, nd := rec.take(); !slices.Equal(ch, []string{"PASSWORD_VERIFIER", "SMS_MFA"}) || len(confirms) != 1 || nd != 1 {
				t.Fatalf("first sign-in: challenges %v, confirms %v, new devices %d", ch, confirms, nd)
			}
			if tc.onPrompt {
				signInSMS(t)
			} else {
				signInDone(t, c, "max", "Passw0rd!", driver.UserSRPAuth)
			}
			if ch, confirms, nd := rec.take(); !slices.Equal(ch, tc.second) || len(confirms) != 0 || nd != 0 {
				t.Fatalf("second sign-in: challenges %v (want %v), confirms %v, new devices %d", ch, tc.second, confirms, nd)
			}
		})
	}
}
