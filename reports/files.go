package reports

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ThresholdsJUnitFile is the JUnit report of a run's thresholds, in its directory.
const ThresholdsJUnitFile = "thresholds.junit.xml"

// WriteFileAtomic writes a file through a temporary file in the same directory and a
// rename, so that a reader polling for it (merge --wait) never sees half of it.
func WriteFileAtomic(path string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := write(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// WriteSummaryFile writes s as dir/summary.json, atomically.
func WriteSummaryFile(dir string, s *BenchSummary) error {
	return WriteFileAtomic(filepath.Join(dir, SummaryFile), s.WriteJSON)
}

// WriteThresholdsJUnit writes the threshold results as dir/thresholds.junit.xml,
// atomically.
func WriteThresholdsJUnit(dir string, start time.Time, rs []Result) error {
	return WriteFileAtomic(filepath.Join(dir, ThresholdsJUnitFile), func(w io.Writer) error {
		return WriteJUnit(w, "thresholds", start, rs)
	})
}

// WriteRunHTML writes the HTML page of r (a bench or conform run) to path; generated
// is the time the page says it was made.
func WriteRunHTML(r *Run, path string, generated time.Time) error {
	opt := HTMLOptions{Generated: generated, Sources: []string{filepath.Base(r.Path)}}
	var page bytes.Buffer
	var err error
	switch r.Kind {
	case "bench":
		if r.Log != nil {
			opt.Sources = append(opt.Sources, IntervalLogFile)
		}
		err = WriteBenchHTML(&page, r.Bench, r.Log, opt)
	case "conform":
		err = WriteConformHTML(&page, r.Conform, opt)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, page.Bytes(), 0o644)
}

// WriteRunPage writes dir/report.html for the bench run just written into dir (the
// page `authbench report DIR` rebuilds).
func WriteRunPage(dir string, generated time.Time) error {
	r, err := LoadRun(dir)
	if err != nil {
		return err
	}
	return WriteRunHTML(r, filepath.Join(r.Dir, HTMLFile), generated)
}

// RunFiles lists the artifacts a bench run (or a merge) writes into dir, in the
// order a user reads them: the HTML page, the summary, the interval log and, when
// thresholds were evaluated, their JUnit report.
func RunFiles(dir string, thresholds bool) []string {
	out := []string{filepath.Join(dir, HTMLFile), filepath.Join(dir, SummaryFile), filepath.Join(dir, IntervalLogFile)}
	if thresholds {
		out = append(out, filepath.Join(dir, ThresholdsJUnitFile))
	}
	return out
}

// WriteWrote prints each path as "  wrote <path>", one a line: the artifacts a
// command wrote, so the user finds them without reading its help.
func WriteWrote(w io.Writer, paths []string) error {
	var b strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&b, "  wrote %s\n", p)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
