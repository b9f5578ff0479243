package emulator_test

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/authbench/authbench/emulator"
)

// TestParseFixtureErrorDetail: a fixture that does not decode gives one line with
// every line number and field the YAML decoder reported, and unwraps to the
// decoder's error.
func TestParseFixtureErrorDetail(t *testing.T) {
	_, err := emulator.ParseFixture(strings.NewReader("pools:\n  - name: x\n    rat: 3\n    mfa: [ON]\n"))
	if err == nil {
		t.Fatal("a fixture with an unknown field parsed")
	}
	want := "fixture: line 3: field rat not found in type emulator.FixturePool; line 4: cannot unmarshal !!seq into string"
	if err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		t.Errorf("error %v does not unwrap to *yaml.TypeError", err)
	}
	_, err = emulator.ParseFixture(strings.NewReader("pools: [\n"))
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "line 1:") || strings.Contains(err.Error(), "yaml: ") {
		t.Errorf("syntax error %q, want one line with the line number", err)
	}
}
