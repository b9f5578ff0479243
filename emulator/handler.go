package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/authbench/authbench/emulator/internal/idp"
)

const (
	targetPrefix   = "AWSCognitoIdentityProviderService."
	jsonType       = "application/x-amz-json-1.1"
	outboxPath     = "/_authbench/outbox"
	healthPath     = "/_authbench/health"
	wellKnownJWKS  = "/.well-known/jwks.json"
	wellKnownOIDC  = "/.well-known/openid-configuration"
	corsAllowHdrs  = "content-type, x-amz-target, x-amz-user-agent, x-amz-date, x-amz-security-token, authorization, cache-control, amz-sdk-invocation-id, amz-sdk-request"
	corsExposeHdrs = "x-amzn-requestid, x-amzn-errortype, x-amzn-errormessage, date"
)

// Handler returns the server's HTTP handler: the Cognito API on POST /, the
// well-known documents of each pool, and the outbox.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(s.serveHTTP)
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	s.setCORS(h, origin)
	reqID := s.newRequestID()
	h.Set("x-amzn-RequestId", reqID)
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("emulator: panic", "request", reqID, "panic", fmt.Sprint(v))
			writeError(w, &idp.Error{Type: idp.TypeInternalError, Message: "Internal server error.", Fault: true})
		}
	}()
	if e := s.hostRefusal(r); e != nil {
		writeErrorStatus(w, http.StatusForbidden, e)
		return
	}
	switch {
	case r.Method == http.MethodOptions:
		s.servePreflight(w, r)
	case r.URL.Path == "/" && r.Method == http.MethodPost:
		s.serveAPI(w, r)
	case r.URL.Path == outboxPath && r.Method == http.MethodGet:
		if e := s.browserRefusal(r, "The outbox", false); e != nil {
			writeErrorStatus(w, http.StatusForbidden, e)
			return
		}
		if status, e := s.signatureRefusal(r, nil, ""); e != nil {
			writeErrorStatus(w, status, e)
			return
		}
		s.serveOutbox(w, r)
	case r.URL.Path == healthPath:
		writeJSON(w, http.StatusOK, "application/json", map[string]string{"status": "ok"})
	case strings.HasSuffix(r.URL.Path, wellKnownJWKS) && r.Method == http.MethodGet:
		s.serveJWKS(w, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), wellKnownJWKS))
	case strings.HasSuffix(r.URL.Path, wellKnownOIDC) && r.Method == http.MethodGet:
		s.serveOIDC(w, strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/"), wellKnownOIDC))
	default:
		writeJSON(w, http.StatusNotFound, "application/json", map[string]string{"__type": "NotFound", "message": "No route for " + clip(r.Method) + " " + clip(r.URL.Path)})
	}
}

// servePreflight answers a CORS preflight. The API on POST / is open to every origin
// at this stage, since a preflight does not say which operation follows (each request
// is then checked by its X-Amz-Target); other paths are open only to origins named in
// AllowOrigins.
func (s *Server) servePreflight(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	origin := r.Header.Get("Origin")
	if origin != "" && !s.originAllowed(origin) {
		if r.URL.Path != "/" && !strings.HasSuffix(r.URL.Path, wellKnownJWKS) && !strings.HasSuffix(r.URL.Path, wellKnownOIDC) {
			h.Del("Access-Control-Allow-Origin")
			h.Del("Access-Control-Expose-Headers")
			writeErrorStatus(w, http.StatusForbidden, s.browserRefusal(r, clip(r.URL.Path), false))
			return
		}
	}
	h.Set("Access-Control-Allow-Methods", "POST, GET, OPTIONS")
	h.Set("Access-Control-Allow-Headers", corsAllowHdrs)
	h.Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusOK)
}

func (s *Server) newRequestID() string {
	n := atomic.AddUint64(&s.reqSeq, 1)
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", n)
}

// serveAPI decodes one AWS JSON 1.1 request, dispatches it by X-Amz-Target and writes
// the output or Cognito's error.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op, known := s.ops[name]
	if !ok || !known {
		writeError(w, &idp.Error{Type: idp.TypeUnknownOperation, Message: "Operation " + strconv.Quote(clip(target)) + " is not supported."})
		return
	}
	if e := s.browserRefusal(r, "Operation "+name, browserOperations[name]); e != nil {
		writeErrorStatus(w, http.StatusForbidden, e)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeErrorStatus(w, http.StatusRequestEntityTooLarge, &idp.Error{Type: idp.TypeRequestEntityTooLarge, Message: "Request entity too large."})
			return
		}
		writeError(w, &idp.Error{Type: idp.TypeSerialization, Message: "Could not read the request body."})
		return
	}
	if !browserOperations[name] {
		if status, e := s.signatureRefusal(r, body, sigService); e != nil {
			writeErrorStatus(w, status, e)
			return
		}
	}
	in := op.NewInput()
	if e := decode(body, in); e != nil {
		writeError(w, e)
		return
	}
	out, err := op.Call(r.Context(), in)
	if err != nil {
		var e *idp.Error
		if !errors.As(err, &e) {
			s.log.Error("emulator: operation failed", "op", name, "request", w.Header().Get("x-amzn-RequestId"), "err", err)
			e = &idp.Error{Type: idp.TypeInternalError, Message: "Internal server error.", Fault: true}
		}
		s.log.Debug("emulator: request refused", "op", name, "type", e.Type)
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, jsonType, out)
}

// decode reads a request body into in: an empty body is an empty object; anything
// but one JSON object, or a member of the wrong type, is a SerializationException.
func decode(body []byte, in any) *idp.Error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	if body[0] != '{' {
		return &idp.Error{Type: idp.TypeSerialization, Message: "Start of structure or map found where not expected."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(in); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &idp.Error{Type: idp.TypeSerialization, Message: fmt.Sprintf("Unexpected value type for member %s: expected %s, got %s.", te.Field, te.Type, te.Value)}
		}
		return &idp.Error{Type: idp.TypeSerialization, Message: "Could not parse the request: malformed JSON."}
	}
	if dec.More() {
		return &idp.Error{Type: idp.TypeSerialization, Message: "Could not parse the request: trailing data after the JSON object."}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"__type":"InternalErrorException","message":"Internal server error."}`)
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	w.Write(b)
}

func writeError(w http.ResponseWriter, e *idp.Error) {
	status := http.StatusBadRequest
	if e.Fault {
		status = http.StatusInternalServerError
	}
	writeErrorStatus(w, status, e)
}

// maxMessage bounds an error message, in the body and in the x-amzn-ErrorMessage
// header (which clients such as boto3 stop reading at 64 KiB). The pool's own texts
// are shorter; what is cut is a message quoting something long that no validator
// bounds, such as a trigger's error.
const maxMessage = 1024

func writeErrorStatus(w http.ResponseWriter, status int, e *idp.Error) {
	msg := e.Message
	if len(msg) > maxMessage {
		msg = strings.ToValidUTF8(msg[:maxMessage], "") + "..."
	}
	w.Header().Set("x-amzn-ErrorType", e.Type)
	if msg != "" {
		w.Header().Set("x-amzn-ErrorMessage", headerSafe(msg))
	}
	writeJSON(w, status, jsonType, map[string]string{"__type": e.Type, "message": msg})
}

func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return ' '
		}
		return r
	}, s)
}
