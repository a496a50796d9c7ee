//go:build !amd64 || purego

package learned

// addRowsQ adds vals[i] times row rows[i] of q to hid, for each i.
func addRowsQ(hid []float32, q quantized, rows []int32, vals []float32) {
	addRowsQGeneric(hid, q, rows, vals)
}

// addRowVec adds a*row to acc; see the amd64 version.
func addRowVec(acc []float32, a float32, row []float32) { addRow(acc, a, row) }
