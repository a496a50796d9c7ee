package learned

import (
	"cmp"
	"errors"
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
// few cache lines, holds each feature's key (its high bits) and the index
// of its slot (the low bits); a slot fills one cache line with the
// feature's IDF and its first class weights, so that adding a feature's
// weights mostly touches one more line. Slots are in order of how many
// training texts had the feature, most first: the features most texts
// have share the same few cache lines, which stay cached.
type featTable struct {
	entries []uint64 // 0 marks an empty entry
	slots   []featSlot
	shift   uint8
	// more holds the class weights of rows longer than inlineWeights, past
	// the inline ones.
	more []uint32
}

// slotBits is how many low bits of an entry hold its slot number plus one;
// the rest hold the key's high bits. A model has fewer than 2^24 word
// features (a feature is stored only if some training text has it).
const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
)

const inlineWeights = 12

type featSlot struct {
	idf   float32
	scale float32 // of the class weights
	n     uint32  // class weights in the row
	more  uint32  // index in featTable.more of the weights past the inline ones
	// w holds the first class weights, each a class (high 16 bits) and
	// a weight in units of scale (low 16 bits, signed).
	w [inlineWeights]uint32
}

// errTooManyFeatures is returned for a model with more word features than
// an entry can number.
var errTooManyFeatures = errors.New("model has too many word features")

func newFeatTable(keys []uint64, idf []float32, rows sparseRows) (*featTable, error) {
	if len(keys) >= slotMask {
		return nil, errTooManyFeatures
	}
	// At most 3/4 full: linear probing then needs about 2.5 probes to
	// find a key and 8.5 to miss, in one or two cache lines.
	bits := uint8(4)
	for 3<<bits < 4*len(keys) {
		bits++
	}
	t := &featTable{entries: make([]uint64, 1<<bits), slots: make([]featSlot, len(keys)), shift: 64 - bits}
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
	for at, j := range order {
		k := keys[j]
		s := t.home(k)
		for t.entries[s] != 0 {
			s = (s + 1) & mask
		}
		t.entries[s] = k&^slotMask | uint64(at+1)
		sl := &t.slots[at]
		*sl = featSlot{idf: idf[j], scale: rows.Scale[j], more: uint32(len(t.more))}
		for n := rows.Ptr[j]; n < rows.Ptr[j+1]; n++ {
			cw := uint32(rows.Class[n])<<16 | uint32(uint16(int16(rows.Q[n])))
			if sl.n < inlineWeights {
				sl.w[sl.n] = cw
			} else {
				t.more = append(t.more, cw)
			}
			sl.n++
		}
	}
	return t, nil
}

func (t *featTable) home(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> t.shift }

// find returns the slot of key k, or -1. Only the key's high 40 bits are
// compared: a key the model lacks matches a stored one about once in 10^11
// look-ups, and two of a model's 100,000 features share their high bits
// with odds of about 1 in 200 (the later then takes the earlier's
// weights). Either is one feature among hundreds in a text, like a
// collision of the hashing trick.
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

// row returns the class weights of slot s: the inline ones, then the rest.
func (t *featTable) row(s int32) (inline, rest []uint32) {
	sl := &t.slots[s]
	if sl.n <= inlineWeights {
		return sl.w[:sl.n], nil
	}
	return sl.w[:], t.more[sl.more : sl.more+sl.n-inlineWeights]
}

// addRow adds a times the class weights of the feature in slot s to acc.
func (t *featTable) addRow(acc []float32, a float32, s int32) {
	a *= t.slots[s].scale
	inline, rest := t.row(s)
	for _, cw := range inline {
		acc[cw>>16] += a * float32(int16(cw))
	}
	for _, cw := range rest {
		acc[cw>>16] += a * float32(int16(cw))
	}
}

// weight returns the weight of class c for the feature in slot s.
func (t *featTable) weight(s int32, c int) float32 {
	inline, rest := t.row(s)
	for _, ws := range [2][]uint32{inline, rest} {
		for _, cw := range ws {
			if cw>>16 == uint32(c) {
				return t.slots[s].scale * float32(int16(cw))
			}
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

// prefetchSlots does the same for the slots of the features a counter
// holds (its keys are slot numbers plus one).
func (t *featTable) prefetchSlots(keys []uint64, used []int32) (sink uint64) {
	for _, u := range used {
		sink += uint64(t.slots[keys[u]-1].n)
	}
	return sink
}
