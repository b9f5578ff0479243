package signin

import (
	"bufio"
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
	pick := func(given, question string) (string, error) {
		if given != "" {
			return given, nil
		}
		return s.ask(ctx, question)
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
		v, err := pick(s.o.MFAChoice, fmt.Sprintf("Choose an MFA type %v: ", n.AllowedMFATypes))
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
			v, err := pick(s.o.Email, "Email address for email MFA: ")
			return v, o, err
		}
		choice := s.o.MFAChoice
		if choice == "" && len(n.AllowedMFATypes) > 0 && s.o.NoPrompt {
			choice = string(n.AllowedMFATypes[0])
		}
		v, err := pick(choice, fmt.Sprintf("Choose an MFA type to set up %v: ", n.AllowedMFATypes))
		return v, o, err
	case driver.ContinueSignInWithFirstFactorSelection:
		v, err := pick(s.o.FirstFactor, fmt.Sprintf("Choose a first factor %v: ", n.AvailableFactors))
		return v, o, err
	case driver.ConfirmSignInWithPassword:
		v, err := pick(password, "Password: ")
		return v, o, err
	case driver.ConfirmSignInWithNewPassword:
		o.UserAttributes = s.o.Attributes
		for _, a := range n.MissingAttributes {
			if o.UserAttributes[a] == "" {
				v, err := s.ask(ctx, "Value of required attribute "+a+": ")
				if err != nil {
					return "", o, err
				}
				o.UserAttributes[a] = v
			}
		}
		v, err := pick(s.o.NewPassword, "New password: ")
		return v, o, err
	case driver.ConfirmSignInWithCustomChallenge:
		if len(s.answers) > 0 {
			v := s.answers[0]
			s.answers = s.answers[1:]
			return v, o, nil
		}
		v, err := s.ask(ctx, "Answer to the custom challenge: ")
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
		return s.ask(ctx, "TOTP code: ")
	}
	if s.totp == nil {
		s.totp = &mfa.TOTP{Now: s.o.Now}
	}
	return s.totp.Next(ctx, secret)
}

// ask reads one answer from the terminal, unless prompting is off.
func (s *session) ask(ctx context.Context, question string) (string, error) {
	if s.o.NoPrompt {
		return "", exitcode.Usagef("an answer is needed (%s) and --no-prompt is set", strings.TrimSuffix(strings.TrimSpace(question), ":"))
	}
	if s.lines == nil {
		s.lines = bufio.NewReader(s.o.Stdin)
	}
	fmt.Fprint(s.o.Stderr, question)
	type line struct {
		s   string
		err error
	}
	ch := make(chan line, 1)
	go func() {
		l, err := s.lines.ReadString('\n')
		ch <- line{strings.TrimSpace(l), err}
	}()
	select {
	case <-ctx.Done():
		return "", ctx.Err()
	case l := <-ch:
		if l.s == "" && l.err != nil {
			if errors.Is(l.err, io.EOF) {
				return "", exitcode.Usagef("no answer on standard input (%s)", strings.TrimSuffix(strings.TrimSpace(question), ":"))
			}
			return "", l.err
		}
		return l.s, nil
	}
}
