package driver_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
)

// SRP known answers through the driver: the PASSWORD_VERIFIER answer the driver sends
// must equal, byte for byte, fixtures/srp-vectors.json's expected values, given the
// vector's secret a (Config.Random), timestamp (Config.Now) and challenge.

type katVector struct {
	Name   string `json:"name"`
	Inputs struct {
		PoolID        string `json:"pool_id"`
		UserIDForSRP  string `json:"user_id_for_srp"`
		Password      string `json:"password"`
		AHex          string `json:"a_hex"`
		SaltHex       string `json:"salt_hex"`
		SRPBHex       string `json:"srp_b_hex"`
		SecretBlock   string `json:"secret_block_b64"`
		Timestamp     string `json:"timestamp"`
		TimestampUnix int64  `json:"timestamp_unix"`
	} `json:"inputs"`
	Expected struct {
		SRPAHex   string `json:"srp_a_hex"`
		Signature string `json:"signature_b64"`
	} `json:"expected"`
}

func katVectors(t *testing.T) []katVector {
	t.Helper()
	raw, err := os.ReadFile("../fixtures/srp-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []katVector `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) < 3 {
		t.Fatalf("only %d vectors", len(f.Vectors))
	}
	return f.Vectors
}

// katIDP answers InitiateAuth with a vector's PASSWORD_VERIFIER challenge and records
// the requests. Other operations fail.
type katIDP struct {
	params   map[string]string
	initiate *cip.InitiateAuthInput
	respond  *cip.RespondToAuthChallengeInput
}

var errKATUnexpected = errors.New("katIDP: unexpected call")

func (k *katIDP) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	if k.initiate != nil {
		return nil, errKATUnexpected
	}
	k.initiate = in
	return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameTypePasswordVerifier, ChallengeParameters: k.params, Session: aws.String("kat-session")}, nil
}

func (k *katIDP) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	if k.respond != nil {
		return nil, errKATUnexpected
	}
	k.respond = in
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: &types.AuthenticationResultType{
		IdToken: aws.String("id"), AccessToken: aws.String("access"), RefreshToken: aws.String("refresh"), ExpiresIn: 3600,
	}}, nil
}

func (k *katIDP) AssociateSoftwareToken(context.Context, *cip.AssociateSoftwareTokenInput, ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) VerifySoftwareToken(context.Context, *cip.VerifySoftwareTokenInput, ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) ConfirmDevice(context.Context, *cip.ConfirmDeviceInput, ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) UpdateDeviceStatus(context.Context, *cip.UpdateDeviceStatusInput, ...func(*cip.Options)) (*cip.UpdateDeviceStatusOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) ForgetDevice(context.Context, *cip.ForgetDeviceInput, ...func(*cip.Options)) (*cip.ForgetDeviceOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) GetUser(context.Context, *cip.GetUserInput, ...func(*cip.Options)) (*cip.GetUserOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) SetUserMFAPreference(context.Context, *cip.SetUserMFAPreferenceInput, ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) UpdateUserAttributes(context.Context, *cip.UpdateUserAttributesInput, ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) GlobalSignOut(context.Context, *cip.GlobalSignOutInput, ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error) {
	return nil, errKATUnexpected
}
func (k *katIDP) RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error) {
	return nil, errKATUnexpected
}

var _ driver.IdentityProvider = (*katIDP)(nil)

