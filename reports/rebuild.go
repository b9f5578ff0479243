package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// ErrInvalid marks a run directory or report that cannot be read, or one of the
// wrong kind for what was asked; match it with errors.Is.
var ErrInvalid = errors.New("reports: invalid run")

// invalidError is an ErrInvalid error; its text is its cause's.
type invalidError struct{ err error }

func (e *invalidError) Error() string        { return e.err.Error() }
func (e *invalidError) Unwrap() error        { return e.err }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &invalidError{fmt.Errorf(format, args...)}
}

// loadRunChecked is LoadRun with its errors marked ErrInvalid.
func loadRunChecked(path string) (*Run, error) {
	r, err := LoadRun(path)
	if err != nil {
		return nil, &invalidError{err}
	}
	return r, nil
}

// PageOptions configure RebuildPage.
type PageOptions struct {
	// HTML is where the page goes (default: the run directory's report.html).
	HTML string
	// JUnit is where a conform run's JUnit XML goes (default: its junit.xml); it must
	// be empty for a bench run.
	JUnit string
	// Generated is the time the page says it was made.
	Generated time.Time
	// Stdout receives a "wrote PATH" line per file.
	Stdout io.Writer
}

// RebuildPage rebuilds the HTML page of the run at path (a run directory or its JSON
// report) from its artifacts, and a conform run's JUnit XML. An unreadable run, or
// JUnit asked of a bench run, is an ErrInvalid error.
func RebuildPage(path string, o PageOptions) error {
	r, err := loadRunChecked(path)
	if err != nil {
		return err
	}
	htmlPath := o.HTML
	if htmlPath == "" {
		htmlPath = filepath.Join(r.Dir, HTMLFile)
	}
	if r.Kind == "bench" && o.JUnit != "" {
		return invalidf("--junit is for conform runs; %s is a bench run", r.Path)
	}
	if err := WriteRunHTML(r, htmlPath, o.Generated); err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "wrote %s\n", htmlPath)
	if r.Kind != "conform" {
		return nil
	}
	junitPath := o.JUnit
	if junitPath == "" {
		junitPath = filepath.Join(r.Dir, JUnitFile)
	}
	var b bytes.Buffer
	if err := WriteConformJUnit(&b, r.Conform); err != nil {
		return err
	}
	if err := os.WriteFile(junitPath, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(o.Stdout, "wrote %s\n", junitPath)
	return nil
}

// RegressionError is the error of a comparison whose gate failed; it matches
// ErrBreached.
type RegressionError struct {
	// Regressions are the changes above the gate; MaxRegression the gate (percent).
	Regressions   []Change
	MaxRegression float64
}

func (e *RegressionError) Error() string {
	c := e.Regressions[0]
	return fmt.Sprintf("%d regression(s) above %s%%, first %s %s %s", len(e.Regressions),
		strconv.FormatFloat(e.MaxRegression, 'f', -1, 64), c.Metric, c.Stat, FormatDelta(c.Delta))
}

// Is makes a RegressionError match ErrBreached.
func (e *RegressionError) Is(target error) bool { return target == ErrBreached }

// CompareRuns compares the bench run at newPath with the one at oldPath (directories
// or summaries) and writes the per-metric changes to w, after a warning for each
// way the runs differ in target, mode, mix or load (RunDifferences). With a gate
// (opt.MaxRegression ≥ 0), every gated metric must be in both runs, and a regression
// above the gate is a *RegressionError. Unreadable runs, runs that are not bench runs
// and gated metrics missing from one are ErrInvalid errors.
func CompareRuns(w io.Writer, oldPath, newPath string, opt CompareOptions) error {
	old, err := loadRunChecked(oldPath)
	if err != nil {
		return err
	}
	cur, err := loadRunChecked(newPath)
	if err != nil {
		return err
	}
	for _, r := range []*Run{old, cur} {
		if r.Kind != "bench" {
			return invalidf("%s is a %s report: --baseline compares bench runs", r.Path, r.Kind)
		}
	}
	if opt.MaxRegression >= 0 {
		for _, m := range opt.Metrics {
			_, inOld := old.Bench.Metrics[m]
			_, inNew := cur.Bench.Metrics[m]
			if !inOld || !inNew {
				return invalidf("--metrics %q: not in both runs", m)
			}
		}
	}
	cs := Compare(old.Bench, cur.Bench, opt)
	fmt.Fprintf(w, "%s → %s\n", old.Path, cur.Path)
	for _, d := range RunDifferences(old.Bench, cur.Bench) {
		fmt.Fprintf(w, "WARNING: the runs differ in %s; the change may come from that, not from the pool\n", d)
	}
	if err := WriteComparison(w, cs, opt); err != nil {
		return err
	}
	if r := Regressions(cs); len(r) > 0 {
		return &RegressionError{Regressions: r, MaxRegression: opt.MaxRegression}
	}
	return nil
}
