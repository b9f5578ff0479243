package idp

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/authbench/authbench/emulator/internal/tokens"
	"github.com/authbench/authbench/srp"
)

// The pool's model: pools, app clients and users, and how a user is found by
// username or alias (the indexes). Everything here is guarded by its pool's lock.

// User statuses, as on the wire.
const (
	StatusUnconfirmed         = "UNCONFIRMED"
	StatusConfirmed           = "CONFIRMED"
	StatusForceChangePassword = "FORCE_CHANGE_PASSWORD"
	StatusResetRequired       = "RESET_REQUIRED"
	StatusExternalProvider    = "EXTERNAL_PROVIDER"
)

// Pool is one user pool. Its lock guards everything inside it.
type Pool struct {
	mu       sync.Mutex
	id       string
	realm    string // the SRP pool name: the part of the id after "_"
	cfg      UserPoolType
	clients  map[string]*AppClient
	users    map[string]*User // by normalised username
	subs     map[string]*User
	byAttr   map[string]*User // by attrKey(name, value) for indexedAttrs
	sessions map[string]*session
	sessq    sessionQueue // the sessions' ids, oldest first (state_sessions.go)
	refresh  map[string]*refreshToken
	revoked  map[string]time.Time // origin_jti of revoked token families → when to forget
	key      *tokens.Key
	// secret keys deterministic values the pool derives (simulated SRP challenges).
	secret []byte
	// mfa is which MFA factors the pool enables (op_mfa_config.go).
	mfa poolMFA
	// ext is the declarative custom auth and the pool's quotas (signin_custom_declarative.go).
	ext poolExt
	// dir holds groups, resource servers, identity providers, the domain and the
	// sign-in events (state_directory.go).
	dir directory
}

// AppClient is an app client of a pool.
type AppClient struct {
	cfg UserPoolClientType
}

func (c *AppClient) id() string     { return deref(c.cfg.ClientId) }
func (c *AppClient) secret() string { return deref(c.cfg.ClientSecret) }

// allows reports whether the client's ExplicitAuthFlows permit flow.
func (c *AppClient) allows(flow string) bool {
	flows := c.cfg.ExplicitAuthFlows
	if len(flows) == 0 {
		// A client created without ExplicitAuthFlows allows SRP, refresh and custom
		// auth, as Cognito does.
		flows = []string{"ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_CUSTOM_AUTH"}
	}
	legacyOnly := true
	for _, f := range flows {
		legacyOnly = legacyOnly && !strings.HasPrefix(f, "ALLOW_")
	}
	if legacyOnly && (flow == "ALLOW_USER_SRP_AUTH" || flow == "ALLOW_REFRESH_TOKEN_AUTH") {
		// A client created with only the legacy names (which predate the ALLOW_
		// ones) always allowed SRP and refresh: issue #11's mapping; no AWS text
		// states it (UNCONFIRMED (U10)).
		return true
	}
	for _, f := range flows {
		if f == flow {
			return true
		}
		// The legacy names.
		switch {
		case f == "USER_PASSWORD_AUTH" && flow == "ALLOW_USER_PASSWORD_AUTH",
			f == "ADMIN_NO_SRP_AUTH" && flow == "ALLOW_ADMIN_USER_PASSWORD_AUTH",
			f == "CUSTOM_AUTH_FLOW_ONLY" && flow == "ALLOW_CUSTOM_AUTH":
			return true
		}
	}
	return false
}

// sessionValidity is the client's AuthSessionValidity (3–15 minutes, default 3).
func (c *AppClient) sessionValidity() time.Duration {
	m := deref(c.cfg.AuthSessionValidity)
	if m == 0 {
		m = 3
	}
	return time.Duration(m) * time.Minute
}

func unitDuration(unit string, def time.Duration) time.Duration {
	switch unit {
	case "seconds":
		return time.Second
	case "minutes":
		return time.Minute
	case "hours":
		return time.Hour
	case "days":
		return 24 * time.Hour
	}
	return def
}

// tokenValidity returns the validity of the access, id and refresh tokens.
func (c *AppClient) tokenValidity() (access, id, refresh time.Duration) {
	u := deref(c.cfg.TokenValidityUnits)
	access, id, refresh = time.Hour, time.Hour, 30*24*time.Hour
	if v := deref(c.cfg.AccessTokenValidity); v > 0 {
		access = time.Duration(v) * unitDuration(u.AccessToken, time.Hour)
	}
	if v := deref(c.cfg.IdTokenValidity); v > 0 {
		id = time.Duration(v) * unitDuration(u.IdToken, time.Hour)
	}
	if v := c.cfg.RefreshTokenValidity; v > 0 {
		refresh = time.Duration(v) * unitDuration(u.RefreshToken, 24*time.Hour)
	}
	return access, id, refresh
}

func (c *AppClient) preventUserExistenceErrors() bool {
	return c.cfg.PreventUserExistenceErrors == "ENABLED"
}

