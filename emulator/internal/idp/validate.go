package idp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
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
//	kpattern=NAME     each key of a map of strings matches a pattern of [patterns]
//	vpattern=NAME     each value of a map of strings, or each string of a list,
//	                  matches a pattern of [patterns]
//	range=MIN:MAX     the value of a number (either bound may be left out)
//	enum=NAME         a string, or each string of a list, is one of [enums]
//	shape=NAME        a raw JSON member is decoded into the struct [shapes] names,
//	                  whose own tags are then checked (a member of the wrong JSON
//	                  type is a SerializationException, as the decoder answers)
//	params=auth       the AuthParameters / ChallengeResponses entries the sign-in
//	params=challenge  flows read are checked by name ([paramRules])
//
// "-" skips a member (and what is inside it). Structs inside a member, lists of
// structs and embedded structs are walked; a member of an embedded struct that the
// outer struct declares again (the same JSON name) is the outer one's, as for the
// JSON decoder. A value that is too long is never quoted, so a message's size is
// bounded whatever the request held.

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
	// ConfirmationCode, TemporaryPassword, the listings' NextToken and
	// PaginationToken ("Pattern: [\S]+").
	"code": newPattern(`[\S]+`),
	// ARNs: RoleArn, LambdaConfig's triggers, SnsCallerArn, SourceArn,
	// CertificateArn, ResourceArn (API reference, ArnType).
	"arn": newPattern(`arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?`),
	// PoolName, ClientName and a resource server's Name (UserPoolNameType,
	// ClientNameType, ResourceServerNameType: "Pattern: [\w\s+=,.@-]+").
	"poolName": newPattern(`[\w\s+=,.@-]+`),
	// CallbackURLs, LogoutURLs, DefaultRedirectURI (RedirectUrlType).
	"url": newPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}]+`),
	// AllowedOAuthScopes (ScopeType).
	"scope": newPattern(`[\x21\x23-\x5B\x5D-\x7E]+`),
	// A resource server's Identifier (ResourceServerIdentifierType).
	"rsIdentifier": newPattern(`[\x21\x23-\x5B\x5D-\x7E]+`),
	// A resource server scope's ScopeName (ResourceServerScopeNameType).
	"scopeName": newPattern(`[\x21\x23-\x2E\x30-\x5B\x5D-\x7E]+`),
	// CreateIdentityProvider's ProviderName (ProviderNameTypeV2).
	"providerNameV2": newPattern(`[^_\p{Z}][\p{L}\p{M}\p{S}\p{N}\p{P}][^_\p{Z}]+`),
	// IdpIdentifiers and GetIdentityProviderByIdentifier (IdpIdentifierType).
	"idpIdentifier": newPattern(`[\w\s+=.@-]+`),
	// A device key (DeviceKeyType).
	"deviceKey": newPattern(`[\w-]+_[0-9a-f-]+`),
	// SMS messages with a code (SmsVerificationMessageType).
	"smsMessage": newPattern(`.*\{####\}.*`),
	// Email messages with a code (EmailVerificationMessageType).
	"emailMessage": newPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{####\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`),
	// Email messages with a link (EmailVerificationMessageByLinkType).
	"emailLinkMessage": newPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*\{##[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*##\}[\p{L}\p{M}\p{S}\p{N}\p{P}\s*]*`),
	// Email subjects (EmailVerificationSubjectType).
	"emailSubject": newPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}\s]+`),
	// EmailConfiguration's ReplyToEmailAddress (EmailAddressType).
	"email": newPattern(`[\p{L}\p{M}\p{S}\p{N}\p{P}]+@[\p{L}\p{M}\p{S}\p{N}\p{P}]+`),
	// EmailConfiguration's ConfigurationSet (SESConfigurationSet).
	"sesConfigurationSet": newPattern(`^[a-zA-Z0-9_-]+$`),
	// SmsConfiguration's SnsRegion (RegionCodeType).
	"region": newPattern(`[-\w]+`),
	// AnalyticsConfiguration's ApplicationId (HexStringType).
	"hex": newPattern(`^[0-9a-fA-F]+$`),
	// Tag keys and values (TagKeysType, TagValueType).
	"tag": newPattern(`^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$`),
}

// enums are the API reference's enumerations by the names tags use. Each list is in
// the order the reference gives it, which is the order the message quotes.
var enums = map[string][]string{
	"mfa":                  mfaModes,
	"verifiedAttribute":    verifiedAttrs,
	"aliasAttribute":       aliasAttrs,
	"usernameAttribute":    usernameAttrs,
	"deletionProtection":   {"ACTIVE", "INACTIVE"},
	"poolTier":             {"LITE", "ESSENTIALS", "PLUS"},
	"explicitAuthFlow":     explicitFlows,
	"preventUserExistence": preventOptions,
	"timeUnit":             timeUnits,
	"oauthFlow":            {"code", "implicit", "client_credentials"},
	"attributeDataType":    attributeDataTypes,
	"recoveryOption":       {"verified_email", "verified_phone_number", "admin_only"},
	"emailSendingAccount":  {"COGNITO_DEFAULT", "DEVELOPER"},
	"defaultEmailOption":   {"CONFIRM_WITH_LINK", "CONFIRM_WITH_CODE"},
	"advancedSecurityMode": {"OFF", "AUDIT", "ENFORCED"},
	"customAuthMode":       {"AUDIT", "ENFORCED"},
	"lambdaVersionV1":      {"V1_0"},
	"preTokenVersion":      {"V1_0", "V2_0", "V3_0"},
	"firstAuthFactor":      {"PASSWORD", "EMAIL_OTP", "SMS_OTP", "WEB_AUTHN"},
	"messageAction":        {"RESEND", "SUPPRESS"},
	"deliveryMedium":       {"SMS", "EMAIL"},
	"deviceStatus":         deviceStatuses,
	"providerType":         providerTypes,
	"userVerification":     {"required", "preferred"},
}

// shapes are the structs that raw JSON members are checked as, by the names tags
// use. The members stay raw so that the pool stores and echoes them as sent.
var shapes = map[string]reflect.Type{
	"AccountRecoverySettingType":      reflect.TypeFor[AccountRecoverySettingType](),
	"MessageTemplateType":             reflect.TypeFor[MessageTemplateType](),
	"EmailConfigurationType":          reflect.TypeFor[EmailConfigurationType](),
	"LambdaConfigType":                reflect.TypeFor[LambdaConfigType](),
	"SmsConfigurationType":            reflect.TypeFor[SmsConfigurationType](),
	"UserAttributeUpdateSettingsType": reflect.TypeFor[UserAttributeUpdateSettingsType](),
	"UserPoolAddOnsType":              reflect.TypeFor[UserPoolAddOnsType](),
	"VerificationMessageTemplateType": reflect.TypeFor[VerificationMessageTemplateType](),
	"AnalyticsConfigurationType":      reflect.TypeFor[AnalyticsConfigurationType](),
	"WebAuthnConfigurationType":       reflect.TypeFor[WebAuthnConfigurationType](),
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
	required, sensitive               bool
	length, keys, values, number      bounds
	hasNumber                         bool
	pattern, keyPattern, valuePattern *namedPattern
	enum                              []string
	shape                             reflect.Type
	params                            string
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
			r.pattern = lookupPattern(arg)
		case "kpattern":
			r.keyPattern = lookupPattern(arg)
		case "vpattern":
			r.valuePattern = lookupPattern(arg)
		case "range":
			r.number, r.hasNumber = parseBounds(arg), true
		case "enum":
			values, ok := enums[arg]
			if !ok {
				panic("idp: validate tag names unknown enum " + arg)
			}
			r.enum = values
		case "shape":
			t, ok := shapes[arg]
			if !ok {
				panic("idp: validate tag names unknown shape " + arg)
			}
			r.shape = t
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

func lookupPattern(name string) *namedPattern {
	p, ok := patterns[name]
	if !ok {
		panic("idp: validate tag names unknown pattern " + name)
	}
	return &p
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
		return validateStruct(v, path, nil)
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

// validateStruct checks the members of a struct, skipping those an outer struct
// declares again (shadowed, by JSON name); an embedded struct's members are the
// struct's own, under the same path.
func validateStruct(v reflect.Value, path string, shadowed map[string]bool) *Error {
	t := v.Type()
	// declared is what an embedded struct of this one may not declare again: the
	// names this struct and the structs around it declare.
	declared := func() map[string]bool {
		names := make(map[string]bool, t.NumField()+len(shadowed))
		for n := range shadowed {
			names[n] = true
		}
		for i := 0; i < t.NumField(); i++ {
			if f := t.Field(i); !f.Anonymous {
				names[jsonName(f)] = true
			}
		}
		return names
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("validate")
		if tag == "-" || !f.Anonymous && (!f.IsExported() || shadowed[jsonName(f)]) {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous {
			for fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					break
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				if e := validateStruct(fv, path, declared()); e != nil {
					return e
				}
			}
			continue
		}
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
	switch v.Kind() {
	case reflect.Int, reflect.Int32, reflect.Int64:
		if v.Int() == 0 {
			return nil // a number that is not a pointer is absent when zero
		}
	}
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.String:
		if e := checkText(member, v.String(), r.length, r.pattern, r.sensitive); e != nil {
			return e
		}
		return checkEnumValue(member, v.String(), r.enum)
	case reflect.Int, reflect.Int32, reflect.Int64:
		if r.hasNumber {
			return checkNumber(member, v.Int(), r.number)
		}
	case reflect.Slice, reflect.Map:
		if e := checkCount(member, v.Len(), r.length); e != nil {
			return e
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 && r.shape != nil {
			return checkShape(member, v.Bytes(), r.shape)
		}
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.String {
			for i := 0; i < v.Len(); i++ {
				s := v.Index(i).String()
				if e := checkText(member+"."+itoa(i+1)+".member", s, r.values, r.valuePattern, r.sensitive); e != nil {
					return e
				}
				if e := checkEnumValue(member, s, r.enum); e != nil {
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
			if e := checkMapEntry(member, k, val, r); e != nil {
				return e
			}
		}
	}
	return nil
}

// checkNumber checks a number against an inclusive range, worded as the AWS front
// end words it ("Member must have value less than or equal to 60").
func checkNumber(member string, n int64, b bounds) *Error {
	if b.max >= 0 && n > int64(b.max) {
		return errValidation(member, "Member must have value less than or equal to "+itoa(b.max), n)
	}
	if n < int64(b.min) {
		return errValidation(member, "Member must have value greater than or equal to "+itoa(b.min), n)
	}
	return nil
}

// checkEnumValue checks that a string (present) is one of an enumeration's values.
// Only a value within maxQuoted is quoted.
func checkEnumValue(member, s string, values []string) *Error {
	if values == nil || s == "" || contains(values, s) {
		return nil
	}
	return errValidation(member, "Member must satisfy enum value set: ["+strings.Join(values, ", ")+"]", s)
}

// checkShape decodes a raw JSON member as its shape and checks the shape's tags. A
// member of the wrong type is the decoder's SerializationException.
func checkShape(member string, raw []byte, t reflect.Type) *Error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	v := reflect.New(t)
	if err := json.Unmarshal(raw, v.Interface()); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := member
			if te.Field != "" {
				field += "." + te.Field
			}
			return &Error{Type: TypeSerialization, Message: fmt.Sprintf("Unexpected value type for member %s: expected %s, got %s.", clipText(field, maxQuoted), te.Type, te.Value)}
		}
		return &Error{Type: TypeSerialization, Message: "Could not parse the member " + clipText(member, maxQuoted) + "."}
	}
	return validateValue(v, member)
}

// clipText bounds a text a message quotes that the request chose (a JSON path).
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
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
// front end words map constraints: every constraint of the key (or value) listed.
// Neither is quoted.
func checkMapEntry(member, k, v string, r rule) *Error {
	if r.keys.max >= 0 && len(k) > r.keys.max || len(k) < r.keys.min || r.keyPattern != nil && !r.keyPattern.re.MatchString(k) {
		return errValidation(member, "Map keys must satisfy constraint: ["+mapConstraints(r.keys, r.keyPattern)+"]", hidden{})
	}
	if r.values.max >= 0 && len(v) > r.values.max || len(v) < r.values.min || r.valuePattern != nil && !r.valuePattern.re.MatchString(v) {
		return errValidation(member, "Map value must satisfy constraint: ["+mapConstraints(r.values, r.valuePattern)+"]", hidden{})
	}
	return nil
}

func mapConstraints(b bounds, p *namedPattern) string {
	s := "Member must have length less than or equal to " + itoa(b.max) + ", Member must have length greater than or equal to " + itoa(b.min)
	if p != nil {
		s += ", Member must satisfy regular expression pattern: " + p.text
	}
	return s
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

// jsonName is a member's name on the wire.
func jsonName(f reflect.StructField) string {
	if tag := f.Tag.Get("json"); tag != "" {
		if n, _, _ := strings.Cut(tag, ","); n != "" && n != "-" {
			return n
		}
	}
	return f.Name
}

// memberPath is the member name as the validation messages spell it: lower camel case.
func memberPath(parent string, f reflect.StructField) string {
	name := jsonName(f)
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
