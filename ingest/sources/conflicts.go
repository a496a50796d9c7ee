package sources

import (
	"fmt"
	"reflect"
)

// RejectIDConflicts turns into a failed item each record of items whose
// id an earlier record of items already has, with other content. One
// input holds a record once: two rows that share an id are most often a
// mapping that took a ticket's id for each of its comments, and of two
// versions published together, the store keeps either. A record that is
// the same as the earlier one is left alone: it is published as a
// duplicate and stored once.
func RejectIDConflicts(items []Item) {
	first := map[string]int{}
	for i, it := range items {
		r := it.Record
		if r == nil {
			continue
		}
		j, seen := first[r.ID]
		if !seen {
			first[r.ID] = i
			continue
		}
		if reflect.DeepEqual(items[j].Record, r) {
			continue
		}
		where := items[j].Pos
		if where.File == it.Pos.File {
			where.File = "" // "line 2" beside a position that names the file
		}
		items[i] = failed(it.Pos, fmt.Errorf("id %q is already on %s, with other content: an input may hold a record only once; keep one of the two, or map an id that tells them apart", r.ID, where))
	}
}
