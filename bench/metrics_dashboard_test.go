package bench

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestGrafanaDashboard checks deploy/grafana/authbench.json: it parses, every panel
// query names only metrics the endpoint serves (histograms through _bucket), and the
// dashboard shows what it promises: the sign-in rate by outcome, errors by code,
// p50/p99 latency and per-phase latency.
func TestGrafanaDashboard(t *testing.T) {
	b, err := os.ReadFile("../deploy/grafana/authbench.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("the dashboard does not parse: %v", err)
	}
	if d.Title == "" || d.UID == "" || len(d.Panels) == 0 {
		t.Fatalf("not a dashboard: title %q uid %q, %d panels", d.Title, d.UID, len(d.Panels))
	}
	name := regexp.MustCompile(`\bauthbench_[a-z_]+\b`)
	histograms := []string{PromSigninDuration, PromServiceDuration, PromStartLag, PromFlowDuration, PromPhaseDuration}
	var all []string
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, q := range p.Targets {
			all = append(all, q.Expr)
			names := name.FindAllString(q.Expr, -1)
			if len(names) == 0 {
				t.Errorf("panel %q: %q names no authbench metric", p.Title, q.Expr)
			}
			for _, n := range names {
				family := n
				if f, ok := strings.CutSuffix(n, "_bucket"); ok && slices.Contains(histograms, f) {
					family = f
				}
				if !slices.Contains(PromNames(), family) || (slices.Contains(histograms, family) && family == n) {
					t.Errorf("panel %q: %s is not a series the endpoint serves", p.Title, n)
				}
			}
		}
	}
	joined := strings.Join(all, "\n")
	for _, want := range []string{
		"sum by (outcome) (rate(" + PromSignins,
		"sum by (code) (rate(" + PromSignins,
		"histogram_quantile(0.5, sum by (le) (rate(" + PromSigninDuration + "_bucket",
		"histogram_quantile(0.99, sum by (le) (rate(" + PromSigninDuration + "_bucket",
		"histogram_quantile(0.99, sum by (le, phase) (rate(" + PromPhaseDuration + "_bucket",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("no query has %q", want)
		}
	}
}
