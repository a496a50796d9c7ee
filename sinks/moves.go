package sinks

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
)

// A record may arrive again with another created_at: a CSV imported again
// with the other --date-order, a source that corrected a date. The feedback
// table is partitioned by created_at's month, its merges never cross a
// partition, and the insights deduplicate within the periods they read, so
// a version left under the old date would count there for good. After each
// insert, Write therefore retires the versions of the written records that
// a newer version under another date supersedes:
//
//  1. look the ids up in feedback_versions (every stored (id, created_at)
//     pair with its newest version, filled by a materialized view;
//     migration 0009, after 0008's feedback_dates). The newest version of
//     each record, by version as every query picks it (the later date on
//     a tie), is the one kept; a date of the same version in the kept
//     date's month is left to that partition's merge (see superseded);
//  2. delete the feedback rows of the other dates that the lookup saw (up
//     to the newest version it saw under each), wait for the deletion
//     to finish, and check that the rows are gone (see deleteChecked);
//  3. mark the old dates' days as touched, so that the insights rollup
//     recomputes their periods;
//  4. delete the same pairs from feedback_versions, wait, and check.
//
// Write returns nil only after all four, and the old pairs go last: if the
// process stops on the way, the redelivered batch finds them and does the
// steps again.
//
// Concurrent writers need no lock. Each looks up after its own insert, so
// of two writers of one record the later to look up sees both versions. A
// deletion removes only rows its lookup saw, never the version it keeps or
// one newer: the newest version survives whichever writer deletes, and a
// row written after the lookup (a retag's copy of the version before the
// move, say) is left for its own writer, whose lookup follows its insert,
// finds it, and deletes it.
//
// Moves are rare, and a mutation rewrites the parts it touches, so a batch
// that moves records is slow to commit; a batch that moves none costs one
// indexed lookup.

// maxListBytes bounds the ids one deletion names. Each id appears in it
// twice or more, with numbers, and ClickHouse refuses a query over
// max_query_size (256 KiB by default).
const maxListBytes = 32 << 10

// mutationTimeout bounds the wait for one table's deletions.
const mutationTimeout = 10 * time.Minute

// mutationPoll is how often the wait asks whether a mutation is done.
const mutationPoll = 50 * time.Millisecond

// staleDates maps each record stored under more than one created_at to
// the dates its newest version supersedes.
type staleDates map[string][]seen

// seen is a stale created_at, and the newest version the lookup saw
// under it: rows written later are not the lookup's to delete.
type seen struct {
	created time.Time
	upTo    uint64
}

// retireMoved does the steps above for rows, which have been inserted.
func (c *ClickHouse) retireMoved(ctx context.Context, rows []Row) error {
	lookupCtx, cancel := context.WithTimeout(ctx, c.insertTimeout) // as long as an insert may take
	found, err := c.movedRecords(lookupCtx, rows)
	cancel()
	if err != nil || len(found) == 0 {
		return err
	}
	return c.retire(ctx, found)
}

// retire does steps 2 to 4 for the records found.
func (c *ClickHouse) retire(ctx context.Context, found staleDates) error {
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if err := c.deleteStale(ctx, "feedback", ids, found); err != nil {
		return err
	}
	if err := c.touchDays(ctx, found); err != nil {
		return err
	}
	return c.deleteStale(ctx, "feedback_versions", ids, found)
}

// RetireMoved does the steps above for every stored record listed under
// more than one created_at, as the writer does for a batch: for a database
// that held such records before migration 0008, which no write has touched
// since. It reads all of feedback_versions, so it is a command to run once,
// not a step of every write, and returns how many records it moved.
func (c *ClickHouse) RetireMoved(ctx context.Context) (int, error) {
	found, err := c.lookUp(ctx, "")
	if err != nil || len(found) == 0 {
		return 0, err
	}
	return len(found), c.retire(ctx, found)
}

// movedRecords looks the ids of rows up in feedback_versions and returns those
// stored under more than one created_at. The ids travel as an external
// table, which the server reads without parsing a literal per id, and only
// the records that moved come back.
func (c *ClickHouse) movedRecords(ctx context.Context, rows []Row) (staleDates, error) {
	ctx, err := withIDs(ctx, "written_ids", len(rows), func(i int) string { return rows[i].ID })
	if err != nil {
		return nil, fmt.Errorf("look up stored created_at: %w", err)
	}
	return c.lookUp(ctx, " WHERE id IN written_ids")
}

