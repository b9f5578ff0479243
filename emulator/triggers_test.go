package emulator_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

const lambdaInvokePath = "/2015-03-31/functions/function/invocations"

// triggerEvent is a Cognito trigger event as a Lambda receives it.
type triggerEvent struct {
	Version       string `json:"version"`
	Region        string `json:"region"`
	UserPoolID    string `json:"userPoolId"`
	UserName      string `json:"userName"`
	CallerContext struct {
		AWSSDKVersion string `json:"awsSdkVersion"`
		ClientID      string `json:"clientId"`
	} `json:"callerContext"`
	TriggerSource string                     `json:"triggerSource"`
	Request       map[string]json.RawMessage `json:"request"`
	Response      map[string]json.RawMessage `json:"response"`
}

type sessionEntry struct {
	ChallengeName     string `json:"challengeName"`
	ChallengeResult   bool   `json:"challengeResult"`
	ChallengeMetadata string `json:"challengeMetadata"`
}

// triggerServer is a Lambda runtime interface emulator stand-in on 127.0.0.1
// running one function that serves every trigger, as a user's code would: it
// checks the event's shape, records it and answers.
type triggerServer struct {
	t   *testing.T
	srv *httptest.Server
	mu  sync.Mutex
	log []triggerEvent
}

func newTriggerServer(t *testing.T) *triggerServer {
	ts := &triggerServer{t: t}
	ts.srv = httptest.NewServer(http.HandlerFunc(ts.serve))
	t.Cleanup(ts.srv.Close)
	return ts
}

func (ts *triggerServer) events() []triggerEvent {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return slices.Clone(ts.log)
}

func (ts *triggerServer) sources() []string {
	var out []string
	for _, ev := range ts.events() {
		out = append(out, ev.TriggerSource)
	}
	return out
}

func (ts *triggerServer) reset() {
	ts.mu.Lock()
	ts.log = nil
	ts.mu.Unlock()
}

