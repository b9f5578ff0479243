package cli

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/authbench/authbench/internal/exitcode"
)

type k8sJobFlags struct {
	shards                         int
	image, name, namespace, pvc    string
	secret, cpu, memory, artifacts string
	lead                           time.Duration
}

var dns1123 = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)

func newK8sJobCmd(env Env) *cobra.Command {
	var fl k8sJobFlags
	cmd := &cobra.Command{
		Use:   "k8s-job --shards N --image IMAGE [flags] -- [bench flags]",
		Short: "Print a Kubernetes Indexed Job that runs a bench in shards, and its merge Job",
		Long: `k8s-job prints two batch/v1 Jobs as YAML: an Indexed Job of N pods (completionMode
Indexed, parallelism = completions = N, backoffLimitPerIndex 0, restartPolicy Never) each
running "authbench bench --shard $JOB_COMPLETION_INDEX --shards N --start-at T" with the
bench flags given after "--" and writing its artifacts to a shared volume, and a Job that
runs "authbench merge" over the shards' artifacts once they are done. T is the common
start time, --lead after now, so that every shard starts together.

  authbench k8s-job --shards 4 --image registry.example/authbench:v1 -- \
      --rate 800/s --duration 10m --pool-id us-east-1_… --client-id … --users-file /users/users.json \
      | kubectl apply -f -

The client secret, if any, comes from the Kubernetes Secret named by --secret (key
client-secret) as AUTHBENCH_CLIENT_SECRET; the artifacts volume is the
PersistentVolumeClaim --pvc (ReadWriteMany).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if fl.shards < 1 {
				return exitcode.Usagef("--shards must be at least 1, got %d", fl.shards)
			}
			if fl.image == "" {
				return exitcode.Usagef("--image is required")
			}
			if !dns1123.MatchString(fl.name) || len(fl.name) > 50 {
				return exitcode.Usagef("--name %q: want a DNS-1123 label of at most 50 characters", fl.name)
			}
			for _, q := range []string{fl.cpu, fl.memory} {
				if _, err := resource.ParseQuantity(q); err != nil {
					return exitcode.Usagef("resource %q: %v", q, err)
				}
			}
			for _, a := range args {
				switch strings.SplitN(a, "=", 2)[0] {
				case "--shard", "--shards", "--start-at", "--out":
					return exitcode.Usagef("bench flag %s is set by k8s-job itself", a)
				}
			}
			start := env.Now().Add(fl.lead).UTC().Truncate(time.Second)
			docs, err := k8sJobs(fl, args, start)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(env.Stdout, docs)
			return err
		},
	}
	f := cmd.Flags()
	f.IntVar(&fl.shards, "shards", 0, "number of shards (pods)")
	f.StringVar(&fl.image, "image", "", "container image with the authbench binary")
	f.StringVar(&fl.name, "name", "authbench-bench", "name of the Job (the merge Job gets -merge)")
	f.StringVar(&fl.namespace, "namespace", "", "namespace (default: kubectl's)")
	f.StringVar(&fl.pvc, "pvc", "authbench-artifacts", "PersistentVolumeClaim for the artifacts")
	f.StringVar(&fl.artifacts, "artifacts", "/artifacts", "where the volume is mounted")
	f.StringVar(&fl.secret, "secret", "", "Secret holding the app client secret (key client-secret)")
	f.StringVar(&fl.cpu, "cpu", "2", "CPU request and limit of each shard")
	f.StringVar(&fl.memory, "memory", "1Gi", "memory request and limit of each shard")
	f.DurationVar(&fl.lead, "lead", 2*time.Minute, "time from now to the common start")
	return cmd
}

// k8sJobs renders the shard Job and the merge Job as a two-document YAML stream.
func k8sJobs(fl k8sJobFlags, benchArgs []string, start time.Time) (string, error) {
	n := int32(fl.shards)
	zero := int32(0)
	indexed := batchv1.IndexedCompletion
	runDir := fmt.Sprintf("%s/%s-%d", fl.artifacts, fl.name, start.Unix())
	labels := map[string]string{"app.kubernetes.io/name": "authbench", "app.kubernetes.io/instance": fl.name}
	resources := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(fl.cpu), corev1.ResourceMemory: resource.MustParse(fl.memory)},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(fl.cpu), corev1.ResourceMemory: resource.MustParse(fl.memory)},
	}
	var envs []corev1.EnvVar
	if fl.secret != "" {
		envs = append(envs, corev1.EnvVar{Name: "AUTHBENCH_CLIENT_SECRET", ValueFrom: &corev1.EnvVarSource{
			SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: fl.secret}, Key: "client-secret"}}})
	}
	volume := corev1.Volume{Name: "artifacts", VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: fl.pvc}}}
	mount := corev1.VolumeMount{Name: "artifacts", MountPath: fl.artifacts}
	args := append([]string{"bench",
		"--shard", "$(JOB_COMPLETION_INDEX)", "--shards", strconv.Itoa(fl.shards),
		"--start-at", start.Format(time.RFC3339),
		"--out", runDir + "/shard-$(JOB_COMPLETION_INDEX)",
	}, benchArgs...)
	meta := func(name string) metav1.ObjectMeta {
		return metav1.ObjectMeta{Name: name, Namespace: fl.namespace, Labels: labels}
	}
	shards := batchv1.Job{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"},
		ObjectMeta: meta(fl.name),
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
						Name: "bench", Image: fl.image, Args: args, Env: envs,
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
		ObjectMeta: meta(fl.name + "-merge"),
		Spec: batchv1.JobSpec{
			Completions:  &one,
			Parallelism:  &one,
			BackoffLimit: &zero,
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					Containers: []corev1.Container{{
						Name: "merge", Image: fl.image,
						Args:         []string{"merge", "--shards", strconv.Itoa(fl.shards), "--wait", "--out", runDir + "/merged", runDir},
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
