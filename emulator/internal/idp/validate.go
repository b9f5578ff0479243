package idp

import (
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// validate enforces the `validate:"required"` tags of an input struct (and of the
// structs inside it), answering the way the AWS front end does for a missing member:
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
			if !f.IsExported() || f.Tag.Get("validate") == "-" {
				continue
			}
			fv := v.Field(i)
			name := memberPath(path, f)
			if f.Tag.Get("validate") == "required" && isNull(fv) {
				return errValidation(name, "Member must not be null", nil)
			}
			if e := validateValue(fv, name); e != nil {
				return e
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			if e := validateValue(v.Index(i), path+".member."+itoa(i+1)); e != nil {
				return e
			}
		}
	}
	return nil
}

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
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