func (ts *triggerServer) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	fail := func(format string, a ...any) {
		ts.t.Errorf("trigger: "+format, a...)
		http.Error(w, "bad event", http.StatusBadRequest)
	}
	if r.Method != http.MethodPost || r.URL.Path != lambdaInvokePath {
		fail("%s %s, want POST %s", r.Method, r.URL.Path, lambdaInvokePath)
		return
	}
	var ev triggerEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		fail("event is not JSON: %v", err)
		return
	}
	// The envelope every trigger event carries.
	if ev.Region != "us-east-1" || !strings.HasPrefix(ev.UserPoolID, "us-east-1_") || ev.UserName == "" ||
		ev.CallerContext.ClientID == "" || ev.CallerContext.AWSSDKVersion == "" || ev.Request == nil || ev.Response == nil {
		fail("incomplete envelope: %s", body)
		return
	}
	var attrs map[string]string
	if err := json.Unmarshal(ev.Request["userAttributes"], &attrs); err != nil {
		fail("request.userAttributes: %v in %s", err, body)
		return
	}
	ts.mu.Lock()
	ts.log = append(ts.log, ev)
	ts.mu.Unlock()
	var meta map[string]string
	_ = json.Unmarshal(ev.Request["clientMetadata"], &meta)
	var session []sessionEntry
	resp := map[string]any{}
	switch ev.TriggerSource {
	case "DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication":
		if err := json.Unmarshal(ev.Request["session"], &session); err != nil || session == nil {
			fail("request.session is not a list: %s", body)
			return
		}
		if nf, ok := ev.Request["userNotFound"]; !ok || (string(nf) == "false" && attrs["sub"] == "") {
			fail("custom-auth request lacks userNotFound or sub: %s", body)
			return
		}
	}
	switch ev.TriggerSource {
	case "DefineAuthChallenge_Authentication":
		// The AWS developer guide's example, with two custom rounds and three tries.
		wins, losses := 0, 0
		for _, s := range session {
			if s.ChallengeName == "CUSTOM_CHALLENGE" {
				if s.ChallengeResult {
					wins++
				} else {
					losses++
				}
			}
		}
		switch {
		case meta["define"] == "bogus":
			resp = map[string]any{"challengeName": "BOGUS", "issueTokens": false, "failAuthentication": false}
		case len(session) == 1 && session[0].ChallengeName == "SRP_A":
			resp = map[string]any{"challengeName": "PASSWORD_VERIFIER", "issueTokens": false, "failAuthentication": false}
		case len(session) >= 2 && session[1].ChallengeName == "PASSWORD_VERIFIER" && !session[1].ChallengeResult:
			resp = map[string]any{"issueTokens": false, "failAuthentication": true}
		case wins >= 2:
			resp = map[string]any{"issueTokens": true, "failAuthentication": false}
		case losses >= 3:
			resp = map[string]any{"issueTokens": false, "failAuthentication": true}
		default:
			resp = map[string]any{"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false}
		}
	case "CreateAuthChallenge_Authentication":
		var name string
		_ = json.Unmarshal(ev.Request["challengeName"], &name)
		if name != "CUSTOM_CHALLENGE" {
			fail("create: challengeName %q", name)
			return
		}
		n := 1
		for _, s := range session {
			if s.ChallengeName == "CUSTOM_CHALLENGE" && s.ChallengeResult {
				n++
			}
		}
		resp = map[string]any{
			"publicChallengeParameters":  map[string]string{"hint": fmt.Sprintf("round %d", n)},
			"privateChallengeParameters": map[string]string{"answer": fmt.Sprintf("secret-%d", n)},
			"challengeMetadata":          fmt.Sprintf("ROUND-%d", n),
		}
	case "VerifyAuthChallengeResponse_Authentication":
		var private map[string]string
		var answer string
		if json.Unmarshal(ev.Request["privateChallengeParameters"], &private) != nil || json.Unmarshal(ev.Request["challengeAnswer"], &answer) != nil {
			fail("verify: bad request %s", body)
			return
		}
		resp = map[string]any{"answerCorrect": answer == private["answer"]}
	case "PreAuthentication_Authentication":
		var vd map[string]string
		_ = json.Unmarshal(ev.Request["validationData"], &vd)
		if vd["deny"] != "" {
			writeLambdaJSON(w, map[string]string{"errorType": "Error", "errorMessage": "go away"})
			return
		}
	case "PostAuthentication_Authentication":
		if _, ok := ev.Request["newDeviceUsed"]; !ok {
			fail("post-auth: no newDeviceUsed: %s", body)
			return
		}
	case "TokenGeneration_Authentication", "TokenGeneration_RefreshTokens":
		if _, ok := ev.Response["claimsOverrideDetails"]; !ok {
			fail("pre-token: response lacks claimsOverrideDetails: %s", body)
			return
		}
		resp = map[string]any{"claimsOverrideDetails": map[string]any{
			"claimsToAddOrOverride": map[string]any{"tenant": "acme", "level": 3, "sub": "forged"},
			"claimsToSuppress":      []string{"email"},
			"groupOverrideDetails":  map[string]any{"groupsToOverride": []string{"admins"}},
		}}
	default:
		fail("unexpected triggerSource %q", ev.TriggerSource)
		return
	}
	out := map[string]any{}
	_ = json.Unmarshal(body, &out)
	out["response"] = resp
	writeLambdaJSON(w, out)
}

func writeLambdaJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

const arnPrefix = "arn:aws:lambda:us-east-1:123456789012:function:"

