// Package reports turns what a run measured into what people and CI gates read:
// thresholds evaluated on the final (merged) data, and the report files. A threshold
// is k6-like and portable — `signin.latency: p(99) < 800ms`,
// `signin.errors: rate < 0.01`, `late_starts: count == 0` — parsed once with
// [ParseThreshold] (syntax errors carry the position) and evaluated against any
// [Metrics] source; [RunMetrics] is a bench run's (its summary's counters and its
// histograms), and a failed threshold is a [BreachError] (matching [ErrBreached]).
//
// The files of a run directory are defined here once: the JSON summary (schema
// authbench.report/v1, kind bench or conform), the HdrHistogram interval log (the one
// writer, [IntervalLogWriter], and the one reader, [ReadIntervalLog]), the JUnit
// reports and the self-contained HTML page, which is rebuilt from the other files.
// Files that another process may be waiting for are written atomically
// ([WriteFileAtomic]).
package reports
