package idp

import (
	"encoding/json"
	"sort"
	"time"
)

// accountID is the AWS account the emulated pools belong to, in ARNs and
// descriptions.
const accountID = "000000000000"

// directory is what a pool keeps beside its users and clients for the provisioning
// APIs that infrastructure code calls: groups and their members, resource servers,
// identity providers, the pool's domain and the sign-in events AdminListUserAuthEvents
// reports. The pool's lock guards it. It is persisted as one JSON member of the
// pool's snapshot ("directory"), so state files written before it existed load with
// an empty directory.
type directory struct {
	Groups          map[string]*groupRecord          `json:"groups,omitempty"`
	Members         map[string][]string              `json:"members,omitempty"` // group name → subs, sorted
	ResourceServers map[string]*ResourceServerType   `json:"resourceServers,omitempty"`
	Providers       map[string]*IdentityProviderType `json:"identityProviders,omitempty"`
	Domain          *domainRecord                    `json:"domain,omitempty"`
	Events          map[string][]AuthEventType       `json:"authEvents,omitempty"` // sub → newest first
}

// groupRecord is a group as stored.
type groupRecord struct {
	Name        string    `json:"name"`
	Description *string   `json:"description,omitempty"`
	Precedence  *int32    `json:"precedence,omitempty"`
	RoleArn     *string   `json:"roleArn,omitempty"`
	Created     time.Time `json:"created"`
	Modified    time.Time `json:"modified"`
}

// domainRecord is the pool's hosted domain (prefix or custom).
type domainRecord struct {
	Domain         string    `json:"domain"`
	CertificateArn string    `json:"certificateArn,omitempty"`
	Version        int32     `json:"managedLoginVersion,omitempty"`
	Created        time.Time `json:"created"`
}

func (d *directory) init() {
	if d.Groups == nil {
		d.Groups = map[string]*groupRecord{}
	}
	if d.Members == nil {
		d.Members = map[string][]string{}
	}
	if d.ResourceServers == nil {
		d.ResourceServers = map[string]*ResourceServerType{}
	}
	if d.Providers == nil {
		d.Providers = map[string]*IdentityProviderType{}
	}
	if d.Events == nil {
		d.Events = map[string][]AuthEventType{}
	}
}

func (d *directory) marshal() json.RawMessage {
	if len(d.Groups) == 0 && len(d.ResourceServers) == 0 && len(d.Providers) == 0 && d.Domain == nil && len(d.Events) == 0 {
		return nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil
	}
	return b
}

func (d *directory) unmarshal(b json.RawMessage) error {
	*d = directory{}
	if len(b) > 0 {
		if err := json.Unmarshal(b, d); err != nil {
			return err
		}
	}
	d.init()
	return nil
}

