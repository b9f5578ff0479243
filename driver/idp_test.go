package driver_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/smithy-go/middleware"

	"github.com/authbench/authbench/driver"
)

// TestSingleAttemptStack checks that a client built with Retries 1 leaves out the
// retry loop and the middleware that only serves retries or telemetry, keeps the
// timing middleware, and that the SDK's default client keeps them all.
func TestSingleAttemptStack(t *testing.T) {
	for _, tc := range []struct {
		retries int
		want    bool // whether the retry-only middleware is there
	}{{0, true}, {1, false}} {
		var ids []string
		stop := errors.New("stop")
		idp := driver.NewSDKClient("us-east-1_x", driver.Endpoint{URL: "http://127.0.0.1:1", Retries: tc.retries,
			APIOptions: []func(*middleware.Stack) error{func(s *middleware.Stack) error {
				ids = append(append(append(ids, s.Build.List()...), s.Finalize.List()...), s.Deserialize.List()...)
				return stop
			}}})
		_, err := idp.InitiateAuth(context.Background(), &cip.InitiateAuthInput{ClientId: aws.String("c"), AuthFlow: "USER_SRP_AUTH"})
		if !errors.Is(err, stop) {
			t.Fatalf("retries %d: %v", tc.retries, err)
		}
		has := map[string]bool{}
		for _, id := range ids {
			has[id] = true
		}
		if !has["authbench.Timing"] {
			t.Errorf("retries %d: no timing middleware in %v", tc.retries, ids)
		}
		for _, id := range []string{"Retry", "RetryMetricsHeader", "ClientRequestID", "RecursionDetection", "UserAgent", "RecordResponseTiming"} {
			if has[id] != tc.want {
				t.Errorf("retries %d: %s there = %v, want %v", tc.retries, id, has[id], tc.want)
			}
		}
	}
}
