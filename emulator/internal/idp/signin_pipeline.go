package idp

import (
	"context"
	"time"
)

// The sign-in pipeline: once a user has proven a first factor (a password, an SRP
// proof, an OTP first factor, or a run of custom challenges), the remaining stages run
// in Cognito's order, each either answering with its challenge or passing on:
//
//  1. NEW_PASSWORD_REQUIRED for a user with a temporary password;
//  2. CUSTOM_CHALLENGE rounds of a CUSTOM_AUTH flow that began with SRP;
//  3. DEVICE_SRP_AUTH when the client presented a remembered device (which stands in
//     for MFA);
//  4. MFA: SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP, SELECT_MFA_TYPE or MFA_SETUP;
//  5. tokens, with NewDeviceMetadata when device tracking is on.
//
// A challenge's session carries the progress, so answering it resumes the pipeline at
// the next stage ([Service.proceed]).

// stage names a pipeline stage.
type stage int

const (
	stageNewPassword stage = iota
	stageCustom
	stageDevice
	stageMFA
	stageTokens
)

// progress is what a sign-in has established so far; sessions carry it.
type progress struct {
	flow      string
	admin     bool
	typedName string
	authTime  time.Time
	// deviceKey is the DEVICE_KEY the client presented, if any.
	deviceKey string
	// deviceProven is set once DEVICE_SRP_AUTH succeeded.
	deviceProven bool
	// meta is the ClientMetadata of the request, for triggers.
	meta map[string]string
}

// proceed runs the pipeline from stage from. It takes p.mu itself as needed; the
// caller must not hold it.
func (s *Service) proceed(ctx context.Context, r authRequest, u *User, pr progress, from stage) (*InitiateAuthOutput, error) {
	p := r.pool
	if pr.authTime.IsZero() {
		pr.authTime = s.now()
	}
	if from <= stageNewPassword {
		p.mu.Lock()
		if u.Status == StatusForceChangePassword {
			if !u.TempPasswordExpires.IsZero() && s.now().After(u.TempPasswordExpires) {
				p.mu.Unlock()
				return nil, errNotAuthorized(msgTempPasswordStale)
			}
			ss := s.newSession(p, r.client, u, "NEW_PASSWORD_REQUIRED")
			ss.setProgress(pr)
			params := newPasswordParams(p, u)
			p.mu.Unlock()
			return &InitiateAuthOutput{ChallengeName: "NEW_PASSWORD_REQUIRED", ChallengeParameters: params, Session: ptr(ss.id)}, nil
		}
		p.mu.Unlock()
	}
	if from <= stageCustom {
		if out, err := s.customNext(ctx, r, u, pr); out != nil || err != nil {
			return out, err
		}
	}
	if from <= stageDevice {
		if out, err := s.deviceNext(ctx, r, u, pr); out != nil || err != nil {
			return out, err
		}
	}
	if from <= stageMFA && !pr.deviceProven {
		if out, err := s.mfaNext(ctx, r, u, pr); out != nil || err != nil {
			return out, err
		}
	}
	res, err := s.issue(ctx, grant{pool: p, client: r.client, user: u, authTime: pr.authTime, withRefresh: true})
	if err != nil {
		return nil, err
	}
	res.NewDeviceMetadata = s.newDeviceMetadata(r, u, pr)
	if e := s.postAuthentication(ctx, r, u, pr, res.NewDeviceMetadata != nil); e != nil {
		return nil, e
	}
	p.mu.Lock()
	s.recordAuthEvent(p, u, "Pass", "Password", true)
	p.mu.Unlock()
	return &InitiateAuthOutput{AuthenticationResult: res, ChallengeParameters: map[string]string{}}, nil
}

// setProgress records a sign-in's progress in a challenge's session.
func (ss *session) setProgress(pr progress) {
	ss.pr = pr
	ss.admin, ss.flow, ss.typedName, ss.authTime = pr.admin, pr.flow, pr.typedName, pr.authTime
}

// authRequest rebuilds the request context of a challenge answer for the pipeline.
func (r challengeRequest) authRequest(ss *session) authRequest {
	return authRequest{flow: ss.flow, admin: ss.admin, pool: r.pool, client: r.client}
}
