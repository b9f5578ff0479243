package idp

import (
	"encoding/base64"
	"encoding/json"
	"strings"
)

// Reading a token's pool before its signature is checked.

// unverifiedIssuerPool reads the pool id at the end of a JWT payload's iss claim
// without verifying anything; the caller then verifies under that pool's key.
func unverifiedIssuerPool(payload string) string {
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return ""
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if json.Unmarshal(b, &c) != nil {
		return ""
	}
	return c.Iss[strings.LastIndexByte(c.Iss, '/')+1:]
}
