// Package jsonstream reads large JSON documents a value at a time with
// encoding/json's Decoder: an object key by key, an array element by element, and
// an object's members but one (a summary's "intervals" rows, say) gathered into a
// small document of their own. The bench summary and the merge read summaries of
// runs of any length through it, in memory that does not grow with the run.
package jsonstream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Object reads a JSON object from dec, calling field with each key; field must read
// the key's value from dec.
func Object(dec *json.Decoder, field func(key string) error) error {
	if tok, err := dec.Token(); err != nil {
		return err
	} else if tok != json.Delim('{') {
		return errors.New("not a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if err := field(key); err != nil {
			return err
		}
	}
	_, err := dec.Token()
	return err
}

// Array reads a JSON array (or null) from dec, calling elem to read each element.
func Array(dec *json.Decoder, elem func() error) error {
	tok, err := dec.Token()
	switch {
	case err != nil || tok == nil:
		return err
	case tok != json.Delim('['):
		return fmt.Errorf("%v where an array was expected", tok)
	}
	for dec.More() {
		if err := elem(); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

// SkipArray reads past a JSON array (or null) of dec, one element at a time.
func SkipArray(dec *json.Decoder) error {
	return Array(dec, func() error {
		var v json.RawMessage
		return dec.Decode(&v)
	})
}

// Head reads a JSON object from dec and returns it without its member key, whose
// value it hands to value (which must read it from dec, with Array or SkipArray): the
// object's other members, as a JSON object of their own.
func Head(dec *json.Decoder, key string, value func() error) ([]byte, error) {
	var head bytes.Buffer
	head.WriteByte('{')
	err := Object(dec, func(k string) error {
		if k == key {
			return value()
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return err
		}
		if head.Len() > 1 {
			head.WriteByte(',')
		}
		kj, _ := json.Marshal(k)
		head.Write(kj)
		head.WriteByte(':')
		head.Write(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	head.WriteByte('}')
	return head.Bytes(), nil
}
