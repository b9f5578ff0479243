package idp

import (
	"sort"
	"time"
)

// Resource limits: how many of each thing a request stream can make the service
// keep. Cognito caps the resources its provisioning APIs create ("Quotas in Amazon
// Cognito", developer guide, Quotas on resource number and size:
// https://docs.aws.amazon.com/cognito/latest/developerguide/quotas.html#resource-quotas),
// and the emulator takes those numbers as its defaults; a create past one answers
// LimitExceededException, the exception the API reference lists for CreateUserPool,
// CreateUserPoolClient, CreateGroup, CreateIdentityProvider and CreateResourceServer
// ("This exception is thrown when a user exceeds the limit for a requested Amazon
// Web Services resource"). What Cognito bounds by time alone — sign-in sessions,
// which live minutes — the emulator also bounds by number, so that a fast stream of
// valid sign-ins cannot grow the heap within a session's lifetime; those bounds are
// the emulator's own.
//
// What else grows with requests, and what bounds it:
//
//	sessions                  Resources.Sessions per pool (state_sessions.go), oldest evicted
//	refresh tokens            64 live per user, oldest dropped (tokens_issue.go)
//	revoked token families    64 per user (revokeFamily), and swept after 25 hours
//	auth events               50 per user (op_authevents.go)
//	verification codes        one per purpose per user (state_codes.go)
//	code requests             10 per purpose per user per hour (op_selfservice.go)
//	devices                   16 pending (signin_device.go) and Resources.DevicesPerUser
//	                          confirmed per user, least recently used forgotten
//	group memberships         Resources.GroupsPerUser per user
//	the outbox                Resources.OutboxMessages and OutboxBytes, oldest dropped
//	per-user quota buckets    swept when full again (quota.go)

// Resources caps the number of resources the service keeps. A zero member takes its
// default (the Default… constants: Cognito's quota where it publishes one).
type Resources struct {
	// UserPools caps the pools of the service (one account and Region). Cognito:
	// "Maximum number of user pools per account", 1,000 (adjustable).
	UserPools int
	// AppClients caps the app clients of a pool. Cognito: "Maximum number of app
	// clients per user pool", 1,000 (adjustable).
	AppClients int
	// Users caps the users of a pool (SignUp and AdminCreateUser). Cognito: "Maximum
	// number of users per user pool", 40,000,000 (adjustable).
	Users int
	// Groups caps the groups of a pool. Cognito: "Maximum number of groups per user
	// pool", 10,000.
	Groups int
	// GroupsPerUser caps the groups a user belongs to. Cognito: "Maximum number of
	// groups that each user can belong to", 100.
	GroupsPerUser int
	// IdentityProviders caps the identity providers of a pool. Cognito: "Maximum
	// number of identity providers per user pool", 300 (adjustable).
	IdentityProviders int
	// ResourceServers caps the resource servers of a pool. Cognito: "Maximum number
	// of resource servers per user pool", 25 (adjustable). (Its 100 scopes per
	// resource server are a bound of the request, op_resourceservers.go.)
	ResourceServers int
	// Sessions caps the sign-ins in flight of a pool: past it, making a session
	// forgets the oldest, whose client is then told its session expired. The
	// emulator's own bound (UNCONFIRMED (U29)); Cognito bounds sessions by their
	// lifetime (AuthSessionValidity, 3–15 minutes), which the emulator enforces too.
	Sessions int
	// DevicesPerUser caps a user's confirmed devices: confirming one more forgets
	// the one least recently signed in with. The emulator's own bound, as Cognito
	// publishes none (UNCONFIRMED (U30)).
	DevicesPerUser int
	// OutboxMessages and OutboxBytes cap the service's own outbox (not one passed in
	// [Options.Outbox]): past either, the oldest messages are dropped. The
	// emulator's own bounds.
	OutboxMessages int
	OutboxBytes    int64
}

// The defaults of [Resources]: Cognito's quotas, and the emulator's own bounds where
// Cognito publishes none.
const (
	DefaultUserPools         = 1000
	DefaultAppClients        = 1000
	DefaultUsers             = 40_000_000
	DefaultGroups            = 10_000
	DefaultGroupsPerUser     = 100
	DefaultIdentityProviders = 300
	DefaultResourceServers   = 25
	// DefaultSessions bounds a pool's sign-ins in flight: an SRP session costs about
	// 1.5 KiB, so a full pool holds about 150 MiB of them.
	DefaultSessions       = 100_000
	DefaultDevicesPerUser = 100
	// DefaultOutboxMessages is how many messages an outbox keeps.
	DefaultOutboxMessages = 100_000
	// DefaultOutboxBytes bounds the text an outbox keeps (a message counts its
	// strings' lengths and 64 bytes for itself).
	DefaultOutboxBytes = 64 << 20
)

// withDefaults returns r with its zero (or negative) members set to their defaults.
func (r Resources) withDefaults() Resources {
	for _, f := range []struct {
		v   *int
		def int
	}{
		{&r.UserPools, DefaultUserPools}, {&r.AppClients, DefaultAppClients}, {&r.Users, DefaultUsers},
		{&r.Groups, DefaultGroups}, {&r.GroupsPerUser, DefaultGroupsPerUser},
		{&r.IdentityProviders, DefaultIdentityProviders}, {&r.ResourceServers, DefaultResourceServers},
		{&r.Sessions, DefaultSessions}, {&r.DevicesPerUser, DefaultDevicesPerUser}, {&r.OutboxMessages, DefaultOutboxMessages},
	} {
		if *f.v <= 0 {
			*f.v = f.def
		}
	}
	if r.OutboxBytes <= 0 {
		r.OutboxBytes = DefaultOutboxBytes
	}
	return r
}