// lambdaPool creates a pool whose LambdaConfig names the given triggers.
func (e *env) lambdaPool(t *testing.T, config map[string]string, client func(*cip.CreateUserPoolClientInput)) (poolID, clientID string) {
	t.Helper()
	lc := &types.LambdaConfigType{}
	for k, v := range config {
		v := aws.String(v)
		switch k {
		case "DefineAuthChallenge":
			lc.DefineAuthChallenge = v
		case "CreateAuthChallenge":
			lc.CreateAuthChallenge = v
		case "VerifyAuthChallengeResponse":
			lc.VerifyAuthChallengeResponse = v
		case "PreAuthentication":
			lc.PreAuthentication = v
		case "PostAuthentication":
			lc.PostAuthentication = v
		case "PreTokenGeneration":
			lc.PreTokenGeneration = v
		}
	}
	poolID, clientID, _ = e.Pool(t, emulatortest.PoolSpec{Create: func(in *cip.CreateUserPoolInput) { in.LambdaConfig = lc }, Client: client})
	return poolID, clientID
}

// TestLambdaTriggers runs every trigger through a function reached over HTTP: custom
// auth with and without SRP, pre- and post-authentication, pre-token generation.
func TestLambdaTriggers(t *testing.T) {
	ts := newTriggerServer(t)
	e := newEnv(t, func(o *emulator.Options) {
		o.Triggers.Lambdas = map[string]string{"*": ts.srv.URL}
	})
	ctx := context.Background()
	all := map[string]string{}
	for _, n := range []string{"DefineAuthChallenge", "CreateAuthChallenge", "VerifyAuthChallengeResponse", "PreAuthentication", "PostAuthentication", "PreTokenGeneration"} {
		all[n] = arnPrefix + n
	}
	poolID, clientID := e.lambdaPool(t, all, func(in *cip.CreateUserPoolClientInput) {
		in.PreventUserExistenceErrors = types.PreventUserExistenceErrorTypesEnabled
	})
	e.User(t, poolID, "dave", "Passw0rd!", "email", "dave@example.com", "email_verified", "true")

	t.Run("custom without SRP", func(t *testing.T) {
		ts.reset()
		out, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"USERNAME": "dave"}, ClientMetadata: map[string]string{"app": "web"}})
		if err != nil {
			t.Fatal(err)
		}
		wantCustomChallenge(t, out.ChallengeName, out.Session, out.ChallengeParameters, map[string]string{"hint": "round 1", "USERNAME": "dave"})
		r, err := e.customAnswer(ctx, clientID, out.Session, "dave", "nope")
		if err != nil {
			t.Fatal(err)
		}
		wantCustomChallenge(t, r.ChallengeName, r.Session, r.ChallengeParameters, map[string]string{"hint": "round 1"})
		r, err = e.customAnswer(ctx, clientID, r.Session, "dave", "secret-1")
		if err != nil {
			t.Fatal(err)
		}
		wantCustomChallenge(t, r.ChallengeName, r.Session, r.ChallengeParameters, map[string]string{"hint": "round 2"})
		r, err = e.customAnswer(ctx, clientID, r.Session, "dave", "secret-2")
		if err != nil || r.AuthenticationResult == nil {
			t.Fatalf("want tokens: %v %+v", err, r)
		}
		want := []string{
			"PreAuthentication_Authentication",
			"DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication",
			"VerifyAuthChallengeResponse_Authentication", "DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication",
			"VerifyAuthChallengeResponse_Authentication", "DefineAuthChallenge_Authentication", "CreateAuthChallenge_Authentication",
			"VerifyAuthChallengeResponse_Authentication", "DefineAuthChallenge_Authentication",
			"TokenGeneration_Authentication", "PostAuthentication_Authentication",
		}
		evs := ts.events()
		if got := ts.sources(); !slices.Equal(got, want) {
			t.Fatalf("trigger sources\n got %q\nwant %q", got, want)
		}
		// The last Define saw the whole history, metadata included, and the client metadata.
		last := evs[len(evs)-3]
		var session []sessionEntry
		_ = json.Unmarshal(last.Request["session"], &session)
		wantSession := []sessionEntry{{"CUSTOM_CHALLENGE", false, "ROUND-1"}, {"CUSTOM_CHALLENGE", true, "ROUND-1"}, {"CUSTOM_CHALLENGE", true, "ROUND-2"}}
		if !slices.Equal(session, wantSession) {
			t.Fatalf("define session %+v, want %+v", session, wantSession)
		}
		if string(last.Request["clientMetadata"]) != `{"app":"web"}` || last.UserName != "dave" || last.UserPoolID != poolID || last.CallerContext.ClientID != clientID || last.Version != "1" {
			t.Fatalf("define event %+v", last)
		}
		// Pre-token generation shaped the id token.
		id := emulatortest.Claims(t, aws.ToString(r.AuthenticationResult.IdToken))
		if id["tenant"] != "acme" || id["level"] != float64(3) || id["email"] != nil || id["sub"] == "forged" {
			t.Fatalf("id token claims %v", id)
		}
		if g, _ := id["cognito:groups"].([]any); len(g) != 1 || g[0] != "admins" {
			t.Fatalf("id token groups %v", id["cognito:groups"])
		}
		if g, _ := emulatortest.Claims(t, aws.ToString(r.AuthenticationResult.AccessToken))["cognito:groups"].([]any); len(g) != 1 {
			t.Fatalf("access token groups %v", g)
		}
		// A refresh runs pre-token generation again.
		ts.reset()
		if _, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeRefreshTokenAuth, ClientId: &clientID, AuthParameters: map[string]string{"REFRESH_TOKEN": aws.ToString(r.AuthenticationResult.RefreshToken)}}); err != nil {
			t.Fatal(err)
		}
		if got := ts.sources(); !slices.Equal(got, []string{"TokenGeneration_RefreshTokens"}) {
			t.Fatalf("refresh triggers %q", got)
		}
	})

	t.Run("custom with SRP", func(t *testing.T) {
		ts.reset()
		pv, err := e.customSRPStart(ctx, poolID, clientID, "dave", "Passw0rd!")
		if err != nil {
			t.Fatal(err)
		}
		wantCustomChallenge(t, pv.ChallengeName, pv.Session, pv.ChallengeParameters, map[string]string{"hint": "round 1"})
		evs := ts.events()
		var s0, s1 []sessionEntry
		_ = json.Unmarshal(evs[0].Request["session"], &s0)
		if evs[0].TriggerSource != "DefineAuthChallenge_Authentication" || !slices.Equal(s0, []sessionEntry{{"SRP_A", true, ""}}) {
			t.Fatalf("first event %s session %+v", evs[0].TriggerSource, s0)
		}
		if evs[1].TriggerSource != "PreAuthentication_Authentication" {
			t.Fatalf("second event %s", evs[1].TriggerSource)
		}
		_ = json.Unmarshal(evs[2].Request["session"], &s1)
		if !slices.Equal(s1, []sessionEntry{{"SRP_A", true, ""}, {"PASSWORD_VERIFIER", true, ""}}) {
			t.Fatalf("define after the verifier: session %+v", s1)
		}
		_, err = e.customSRPStart(ctx, poolID, clientID, "dave", "Wr0ng-Passw0rd!")
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("unknown user", func(t *testing.T) {
		ts.reset()
		out, err := e.customStart(ctx, clientID, "nobody")
		if err != nil {
			t.Fatal(err)
		}
		evs := ts.events()
		if string(evs[0].Request["userNotFound"]) != "true" || evs[0].UserName != "nobody" {
			t.Fatalf("define for an unknown user: %+v", evs[0])
		}
		r, err := e.customAnswer(ctx, clientID, out.Session, "nobody", "secret-1")
		if err != nil {
			t.Fatal(err)
		}
		// The function says tokens; there is no user to issue them to.
		_, err = e.customAnswer(ctx, clientID, r.Session, "nobody", "secret-2")
		emulatortest.APIError(t, err, "NotAuthorizedException", "Incorrect username or password.")
	})

	t.Run("password sign-in", func(t *testing.T) {
		ts.reset()
		out, err := e.passwordAuth(ctx, clientID, "dave", "Passw0rd!")
		if err != nil || out.AuthenticationResult == nil {
			t.Fatalf("%v %+v", err, out)
		}
		if got, want := ts.sources(), []string{"PreAuthentication_Authentication", "TokenGeneration_Authentication", "PostAuthentication_Authentication"}; !slices.Equal(got, want) {
			t.Fatalf("sources %q, want %q", got, want)
		}
		// PreAuthentication denies on the client metadata it receives as validationData.
		_, err = e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"USERNAME": "dave"}, ClientMetadata: map[string]string{"deny": "1"}})
		emulatortest.APIError(t, err, "UserLambdaValidationException", "PreAuthentication failed with error go away.")
		// A Define answer naming no known challenge.
		_, err = e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeCustomAuth, ClientId: &clientID,
			AuthParameters: map[string]string{"USERNAME": "dave"}, ClientMetadata: map[string]string{"define": "bogus"}})
		emulatortest.APIError(t, err, "InvalidLambdaResponseException", "Unrecognizable lambda output")
	})
}

