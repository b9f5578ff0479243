package driver

import "testing"

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		want     bool
	}{
		{"http://127.0.0.1:9229", true},
		{"http://localhost:1", true},
		{"http://[::1]:80", true},
		{"https://cognito-idp.us-east-1.amazonaws.com", false},
		{"http://10.0.0.1:9229", false},
		{"", false},
		{"127.0.0.1:9229", false}, // not a URL
	} {
		if got := IsLoopback(tc.endpoint); got != tc.want {
			t.Errorf("IsLoopback(%q) = %v, want %v", tc.endpoint, got, tc.want)
		}
	}
}
