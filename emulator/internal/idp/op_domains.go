package idp

import (
	"context"
	"regexp"
)

// Domains and tags: CreateUserPoolDomain, DescribeUserPoolDomain,
// UpdateUserPoolDomain, DeleteUserPoolDomain; TagResource, UntagResource,
// ListTagsForResource. A domain is stored and echoed (no hosted UI is served); a
// domain is unique across every pool of the Service, as a prefix domain is unique in
// a Region.
//
// Constraints from the API reference (CreateUserPoolDomain): Domain 1–63 of
// ^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$ for a prefix; a custom domain
// (CustomDomainConfig with a CertificateArn) is a host name. ManagedLoginVersion 1 or
// 2. TagResource: at most 50 tags, keys 1–128, values 0–256.

func (s *Service) domainOperations() map[string]Operation {
	return map[string]Operation{
		"CreateUserPoolDomain":   op(s.CreateUserPoolDomain),
		"DescribeUserPoolDomain": op(s.DescribeUserPoolDomain),
		"UpdateUserPoolDomain":   op(s.UpdateUserPoolDomain),
		"DeleteUserPoolDomain":   op(s.DeleteUserPoolDomain),
		"TagResource":            op(s.TagResource),
		"UntagResource":          op(s.UntagResource),
		"ListTagsForResource":    op(s.ListTagsForResource),
	}
}