// errLimit is the refusal of a create past a quota: LimitExceededException, the
// API reference's type. Its wording has no public capture (UNCONFIRMED (U28)).
func errLimit(what string, max int, of string) *Error {
	return newErr(TypeLimitExceeded, "The limit of %d %s %s has been exceeded.", max, what, of)
}

// roomForPool refuses a pool past Resources.UserPools. The caller holds s.mu.
func (s *Service) roomForPool() *Error {
	if max := s.opts.Resources.UserPools; len(s.pools) >= max {
		return errLimit("user pools", max, "per account")
	}
	return nil
}

// addPool registers a new pool unless the service has Resources.UserPools already.
func (s *Service) addPool(p *Pool) *Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.roomForPool(); e != nil {
		return e
	}
	s.pools[p.id] = p
	return nil
}

// roomForClient refuses an app client past Resources.AppClients. The caller holds
// p.mu.
func (s *Service) roomForClient(p *Pool) *Error {
	if max := s.opts.Resources.AppClients; len(p.clients) >= max {
		return errLimit("app clients", max, "per user pool")
	}
	return nil
}

// roomForUser refuses a user past Resources.Users. The caller holds p.mu.
func (s *Service) roomForUser(p *Pool) *Error {
	if max := s.opts.Resources.Users; len(p.users) >= max {
		return errLimit("users", max, "per user pool")
	}
	return nil
}

// roomForGroup refuses a group past Resources.Groups. The caller holds p.mu.
func (s *Service) roomForGroup(p *Pool) *Error {
	if max := s.opts.Resources.Groups; len(p.dir.Groups) >= max {
		return errLimit("groups", max, "per user pool")
	}
	return nil
}

// roomForMembership refuses to add sub to a group past Resources.GroupsPerUser; a
// user already in the group is let through (adding a member twice is no error).
// The API reference lists no LimitExceededException for AdminAddUserToGroup: the
// refusal's type, like its wording, is UNCONFIRMED (U28). The caller holds p.mu.
func (s *Service) roomForMembership(p *Pool, group, sub string) *Error {
	n := 0
	for name, subs := range p.dir.Members {
		i := sort.SearchStrings(subs, sub)
		if i < len(subs) && subs[i] == sub {
			if name == group {
				return nil
			}
			n++
		}
	}
	if max := s.opts.Resources.GroupsPerUser; n >= max {
		return errLimit("groups", max, "that a user can belong to")
	}
	return nil
}

// roomForProvider refuses an identity provider past Resources.IdentityProviders.
// The caller holds p.mu.
func (s *Service) roomForProvider(p *Pool) *Error {
	if max := s.opts.Resources.IdentityProviders; len(p.dir.Providers) >= max {
		return errLimit("identity providers", max, "per user pool")
	}
	return nil
}

// roomForResourceServer refuses a resource server past Resources.ResourceServers.
// The caller holds p.mu.
func (s *Service) roomForResourceServer(p *Pool) *Error {
	if max := s.opts.Resources.ResourceServers; len(p.dir.ResourceServers) >= max {
		return errLimit("resource servers", max, "per user pool")
	}
	return nil
}

// roomForDevice makes room for one more confirmed device of u (keep is the one
// being confirmed): past Resources.DevicesPerUser it forgets the confirmed device
// least recently signed in with. A scan of the user's devices, bounded by the cap
// and the pending ones. The caller holds p.mu.
func (s *Service) roomForDevice(u *User, keep string) {
	max := s.opts.Resources.DevicesPerUser
	for {
		var oldest *device
		n := 0
		for _, d := range u.Devices {
			if !d.Confirmed || d.Key == keep {
				continue
			}
			n++
			if oldest == nil || lastUse(d).Before(lastUse(oldest)) || (lastUse(d).Equal(lastUse(oldest)) && d.Key < oldest.Key) {
				oldest = d
			}
		}
		if n < max || oldest == nil {
			return
		}
		delete(u.Devices, oldest.Key)
	}
}

// lastUse is when a device was last signed in with, or confirmed.
func lastUse(d *device) time.Time {
	if d.LastAuth.After(d.Modified) {
		return d.LastAuth
	}
	return d.Modified
}

// maxRevokedPerUser bounds the revoked token families kept per user.
const maxRevokedPerUser = 64

// revokeFamily revokes a token family of u (see [Service.revoke]) and keeps at most
// maxRevokedPerUser of the user's revoked families: past it, the oldest is forgotten
// and instead every access token issued to u before the next second is refused
// (TokensValidAfter), so that forgetting a family never lets its tokens back in. A
// user who revokes that many token families within their 25 hours thus loses, once,
// the access tokens of the sign-ins not revoked too: the emulator's own bound
// (UNCONFIRMED (U31)). The caller holds p.mu.
func (s *Service) revokeFamily(p *Pool, u *User, family string, until time.Time) {
	s.revoke(p, family, until)
	if u == nil {
		return
	}
	live := u.revokedFamilies[:0]
	for _, f := range u.revokedFamilies {
		if _, ok := p.revoked[f]; ok && f != family {
			live = append(live, f)
		}
	}
	live = append(live, family)
	if n := len(live) - maxRevokedPerUser; n > 0 {
		for _, f := range live[:n] {
			delete(p.revoked, f)
		}
		live = append(live[:0], live[n:]...)
		if after := s.now().Truncate(time.Second).Add(time.Second); after.After(u.TokensValidAfter) {
			u.TokensValidAfter = after
		}
	}
	u.revokedFamilies = live
}