// groupsOf returns the groups sub belongs to, ordered as the tokens list them: by
// precedence (a group without one last), then by name. The caller holds p.mu.
func (d *directory) groupsOf(sub string) []*groupRecord {
	var out []*groupRecord
	for name, subs := range d.Members {
		i := sort.SearchStrings(subs, sub)
		if i < len(subs) && subs[i] == sub {
			if g := d.Groups[name]; g != nil {
				out = append(out, g)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		pi, pj := out[i].Precedence, out[j].Precedence
		switch {
		case pi != nil && pj != nil && *pi != *pj:
			return *pi < *pj
		case pi != nil && pj == nil:
			return true
		case pi == nil && pj != nil:
			return false
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// addMember adds sub to a group; it reports whether it was not a member yet.
func (d *directory) addMember(group, sub string) bool {
	subs := d.Members[group]
	i := sort.SearchStrings(subs, sub)
	if i < len(subs) && subs[i] == sub {
		return false
	}
	subs = append(subs, "")
	copy(subs[i+1:], subs[i:])
	subs[i] = sub
	d.Members[group] = subs
	return true
}

// removeMember removes sub from a group.
func (d *directory) removeMember(group, sub string) {
	subs := d.Members[group]
	i := sort.SearchStrings(subs, sub)
	if i < len(subs) && subs[i] == sub {
		subs = append(subs[:i], subs[i+1:]...)
	}
	if len(subs) == 0 {
		delete(d.Members, group)
		return
	}
	d.Members[group] = subs
}

// forgetUser removes every trace of a deleted user.
func (d *directory) forgetUser(sub string) {
	for name := range d.Members {
		d.removeMember(name, sub)
	}
	delete(d.Events, sub)
}

// groupClaims is what a member's tokens say of its groups.
type groupClaims struct {
	Groups        []string
	Roles         []string
	PreferredRole *string
}

// claimsFor returns the group claims of sub.
//
// Evidence (API reference, CreateGroup, Precedence): "Zero is the highest precedence
// value. Groups with lower Precedence values take precedence over groups with higher
// or null Precedence values. If a user belongs to two or more groups, it is the group
// with the lowest precedence value whose role ARN is given in the user's tokens for
// the cognito:roles and cognito:preferred_role claims. … If two groups with the same
// Precedence have the same role ARN, that role is used in the cognito:preferred_role
// claim … If the two groups have different role ARNs, the cognito:preferred_role claim
// isn't set." The same page (RoleArn) says ID tokens carry cognito:preferred_role and
// both ID and access tokens carry cognito:groups. cognito:roles holds the roles of
// every group: identity pools' RoleMapping (Cognito Federated Identities API
// reference) speaks of "no cognito:preferred_role claim and … multiple cognito:roles
// matches". The order of cognito:groups (precedence, then name) is UNCONFIRMED (U11).
func (d *directory) claimsFor(sub string) groupClaims {
	var gc groupClaims
	gs := d.groupsOf(sub)
	seen := map[string]bool{}
	var best *groupRecord
	ambiguous := false
	for _, g := range gs {
		gc.Groups = append(gc.Groups, g.Name)
		if g.RoleArn == nil || *g.RoleArn == "" {
			continue
		}
		if !seen[*g.RoleArn] {
			seen[*g.RoleArn] = true
			gc.Roles = append(gc.Roles, *g.RoleArn)
		}
		switch {
		case best == nil:
			best = g
		case g.Precedence != nil && best.Precedence != nil && *g.Precedence == *best.Precedence && *g.RoleArn != *best.RoleArn:
			ambiguous = true
		case g.Precedence == nil && best.Precedence == nil && *g.RoleArn != *best.RoleArn:
			ambiguous = true
		}
	}
	if best != nil && !ambiguous {
		gc.PreferredRole = best.RoleArn
	}
	return gc
}

// apply writes the group claims into unsigned id and access claims: cognito:groups
// in both, cognito:roles and cognito:preferred_role in the id token only; nothing for
// a user in no group.
func (gc groupClaims) apply(id, access map[string]any) {
	if len(gc.Groups) == 0 {
		return
	}
	id["cognito:groups"] = gc.Groups
	access["cognito:groups"] = gc.Groups
	if len(gc.Roles) > 0 {
		id["cognito:roles"] = gc.Roles
	}
	if gc.PreferredRole != nil {
		id["cognito:preferred_role"] = *gc.PreferredRole
	}
}

// event is the groupConfiguration member of a PreTokenGeneration event (developer
// guide, "Pre token generation Lambda trigger": groupsToOverride, iamRolesToOverride,
// preferredRole), empty lists and a null role for a user in no group.
func (gc groupClaims) event() map[string]any {
	groups, roles := gc.Groups, gc.Roles
	if groups == nil {
		groups = []string{}
	}
	if roles == nil {
		roles = []string{}
	}
	var pref any
	if gc.PreferredRole != nil {
		pref = *gc.PreferredRole
	}
	return map[string]any{"groupsToOverride": groups, "iamRolesToOverride": roles, "preferredRole": pref}
}
