package idp

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"strings"
)

// Declarative custom authentication: a pool's fixture may describe its custom
// challenges instead of naming Lambda functions. The emulator then plays the three
// triggers itself:
//
//   - Define: when the client began with SRP (CHALLENGE_NAME=SRP_A) it asks for
//     PASSWORD_VERIFIER first; a pool with SRPFirst refuses a flow without it. Then
//     each round in order: a right answer moves on, a wrong one is retried on a new
//     challenge until the round's attempts are spent, which fails the sign-in
//     (NotAuthorizedException). After the last round, tokens.
//   - Create: the round's public and private parameters and challenge metadata; a
//     round with Code "email" or "sms" sends a fresh 6-digit code to the outbox
//     (purpose CUSTOM_CHALLENGE) and expects it as the answer.
//   - Verify: the answer equals one of the round's Answers (or, without Answers, the
//     private parameter "answer"). An unknown user's answers are always wrong.

// CustomAuthConfig is a pool's declarative custom authentication.
type CustomAuthConfig struct {
	// SRPFirst requires the client to prove the password with SRP before the
	// custom rounds (CUSTOM_WITH_SRP); without it either kind of flow is accepted.
	SRPFirst bool `json:"srpFirst,omitempty" yaml:"srpFirst"`
	// Rounds are the custom challenges, in order.
	Rounds []CustomRound `json:"rounds" yaml:"rounds"`
}

// CustomRound is one CUSTOM_CHALLENGE of a declarative custom authentication.
type CustomRound struct {
	// ChallengeMetadata names the round in the session history triggers see.
	ChallengeMetadata string `json:"challengeMetadata,omitempty" yaml:"challengeMetadata"`
	// PublicParameters are the challenge parameters the client sees.
	PublicParameters map[string]string `json:"publicParameters,omitempty" yaml:"publicParameters"`
	// PrivateParameters are kept on the server for the verification.
	PrivateParameters map[string]string `json:"privateParameters,omitempty" yaml:"privateParameters"`
	// Answers are the accepted answers.
	Answers []string `json:"answers,omitempty" yaml:"answers"`
	// Code, "email" or "sms", sends a random code to the user and expects it.
	Code string `json:"code,omitempty" yaml:"code"`
	// Attempts is how many answers the round allows; default 1.
	Attempts int `json:"attempts,omitempty" yaml:"attempts"`
}

// validate checks a declarative configuration.
func (c *CustomAuthConfig) validate() error {
	if len(c.Rounds) == 0 && !c.SRPFirst {
		return fmt.Errorf("customAuth: no rounds, and srpFirst is not set")
	}
	for i, r := range c.Rounds {
		if r.Attempts < 0 {
			return fmt.Errorf("customAuth.rounds[%d]: attempts must not be negative", i)
		}
		switch r.Code {
		case "", "email", "sms":
		default:
			return fmt.Errorf("customAuth.rounds[%d]: code %q: want email or sms", i, r.Code)
		}
		if r.Code == "" && len(r.Answers) == 0 && r.PrivateParameters["answer"] == "" {
			return fmt.Errorf("customAuth.rounds[%d]: no answers (set answers, privateParameters.answer or code)", i)
		}
	}
	return nil
}

func (r CustomRound) attempts() int { return max(r.Attempts, 1) }

// poolExt is what a pool keeps beyond Cognito's own settings: the declarative
// custom authentication and the pool's quotas. It is persisted with the pool.
type poolExt struct {
	CustomAuth *CustomAuthConfig `json:"customAuth,omitempty"`
	Quotas     *PoolQuotas       `json:"quotas,omitempty"`
}

// marshalExt returns the pool's extension settings for a snapshot, or nil. The
// caller holds p.mu.
func (p *Pool) marshalExt() json.RawMessage {
	if p.ext.CustomAuth == nil && p.ext.Quotas == nil {
		return nil
	}
	b, _ := json.Marshal(p.ext)
	return b
}

// unmarshalExt restores the pool's extension settings from a snapshot.
func (p *Pool) unmarshalExt(b json.RawMessage) error {
	if len(b) == 0 {
		return nil
	}
	if err := json.Unmarshal(b, &p.ext); err != nil {
		return err
	}
	return nil
}

