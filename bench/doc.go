// Package bench is authbench's load engine: a pacer that turns an arrival-rate
// schedule into intended start times, an engine that starts each sign-in on time
// (open loop) or runs N looping users (closed loop), a lease that keeps each user in
// at most one sign-in at a time, and a recorder that streams timings into mergeable
// HdrHistograms.
//
// The model:
//   - A [Schedule] (constant rate or piecewise-linear [Stage]s) is turned into start
//     times by a [Pacer], a pure function: iteration i starts when ∫rate reaches i.
//   - [Run] starts every iteration at its intended start on its own goroutine, up to
//     MaxInflight at once. When it cannot (the cap is reached or the scheduler is
//     behind by more than LateTolerance) the iteration starts late and is counted as a
//     late start; it is never skipped or hidden.
//   - signin.latency is measured from the intended start (free of coordinated
//     omission), signin.service from the actual start; SRP time and every API call's
//     round trip come from the driver's Observer.
//   - Every value is recorded in µs into HdrHistograms (1 µs–60 s, 3 significant
//     digits) sharded per worker, merged each interval and for the run; no sample is
//     kept, so memory does not grow with the run's length.
//
// A command runs a bench in three calls. [NewPlan] checks the [Options] and builds
// the [Plan]: the engine configuration with the schedule's pacer (built once, here),
// this shard's share of the arrivals or of the closed loop's users, the thresholds,
// the users per flow and the request estimate. [Plan.OpenTarget] starts the embedded
// pool or reads the user set (keeping this shard's slice) and is the one safety gate
// for pools that are not on loopback. [Execute] runs the plan with its sinks — the
// NDJSON stream ([NDJSON]), the interval log ([HistogramLog]), the live view
// ([Progress]) and the run's histograms for the thresholds ([RunHistograms]) — and
// writes the artifacts. [MergeShards] finds, waits for, checks ([CheckShards]) and
// merges ([Merge]) the artifacts of a sharded run.
//
// Errors the user has to fix match [ErrInvalid] (and missing shards
// [ErrIncomplete]) with errors.Is, so a command maps them to exit codes without
// reading their text.
package bench
