package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// SaveState writes the server's durable state (pools, clients, users as SRP
// verifiers, refresh tokens, signing keys) to path atomically: a temporary file in the
// same directory, synced, then renamed over path. When path is a symbolic link, the
// file it points to is replaced and the link is kept. The file is readable by its
// owner only; it holds signing keys.
func (s *Server) SaveState(path string) error {
	data, err := s.svc.Snapshot()
	if err != nil {
		return fmt.Errorf("emulator: snapshot: %w", err)
	}
	target, err := stateTarget(path)
	if err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	f, err := os.CreateTemp(filepath.Dir(target), tempPattern(target))
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
	if err := os.Rename(tmp, target); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// PrepareState readies path for LoadState and SaveState at start: it removes the
// temporary files a save cut short by a crash left next to the state file, and it
// checks that the directory the state is written to (the link's target's, for a
// symbolic link) can be written, by creating and removing a file there, so that a
// state that could never be saved fails at start rather than at every save. Two
// servers must not share one state file.
func PrepareState(path string) error {
	if path == "" {
		return errors.New("emulator: state: no file given")
	}
	target, err := stateTarget(path)
	if err != nil {
		return fmt.Errorf("emulator: state %s: %w", path, err)
	}
	if fi, err := os.Stat(target); err == nil && fi.IsDir() {
		return fmt.Errorf("emulator: state %s: is a directory", path)
	}
	dir := filepath.Dir(target)
	leftovers, err := filepath.Glob(filepath.Join(dir, tempPattern(target)))
	if err != nil {
		return fmt.Errorf("emulator: state %s: %w", path, err)
	}
	for _, l := range leftovers {
		if err := os.Remove(l); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("emulator: state %s: removing a leftover temporary file: %w", path, err)
		}
	}
	probe, err := os.CreateTemp(dir, "."+filepath.Base(target)+".probe-*")
	if err != nil {
		return fmt.Errorf("emulator: state %s: directory %s cannot be written: %w", path, dir, unwrapPath(err))
	}
	name := probe.Name()
	probe.Close()
	if err := os.Remove(name); err != nil {
		return fmt.Errorf("emulator: state %s: directory %s: %w", path, dir, unwrapPath(err))
	}
	return nil
}

// tempPattern is the os.CreateTemp pattern of the temporary files SaveState writes
// next to target; as a glob it matches every one of them.
func tempPattern(target string) string {
	return "." + filepath.Base(target) + ".tmp-*"
}

// unwrapPath drops the *fs.PathError around an error of the operating system: the
// messages that use it name the path already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// maxLinks bounds the symbolic links stateTarget follows, as the kernel does.
const maxLinks = 40

// stateTarget is the file path names once every symbolic link is followed: the
// file a save replaces. A link to a file that does not exist yet names that file.
func stateTarget(path string) (string, error) {
	for range maxLinks {
		fi, err := os.Lstat(path)
		if errors.Is(err, os.ErrNotExist) {
			return path, nil
		}
		if err != nil {
			return "", unwrapPath(err)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", unwrapPath(err)
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", errors.New("too many levels of symbolic links")
}

// LoadState replaces the server's pools with those saved in path (through a
// symbolic link, if path is one). It reports (false, nil) when the file does not
// exist.
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
