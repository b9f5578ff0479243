package idp

import (
	"context"
	"regexp"
	"sort"
	"unicode/utf8"
)

// Groups: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
// AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser and
// ListUsersInGroup. A member's tokens carry cognito:groups (issue.go, claims from
// directory.claimsFor).
//
// Constraints from the API reference (GroupType, CreateGroup): GroupName 1–128
// characters of [\p{L}\p{M}\p{S}\p{N}\p{P}]+, Description at most 2048, Precedence
// 0–2^31-1, RoleArn 20–2048 characters of the ARN pattern, Limit 0–60 on the listings;
// the inputs declare them as validate tags (validate.go).

func (s *Service) groupOperations() map[string]Operation {
	return map[string]Operation{
		"CreateGroup":              op(s.CreateGroup),
		"GetGroup":                 op(s.GetGroup),
		"UpdateGroup":              op(s.UpdateGroup),
		"DeleteGroup":              op(s.DeleteGroup),
		"ListGroups":               op(s.ListGroups),
		"AdminAddUserToGroup":      op(s.AdminAddUserToGroup),
		"AdminRemoveUserFromGroup": op(s.AdminRemoveUserFromGroup),
		"AdminListGroupsForUser":   op(s.AdminListGroupsForUser),
		"ListUsersInGroup":         op(s.ListUsersInGroup),
	}
}

// GroupType is a group as the API returns it.
type GroupType struct {
	CreationDate     *Epoch  `json:"CreationDate,omitempty"`
	Description      *string `json:"Description,omitempty"`
	GroupName        *string `json:"GroupName,omitempty"`
	LastModifiedDate *Epoch  `json:"LastModifiedDate,omitempty"`
	Precedence       *int32  `json:"Precedence,omitempty"`
	RoleArn          *string `json:"RoleArn,omitempty"`
	UserPoolId       *string `json:"UserPoolId,omitempty"`
}

func (g *groupRecord) wire(poolID string) *GroupType {
	return &GroupType{
		CreationDate: epoch(g.Created), Description: g.Description, GroupName: ptr(g.Name),
		LastModifiedDate: epoch(g.Modified), Precedence: g.Precedence, RoleArn: g.RoleArn,
		UserPoolId: ptr(poolID),
	}
}

// checkString enforces a member's length and pattern constraints as the AWS front
// end words them.
func checkString(member, v string, minLen, maxLen int, pattern *regexp.Regexp, patternText string) *Error {
	n := utf8.RuneCountInString(v)
	if n < minLen {
		return errValidation(member, "Member must have length greater than or equal to "+itoa(minLen), v)
	}
	if n > maxLen {
		return errValidation(member, "Member must have length less than or equal to "+itoa(maxLen), v)
	}
	if pattern != nil && !pattern.MatchString(v) {
		return errValidation(member, "Member must satisfy regular expression pattern: "+patternText, v)
	}
	return nil
}

// errGroupNotFound is Cognito's answer for a group that does not exist. Evidence:
// "ResourceNotFoundException: Group not found." in a public CloudWatch capture of
// AdminAddUserToGroup (aws-amplify/amplify-cli#2214).
func errGroupNotFound() *Error { return errResourceNotFound("Group not found.") }

// CreateGroupInput is the input of CreateGroup (API reference, CreateGroup:
// GroupName 1–128 of [\p{L}\p{M}\p{S}\p{N}\p{P}]+, Description at most 2048,
// Precedence at least 0, RoleArn an ARN of 20–2048).
type CreateGroupInput struct {
	UserPoolId  string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	GroupName   string  `json:"GroupName" validate:"required,len=1:128,pattern=name"`
	Description *string `json:"Description" validate:"len=:2048"`
	Precedence  *int32  `json:"Precedence" validate:"range=0:"`
	RoleArn     *string `json:"RoleArn" validate:"len=20:2048,pattern=arn"`
}

// CreateGroupOutput is the output of CreateGroup.
type CreateGroupOutput struct {
	Group *GroupType `json:"Group"`
}

// CreateGroup creates a group. A second group of the same name is
// GroupExistsException.
func (s *Service) CreateGroup(_ context.Context, in *CreateGroupInput) (*CreateGroupOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir.Groups[in.GroupName] != nil {
		// UNCONFIRMED (U11) wording: GroupExistsException is the documented error type
		// (API reference, CreateGroup); the message text has no public capture.
		return nil, newErr(TypeGroupExists, "A group with the name %s already exists.", in.GroupName)
	}
	if e := s.roomForGroup(p); e != nil {
		return nil, e
	}
	now := s.now()
	g := &groupRecord{Name: in.GroupName, Description: in.Description, Precedence: in.Precedence, RoleArn: in.RoleArn, Created: now, Modified: now}
	p.dir.Groups[g.Name] = g
	return &CreateGroupOutput{Group: g.wire(p.id)}, nil
}