var (
	prefixDomainPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`)
	hostNamePattern     = regexp.MustCompile(`^([a-z0-9]([a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// CustomDomainConfigType names the certificate of a custom domain.
type CustomDomainConfigType struct {
	CertificateArn string `json:"CertificateArn" validate:"required,len=20:2048,pattern=arn"`
}

// DomainInput is the input of CreateUserPoolDomain and UpdateUserPoolDomain. Its
// tags hold Domain to a host name's 253 characters (a prefix domain's 63 and its
// pattern depend on CustomDomainConfig: check); ManagedLoginVersion is 1 or 2.
type DomainInput struct {
	Domain              string                  `json:"Domain" validate:"required,len=1:253"`
	UserPoolId          string                  `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
	CustomDomainConfig  *CustomDomainConfigType `json:"CustomDomainConfig"`
	ManagedLoginVersion *int32                  `json:"ManagedLoginVersion" validate:"range=1:2"`
}

// DomainOutput is the output of CreateUserPoolDomain and UpdateUserPoolDomain.
type DomainOutput struct {
	CloudFrontDomain    *string `json:"CloudFrontDomain,omitempty"`
	ManagedLoginVersion *int32  `json:"ManagedLoginVersion,omitempty"`
}

func (in *DomainInput) check() *Error {
	if in.CustomDomainConfig != nil {
		// A custom domain is a host name (its 253 characters and the certificate's
		// ARN are the tags').
		if !hostNamePattern.MatchString(in.Domain) {
			return errInvalidParameter("Domain must be a fully qualified domain name.") // UNCONFIRMED (U14) wording
		}
	} else if e := checkString("domain", in.Domain, 1, 63, prefixDomainPattern, `^[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?$`); e != nil {
		return e
	}
	return nil
}

// domainOwner returns the pool that holds a domain, if any.
func (s *Service) domainOwner(domain string) *Pool {
	s.mu.RLock()
	pools := make([]*Pool, 0, len(s.pools))
	for _, p := range s.pools {
		pools = append(pools, p)
	}
	s.mu.RUnlock()
	for _, p := range pools {
		p.mu.Lock()
		d := p.dir.Domain
		p.mu.Unlock()
		if d != nil && d.Domain == domain {
			return p
		}
	}
	return nil
}

func (d *domainRecord) output() *DomainOutput {
	out := &DomainOutput{}
	if d.CertificateArn != "" {
		out.CloudFrontDomain = ptr(cloudFrontName(d.Domain))
	}
	if d.Version > 0 {
		out.ManagedLoginVersion = ptr(d.Version)
	}
	return out
}

// cloudFrontName derives a stable CloudFront-like host name for a custom domain.
func cloudFrontName(domain string) string {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(domain); i++ {
		h = (h ^ uint64(domain[i])) * 1099511628211
	}
	const alpha = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 13)
	for i := range b {
		b[i] = alpha[h%36]
		h /= 36
		if h == 0 {
			h = 1469598103934665603 + uint64(i)
		}
	}
	return "d" + string(b) + ".cloudfront.net"
}

// CreateUserPoolDomain gives a pool its domain. A pool has at most one; a domain
// used by any pool is refused.
func (s *Service) CreateUserPoolDomain(_ context.Context, in *DomainInput) (*DomainOutput, error) {
	if e := in.check(); e != nil {
		return nil, e
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	if owner := s.domainOwner(in.Domain); owner != nil {
		// Evidence: "Domain already associated with another user pool." is the
		// InvalidParameterException public captures show (UNCONFIRMED (U14) for the
		// same-pool case).
		return nil, errInvalidParameter("Domain already associated with another user pool.")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.dir.Domain != nil {
		// UNCONFIRMED (U14) wording.
		return nil, errInvalidParameter("User pool already has a domain configured.")
	}
	d := &domainRecord{Domain: in.Domain, Created: s.now()}
	if in.CustomDomainConfig != nil {
		d.CertificateArn = in.CustomDomainConfig.CertificateArn
	}
	if in.ManagedLoginVersion != nil {
		d.Version = *in.ManagedLoginVersion
	}
	p.dir.Domain = d
	return d.output(), nil
}

// DescribeUserPoolDomainInput is the input of DescribeUserPoolDomain.
type DescribeUserPoolDomainInput struct {
	Domain string `json:"Domain" validate:"required,len=1:253"`
}

// DomainDescriptionType describes a domain.
type DomainDescriptionType struct {
	AWSAccountId           *string                 `json:"AWSAccountId,omitempty"`
	CloudFrontDistribution *string                 `json:"CloudFrontDistribution,omitempty"`
	CustomDomainConfig     *CustomDomainConfigType `json:"CustomDomainConfig,omitempty"`
	Domain                 *string                 `json:"Domain,omitempty"`
	ManagedLoginVersion    *int32                  `json:"ManagedLoginVersion,omitempty"`
	S3Bucket               *string                 `json:"S3Bucket,omitempty"`
	Status                 *string                 `json:"Status,omitempty"`
	UserPoolId             *string                 `json:"UserPoolId,omitempty"`
	Version                *string                 `json:"Version,omitempty"`
}

// DescribeUserPoolDomainOutput is the output of DescribeUserPoolDomain.
type DescribeUserPoolDomainOutput struct {
	DomainDescription DomainDescriptionType `json:"DomainDescription"`
}

// DescribeUserPoolDomain describes a domain. A domain no pool holds answers an
// empty DomainDescription rather than an error, which infrastructure tools rely on
// to tell a free domain (UNCONFIRMED (U14): from tools' handling, no AWS text).
func (s *Service) DescribeUserPoolDomain(_ context.Context, in *DescribeUserPoolDomainInput) (*DescribeUserPoolDomainOutput, error) {
	out := &DescribeUserPoolDomainOutput{}
	p := s.domainOwner(in.Domain)
	if p == nil {
		return out, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dir.Domain
	if d == nil || d.Domain != in.Domain {
		return out, nil
	}
	dd := &out.DomainDescription
	dd.AWSAccountId = ptr(accountID)
	dd.Domain = ptr(d.Domain)
	dd.UserPoolId = ptr(p.id)
	dd.Status = ptr("ACTIVE")
	dd.Version = ptr(d.Created.UTC().Format("20060102150405"))
	if d.CertificateArn != "" {
		dd.CustomDomainConfig = &CustomDomainConfigType{CertificateArn: d.CertificateArn}
		dd.CloudFrontDistribution = ptr(cloudFrontName(d.Domain))
	}
	if d.Version > 0 {
		dd.ManagedLoginVersion = ptr(d.Version)
	}
	return out, nil
}

// UpdateUserPoolDomain changes a domain's certificate or managed-login version.
func (s *Service) UpdateUserPoolDomain(_ context.Context, in *DomainInput) (*DomainOutput, error) {
	if e := in.check(); e != nil {
		return nil, e
	}
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dir.Domain
	if d == nil || d.Domain != in.Domain {
		return nil, errResourceNotFound("Domain %s does not exist for user pool %s.", in.Domain, p.id) // UNCONFIRMED (U14) wording
	}
	if in.CustomDomainConfig != nil {
		d.CertificateArn = in.CustomDomainConfig.CertificateArn
	}
	if in.ManagedLoginVersion != nil {
		d.Version = *in.ManagedLoginVersion
	}
	return d.output(), nil
}

// DeleteUserPoolDomainInput is the input of DeleteUserPoolDomain.
type DeleteUserPoolDomainInput struct {
	Domain     string `json:"Domain" validate:"required,len=1:253"`
	UserPoolId string `json:"UserPoolId" validate:"required,len=1:55,pattern=userPoolId"`
}

// DeleteUserPoolDomain removes a pool's domain.
func (s *Service) DeleteUserPoolDomain(_ context.Context, in *DeleteUserPoolDomainInput) (*struct{}, error) {
	p, err := s.pool(in.UserPoolId)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	d := p.dir.Domain
	if d == nil || d.Domain != in.Domain {
		return nil, errInvalidParameter("No such domain or user pool exists.") // UNCONFIRMED (U14) wording
	}
	p.dir.Domain = nil
	return &struct{}{}, nil
}

// poolByArn finds the pool an ARN names (arn:aws:cognito-idp:<region>:<account>:userpool/<id>).
func (s *Service) poolByArn(arn string) (*Pool, error) {
	const marker = ":userpool/"
	i := len(arn) - 1
	for ; i >= 0; i-- {
		if i+len(marker) <= len(arn) && arn[i:i+len(marker)] == marker {
			break
		}
	}
	if i < 0 {
		return nil, errInvalidParameter("Invalid ARN: %s", truncate(arn, 256)) // UNCONFIRMED (U15) wording
	}
	p, err := s.pool(arn[i+len(marker):])
	if err != nil {
		return nil, errResourceNotFound("Resource %s does not exist.", truncate(arn, 256)) // UNCONFIRMED (U15) wording
	}
	if deref(p.describe().Arn) != arn {
		return nil, errResourceNotFound("Resource %s does not exist.", truncate(arn, 256))
	}
	return p, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// TagResourceInput is the input of TagResource (API reference, TagResource:
// ResourceArn an ARN of 20–2048; at most 50 Tags, keys 1–128 and values 0–256 of
// ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$).
type TagResourceInput struct {
	ResourceArn string            `json:"ResourceArn" validate:"required,len=20:2048,pattern=arn"`
	Tags        map[string]string `json:"Tags" validate:"required,len=:50,keys=1:128,kpattern=tag,values=0:256,vpattern=tag"`
}

func checkTags(tags map[string]string) *Error {
	if len(tags) > 50 {
		return errValidation("tags", "Member must have length less than or equal to 50", len(tags))
	}
	for k, v := range tags {
		if e := checkString("tags.key", k, 1, 128, nil, ""); e != nil {
			return e
		}
		if e := checkString("tags.value", v, 0, 256, nil, ""); e != nil {
			return e
		}
	}
	return nil
}

// TagResource adds or replaces tags of a pool (its UserPoolTags).
func (s *Service) TagResource(_ context.Context, in *TagResourceInput) (*struct{}, error) {
	p, err := s.poolByArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	merged := copyMap(p.cfg.UserPoolTags)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range in.Tags {
		merged[k] = v
	}
	if e := checkTags(merged); e != nil {
		return nil, e
	}
	p.cfg.UserPoolTags = merged
	return &struct{}{}, nil
}

// UntagResourceInput is the input of UntagResource (API reference, UntagResource:
// TagKeys of 1–128 of the tag pattern; their count, unpublished, is held to a
// pool's 50 tags: UNCONFIRMED (U27)).
type UntagResourceInput struct {
	ResourceArn string   `json:"ResourceArn" validate:"required,len=20:2048,pattern=arn"`
	TagKeys     []string `json:"TagKeys" validate:"len=:50,values=1:128,vpattern=tag"`
}

// UntagResource removes tags of a pool.
func (s *Service) UntagResource(_ context.Context, in *UntagResourceInput) (*struct{}, error) {
	p, err := s.poolByArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	tags := copyMap(p.cfg.UserPoolTags)
	for _, k := range in.TagKeys {
		delete(tags, k)
	}
	if len(tags) == 0 {
		tags = nil
	}
	p.cfg.UserPoolTags = tags
	return &struct{}{}, nil
}

// ListTagsForResourceInput is the input of ListTagsForResource.
type ListTagsForResourceInput struct {
	ResourceArn string `json:"ResourceArn" validate:"required,len=20:2048,pattern=arn"`
}

// ListTagsForResourceOutput is the output of ListTagsForResource.
type ListTagsForResourceOutput struct {
	Tags map[string]string `json:"Tags"`
}

// ListTagsForResource returns a pool's tags.
func (s *Service) ListTagsForResource(_ context.Context, in *ListTagsForResourceInput) (*ListTagsForResourceOutput, error) {
	p, err := s.poolByArn(in.ResourceArn)
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	tags := copyMap(p.cfg.UserPoolTags)
	if tags == nil {
		tags = map[string]string{}
	}
	return &ListTagsForResourceOutput{Tags: tags}, nil
}
