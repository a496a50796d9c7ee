package sinks

import "context"

// MigrateTo lets the tests stop migrating at an older schema version.
var MigrateTo = migrateTo

// The steps of Write one at a time, to replay an interleaving of two
// concurrent writers.

// Found is what a lookup found.
type Found = staleDates

func (c *ClickHouse) InsertOnly(ctx context.Context, rows []Row) error { return c.insert(ctx, rows) }

func (c *ClickHouse) LookUp(ctx context.Context, rows []Row) (Found, error) {
	return c.movedRecords(ctx, rows)
}

func (c *ClickHouse) DeleteStale(ctx context.Context, table string, found Found) error {
	var ids []string
	for id := range found {
		ids = append(ids, id)
	}
	return c.deleteStale(ctx, table, ids, found)
}

func (c *ClickHouse) TouchDays(ctx context.Context, found Found) error {
	return c.touchDays(ctx, found)
}
