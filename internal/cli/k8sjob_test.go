package cli

import (
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	"sigs.k8s.io/yaml"

	"github.com/authbench/authbench/internal/exitcode"
)

// TestK8sJob checks the manifests against the Kubernetes Job schema as the API types
// define it: strict decoding (an unknown or misspelt field fails), then the fields an
// Indexed Job of shards needs.
func TestK8sJob(t *testing.T) {
	code, out, stderr := runIn(t, "", nil, "k8s-job", "--shards", "3", "--image", "registry.example/authbench:v1", "--secret", "cognito-client",
		"--", "--rate", "300/s", "--duration", "5m", "--pool-id", "us-east-1_abc", "--client-id", "xyz")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := strings.Split(out, "\n---\n")
	if len(docs) != 2 {
		t.Fatalf("%d YAML documents, want 2:\n%s", len(docs), out)
	}
	var jobs [2]batchv1.Job
	for i, d := range docs {
		if err := yaml.UnmarshalStrict([]byte(d), &jobs[i]); err != nil {
			t.Fatalf("document %d is not a valid batch/v1 Job: %v\n%s", i, err, d)
		}
		if jobs[i].APIVersion != "batch/v1" || jobs[i].Kind != "Job" || jobs[i].Name == "" {
			t.Errorf("document %d: %s %s %q", i, jobs[i].APIVersion, jobs[i].Kind, jobs[i].Name)
		}
		pod := jobs[i].Spec.Template.Spec
		if pod.RestartPolicy != "Never" || len(pod.Containers) != 1 || pod.Containers[0].Image != "registry.example/authbench:v1" {
			t.Errorf("document %d pod: %+v", i, pod)
		}
	}
	s := jobs[0].Spec
	if s.CompletionMode == nil || *s.CompletionMode != batchv1.IndexedCompletion || *s.Completions != 3 || *s.Parallelism != 3 ||
		s.BackoffLimitPerIndex == nil || *s.BackoffLimitPerIndex != 0 {
		t.Errorf("shard Job spec: %+v", s)
	}
	args := strings.Join(s.Template.Spec.Containers[0].Args, " ")
	for _, want := range []string{"bench --shard $(JOB_COMPLETION_INDEX) --shards 3 --start-at ", "--out /artifacts/", "--rate 300/s --duration 5m --pool-id us-east-1_abc"} {
		if !strings.Contains(args, want) {
			t.Errorf("args %q lack %q", args, want)
		}
	}
	startAt := s.Template.Spec.Containers[0].Args[6]
	if _, err := time.Parse(time.RFC3339, startAt); err != nil {
		t.Errorf("--start-at %q: %v", startAt, err)
	}
	env := s.Template.Spec.Containers[0].Env
	if len(env) != 1 || env[0].ValueFrom.SecretKeyRef.Name != "cognito-client" {
		t.Errorf("env %+v", env)
	}
	if m := strings.Join(jobs[1].Spec.Template.Spec.Containers[0].Args, " "); !strings.HasPrefix(m, "merge --shards 3 --wait") {
		t.Errorf("merge args %q", m)
	}

	for _, args := range [][]string{
		{"k8s-job", "--image", "x"},
		{"k8s-job", "--shards", "2"},
		{"k8s-job", "--shards", "2", "--image", "x", "--name", "Not_A_Name"},
		{"k8s-job", "--shards", "2", "--image", "x", "--cpu", "lots"},
		{"k8s-job", "--shards", "2", "--image", "x", "--", "--shard", "1"},
	} {
		if code, _, stderr := runIn(t, "", nil, args...); code != exitcode.Usage {
			t.Errorf("%v: exit %d (%s)", args, code, stderr)
		}
	}
}
