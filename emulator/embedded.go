package emulator

import (
	"bytes"
	"context"
	"fmt"

	"github.com/authbench/authbench/fixtures"
)

// EmbeddedOptions configures [StartEmbedded].
type EmbeddedOptions struct {
	// Options configure the server (clock, randomness, quotas and latency, …).
	Options
	// Fixtures names the pool fixtures the binary embeds (fixtures/<name>.yaml, see
	// package fixtures) to load, in this order.
	Fixtures []string
	// Addr is where to listen; empty means a free port of 127.0.0.1.
	Addr string
}

// StartEmbedded starts the embedded pool: a server listening on a free port of
// 127.0.0.1 (or o.Addr) with the named embedded fixtures loaded. Loaded lists what the
// fixtures created, their pools in order. The server serves until Close; ctx bounds
// only the start. This is the one way `authbench signin`, `conform` and `bench` start
// an embedded pool.
func StartEmbedded(ctx context.Context, o EmbeddedOptions) (*Server, *Loaded, error) {
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	srv := New(o.Options)
	if err := srv.Start(context.WithoutCancel(ctx), addr); err != nil {
		return nil, nil, err
	}
	all := &Loaded{}
	for _, name := range o.Fixtures {
		l, err := srv.LoadEmbeddedFixture(ctx, name)
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		all.Pools = append(all.Pools, l.Pools...)
	}
	return srv, all, nil
}

// EmbeddedFixture parses the pool fixture the binary embeds under name
// (fixtures/<name>.yaml). The caller may adjust it before [Server.LoadFixture].
func EmbeddedFixture(name string) (*Fixture, error) {
	b, err := fixtures.Pool(name)
	if err != nil {
		return nil, err
	}
	f, err := ParseFixture(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("fixtures/%s.yaml: %w", name, err)
	}
	return f, nil
}

// LoadEmbeddedFixture loads the pool fixture the binary embeds under name into s.
func (s *Server) LoadEmbeddedFixture(ctx context.Context, name string) (*Loaded, error) {
	f, err := EmbeddedFixture(name)
	if err != nil {
		return nil, err
	}
	l, err := s.LoadFixture(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("fixtures/%s.yaml: %w", name, err)
	}
	return l, nil
}
