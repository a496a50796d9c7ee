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

// fibMul is 2^64 divided by the golden ratio: multiplying by it and keeping
// the high bits (Fibonacci hashing) spreads keys that differ only in their
// low bits. Every hash table here, and prefetch_amd64.s, uses it.
const fibMul = 0x9e3779b97f4a7c15

// fibHome is the first slot probed for k in a table of 1<<(64-shift)
// slots.
func fibHome(k uint64, shift uint8) uint64 { return (k * fibMul) >> shift }

func (t *table) home(k uint64) uint64 { return fibHome(k, t.shift) }

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
// record starts in the arena (the low bits, plus one). A record is, in
// 16-bit words, the feature's IDF and the scale of its class weights
// (float32 each, low half first), their number, when the model has a
// network the feature's row of it (int32, low half first), then the
// weights, each a class and a weight in units of scale (int8, as the model
// file holds it): one word per weight, class in the high byte, when the
// model has at most 256 classes, else two. A feature with many weights
// (at least denseMin) instead holds all its class weights in order, one
// int8 per class (zero for those the model dropped, two to a word, the
// lower class in the low byte), padded to a multiple of 8 classes, which
// addDenseRows adds eight at a time. The records of a model's features
// then fit the processor's last-level cache: BANKING77's 84,000 take
// 1.2 MB sparse, 1.6 MB with the 6,100 that have 8 weights or more dense
// (90-byte records that hold 90% of the weights a text adds), where 32-bit
// weights took about twice as much and a fixed 64-byte slot 5 MB. Records
// are in order of how many training texts had the feature, most first:
// the features most texts have share the same few cache lines, which stay
// cached.
type featTable struct {
	entries []uint64 // 0 marks an empty entry
	arena   []uint16
	shift   uint8
	// wide is set when classes need 16 bits: two words per weight.
	wide bool
	// weightsAt is where a record's weights start: recWeights, or
	// recWeights+2 when records also hold the feature's row of the
	// model's network (at recNet).
	weightsAt int32
	// denseMin is how many weights a feature needs for its record to hold
	// them densely, math.MaxInt32 when no record does; padded is a dense
	// row's length: the model's classes rounded up to a multiple of 8.
	denseMin int32
	padded   int32
}

// slotBits is how many low bits of an entry hold its record's start plus
// one; the rest hold the key's high bits.
const (
	slotBits = 24
	slotMask = 1<<slotBits - 1
)

// Offsets in a record, in 16-bit words.
const (
	recIDF     = 0
	recScale   = 2
	recN       = 4
	recWeights = 5
	recNet     = 5
)

// errTooManyFeatures is returned for a model whose word features' records
// an entry cannot address.
var errTooManyFeatures = errors.New("model has too many word features")

// newFeatTable lays out the word features with their IDF and class
// weights; netRows, when not nil, gives each feature's row of the model's
// network (-1 for none), which its record then holds too. Features with at
// least denseMin weights get dense records when classes fit a byte
// (denseMin 0: none do).
func newFeatTable(keys []uint64, idf []float32, rows sparseRows, k int, netRows []int32, denseMin int) (*featTable, error) {
	wide := k > 256
	per := 1
	if wide {
		per = 2
	}
	if wide || denseMin == 0 {
		denseMin = math.MaxInt32 // no record is dense
	}
	hdr := recWeights
	if netRows != nil {
		hdr += 2
	}
	padded := (k + 7) &^ 7
	t := &featTable{
		wide:      wide,
		weightsAt: int32(hdr),
		denseMin:  int32(denseMin),
		padded:    int32(padded),
	}
	size := hdr * len(keys)
	for j := range keys {
		if n := rows.Ptr[j+1] - rows.Ptr[j]; t.holdsDense(n) {
			size += padded / 2
		} else {
			size += per * int(n)
		}
	}
	if size >= slotMask {
		return nil, errTooManyFeatures
	}
	// At most 3/4 full: linear probing then needs about 2.5 probes to
	// find a key and 8.5 to miss, in one or two cache lines.
	bits := uint8(4)
	for 3<<bits < 4*len(keys) {
		bits++
	}
	t.entries, t.arena, t.shift = make([]uint64, 1<<bits), make([]uint16, 0, size), 64-bits
	row := make([]uint8, padded)
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
		t.arena = appendFloat(t.arena, idf[j])
		t.arena = appendFloat(t.arena, rows.Scale[j])
		t.arena = append(t.arena, uint16(rows.Ptr[j+1]-rows.Ptr[j]))
		if netRows != nil {
			r := uint32(netRows[j])
			t.arena = append(t.arena, uint16(r), uint16(r>>16))
		}
		if t.holdsDense(rows.Ptr[j+1] - rows.Ptr[j]) {
			clear(row)
			for n := rows.Ptr[j]; n < rows.Ptr[j+1]; n++ {
				row[rows.Class[n]] = uint8(rows.Q[n])
			}
			for c := 0; c < padded; c += 2 {
				t.arena = append(t.arena, uint16(row[c])|uint16(row[c+1])<<8)
			}
			continue
		}
		for n := rows.Ptr[j]; n < rows.Ptr[j+1]; n++ {
			if wide {
				t.arena = append(t.arena, rows.Class[n], uint16(int16(rows.Q[n])))
			} else {
				t.arena = append(t.arena, rows.Class[n]<<8|uint16(uint8(rows.Q[n])))
			}
		}
	}
	if t.denseMin < math.MaxInt32 {
		// addDenseRows may read this far past the last record.
		t.arena = append(t.arena, make([]uint16, denseOverread)...)
	}
	return t, nil
}

