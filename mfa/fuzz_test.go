package mfa

import (
	"strings"
	"testing"
)

func FuzzParseOutbox(f *testing.F) {
	for _, s := range []string{
		`{"messages":[{"seq":1,"time":"2026-03-04T05:06:07Z","poolId":"p","username":"u","medium":"SMS","destination":"+1","purpose":"MFA","code":"123456","body":"b"}],"now":"2026-03-04T05:06:07Z"}`,
		`{"messages":[]}`,
		`{"messages":null}`,
		`{"messages":[{"seq":"x"}]}`,
		`{"messages":[{"time":"yesterday"}]}`,
		`[]`,
		`{`,
		``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := parseOutbox(data)
		if err != nil {
			if len(p.Messages) != 0 {
				t.Fatalf("messages returned with error %v", err)
			}
			return
		}
		r := Request{PoolID: "p", Username: "u", Medium: "SMS", Purpose: "MFA"}
		for _, m := range p.Messages {
			_ = matches(m, r)
		}
	})
}

func FuzzParseCommandOutput(f *testing.F) {
	for _, s := range []string{"123456\n", "\n\n  42-ab \r\n", "", "\n", "12 34", "x\x00y", strings.Repeat("9", 70)} {
		f.Add([]byte(s), "MFA")
		f.Add([]byte(s), "TEMPORARY_PASSWORD")
	}
	f.Fuzz(func(t *testing.T, out []byte, purpose string) {
		code, err := parseCommandOutput(out, purpose)
		if err != nil {
			if code != "" {
				t.Fatalf("code %q returned with error %v", code, err)
			}
			return
		}
		if !strings.Contains(string(out), code) || strings.TrimSpace(code) != code || code == "" {
			t.Fatalf("code %q is not a trimmed line of the output", code)
		}
		if purpose != PurposeTemporaryPassword && !codePattern.MatchString(code) {
			t.Fatalf("code %q does not match %s", code, codePattern)
		}
	})
}
