package idp

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// signInInputs are the input structs of the sign-in operations, by name, for the
// validator fuzz target.
var signInInputs = []func() any{
	func() any { return new(InitiateAuthInput) },
	func() any { return new(AdminInitiateAuthInput) },
	func() any { return new(RespondToAuthChallengeInput) },
	func() any { return new(AdminRespondToAuthChallengeInput) },
	func() any { return new(SignUpInput) },
	func() any { return new(ConfirmSignUpInput) },
	func() any { return new(ForgotPasswordInput) },
	func() any { return new(ConfirmForgotPasswordInput) },
	func() any { return new(ChangePasswordInput) },
	func() any { return new(UpdateUserAttributesInput) },
	func() any { return new(GetTokensFromRefreshTokenInput) },
	func() any { return new(VerifySoftwareTokenInput) },
}

// provisioningInputs are input structs of the provisioning operations whose tags use
// every rule kind (range, enum, kpattern, vpattern, shape, embedded structs).
var provisioningInputs = []func() any{
	func() any { return new(CreateUserPoolInput) },
	func() any { return new(UpdateUserPoolInput) },
	func() any { return new(CreateUserPoolClientInput) },
	func() any { return new(UpdateUserPoolClientInput) },
	func() any { return new(CreateGroupInput) },
	func() any { return new(ListGroupsInput) },
	func() any { return new(CreateIdentityProviderInput) },
	func() any { return new(ResourceServerInput) },
	func() any { return new(TagResourceInput) },
	func() any { return new(UntagResourceInput) },
	func() any { return new(SetUserPoolMfaConfigInput) },
	func() any { return new(AdminCreateUserInput) },
	func() any { return new(ListUsersInput) },
	func() any { return new(DomainInput) },
	func() any { return new(ConfirmDeviceInput) },
	func() any { return new(AddCustomAttributesInput) },
}

// FuzzValidate decodes arbitrary JSON into the sign-in and provisioning inputs and
// validates it: validate never panics; a refusal is InvalidParameterException (or,
// for a raw JSON member of the wrong type, the decoder's SerializationException)
// with a message of bounded size that quotes no value longer than maxQuoted; what
// passes keeps every rule of its tags (checked by walking the tags again, by other
// means than the validator's).
func FuzzValidate(f *testing.F) {
	inputs := append(append([]func() any(nil), signInInputs...), provisioningInputs...)
	for i := range inputs {
		f.Add(uint8(i), `{"ClientId":"abc","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"u","SRP_A":"0a"}}`)
		f.Add(uint8(i), `{"ClientId":"a-b","UserPoolId":"us-east-1_x","Username":"has space","Session":"short"}`)
		f.Add(uint8(i), `{"ChallengeResponses":{"PASSWORD_CLAIM_SIGNATURE":"AAAA","TIMESTAMP":"Tue Mar 5 07:04:09 UTC 2024"}}`)
		f.Add(uint8(i), `{"UserAttributes":[{"Name":"email","Value":"x"},{"Name":""}],"ClientMetadata":{"":""}}`)
		f.Add(uint8(i), `{"PoolName":"p","LambdaConfig":{"PreSignUp":"arn:aws:lambda:us-east-1:1:function:f","PreTokenGenerationConfig":{"LambdaArn":"x","LambdaVersion":"V2_0"}},"UserPoolTags":{"k":"v","b#":""},"Policies":{"PasswordPolicy":{"MinimumLength":5,"TemporaryPasswordValidityDays":400}},"Schema":[{"Name":"n","AttributeDataType":"Text"}]}`)
		f.Add(uint8(i), `{"ClientName":"c","AccessTokenValidity":0,"RefreshTokenValidity":-1,"CallbackURLs":["https://x",""],"TokenValidityUnits":{"AccessToken":"weeks"},"AllowedOAuthFlows":["code","password"],"AnalyticsConfiguration":{"ApplicationId":"xyz"}}`)
		f.Add(uint8(i), `{"Tags":{"":"v"},"TagKeys":["a",""],"Limit":61,"MaxResults":-1,"SmsMfaConfiguration":{"SmsConfiguration":{"SnsCallerArn":7}},"VerificationMessageTemplate":{"SmsMessage":"no code"}}`)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		in := inputs[int(which)%len(inputs)]()
		if json.Unmarshal([]byte(body), in) != nil {
			return
		}
		err := validate(in)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Type != TypeInvalidParameter && e.Type != TypeSerialization {
				t.Fatalf("refusal %T %v", err, err)
			}
			if len(e.Message) > 600 {
				t.Fatalf("a %d-byte message: %.200q", len(e.Message), e.Message)
			}
			return
		}
		walkBounds(t, reflect.ValueOf(in), "")
	})
}

