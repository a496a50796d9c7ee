package sources

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// ErrSuperseded marks an item whose record a later item of the same input
// holds in another version.
var ErrSuperseded = errors.New("a later version of this record comes after it in the input, and is imported instead")

// RejectIDConflicts turns into a failed item each record of items whose
// id an earlier record of items already has, with other content: rows of
// a file a team wrote or exported hold a record once, and two that share
// an id are most often a mapping that took a ticket's id for each of its
// comments. A record that is the same as the earlier one is left alone:
// it is published as a duplicate and stored once.
func RejectIDConflicts(items []Item) { resolveIDs(items, false) }

// KeepLastVersions marks with ErrSuperseded each record of items that a
// later record of items holds in another version: a source's incremental
// export lists a ticket once per update, oldest first, and the last is
// the record as it is. Published together, the store would keep either.
// A later version that is skipped (a ticket marked as spam since, a
// post deleted since) supersedes the earlier ones too: the record as it
// is is none.
func KeepLastVersions(items []Item) { resolveIDs(items, true) }

// supersededBySkip is the error of a record whose later version in the
// input is skipped.
type supersededBySkip struct {
	later  Position
	reason string
}

func (e *supersededBySkip) Error() string {
	return fmt.Sprintf("a later version of this record comes after it in the input (%s), and is skipped: %s", e.later, e.reason)
}
func (e *supersededBySkip) Is(target error) bool { return target == ErrSuperseded }

func resolveIDs(items []Item, keepLast bool) {
	seen := map[string][]int{} // id → the items holding it, still published
	for i, it := range items {
		var sk *skipError
		if keepLast && it.Record == nil && errors.As(it.Err, &sk) && sk.id != "" {
			for _, j := range seen[sk.id] {
				items[j] = failed(items[j].Pos, &supersededBySkip{later: beside(items[j].Pos, it.Pos), reason: sk.reason})
			}
			delete(seen, sk.id)
			continue
		}
		r := it.Record
		if r == nil {
			continue
		}
		earlier := seen[r.ID]
		if len(earlier) == 0 || sameRecord(items[earlier[len(earlier)-1]].Record, r) {
			seen[r.ID] = append(earlier, i)
			continue
		}
		if keepLast {
			for _, j := range earlier {
				items[j] = failed(items[j].Pos, fmt.Errorf("%w (%s)", ErrSuperseded, beside(items[j].Pos, it.Pos)))
			}
			seen[r.ID] = []int{i}
			continue
		}
		where := beside(it.Pos, items[earlier[0]].Pos)
		items[i] = failed(it.Pos, fmt.Errorf("id %q is already on %s, with other content: an input may hold a record only once; keep one of the two, or map an id that tells them apart", r.ID, where))
	}
}

// beside returns other as written in a message about the item at pos:
// "line 2" beside a position that names the file, not the file again.
func beside(pos, other Position) Position {
	if other.File == pos.File {
		other.File = ""
	}
	return other
}

// sameRecord reports whether a and b are the same record as the contract
// writes it: an empty author or account is none, a time is the same in
// any zone.
func sameRecord(a, b *feedback.Record) bool {
	ja, errA := json.Marshal(normalised(a))
	jb, errB := json.Marshal(normalised(b))
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func normalised(r *feedback.Record) *feedback.Record {
	c := *r
	c.CreatedAt = c.CreatedAt.UTC()
	if c.Author != nil && *c.Author == (feedback.Author{}) {
		c.Author = nil
	}
	if c.Account != nil && *c.Account == (feedback.Account{}) {
		c.Account = nil
	}
	return &c
}
