package insights

import (
	"strings"
	"time"
)

// latest returns a subquery over the feedback table with one row per id —
// the newest version by the version column — for records created in
// [from, to).
// Counting over it counts each record once however often it was delivered.
//
// The argMax arguments are qualified (raw.created_at) because each alias
// repeats its column's name, which current ClickHouse's analyzer could
// otherwise read as a reference to the alias itself.
//
// The created_at bound is applied to raw rows before deduplication, which
// is what keeps the scan to the partitions in range. It relies on all
// stored versions of a record sharing one created_at, which the writer
// keeps true (sinks/moves.go).
func (s *Store) latest(cols []string, from, to time.Time) (string, []any) {
	return s.latestOf(cols, from, to, conds{})
}

// latestOf is latest restricted to the records of which some version
// matches ids (conditions on raw columns, e.g. has(themes, ?)). Every
// version of those records takes part in the deduplication, so the newest
// version is chosen exactly as in latest; the caller filters the result
// again, since the newest version may no longer match.
//
// A column may be an expression over the raw columns, "expr AS name": it is
// computed per stored row and deduplicated like a column.
func (s *Store) latestOf(cols []string, from, to time.Time, ids conds) (string, []any) {
	var b strings.Builder
	b.WriteString("(SELECT id")
	for _, c := range cols {
		name := c
		if i := strings.LastIndex(c, " AS "); i >= 0 {
			name = c[i+len(" AS "):]
		}
		b.WriteString(", argMax(raw." + name + ", raw.version) AS " + name)
	}
	b.WriteString(" FROM (SELECT id, version")
	for _, c := range cols {
		b.WriteString(", " + c)
	}
	b.WriteString(" FROM " + s.table("feedback"))
	var w conds
	w.between("created_at", from, to)
	if len(ids.sql) > 0 {
		inner := conds{sql: append([]string{}, ids.sql...), args: append([]any{}, ids.args...)}
		inner.between("created_at", from, to)
		w.add("id IN (SELECT id FROM "+s.table("feedback")+inner.where()+")", inner.args...)
	}
	b.WriteString(w.where())
	b.WriteString(") AS raw GROUP BY id)")
	return b.String(), w.args
}
