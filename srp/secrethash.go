package srp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
)

// AppClient is a user-pool app client as SECRET_HASH needs it. The zero Secret means
// a public client, which sends no SECRET_HASH.
type AppClient struct {
	// ID is the app client id.
	ID string
	// Secret is the app client secret, or "" for a client without one.
	Secret string
}

// HasSecret reports whether the client has a secret and so must send SECRET_HASH.
func (c AppClient) HasSecret() bool { return c.Secret != "" }

// SecretHash returns SECRET_HASH for username:
// base64(HMAC-SHA256(key = secret, msg = username ‖ client id)). In InitiateAuth the
// username is the one the user typed; in every RespondToAuthChallenge it is the
// USERNAME of the last challenge parameters. It returns "" for a client without a
// secret.
func (c AppClient) SecretHash(username string) string {
	if c.Secret == "" {
		return ""
	}
	m := hmac.New(sha256.New, []byte(c.Secret))
	m.Write([]byte(username))
	m.Write([]byte(c.ID))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// LogValue keeps the secret out of logs.
func (c AppClient) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", c.ID), slog.Bool("secret", c.HasSecret()))
}

// String keeps the secret out of fmt output.
func (c AppClient) String() string {
	if c.HasSecret() {
		return "AppClient{ID:" + c.ID + " Secret:[redacted]}"
	}
	return "AppClient{ID:" + c.ID + "}"
}