func TestSRPKnownAnswersThroughDriver(t *testing.T) {
	const poolID = "us-east-1_AbCdEfGhI"
	// The challenge's USERNAME differs from USER_ID_FOR_SRP here (as for a pool whose
	// users sign in by email) to see which one each dialect answers with (spec §3.3).
	const typed, canonical = "kat-user@example.com", "kat-user"
	for _, v := range katVectors(t) {
		in := v.Inputs
		if in.PoolID != poolID {
			t.Fatalf("%s: pool %s", v.Name, in.PoolID)
		}
		// a is 128 bytes; the hex drops leading zero digits.
		a, err := hex.DecodeString(strings.Repeat("0", 256-len(in.AHex)) + in.AHex)
		if err != nil || len(a) != 128 {
			t.Fatalf("%s: a_hex: %v (%d bytes)", v.Name, err, len(a))
		}
		now := time.Unix(in.TimestampUnix, 0).In(time.FixedZone("elsewhere", -7*3600)) // the driver must format in UTC
		for _, d := range e2eDialects {
			t.Run(v.Name+"/"+d.String(), func(t *testing.T) {
				k := &katIDP{params: map[string]string{
					"SALT": in.SaltHex, "SRP_B": in.SRPBHex, "SECRET_BLOCK": in.SecretBlock,
					"USER_ID_FOR_SRP": in.UserIDForSRP, "USERNAME": canonical,
				}}
				c, err := driver.New(k, driver.Config{PoolID: poolID, ClientID: "kat-client", Dialect: d,
					Random: bytes.NewReader(a), Now: func() time.Time { return now }})
				if err != nil {
					t.Fatal(err)
				}
				au := c.NewAuth()
				res, err := au.SignIn(context.Background(), typed, in.Password, driver.SignInOptions{})
				if err != nil || res.NextStep.SignInStep != driver.Done {
					t.Fatalf("SignIn = %+v, %v", res, err)
				}
				if k.initiate == nil || k.respond == nil {
					t.Fatal("no InitiateAuth / RespondToAuthChallenge")
				}
				ap := k.initiate.AuthParameters
				if k.initiate.AuthFlow != types.AuthFlowTypeUserSrpAuth || aws.ToString(k.initiate.ClientId) != "kat-client" || ap["USERNAME"] != typed {
					t.Errorf("InitiateAuth %s %v", k.initiate.AuthFlow, ap)
				}
				if ap["SRP_A"] != v.Expected.SRPAHex {
					t.Errorf("SRP_A = %.16s…(%d digits), want %.16s…(%d digits)", ap["SRP_A"], len(ap["SRP_A"]), v.Expected.SRPAHex, len(v.Expected.SRPAHex))
				}
				r := k.respond
				cr := r.ChallengeResponses
				if r.ChallengeName != types.ChallengeNameTypePasswordVerifier || aws.ToString(r.Session) != "kat-session" || aws.ToString(r.ClientId) != "kat-client" {
					t.Errorf("RespondToAuthChallenge %s session %q", r.ChallengeName, aws.ToString(r.Session))
				}
				if cr["PASSWORD_CLAIM_SIGNATURE"] != v.Expected.Signature {
					t.Errorf("PASSWORD_CLAIM_SIGNATURE = %s, want %s", cr["PASSWORD_CLAIM_SIGNATURE"], v.Expected.Signature)
				}
				if cr["TIMESTAMP"] != in.Timestamp {
					t.Errorf("TIMESTAMP = %q, want %q", cr["TIMESTAMP"], in.Timestamp)
				}
				if cr["PASSWORD_CLAIM_SECRET_BLOCK"] != in.SecretBlock {
					t.Error("PASSWORD_CLAIM_SECRET_BLOCK is not SECRET_BLOCK verbatim")
				}
				wantUser := canonical // Flutter answers with the USERNAME parameter
				if d == driver.JS {
					wantUser = in.UserIDForSRP // JS with USER_ID_FOR_SRP
				}
				if cr["USERNAME"] != wantUser {
					t.Errorf("USERNAME = %q, want %q", cr["USERNAME"], wantUser)
				}
				if _, ok := cr["SECRET_HASH"]; ok {
					t.Error("SECRET_HASH sent for a public client")
				}
				if len(cr) != 4 {
					t.Errorf("challenge responses %v, want exactly the four keys", keys(cr))
				}
			})
		}
	}
}

// SECRET_HASH through the driver against spec §3.5's worked example.
func TestSecretHashKnownAnswerThroughDriver(t *testing.T) {
	v := katVectors(t)[0]
	a, _ := hex.DecodeString(strings.Repeat("0", 256-len(v.Inputs.AHex)) + v.Inputs.AHex)
	k := &katIDP{params: map[string]string{"SALT": v.Inputs.SaltHex, "SRP_B": v.Inputs.SRPBHex, "SECRET_BLOCK": v.Inputs.SecretBlock,
		"USER_ID_FOR_SRP": v.Inputs.UserIDForSRP, "USERNAME": "alice"}}
	c, err := driver.New(k, driver.Config{PoolID: "us-east-1_AbCdEfGhI", ClientID: "1example23456789", ClientSecret: "s3cr3t", Random: bytes.NewReader(a)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.NewAuth().SignIn(context.Background(), "alice", v.Inputs.Password, driver.SignInOptions{}); err != nil {
		t.Fatal(err)
	}
	const want = "IMpPuFOEIbgZyOCkK5ZvTY2hXdhUUff9Wz0ungvQbF8="
	if got := k.initiate.AuthParameters["SECRET_HASH"]; got != want {
		t.Errorf("InitiateAuth SECRET_HASH = %q, want %q", got, want)
	}
	if got := k.respond.ChallengeResponses["SECRET_HASH"]; got != want {
		t.Errorf("PASSWORD_VERIFIER SECRET_HASH = %q, want %q", got, want)
	}
}
