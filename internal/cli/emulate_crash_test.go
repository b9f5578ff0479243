package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"

	"github.com/authbench/authbench/internal/emulatortest"
)

// crashPool is the pool of fixtures/pool.yaml, which the first start loads.
const crashPool = "us-east-1_AuthBench1"

// TestEmulateStateSurvivesSIGKILL kills `authbench emulate --state` with SIGKILL at
// random moments while users are being created, and restarts it from the state file
// each time. The property, round after round:
//
//   - the state file always loads: every restart says "state restored" (a file cut
//     short by the kill would fail the start with exit 2);
//   - nothing acknowledged before a completed save is lost: a user whose
//     AdminCreateUser was answered before the test saw the state file replaced twice
//     (the second replacement's save began after the first ended, so after the
//     answer) is present after every later restart;
//   - nothing appears that was never asked for: every user after a restart is one the
//     test tried to create.
//
// Users created after that point (the kill races them) may or may not survive.
func TestEmulateStateSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI and kills it 40 times; skipped in -short mode")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL is a POSIX signal")
	}
	bin := buildEmulateCLI(t)
	dir := t.TempDir()
	state := filepath.Join(dir, "state.json")
	fixture, err := filepath.Abs(filepath.Join("..", "..", "fixtures", "pool.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 13))
	durable := map[string]bool{}   // acknowledged before a completed save
	attempted := map[string]bool{} // every AdminCreateUser sent
	const rounds = 40
	// The rounds stop early (and say so) rather than let a slow machine stretch the test.
	stop := time.Now().Add(50 * time.Second)
	done := 0
	for round := 0; round < rounds && time.Now().Before(stop); round++ {
		p := startEmulate(t, bin, "--addr", "127.0.0.1:0", "--state", state, "--state-interval", "100ms", "--fixture", fixture)
		if round > 0 && !strings.Contains(p.banner, "state restored from") {
			p.kill()
			t.Fatalf("round %d: the state file was not restored:\n%s\nstderr: %s", round, p.banner, p.stderr())
		}
		idp := emulatortest.NewClient(p.endpoint)
		ctx := t.Context()

		present := listUsernames(t, idp)
		for u := range durable {
			if !present[u] {
				p.kill()
				t.Fatalf("round %d: user %s, acknowledged before a completed save, was lost (%d of %d durable users present)", round, u, countIn(durable, present), len(durable))
			}
		}
		for u := range present {
			if !attempted[u] && !fixtureUser(u) {
				p.kill()
				t.Fatalf("round %d: user %s was never created", round, u)
			}
		}

		// A batch acknowledged, then two replacements of the state file seen: durable.
		var batch []string
		for i := range 3 + rng.IntN(4) {
			u := fmt.Sprintf("r%02d-d%d", round, i)
			attempted[u] = true
			if err := createCrashUser(ctx, idp, u); err != nil {
				p.kill()
				t.Fatalf("round %d: AdminCreateUser %s: %v", round, u, err)
			}
			batch = append(batch, u)
		}
		if err := waitSaves(ctx, state, 2); err != nil {
			p.kill()
			t.Fatalf("round %d: %v\nstderr: %s", round, err, p.stderr())
		}
		for _, u := range batch {
			durable[u] = true
		}

		// More users while the kill comes at a random moment, in a save or between.
		var mu sync.Mutex
		var racing []string
		cctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; cctx.Err() == nil; i++ {
				u := fmt.Sprintf("r%02d-k%d", round, i)
				mu.Lock()
				racing = append(racing, u)
				mu.Unlock()
				if createCrashUser(cctx, idp, u) != nil {
					return
				}
			}
		}()
		time.Sleep(time.Duration(rng.IntN(250)) * time.Millisecond)
		p.kill()
		cancel()
		wg.Wait()
		for _, u := range racing {
			attempted[u] = true
		}
		done++
	}
	if done < rounds {
		t.Logf("ran %d of %d rounds in the time allowed", done, rounds)
	}
	if done < 5 {
		t.Fatalf("only %d rounds ran", done)
	}
	// The last kill's file loads too, and still holds every durable user.
	restart := time.Now()
	p := startEmulate(t, bin, "--addr", "127.0.0.1:0", "--state", state, "--state-interval", "100ms")
	defer p.kill()
	if !strings.Contains(p.banner, "state restored from") {
		t.Fatalf("the state file was not restored after the last kill:\n%s", p.banner)
	}
	present := listUsernames(t, emulatortest.NewClient(p.endpoint))
	if n := countIn(durable, present); n != len(durable) {
		t.Fatalf("after %d kills, %d of %d durable users are present", done, n, len(durable))
	}
	// A temporary file the last kill left is gone after the start; the running pool
	// may be in the middle of a save of its own (a file newer than the restart).
	leftovers, _ := filepath.Glob(filepath.Join(dir, ".state.json.tmp-*"))
	for _, f := range leftovers {
		if fi, err := os.Stat(f); err == nil && fi.ModTime().Before(restart) {
			t.Errorf("a temporary file of before the restart is left: %s", f)
		}
	}
	t.Logf("%d SIGKILLs, %d users durable, %d present at the end", done, len(durable), len(present))
}

