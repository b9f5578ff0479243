//go:build race

package modexp

const raceEnabled = true
