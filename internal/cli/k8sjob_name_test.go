package cli

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/authbench/authbench/internal/exitcode"
)

// k8sJobsAt runs k8s-job with the clock at now and decodes its two Jobs strictly.
func k8sJobsAt(t *testing.T, now time.Time, args ...string) [2]batchv1.Job {
	t.Helper()
	var out, errb bytes.Buffer
	env := Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Now: func() time.Time { return now }, Random: rand.Reader}
	if code := Run(t.Context(), env, append([]string{"k8s-job"}, args...)); code != 0 {
		t.Fatalf("k8s-job %v: exit %d: %s", args, code, errb.String())
	}
	docs := strings.Split(out.String(), "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents, want 2", len(docs))
	}
	var jobs [2]batchv1.Job
	for i, d := range docs {
		if err := yaml.UnmarshalStrict([]byte(d), &jobs[i]); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
	}
	return jobs
}

var dns1123Label = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// TestK8sJobNames: without --name each run's Jobs are named after its run id, a
// DNS-1123 label, so two runs (another start time, other bench flags) never share a
// Job name and re-applying does not meet the previous run's immutable template;
// --name is kept as given and the merge Job adds -merge.
func TestK8sJobNames(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	common := []string{"--shards", "2", "--image", "registry.example/authbench:v1", "--lead", "1m", "--"}
	a := k8sJobsAt(t, t0, append(common, "--rate", "100/s", "--duration", "1m")...)
	b := k8sJobsAt(t, t0.Add(time.Hour), append(common, "--rate", "100/s", "--duration", "1m")...)
	c := k8sJobsAt(t, t0, append(common, "--rate", "200/s", "--duration", "1m")...)
	names := map[string]bool{}
	for _, jobs := range [][2]batchv1.Job{a, b, c} {
		name := jobs[0].Name
		if !strings.HasPrefix(name, "authbench-20260301t") || !dns1123Label.MatchString(name) || len(name) > 50 {
			t.Errorf("Job name %q: want authbench-<run id>, a DNS-1123 label of at most 50 characters", name)
		}
		if jobs[1].Name != name+"-merge" || jobs[0].Labels["app.kubernetes.io/instance"] != name {
			t.Errorf("merge Job %q, instance label %q, for Job %q", jobs[1].Name, jobs[0].Labels["app.kubernetes.io/instance"], name)
		}
		names[name] = true
	}
	if len(names) != 3 {
		t.Errorf("runs share Job names: %v", names)
	}
	if !strings.HasPrefix(a[0].Name, "authbench-20260301t120100z-") {
		t.Errorf("Job name %q does not carry the start time 12:01:00 (now + --lead)", a[0].Name)
	}

	named := k8sJobsAt(t, t0, "--shards", "2", "--image", "x", "--name", "nightly-42")
	if named[0].Name != "nightly-42" || named[1].Name != "nightly-42-merge" {
		t.Errorf("--name nightly-42 gave %q and %q", named[0].Name, named[1].Name)
	}
	for _, args := range [][]string{
		{"k8s-job", "--shards", "2", "--image", "x", "--name", "Nightly"},
		{"k8s-job", "--shards", "2", "--image", "x", "--name", strings.Repeat("a", 51)},
		{"k8s-job", "--shards", "2", "--image", "x", "--", "--rate", "fast", "--no-such-flag"},
	} {
		code, _, stderr := runIn(t, "", nil, args...)
		oneUsageLine(t, code, stderr)
	}
}

// TestK8sJobNameIsShardRunID runs shard 0 with the arguments the shard Job gives it
// (its index filled in, its --out moved to a temporary directory; the start time is
// now, a shard may start up to 3 minutes late) against the embedded pool: the run id in the shard's summary is the one the Job is named
// after.
func TestK8sJobNameIsShardRunID(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a bench shard")
	}
	jobs := k8sJobsAt(t, time.Now(), "--shards", "2", "--image", "x", "--lead", "0s", "--", "--rate", "20/s", "--iterations", "2")
	args := jobs[0].Spec.Template.Spec.Containers[0].Args
	dir := filepath.Join(t.TempDir(), "shard-0")
	for i := range args {
		args[i] = strings.ReplaceAll(args[i], "$(JOB_COMPLETION_INDEX)", "0")
		if i > 0 && args[i-1] == "--out" {
			args[i] = dir
		}
	}
	if code, _, stderr := runIn(t, "", nil, args...); code != exitcode.OK {
		t.Fatalf("shard %v: exit %d: %s", args, code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		Run struct {
			ID string `json:"id"`
		} `json:"run"`
	}
	if err := json.Unmarshal(b, &sum); err != nil || sum.Run.ID == "" {
		t.Fatalf("summary run id: %v %q", err, sum.Run.ID)
	}
	if want := "authbench-" + strings.ToLower(sum.Run.ID); jobs[0].Name != want {
		t.Errorf("Job name %q, shard run id %q: want %q", jobs[0].Name, sum.Run.ID, want)
	}
}
