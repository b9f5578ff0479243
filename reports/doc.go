// Package reports turns what a run measured into what people and CI gates read:
// thresholds evaluated on the final (merged) data, and the report files. A threshold
// is k6-like and portable — `signin.latency: p(99) < 800ms`,
// `signin.errors: rate < 0.01`, `late_starts: count == 0` — parsed once with
// [ParseThreshold] (syntax errors carry the position) and evaluated against any
// [Metrics] source; [RunMetrics] is a bench run's (its summary's counters and its
// histograms), and a failed threshold is a [BreachError] (matching [ErrBreached]).
// The metric names a run records are listed here too ([MetricNames]), so that
// [CheckMetrics] refuses a misspelt name before any load rather than after it; a
// threshold's values carry their unit ([Threshold.Unit], [Threshold.Format]) in every
// report.
//
// Schema v1 grows only by optional fields (a threshold's unit and text, a conform
// report's pool and not-selected count): a reader of an older file sees them empty,
// and an older reader ignores them.
// The files of a run directory are defined here once: the JSON summary (schema
// authbench.report/v1, kind bench or conform), the HdrHistogram interval log (the one
// writer, [IntervalLogWriter], and the one reader, [ReadIntervalLog]), the JUnit
// reports and the self-contained HTML page, which is rebuilt from the other files.
// Files that another process may be waiting for are written atomically
// ([WriteFileAtomic]).
package reports
