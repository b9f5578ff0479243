package emulator

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SaveState writes the server's durable state (pools, clients, users as SRP
// verifiers, refresh tokens, signing keys) to path atomically: a temporary file in the
// same directory, synced, then renamed over path. The file is readable by its owner
// only; it holds signing keys.
func (s *Server) SaveState(path string) error {
	data, err := s.svc.Snapshot()
	if err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename this fails harmlessly
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("emulator: save state: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("emulator: save state: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("emulator: save state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// LoadState replaces the server's pools with those saved in path. It reports
// (false, nil) when the file does not exist.
func (s *Server) LoadState(path string) (bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("emulator: load state: %w", err)
	}
	if err := s.svc.Restore(data); err != nil {
		return false, fmt.Errorf("emulator: load state %s: %w", path, err)
	}
	return true, nil
}

// PoolSummary is a pool as the start-up line shows it.
type PoolSummary struct {
	ID, Name string
	Clients  []string // "id (name)"
	Users    int
}

// Pools summarises the server's pools, sorted by id.
func (s *Server) Pools() []PoolSummary {
	var out []PoolSummary
	for _, p := range s.svc.Summaries() {
		out = append(out, PoolSummary{ID: p.ID, Name: p.Name, Clients: p.Clients, Users: p.Users})
	}
	return out
}
