package bench

import (
	"fmt"
	"time"
)

// RunInfo identifies a run and, for a sharded run, the shard; shards of one run carry
// the same RunID, ConfigHash, StartAt and Histogram, and merging refuses any mix.
type RunInfo struct {
	// RunID names the run: its common start time and its config hash.
	RunID string `json:"id"`
	// ConfigHash hashes the settings every shard must share (every flag but the
	// shard index and the output paths).
	ConfigHash string `json:"configHash"`
	// Shard is this shard's index (0-based) of Shards.
	Shard  int `json:"shard"`
	Shards int `json:"shards"`
	// StartAt is the common start time the schedule is anchored to.
	StartAt time.Time `json:"startAt"`
	// Histogram describes the histograms, which must match to be merged.
	Histogram HistogramSettings `json:"histogram"`
	// Thresholds are the run's thresholds as written, checked on the merged data.
	Thresholds []string `json:"thresholds,omitempty"`
}

// HistogramSettings are the recorder's histogram parameters.
type HistogramSettings struct {
	Unit      string  `json:"unit"`
	Lowest    int64   `json:"lowest"`
	Highest   int64   `json:"highest"`
	Digits    int     `json:"significantDigits"`
	IntervalS float64 `json:"interval_s"`
}

// HistogramSettingsOf returns the engine's histogram settings with the reporting
// interval (0: DefaultInterval).
func HistogramSettingsOf(interval time.Duration) HistogramSettings {
	if interval == 0 {
		interval = DefaultInterval
	}
	return HistogramSettings{Unit: "us", Lowest: histLowest, Highest: histHighest, Digits: histDigits, IntervalS: interval.Seconds()}
}

// MergeInfo describes a merged summary: which shards went into it.
type MergeInfo struct {
	Shards  int   `json:"shards"`
	Merged  []int `json:"merged"`
	Missing []int `json:"missing"`
	// Partial is set when shards were missing (merge --allow-partial).
	Partial bool `json:"partial"`
}

// ThresholdOutcome is an evaluated threshold as the summary reports it.
type ThresholdOutcome struct {
	Threshold string  `json:"threshold"`
	Passed    bool    `json:"passed"`
	Actual    float64 `json:"actual"`
	Missing   bool    `json:"missing,omitempty"`
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
