package idp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestServicesShareNothing checks that two Services in one process keep their own
// quota switch and their own trigger client.
func TestServicesShareNothing(t *testing.T) {
	a, b := newTestPool(t), newTestPool(t)
	if err := a.svc.SeedPoolSettings(a.poolID, nil, &PoolQuotas{Categories: map[string]float64{catAuth: 1}}); err != nil {
		t.Fatal(err)
	}
	if !a.svc.limits.poolQuotas.Load() {
		t.Fatal("a pool with quotas did not switch its Service's quota check on")
	}
	if b.svc.limits.poolQuotas.Load() {
		t.Fatal("a pool's quotas switched another Service's quota check on")
	}
	if a.svc.opts.Triggers.Client == b.svc.opts.Triggers.Client {
		t.Fatal("two Services share a trigger client")
	}
}

// roundTrip is an http.RoundTripper made of a function: the trigger transport a test
// injects through TriggerOptions.Client, so no request leaves the process.
type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

type ctxKey struct{}

// TestTriggerUsesRequestContext checks that a trigger call goes through the injected
// client within the request's context (its values, and a deadline no later than the
// trigger timeout), and that a request already cancelled does not reach the function.
func TestTriggerUsesRequestContext(t *testing.T) {
	var seen []string
	client := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		if err := r.Context().Err(); err != nil {
			return nil, err
		}
		tag, _ := r.Context().Value(ctxKey{}).(string)
		seen = append(seen, tag)
		if d, ok := r.Context().Deadline(); !ok || time.Until(d) > time.Second {
			t.Errorf("trigger call deadline %v (set %v), want within the 1 s timeout", d, ok)
		}
		var ev map[string]any
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev["triggerSource"] != "PreAuthentication_Authentication" {
			t.Errorf("trigger event %v (%v), want PreAuthentication_Authentication", ev, err)
		}
		ev["response"] = map[string]any{}
		body, _ := json.Marshal(ev)
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(string(body)))}, nil
	})}
	tp := newTestPool(t, func(o *Options, in *CreateUserPoolInput) {
		o.Triggers = TriggerOptions{Lambdas: map[string]string{"*": "http://lambda.invalid"}, Timeout: time.Second, Client: client}
		in.LambdaConfig = json.RawMessage(`{"PreAuthentication":"arn:aws:lambda:us-east-1:000000000000:function:pre"}`)
	})
	tp.addUser(t, SeedUser{Username: "frank", Password: "Right-Passw0rd!"})
	in := &InitiateAuthInput{AuthFlow: "USER_PASSWORD_AUTH", ClientId: tp.client,
		AuthParameters: map[string]string{"USERNAME": "frank", "PASSWORD": "Right-Passw0rd!"}}

	ctx := context.WithValue(context.Background(), ctxKey{}, "request-1")
	out, err := tp.svc.InitiateAuth(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if out.AuthenticationResult == nil {
		t.Fatalf("sign-in: %+v, want tokens", out)
	}
	if len(seen) != 1 || seen[0] != "request-1" {
		t.Fatalf("trigger calls saw %q, want one within request-1's context", seen)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = tp.svc.InitiateAuth(cancelled, in)
	wantErr(t, err, TypeUnexpectedLambda, "")
	if len(seen) != 1 {
		t.Fatalf("a cancelled request reached the function (%d calls)", len(seen))
	}
}
