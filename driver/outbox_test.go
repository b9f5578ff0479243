package driver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authbench/authbench/driver"
)

// TestLoopbackOutbox opens the outbox of an embedded pool over HTTP (found, and
// signed with the loopback's credentials) and of an endpoint that serves none (nil,
// no error: codes are then asked for elsewhere).
func TestLoopbackOutbox(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	ctx := context.Background()
	p := newPool(t, poolOpts{})
	ob, err := driver.LoopbackOutbox(ctx, p.Srv.Endpoint(), p.id, "")
	if err != nil || ob == nil {
		t.Fatalf("the embedded pool's outbox: %v, %v", ob, err)
	}
	defer ob.CloseIdleConnections()
	if !ob.Signed() {
		t.Error("the outbox does not sign its reads")
	}

	none := httptest.NewServer(http.NotFoundHandler())
	defer none.Close()
	ob, err = driver.LoopbackOutbox(ctx, none.URL, p.id, "us-east-1")
	if err != nil || ob != nil {
		t.Fatalf("an endpoint without an outbox: %v, %v; want nil, nil", ob, err)
	}
}
