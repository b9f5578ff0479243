package emulator_test

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/authbench/authbench/emulator"
	"github.com/authbench/authbench/internal/emulatortest"
)

// unwritableDir is a directory the test process cannot create files in: a
// read-only directory for an ordinary user; for root, who writes anywhere the
// permission bits say no, sysfs (Linux), else the test is skipped.
func unwritableDir(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		dir := filepath.Join(t.TempDir(), "ro")
		if err := os.Mkdir(dir, 0o500); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o700) })
		return dir
	}
	if runtime.GOOS == "linux" {
		f, err := os.CreateTemp("/sys", "probe-*")
		if err != nil {
			return "/sys"
		}
		f.Close()
		os.Remove(f.Name())
	}
	t.Skip("running as root with no read-only directory to try")
	return ""
}

// TestPrepareStateUnwritable: a state file whose directory cannot be written, or
// does not exist, or a directory given as the file, fails at once.
func TestPrepareStateUnwritable(t *testing.T) {
	for _, path := range []string{
		filepath.Join(unwritableDir(t), "state.json"),
		filepath.Join(t.TempDir(), "missing", "state.json"),
		t.TempDir(),
	} {
		err := emulator.PrepareState(path)
		if err == nil {
			t.Errorf("PrepareState(%s) accepted a state that cannot be written", path)
			continue
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
			t.Errorf("PrepareState(%s): %q, want one line naming the file", path, msg)
		}
	}
	ok := filepath.Join(t.TempDir(), "state.json")
	if err := emulator.PrepareState(ok); err != nil {
		t.Fatalf("PrepareState(%s): %v", ok, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(ok)); len(entries) != 0 {
		t.Errorf("the writability probe left %v behind", entries)
	}
}

// TestPrepareStateRemovesLeftovers: the temporary files of a save cut short by a
// crash are removed at the next start; other files in the directory are not.
func TestPrepareStateRemovesLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, name := range []string{"state.json", ".state.json.tmp-123456", ".state.json.tmp-9", "other.json", ".other.json.tmp-1"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := emulator.PrepareState(path); err != nil {
		t.Fatal(err)
	}
	var left []string
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	if got, want := strings.Join(left, " "), ".other.json.tmp-1 other.json state.json"; got != want {
		t.Errorf("files left %q, want %q", got, want)
	}
}

// TestSaveStateThroughSymlink: a state file that is a symbolic link (relative, and
// chained) is written through: the links stay links, the file they point to holds
// the state, and LoadState reads it back through them.
func TestSaveStateThroughSymlink(t *testing.T) {
	e := newEnv(t)
	poolID, _, _ := e.Pool(t, emulatortest.PoolSpec{})
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(data, "state.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "current.json")
	if err := os.Symlink(filepath.Join("data", "state.json"), link); err != nil {
		t.Fatal(err)
	}
	outer := filepath.Join(dir, "outer.json")
	if err := os.Symlink("current.json", outer); err != nil {
		t.Fatal(err)
	}
	if err := emulator.PrepareState(outer); err != nil {
		t.Fatal(err)
	}
	if err := e.Srv.SaveState(outer); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{outer, link} {
		if fi, err := os.Lstat(l); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("%s is no longer a symbolic link: %v %v", l, fi.Mode(), err)
		}
	}
	b, err := os.ReadFile(target)
	if err != nil || string(b) == "old" || len(b) == 0 {
		t.Fatalf("the link's target was not replaced: %q %v", b, err)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 1 {
		t.Errorf("the target's directory holds %v, want only state.json", entries)
	}
	e2 := newEnv(t)
	if ok, err := e2.Srv.LoadState(outer); !ok || err != nil {
		t.Fatalf("LoadState through the link: %v %v", ok, err)
	}
	found := false
	for _, p := range e2.Srv.Pools() {
		found = found || p.ID == poolID
	}
	if !found {
		t.Errorf("pool %s not restored through the link: %v", poolID, e2.Srv.Pools())
	}

	// A link to a file not written yet: the first save creates the target.
	dangling := filepath.Join(dir, "new.json")
	if err := os.Symlink(filepath.Join("data", "later.json"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := e.Srv.SaveState(dangling); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("%s was replaced: %v", dangling, err)
	}
	if _, err := os.Stat(filepath.Join(data, "later.json")); err != nil {
		t.Fatal(err)
	}
}
