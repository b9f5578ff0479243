package bench

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

// K8sJobOptions describe a sharded bench on Kubernetes: an Indexed Job of Shards
// pods, each running one shard of the bench given by BenchArgs from the common Start,
// and a Job merging their artifacts. As with Options, errors name them by the
// k8s-job command's flags.
type K8sJobOptions struct {
	// Shards is the number of shards (pods); Image the image with the authbench binary.
	Shards int
	Image  string
	// Name names the Job (the merge Job gets -merge); empty means JobName(RunID), so
	// that every run gets Jobs of its own and applying a new run never meets the
	// previous run's Jobs (whose pod templates are immutable). Namespace is kubectl's
	// default when empty.
	Name, Namespace string
	// RunID is the run id the shards will write (see RunID); empty means the one of
	// Start with no config hash.
	RunID string
	// PVC is the PersistentVolumeClaim of the artifacts, mounted at Artifacts.
	PVC, Artifacts string
	// Secret, if set, is the Secret holding the app client secret (key client-secret).
	Secret string
	// CPU and Memory are each shard's request and limit (Kubernetes quantities).
	CPU, Memory string
	// Start is the shards' common start time.
	Start time.Time
	// BenchArgs are the bench flags every shard runs with (not the shard flags).
	BenchArgs []string
}

var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

// maxJobName is the longest Job name K8sJobs accepts: the merge Job adds "-merge"
// and an Indexed Job's pods add the index and a random suffix, all within the
// 63-character limit of a label value.
const maxJobName = 50

// JobName is the default Job name of a run: "authbench-" and the run id in lower
// case ("authbench-20260301t120000z-0123456789ab"), a DNS-1123 label of at most 50
// characters.
func JobName(runID string) string {
	var b strings.Builder
	b.WriteString("authbench-")
	for _, r := range strings.ToLower(runID) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	name := b.String()
	if len(name) > maxJobName {
		name = name[:maxJobName]
	}
	return strings.TrimRight(name, "-")
}

func (o K8sJobOptions) check() error {
	if o.Shards < 1 {
		return invalidf("--shards must be at least 1, got %d", o.Shards)
	}
	if o.Image == "" {
		return invalidf("--image is required")
	}
	if !dns1123.MatchString(o.Name) || len(o.Name) > maxJobName {
		return invalidf("--name %q: want a DNS-1123 label (lower-case letters, digits and '-') of at most %d characters", o.Name, maxJobName)
	}
	for _, q := range []string{o.CPU, o.Memory} {
		if _, err := resource.ParseQuantity(q); err != nil {
			return invalidf("resource %q: %v", q, err)
		}
	}
	for _, a := range o.BenchArgs {
		switch strings.SplitN(a, "=", 2)[0] {
		case "--shard", "--shards", "--start-at", "--out":
			return invalidf("bench flag %s is set by k8s-job itself", a)
		}
	}
	return nil
}

// K8sJobs checks o and renders the shard Job and the merge Job as a two-document
// YAML stream. Option problems are ErrInvalid errors.
func K8sJobs(o K8sJobOptions) (string, error) {
	if o.Name == "" {
		if o.RunID == "" {
			o.RunID = RunID(o.Start, "")
		}
		o.Name = JobName(o.RunID)
	}
	if err := o.check(); err != nil {
		return "", err
	}
	start := o.Start
	n := int32(o.Shards)
	zero := int32(0)
	indexed := batchv1.IndexedCompletion
	runDir := fmt.Sprintf("%s/%s-%d", o.Artifacts, o.Name, start.Unix())
	labels := map[string]string{"app.kubernetes.io/name": "authbench", "app.kubernetes.io/instance": o.Name}
	resources := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(o.CPU), corev1.ResourceMemory: resource.MustParse(o.Memory)},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(o.CPU), corev1.ResourceMemory: resource.MustParse(o.Memory)},
	}
	var envs []corev1.EnvVar
	if o.Secret != "" {
		envs = append(envs, corev1.EnvVar{Name: "AUTHBENCH_CLIENT_SECRET", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: o.Secret}, Key: "client-secret"}}})
	}
	volume := corev1.Volume{Name: "artifacts", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: o.PVC}}}
	mount := corev1.VolumeMount{Name: "artifacts", MountPath: o.Artifacts}
	args := append([]string{"bench",
		"--shard", "$(JOB_COMPLETION_INDEX)", "--shards", strconv.Itoa(o.Shards),
		"--start-at", start.Format(time.RFC3339),
		"--out", runDir + "/shard-$(JOB_COMPLETION_INDEX)",
	}, o.BenchArgs...)
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: o.Namespace, Labels: labels}
	}
	shards := batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta(o.Name),
		Spec: batchv1.JobSpec{
			CompletionMode:       &indexed,
			Completions:          &n,
			Parallelism:          &n,
			BackoffLimitPerIndex: &zero,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name: "bench", Image: o.Image, Args: args, Env: envs,
						Resources: resources, VolumeMounts: []corev1.VolumeMount{mount},
					}},
					Volumes: []corev1.Volume{volume},
				},
			},
		},
	}
	// The merge Job waits until every shard wrote its artifacts (authbench merge
	// --wait), then merges them and evaluates thresholds.
	one := int32(1)
	merge := batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta(o.Name + "-merge"),
		Spec: batchv1.JobSpec{
			Completions:  &one,
			Parallelism:  &one,
			BackoffLimit: &zero,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name: "merge", Image: o.Image,
						Args:         []string{"merge", "--shards", strconv.Itoa(o.Shards), "--wait", "--out", runDir + "/merged", runDir},
						VolumeMounts: []corev1.VolumeMount{mount},
					}},
					Volumes: []corev1.Volume{volume},
				},
			},
		},
	}
	var b strings.Builder
	for i, j := range []batchv1.Job{shards, merge} {
		y, err := yaml.Marshal(j)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString("---\n")
		}
		b.Write(y)
	}
	return b.String(), nil
}
