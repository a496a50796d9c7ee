package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// Upgrading a database from before schema version 9, migrate says first
// that the workers must be stopped, and afterwards which table it kept; a
// new database and an up-to-date one hear neither.
func TestMigrateSaysWhenTheWorkersMustBeStopped(t *testing.T) {
	dsn := testenv.ClickHouse(t)
	ch, err := sinks.Open(dsn, 5*time.Second, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Close() })
	if _, err := sinks.MigrateTo(context.Background(), ch.Conn(), ch.Database(), 8); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", dsn)
	out, _, err := execute(t, context.Background(), "migrate")
	if err != nil {
		t.Fatal(err)
	}
	stop, kept := strings.Index(out, "every worker must be stopped"), strings.Index(out, ch.Database()+".feedback_v8")
	if stop < 0 || kept < stop {
		t.Errorf("migrate printed %q: want the warning to stop the workers, then the name of the table kept", out)
	}
	out, _, err = execute(t, context.Background(), "migrate")
	if err != nil || !strings.Contains(out, "is up to date") || strings.Contains(out, "stopped") {
		t.Errorf("migrate again printed %q (%v), want only that it is up to date", out, err)
	}

	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", testenv.ClickHouse(t))
	if out, _, err := execute(t, context.Background(), "migrate"); err != nil || strings.Contains(out, "stopped") {
		t.Errorf("migrate of a new database printed %q (%v), want no warning", out, err)
	}
}
