package emulator

import (
	"net"
	"testing"
)

// TestFirstReachable: a wildcard-bound pool's public address is the first IPv4
// address that is neither loopback nor link-local, else the first such IPv6 one,
// else localhost — never the wildcard itself.
func TestFirstReachable(t *testing.T) {
	ipnet := func(s string) net.Addr {
		_, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		ip, _, _ := net.ParseCIDR(s)
		n.IP = ip
		return n
	}
	for _, c := range []struct {
		addrs []net.Addr
		want  string
	}{
		{[]net.Addr{ipnet("127.0.0.1/8"), ipnet("::1/128"), ipnet("fe80::1/64"), ipnet("169.254.1.1/16"), ipnet("2001:db8::5/64"), ipnet("10.1.2.3/24")}, "10.1.2.3"},
		{[]net.Addr{ipnet("127.0.0.1/8"), ipnet("2001:db8::5/64")}, "2001:db8::5"},
		{[]net.Addr{ipnet("127.0.0.1/8"), ipnet("0.0.0.0/0")}, "localhost"},
		{nil, "localhost"},
	} {
		if got := firstReachable(c.addrs); got != c.want {
			t.Errorf("firstReachable(%v) = %q, want %q", c.addrs, got, c.want)
		}
	}
}
