package emulator_test

import (
	"io"
	"net/http"
)

// sdkHTTPClient is an HTTP client for the tests' SDK clients that does not lose
// responses to a race between smithy-go and net/http.
//
// smithy-go wraps a request body in a safeReadCloser whose WriteTo returns io.EOF
// once closed, and closes it as soon as the response headers arrive. net/http, after
// sending a body of known length, probes it for extra bytes with
// io.Copy(io.Discard, body), which prefers WriteTo. When the server on 127.0.0.1
// answers before that probe runs, the probe gets io.EOF as an error, the transport's
// write loop closes the connection, and reading the 200 response's body fails with
// "read tcp ...: use of closed network connection" (httptrace's WroteRequest shows
// the EOF). This happens with any http.Transport, the SDK's or a plain one, in a few
// requests per thousand on a 2-core machine; never against Cognito, whose answer
// takes longer than the probe. Hiding WriteTo makes the probe use Read, for which a
// closed body is a clean EOF.
func sdkHTTPClient() *http.Client {
	return &http.Client{Transport: readOnlyBody{http.DefaultTransport.(*http.Transport).Clone()}}
}

type readOnlyBody struct{ rt http.RoundTripper }

func (t readOnlyBody) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		r = r.Clone(r.Context())
		r.Body = struct{ io.ReadCloser }{r.Body}
	}
	return t.rt.RoundTrip(r)
}
