// Package driver signs users in to an Amazon Cognito user pool exactly as Amplify's
// signIn / confirmSignIn does, over aws-sdk-go-v2's cognitoidentityprovider.
//
// The model: a [Client] is the shared, concurrency-safe part (the SDK client, the pool
// and app client, the dialect); an [Auth] is one user's sign-in state, like the Auth
// category of one running app. [Auth.SignIn] starts a sign-in and returns a [Result]
// whose [NextStep] names what the app must do next with Amplify's step names
// ([Step]: confirmSignInWithSmsMfaCode, continueSignInWithMfaSelection, …, done); the
// app answers with [Auth.ConfirmSignIn] until the step is [Done] and tokens are held.
// Challenges the Amplify clients answer on their own — PASSWORD_VERIFIER,
// DEVICE_SRP_AUTH, DEVICE_PASSWORD_VERIFIER — are answered here too and never surface.
// UserNotConfirmedException and PasswordResetRequiredException become the
// confirmSignUp and resetPassword steps; every other service error is returned as a
// [*ServiceError] keeping Cognito's error name and message.
//
// Where Amplify Flutter and Amplify JS v6 disagree (MFA_SETUP steps, OTP step names,
// the attributes NEW_PASSWORD_REQUIRED sends, exceptions in confirmSignIn, side calls
// after MFA) the [Dialect] option chooses; Flutter is the default. Each step also knows
// its JS name ([Step.JS]).
//
// For benches, an [Observer] placed in the context with [WithObserver] receives the
// time spent in SRP math and in every API call attempt (from an SDK middleware placed
// after the retry loop; see [TimingMiddleware]).
package driver
