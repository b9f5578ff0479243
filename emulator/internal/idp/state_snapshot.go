package idp

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/authbench/authbench/emulator/internal/tokens"
	"github.com/authbench/authbench/srp"
)

// Persistence: a snapshot is the durable state of every pool as JSON: settings,
// clients, users (with SRP verifiers, never passwords), refresh tokens and signing
// keys. Sign-ins in progress (sessions) are not kept: they last minutes.

// SnapshotVersion is the format version of snapshots.
const SnapshotVersion = 1

type snapshot struct {
	Version int            `json:"version"`
	Saved   time.Time      `json:"saved"`
	Pools   []poolSnapshot `json:"pools"`
}

type poolSnapshot struct {
	ID      string               `json:"id"`
	Config  UserPoolType         `json:"config"`
	Clients []UserPoolClientType `json:"clients"`
	Users   []userSnapshot       `json:"users"`
	Refresh []refreshSnapshot    `json:"refreshTokens,omitempty"`
	Revoked map[string]time.Time `json:"revoked,omitempty"`
	Key     []byte               `json:"signingKey,omitempty"`
	Secret  []byte               `json:"secret"`
	MFA     json.RawMessage      `json:"mfa,omitempty"`
	Ext     json.RawMessage      `json:"ext,omitempty"`
	Dir     json.RawMessage      `json:"directory,omitempty"`
}

type userSnapshot struct {
	Username            string               `json:"username"`
	Sub                 string               `json:"sub"`
	Attrs               map[string]string    `json:"attributes"`
	Status              string               `json:"status"`
	Enabled             bool                 `json:"enabled"`
	Created             time.Time            `json:"created"`
	Modified            time.Time            `json:"modified"`
	Salt                []byte               `json:"salt,omitempty"`
	Verifier            string               `json:"verifier,omitempty"`
	PasswordHash        []byte               `json:"passwordHash,omitempty"`
	TempPasswordExpires time.Time            `json:"tempPasswordExpires,omitzero"`
	FailedAttempts      int                  `json:"failedAttempts,omitempty"`
	LockedUntil         time.Time            `json:"lockedUntil,omitzero"`
	LastFailure         time.Time            `json:"lastFailure,omitzero"`
	TokensValidAfter    time.Time            `json:"tokensValidAfter,omitzero"`
	Codes               map[string]codeState `json:"codes,omitempty"`
	MFA                 json.RawMessage      `json:"mfa,omitempty"`
	Devices             json.RawMessage      `json:"devices,omitempty"`
}

type codeState struct {
	Value    string    `json:"value"`
	Expires  time.Time `json:"expires"`
	Attempts int       `json:"attempts"`
}

type refreshSnapshot struct {
	Token    string    `json:"token"`
	Family   string    `json:"family"`
	ClientID string    `json:"clientId"`
	Sub      string    `json:"sub"`
	AuthTime time.Time `json:"authTime"`
	Expires  time.Time `json:"expires"`
}

// Snapshot returns the durable state of every pool.
func (s *Service) Snapshot() ([]byte, error) {
	s.mu.RLock()
	ids := make([]string, 0, len(s.pools))
	for id := range s.pools {
		ids = append(ids, id)
	}
	s.mu.RUnlock()
	sort.Strings(ids)
	snap := snapshot{Version: SnapshotVersion, Saved: s.now().UTC()}
	for _, id := range ids {
		p, err := s.pool(id)
		if err != nil {
			continue
		}
		ps, err := p.snapshot()
		if err != nil {
			return nil, err
		}
		snap.Pools = append(snap.Pools, ps)
	}
	return json.Marshal(snap)
}

func (p *Pool) snapshot() (poolSnapshot, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	ps := poolSnapshot{ID: p.id, Config: p.cfg, Secret: p.secret, Revoked: p.revoked, MFA: p.mfa.marshal(), Ext: p.marshalExt(), Dir: p.dir.marshal()}
	if p.key != nil {
		der, err := p.key.MarshalPKCS8()
		if err != nil {
			return ps, err
		}
		ps.Key = der
	}
	for _, c := range p.clients {
		ps.Clients = append(ps.Clients, c.cfg)
	}
	sort.Slice(ps.Clients, func(i, j int) bool { return deref(ps.Clients[i].ClientId) < deref(ps.Clients[j].ClientId) })
	for _, u := range p.users {
		us := userSnapshot{
			Username: u.Username, Sub: u.Sub, Attrs: u.Attrs, Status: u.Status, Enabled: u.Enabled,
			Created: u.Created, Modified: u.Modified, Salt: u.Verifier.Salt, PasswordHash: u.PasswordHash,
			TempPasswordExpires: u.TempPasswordExpires, FailedAttempts: u.FailedAttempts,
			LockedUntil: u.LockedUntil, LastFailure: u.LastFailure, TokensValidAfter: u.TokensValidAfter,
		}
		if u.Verifier.V != nil {
			us.Verifier = u.Verifier.V.Text(16)
		}
		us.MFA = u.MFA.marshal()
		us.Devices = marshalDevices(u.Devices)
		for purpose, c := range u.Codes {
			if us.Codes == nil {
				us.Codes = map[string]codeState{}
			}
			us.Codes[purpose] = codeState{Value: c.value, Expires: c.expires, Attempts: c.attempts}
		}
		ps.Users = append(ps.Users, us)
	}
	sort.Slice(ps.Users, func(i, j int) bool { return ps.Users[i].Username < ps.Users[j].Username })
	for _, r := range p.refresh {
		ps.Refresh = append(ps.Refresh, refreshSnapshot{Token: r.token, Family: r.family, ClientID: r.clientID, Sub: r.user.Sub, AuthTime: r.authTime, Expires: r.expires})
	}
	sort.Slice(ps.Refresh, func(i, j int) bool { return ps.Refresh[i].Expires.Before(ps.Refresh[j].Expires) })
	return ps, nil
}

