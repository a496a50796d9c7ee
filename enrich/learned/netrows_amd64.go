//go:build amd64 && !purego

package learned

import "golang.org/x/sys/cpu"

// The network's hidden layer is a sum of a few hundred input rows of 64
// int8 weights per text. With AVX2 and FMA, netrows_amd64.s keeps the 64
// sums in registers and converts and adds a row's weights eight at a
// time; elsewhere, and for other widths, addRowsQGeneric does it.

var hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func addRowsQ64(hid []float32, q []int8, scale []float32, rows []int32, vals []float32)

// addRowsQ adds vals[i] times row rows[i] of q to hid, for each i. Every
// row must be within q, which init checks for a model's network.
func addRowsQ(hid []float32, q quantized, rows []int32, vals []float32) {
	if len(hid) == 64 && hasAVX2FMA && len(vals) >= len(rows) {
		addRowsQ64(hid, q.Q, q.Scale, rows, vals)
		return
	}
	addRowsQGeneric(hid, q, rows, vals)
}
