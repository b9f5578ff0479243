package emulator_test

// Defaults and answers that differ from what the pool did before issue #11, each
// with the public evidence it rests on.

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

// TestMFARequiresSMSConfiguration: CreateUserPool / UpdateUserPool with MFA ON or
// OPTIONAL and no SmsConfiguration (or no auto-verified phone_number) are refused.
// Evidence: the InvalidParameterException captured in aws-cdk#12075 and
// aws-cdk#11478. TOTP-only MFA goes through SetUserPoolMfaConfig.
func TestMFARequiresSMSConfiguration(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const msg = "SMS configuration and Auto verification for phone_number are required when MFA is required/optional"
	for _, mode := range []types.UserPoolMfaType{types.UserPoolMfaTypeOn, types.UserPoolMfaTypeOptional} {
		_, err := e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: mode})
		emulatortest.APIError(t, err, "InvalidParameterException", msg)
		_, err = e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: mode,
			SmsConfiguration: &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::000000000000:role/sns")}})
		emulatortest.APIError(t, err, "InvalidParameterException", msg)
	}
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	_, err := e.IDP.UpdateUserPool(ctx, &cip.UpdateUserPoolInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOn})
	emulatortest.APIError(t, err, "InvalidParameterException", msg)
	// The documented way to TOTP-only MFA.
	if _, err := e.IDP.SetUserPoolMfaConfig(ctx, &cip.SetUserPoolMfaConfigInput{UserPoolId: &poolID, MfaConfiguration: types.UserPoolMfaTypeOn,
		SoftwareTokenMfaConfiguration: &types.SoftwareTokenMfaConfigType{Enabled: true}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("p"), MfaConfiguration: types.UserPoolMfaTypeOptional,
		SmsConfiguration:       &types.SmsConfigurationType{SnsCallerArn: aws.String("arn:aws:iam::000000000000:role/sns")},
		AutoVerifiedAttributes: []types.VerifiedAttributeType{"phone_number"}}); err != nil {
		t.Fatal(err)
	}
}