// GroupInput names one group (API reference, GetGroup and DeleteGroup: GroupName
// 1–128 of [\p{L}\p{M}\p{S}\p{N}\p{P}]+).
type GroupInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	GroupName  string `json:"GroupName" validate:"required,len=1:128,pattern=name"`
}

// GetGroupOutput is the output of GetGroup.
type GetGroupOutput struct {
	Group *GroupType `json:"Group"`
}

// group finds a group of a pool; the caller holds p.mu.
func (p *Pool) group(name string) (*groupRecord, *Error) {
	g := p.dir.Groups[name]
	if g == nil {
		return nil, errGroupNotFound()
	}
	return g, nil
}

// GetGroup returns one group.
func (s *Service) GetGroup(_ context.Context, in *GroupInput) (*GetGroupOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g, e := p.group(in.GroupName)
	if e != nil {
		return nil, e
	}
	return &GetGroupOutput{Group: g.wire(p.id)}, nil
}

// UpdateGroupInput is the input of UpdateGroup.
//
// API reference, UpdateGroup: the constraints of CreateGroup.
type UpdateGroupInput struct {
	UserPoolId  string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	GroupName   string  `json:"GroupName" validate:"required,len=1:128,pattern=name"`
	Description *string `json:"Description" validate:"len=:2048"`
	Precedence  *int32  `json:"Precedence" validate:"range=0:"`
	RoleArn     *string `json:"RoleArn" validate:"len=20:2048,pattern=arn"`
}

// UpdateGroupOutput is the output of UpdateGroup.
type UpdateGroupOutput struct {
	Group *GroupType `json:"Group"`
}

// UpdateGroup changes the fields given and keeps the others (UNCONFIRMED (U11): the API
// reference's reset-to-default warning is written for UpdateUserPool and
// UpdateUserPoolClient, not for UpdateGroup).
func (s *Service) UpdateGroup(_ context.Context, in *UpdateGroupInput) (*UpdateGroupOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g, e := p.group(in.GroupName)
	if e != nil {
		return nil, e
	}
	if in.Description != nil {
		g.Description = in.Description
	}
	if in.Precedence != nil {
		g.Precedence = in.Precedence
	}
	if in.RoleArn != nil {
		g.RoleArn = in.RoleArn
	}
	g.Modified = s.now()
	return &UpdateGroupOutput{Group: g.wire(p.id)}, nil
}

// DeleteGroup deletes a group and its memberships.
func (s *Service) DeleteGroup(_ context.Context, in *GroupInput) (*struct{}, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, e := p.group(in.GroupName); e != nil {
		return nil, e
	}
	delete(p.dir.Groups, in.GroupName)
	delete(p.dir.Members, in.GroupName)
	return &struct{}{}, nil
}

// pageLimit pages sorted keys with a Limit of 0–60 (0 or absent: 60).
func pageLimit(keys []string, limit int32, next *string) ([]string, *string, *Error) {
	if limit < 0 || limit > 60 {
		return nil, nil, errValidation("limit", "Member must have value less than or equal to 60", limit)
	}
	if limit == 0 {
		limit = 60
	}
	return page(keys, limit, deref(next), 60)
}

// ListGroupsInput is the input of ListGroups.
//
// API reference, ListGroups: Limit 0–60, NextToken 1–131072 of [\S]+.
type ListGroupsInput struct {
	UserPoolId string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Limit      int32   `json:"Limit" validate:"range=0:60"`
	NextToken  *string `json:"NextToken" validate:"len=1:131072,pattern=code"`
}

// ListGroupsOutput is the output of ListGroups and AdminListGroupsForUser.
type ListGroupsOutput struct {
	Groups    []*GroupType `json:"Groups"`
	NextToken *string      `json:"NextToken,omitempty"`
}

// ListGroups lists the pool's groups by name.
func (s *Service) ListGroups(_ context.Context, in *ListGroupsInput) (*ListGroupsOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.dir.Groups))
	for n := range p.dir.Groups {
		names = append(names, n)
	}
	names, next, e := pageLimit(names, in.Limit, in.NextToken)
	if e != nil {
		return nil, e
	}
	out := &ListGroupsOutput{Groups: []*GroupType{}, NextToken: next}
	for _, n := range names {
		out.Groups = append(out.Groups, p.dir.Groups[n].wire(p.id))
	}
	return out, nil
}

