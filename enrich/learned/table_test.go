package learned

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// The tagging layout must give back every weight the sparse rows hold, by
// look-up and by accumulation, whether classes fit a byte (8, 20, 77, 96,
// 100, and 256 whose last class needs all 8 bits: one to 32 groups of 8
// for addDenseRows, which takes up to 12 per pass) or not (300), with
// records dense for features of at least denseMin weights (1: every
// feature with any) or for none (0).
func TestFeatTableHoldsTheRows(t *testing.T) {
	for _, k := range []int{8, 20, 77, 96, 100, 256, 300} {
		for _, denseMin := range []int{0, 1, 8} {
			t.Run(fmt.Sprint(k, "/", denseMin), func(t *testing.T) { testFeatTable(t, k, denseMin) })
		}
	}
}

func testFeatTable(t *testing.T, k, denseMin int) {
	const features = 500
	rng := rand.New(rand.NewPCG(1, uint64(k)))
	keys := make([]uint64, features)
	idf := make([]float32, features)
	rows := sparseRows{Ptr: []int32{0}, Scale: make([]float32, features)}
	dense := make([][]float32, features)
	for j := range features {
		keys[j] = rng.Uint64()
		idf[j] = 1 + rng.Float32()
		rows.Scale[j] = 0.01 * (1 + rng.Float32())
		dense[j] = make([]float32, k)
		n := rng.IntN(40)
		for _, c := range rng.Perm(k)[:min(n, k)] {
			q := int8(rng.IntN(255) - 127)
			if q == 0 {
				continue
			}
			rows.Class = append(rows.Class, uint16(c))
			rows.Q = append(rows.Q, q)
			dense[j][c] = float32(q) * rows.Scale[j]
		}
		rows.Ptr = append(rows.Ptr, int32(len(rows.Q)))
	}
	ft, err := newFeatTable(keys, idf, rows, k, nil, denseMin)
	if err != nil {
		t.Fatal(err)
	}
	var denseRecs []int32
	var denseVals []float32
	nDense := 0
	// Tagging's room for the sums, and beyond it what addDenseRows must
	// never write.
	room := make([]float32, max(k, 256)+64)
	acc := room[:max(k, 256)]
	want := make([]float32, k)
	// Prefetching has no result to check, but it must address the tables
	// as tagging does without faulting, with nothing to fetch too.
	ft.prefetch(keys)
	ft.prefetch(nil)
	rec := make([]int32, len(keys))
	used := make([]int32, len(keys))
	for j, key := range keys {
		s := ft.find(key)
		if s < 0 {
			t.Fatalf("feature %d not found", j)
		}
		rec[j], used[len(keys)-1-j] = s, int32(j)
	}
	ft.prefetchRecords(rec, used)
	ft.prefetchRecords(rec, nil)
	for j, key := range keys {
		s := ft.find(key)
		if ft.idf(s) != idf[j] {
			t.Fatalf("feature %d: idf %v, want %v", j, ft.idf(s), idf[j])
		}
		for c := range k {
			if got := ft.weight(s, c); got != dense[j][c] {
				t.Fatalf("feature %d class %d: weight %v, want %v", j, c, got, dense[j][c])
			}
		}
		a := 0.5 + float32(j%3)
		if ft.dense(s) {
			nDense++
		}
		// Half the dense records one at a time, as addRow may be given any.
		if ft.dense(s) && j%2 == 0 {
			denseRecs, denseVals = append(denseRecs, s), append(denseVals, a)
		} else {
			ft.addRow(acc, a, s)
		}
		for c := range k {
			want[c] += a * dense[j][c]
		}
	}
	ft.addRows(acc, denseRecs, denseVals)
	switch n := rows.Ptr[len(keys)]; {
	case k > 256 || denseMin == 0:
		if nDense > 0 {
			t.Fatalf("%d dense records, want none", nDense)
		}
	case denseMin == 1 && nDense < features-features/40-5, denseMin > 1 && nDense == 0:
		// A feature has 0 to 39 weights: one in 40 has none.
		t.Fatalf("only %d dense records of %d features (%d weights)", nDense, features, n)
	}
	for c := range k {
		if math.Abs(float64(acc[c]-want[c])) > 1e-4 {
			t.Fatalf("class %d: accumulated %v, want %v", c, acc[c], want[c])
		}
	}
	for c := (k + 31) &^ 31; c < len(room); c++ {
		if room[c] != 0 {
			t.Fatalf("class %d of %d: %v written past the room addDenseRows may use", c, k, room[c])
		}
	}
	for range 1000 {
		if s := ft.find(rng.Uint64()); s >= 0 {
			t.Fatalf("a key never added found slot %d", s)
		}
	}
}