// User is one user of a pool.
type User struct {
	Username string
	Sub      string
	// Attrs holds the attributes other than sub.
	Attrs    map[string]string
	Status   string
	Enabled  bool
	Created  time.Time
	Modified time.Time
	// Verifier is the SRP verifier of the current password; Salt and V empty when the
	// user has no password.
	Verifier srp.Verifier
	// PasswordHash is HMAC-SHA256(key = Verifier.Salt, password).
	PasswordHash []byte
	// TempPasswordExpires is when a temporary password stops working.
	TempPasswordExpires time.Time
	// Failed-password bookkeeping.
	FailedAttempts int
	LockedUntil    time.Time
	// LastFailure is when the last wrong password or MFA code was given (15 idle
	// minutes after it reset the count).
	LastFailure time.Time
	// TokensValidAfter: tokens issued before this were revoked by a global sign-out.
	TokensValidAfter time.Time
	// Codes outstanding, by purpose.
	Codes map[string]*code
	// codeRequests holds recent code requests by purpose, for rate limiting.
	codeRequests map[string][]time.Time
	// refreshTokens lists the user's live refresh tokens, oldest first.
	refreshTokens []string
	// revokedFamilies lists the user's revoked token families, oldest first (limits.go).
	revokedFamilies []string
	// MFA is the user's MFA settings and TOTP secret (signin_mfa.go).
	MFA userMFA
	// Devices are the user's devices by device key (state_devices.go).
	Devices map[string]*device
}

// attributes returns the user's attributes for the wire, sub first, then sorted.
func (u *User) attributes() []AttributeType {
	out := make([]AttributeType, 0, len(u.Attrs)+1)
	out = append(out, AttributeType{Name: ptr("sub"), Value: ptr(u.Sub)})
	names := make([]string, 0, len(u.Attrs))
	for n := range u.Attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, AttributeType{Name: ptr(n), Value: ptr(u.Attrs[n])})
	}
	return out
}

func (u *User) wire() UserType {
	return UserType{
		Attributes:           u.attributes(),
		Enabled:              u.Enabled,
		UserCreateDate:       epoch(u.Created),
		UserLastModifiedDate: epoch(u.Modified),
		UserStatus:           u.Status,
		Username:             ptr(u.Username),
	}
}

// hasPassword reports whether the user has a password set.
func (u *User) hasPassword() bool { return u.Verifier.V != nil }

// caseSensitive reports whether usernames are case sensitive in this pool. Pools
// created through the API without UsernameConfiguration are case sensitive
// (UNCONFIRMED (U20)).
func (p *Pool) caseSensitive() bool {
	if p.cfg.UsernameConfiguration == nil || p.cfg.UsernameConfiguration.CaseSensitive == nil {
		return true
	}
	return *p.cfg.UsernameConfiguration.CaseSensitive
}

func (p *Pool) norm(username string) string {
	if p.caseSensitive() {
		return username
	}
	return strings.ToLower(username)
}

// usernameAttrs returns the attributes that may be used as the username
// (UsernameAttributes) or as aliases (AliasAttributes).
func (p *Pool) signInAttrs() (usernameAttrs, aliases []string) {
	return p.cfg.UsernameAttributes, p.cfg.AliasAttributes
}

// lookup finds a user by username, or by an alias or username attribute (email,
// phone_number, preferred_username) when the pool allows it. Aliases only match
// verified attributes, except preferred_username. The caller holds p.mu.
func (p *Pool) lookup(name string) *User {
	if name == "" {
		return nil
	}
	if u := p.users[p.norm(name)]; u != nil {
		return u
	}
	ua, aliases := p.signInAttrs()
	for _, attr := range append(append([]string{}, ua...), aliases...) {
		u := p.byAttr[attrKey(attr, name)]
		if u == nil {
			continue
		}
		if attr == "email" && u.Attrs["email_verified"] != "true" && !contains(ua, "email") {
			continue
		}
		if attr == "phone_number" && u.Attrs["phone_number_verified"] != "true" && !contains(ua, "phone_number") {
			continue
		}
		return u
	}
	return nil
}

// indexedAttrs are the attributes users can be found by.
var indexedAttrs = []string{"email", "phone_number", "preferred_username"}

func attrKey(attr, value string) string { return attr + "\x00" + strings.ToLower(value) }

// index adds u to the pool's maps; unindex removes it. The caller holds p.mu.
func (p *Pool) index(u *User) {
	p.users[p.norm(u.Username)] = u
	p.subs[u.Sub] = u
	for _, a := range indexedAttrs {
		if v, ok := u.Attrs[a]; ok && v != "" {
			if _, taken := p.byAttr[attrKey(a, v)]; !taken {
				p.byAttr[attrKey(a, v)] = u
			}
		}
	}
}

func (p *Pool) unindex(u *User) {
	delete(p.users, p.norm(u.Username))
	delete(p.subs, u.Sub)
	for _, a := range indexedAttrs {
		if v, ok := u.Attrs[a]; ok && p.byAttr[attrKey(a, v)] == u {
			delete(p.byAttr, attrKey(a, v))
		}
	}
}

// attrOwner returns the user other than self holding attr=value, if any.
func (p *Pool) attrOwner(attr, value string, self *User) *User {
	if u := p.byAttr[attrKey(attr, value)]; u != nil && u != self {
		return u
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// poolName is the pool's SRP realm.
func (p *Pool) poolName() string { return p.realm }
