package bench

import (
	"errors"
	"strings"
	"testing"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/mfa"
)

// TestLoopbackOutboxSigned: against a loopback pool that requires signatures, the
// outbox a run from a user set reads the SMS and email flows' codes from
// (loopbackOutbox) is opened signed with the Admin credentials (AWS_ACCESS_KEY_ID
// and AWS_SECRET_ACCESS_KEY); with a wrong secret it is refused before the run
// (ErrInvalid, with the outbox's refusal), and a mix without code flows does not
// open the outbox at all.
func TestLoopbackOutboxSigned(t *testing.T) {
	const keyID, secret = "AKIABENCHOUTBOX00001", "bench-outbox-secret/NotPrinted+012345"
	srv := emulator.New(emulator.Options{RequireSignature: true, AccessKeyID: keyID, SecretAccessKey: secret})
	if err := srv.Start(t.Context(), "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	set := &UserSet{Region: "us-east-1", Pools: map[string]PoolRef{FlowSMS: {PoolID: "us-east-1_abc", ClientID: "c"}, FlowSRP: {PoolID: "us-east-1_abc", ClientID: "c"}},
		Users: map[string][]User{FlowSMS: {{Username: "u1"}}, FlowSRP: {{Username: "u2"}}}}
	setKeys := func(id, s string) {
		t.Setenv("AWS_ACCESS_KEY_ID", id)
		t.Setenv("AWS_SECRET_ACCESS_KEY", s)
		t.Setenv("AWS_SESSION_TOKEN", "")
		t.Setenv("AWS_PROFILE", "")
	}

	setKeys(keyID, secret)
	ob, err := loopbackOutbox(t.Context(), set, map[string]int{FlowSMS: 1}, srv.Endpoint(), "")
	if err != nil || ob == nil || !ob.Signed() {
		t.Fatalf("loopbackOutbox = %v, %v; want a signed outbox", ob, err)
	}
	ob.CloseIdleConnections()

	ob, err = loopbackOutbox(t.Context(), set, map[string]int{FlowSRP: 1}, srv.Endpoint(), "")
	if err != nil || ob != nil {
		t.Fatalf("a mix without SMS or email flows: loopbackOutbox = %v, %v; want nil, nil", ob, err)
	}

	setKeys(keyID, "not-the-secret")
	ob, err = loopbackOutbox(t.Context(), set, map[string]int{FlowSMS: 1}, srv.Endpoint(), "")
	var refused *mfa.RefusedError
	if ob != nil || !errors.Is(err, ErrInvalid) || !errors.As(err, &refused) || refused.Type != "InvalidSignatureException" {
		t.Fatalf("wrong secret: loopbackOutbox = %v, %v; want an ErrInvalid refusal", ob, err)
	}
	if strings.Contains(err.Error(), "not-the-secret") || strings.Contains(err.Error(), secret) {
		t.Errorf("error %q quotes a secret", err)
	}
}
