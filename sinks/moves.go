package sinks

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/ext"
)

// A record may arrive again with another created_at: a CSV imported again
// with the other --date-order, a source that corrected a date. The feedback
// table is partitioned by created_at's month, its merges never cross a
// partition, and the insights deduplicate within the periods they read, so
// a version left under the old date would count there for good. With each
// insert, Write therefore keeps each written record under one date, that
// of its newest version (by ingested_at, as every query picks it):
//
//  1. beside the insert, look the ids up in feedback_dates (every stored
//     (id, created_at) pair with its newest ingested_at, filled by a
//     materialized view; migration 0008);
//  2. once the insert is done, delete the feedback rows of moved ids
//     stored under another date than the newest version's, and wait for
//     the mutation to finish;
//  3. mark the old dates' days as touched, so that the insights rollup
//     recomputes their periods;
//  4. delete the old pairs from feedback_dates, and wait.
//
// Write returns nil only after all four, and the old pairs go last: if the
// process stops on the way, the redelivered batch finds them and does the
// steps again. The newest version wins rather than the row just written,
// so a stale copy written late (a retag that read the old version) cannot
// take a record back to its old date. Moves are rare, and a mutation
// rewrites the parts it touches, so a batch that moves records is slow to
// commit; a batch that moves none costs one indexed lookup.

// maxListBytes bounds the ids one deletion names: ClickHouse refuses a
// query over max_query_size (256 KiB by default).
const maxListBytes = 64 << 10

// mutationTimeout bounds the wait for one table's deletions.
const mutationTimeout = 10 * time.Minute

// mutationPoll is how often the wait asks whether a mutation is done.
const mutationPoll = 50 * time.Millisecond

// moved is a record stored under more than one created_at.
type moved struct {
	keep  time.Time   // its newest version's
	stale []time.Time // the others
}

// retireMoved does steps 2 to 4 for the moved records found, once the
// batch that holds their newest dates has been inserted.
func (c *ClickHouse) retireMoved(ctx context.Context, found map[string]*moved) error {
	if len(found) == 0 {
		return nil
	}
	ids := make([]string, 0, len(found))
	for id := range found {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, table := range []string{"feedback", "feedback_dates"} {
		if err := c.deleteOtherDates(ctx, table, ids, found); err != nil {
			return err
		}
		if table == "feedback" {
			if err := c.touchDays(ctx, found); err != nil {
				return err
			}
		}
	}
	return nil
}

// movedRecords returns the records of rows stored under more than one
// created_at. Two dates whose newest versions were ingested in the same
// second are told apart by the batch: the date of its newest row for the
// id wins, else the later date. It may run before or while rows are
// inserted: the batch's own dates are sent along, as an external table
// that also names the ids to look up (the server reads it without parsing
// a literal per id), and only the records that moved come back.
func (c *ClickHouse) movedRecords(ctx context.Context, rows []Row) (map[string]*moved, error) {
	newest := make(map[string]int, len(rows))
	for i := range rows {
		if j, seen := newest[rows[i].ID]; !seen || !rows[i].IngestedAt.Before(rows[j].IngestedAt) {
			newest[rows[i].ID] = i
		}
	}
	batch, err := ext.NewTable("batch_dates",
		ext.Column("id", "String"), ext.Column("created_at", "DateTime"), ext.Column("ingested_at", "DateTime"))
	if err != nil {
		return nil, err
	}
	for i := range rows {
		if err := batch.Append(rows[i].ID, rows[i].CreatedAt, rows[i].IngestedAt); err != nil {
			return nil, fmt.Errorf("look up stored created_at: %w", err)
		}
	}
	q := "SELECT id, groupArray(created_at), groupArray(ingested)" +
		" FROM (SELECT id, created_at, max(ingested_at) AS ingested FROM (" +
		"SELECT id, created_at, ingested_at FROM " + c.db + ".feedback_dates WHERE id IN (SELECT id FROM batch_dates)" +
		" UNION ALL SELECT id, created_at, ingested_at FROM batch_dates)" +
		" GROUP BY id, created_at)" +
		" GROUP BY id HAVING count() > 1"
	res, err := c.lookups.Query(clickhouse.Context(ctx, clickhouse.WithExternalTable(batch)), q)
	if err != nil {
		return nil, fmt.Errorf("look up stored created_at: %w", err)
	}
	defer res.Close()
	out := map[string]*moved{}
	for res.Next() {
		var (
			id                string
			created, ingested []time.Time
		)
		if err := res.Scan(&id, &created, &ingested); err != nil {
			return nil, fmt.Errorf("look up stored created_at: %w", err)
		}
		mine := rows[newest[id]].CreatedAt.Truncate(time.Second)
		keep := 0
		for i := 1; i < len(created); i++ {
			switch {
			case ingested[i].After(ingested[keep]),
				ingested[i].Equal(ingested[keep]) && !created[keep].Equal(mine) &&
					(created[i].Equal(mine) || created[i].After(created[keep])):
				keep = i
			}
		}
		m := &moved{keep: created[keep]}
		for i, at := range created {
			if i != keep {
				m.stale = append(m.stale, at)
			}
		}
		out[id] = m
	}
	if err := res.Err(); err != nil {
		return nil, fmt.Errorf("look up stored created_at: %w", err)
	}
	return out, nil
}

// deleteOtherDates deletes table's rows of the moved ids stored under a
// date other than the one kept, and waits until the deletion is done.
func (c *ClickHouse) deleteOtherDates(ctx context.Context, table string, ids []string, found map[string]*moved) error {
	for _, chunk := range byListBytes(ids) {
		keep := make([]clickhouse.GroupSet, len(chunk))
		for i, id := range chunk {
			keep[i] = clickhouse.GroupSet{Value: []any{id, uint32(found[id].keep.Unix())}}
		}
		// The kept pairs compare created_at as seconds: a set literal holds
		// constants, not toDateTime() calls.
		err := c.conn.Exec(ctx, "ALTER TABLE "+c.db+"."+table+
			" DELETE WHERE id IN ? AND (id, toUInt32(created_at)) NOT IN (?)",
			clickhouse.GroupSet{Value: anySlice(chunk)}, keep)
		if err != nil {
			return fmt.Errorf("delete %d moved records' old versions from %s: %w", len(chunk), table, err)
		}
	}
	return c.awaitMutations(ctx, table)
}

// awaitMutations waits until table has no unfinished mutation.
func (c *ClickHouse) awaitMutations(ctx context.Context, table string) error {
	ctx, cancel := context.WithTimeout(ctx, mutationTimeout)
	defer cancel()
	for {
		var pending uint64
		err := c.conn.QueryRow(ctx, "SELECT count() FROM system.mutations WHERE database = ? AND table = ? AND is_done = 0",
			c.db, table).Scan(&pending)
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
func (c *ClickHouse) touchDays(ctx context.Context, found map[string]*moved) error {
	var secs []uint32
	for _, m := range found {
		for _, at := range m.stale {
			secs = append(secs, uint32(at.Unix()))
		}
	}
	err := c.conn.Exec(ctx, "INSERT INTO "+c.db+".feedback_days (day, touched_at)"+
		" SELECT DISTINCT toDate(toDateTime(t), 'UTC') AS day, now() FROM (SELECT arrayJoin(?) AS t)", secs)
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

func anySlice(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}
