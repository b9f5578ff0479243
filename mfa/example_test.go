package mfa_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/authbench/authbench/mfa"
)

func ExampleTOTPCode() {
	// RFC 6238's test key, in base32 as Cognito's AssociateSoftwareToken returns it.
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
	code, err := mfa.TOTPCode(secret, time.Unix(1111111109, 0))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code)

	_, err = mfa.TOTPCode("not base32!", time.Unix(1111111109, 0))
	fmt.Println(err)
	// Output:
	// 081804
	// mfa: invalid TOTP secret: not base32 (10 characters): illegal base32 data at input byte 9
}

func ExampleSetupURI() {
	uri, err := mfa.SetupURI("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "authbench", "alice@example.com")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(uri)
	// Output:
	// otpauth://totp/authbench:alice@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=authbench&algorithm=SHA1&digits=6&period=30
}

func ExampleTOTP_Next() {
	// A fake clock: Sleep moves time forward instead of waiting.
	now := time.Unix(1111111109, 0)
	tp := &mfa.TOTP{
		Now: func() time.Time { return now },
		Sleep: func(ctx context.Context, d time.Duration) error {
			fmt.Println("waiting", d)
			now = now.Add(d)
			return nil
		},
	}
	secret := "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

	// The code just sent with VerifySoftwareToken used this window.
	tp.MarkUsed(secret, now)
	code, err := tp.Next(context.Background(), secret)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(code, "at", now.Unix())
	// Output:
	// waiting 1s
	// 050471 at 1111111110
}

func ExampleOutbox() {
	// A stand-in for the embedded pool's outbox.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"messages":[{"seq":7,"time":"2026-03-04T05:06:08Z","poolId":"us-east-1_Example",`+
			`"username":"alice","medium":"SMS","destination":"+15555550100","purpose":"MFA",`+
			`"code":"246810","body":"Your authentication code is 246810."}],"now":"2026-03-04T05:06:09Z"}`)
	}))
	defer srv.Close()

	ob := mfa.NewOutbox(srv.URL, srv.Client())
	code, err := ob.Code(context.Background(), mfa.Request{
		PoolID: "us-east-1_Example", Username: "alice", Medium: mfa.MediumSMS, Purpose: mfa.PurposeMFA,
		After: time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC),
	})
	fmt.Println(code, err)
	// Output:
	// 246810 <nil>
}

func ExamplePrompt() {
	// The person presses Enter once, then types the code.
	var screen strings.Builder
	p := mfa.NewPrompt(strings.NewReader("\n135790\n"), &screen)
	code, err := p.Code(context.Background(), mfa.Request{
		Username: "alice", Medium: mfa.MediumEmail, Purpose: mfa.PurposeMFA, Destination: "a***@e***",
	})
	fmt.Printf("%q\n", screen.String())
	fmt.Println(code, err)
	// Output:
	// "Code sent by EMAIL to a***@e*** for alice: Code sent by EMAIL to a***@e*** for alice: "
	// 135790 <nil>
}

func ExampleSourceFunc() {
	// A fixed code, as a unit test of the driver might use.
	var src mfa.Source = mfa.SourceFunc(func(ctx context.Context, r mfa.Request) (string, error) {
		return "000000", nil
	})
	code, _ := src.Code(context.Background(), mfa.Request{Username: "alice"})
	fmt.Println(code)
	// Output: 000000
}
