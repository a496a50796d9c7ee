package learned

import (
	"cmp"
	"errors"
	"math"
	"slices"
)

// table maps 64-bit keys (of words, of n-grams) to their indices: an
// open-addressing hash table with linear probing, at most half full. The
// keys are hashes already, so a probe is a multiply, a shift and a
// compare, cheaper than a Go map's on tagging's hot path.
type table struct {
	keys  []uint64 // 0 marks an empty slot; key 0 itself lives in zeroAt
	vals  []int32
	shift uint8
	// zeroAt is the value of key 0, -1 when it is absent.
	zeroAt int32
}

// newTable indexes keys: key i maps to i. Keys must be distinct.
func newTable(keys []uint64) *table {
	bits := uint8(4)
	for 1<<bits < 2*len(keys) {
		bits++
	}
	t := &table{keys: make([]uint64, 1<<bits), vals: make([]int32, 1<<bits), shift: 64 - bits, zeroAt: -1}
	mask := uint64(len(t.keys) - 1)
	for i, k := range keys {
		if k == 0 {
			t.zeroAt = int32(i)
			continue
		}
		s := t.home(k)
		for t.keys[s] != 0 {
			s = (s + 1) & mask
		}
		t.keys[s], t.vals[s] = k, int32(i)
	}
	return t
}

// home is the first slot probed for k: Fibonacci hashing, so that keys
// that differ only in their low bits still spread.
func (t *table) home(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> t.shift }

// get returns the index of key k, or -1.
func (t *table) get(k uint64) int32 {
	if k == 0 {
		return t.zeroAt
	}
	mask := uint64(len(t.keys) - 1)
	for s := t.home(k); ; s = (s + 1) & mask {
		switch t.keys[s] {
		case k:
			return t.vals[s]
		case 0:
			return -1
		}
	}
}

// featTable is the word features of a model, laid out for tagging. An
// open-addressing table of entries, 8 bytes each so that probing touches
// few cache lines, holds each feature's key (its high bits) and where its
// record starts in the arena (the low bits, plus one). A record is the
// feature's IDF, the scale of its class weights, their number, then the
// weights, each a class (high 16 bits) and a weight in units of scale
// (low 16 bits, signed): 12 bytes plus 4 per weight, so that the records
// of a model's features fit the processor's last-level cache. On
// BANKING77 four features in five keep at most 3 class weights; their
// records take 12 to 24 bytes where a fixed 64-byte slot took a whole
// cache line. Records are in order of how many training texts had the
// feature, most first: the features most texts have share the same few
// cache lines, which stay cached.
type featTable struct {
	entries []uint64 // 0 marks an empty entry
	arena   []uint32
	shift   uint8
}

// slotBits is how many low bits of an entry hold its record's start plus
// one; the rest hold the key's high bits.
const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
)

// Offsets in a record, in 4-byte words.
const (
	recIDF     = 0
	recScale   = 1
	recN       = 2
	recWeights = 3
)

// errTooManyFeatures is returned for a model whose word features' records
// an entry cannot address.
var errTooManyFeatures = errors.New("model has too many word features")

func newFeatTable(keys []uint64, idf []float32, rows sparseRows) (*featTable, error) {
	if size := recWeights*len(keys) + int(rows.Ptr[len(keys)]); size >= slotMask {
		return nil, errTooManyFeatures
	}
	// At most 3/4 full: linear probing then needs about 2.5 probes to
	// find a key and 8.5 to miss, in one or two cache lines.
	bits := uint8(4)
	for 3<<bits < 4*len(keys) {
		bits++
	}
	t := &featTable{
		entries: make([]uint64, 1<<bits),
		arena:   make([]uint32, 0, recWeights*len(keys)+int(rows.Ptr[len(keys)])),
		shift:   64 - bits,
	}
	order := make([]int, len(keys))
	for j := range order {
		order[j] = j
	}
	// Lowest IDF (most texts) first; the key breaks ties, for a fixed layout.
	slices.SortFunc(order, func(a, b int) int {
		if c := cmp.Compare(idf[a], idf[b]); c != 0 {
			return c
		}
		return cmp.Compare(keys[a], keys[b])
	})
	mask := uint64(len(t.entries) - 1)
	for _, j := range order {
		k := keys[j]
		s := t.home(k)
		for t.entries[s] != 0 {
			s = (s + 1) & mask
		}
		t.entries[s] = k&^slotMask | uint64(len(t.arena)+1)
		t.arena = append(t.arena, math.Float32bits(idf[j]), math.Float32bits(rows.Scale[j]), uint32(rows.Ptr[j+1]-rows.Ptr[j]))
		for n := rows.Ptr[j]; n < rows.Ptr[j+1]; n++ {
			t.arena = append(t.arena, uint32(rows.Class[n])<<16|uint32(uint16(int16(rows.Q[n]))))
		}
	}
	return t, nil
}

func (t *featTable) home(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> t.shift }

// find returns where the record of key k starts, or -1. Only the key's
// high 40 bits are compared: a key the model lacks matches a stored one
// about once in 10^11 look-ups, and two of a model's 100,000 features
// share their high bits with odds of about 1 in 200 (the later then takes
// the earlier's weights). Either is one feature among hundreds in a text,
// like a collision of the hashing trick.
func (t *featTable) find(k uint64) int32 {
	mask := uint64(len(t.entries) - 1)
	for s := t.home(k); ; s = (s + 1) & mask {
		e := t.entries[s]
		if e == 0 {
			return -1
		}
		if (e^k)&^slotMask == 0 {
			return int32(e&slotMask) - 1
		}
	}
}

// idf returns the IDF of the feature whose record starts at s.
func (t *featTable) idf(s int32) float32 { return math.Float32frombits(t.arena[s+recIDF]) }

// row returns the class weights of the feature whose record starts at s.
func (t *featTable) row(s int32) []uint32 {
	n := int32(t.arena[s+recN])
	return t.arena[s+recWeights : s+recWeights+n]
}

// addRow adds a times the class weights of the feature at s to acc.
func (t *featTable) addRow(acc []float32, a float32, s int32) {
	a *= math.Float32frombits(t.arena[s+recScale])
	for _, cw := range t.row(s) {
		acc[cw>>16] += a * float32(int16(cw))
	}
}

// weight returns the weight of class c for the feature at s.
func (t *featTable) weight(s int32, c int) float32 {
	for _, cw := range t.row(s) {
		if cw>>16 == uint32(c) {
			return math.Float32frombits(t.arena[s+recScale]) * float32(int16(cw))
		}
	}
	return 0
}

// prefetch loads the home slots of keys into the cache. Its loads do not
// depend on one another, so the processor has many cache misses in flight
// at once, where the probes that follow would take them one at a time.
// It returns a sum of what it loaded, for the caller to keep, so that the
// compiler cannot drop the loads.
func (t *featTable) prefetch(keys []uint64) (sink uint64) {
	for _, k := range keys {
		sink += t.entries[t.home(k)]
	}
	return sink
}

// prefetchSlots does the same for the records of the features a counter
// holds (its keys are record starts plus one).
func (t *featTable) prefetchSlots(keys []uint64, used []int32) (sink uint64) {
	for _, u := range used {
		sink += uint64(t.arena[keys[u]-1])
	}
	return sink
}
