package emulator

import (
	"net/http"
	"strconv"
	"time"

	"github.com/authbench/authbench/emulator/internal/idp"
)

// serveJWKS publishes a pool's signing key.
func (s *Server) serveJWKS(w http.ResponseWriter, poolID string) {
	jwks, err := s.svc.JWKS(poolID)
	if err != nil {
		writeJSON(w, http.StatusNotFound, "application/json", map[string]string{"message": "User pool " + clip(poolID) + " does not exist."})
		return
	}
	w.Header().Set("Cache-Control", "max-age=300")
	writeJSON(w, http.StatusOK, "application/json", jwks)
}

// serveOIDC publishes the OpenID configuration whose issuer and jwks_uri agree with
// the tokens' iss.
func (s *Server) serveOIDC(w http.ResponseWriter, poolID string) {
	if _, err := s.svc.JWKS(poolID); err != nil {
		writeJSON(w, http.StatusNotFound, "application/json", map[string]string{"message": "User pool " + clip(poolID) + " does not exist."})
		return
	}
	iss := s.svc.Issuer(poolID)
	writeJSON(w, http.StatusOK, "application/json", map[string]any{
		"issuer":                                iss,
		"jwks_uri":                              iss + wellKnownJWKS,
		"authorization_endpoint":                iss + "/oauth2/authorize",
		"token_endpoint":                        iss + "/oauth2/token",
		"userinfo_endpoint":                     iss + "/oauth2/userInfo",
		"response_types_supported":              []string{"code", "token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid", "email", "phone", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

// serveOutbox lists the messages the pools sent, newest first. Query parameters:
// poolId, username, purpose, after (a sequence number), limit.
func (s *Server) serveOutbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := idp.Filter{PoolID: q.Get("poolId"), Username: q.Get("username"), Purpose: q.Get("purpose")}
	var err error
	if v := q.Get("after"); v != "" {
		if f.After, err = strconv.ParseInt(v, 10, 64); err != nil {
			writeJSON(w, http.StatusBadRequest, "application/json", map[string]string{"message": "after must be an integer"})
			return
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil || f.Limit < 0 {
			writeJSON(w, http.StatusBadRequest, "application/json", map[string]string{"message": "limit must be a non-negative integer"})
			return
		}
	}
	msgs := s.svc.Outbox().List(f)
	if msgs == nil {
		msgs = []idp.Message{}
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, "application/json", map[string]any{"messages": msgs, "now": time.Now().UTC()})
}
