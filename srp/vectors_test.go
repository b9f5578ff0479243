package srp_test

import (
	"os"
	"testing"

	"github.com/authbench/authbench/internal/srpvectors"
)

// TestVectors reproduces every cross-implementation vector of
// fixtures/srp-vectors.json byte for byte: SRP_A, u, x, S, K and the signature on the
// client side, the verifier, SRP_B and the verdict on the server side.
func TestVectors(t *testing.T) {
	f, err := os.Open("../fixtures/srp-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	file, err := srpvectors.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range file.CheckGroup() {
		if !c.OK {
			t.Errorf("%s: %s", c.Value, c.Detail)
		}
	}
	if len(file.Vectors) < 10 {
		t.Fatalf("only %d vectors", len(file.Vectors))
	}
	for i := range file.Vectors {
		v := &file.Vectors[i]
		t.Run(v.Name, func(t *testing.T) {
			r := v.Run()
			if len(r.Checks) < 10 {
				t.Errorf("only %d checks ran", len(r.Checks))
			}
			for _, c := range r.Checks {
				if !c.OK {
					t.Errorf("%s: %s", c.Value, c.Detail)
				}
			}
		})
	}
}
