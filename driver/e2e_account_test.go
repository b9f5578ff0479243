package driver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/emulatortest"
)

// End-to-end tests of the rest of the loop: sign-up, password reset, refresh and
// sign-out, with codes read from the embedded pool's outbox over HTTP.

func emailPool(t *testing.T) *pool {
	return newPool(t, poolOpts{create: func(in *cip.CreateUserPoolInput) {
		in.AutoVerifiedAttributes = []types.VerifiedAttributeType{types.VerifiedAttributeTypeEmail}
	}})
}

// signUp → (sign-in says confirmSignUp) → resend → confirmSignUp with the newest code
// → autoSignIn → done.
func TestE2ESignUpAutoSignIn(t *testing.T) {
	t.Parallel()
	p := emailPool(t)
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			user, email := "sam-"+d.String(), "sam-"+d.String()+"@example.com"
			a := p.client(t, d).NewAuth()
			su, err := a.SignUp(ctx, user, e2ePassword, driver.SignUpOptions{UserAttributes: map[string]string{"email": email}, AutoSignIn: true})
			if err != nil {
				t.Fatalf("SignUp: %v", err)
			}
			if su.IsSignUpComplete || su.NextStep != "CONFIRM_SIGN_UP" || su.UserID == "" {
				t.Fatalf("SignUp = %+v", su)
			}
			if dd := su.CodeDeliveryDetails; dd == nil || dd.DeliveryMedium != "EMAIL" || dd.AttributeName != "email" || dd.Destination == "" || dd.Destination == email {
				t.Fatalf("SignUp delivery = %+v, want a masked email", su.CodeDeliveryDetails)
			}
			first := p.outboxCode(t, user, "SIGN_UP")

			// Not confirmed yet: signIn says so as a step (on another Auth, so the
			// pending auto sign-in stays).
			res, err := p.client(t, d).NewAuth().SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
			if err != nil || res.NextStep.SignInStep != driver.ConfirmSignUp {
				t.Fatalf("SignIn before confirmation = %+v, %v", res, err)
			}

			dd, err := a.ResendSignUpCode(ctx, user)
			if err != nil {
				t.Fatalf("ResendSignUpCode: %v", err)
			}
			if dd == nil || dd.DeliveryMedium != "EMAIL" || dd.AttributeName != "email" {
				t.Fatalf("ResendSignUpCode delivery = %+v", dd)
			}
			code := p.outboxCode(t, user, "SIGN_UP")
			if code != first {
				// The resent code replaced the first one.
				_, err := a.ConfirmSignUp(ctx, user, first)
				wantServiceError(t, err, "ConfirmSignUp", "CodeMismatchException", "")
			}

			cs, err := a.ConfirmSignUp(ctx, user, code)
			if err != nil {
				t.Fatalf("ConfirmSignUp: %v", err)
			}
			if !cs.IsSignUpComplete || cs.NextStep != "COMPLETE_AUTO_SIGN_IN" {
				t.Fatalf("ConfirmSignUp = %+v", cs)
			}
			res, err = a.AutoSignIn(ctx)
			wantDone(t, a, res, err, user)
			if at := p.attrs(t, user); at["@status"] != "CONFIRMED" || at["email_verified"] != "true" {
				t.Errorf("after confirmation: status %s email_verified %q", at["@status"], at["email_verified"])
			}

			// The auto sign-in is spent.
			var se *driver.StateError
			if _, err := a.AutoSignIn(ctx); !errors.As(err, &se) || se.Name != "AutoSignInException" {
				t.Errorf("second AutoSignIn: %v", err)
			}
		})
	}
}

// A sign-up without autoSignIn confirms to DONE; a wrong code is Cognito's error.
func TestE2EConfirmSignUpWithoutAutoSignIn(t *testing.T) {
	t.Parallel()
	p := emailPool(t)
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			user := "tom-" + d.String()
			a := p.client(t, d).NewAuth()
			if _, err := a.SignUp(ctx, user, e2ePassword, driver.SignUpOptions{UserAttributes: map[string]string{"email": user + "@example.com"}}); err != nil {
				t.Fatal(err)
			}
			code := p.outboxCode(t, user, "SIGN_UP")
			wrong := "000000"
			if code == wrong {
				wrong = "111111"
			}
			_, err := a.ConfirmSignUp(ctx, user, wrong)
			wantServiceError(t, err, "ConfirmSignUp", "CodeMismatchException", "")
			cs, err := a.ConfirmSignUp(ctx, user, code)
			if err != nil || !cs.IsSignUpComplete || cs.NextStep != "DONE" {
				t.Fatalf("ConfirmSignUp = %+v, %v", cs, err)
			}
			var se *driver.StateError
			if _, err := a.AutoSignIn(ctx); !errors.As(err, &se) {
				t.Errorf("AutoSignIn without the option: %v", err)
			}
			res, err := a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
			wantDone(t, a, res, err, user)
		})
	}
}

