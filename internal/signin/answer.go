package signin

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/authbench/authbench/driver"
	"github.com/authbench/authbench/internal/exitcode"
	"github.com/authbench/authbench/mfa"
)

// answer finds the value for a step: an option, a code source, or the terminal.
func (s *session) answer(ctx context.Context, n driver.NextStep, password string) (string, driver.ConfirmOptions, error) {
	var o driver.ConfirmOptions
	pick := func(given, question string, secret bool) (string, error) {
		if given != "" {
			return given, nil
		}
		return s.ask(ctx, question, secret)
	}
	switch n.SignInStep {
	case driver.ConfirmSignInWithSMSMFACode, driver.ConfirmSignInWithOTPCode:
		d := n.CodeDeliveryDetails
		req := mfa.Request{PoolID: s.auth.Client().Config().PoolID, Username: s.auth.Username(), After: s.started.Add(-time.Second)}
		if d != nil {
			req.Medium, req.Destination = d.DeliveryMedium, d.Destination
		}
		code, err := s.o.Codes.Code(ctx, req)
		return code, o, err
	case driver.ConfirmSignInWithTOTPMFACode:
		c, err := s.totpCode(ctx)
		return c, o, err
	case driver.ContinueSignInWithMFASelection:
		v, err := pick(s.o.MFAChoice, fmt.Sprintf("Choose an MFA type %v: ", n.AllowedMFATypes), shown)
		return v, o, err
	case driver.ContinueSignInWithMFASetupSelection, driver.ContinueSignInWithTOTPSetup, driver.ContinueSignInWithEmailMFASetup:
		switch {
		case n.TOTPSetupDetails != nil:
			s.secret = n.TOTPSetupDetails.SharedSecret
			if s.o.TOTPSecret == "" && !s.o.NoPrompt {
				uri, err := mfa.SetupURI(s.secret, "authbench", s.auth.Username())
				if err == nil {
					fmt.Fprintf(s.o.Stderr, "Add this TOTP device to an authenticator app (this URI contains its secret): %s\n", uri)
				}
			}
			o.FriendlyDeviceName = s.o.DeviceName
			c, err := s.totpCode(ctx)
			return c, o, err
		case n.SignInStep == driver.ContinueSignInWithEmailMFASetup || (len(n.AllowedMFATypes) == 1 && n.AllowedMFATypes[0] == driver.MFAEmail):
			v, err := pick(s.o.Email, "Email address for email MFA: ", shown)
			return v, o, err
		}
		choice := s.o.MFAChoice
		if choice == "" && len(n.AllowedMFATypes) > 0 && s.o.NoPrompt {
			choice = string(n.AllowedMFATypes[0])
		}
		v, err := pick(choice, fmt.Sprintf("Choose an MFA type to set up %v: ", n.AllowedMFATypes), shown)
		return v, o, err
	case driver.ContinueSignInWithFirstFactorSelection:
		v, err := pick(s.o.FirstFactor, fmt.Sprintf("Choose a first factor %v: ", n.AvailableFactors), shown)
		return v, o, err
	case driver.ConfirmSignInWithPassword:
		v, err := pick(password, "Password: ", hidden)
		return v, o, err
	case driver.ConfirmSignInWithNewPassword:
		o.UserAttributes = s.o.Attributes
		for _, a := range n.MissingAttributes {
			if o.UserAttributes[a] == "" {
				v, err := s.ask(ctx, "Value of required attribute "+a+": ", shown)
				if err != nil {
					return "", o, err
				}
				o.UserAttributes[a] = v
			}
		}
		v, err := pick(s.o.NewPassword, "New password: ", hidden)
		return v, o, err
	case driver.ConfirmSignInWithCustomChallenge:
		if len(s.answers) > 0 {
			v := s.answers[0]
			s.answers = s.answers[1:]
			return v, o, nil
		}
		v, err := s.ask(ctx, customQuestion(n.AdditionalInfo), customSecret(n.AdditionalInfo))
		return v, o, err
	}
	return "", o, fmt.Errorf("no way to answer step %s", n.SignInStep)
}

// totpCode computes a TOTP code from the known secret, or asks for one.
func (s *session) totpCode(ctx context.Context) (string, error) {
	secret := s.o.TOTPSecret
	if secret == "" {
		secret = s.secret
	}
	if secret == "" {
		return s.ask(ctx, "TOTP code: ", hidden)
	}
	if s.totp == nil {
		s.totp = &mfa.TOTP{Now: s.o.Now}
	}
	return s.totp.Next(ctx, secret)
}

// Whether ask echoes what is typed on a terminal.
const (
	shown  = false
	hidden = true
)

// customQuestion is the prompt for a custom challenge: the challenge's public
// "question" parameter when it has one (public parameters are shown to the user by
// design), else a generic question.
func customQuestion(public map[string]string) string {
	if q := strings.TrimSpace(public["question"]); q != "" {
		return "Answer to the custom challenge (" + q + "): "
	}
	return "Answer to the custom challenge: "
}

// customSecret reports whether a custom challenge marks its answer secret: a public
// parameter "secret" (or "sensitive") that is "true", "yes" or "1", as a Define Auth
// Challenge trigger or a fixture's publicParameters can set. An unmarked answer is
// echoed, as a question like "What is 6*7?" expects.
func customSecret(public map[string]string) bool {
	for _, k := range []string{"secret", "sensitive"} {
		switch strings.ToLower(strings.TrimSpace(public[k])) {
		case "true", "yes", "1":
			return true
		}
	}
	return false
}

// ask reads one answer from the terminal, unless prompting is off. A secret answer
// is not echoed on a terminal.
func (s *session) ask(ctx context.Context, question string, secret bool) (string, error) {
	what := strings.TrimSuffix(strings.TrimSpace(question), ":")
	if s.o.NoPrompt {
		return "", exitcode.Usagef("an answer is needed (%s) and --no-prompt is set", what)
	}
	fmt.Fprint(s.o.Stderr, question)
	l, err := s.in.ReadLine(ctx, secret)
	l = strings.TrimSpace(l)
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case l == "" && errors.Is(err, io.EOF):
		return "", exitcode.Usagef("no answer on standard input (%s)", what)
	case l == "" && err != nil:
		return "", err
	}
	return l, nil
}
