//go:build !amd64 || purego

package learned

// Without a prefetch instruction, plain loads whose results are summed
// (and kept by the caller, so that the compiler keeps them) still let
// several misses be in flight at once.

func prefetchHomes(entries []uint64, keys []uint64, shift uint8) (sink uint64) {
	for _, k := range keys {
		sink += entries[fibHome(k, shift)]
	}
	return sink
}

func prefetchRecords(arena []uint16, rec []int32, used []int32) (sink uint64) {
	for _, u := range used {
		sink += uint64(arena[rec[u]])
	}
	return sink
}
