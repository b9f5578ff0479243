package emulator_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

// TestLambdaInvokeAPI: an ARN that --lambda does not map runs through the Lambda
// Invoke API at the configured endpoint (AWS_ENDPOINT_URL_LAMBDA / AWS_ENDPOINT_URL
// in the CLI): POST /2015-03-31/functions/<ARN, URL-escaped>/invocations, signed for
// the lambda service. The stand-in here is "a user's own HTTP function" speaking that
// path, as LocalStack's and moto's Lambda do. It also checks what PreTokenGeneration
// receives of the user's groups and that its group override reaches the tokens.
func TestLambdaInvokeAPI(t *testing.T) {
	const tokenARN = "arn:aws:lambda:us-east-1:123456789012:function:pre-token"
	const missingARN = "arn:aws:lambda:us-east-1:123456789012:function:not-deployed"
	var mu sync.Mutex
	var got []struct {
		Path, Auth string
		Event      triggerEvent
	}
	fn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var ev triggerEvent
		_ = json.Unmarshal(body, &ev)
		mu.Lock()
		got = append(got, struct {
			Path, Auth string
			Event      triggerEvent
		}{r.URL.EscapedPath(), r.Header.Get("Authorization"), ev})
		mu.Unlock()
		if r.URL.EscapedPath() != "/2015-03-31/functions/"+url.PathEscape(tokenARN)+"/invocations" {
			// The Invoke API's answer for a function that does not exist.
			w.Header().Set("X-Amzn-ErrorType", "ResourceNotFoundException")
			w.WriteHeader(http.StatusNotFound)
			_, _ = io.WriteString(w, `{"Type":"User","message":"Function not found"}`)
			return
		}
		out := map[string]any{}
		_ = json.Unmarshal(body, &out)
		out["response"] = map[string]any{"claimsOverrideDetails": map[string]any{
			"claimsToAddOrOverride": map[string]string{"tenant": "acme"},
			"groupOverrideDetails":  map[string]any{"groupsToOverride": []string{"from-lambda"}},
		}}
		writeLambdaJSON(w, out)
	}))
	t.Cleanup(fn.Close)

	e := newEnv(t, func(o *emulator.Options) {
		o.Triggers.LambdaEndpoint = fn.URL
	})
	ctx := context.Background()
	poolID, clientID := e.lambdaPool(t, map[string]string{"PreTokenGeneration": tokenARN}, nil)
	e.User(t, poolID, "gail", "Passw0rd!")
	if _, err := e.IDP.CreateGroup(ctx, &cip.CreateGroupInput{UserPoolId: &poolID, GroupName: aws.String("staff"), Precedence: aws.Int32(1),
		RoleArn: aws.String("arn:aws:iam::123456789012:role/staff")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IDP.AdminAddUserToGroup(ctx, &cip.AdminAddUserToGroupInput{UserPoolId: &poolID, Username: aws.String("gail"), GroupName: aws.String("staff")}); err != nil {
		t.Fatal(err)
	}
	res := passwordSignIn(t, e, clientID, "gail", "Passw0rd!")
	id := emulatortest.Claims(t, *res.IdToken)
	if id["tenant"] != "acme" || !reflect.DeepEqual(id["cognito:groups"], []any{"from-lambda"}) {
		t.Fatalf("id token after the trigger: tenant=%v groups=%v", id["tenant"], id["cognito:groups"])
	}
	mu.Lock()
	call := got[0]
	mu.Unlock()
	if !strings.HasPrefix(call.Auth, "AWS4-HMAC-SHA256 Credential=test/") || !strings.Contains(call.Auth, "/us-east-1/lambda/aws4_request") {
		t.Errorf("Authorization %q: not SigV4 for lambda", call.Auth)
	}
	var gc struct {
		GroupsToOverride   []string `json:"groupsToOverride"`
		IAMRolesToOverride []string `json:"iamRolesToOverride"`
		PreferredRole      *string  `json:"preferredRole"`
	}
	if err := json.Unmarshal(call.Event.Request["groupConfiguration"], &gc); err != nil ||
		!reflect.DeepEqual(gc.GroupsToOverride, []string{"staff"}) || !reflect.DeepEqual(gc.IAMRolesToOverride, []string{"arn:aws:iam::123456789012:role/staff"}) ||
		aws.ToString(gc.PreferredRole) != "arn:aws:iam::123456789012:role/staff" {
		t.Errorf("groupConfiguration = %s (%v)", call.Event.Request["groupConfiguration"], err)
	}

	// A function the endpoint does not have: Cognito's UnexpectedLambdaException.
	poolID, clientID = e.lambdaPool(t, map[string]string{"PreAuthentication": missingARN}, nil)
	e.User(t, poolID, "hal", "Passw0rd!")
	_, err := e.IDP.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: types.AuthFlowTypeUserPasswordAuth, ClientId: &clientID,
		AuthParameters: map[string]string{"USERNAME": "hal", "PASSWORD": "Passw0rd!"}})
	emulatortest.APIError(t, err, "UnexpectedLambdaException", "PreAuthentication invocation failed due to error ResourceNotFoundException.")
}

func TestTriggersFromEnvironment(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	var o emulator.Triggers
	if err := o.FromEnvironment(env(map[string]string{"AWS_ENDPOINT_URL": "http://localhost:4566", "AWS_ENDPOINT_URL_LAMBDA": "http://127.0.0.1:3001",
		"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "secret"})); err != nil {
		t.Fatal(err)
	}
	if o.LambdaEndpoint != "http://127.0.0.1:3001" || o.Credentials.AccessKeyID != "AKID" {
		t.Fatalf("from environment: %+v", o)
	}
	o = emulator.Triggers{}
	if err := o.FromEnvironment(env(map[string]string{"AWS_ENDPOINT_URL": "http://localhost:4566"})); err != nil || o.LambdaEndpoint != "http://localhost:4566" {
		t.Fatalf("AWS_ENDPOINT_URL: %+v %v", o, err)
	}
	err := o.FromEnvironment(env(map[string]string{"AWS_ENDPOINT_URL_LAMBDA": "localhost:4566"}))
	if err == nil || !strings.Contains(err.Error(), "AWS_ENDPOINT_URL_LAMBDA") {
		t.Fatalf("a bad endpoint: %v", err)
	}
}
