package driver_test

import (
	"context"
	"fmt"
	"log"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/emulator"
)

// examplePool starts an embedded pool on 127.0.0.1 with one app client and a user
// created by an administrator with a temporary password. It returns the driver's
// client for it and a function that stops the pool.
func examplePool(d driver.Dialect) (*driver.Client, func()) {
	ctx := context.Background()
	srv := emulator.New(emulator.Options{})
	if err := srv.Start(ctx, "127.0.0.1:0"); err != nil {
		log.Fatal(err)
	}
	admin := driver.NewSDKClient("us-east-1_x", driver.Endpoint{URL: srv.Endpoint()})
	p, err := admin.CreateUserPool(ctx, &cip.CreateUserPoolInput{PoolName: aws.String("example")})
	if err != nil {
		log.Fatal(err)
	}
	app, err := admin.CreateUserPoolClient(ctx, &cip.CreateUserPoolClientInput{UserPoolId: p.UserPool.Id, ClientName: aws.String("app"),
		ExplicitAuthFlows: []types.ExplicitAuthFlowsType{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := admin.AdminCreateUser(ctx, &cip.AdminCreateUserInput{UserPoolId: p.UserPool.Id, Username: aws.String("alice"),
		TemporaryPassword: aws.String("Temp0rary!"), MessageAction: types.MessageActionTypeSuppress}); err != nil {
		log.Fatal(err)
	}
	poolID := aws.ToString(p.UserPool.Id)
	c, err := driver.New(driver.NewSDKClient(poolID, driver.Endpoint{URL: srv.Endpoint()}),
		driver.Config{PoolID: poolID, ClientID: aws.ToString(app.UserPoolClient.ClientId), Dialect: d})
	if err != nil {
		log.Fatal(err)
	}
	return c, func() { srv.Close() }
}

// Signing in with a temporary password: the next step asks for a new one.
func ExampleAuth_SignIn() {
	c, stop := examplePool(driver.Flutter)
	defer stop()

	auth := c.NewAuth()
	res, err := auth.SignIn(context.Background(), "alice", "Temp0rary!", driver.SignInOptions{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println("signed in:", res.IsSignedIn)
	fmt.Println("Flutter step:", res.NextStep.SignInStep)
	fmt.Println("JS step:", res.NextStep.JSStep())
	// Output:
	// signed in: false
	// Flutter step: confirmSignInWithNewPassword
	// JS step: CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED
}

// Answering the new-password step with confirmSignIn completes the sign-in.
func ExampleAuth_ConfirmSignIn() {
	c, stop := examplePool(driver.JS)
	defer stop()

	ctx := context.Background()
	auth := c.NewAuth()
	res, err := auth.SignIn(ctx, "alice", "Temp0rary!", driver.SignInOptions{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(res.NextStep.SignInStep)

	res, err = auth.ConfirmSignIn(ctx, "N3w-Passw0rd!", driver.ConfirmOptions{})
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(res.NextStep.SignInStep, res.NextStep.JSStep())
	fmt.Println("isSignedIn:", res.IsSignedIn, "tokens:", auth.Tokens() != nil, "user:", auth.Tokens().Username)
	// Output:
	// confirmSignInWithNewPassword
	// done DONE
	// isSignedIn: true tokens: true user: alice
}
