//go:build !race

package modexp

const raceEnabled = false