// MembershipInput names a user and a group.
//
// API reference, AdminAddUserToGroup: GroupName 1–128 of
// [\p{L}\p{M}\p{S}\p{N}\p{P}]+.
type MembershipInput struct {
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	GroupName  string `json:"GroupName" validate:"required,len=1:128,pattern=name"`
}

// memberOp runs f on the group and user an admin membership call names. The user
// is looked up first: an unknown user is UserNotFoundException even when the group
// does not exist either (UNCONFIRMED (U11) order).
func (s *Service) memberOp(in *MembershipInput, f func(p *Pool, g *groupRecord, u *User)) (*struct{}, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g, e := p.group(in.GroupName)
	if e != nil {
		return nil, e
	}
	f(p, g, u)
	return &struct{}{}, nil
}

// AdminAddUserToGroup makes a user a member of a group (adding a member twice is
// not an error).
func (s *Service) AdminAddUserToGroup(_ context.Context, in *MembershipInput) (*struct{}, error) {
	var e *Error
	out, err := s.memberOp(in, func(p *Pool, g *groupRecord, u *User) {
		if e = s.roomForMembership(p, g.Name, u.Sub); e == nil {
			p.dir.addMember(g.Name, u.Sub)
		}
	})
	if e != nil {
		return nil, e
	}
	return out, err
}

// AdminRemoveUserFromGroup ends a membership (removing a non-member is not an error).
func (s *Service) AdminRemoveUserFromGroup(_ context.Context, in *MembershipInput) (*struct{}, error) {
	return s.memberOp(in, func(p *Pool, g *groupRecord, u *User) { p.dir.removeMember(g.Name, u.Sub) })
}

// AdminListGroupsForUserInput is the input of AdminListGroupsForUser.
//
// API reference, AdminListGroupsForUser: Limit 0–60, NextToken 1–131072 of [\S]+.
type AdminListGroupsForUserInput struct {
	UserPoolId string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	Username   string  `json:"Username" validate:"required,len=1:128,pattern=name,sensitive"`
	Limit      int32   `json:"Limit" validate:"range=0:60"`
	NextToken  *string `json:"NextToken" validate:"len=1:131072,pattern=code"`
}

// AdminListGroupsForUser lists a user's groups by name.
func (s *Service) AdminListGroupsForUser(_ context.Context, in *AdminListGroupsForUserInput) (*ListGroupsOutput, error) {
	p, u, err := s.userOf(in.UserPoolId, in.Username)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var names []string
	for _, g := range p.dir.groupsOf(u.Sub) {
		names = append(names, g.Name)
	}
	names, next, e := pageLimit(names, in.Limit, in.NextToken)
	if e != nil {
		return nil, e
	}
	out := &ListGroupsOutput{Groups: []*GroupType{}, NextToken: next}
	for _, n := range names {
		out.Groups = append(out.Groups, p.dir.Groups[n].wire(p.id))
	}
	return out, nil
}

// ListUsersInGroupInput is the input of ListUsersInGroup.
//
// API reference, ListUsersInGroup: GroupName as CreateGroup's, Limit 0–60,
// NextToken 1–131072 of [\S]+.
type ListUsersInGroupInput struct {
	UserPoolId string  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	GroupName  string  `json:"GroupName" validate:"required,len=1:128,pattern=name"`
	Limit      int32   `json:"Limit" validate:"range=0:60"`
	NextToken  *string `json:"NextToken" validate:"len=1:131072,pattern=code"`
}

// ListUsersInGroupOutput is the output of ListUsersInGroup.
type ListUsersInGroupOutput struct {
	Users     []UserType `json:"Users"`
	NextToken *string    `json:"NextToken,omitempty"`
}

// ListUsersInGroup lists a group's members by username.
func (s *Service) ListUsersInGroup(_ context.Context, in *ListUsersInGroupInput) (*ListUsersInGroupOutput, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, e := p.group(in.GroupName); e != nil {
		return nil, e
	}
	byName := map[string]*User{}
	var names []string
	for _, sub := range p.dir.Members[in.GroupName] {
		if u := p.subs[sub]; u != nil {
			byName[u.Username] = u
			names = append(names, u.Username)
		}
	}
	sort.Strings(names)
	names, next, e := pageLimit(names, in.Limit, in.NextToken)
	if e != nil {
		return nil, e
	}
	out := &ListUsersInGroupOutput{Users: []UserType{}, NextToken: next}
	for _, n := range names {
		out.Users = append(out.Users, byName[n].wire())
	}
	return out, nil
}
