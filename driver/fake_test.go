package driver_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/aws/smithy-go"

	"github.com/authbench/authbench/driver"
)

// call is one request the fake received.
type call struct {
	op string
	in any
}

// fake is a scripted Cognito: each operation answers from a function the test sets;
// an operation without one fails the test. It records every request.
type fake struct {
	t        *testing.T
	calls    []call
	initiate func(*cip.InitiateAuthInput) (*cip.InitiateAuthOutput, error)
	respond  func(*cip.RespondToAuthChallengeInput) (*cip.RespondToAuthChallengeOutput, error)
	assoc    func(*cip.AssociateSoftwareTokenInput) (*cip.AssociateSoftwareTokenOutput, error)
	verify   func(*cip.VerifySoftwareTokenInput) (*cip.VerifySoftwareTokenOutput, error)
	confirm  func(*cip.ConfirmDeviceInput) (*cip.ConfirmDeviceOutput, error)
}

func (f *fake) rec(op string, in any) { f.calls = append(f.calls, call{op, in}) }

func (f *fake) unexpected(op string) error {
	f.t.Errorf("unexpected call %s", op)
	return errors.New("unexpected call " + op)
}

// ops lists the operations called, in order.
func (f *fake) ops() []string {
	var out []string
	for _, c := range f.calls {
		out = append(out, c.op)
	}
	return out
}

// last returns the last request of op.
func last[T any](f *fake, op string) T {
	for i := len(f.calls) - 1; i >= 0; i-- {
		if f.calls[i].op == op {
			return f.calls[i].in.(T)
		}
	}
	f.t.Fatalf("no %s call", op)
	var zero T
	return zero
}

func (f *fake) InitiateAuth(_ context.Context, in *cip.InitiateAuthInput, _ ...func(*cip.Options)) (*cip.InitiateAuthOutput, error) {
	f.rec("InitiateAuth", in)
	if f.initiate == nil {
		return nil, f.unexpected("InitiateAuth")
	}
	return f.initiate(in)
}

func (f *fake) RespondToAuthChallenge(_ context.Context, in *cip.RespondToAuthChallengeInput, _ ...func(*cip.Options)) (*cip.RespondToAuthChallengeOutput, error) {
	f.rec("RespondToAuthChallenge", in)
	if f.respond == nil {
		return nil, f.unexpected("RespondToAuthChallenge")
	}
	return f.respond(in)
}

func (f *fake) AssociateSoftwareToken(_ context.Context, in *cip.AssociateSoftwareTokenInput, _ ...func(*cip.Options)) (*cip.AssociateSoftwareTokenOutput, error) {
	f.rec("AssociateSoftwareToken", in)
	if f.assoc == nil {
		return nil, f.unexpected("AssociateSoftwareToken")
	}
	return f.assoc(in)
}

func (f *fake) VerifySoftwareToken(_ context.Context, in *cip.VerifySoftwareTokenInput, _ ...func(*cip.Options)) (*cip.VerifySoftwareTokenOutput, error) {
	f.rec("VerifySoftwareToken", in)
	if f.verify == nil {
		return nil, f.unexpected("VerifySoftwareToken")
	}
	return f.verify(in)
}

func (f *fake) ConfirmDevice(_ context.Context, in *cip.ConfirmDeviceInput, _ ...func(*cip.Options)) (*cip.ConfirmDeviceOutput, error) {
	f.rec("ConfirmDevice", in)
	if f.confirm == nil {
		return nil, f.unexpected("ConfirmDevice")
	}
	return f.confirm(in)
}

func (f *fake) UpdateDeviceStatus(_ context.Context, in *cip.UpdateDeviceStatusInput, _ ...func(*cip.Options)) (*cip.UpdateDeviceStatusOutput, error) {
	f.rec("UpdateDeviceStatus", in)
	return &cip.UpdateDeviceStatusOutput{}, nil
}

func (f *fake) ForgetDevice(_ context.Context, in *cip.ForgetDeviceInput, _ ...func(*cip.Options)) (*cip.ForgetDeviceOutput, error) {
	f.rec("ForgetDevice", in)
	return &cip.ForgetDeviceOutput{}, nil
}

// GetUser, SetUserMFAPreference and UpdateUserAttributes answer success: they are
// Flutter's best-effort side calls.
func (f *fake) GetUser(_ context.Context, in *cip.GetUserInput, _ ...func(*cip.Options)) (*cip.GetUserOutput, error) {
	f.rec("GetUser", in)
	return &cip.GetUserOutput{Username: aws.String("canonical")}, nil
}

