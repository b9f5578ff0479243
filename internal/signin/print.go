package signin

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/authbench/authbench/driver"
)

// stepLine is a step as a JSON line; it carries no secret.
type stepLine struct {
	Time       string          `json:"time"`
	SignInStep driver.Step     `json:"signInStep"`
	JSStep     string          `json:"jsSignInStep"`
	IsSignedIn bool            `json:"isSignedIn"`
	NextStep   driver.NextStep `json:"nextStep"`
	Username   string          `json:"username,omitempty"`
}

// print writes the step a sign-in reached to Stdout: a JSON line, or an arrow, the
// step's Flutter and JS names and what the step carries (never a secret).
func (s *session) print(res driver.Result) {
	n := res.NextStep
	out := s.o.Stdout
	if s.o.JSON {
		l := stepLine{Time: s.o.Now().UTC().Format(time.RFC3339Nano), SignInStep: n.SignInStep, JSStep: n.JSStep(), IsSignedIn: res.IsSignedIn, NextStep: n}
		if res.IsSignedIn {
			l.Username = s.auth.Username()
		}
		b, _ := json.Marshal(l)
		fmt.Fprintln(out, string(b))
		return
	}
	fmt.Fprintf(out, "→ %s (%s)", n.SignInStep, n.JSStep())
	switch {
	case res.IsSignedIn:
		fmt.Fprintf(out, ": signed in as %s", s.auth.Username())
	case n.CodeDeliveryDetails != nil:
		fmt.Fprintf(out, ": code via %s to %s", n.CodeDeliveryDetails.DeliveryMedium, n.CodeDeliveryDetails.Destination)
	case len(n.AllowedMFATypes) > 0:
		fmt.Fprintf(out, ": %v", n.AllowedMFATypes)
	case len(n.AvailableFactors) > 0:
		fmt.Fprintf(out, ": %v", n.AvailableFactors)
	case len(n.MissingAttributes) > 0:
		fmt.Fprintf(out, ": missing attributes %v", n.MissingAttributes)
	}
	if n.TOTPSetupDetails != nil {
		fmt.Fprint(out, " (TOTP secret received)")
	}
	fmt.Fprintln(out)
}
