package emulator_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"

	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/authbench/authbench/emulator/internal/idp"
)

// sdkOperations lists every operation of the AWS SDK's Cognito user-pools client:
// its methods of the shape Op(ctx, *OpInput, ...func(*Options)) (*OpOutput, error).
func sdkOperations() []string {
	var ops []string
	ct := reflect.TypeOf(&cip.Client{})
	for i := 0; i < ct.NumMethod(); i++ {
		m := ct.Method(i)
		if m.Type.NumIn() == 4 && m.Type.NumOut() == 2 && m.Type.In(2).Elem().Name() == m.Name+"Input" {
			ops = append(ops, m.Name)
		}
	}
	sort.Strings(ops)
	return ops
}

// TestEveryOperation calls every operation of the user-pools API and checks that it
// is served (any answer but UnknownOperationException) or refused with
// UnsupportedOperationException naming it, and that the README lists each refused
// one.
func TestEveryOperation(t *testing.T) {
	e := newEnv(t)
	ops := sdkOperations()
	if len(ops) < 100 {
		t.Fatalf("found only %d SDK operations", len(ops))
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	notServed := idp.NotServed()
	served := 0
	for _, op := range ops {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, e.Srv.Endpoint()+"/", strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+op)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if body.Type == "UnknownOperationException" {
			t.Errorf("%s: UnknownOperationException", op)
			continue
		}
		if why, ok := notServed[op]; ok {
			if body.Type != "UnsupportedOperationException" || !strings.Contains(body.Message, op) || !strings.Contains(body.Message, why) {
				t.Errorf("%s: refused as %s %q", op, body.Type, body.Message)
			}
			if !strings.Contains(string(readme), "`"+op+"`") {
				t.Errorf("README does not list %s as not served", op)
			}
			delete(notServed, op)
			continue
		}
		served++
	}
	for op := range notServed {
		t.Errorf("%s is listed as not served but is no SDK operation", op)
	}
	t.Logf("%d operations: %d served, %d refused with a reason", len(ops), served, len(ops)-served)
}
