package emulator_test

import (
	"context"
	"errors"
	"io/fs"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/fixtures"
	"github.com/authbench/authbench/internal/emulatortest"
)

// TestStartEmbedded: every pool fixture the binary embeds loads into a started
// embedded pool, which then answers on its endpoint; an unknown name is an error that
// says so.
func TestStartEmbedded(t *testing.T) {
	ctx := context.Background()
	names := fixtures.Names()
	if len(names) < 6 {
		t.Fatalf("embedded fixtures %v: want pool, mfa, custom, bench, conform-custom, conform-throttled", names)
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			srv, loaded, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Options: emulator.Options{NewKey: testKey}, Fixtures: []string{name}})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			if len(loaded.Pools) == 0 {
				t.Fatal("no pools loaded")
			}
			idp := emulatortest.NewClient(srv.Endpoint())
			for _, p := range loaded.Pools {
				if _, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(p.ID)}); err != nil {
					t.Errorf("pool %s (%s): %v", p.Name, p.ID, err)
				}
			}
		})
	}
	if _, _, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Fixtures: []string{"no-such-fixture"}}); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("unknown fixture: %v, want fs.ErrNotExist", err)
	}
}

// TestEmbeddedBenchDevicePool: the bench fixture's device pool remembers devices (a
// fixture's deviceConfiguration is CreateUserPool's DeviceConfiguration).
func TestEmbeddedBenchDevicePool(t *testing.T) {
	ctx := context.Background()
	srv, loaded, err := emulator.StartEmbedded(ctx, emulator.EmbeddedOptions{Options: emulator.Options{NewKey: testKey}, Fixtures: []string{"bench"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	idp := emulatortest.NewClient(srv.Endpoint())
	for _, p := range loaded.Pools {
		out, err := idp.DescribeUserPool(ctx, &cip.DescribeUserPoolInput{UserPoolId: aws.String(p.ID)})
		if err != nil {
			t.Fatal(err)
		}
		dc := out.UserPool.DeviceConfiguration
		if want := p.Name == "authbench-bench-devices"; (dc != nil && dc.ChallengeRequiredOnNewDevice) != want {
			t.Errorf("pool %s: device configuration %+v, want remembered devices %t", p.Name, dc, want)
		}
	}
}
