package reports

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/onsi/ginkgo/v2/types"
)

// StateNotSelected is the state of a spec a conform run's --label-filter or --focus
// left out: it was not part of the run, so it is neither passed nor skipped, and
// JUnit reports leave it out.
const StateNotSelected = "not selected"

// Selection is what a conform run asked for: Ginkgo's label filter and focus
// expressions, the suite's description (focus expressions match it and the spec's
// text, as Ginkgo matches them) and the labels the whole suite carries (the target's).
type Selection struct {
	Description string
	LabelFilter string
	Focus       []string
	SuiteLabels []string
}

// matcher compiles the selection into a predicate over a spec's text and labels,
// as Ginkgo selects: the label filter over the suite's and the spec's labels, and
// any focus expression over the spec's text.
func (s Selection) matcher() (func(text string, labels []string) bool, error) {
	filter := func([]string) bool { return true }
	if s.LabelFilter != "" {
		f, err := types.ParseLabelFilter(s.LabelFilter)
		if err != nil {
			return nil, fmt.Errorf("--label-filter: %w", err)
		}
		filter = f
	}
	var focus *regexp.Regexp
	if len(s.Focus) > 0 {
		re, err := regexp.Compile(strings.Join(s.Focus, "|"))
		if err != nil {
			return nil, fmt.Errorf("--focus: %w", err)
		}
		focus = re
	}
	return func(text string, labels []string) bool {
		if !filter(slices.Concat(s.SuiteLabels, labels)) {
			return false
		}
		return focus == nil || focus.MatchString(s.Description+" "+text)
	}, nil
}

// ApplySelection marks the specs the selection left out as StateNotSelected and
// counts them in NotSelected rather than Skipped: a skip is a spec that was chosen
// and could not run on this target (with its reason), a spec not selected was never
// chosen. Only skipped specs without a reason are candidates: one with a reason was
// selected and skipped itself.
func (c *ConformReport) ApplySelection(s Selection) error {
	if s.LabelFilter == "" && len(s.Focus) == 0 {
		return nil
	}
	selects, err := s.matcher()
	if err != nil {
		return err
	}
	for i := range c.Specs {
		sp := &c.Specs[i]
		if sp.State == "skipped" && sp.SkipReason == "" && !selects(sp.Name, sp.Labels) {
			sp.State = StateNotSelected
			c.Skipped--
			c.NotSelected++
		}
	}
	return nil
}

// SelectedOnly returns r without the It specs the selection left out, for Ginkgo's
// JUnit report: CI shows the specs a run chose, not every spec of the suite.
func SelectedOnly(r types.Report, s Selection) (types.Report, error) {
	if s.LabelFilter == "" && len(s.Focus) == 0 {
		return r, nil
	}
	selects, err := s.matcher()
	if err != nil {
		return r, err
	}
	out := r
	out.SpecReports = nil
	for _, sp := range r.SpecReports {
		if sp.LeafNodeType == types.NodeTypeIt && sp.State == types.SpecStateSkipped && sp.Failure.Message == "" && !selects(sp.FullText(), sp.Labels()) {
			continue
		}
		out.SpecReports = append(out.SpecReports, sp)
	}
	return out, nil
}
