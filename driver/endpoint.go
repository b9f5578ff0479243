package driver

import (
	"net"
	"net/url"
)

// IsLoopback reports whether endpoint is a URL on localhost or a loopback address:
// an emulator on this machine rather than AWS. Commands use it to decide what a
// target needs (no AWS account, no ownership confirmation, an outbox to read).
func IsLoopback(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