// resetPassword + confirmResetPassword with the emailed code, for a confirmed user and
// for one whose sign-in said resetPassword; then the new password signs in and the old
// one does not.
func TestE2EResetPassword(t *testing.T) {
	t.Parallel()
	p := emailPool(t)
	ctx := context.Background()
	for _, d := range e2eDialects {
		for _, required := range []bool{false, true} {
			name := d.String() + "/forgot"
			if required {
				name = d.String() + "/reset-required"
			}
			t.Run(name, func(t *testing.T) {
				user := "rob-" + d.String()
				if required {
					user = "rae-" + d.String()
				}
				p.user(t, user, e2ePassword, false, "email", user+"@example.com", "email_verified", "true")
				a := p.client(t, d).NewAuth()
				if required {
					if _, err := p.IDP.AdminResetUserPassword(ctx, &cip.AdminResetUserPasswordInput{UserPoolId: &p.id, Username: &user}); err != nil {
						t.Fatal(err)
					}
					res, err := a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
					if err != nil || res.NextStep.SignInStep != driver.ResetPassword || res.NextStep.JSStep() != "RESET_PASSWORD" {
						t.Fatalf("SignIn = %+v, %v; want resetPassword", res, err)
					}
				}
				dd, err := a.ResetPassword(ctx, user)
				if err != nil {
					t.Fatalf("ResetPassword: %v", err)
				}
				if dd == nil || dd.DeliveryMedium != "EMAIL" || dd.AttributeName != "email" {
					t.Fatalf("ResetPassword delivery = %+v", dd)
				}
				code := p.outboxCode(t, user, "FORGOT_PASSWORD")
				const newPassword = "N3w-Passw0rd!"
				wrong := "000000"
				if code == wrong {
					wrong = "111111"
				}
				err = a.ConfirmResetPassword(ctx, user, wrong, newPassword)
				wantServiceError(t, err, "ConfirmForgotPassword", "CodeMismatchException", "")
				if err := a.ConfirmResetPassword(ctx, user, code, newPassword); err != nil {
					t.Fatalf("ConfirmResetPassword: %v", err)
				}
				_, err = a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
				wantServiceError(t, err, "RespondToAuthChallenge", "NotAuthorizedException", "Incorrect username or password.")
				res, err := a.SignIn(ctx, user, newPassword, driver.SignInOptions{})
				wantDone(t, a, res, err, user)
			})
		}
	}
}

// Refresh gets new id and access tokens that work; the refresh token stays.
func TestE2ERefresh(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	p.user(t, "rhea", e2ePassword, false)
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			a := p.client(t, d).NewAuth()
			var se *driver.StateError
			if _, err := a.Refresh(ctx); !errors.As(err, &se) {
				t.Fatalf("Refresh while signed out: %v", err)
			}
			res, err := a.SignIn(ctx, "rhea", e2ePassword, driver.SignInOptions{})
			old := wantDone(t, a, res, err, "rhea")
			octx, obs := e2eObserve()
			nt, err := a.Refresh(octx)
			if err != nil {
				t.Fatalf("Refresh: %v", err)
			}
			if got := obs.calls(); len(got) != 1 || got[0] != "InitiateAuth" {
				t.Errorf("Refresh calls %v", got)
			}
			if nt.AccessToken == "" || nt.IDToken == "" || nt.RefreshToken != old.RefreshToken || nt.Username != "rhea" {
				t.Fatalf("refreshed tokens: access %t id %t same refresh %t user %q", nt.AccessToken != "", nt.IDToken != "", nt.RefreshToken == old.RefreshToken, nt.Username)
			}
			if nt.AccessToken == old.AccessToken {
				t.Error("Refresh returned the old access token")
			}
			if held := a.Tokens(); held == nil || *held != *nt {
				t.Error("Auth.Tokens() is not the refreshed tokens")
			}
			if c := emulatortest.Claims(t, nt.IDToken); c["cognito:username"] != "rhea" || c["token_use"] != "id" {
				t.Errorf("refreshed id token claims %v", c)
			}
			u, err := p.getUser(nt.AccessToken)
			if err != nil || aws.ToString(u.Username) != "rhea" {
				t.Fatalf("GetUser with the refreshed access token: %v", err)
			}
		})
	}
}

