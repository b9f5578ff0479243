package mfa_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
	"github.com/authbench/authbench/mfa"
)

// The key pair of the signing tests' pool.
const (
	signedKeyID  = "AKIAOUTBOXTEST000001"
	signedSecret = "outbox-test-secret/DoNotPrint+0123456789ab"
)

// startSignedPool starts a pool on 127.0.0.1 that requires SigV4 signatures by the
// test key pair (emulator.Options.RequireSignature), and creates in it a user whose
// temporary password the pool "emails", so that the outbox holds a message for it.
// It returns the pool and the user's pool id and name.
func startSignedPool(t *testing.T) (env *emulatortest.Env, poolID, username string) {
	t.Helper()
	env = emulatortest.Start(t, func(o *emulator.Options) {
		o.RequireSignature, o.AccessKeyID, o.SecretAccessKey = true, signedKeyID, signedSecret
	})
	env.IDP = cip.New(cip.Options{
		BaseEndpoint: aws.String(env.Srv.Endpoint()), Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(signedKeyID, signedSecret, ""),
		HTTPClient:  emulatortest.HTTPClient(),
	})
	poolID, _, _ = env.Pool(t, emulatortest.PoolSpec{})
	username = "alice"
	_, err := env.IDP.AdminCreateUser(t.Context(), &cip.AdminCreateUserInput{
		UserPoolId: aws.String(poolID), Username: aws.String(username),
		UserAttributes:         []types.AttributeType{{Name: aws.String("email"), Value: aws.String("alice@example.com")}},
		DesiredDeliveryMediums: []types.DeliveryMediumType{types.DeliveryMediumTypeEmail},
	})
	if err != nil {
		t.Fatalf("AdminCreateUser: %v", err)
	}
	return env, poolID, username
}

// signedOutbox returns an outbox of endpoint signing with keyID and secret.
func signedOutbox(endpoint, keyID, secret string) *mfa.Outbox {
	return mfa.NewOutbox(endpoint, emulatortest.HTTPClient(), func(o *mfa.OutboxOptions) {
		o.Credentials = credentials.NewStaticCredentialsProvider(keyID, secret, "")
		o.Region = "us-east-1"
		o.Sleep = func(context.Context, time.Duration) error {
			return errors.New("a refused read must not be polled again")
		}
	})
}

// TestOutboxSignedAgainstPool: against a pool that requires signatures, an unsigned
// outbox read is refused with a *RefusedError (MissingAuthenticationTokenException,
// 403) at once, an outbox signing with the pool's key reads the temporary password
// (which then signs the user in), and one signing with a wrong secret or an unknown
// key is refused (InvalidSignatureException, UnrecognizedClientException, 400).
// Available reports each refusal. No error quotes the secret.
func TestOutboxSignedAgainstPool(t *testing.T) {
	env, poolID, username := startSignedPool(t)
	ep := env.Srv.Endpoint()
	r := mfa.Request{PoolID: poolID, Username: username, Purpose: mfa.PurposeTemporaryPassword}

	refusals := []struct {
		name       string
		ob         *mfa.Outbox
		wantType   string
		wantStatus int
		wantSigned bool
	}{
		{"unsigned", mfa.NewOutbox(ep, emulatortest.HTTPClient(), func(o *mfa.OutboxOptions) {
			o.Sleep = func(context.Context, time.Duration) error {
				return errors.New("a refused read must not be polled again")
			}
		}), "MissingAuthenticationTokenException", 403, false},
		{"wrong secret", signedOutbox(ep, signedKeyID, "not-the-secret"), "InvalidSignatureException", 400, true},
		{"unknown key", signedOutbox(ep, "AKIAOTHERKEY00000000", signedSecret), "UnrecognizedClientException", 400, true},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.ob.Code(t.Context(), r)
			var refused *mfa.RefusedError
			if !errors.As(err, &refused) || !errors.Is(err, mfa.ErrNoCode) {
				t.Fatalf("err = %v, want a *RefusedError", err)
			}
			if refused.Type != tt.wantType || refused.StatusCode != tt.wantStatus || refused.Signed != tt.wantSigned {
				t.Errorf("refusal = %+v, want %s, %d, signed %v", refused, tt.wantType, tt.wantStatus, tt.wantSigned)
			}
			msg := err.Error()
			if !strings.Contains(msg, "the pool's outbox refused the request") || !strings.Contains(msg, "give the pool's access key") {
				t.Errorf("error %q does not say what to do", msg)
			}
			if strings.Contains(msg, signedSecret) {
				t.Errorf("error %q quotes the secret", msg)
			}
			ok, aerr := tt.ob.Available(t.Context())
			if ok || !errors.As(aerr, &refused) || refused.Type != tt.wantType {
				t.Errorf("Available = %v, %v; want false and the %s refusal", ok, aerr, tt.wantType)
			}
		})
	}

	t.Run("signed", func(t *testing.T) {
		ob := signedOutbox(ep, signedKeyID, signedSecret)
		if !ob.Signed() {
			t.Fatal("an outbox given credentials does not sign")
		}
		if ok, err := ob.Available(t.Context()); !ok || err != nil {
			t.Fatalf("Available = %v, %v; want true", ok, err)
		}
		temporary, err := ob.Code(t.Context(), r)
		if err != nil {
			t.Fatalf("signed read: %v", err)
		}
		// The code read is the user's temporary password: it signs them in to the
		// new-password challenge.
		clientID, _ := env.AddClient(t, poolID, nil)
		out, err := env.IDP.AdminInitiateAuth(t.Context(), &cip.AdminInitiateAuthInput{
			UserPoolId: aws.String(poolID), ClientId: aws.String(clientID), AuthFlow: types.AuthFlowTypeAdminUserPasswordAuth,
			AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": temporary},
		})
		if err != nil {
			t.Fatalf("sign-in with the temporary password read from the outbox: %v", err)
		}
		if out.ChallengeName != types.ChallengeNameTypeNewPasswordRequired {
			t.Errorf("challenge %q, want NEW_PASSWORD_REQUIRED", out.ChallengeName)
		}
		ob.CloseIdleConnections()
	})
}
