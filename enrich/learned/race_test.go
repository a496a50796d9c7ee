//go:build race

package learned

// raceEnabled is true under the race detector, which makes training on
// real data too slow for a unit test run.
const raceEnabled = true