// Restore replaces every pool with those of a snapshot.
func (s *Service) Restore(data []byte) error {
	var snap snapshot
	if err := json.Unmarshal(data, &snap); err != nil {
		return fmt.Errorf("state: %w", err)
	}
	if snap.Version != SnapshotVersion {
		return fmt.Errorf("state: version %d, want %d", snap.Version, SnapshotVersion)
	}
	pools := map[string]*Pool{}
	for _, ps := range snap.Pools {
		p, err := restorePool(ps)
		if err != nil {
			return fmt.Errorf("state: pool %s: %w", ps.ID, err)
		}
		pools[p.id] = p
		if p.ext.Quotas != nil {
			s.limits.poolQuotas.Store(true)
		}
	}
	s.mu.Lock()
	s.pools = pools
	s.mu.Unlock()
	return nil
}

func restorePool(ps poolSnapshot) (*Pool, error) {
	name, err := srp.PoolName(ps.ID)
	if err != nil {
		return nil, err
	}
	p := &Pool{
		id: ps.ID, realm: name, cfg: ps.Config, secret: ps.Secret,
		clients: map[string]*AppClient{}, users: map[string]*User{}, subs: map[string]*User{},
		byAttr: map[string]*User{}, sessions: map[string]*session{}, refresh: map[string]*refreshToken{},
		revoked: ps.Revoked,
	}
	if p.revoked == nil {
		p.revoked = map[string]time.Time{}
	}
	if err := p.mfa.unmarshal(ps.MFA); err != nil {
		return nil, fmt.Errorf("mfa: %w", err)
	}
	if err := p.unmarshalExt(ps.Ext); err != nil {
		return nil, fmt.Errorf("ext: %w", err)
	}
	if err := p.dir.unmarshal(ps.Dir); err != nil {
		return nil, fmt.Errorf("directory: %w", err)
	}
	if len(ps.Key) > 0 {
		k, err := tokens.ParseKey(ps.Key)
		if err != nil {
			return nil, err
		}
		p.key = k
	}
	for _, c := range ps.Clients {
		p.clients[deref(c.ClientId)] = &AppClient{cfg: c}
	}
	for _, us := range ps.Users {
		u := &User{
			Username: us.Username, Sub: us.Sub, Attrs: us.Attrs, Status: us.Status, Enabled: us.Enabled,
			Created: us.Created, Modified: us.Modified, TempPasswordExpires: us.TempPasswordExpires,
			FailedAttempts: us.FailedAttempts, LockedUntil: us.LockedUntil, LastFailure: us.LastFailure, TokensValidAfter: us.TokensValidAfter,
		}
		if u.Attrs == nil {
			u.Attrs = map[string]string{}
		}
		if us.Verifier != "" {
			v, ok := new(big.Int).SetString(us.Verifier, 16)
			if !ok {
				return nil, fmt.Errorf("user %s: bad verifier", us.Username)
			}
			u.Verifier = srp.Verifier{Salt: us.Salt, V: v}
			u.PasswordHash = us.PasswordHash
		}
		if err := u.MFA.unmarshal(us.MFA); err != nil {
			return nil, fmt.Errorf("user %s: mfa: %w", us.Username, err)
		}
		devs, err := unmarshalDevices(us.Devices)
		if err != nil {
			return nil, fmt.Errorf("user %s: devices: %w", us.Username, err)
		}
		u.Devices = devs
		for purpose, c := range us.Codes {
			if u.Codes == nil {
				u.Codes = map[string]*code{}
			}
			u.Codes[purpose] = &code{value: c.Value, expires: c.Expires, attempts: c.Attempts}
		}
		p.index(u)
	}
	for _, r := range ps.Refresh {
		u := p.subs[r.Sub]
		if u == nil {
			continue
		}
		rt := &refreshToken{token: r.Token, family: r.Family, clientID: r.ClientID, user: u, authTime: r.AuthTime, expires: r.Expires}
		p.refresh[rt.token] = rt
		u.refreshTokens = append(u.refreshTokens, rt.token)
	}
	return p, nil
}

// Summary describes a pool briefly.
type Summary struct {
	ID, Name string
	Clients  []string
	Users    int
}

// Summaries describes every pool, sorted by id.
func (s *Service) Summaries() []Summary {
	s.mu.RLock()
	pools := make([]*Pool, 0, len(s.pools))
	for _, p := range s.pools {
		pools = append(pools, p)
	}
	s.mu.RUnlock()
	var out []Summary
	for _, p := range pools {
		p.mu.Lock()
		sm := Summary{ID: p.id, Name: deref(p.cfg.Name), Users: len(p.users)}
		for id, c := range p.clients {
			sm.Clients = append(sm.Clients, id+" ("+deref(c.cfg.ClientName)+")")
		}
		p.mu.Unlock()
		sort.Strings(sm.Clients)
		out = append(out, sm)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
