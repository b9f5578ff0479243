package jsonstream

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestHead splits objects into their rows and the rest: the rows are read one at a
// time, the rest is the object without them, and what is not an object (or rows
// that are not an array) is an error.
func TestHead(t *testing.T) {
	for _, c := range []struct {
		in, head string
		rows     int
		err      bool
	}{
		{in: `{"a":1,"intervals":[{"x":1},{"x":2}],"b":"s"}`, head: `{"a":1,"b":"s"}`, rows: 2},
		{in: `{"intervals":null}`, head: `{}`},
		{in: `{"a":{"intervals":[1]}}`, head: `{"a":{"intervals":[1]}}`},
		{in: `{}`, head: `{}`},
		{in: `[]`, err: true},
		{in: `{"intervals":{}}`, err: true},
		{in: `{"a":`, err: true},
	} {
		dec := json.NewDecoder(strings.NewReader(c.in))
		rows := 0
		head, err := Head(dec, "intervals", func() error {
			return Array(dec, func() error {
				var v json.RawMessage
				rows++
				return dec.Decode(&v)
			})
		})
		if (err != nil) != c.err {
			t.Errorf("%s: error %v, want one: %v", c.in, err, c.err)
			continue
		}
		if err == nil && (string(head) != c.head || rows != c.rows) {
			t.Errorf("%s: head %s with %d rows, want %s with %d", c.in, head, rows, c.head, c.rows)
		}
	}
}

// FuzzHead checks that Head of any object gives the object without its "intervals"
// member, and never panics.
func FuzzHead(f *testing.F) {
	for _, s := range []string{`{"a":1,"intervals":[1,2],"b":[{}]}`, `{"intervals":null}`, `{}`, `[1]`, `{"a":"\u00e9"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		dec := json.NewDecoder(strings.NewReader(in))
		head, err := Head(dec, "intervals", func() error { return SkipArray(dec) })
		if err != nil {
			return
		}
		var want, got map[string]any
		if json.Unmarshal([]byte(in), &want) != nil {
			return // Head reads one value: trailing data is not its business
		}
		if err := json.Unmarshal(head, &got); err != nil {
			t.Fatalf("head %q of %q is not JSON: %v", head, in, err)
		}
		delete(want, "intervals")
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("head of %q is %v, want %v", in, got, want)
		}
	})
}
