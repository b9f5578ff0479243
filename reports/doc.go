// Package reports turns what a run measured into what people and CI gates read:
// thresholds evaluated on the final (merged) data, and the report files. A threshold
// is k6-like and portable — `signin.latency: p(99) < 800ms`,
// `signin.errors: rate < 0.01`, `late_starts: count == 0` — parsed once with
// [ParseThreshold] (syntax errors carry the position) and evaluated against any
// [Metrics] source.
package reports
