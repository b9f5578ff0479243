package emulator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

func TestCustomAttributes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	schema := []types.SchemaAttributeType{
		{Name: aws.String("tenant"), AttributeDataType: types.AttributeDataTypeString, Mutable: aws.Bool(false),
			StringAttributeConstraints: &types.StringAttributeConstraintsType{MinLength: aws.String("2"), MaxLength: aws.String("8")}},
		{Name: aws.String("level"), AttributeDataType: types.AttributeDataTypeNumber,
			NumberAttributeConstraints: &types.NumberAttributeConstraintsType{MinValue: aws.String("1"), MaxValue: aws.String("10")}},
		{Name: aws.String("beta"), AttributeDataType: types.AttributeDataTypeBoolean},
		{Name: aws.String("secret"), AttributeDataType: types.AttributeDataTypeString, DeveloperOnlyAttribute: aws.Bool(true)},
	}
	poolID, clientID, _ := e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) { in.Schema = schema }})

	// DescribeUserPool echoes the standard attributes and the custom ones.
	dp, err := e.IDP.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: &poolID})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]types.SchemaAttributeType{}
	for _, a := range dp.UserPool.SchemaAttributes {
		byName[aws.ToString(a.Name)] = a
	}
	for _, n := range []string{"sub", "email", "custom:tenant", "custom:level", "custom:beta", "dev:custom:secret"} {
		if _, ok := byName[n]; !ok {
			t.Fatalf("schema lacks %s: %v", n, byName)
		}
	}
	if aws.ToBool(byName["custom:tenant"].Mutable) || aws.ToString(byName["custom:level"].NumberAttributeConstraints.MaxValue) != "10" {
		t.Fatalf("schema not echoed: %+v", byName["custom:tenant"])
	}

	// Schema validation at pool creation.
	_, err = e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad"), Schema: []types.SchemaAttributeType{
		{Name: aws.String(strings.Repeat("n", 21)), AttributeDataType: types.AttributeDataTypeString}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	_, err = e.IDP.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("bad"), Schema: []types.SchemaAttributeType{
		{Name: aws.String("x"), AttributeDataType: types.AttributeDataTypeString, Required: aws.Bool(true)}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Required custom attributes are not supported currently.")

	// AddCustomAttributes, and a name already there.
	if _, err := e.IDP.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &poolID, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString}}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AddCustomAttributes(ctx, &cip.AddCustomAttributesInput{UserPoolId: &poolID, CustomAttributes: []types.SchemaAttributeType{
		{Name: aws.String("plan"), AttributeDataType: types.AttributeDataTypeString}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Existing attribute already has name custom:plan.")

	// Writes are checked against the schema.
	create := func(name string, attrs ...string) error {
		var ua []types.AttributeType
		for i := 0; i+1 < len(attrs); i += 2 {
			ua = append(ua, types.AttributeType{Name: aws.String(attrs[i]), Value: aws.String(attrs[i+1])})
		}
		_, err := e.IDP.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: &poolID, Username: &name, UserAttributes: ua, MessageAction: types.MessageActionTypeSuppress})
		return err
	}
	emulatortest.APIError(t, create("u1", "custom:tenant", "x"), "InvalidParameterException", "")
	emulatortest.APIError(t, create("u2", "custom:tenant", "waytoolongvalue"), "InvalidParameterException", "")
	emulatortest.APIError(t, create("u3", "custom:level", "11"), "InvalidParameterException", "")
	emulatortest.APIError(t, create("u4", "custom:beta", "maybe"), "InvalidParameterException", "")
	emulatortest.APIError(t, create("u5", "custom:unknown", "x"), "InvalidParameterException", "Attributes did not conform to the schema: Type for attribute {custom:unknown} could not be determined")
	if err := create("dana", "custom:tenant", "acme", "custom:level", "3", "custom:beta", "True", "custom:plan", "pro", "email", "dana@example.com", "email_verified", "TRUE"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{UserPoolId: &poolID, Username: aws.String("dana"), Password: aws.String("Passw0rd!x"), Permanent: true}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("dana"),
		UserAttributes: []types.AttributeType{{Name: aws.String("custom:tenant"), Value: aws.String("other")}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "Attribute cannot be updated. (changing an immutable attribute)")

	res := passwordSignIn(t, e, clientID, "dana", "Passw0rd!x")
	id := emulatortest.Claims(t, *res.IdToken)
	if id["custom:tenant"] != "acme" || id["custom:level"] != "3" || id["custom:beta"] != "true" || id["email_verified"] != true {
		t.Fatalf("id token custom claims: %v", id)
	}

	// A user cannot write a developer-only attribute; an admin can.
	_, err = e.IDP.UpdateUserAttributes(ctx, &cip.UpdateUserAttributesInput{AccessToken: res.AccessToken,
		UserAttributes: []types.AttributeType{{Name: aws.String("dev:custom:secret"), Value: aws.String("x")}}})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	if _, err := e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("dana"),
		UserAttributes: []types.AttributeType{{Name: aws.String("dev:custom:secret"), Value: aws.String("x")}}}); err != nil {
		t.Fatal(err)
	}

	// Deleting attributes: the user's own and an admin's; immutable ones stay.
	if _, err := e.IDP.DeleteUserAttributes(ctx, &cip.DeleteUserAttributesInput{AccessToken: res.AccessToken, UserAttributeNames: []string{"custom:plan"}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: aws.String("dana"), UserAttributeNames: []string{"custom:tenant"}})
	emulatortest.APIError(t, err, "InvalidParameterException", "")
	if _, err := e.IDP.AdminDeleteUserAttributes(ctx, &cip.AdminDeleteUserAttributesInput{UserPoolId: &poolID, Username: aws.String("dana"), UserAttributeNames: []string{"email"}}); err != nil {
		t.Fatal(err)
	}
	u, err := e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("dana")})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range u.UserAttributes {
		switch aws.ToString(a.Name) {
		case "custom:plan", "email", "email_verified":
			t.Fatalf("%s still set", aws.ToString(a.Name))
		}
	}

	// VerifyUserAttribute with the code GetUserAttributeVerificationCode sent.
	if _, err := e.IDP.AdminUpdateUserAttributes(ctx, &cip.AdminUpdateUserAttributesInput{UserPoolId: &poolID, Username: aws.String("dana"),
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String("dana2@example.com")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.GetUserAttributeVerificationCode(ctx, &cip.GetUserAttributeVerificationCodeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email")}); err != nil {
		t.Fatal(err)
	}
	_, err = e.IDP.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email"), Code: aws.String("000000")})
	emulatortest.APIError(t, err, "CodeMismatchException", "")
	code := e.lastCode(t, poolID, "dana", "")
	if _, err := e.IDP.VerifyUserAttribute(ctx, &cip.VerifyUserAttributeInput{AccessToken: res.AccessToken, AttributeName: aws.String("email"), Code: &code}); err != nil {
		t.Fatal(err)
	}
	u, _ = e.IDP.AdminGetUser(ctx, &cip.AdminGetUserInput{UserPoolId: &poolID, Username: aws.String("dana")})
	verified := false
	for _, a := range u.UserAttributes {
		verified = verified || (aws.ToString(a.Name) == "email_verified" && aws.ToString(a.Value) == "true")
	}
	if !verified {
		t.Fatal("email not verified")
	}
}