// A local sign-out revokes the refresh token (and the access tokens issued from it),
// but leaves the user's other sessions alone.
func TestE2ESignOutLocal(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	p.user(t, "lou", e2ePassword, false)
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			c := p.client(t, d)
			a, other := c.NewAuth(), c.NewAuth()
			res, err := a.SignIn(ctx, "lou", e2ePassword, driver.SignInOptions{})
			tk := wantDone(t, a, res, err, "lou")
			res, err = other.SignIn(ctx, "lou", e2ePassword, driver.SignInOptions{})
			otk := wantDone(t, other, res, err, "lou")

			octx, obs := e2eObserve()
			if err := a.SignOut(octx, false); err != nil {
				t.Fatalf("SignOut: %v", err)
			}
			if got := obs.calls(); len(got) != 1 || got[0] != "RevokeToken" {
				t.Errorf("SignOut calls %v, want [RevokeToken]", got)
			}
			if a.Tokens() != nil {
				t.Error("tokens kept after SignOut")
			}
			var se *driver.StateError
			if _, err := a.Refresh(ctx); !errors.As(err, &se) {
				t.Errorf("Refresh after SignOut: %v", err)
			}
			var nae *types.NotAuthorizedException
			if err := p.refreshWith(p.clientID, tk.RefreshToken); !errors.As(err, &nae) {
				t.Errorf("REFRESH_TOKEN_AUTH with the revoked token: %v, want NotAuthorizedException", err)
			}
			if _, err := p.getUser(tk.AccessToken); !errors.As(err, &nae) {
				t.Errorf("GetUser with the revoked session's access token: %v, want NotAuthorizedException", err)
			}
			// The other session lives on.
			if _, err := p.getUser(otk.AccessToken); err != nil {
				t.Errorf("the other session's access token: %v", err)
			}
			if _, err := other.Refresh(ctx); err != nil {
				t.Errorf("the other session's refresh: %v", err)
			}
			// Signing out again is a no-op; signing in again works.
			if err := a.SignOut(ctx, false); err != nil {
				t.Errorf("second SignOut: %v", err)
			}
			res, err = a.SignIn(ctx, "lou", e2ePassword, driver.SignInOptions{})
			wantDone(t, a, res, err, "lou")
		})
	}
}

// A global sign-out revokes every token of the user, in every session.
func TestE2ESignOutGlobal(t *testing.T) {
	t.Parallel()
	p := newPool(t, poolOpts{})
	for _, d := range e2eDialects {
		t.Run(d.String(), func(t *testing.T) {
			ctx := context.Background()
			user := "gus-" + d.String()
			p.user(t, user, e2ePassword, false)
			c := p.client(t, d)
			a, other := c.NewAuth(), c.NewAuth()
			res, err := a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
			tk := wantDone(t, a, res, err, user)
			res, err = other.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
			otk := wantDone(t, other, res, err, user)

			octx, obs := e2eObserve()
			if err := a.SignOut(octx, true); err != nil {
				t.Fatalf("SignOut(global): %v", err)
			}
			if got := obs.calls(); len(got) == 0 || got[0] != "GlobalSignOut" {
				t.Errorf("SignOut(global) calls %v", got)
			}
			if a.Tokens() != nil {
				t.Error("tokens kept after SignOut")
			}
			for name, at := range map[string]string{"own": tk.AccessToken, "other session's": otk.AccessToken} {
				_, err := p.getUser(at)
				var nae *types.NotAuthorizedException
				if !errors.As(err, &nae) {
					t.Errorf("GetUser with the %s old access token: %v, want NotAuthorizedException", name, err)
				}
			}
			_, err = other.Refresh(ctx)
			wantServiceError(t, err, "InitiateAuth", "NotAuthorizedException", "")
			res, err = a.SignIn(ctx, user, e2ePassword, driver.SignInOptions{})
			wantDone(t, a, res, err, user)
		})
	}
}