// TestLambdaFailures maps each way a function can fail to Cognito's error.
func TestLambdaFailures(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/error", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		writeLambdaJSON(w, map[string]any{"errorType": "Error", "errorMessage": "boom", "trace": []string{}})
	})
	mux.HandleFunc("/notjson", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>") })
	mux.HandleFunc("/noresponse", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"version":"1"}`) })
	mux.HandleFunc("/wrongtype", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"response":{"challengeName":"CUSTOM_CHALLENGE","issueTokens":"yes"}}`)
	})
	mux.HandleFunc("/status500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "crashed", http.StatusBadGateway) })
	release := make(chan struct{})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	modes := []string{"error", "notjson", "noresponse", "wrongtype", "status500", "slow"}
	e := newEnv(t, func(o *emulator.Options) {
		o.Triggers.Lambdas = map[string]string{}
		for _, m := range modes {
			o.Triggers.Lambdas[arnPrefix+m] = srv.URL + "/" + m
		}
		o.Triggers.Timeout = 300 * time.Millisecond
	})
	ctx := context.Background()
	tests := []struct {
		trigger, mode string
		typ, msg      string
	}{
		{"PreAuthentication", "error", "UserLambdaValidationException", "PreAuthentication failed with error boom."},
		{"DefineAuthChallenge", "error", "UserLambdaValidationException", "DefineAuthChallenge failed with error boom."},
		{"PreAuthentication", "notjson", "InvalidLambdaResponseException", "Invalid lambda function output : Invalid JSON"},
		{"PreAuthentication", "noresponse", "InvalidLambdaResponseException", "Unrecognizable lambda output"},
		{"DefineAuthChallenge", "wrongtype", "InvalidLambdaResponseException", "Unrecognizable lambda output"},
		{"PreAuthentication", "status500", "UnexpectedLambdaException", "PreAuthentication invocation failed due to error ServiceException."},
		{"PreAuthentication", "slow", "UnexpectedLambdaException", "PreAuthentication invocation failed due to error Socket timeout while invoking Lambda function."},
		{"PreAuthentication", "unmapped", "UnexpectedLambdaException", "PreAuthentication invocation failed due to error ResourceNotFoundException."},
		{"PostAuthentication", "error", "UserLambdaValidationException", "PostAuthentication failed with error boom."},
		{"PreTokenGeneration", "error", "UserLambdaValidationException", "PreTokenGeneration failed with error boom."},
	}
	for _, tt := range tests {
		t.Run(tt.trigger+"/"+tt.mode, func(t *testing.T) {
			poolID, clientID := e.lambdaPool(t, map[string]string{tt.trigger: arnPrefix + tt.mode}, nil)
			e.User(t, poolID, "erin", "Passw0rd!")
			var err error
			if tt.trigger == "DefineAuthChallenge" {
				_, err = e.customStart(ctx, clientID, "erin")
			} else {
				_, err = e.passwordAuth(ctx, clientID, "erin", "Passw0rd!")
			}
			emulatortest.APIError(t, err, tt.typ, tt.msg)
		})
	}
}
