//go:build race

package discover_test

// raceEnabled is true under the race detector, which makes measuring
// discovery on real data take minutes instead of seconds.
const raceEnabled = true
