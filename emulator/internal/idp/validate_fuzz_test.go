package idp

import (
	"encoding/json"
	"reflect"
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

// FuzzValidate decodes arbitrary JSON into the sign-in inputs and validates it:
// validate never panics; a refusal is InvalidParameterException with a message of
// bounded size that quotes no value longer than maxQuoted; what passes holds no
// string longer than its member's bound (checked by walking the tags again).
func FuzzValidate(f *testing.F) {
	for i := range signInInputs {
		f.Add(uint8(i), `{"ClientId":"abc","AuthFlow":"USER_SRP_AUTH","AuthParameters":{"USERNAME":"u","SRP_A":"0a"}}`)
		f.Add(uint8(i), `{"ClientId":"a-b","UserPoolId":"us-east-1_x","Username":"has space","Session":"short"}`)
		f.Add(uint8(i), `{"ChallengeResponses":{"PASSWORD_CLAIM_SIGNATURE":"AAAA","TIMESTAMP":"Tue Mar 5 07:04:09 UTC 2024"}}`)
		f.Add(uint8(i), `{"UserAttributes":[{"Name":"email","Value":"x"},{"Name":""}],"ClientMetadata":{"":""}}`)
	}
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		in := signInInputs[int(which)%len(signInInputs)]()
		if json.Unmarshal([]byte(body), in) != nil {
			return
		}
		err := validate(in)
		if err != nil {
			e, ok := err.(*Error)
			if !ok || e.Type != TypeInvalidParameter {
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

// walkBounds fails t if a member that passed validation breaks its tag's length
// bound or a named entry of AuthParameters or ChallengeResponses breaks its rule.
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
		if tag == "" || tag == "-" {
			walkBounds(t, fv, path+"."+f.Name)
			continue
		}
		r := parseRule(tag)
		switch fv.Kind() {
		case reflect.String:
			if n := utf8.RuneCountInString(fv.String()); r.length.max >= 0 && n > r.length.max {
				t.Fatalf("%s%s: %d characters passed a bound of %d", path, f.Name, n, r.length.max)
			}
		case reflect.Map:
			m, ok := fv.Interface().(map[string]string)
			if !ok {
				continue
			}
			for k, val := range m {
				limit := r.values.max
				if r.params != "" {
					limit = maxParamValue
					if pr, ok := paramRules[r.params][k]; ok {
						limit = pr.max
						if pr.check != nil && val != "" && !pr.check(val) {
							t.Fatalf("%s[%s] passed without its form", f.Name, k)
						}
					}
				}
				if limit >= 0 && len(val) > limit {
					t.Fatalf("%s[%s]: %d bytes passed a bound of %d", f.Name, k, len(val), limit)
				}
				if k == "SRP_A" && r.params != "" && strings.Trim(val, "0123456789abcdefABCDEF") != "" {
					t.Fatalf("a non-hex SRP_A passed")
				}
			}
		case reflect.Slice:
			if r.length.max >= 0 && fv.Len() > r.length.max {
				t.Fatalf("%s: %d entries passed a bound of %d", f.Name, fv.Len(), r.length.max)
			}
			for j := 0; j < fv.Len(); j++ {
				walkBounds(t, fv.Index(j), path+"."+f.Name)
			}
		}
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
