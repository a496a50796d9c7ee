//go:build !amd64 || purego

package learned

import "math"

// addRowsQ adds vals[i] times row rows[i] of q to hid, for each i.
func addRowsQ(hid []float32, q quantized, rows []int32, vals []float32) {
	addRowsQGeneric(hid, q, rows, vals)
}

// addRowVec adds a*row to acc; see the amd64 version.
func addRowVec(acc []float32, a float32, row []float32) { addRow(acc, a, row) }

// denseMin is how many weights a word feature of a model with k classes
// needs for its tagging record to hold them densely: 0, none, where
// addDenseRows has no vector instructions to make dense records pay.
func denseMin(k int) int { return 0 }

// addDenseRows has no vector instructions to add dense records with here:
// it reports false, and featTable.addRows adds them one at a time.
func addDenseRows(acc []float32, arena []uint16, recs []int32, vals []float32, weightsAt, chunks int) bool {
	return false
}

// arenaFloat returns the float32 at word at of arena, low half first.
func arenaFloat(arena []uint16, at int32) float32 {
	return math.Float32frombits(uint32(arena[at]) | uint32(arena[at+1])<<16)
}
