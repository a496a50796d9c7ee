package enrich

import (
	"encoding/binary"
	"math/bits"
)

// wordTable is a read-only hash table from stemmed words to ids. Every word
// of every record is looked up, and most are not there ("yesterday",
// "dashboard"), so the table is built for short words and misses: a word of
// up to eight bytes is packed into an integer that is both hashed and
// compared in one step, and a probe reads only those integers, eight bytes
// a slot, so that the table stays in the processor's first-level cache.
// The id and length sit in a parallel array, read on a match. It is several
// times faster than a map[string]int32 at the same job.
type wordTable struct {
	packed []uint64   // the first eight bytes of each slot's word, zero-padded; 0 when empty
	meta   []wordMeta // beside packed
	long   []string   // id → word, for words longer than eight bytes
	shift  uint       // 64 − log2(len(packed))
}

type wordMeta struct {
	size uint32 // length of the word in bytes
	id   int32
}

func newWordTable(vocab map[string]int32) wordTable {
	size := 64
	for size < 2*len(vocab) {
		size *= 2
	}
	t := wordTable{
		packed: make([]uint64, size),
		meta:   make([]wordMeta, size),
		long:   make([]string, len(vocab)),
		shift:  uint(64 - bits.TrailingZeros(uint(size))),
	}
	for w, id := range vocab {
		if len(w) > 8 {
			t.long[id] = w
		}
		packed, h := hashWord([]byte(w))
		for i := int(h >> t.shift); ; i = (i + 1) & (size - 1) {
			if t.packed[i] == 0 {
				t.packed[i], t.meta[i] = packed, wordMeta{size: uint32(len(w)), id: id}
				break
			}
		}
	}
	return t
}

// lookup returns the id of w, or -1.
func (t *wordTable) lookup(w []byte) int32 {
	if len(t.packed) == 0 || len(w) == 0 || len(w) > maxWordBytes {
		return -1
	}
	var packed, h uint64
	if len(w) < 8 && cap(w) >= 8 {
		// hashWord's common case, written out to save a call per word.
		packed = binary.LittleEndian.Uint64(w[:8]) & (1<<(8*len(w)) - 1)
		h = (packed ^ uint64(len(w))) * hashMul
		h ^= h >> 32
	} else {
		packed, h = hashWord(w)
	}
	for i := int(h >> t.shift); ; i = (i + 1) & (len(t.packed) - 1) {
		p := t.packed[i]
		if p == 0 {
			return -1
		}
		if p == packed {
			// Equal packs can differ only in what follows the first eight bytes.
			m := t.meta[i]
			if int(m.size) == len(w) && (len(w) <= 8 || t.long[m.id] == string(w)) {
				return m.id
			}
		}
	}
}

// lookupShort is lookup for a word of one to seven bytes, given packed as
// hashWord packs it: the bytes little-endian, zero above the word.
func (t *wordTable) lookupShort(packed uint64, size int) int32 {
	if len(t.packed) == 0 {
		return -1
	}
	h := (packed ^ uint64(size)) * hashMul
	h ^= h >> 32
	for i := int(h >> t.shift); ; i = (i + 1) & (len(t.packed) - 1) {
		p := t.packed[i]
		if p == 0 {
			return -1
		}
		if p == packed && int(t.meta[i].size) == size {
			return t.meta[i].id
		}
	}
}

const hashMul = 0x9E3779B97F4A7C15

// hashWord packs the first eight bytes of w into an integer and hashes all
// of w with multiply-xorshift mixing, eight bytes at a time.
func hashWord(w []byte) (packed, hash uint64) {
	const m = hashMul
	switch {
	case len(w) >= 8:
		packed = binary.LittleEndian.Uint64(w)
	case cap(w) >= 8:
		// Read the spare capacity too and mask it off: one load instead of
		// a loop over the bytes.
		packed = binary.LittleEndian.Uint64(w[:8]) & (1<<(8*len(w)) - 1)
	default:
		for i, c := range w {
			packed |= uint64(c) << (8 * i)
		}
	}
	h := (packed ^ uint64(len(w))) * m
	if len(w) <= 8 {
		return packed, h ^ h>>32
	}
	for rest := w[8:]; len(rest) > 0; {
		var chunk uint64
		if len(rest) >= 8 {
			chunk, rest = binary.LittleEndian.Uint64(rest), rest[8:]
		} else {
			for i, c := range rest {
				chunk |= uint64(c) << (8 * i)
			}
			rest = nil
		}
		h ^= h >> 29
		h = (h ^ chunk) * m
	}
	h ^= h >> 32
	return packed, h * m
}