// SeedPoolSettings gives a pool its declarative custom authentication and its own
// quotas (either may be nil).
func (s *Service) SeedPoolSettings(poolID string, custom *CustomAuthConfig, quotas *PoolQuotas) error {
	if custom != nil {
		if err := custom.validate(); err != nil {
			return err
		}
	}
	if quotas != nil {
		if err := quotas.validate(); err != nil {
			return err
		}
	}
	p, err := s.pool(poolID)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.ext.CustomAuth, p.ext.Quotas = custom, quotas
	p.mu.Unlock()
	if quotas != nil {
		s.limits.poolQuotas.Store(true)
	}
	return nil
}

// declarativeDefine is the Define trigger of a declarative configuration.
func declarativeDefine(c *CustomAuthConfig, hist []challengeResult) defineResult {
	fail := defineResult{FailAuthentication: true}
	i := 0
	if len(hist) > 0 && hist[0].ChallengeName == "SRP_A" {
		if len(hist) == 1 {
			return defineResult{ChallengeName: "PASSWORD_VERIFIER"}
		}
		if hist[1].ChallengeName != "PASSWORD_VERIFIER" || !hist[1].ChallengeResult {
			return fail
		}
		i = 2
	} else if c.SRPFirst {
		return fail
	}
	round, failed := 0, 0
	for _, h := range hist[i:] {
		if round >= len(c.Rounds) {
			return fail
		}
		if h.ChallengeResult {
			round, failed = round+1, 0
			continue
		}
		failed++
		if failed >= c.Rounds[round].attempts() {
			return fail
		}
	}
	if round >= len(c.Rounds) {
		return defineResult{IssueTokens: true}
	}
	return defineResult{ChallengeName: "CUSTOM_CHALLENGE"}
}

// declarativeRound returns the index of the round a history has reached.
func declarativeRound(hist []challengeResult) int {
	round := 0
	for _, h := range hist {
		if h.ChallengeName == "CUSTOM_CHALLENGE" && h.ChallengeResult {
			round++
		}
	}
	return round
}

// declarativeCreate is the Create trigger of a declarative configuration. It sends
// the round's code, if any; the caller does not hold p.mu.
func (s *Service) declarativeCreate(p *Pool, c *CustomAuthConfig, u *User, hist []challengeResult) (createResult, int) {
	n := declarativeRound(hist)
	if n >= len(c.Rounds) {
		n = len(c.Rounds) - 1
	}
	r := c.Rounds[n]
	res := createResult{
		PublicChallengeParameters:  map[string]string{},
		PrivateChallengeParameters: map[string]string{},
		ChallengeMetadata:          r.ChallengeMetadata,
	}
	for k, v := range r.PublicParameters {
		res.PublicChallengeParameters[k] = v
	}
	for k, v := range r.PrivateParameters {
		res.PrivateChallengeParameters[k] = v
	}
	if r.Code != "" && u != nil {
		p.mu.Lock()
		var d CodeDeliveryDetailsType
		if r.Code == "sms" && u.Attrs["phone_number"] != "" {
			d = CodeDeliveryDetailsType{AttributeName: ptr("phone_number"), DeliveryMedium: "SMS", Destination: ptr(maskPhone(u.Attrs["phone_number"]))}
		} else if u.Attrs["email"] != "" {
			d = CodeDeliveryDetailsType{AttributeName: ptr("email"), DeliveryMedium: "EMAIL", Destination: ptr(maskEmail(u.Attrs["email"]))}
		}
		if d.DeliveryMedium != "" {
			v := s.randString(6, digits)
			s.send(p, u, d, purposeCustom, v, "Your sign-in code is "+v)
			res.PrivateChallengeParameters["code"] = v
			res.PublicChallengeParameters["CODE_DELIVERY_DELIVERY_MEDIUM"] = d.DeliveryMedium
			res.PublicChallengeParameters["CODE_DELIVERY_DESTINATION"] = deref(d.Destination)
		}
		p.mu.Unlock()
	}
	return res, n
}

// purposeCustom is the outbox purpose of declarative custom challenge codes.
const purposeCustom = "CUSTOM_CHALLENGE"

// declarativeVerify is the Verify trigger of a declarative configuration.
func declarativeVerify(c *CustomAuthConfig, round int, private map[string]string, answer string, userNotFound bool) bool {
	if userNotFound || round < 0 || round >= len(c.Rounds) {
		return false
	}
	r := c.Rounds[round]
	want := r.Answers
	switch {
	case r.Code != "":
		want = []string{private["code"]}
	case len(want) == 0:
		want = []string{private["answer"]}
	}
	ok := false
	for _, w := range want {
		if w != "" && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(answer)), []byte(w)) == 1 {
			ok = true
		}
	}
	return ok
}
