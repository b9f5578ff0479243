package idp

import (
	"encoding/base64"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authbench/authbench/srp"
)

// Input validation happens before any work, the way the AWS front end does it: each
// member of an input struct declares Cognito's published constraints in a `validate`
// tag, and validate refuses the first member that breaks one with
// InvalidParameterException "1 validation error detected: Value … at '…' failed to
// satisfy constraint: …". The tag is a comma-separated list of:
//
//	required          the member must be present (non-empty)
//	len=MIN:MAX       length of a string (characters), of a list or map (entries), or
//	                  of a raw JSON member (bytes); either bound may be left out
//	pattern=NAME      a string matches the named pattern of [patterns] in full
//	sensitive         the value is never quoted in the message (AWS: "Value at 'password'")
//	keys=MIN:MAX      length of each key of a map of strings
//	values=MIN:MAX    length of each value of a map of strings, or of each string
//	                  of a list
//	params=auth       the AuthParameters / ChallengeResponses entries the sign-in
//	params=challenge  flows read are checked by name ([paramRules])
//
// "-" skips a member (and what is inside it). A value that is too long is never
// quoted, so a message's size is bounded whatever the request held.

// maxQuoted bounds a value quoted in a validation message; a longer value is left out.
const maxQuoted = 256

// patterns are the API reference's regular expressions by the names tags use; the
// text after the name is what the message quotes. Each is matched in full.
var patterns = map[string]namedPattern{
	// ClientId (API reference, e.g. InitiateAuth: "Pattern: [\w+]+").
	"clientId": newPattern(`[\w+]+`),
	// UserPoolId ("Pattern: [\w-]+_[0-9a-zA-Z]+").
	"userPoolId": newPattern(`[\w-]+_[0-9a-zA-Z]+`),
	// Username, GroupName and attribute names ("Pattern: [\p{L}\p{M}\p{S}\p{N}\p{P}]+").
	"name": newPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`),
	// AccessToken and RevokeToken's Token ("Pattern: [A-Za-z0-9-_=.]+").
	"token": newPattern(`[A-Za-z0-9-_=.]+`),
	// SecretHash ("Pattern: [\w+=/]+").
	"secretHash": newPattern(`[\w+=/]+`),
	// ConfirmationCode ("Pattern: [\S]+").
	"code": newPattern(`[\S]+`),
}

type namedPattern struct {
	re   *regexp.Regexp
	text string
}

func newPattern(text string) namedPattern {
	return namedPattern{re: regexp.MustCompile(`^(?:` + text + `)$`), text: text}
}

// rule is a parsed `validate` tag.
type rule struct {
	required, sensitive  bool
	length, keys, values bounds
	pattern              *namedPattern
	params               string
}

// bounds is an inclusive length range; max < 0 means none.
type bounds struct{ min, max int }

var noBounds = bounds{0, -1}

func parseRule(tag string) rule {
	r := rule{length: noBounds, keys: noBounds, values: noBounds}
	for _, part := range strings.Split(tag, ",") {
		name, arg, _ := strings.Cut(part, "=")
		switch name {
		case "required":
			r.required = true
		case "sensitive":
			r.sensitive = true
		case "len":
			r.length = parseBounds(arg)
		case "keys":
			r.keys = parseBounds(arg)
		case "values":
			r.values = parseBounds(arg)
		case "pattern":
			p, ok := patterns[arg]
			if !ok {
				panic("idp: validate tag names unknown pattern " + arg)
			}
			r.pattern = &p
		case "params":
			if _, ok := paramRules[arg]; !ok {
				panic("idp: validate tag names unknown params " + arg)
			}
			r.params = arg
		case "":
		default:
			panic("idp: unknown validate tag option " + part)
		}
	}
	return r
}

func parseBounds(s string) bounds {
	lo, hi, ok := strings.Cut(s, ":")
	if !ok {
		panic("idp: validate bounds want MIN:MAX, got " + s)
	}
	b := noBounds
	if lo != "" {
		b.min = mustAtoi(lo)
	}
	if hi != "" {
		b.max = mustAtoi(hi)
	}
	return b
}

func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic("idp: validate bound " + s + " is not a number")
	}
	return n
}

// validate enforces the `validate` tags of an input struct (and of the structs
// inside it), answering the way the AWS front end does, e.g. for a missing member:
// InvalidParameterException "1 validation error detected: Value null at 'clientId'
// failed to satisfy constraint: Member must not be null".
func validate(in any) error {
	if e := validateValue(reflect.ValueOf(in), ""); e != nil {
		return e
	}
	return nil
}

func validateValue(v reflect.Value, path string) *Error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag := f.Tag.Get("validate")
			if !f.IsExported() || tag == "-" {
				continue
			}
			fv := v.Field(i)
			name := memberPath(path, f)
			if tag != "" {
				if e := checkRule(parseRule(tag), fv, name); e != nil {
					return e
				}
			}
			if e := validateValue(fv, name); e != nil {
				return e
			}
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // raw JSON
		}
		for i := 0; i < v.Len(); i++ {
			if e := validateValue(v.Index(i), path+".member."+itoa(i+1)); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkRule checks one member against its rule.
func checkRule(r rule, v reflect.Value, member string) *Error {
	if isNull(v) {
		if r.required {
			return errValidation(member, "Member must not be null", nil)
		}
		return nil
	}
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		return checkText(member, v.String(), r.length, r.pattern, r.sensitive)
	case reflect.Slice, reflect.Map:
		if e := checkCount(member, v.Len(), r.length); e != nil {
			return e
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String {
			for i := 0; i < v.Len(); i++ {
				if e := checkText(member+"."+itoa(i+1)+".member", v.Index(i).String(), r.values, nil, false); e != nil {
					return e
				}
			}
			return nil
		}
		if v.Kind() != reflect.Map || v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			return nil
		}
		m := v.Interface().(map[string]string)
		if r.params != "" {
			return checkParams(member, r.params, m)
		}
		for k, val := range m {
			if e := checkMapEntry(member, k, val, r.keys, r.values); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkText checks a string's length (first, so a huge value costs nothing more)
// and its pattern.
func checkText(member, s string, b bounds, p *namedPattern, sensitive bool) *Error {
	if b.max >= 0 && (len(s) > 4*b.max || utf8.RuneCountInString(s) > b.max) {
		return errValidation(member, "Member must have length less than or equal to "+itoa(b.max), hidden{})
	}
	var quoted any = s
	if sensitive {
		quoted = hidden{}
	}
	if utf8.RuneCountInString(s) < b.min {
		return errValidation(member, "Member must have length greater than or equal to "+itoa(b.min), quoted)
	}
	if p != nil && !p.re.MatchString(s) {
		return errValidation(member, "Member must satisfy regular expression pattern: "+p.text, quoted)
	}
	return nil
}

// checkCount checks the number of entries of a list or map (or the bytes of raw JSON).
func checkCount(member string, n int, b bounds) *Error {
	if b.max >= 0 && n > b.max {
		return errValidation(member, "Member must have length less than or equal to "+itoa(b.max), hidden{})
	}
	if n < b.min {
		return errValidation(member, "Member must have length greater than or equal to "+itoa(b.min), hidden{})
	}
	return nil
}

// checkMapEntry checks a key and a value of a map of strings, worded as the AWS
// front end words map constraints. Neither is quoted.
func checkMapEntry(member, k, v string, keys, values bounds) *Error {
	if keys.max >= 0 && len(k) > keys.max || len(k) < keys.min {
		return errValidation(member, "Map keys must satisfy constraint: [Member must have length less than or equal to "+itoa(keys.max)+", Member must have length greater than or equal to "+itoa(keys.min)+"]", hidden{})
	}
	if values.max >= 0 && len(v) > values.max || len(v) < values.min {
		return errValidation(member, "Map value must satisfy constraint: [Member must have length less than or equal to "+itoa(values.max)+", Member must have length greater than or equal to "+itoa(values.min)+"]", hidden{})
	}
	return nil
}

// paramRule bounds one named entry of AuthParameters or ChallengeResponses.
type paramRule struct {
	max int
	// check, when set, checks the form of a value within max.
	check func(string) bool
	// invalid is the message of a value that fails check (the text the flow's own
	// check gives later, so where the refusal happens does not show).
	invalid string
}

// Bounds of AuthParameters and ChallengeResponses. Cognito publishes no constraint
// for these maps' entries; the bounds are what a real client can send: names as
// the API's own members (USERNAME 128, SECRET_HASH 128, DEVICE_KEY 55), passwords
// as Cognito's 256, SRP_A at most the 3072-bit modulus in hex, a password claim
// signature the base64 of an HMAC-SHA256, TIMESTAMP in Cognito's layout, codes and
// answers as attribute values (2048). Any other entry is held to 2048 characters and
// a map to 100 entries (NEW_PASSWORD_REQUIRED may carry every writable attribute).
var paramRules = map[string]map[string]paramRule{
	"auth": {
		"USERNAME":            {max: 128},
		"PASSWORD":            {max: 256},
		"SRP_A":               {max: maxSRPAHex, check: isHex, invalid: "SRP_A is not valid."},
		"SECRET_HASH":         {max: 128},
		"DEVICE_KEY":          {max: 55},
		"REFRESH_TOKEN":       {max: maxTokenLen},
		"REFRESH":             {max: maxTokenLen},
		"CHALLENGE_NAME":      {max: 64},
		"PREFERRED_CHALLENGE": {max: 64},
	},
	"challenge": {
		"USERNAME":                    {max: 128},
		"PASSWORD":                    {max: 256},
		"NEW_PASSWORD":                {max: 256},
		"SRP_A":                       {max: maxSRPAHex, check: isHex, invalid: "SRP_A is not valid."},
		"SECRET_HASH":                 {max: 128},
		"DEVICE_KEY":                  {max: 55},
		"PASSWORD_CLAIM_SECRET_BLOCK": {max: 8192},
		"PASSWORD_CLAIM_SIGNATURE":    {max: 64, check: isSignature, invalid: "PASSWORD_CLAIM_SIGNATURE is not valid."},
		"TIMESTAMP":                   {max: 64, check: isTimestamp, invalid: "TIMESTAMP format is not valid."},
	},
}

const (
	// maxSRPAHex is the length of the 3072-bit modulus in hex: an SRP_A longer than
	// N is refused before any arithmetic.
	maxSRPAHex = 768
	// maxTokenLen bounds a token (access, refresh) presented by a client; the
	// emulator's own are a few kilobytes at most. This bound and the two below are
	// the emulator's where Cognito publishes none: UNCONFIRMED (U21).
	maxTokenLen = 16384
	// maxParamValue and maxParams bound the entries not named in paramRules.
	maxParamValue = 2048
	maxParams     = 100
	maxParamKey   = 128
)

// checkParams checks a map of AuthParameters or ChallengeResponses by entry name.
// Values are never quoted: they hold passwords and proofs.
func checkParams(member, kind string, m map[string]string) *Error {
	if len(m) > maxParams {
		return errValidation(member, "Member must have length less than or equal to "+itoa(maxParams), hidden{})
	}
	rules := paramRules[kind]
	for k, v := range m {
		if len(k) > maxParamKey {
			return errValidation(member, "Map keys must satisfy constraint: [Member must have length less than or equal to "+itoa(maxParamKey)+"]", hidden{})
		}
		pr, ok := rules[k]
		if !ok {
			pr = paramRule{max: maxParamValue}
		}
		if len(v) > pr.max {
			return errValidation(member+"."+k, "Member must have length less than or equal to "+itoa(pr.max), hidden{})
		}
		if pr.check != nil && v != "" && !pr.check(v) {
			return errInvalidParameter("%s", pr.invalid)
		}
	}
	return nil
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// isSignature reports whether s is the standard base64 of 32 bytes (an HMAC-SHA256).
func isSignature(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// isTimestamp reports whether s is in Cognito's TIMESTAMP layout
// ("Mon Jan 2 15:04:05 UTC 2006"); whether the time is close enough is the
// verifier's business.
func isTimestamp(s string) bool {
	_, err := srp.ParseTimestamp(s)
	return err == nil
}

// hidden stands for a value a message does not quote.
type hidden struct{}

func isNull(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Interface:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

// memberPath is the member name as the validation messages spell it: lower camel case.
func memberPath(parent string, f reflect.StructField) string {
	name := f.Name
	if tag := f.Tag.Get("json"); tag != "" {
		if n, _, _ := strings.Cut(tag, ","); n != "" && n != "-" {
			name = n
		}
	}
	r, size := utf8.DecodeRuneInString(name)
	name = string(unicode.ToLower(r)) + name[size:]
	if parent == "" {
		return name
	}
	return parent + "." + name
}

func itoa(i int) string {
	if i < 0 {
		return "-" + itoa(-i)
	}
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
