package cli

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authbench/authbench/bench"
	"github.com/authbench/authbench/internal/exitcode"
)

func TestBenchUsageErrors(t *testing.T) {
	t.Parallel()
	users := filepath.Join(t.TempDir(), "users.json")
	set := &bench.UserSet{Schema: bench.UserSetSchema, Endpoint: "https://cognito-idp.us-east-1.amazonaws.com",
		Pools: map[string]bench.PoolRef{"srp": {PoolID: "us-east-1_abc", ClientID: "client"}},
		Users: map[string][]bench.User{"srp": {{Username: "u1", Password: "Sup3r-secret!"}}}}
	if err := set.WriteFile(users); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"bench"}, "give --rate, --stages or --users"},
		{[]string{"bench", "--rate", "fast"}, "--rate: rate \"fast\" at position 1"},
		{[]string{"bench", "--rate", "10/s"}, "needs a duration or an iteration count"},
		{[]string{"bench", "--stages", "30s:0→x/s", "--duration", "1s"}, "--stages: rate \"x/s\" at position 9"},
		{[]string{"bench", "--rate", "1/s", "--stages", "1s:1/s"}, "exclude each other"},
		{[]string{"bench", "--users", "3", "--rate", "1/s"}, "excludes --rate"},
		{[]string{"bench", "--users", "3"}, "needs a duration or an iteration count"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--mix", "srp=80,warp=20"}, `unknown flow "warp"`},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--max-inflight", "0"}, "--max-inflight must be positive"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--pool-id", "us-east-1_abc"}, "--users-file is required"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--users-file", users}, "--i-own-this-pool"},
		{[]string{"bench", "--rate", "1/s", "--duration", "1s", "--users-file", users, "--quota", "UserAuthentication=1"}, "embedded pool only"},
		{[]string{"bench", "--rate", "1/s", "--duration", "nope"}, `invalid argument "nope"`},
		{[]string{"bench", "provision", "--users", "3"}, "--pool-id is required"},
		{[]string{"bench", "provision", "--users", "3", "--pool-id", "us-east-1_abc", "--client-id", "c"}, "--i-own-this-pool"},
	}
	for _, tt := range tests {
		code, _, errOut := run(t, tt.args...)
		if code != exitcode.Usage || !strings.Contains(errOut, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.wantErr)
		}
		last := strings.TrimSpace(errOut)
		if i := strings.LastIndexByte(last, '\n'); i >= 0 {
			last = last[i+1:]
		}
		if !strings.HasPrefix(last, "authbench: ") {
			t.Errorf("%v: the error is not one 'authbench:' line: %q", tt.args, errOut)
		}
		if strings.Contains(errOut, "Sup3r-secret!") {
			t.Errorf("%v: a password leaked to stderr", tt.args)
		}
	}
	// Against a non-loopback pool, the planned request count comes first.
	_, _, errOut := run(t, "bench", "--rate", "2/s", "--duration", "5s", "--users-file", users)
	if !strings.Contains(errOut, "bench plans 10 sign-ins, about 20 requests to https://cognito-idp.us-east-1.amazonaws.com") {
		t.Errorf("no planned request count: %q", errOut)
	}
}

// TestBenchEmbedded runs a short bench with every flow against the embedded pool and
// checks the outputs: summary on stdout, summary.json, the interval log, NDJSON.
func TestBenchEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded bench")
	}
	t.Parallel()
	dir := t.TempDir()
	nd := filepath.Join(dir, "signins.ndjson")
	code, out, errOut := run(t, "bench", "--rate", "40/s", "--duration", "2s", "--mix", "srp=3,password=1,sms=1,totp=1,email=1,custom=1,refresh=1,device=1",
		"--users-per-flow", "12", "--out", dir, "--ndjson", nd, "--status-every", "500ms")
	if code != 0 {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	if !strings.Contains(out, "sign-ins: 80 planned, 80 started, 80 completed, 80 ok") {
		t.Errorf("human summary:\n%s", out)
	}
	if !strings.Contains(errOut, "bench: ") || !strings.Contains(errOut, "started") {
		t.Errorf("no status line on a non-terminal stderr: %q", errOut)
	}
	var s bench.Summary
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Schema != "authbench.report/v1" || s.Kind != "bench" || s.Totals.Completed != 80 || s.Totals.OK+s.Totals.Errors != 80 {
		t.Errorf("summary: %+v", s.Totals)
	}
	var ivSum int64
	for _, iv := range s.Intervals {
		ivSum += iv.Completed
	}
	if ivSum != 80 {
		t.Errorf("intervals add up to %d, want 80", ivSum)
	}
	if bytes.Contains(b, []byte("Aa1!")) { // provisioned passwords start so
		t.Error("the summary holds a password")
	}
	hl, err := os.ReadFile(filepath.Join(dir, "intervals.hlog"))
	if err != nil || !bytes.Contains(hl, []byte("Tag=signin.latency,")) {
		t.Errorf("interval log: %v\n%s", err, hl)
	}
	f, err := os.Open(nd)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lines := 0
	for sc := bufio.NewScanner(f); sc.Scan(); lines++ {
		var r bench.IterationRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil || r.Outcome == "" {
			t.Fatalf("ndjson line %d: %v %q", lines, err, sc.Text())
		}
		if strings.Contains(sc.Text(), "Aa1!") {
			t.Fatal("a password in the NDJSON stream")
		}
	}
	if lines != 80 {
		t.Errorf("ndjson has %d lines, want 80", lines)
	}
}

// syncBuffer is a bytes.Buffer safe for the command's concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBenchInterrupted cancels a long bench: it stops scheduling, still writes the
// summary, and exits 130.
func TestBenchInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("embedded bench")
	}
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(t.Context())
	var out, errb syncBuffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }, Now: time.Now, Random: rand.Reader}
	go func() {
		// Cancel once the run has started: provisioning is over and Execute has
		// opened its interval log (on a loaded machine the steps between the two can
		// take longer than the wait below).
		for {
			if _, err := os.Stat(filepath.Join(dir, bench.IntervalsFile)); err == nil || ctx.Err() != nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(700 * time.Millisecond)
		cancel()
	}()
	code := Run(ctx, env, []string{"bench", "--rate", "20/s", "--duration", "1m", "--out", dir, "--grace", "2s"})
	if code != exitcode.Interrupted {
		t.Fatalf("exit %d, want 130\nstderr %s", code, errb.String())
	}
	var s bench.Summary
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if !s.Interrupted || s.Totals.Started == 0 || s.Totals.Started != s.Totals.Completed || s.Totals.Started > 40 {
		t.Errorf("interrupted summary: %+v", s.Totals)
	}
	if !strings.Contains(out.String(), "(interrupted)") {
		t.Errorf("human summary: %s", out.String())
	}
}
