//go:build amd64 && !purego

package learned

// Tagging looks up a few hundred features per text in tables larger than
// the processor's caches. Fetching their cache lines ahead of the look-ups
// lets the misses overlap. On amd64 that is PREFETCHT0 (prefetch_amd64.s):
// unlike a load it does not hold up the instructions behind it while its
// line is on the way, so the work done before the look-ups (counting the
// keys, the character block) runs meanwhile. Both return 0; the generic
// versions (prefetch_other.go, also built with -tags purego) return a sum
// of what they loaded.

// prefetchHomes fetches the home slot of each key in a featTable's entries,
// whose length is 1<<(64-shift).
//
//go:noescape
func prefetchHomes(entries []uint64, keys []uint64, shift uint8) uint64

// prefetchRecords fetches the start of the record arena[rec[u]] for each u
// of used.
//
//go:noescape
func prefetchRecords(arena []uint16, rec []int32, used []int32) uint64