// withIDs returns ctx carrying an external table, name, that holds the ids
// id(0) to id(n-1) once each, for a query's "id IN name": the server reads
// it without parsing a literal per id.
func withIDs(ctx context.Context, name string, n int, id func(i int) string) (context.Context, error) {
	ids, err := ext.NewTable(name, ext.Column("id", "String"))
	if err != nil {
		return nil, err
	}
	listed := make(map[string]bool, n)
	for i := range n {
		if listed[id(i)] {
			continue
		}
		listed[id(i)] = true
		if err := ids.Append(id(i)); err != nil {
			return nil, err
		}
	}
	return clickhouse.Context(ctx, clickhouse.WithExternalTable(ids)), nil
}

// lookUp returns the records of feedback_versions matching where (all when
// empty) that are stored under more than one created_at and have a date
// to retire.
func (c *ClickHouse) lookUp(ctx context.Context, where string) (staleDates, error) {
	q := "SELECT id, groupArray(created_at), groupArray(newest), groupArray(toYYYYMM(created_at))" +
		" FROM (SELECT id, created_at, max(version) AS newest FROM " + c.db + ".feedback_versions" +
		where + " GROUP BY id, created_at)" +
		" GROUP BY id HAVING count() > 1"
	res, err := c.lookups.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("look up stored created_at: %w", err)
	}
	defer res.Close()
	out := staleDates{}
	for res.Next() {
		var (
			id       string
			created  []time.Time
			versions []uint64
			months   []uint32 // the partitions, as the table computes them
		)
		if err := res.Scan(&id, &created, &versions, &months); err != nil {
			return nil, fmt.Errorf("look up stored created_at: %w", err)
		}
		if stale := superseded(created, versions, months); len(stale) > 0 {
			out[id] = stale
		}
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("look up stored created_at: %w", err)
	}
	return out, nil
}

// superseded returns, among a record's stored dates, the newest version
// under each and each date's partition, all but the date to keep: the
// newest version's, the later date on a tie, so that every writer picks
// the same.
//
// A date that ties with the kept one in the kept date's month is left
// alone: a merge of that partition keeps whichever of the two rows was
// inserted last, and may already have dropped the kept date's row, which
// feedback_versions still lists. Deleting the other would leave the record
// stored nowhere. The merge leaves one of them; until it runs, a query
// over dates that hold only one of them counts the record there. Versions
// tie only when both were stored before migration 0009 in one second.
func superseded(created []time.Time, versions []uint64, months []uint32) []seen {
	keep := 0
	for i := 1; i < len(created); i++ {
		if versions[i] > versions[keep] || versions[i] == versions[keep] && created[i].After(created[keep]) {
			keep = i
		}
	}
	var out []seen
	for i, at := range created {
		if i == keep || versions[i] == versions[keep] && months[i] == months[keep] {
			continue
		}
		out = append(out, seen{at, versions[i]})
	}
	return out
}

// deleteStale deletes table's rows of the stale pairs of ids that the
// lookup saw, a chunk of ids at a time, and returns when they are gone.
func (c *ClickHouse) deleteStale(ctx context.Context, table string, ids []string, found staleDates) error {
	for _, chunk := range byListBytes(ids) {
		var (
			pairs  []clickhouse.GroupSet
			keys   []string
			bounds []uint64
		)
		for _, id := range chunk {
			for _, st := range found[id] {
				at := uint32(st.created.Unix())
				pairs = append(pairs, clickhouse.GroupSet{Value: []any{id, at}})
				keys = append(keys, id+"\x00"+strconv.FormatUint(uint64(at), 10))
				bounds = append(bounds, st.upTo)
			}
		}
		// Dates are compared as seconds: a set literal holds constants,
		// not toDateTime() calls. transform() gives each pair its bound,
		// keyed by id, NUL and date (an id holds no control character).
		where := "(id, toUInt32(created_at)) IN (?) AND version <= " +
			"transform(concat(id, '\\0', toString(toUInt32(created_at))), ?, ?, toUInt64(0))"
		if err := c.deleteChecked(ctx, table, where, pairs, keys, bounds); err != nil {
			return fmt.Errorf("delete %d moved records' old versions from %s: %w", len(chunk), table, err)
		}
	}
	return nil
}