// denseOverread is how many words past a dense record's weights
// addDenseRows may read: three groups of eight int8 weights.
const denseOverread = 12

func appendFloat(a []uint16, f float32) []uint16 {
	b := math.Float32bits(f)
	return append(a, uint16(b), uint16(b>>16))
}

func (t *featTable) float(at int32) float32 { return arenaFloat(t.arena, at) }

func (t *featTable) home(k uint64) uint64 { return fibHome(k, t.shift) }

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
func (t *featTable) idf(s int32) float32 { return t.float(s + recIDF) }

// dense tells whether the record starting at s holds its weights densely.
func (t *featTable) dense(s int32) bool { return t.holdsDense(int32(t.arena[s+recN])) }

// holdsDense tells whether a feature with n weights gets a dense record.
func (t *featTable) holdsDense(n int32) bool { return n >= t.denseMin }

// weights returns the class weights of the feature whose record starts at
// s, in the record's encoding, and whether that is dense.
func (t *featTable) weights(s int32) (w []uint16, dense bool) {
	n := int32(t.arena[s+recN])
	switch {
	case t.holdsDense(n):
		n, dense = t.padded/2, true
	case t.wide:
		n *= 2
	}
	return t.arena[s+t.weightsAt : s+t.weightsAt+n], dense
}

// netRow returns the network row of the feature whose record starts at s:
// -1 for none, or when the records hold no rows.
func (t *featTable) netRow(s int32) int32 {
	if t.weightsAt == recWeights {
		return -1
	}
	return int32(uint32(t.arena[s+recNet]) | uint32(t.arena[s+recNet+1])<<16)
}

// addRow adds a times the class weights of the feature at s to acc, which
// must have room for 256 classes, or for all the model's when there are
// more.
func (t *featTable) addRow(acc []float32, a float32, s int32) {
	a *= t.float(s + recScale)
	w, dense := t.weights(s)
	if dense {
		acc = acc[:len(w)*2]
		for i, pair := range w {
			acc[2*i] += a * float32(int8(pair))
			acc[2*i+1] += a * float32(int8(pair>>8))
		}
		return
	}
	if t.wide {
		for i := 0; i+1 < len(w); i += 2 {
			acc[w[i]] += a * float32(int16(w[i+1]))
		}
		return
	}
	// A class is a byte here: indexing 256 entries by one needs no bounds
	// check.
	acc256 := (*[256]float32)(acc[:256])
	for _, cw := range w {
		acc256[uint8(cw>>8)] += a * float32(int8(cw))
	}
}

// addRows adds vals[i] times the class weights of the feature at recs[i]
// to acc, for each i: what addRow does, for features whose records are
// all dense, eight classes at a time where the CPU allows.
func (t *featTable) addRows(acc []float32, recs []int32, vals []float32) {
	if len(recs) == 0 {
		return
	}
	if len(acc) < int(t.padded+31)&^31 || len(vals) < len(recs) {
		panic("learned: addRows given too little room")
	}
	if addDenseRows(acc, t.arena, recs, vals, int(t.weightsAt), int(t.padded/8)) {
		return
	}
	for i, s := range recs {
		t.addRow(acc, vals[i], s)
	}
}

// weight returns the weight of class c for the feature at s.
func (t *featTable) weight(s int32, c int) float32 {
	w, dense := t.weights(s)
	if dense {
		return t.float(s+recScale) * float32(int8(w[c/2]>>(8*(c&1))))
	}
	if t.wide {
		for i := 0; i+1 < len(w); i += 2 {
			if int(w[i]) == c {
				return t.float(s+recScale) * float32(int16(w[i+1]))
			}
		}
		return 0
	}
	for _, cw := range w {
		if int(cw>>8) == c {
			return t.float(s+recScale) * float32(int8(cw))
		}
	}
	return 0
}

// prefetch fetches the home slots of keys into the cache (see
// prefetchHomes). It returns a value for the caller to keep.
func (t *featTable) prefetch(keys []uint64) (sink uint64) {
	return prefetchHomes(t.entries, keys, t.shift)
}

// prefetchRecords does the same for the records starting at rec[u] for
// each u of used.
func (t *featTable) prefetchRecords(rec []int32, used []int32) (sink uint64) {
	return prefetchRecords(t.arena, rec, used)
}
