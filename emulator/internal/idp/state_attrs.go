package idp

import (
	"strconv"
	"strings"
)

// User attributes: the schema check, applying changes (and the alias indexes), and
// alias conflicts.

// schemaAttr returns the schema entry of an attribute name, or nil.
func (p *Pool) schemaAttr(name string) *SchemaAttributeType {
	for i := range p.cfg.SchemaAttributes {
		if deref(p.cfg.SchemaAttributes[i].Name) == name {
			return &p.cfg.SchemaAttributes[i]
		}
	}
	return nil
}

// checkAttributes validates attribute names and values against the schema. creating
// allows immutable attributes to be set. The caller holds p.mu.
func (p *Pool) checkAttributes(attrs map[string]string, creating bool) *Error {
	for name, v := range attrs {
		if name == "sub" {
			return errInvalidParameter("Cannot modify the non-mutable attribute sub")
		}
		sa := p.schemaAttr(name)
		if sa == nil {
			return errInvalidParameter("Attributes did not conform to the schema: Type for attribute {%s} could not be determined", name)
		}
		if !creating && !deref(sa.Mutable) {
			return errInvalidParameter("Attribute cannot be updated. (changing an immutable attribute)")
		}
		if c := sa.StringAttributeConstraints; c != nil && c.MaxLength != nil {
			if max := atoiDefault(*c.MaxLength, 2048); len(v) > max {
				return errInvalidParameter("Attributes did not conform to the schema: %s: String must be no longer than %d characters", name, max)
			}
		}
		if c := sa.StringAttributeConstraints; c != nil && c.MinLength != nil && v != "" {
			if min := atoiDefault(*c.MinLength, 0); len(v) < min {
				// UNCONFIRMED (U17) wording, patterned on the maximum's.
				return errInvalidParameter("Attributes did not conform to the schema: %s: String must be no shorter than %d characters", name, min)
			}
		}
		switch sa.AttributeDataType {
		case "Boolean":
			// Booleans are accepted in any case ("True") and stored as "true" /
			// "false" (UNCONFIRMED (U18): reported of AWS in issue #11; no AWS text).
			switch strings.ToLower(v) {
			case "true", "false":
				attrs[name] = strings.ToLower(v)
			default:
				return errInvalidParameter("Attributes did not conform to the schema: %s: Boolean attribute must be 'true' or 'false'", name)
			}
		case "Number":
			if !isNumber(v) {
				return errInvalidParameter("Attributes did not conform to the schema: %s: Number must be an integer", name)
			}
			if c := sa.NumberAttributeConstraints; c != nil {
				n, _ := strconv.ParseInt(v, 10, 64)
				if lo, _ := parseBound(c.MinValue); lo != nil && n < *lo {
					return errInvalidParameter("Attributes did not conform to the schema: %s: Number must be no less than %d", name, *lo) // UNCONFIRMED (U17) wording
				}
				if hi, _ := parseBound(c.MaxValue); hi != nil && n > *hi {
					return errInvalidParameter("Attributes did not conform to the schema: %s: Number must be no greater than %d", name, *hi) // UNCONFIRMED (U17) wording
				}
			}
		}
		if name == "email" && v != "" && !strings.Contains(v, "@") {
			return errInvalidParameter("Invalid email address format.")
		}
		if name == "phone_number" && v != "" && !validPhone(v) {
			return errInvalidParameter("Invalid phone number format.")
		}
	}
	return nil
}

// requiredMissing returns the first required attribute attrs lacks, or "".
func (p *Pool) requiredMissing(attrs map[string]string) string {
	for _, a := range p.cfg.SchemaAttributes {
		n := deref(a.Name)
		if deref(a.Required) && n != "sub" && attrs[n] == "" {
			return n
		}
	}
	return ""
}

// applyAttributes sets attributes on u, keeping the indexes right: changing email or
// phone_number unverifies it unless the same update verifies it. An empty value
// deletes the attribute. The caller holds p.mu.
func (p *Pool) applyAttributes(u *User, attrs map[string]string) {
	if len(attrs) == 0 {
		return
	}
	p.unindex(u)
	for name, v := range attrs {
		old, had := u.Attrs[name]
		if v == "" {
			delete(u.Attrs, name)
		} else {
			u.Attrs[name] = v
		}
		for _, pair := range [][2]string{{"email", "email_verified"}, {"phone_number", "phone_number_verified"}} {
			if name == pair[0] && (!had || old != v) {
				if _, set := attrs[pair[1]]; !set {
					u.Attrs[pair[1]] = "false"
				}
			}
		}
	}
	p.index(u)
}

// aliasConflict returns an error when attrs would give u an email or phone number
// another user signs in with. The caller holds p.mu.
func (p *Pool) aliasConflict(u *User, attrs map[string]string) *Error {
	ua, aliases := p.signInAttrs()
	for _, a := range append(append([]string{}, ua...), aliases...) {
		v, ok := attrs[a]
		if !ok || v == "" {
			continue
		}
		if other := p.attrOwner(a, v, u); other != nil {
			if contains(ua, a) {
				return &Error{Type: TypeUsernameExists, Message: "An account with the given " + a + " already exists."}
			}
			if other.Attrs[a+"_verified"] == "true" || a == "preferred_username" {
				return &Error{Type: TypeAliasExists, Message: "An account with the given " + a + " already exists."}
			}
		}
	}
	return nil
}

func atoiDefault(s string, def int) int {
	n := 0
	if s == "" {
		return def
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return def
		}
		n = n*10 + int(r-'0')
	}
	return n
}

func isNumber(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validPhone checks E.164: "+" and 4 to 15 digits.
func validPhone(s string) bool {
	if !strings.HasPrefix(s, "+") || len(s) < 5 || len(s) > 16 {
		return false
	}
	return isNumber(s[1:])
}

// attrMap turns wire attributes into a map.
func attrMap(list []AttributeType) map[string]string {
	m := make(map[string]string, len(list))
	for _, a := range list {
		m[deref(a.Name)] = deref(a.Value)
	}
	return m
}