// deleteAttempts bounds how often deleteChecked submits one deletion.
const deleteAttempts = 3

// deleteChecked deletes table's rows matching where, waits, and counts
// what is left, submitting the deletion again while rows are: ClickHouse
// 18.16 was seen to mark deletions sent back to back as done without
// applying some of them (TestManyRecordsMovedInOneBatchAllKeepOneDate).
func (c *ClickHouse) deleteChecked(ctx context.Context, table, where string, args ...any) error {
	for attempt := 1; ; attempt++ {
		n, err := c.mutate(ctx, table, where, args...)
		if err != nil {
			return err
		}
		if err := c.awaitMutations(ctx, table, n); err != nil {
			return err
		}
		var left uint64
		if err := c.conn.QueryRow(ctx, "SELECT count() FROM "+c.db+"."+table+" WHERE "+where, args...).Scan(&left); err != nil {
			return fmt.Errorf("count what the deletion left: %w", err)
		}
		if left == 0 {
			return nil
		}
		if attempt == deleteAttempts {
			return fmt.Errorf("%d rows left after %d deletions marked done (see system.mutations)", left, attempt)
		}
	}
}

// mutationNumber is the number in system.mutations.mutation_id
// ("mutation_12.txt"), which grows with each mutation of a table.
const mutationNumber = "toUInt64(extract(mutation_id, '([0-9]+)'))"

// mutate submits ALTER TABLE table DELETE WHERE where and returns the
// number of the mutation: the highest of the table's mutations right after
// it, which is this one or a later one.
func (c *ClickHouse) mutate(ctx context.Context, table, where string, args ...any) (uint64, error) {
	if err := c.conn.Exec(ctx, "ALTER TABLE "+c.db+"."+table+" DELETE WHERE "+where, args...); err != nil {
		return 0, err
	}
	var n uint64
	err := c.conn.QueryRow(ctx, "SELECT max("+mutationNumber+") FROM system.mutations"+
		" WHERE database = ? AND table = ?", c.db, table).Scan(&n)
	return n, err
}

// awaitMutations waits until table's mutations up to number last are
// done; those submitted after it are not waited for.
func (c *ClickHouse) awaitMutations(ctx context.Context, table string, last uint64) error {
	ctx, cancel := context.WithTimeout(ctx, mutationTimeout)
	defer cancel()
	for {
		var pending uint64
		err := c.conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND table = ? AND is_done = 0"+
			" AND "+mutationNumber+" <= ?", c.db, table, last).Scan(&pending)
		if err != nil {
			return fmt.Errorf("wait for the deletions from %s: %w", table, err)
		}
		if pending == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for the deletions from %s: %d mutations unfinished (see system.mutations; are merges stopped?): %w", table, pending, ctx.Err())
		case <-time.After(mutationPoll):
		}
	}
}

// touchDays marks the days of the retired dates as touched now, as an
// insert into them would (see feedback_days in migration 0002).
func (c *ClickHouse) touchDays(ctx context.Context, found staleDates) error {
	days := map[string]bool{}
	for _, dates := range found {
		for _, st := range dates {
			days[st.created.UTC().Format(time.DateOnly)] = true
		}
	}
	list := make([]string, 0, len(days)) // at most one per day of 1970-2105
	for d := range days {
		list = append(list, d)
	}
	err := c.conn.Exec(ctx, "INSERT INTO "+c.db+".feedback_days (day, touched_at)"+
		" SELECT toDate(d) AS day, now() FROM (SELECT arrayJoin(?) AS d)", list)
	if err != nil {
		return fmt.Errorf("mark the moved records' old days for the rollup: %w", err)
	}
	return nil
}

// byListBytes splits ids into chunks that name at most maxListBytes.
func byListBytes(ids []string) [][]string {
	var (
		out   [][]string
		start int
		size  int
	)
	for i, id := range ids {
		if i > start && size+len(id)+4 > maxListBytes {
			out = append(out, ids[start:i])
			start, size = i, 0
		}
		size += len(id) + 4
	}
	if start < len(ids) {
		out = append(out, ids[start:])
	}
	return out
}
