//go:build amd64 && !purego

package learned

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Tagging adds rows of float32 weights times a factor many times per
// text: a word's class scores, and with a network, its hidden-layer
// vector and the output layer's rows. With AVX2 and FMA, addRowAVX does
// eight at a time.
//
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

//go:noescape
func addRowAVX(acc []float32, a float32, row []float32)

// addRowVec adds a*row to acc, as addRow does, eight at a time where the
// CPU allows. Only tagging uses it: training keeps to addRow, whose
// rounding does not depend on the CPU, so that a model does not either.
func addRowVec(acc []float32, a float32, row []float32) {
	if hasAVX2FMA && len(row) >= len(acc) {
		addRowAVX(acc, a, row)
		return
	}
	addRow(acc, a, row)
}

// denseMin is how many weights a word feature of a model with k classes
// needs for its tagging record to hold them densely (see featTable). With
// AVX2 and FMA, addDenseRows adds a dense record's weights eight classes
// at a time, 10 steps for BANKING77's 77, where one weight at a time costs
// about 13 instructions. The minimum is 8 weights, or fewer when the dense
// row takes no more room than the sparse weights at 2 bytes each (4 of
// Review-Pulse's 8 themes). BANKING77's features with 8 or more weights
// are 7% of them but hold 90% of the weights a 300-character text adds;
// their dense records take 0.35 MB more than sparse ones.
func denseMin(k int) int {
	if !hasAVX2FMA {
		return 0
	}
	return min(8, (k+7)/8*4)
}

// addDenseRows adds vals[i] times the dense weights of the record at
// recs[i] of arena to acc, for each i, eight classes at a time, and
// reports true; without AVX2 and FMA it does nothing and reports false.
// The weights start weightsAt words into a record and run for chunks
// groups of eight. The caller checks that acc and vals are long enough
// and that every record is dense. The sums stay in registers, in steps of
// four groups: a record may be read up to denseOverread words past its
// weights, and acc is written up to the next multiple of 32 classes (with
// what the words read past a record add up to).
func addDenseRows(acc []float32, arena []uint16, recs []int32, vals []float32, weightsAt, chunks int) bool {
	if !hasAVX2FMA {
		return false
	}
	addDenseRowsAVX(acc, arena, recs, vals, weightsAt, chunks)
	return true
}

//go:noescape
func addDenseRowsAVX(acc []float32, arena []uint16, recs []int32, vals []float32, weightsAt, chunks int)

// arenaFloat returns the float32 at word at of arena (low half first, as
// appendFloat writes it) with one load, unaligned where at is odd, which
// amd64 allows.
func arenaFloat(arena []uint16, at int32) float32 {
	_ = arena[at+1]
	return *(*float32)(unsafe.Pointer(&arena[at]))
}
