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
package bench