// walkBounds fails t if a member that passed validation breaks a rule of its tag:
// a length, pattern, enumeration or range, an entry of a list or map, a raw JSON
// member's shape, or a named entry of AuthParameters or ChallengeResponses.
func walkBounds(t *testing.T, v reflect.Value, path string) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		tag := f.Tag.Get("validate")
		fv := v.Field(i)
		name := path + "." + f.Name
		if tag == "" || tag == "-" {
			walkBounds(t, fv, name)
			if fv.Kind() == reflect.Slice {
				for j := 0; j < fv.Len(); j++ {
					walkBounds(t, fv.Index(j), name)
				}
			}
			continue
		}
		r := parseRule(tag)
		for fv.Kind() == reflect.Pointer {
			if fv.IsNil() {
				break
			}
			fv = fv.Elem()
		}
		switch fv.Kind() {
		case reflect.String:
			s := fv.String()
			holdsText(t, name, s, r.length, r.pattern)
			if s != "" && r.enum != nil && !slices.Contains(r.enum, s) {
				t.Fatalf("%s: %q passed outside its enumeration", name, s)
			}
		case reflect.Int32, reflect.Int64, reflect.Int:
			n := fv.Int()
			if r.hasNumber && n != 0 && (n < int64(r.number.min) || r.number.max >= 0 && n > int64(r.number.max)) {
				t.Fatalf("%s: %d passed a range of %d–%d", name, n, r.number.min, r.number.max)
			}
		case reflect.Map:
			m, ok := fv.Interface().(map[string]string)
			if !ok {
				continue
			}
			if r.params == "" && (r.length.max >= 0 && len(m) > r.length.max || len(m) < r.length.min && len(m) > 0) {
				t.Fatalf("%s: %d entries passed a bound of %d–%d", name, len(m), r.length.min, r.length.max)
			}
			for k, val := range m {
				if r.params != "" {
					limit := maxParamValue
					if pr, ok := paramRules[r.params][k]; ok {
						limit = pr.max
						if pr.check != nil && val != "" && !pr.check(val) {
							t.Fatalf("%s[%s] passed without its form", name, k)
						}
					}
					if len(val) > limit {
						t.Fatalf("%s[%s]: %d bytes passed a bound of %d", name, k, len(val), limit)
					}
					if k == "SRP_A" && strings.Trim(val, "0123456789abcdefABCDEF") != "" {
						t.Fatalf("a non-hex SRP_A passed")
					}
					continue
				}
				holdsBytes(t, name+" key", k, r.keys, r.keyPattern)
				holdsBytes(t, name+" value", val, r.values, r.valuePattern)
			}
		case reflect.Slice:
			if fv.Type().Elem().Kind() == reflect.Uint8 {
				raw := fv.Bytes()
				if r.length.max >= 0 && len(raw) > r.length.max {
					t.Fatalf("%s: %d bytes passed a bound of %d", name, len(raw), r.length.max)
				}
				if r.shape != nil && len(raw) > 0 && string(raw) != "null" {
					sv := reflect.New(r.shape)
					if err := json.Unmarshal(raw, sv.Interface()); err != nil {
						t.Fatalf("%s passed but is not a %s: %v", name, r.shape.Name(), err)
					}
					walkBounds(t, sv, name)
				}
				continue
			}
			if r.length.max >= 0 && fv.Len() > r.length.max {
				t.Fatalf("%s: %d entries passed a bound of %d", name, fv.Len(), r.length.max)
			}
			for j := 0; j < fv.Len(); j++ {
				if e := fv.Index(j); e.Kind() == reflect.String {
					holdsText(t, name+" entry", e.String(), r.values, r.valuePattern)
					if r.enum != nil && e.String() != "" && !slices.Contains(r.enum, e.String()) {
						t.Fatalf("%s: %q passed outside its enumeration", name, e.String())
					}
				}
				walkBounds(t, fv.Index(j), name)
			}
		case reflect.Struct:
			walkBounds(t, fv, name)
		}
	}
}

// holdsText fails t if a present string breaks a length (in characters) or pattern.
func holdsText(t *testing.T, name, s string, b bounds, p *namedPattern) {
	n := utf8.RuneCountInString(s)
	if s != "" && (b.max >= 0 && n > b.max || n < b.min) {
		t.Fatalf("%s: %d characters passed a bound of %d–%d", name, n, b.min, b.max)
	}
	if s != "" && p != nil && !regexp.MustCompile(`^(?:`+p.text+`)$`).MatchString(s) {
		t.Fatalf("%s: %.80q passed without matching %s", name, s, p.text)
	}
}

// holdsBytes is holdsText for map keys and values, bounded in bytes.
func holdsBytes(t *testing.T, name, s string, b bounds, p *namedPattern) {
	if b.max >= 0 && len(s) > b.max || len(s) < b.min {
		t.Fatalf("%s: %d bytes passed a bound of %d–%d", name, len(s), b.min, b.max)
	}
	if p != nil && !regexp.MustCompile(`^(?:`+p.text+`)$`).MatchString(s) {
		t.Fatalf("%s: %.80q passed without matching %s", name, s, p.text)
	}
}

// TestValidateTags parses the validate tag of every member of every operation's
// input, so that a mistyped tag fails here rather than on a request.
func TestValidateTags(t *testing.T) {
	s := New(Options{})
	defer s.Close()
	for name, op := range s.Operations() {
		func() {
			defer func() {
				if v := recover(); v != nil {
					t.Errorf("%s: %v", name, v)
				}
			}()
			parseTags(reflect.TypeOf(op.NewInput()), map[reflect.Type]bool{})
		}()
	}
}

func parseTags(t reflect.Type, seen map[reflect.Type]bool) {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || seen[t] {
		return
	}
	seen[t] = true
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if tag := f.Tag.Get("validate"); tag != "" && tag != "-" {
			parseRule(tag)
		}
		parseTags(f.Type, seen)
	}
}
