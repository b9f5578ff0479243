package idp

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// Seeding: creating pools, clients and users with chosen ids and in any state, for
// fixtures. The API operations do the validation; these add what the API cannot say
// (a fixed pool id or client secret, a user in a given state).

// SeedPool is a pool to create.
type SeedPool struct {
	// ID is the pool id to use ("<region>_<alphanumerics>"); empty picks one.
	ID string
	// Input is the CreateUserPool request.
	Input CreateUserPoolInput
}

var poolIDPattern = regexp.MustCompile(`^[\w-]+_[0-9a-zA-Z]+$`)

// SeedCreatePool creates a pool, with the given id when set.
func (s *Service) SeedCreatePool(ctx context.Context, sp SeedPool) (string, error) {
	if sp.ID != "" {
		if !poolIDPattern.MatchString(sp.ID) {
			return "", fmt.Errorf("pool id %q: want <region>_<alphanumerics>", sp.ID)
		}
		if _, err := s.pool(sp.ID); err == nil {
			return "", fmt.Errorf("pool id %q: already exists", sp.ID)
		}
	}
	out, err := s.CreateUserPool(ctx, &sp.Input)
	if err != nil {
		return "", err
	}
	id := deref(out.UserPool.Id)
	if sp.ID == "" {
		return id, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.pools[id]
	delete(s.pools, id)
	p.mu.Lock()
	p.id = sp.ID
	p.realm = sp.ID[strings.IndexByte(sp.ID, '_')+1:]
	p.cfg.Id = ptr(sp.ID)
	p.cfg.Arn = ptr("arn:aws:cognito-idp:" + s.opts.Region + ":000000000000:userpool/" + sp.ID)
	p.mu.Unlock()
	s.pools[sp.ID] = p
	return sp.ID, nil
}

// SeedClient is an app client to create.
type SeedClient struct {
	// ID and Secret fix the client id and secret; empty picks them (a secret only
	// when Input.GenerateSecret is set).
	ID, Secret string
	Input      CreateUserPoolClientInput
}

var clientIDPattern = regexp.MustCompile(`^[\w+]{1,128}$`)

// SeedCreateClient creates an app client and returns its id and secret.
func (s *Service) SeedCreateClient(ctx context.Context, sc SeedClient) (id, secret string, err error) {
	if sc.ID != "" && !clientIDPattern.MatchString(sc.ID) {
		return "", "", fmt.Errorf("client id %q: want 1-128 word characters", sc.ID)
	}
	if sc.Secret != "" {
		sc.Input.GenerateSecret = true
	}
	out, err := s.CreateUserPoolClient(ctx, &sc.Input)
	if err != nil {
		return "", "", err
	}
	c := out.UserPoolClient
	p, err := s.pool(sc.Input.UserPoolId)
	if err != nil {
		return "", "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	ac := p.clients[deref(c.ClientId)]
	if sc.ID != "" {
		if _, taken := p.clients[sc.ID]; taken {
			return "", "", fmt.Errorf("client id %q: already exists", sc.ID)
		}
		delete(p.clients, deref(c.ClientId))
		ac.cfg.ClientId = ptr(sc.ID)
		p.clients[sc.ID] = ac
	}
	if sc.Secret != "" {
		ac.cfg.ClientSecret = ptr(sc.Secret)
	}
	return ac.id(), ac.secret(), nil
}

// SeedUser is a user to create.
type SeedUser struct {
	Username   string
	Attributes map[string]string
	// Password is the permanent password (CONFIRMED, UNCONFIRMED or RESET_REQUIRED
	// users) or the temporary one (FORCE_CHANGE_PASSWORD).
	Password string
	// Status is the user's state; empty means CONFIRMED.
	Status string
	// Disabled creates the user disabled.
	Disabled bool
}

// SeedCreateUser creates a user in the given state, sending nothing.
func (s *Service) SeedCreateUser(ctx context.Context, poolID string, su SeedUser) error {
	status := su.Status
	if status == "" {
		status = StatusConfirmed
	}
	switch status {
	case StatusConfirmed, StatusUnconfirmed, StatusForceChangePassword, StatusResetRequired:
	default:
		return fmt.Errorf("user %q: unknown status %q", su.Username, su.Status)
	}
	if su.Password == "" && status != StatusResetRequired {
		return fmt.Errorf("user %q: a %s user needs a password", su.Username, status)
	}
	var attrs []AttributeType
	for k, v := range su.Attributes {
		attrs = append(attrs, AttributeType{Name: ptr(k), Value: ptr(v)})
	}
	if _, err := s.AdminCreateUser(ctx, &AdminCreateUserInput{UserPoolId: poolID, Username: su.Username, UserAttributes: attrs, MessageAction: "SUPPRESS"}); err != nil {
		return err
	}
	p, u, err := s.userOf(poolID, su.Username)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if su.Password != "" {
		if e := p.checkPassword(su.Password); e != nil {
			return e
		}
		if status == StatusForceChangePassword {
			s.setTemporaryPassword(p, u, su.Password)
		} else {
			s.setPassword(p, u, su.Password)
		}
	}
	u.Status = status
	u.Enabled = !su.Disabled
	return nil
}
