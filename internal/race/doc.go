// Package race tells a test whether it was built with the race detector, so that
// the few tests whose cost the detector multiplies (streams of hundreds of
// megabytes, thousands of HdrHistograms) can run a smaller case of the same check
// under `go test -race` and the full one without it.
package race
