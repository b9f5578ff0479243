package bench

import (
	"fmt"
	"time"

	"github.com/authbench/authbench/reports"
)

// The summary's run, merge and threshold types are defined in package reports
// with the rest of the summary schema.
type (
	// RunInfo identifies a run and, for a sharded run, the shard; shards of one run
	// carry the same RunID, ConfigHash, StartAt and Histogram, and merging refuses any mix.
	RunInfo = reports.RunInfo
	// HistogramSettings are the recorder's histogram parameters.
	HistogramSettings = reports.HistogramSettings
	// MergeInfo describes a merged summary: which shards went into it.
	MergeInfo = reports.MergeInfo
	// ThresholdOutcome is an evaluated threshold as the summary reports it.
	ThresholdOutcome = reports.ThresholdOutcome
)

// HistogramSettingsOf returns the engine's histogram settings with the reporting
// interval (0: DefaultInterval).
func HistogramSettingsOf(interval time.Duration) HistogramSettings {
	if interval == 0 {
		interval = DefaultInterval
	}
	return HistogramSettings{Unit: "us", Lowest: histLowest, Highest: histHighest, Digits: histDigits, IntervalS: interval.Seconds()}
}

// RunID derives a run id from the common start time and the config hash.
func RunID(startAt time.Time, configHash string) string {
	h := configHash
	if len(h) > 12 {
		h = h[:12]
	}
	return startAt.UTC().Format("20060102T150405Z") + "-" + h
}

// ShardShare is shard i's share of total items split over n shards: total/n, plus
// one for the first total%n shards, so the shares add up to total exactly. With n < 2
// it is total; a negative total (unknown) stays as it is.
func ShardShare(total int64, i, n int) int64 {
	if n < 2 || total < 0 {
		return total
	}
	s := total / int64(n)
	if int64(i) < total%int64(n) {
		s++
	}
	return s
}

// ShardPlanned is the number of a pacer's planned iterations (arrivals i, i+n, …)
// shard i of n runs: the same as ShardShare.
func ShardPlanned(planned int64, i, n int) int64 { return ShardShare(planned, i, n) }

// ShardUsers keeps, for every flow, the users i, i+n, i+2n… of the set, so shards
// never share a user. It fails when a flow is left without users.
func ShardUsers(set *UserSet, i, n int) error {
	if n < 2 {
		return nil
	}
	for f, us := range set.Users {
		var mine []User
		for j := i; j < len(us); j += n {
			mine = append(mine, us[j])
		}
		if len(mine) == 0 {
			return fmt.Errorf("bench: shard %d of %d has no %s users (the user set has %d): provision at least %d", i, n, f, len(us), n)
		}
		set.Users[f] = mine
	}
	return nil
}
