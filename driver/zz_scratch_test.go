package driver_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/aws/smithy-go/middleware"

	"github.com/authbench/authbench/driver"
)

type staticEP struct{ u url.URL }

func (s staticEP) ResolveEndpoint(context.Context, cip.EndpointParameters) (smithyendpoints.Endpoint, error) {
	return smithyendpoints.Endpoint{URI: s.u}, nil
}

func BenchmarkZZSDK(b *testing.B) {
	p := newPool(b, poolOpts{})
	ctx := driver.WithObserver(context.Background(), &benchObserver{})
	run := func(b *testing.B, c *cip.Client) {
		obs := &benchObserver{}
		ctx = driver.WithObserver(context.Background(), obs)
		for b.Loop() {
			c.InitiateAuth(ctx, &cip.InitiateAuthInput{AuthFlow: "USER_SRP_AUTH", ClientId: aws.String("nope"), AuthParameters: map[string]string{"USERNAME": "x", "SRP_A": "ab"}})
		}
		b.ReportMetric(float64(b.Elapsed()-obs.api)/float64(b.N), "sdk-ns/op")
	}
	b.Run("default", func(b *testing.B) { run(b, driver.NewSDKClient(p.id, driver.Endpoint{URL: p.srv.Endpoint(), Retries: 1})) })
	u, _ := url.Parse(p.srv.Endpoint())
	mk := func(f func(*cip.Options)) *cip.Client {
		return cip.New(cip.Options{Region: "us-east-1", HTTPClient: driver.NewHTTPClient(0), Credentials: aws.AnonymousCredentials{},
			APIOptions: []func(*middleware.Stack) error{driver.TimingMiddleware}, BaseEndpoint: aws.String(p.srv.Endpoint()), RetryMaxAttempts: 1}, f)
	}
	b.Run("nopretry", func(b *testing.B) { run(b, mk(func(o *cip.Options) { o.Retryer = aws.NopRetryer{} })) })
	b.Run("static-ep", func(b *testing.B) { run(b, mk(func(o *cip.Options) { o.EndpointResolverV2 = staticEP{*u} })) })
	b.Run("both", func(b *testing.B) {
		run(b, mk(func(o *cip.Options) { o.EndpointResolverV2 = staticEP{*u}; o.Retryer = aws.NopRetryer{} }))
	})
	_ = ctx
}
