package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestEmulateStateUnwritable: `emulate --state` naming a file whose directory cannot
// be written fails at start with exit 2 and one line, before serving.
func TestEmulateStateUnwritable(t *testing.T) {
	dir := ""
	switch {
	case os.Geteuid() != 0:
		dir = filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
	case runtime.GOOS == "linux":
		dir = "/sys" // root writes anywhere the permission bits say no, but not there
		if f, err := os.CreateTemp(dir, "probe-*"); err == nil {
			f.Close()
			os.Remove(f.Name())
			t.Skip("running as root with no read-only directory to try")
		}
	default:
		t.Skip("running as root with no read-only directory to try")
	}
	for _, state := range []string{filepath.Join(dir, "state.json"), filepath.Join(t.TempDir(), "missing", "state.json")} {
		code, stdout, stderr := runIn(t, "", nil, "emulate", "--addr", "127.0.0.1:0", "--state", state, "--state-interval", "1ms")
		oneUsageLine(t, code, stderr, state, "cannot be written")
		if stdout != "" {
			t.Errorf("the pool started: %q", stdout)
		}
	}
}