func (f *fake) SetUserMFAPreference(_ context.Context, in *cip.SetUserMFAPreferenceInput, _ ...func(*cip.Options)) (*cip.SetUserMFAPreferenceOutput, error) {
	f.rec("SetUserMFAPreference", in)
	return &cip.SetUserMFAPreferenceOutput{}, nil
}

func (f *fake) UpdateUserAttributes(_ context.Context, in *cip.UpdateUserAttributesInput, _ ...func(*cip.Options)) (*cip.UpdateUserAttributesOutput, error) {
	f.rec("UpdateUserAttributes", in)
	return &cip.UpdateUserAttributesOutput{}, nil
}

func (f *fake) SignUp(context.Context, *cip.SignUpInput, ...func(*cip.Options)) (*cip.SignUpOutput, error) {
	return nil, f.unexpected("SignUp")
}

func (f *fake) ConfirmSignUp(context.Context, *cip.ConfirmSignUpInput, ...func(*cip.Options)) (*cip.ConfirmSignUpOutput, error) {
	return nil, f.unexpected("ConfirmSignUp")
}

func (f *fake) ResendConfirmationCode(context.Context, *cip.ResendConfirmationCodeInput, ...func(*cip.Options)) (*cip.ResendConfirmationCodeOutput, error) {
	return nil, f.unexpected("ResendConfirmationCode")
}

func (f *fake) ForgotPassword(context.Context, *cip.ForgotPasswordInput, ...func(*cip.Options)) (*cip.ForgotPasswordOutput, error) {
	return nil, f.unexpected("ForgotPassword")
}

func (f *fake) ConfirmForgotPassword(context.Context, *cip.ConfirmForgotPasswordInput, ...func(*cip.Options)) (*cip.ConfirmForgotPasswordOutput, error) {
	return nil, f.unexpected("ConfirmForgotPassword")
}

func (f *fake) GlobalSignOut(context.Context, *cip.GlobalSignOutInput, ...func(*cip.Options)) (*cip.GlobalSignOutOutput, error) {
	return nil, f.unexpected("GlobalSignOut")
}

func (f *fake) RevokeToken(context.Context, *cip.RevokeTokenInput, ...func(*cip.Options)) (*cip.RevokeTokenOutput, error) {
	return nil, f.unexpected("RevokeToken")
}

// apiErr is a Cognito error as the SDK surfaces it.
func apiErr(code, msg string) error {
	return &smithy.GenericAPIError{Code: code, Message: msg}
}

// tokensOut is a completed sign-in.
func tokensOut() *types.AuthenticationResultType {
	return &types.AuthenticationResultType{AccessToken: aws.String("access"), IdToken: aws.String("id"), RefreshToken: aws.String("refresh"), ExpiresIn: 3600, TokenType: aws.String("Bearer")}
}

// challenge is an InitiateAuth answer carrying a challenge.
func challenge(name string, params map[string]string, session string) *cip.InitiateAuthOutput {
	return &cip.InitiateAuthOutput{ChallengeName: types.ChallengeNameType(name), ChallengeParameters: params, Session: aws.String(session)}
}

// rchallenge is a RespondToAuthChallenge answer carrying a challenge.
func rchallenge(name string, params map[string]string, session string) *cip.RespondToAuthChallengeOutput {
	return &cip.RespondToAuthChallengeOutput{ChallengeName: types.ChallengeNameType(name), ChallengeParameters: params, Session: aws.String(session)}
}

func rdone() *cip.RespondToAuthChallengeOutput {
	return &cip.RespondToAuthChallengeOutput{AuthenticationResult: tokensOut()}
}

const testPool = "us-east-1_AbCdEfGhI"

// newDriver returns a driver over f with a fixed clock and random stream.
func newDriver(t *testing.T, f *fake, d driver.Dialect, mods ...func(*driver.Config)) *driver.Auth {
	t.Helper()
	f.t = t
	cfg := driver.Config{PoolID: testPool, ClientID: "client", Dialect: d,
		Random: bytes.NewReader(bytes.Repeat([]byte{7}, 1<<16)), Now: func() time.Time { return time.Unix(1.7e9, 0) }}
	for _, m := range mods {
		m(&cfg)
	}
	c, err := driver.New(f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c.NewAuth()
}

var dialects = []driver.Dialect{driver.Flutter, driver.JS}

func dname(d driver.Dialect) string { return fmt.Sprint(d) }