// buildEmulateCLI builds the CLI into a temporary directory.
func buildEmulateCLI(t *testing.T) string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the CLI with: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "authbench")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	if out, err := exec.CommandContext(ctx, gobin, "build", "-o", bin, "../../cmd/authbench").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// emulateProc is a running `authbench emulate`.
type emulateProc struct {
	cmd      *exec.Cmd
	endpoint string
	banner   string
	errb     *syncBuffer
	once     sync.Once
}

// startEmulate starts the CLI with args and waits for its banner's endpoint line
// and the rest of the banner (up to the outbox line).
func startEmulate(t *testing.T, bin string, args ...string) *emulateProc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"emulate"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &emulateProc{cmd: cmd, errb: &syncBuffer{}}
	cmd.Stderr = p.errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.kill)
	sc := bufio.NewScanner(out)
	var banner strings.Builder
	for sc.Scan() {
		line := sc.Text()
		banner.WriteString(line + "\n")
		if ep, ok := strings.CutPrefix(line, "authbench emulate: Cognito endpoint "); ok {
			p.endpoint = strings.TrimSpace(ep)
		}
		if strings.Contains(line, "/_authbench/outbox") {
			break
		}
	}
	p.banner = banner.String()
	go io.Copy(io.Discard, out)
	if p.endpoint == "" {
		p.kill()
		t.Fatalf("emulate printed no endpoint:\n%s\nstderr: %s", p.banner, p.stderr())
	}
	return p
}

// kill sends SIGKILL and reaps the process.
func (p *emulateProc) kill() {
	p.once.Do(func() {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	})
}

func (p *emulateProc) stderr() string { return p.errb.String() }

// createCrashUser creates a user of crashPool without a message.
func createCrashUser(ctx context.Context, idp *cip.Client, username string) error {
	_, err := idp.AdminCreateUser(ctx, &cip.AdminCreateUserInput{
		UserPoolId: aws.String(crashPool), Username: aws.String(username), MessageAction: types.MessageActionTypeSuppress,
		UserAttributes: []types.AttributeType{{Name: aws.String("email"), Value: aws.String(username + "@example.com")}},
	})
	return err
}

// listUsernames lists every user of crashPool.
func listUsernames(t *testing.T, idp *cip.Client) map[string]bool {
	t.Helper()
	users := map[string]bool{}
	var token *string
	for {
		out, err := idp.ListUsers(t.Context(), &cip.ListUsersInput{UserPoolId: aws.String(crashPool), Limit: aws.Int32(60), PaginationToken: token})
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		for _, u := range out.Users {
			users[aws.ToString(u.Username)] = true
		}
		if token = out.PaginationToken; token == nil {
			return users
		}
	}
}

// fixtureUser reports whether username is one of the users fixtures/pool.yaml makes
// (the test's own all start with "r").
func fixtureUser(username string) bool {
	return len(username) < 4 || username[0] != 'r' || username[3] != '-'
}

func countIn(want, have map[string]bool) int {
	n := 0
	for u := range want {
		if have[u] {
			n++
		}
	}
	return n
}

// waitSaves waits until the state file has been replaced n times, by polling its
// identity (a save renames a new file over it) and modification time.
func waitSaves(ctx context.Context, path string, n int) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	last, _ := os.Stat(path)
	for seen := 0; seen < n; {
		select {
		case <-ctx.Done():
			return fmt.Errorf("the state file %s was replaced %d times, not %d: %w", path, seen, n, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
		fi, err := os.Stat(path)
		if err != nil {
			continue
		}
		if last == nil || !os.SameFile(last, fi) || !fi.ModTime().Equal(last.ModTime()) || fi.Size() != last.Size() {
			seen++
			last = fi
		}
	}
	return nil
}
