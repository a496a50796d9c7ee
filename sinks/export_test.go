package sinks

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

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

// ApplyFirst applies the first n statements of migration v to db without
// recording it: what a process stopped after them leaves behind.
func ApplyFirst(ctx context.Context, conn driver.Conn, db string, v, n int) error {
	ms, err := Migrations()
	if err != nil {
		return err
	}
	for _, stmt := range ms[v-1].Statements[:n] {
		if err := apply(ctx, conn, db, stmt); err != nil {
			return err
		}
	}
	return nil
}

// StatementCount is how many statements migration v has.
func StatementCount(v int) int {
	ms, err := Migrations()
	if err != nil {
		panic(err)
	}
	return len(ms[v-1].Statements)
}

// Holds evaluates a migration statement's condition in database db.
func Holds(ctx context.Context, conn driver.Conn, db, cond string) (bool, error) {
	return holds(ctx, conn, db, cond)
}
