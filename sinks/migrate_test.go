package sinks_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// v8Base is the second the rows of a schema-8 database were stored in.
var v8Base = time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

// plantV8 fills a database at schema version 8 as a worker of that version
// would have: records under 40 months, and at both ends of what a
// DateTime holds (over 100 months apart, more than current ClickHouse
// lets one inserted block span unless told otherwise), a record
// delivered twice, and one edited, its two versions stored five seconds
// apart under two themes.
func plantV8(t *testing.T, conn clickhouse.Conn, db string) {
	t.Helper()
	insert := "INSERT INTO " + db + ".feedback (id, created_at, ingested_at, body, themes, account_id, account_arr, tagger)"
	start := time.Date(2016, 1, 15, 0, 0, 0, 0, time.UTC)
	for m := range 40 {
		testenv.InsertRow(t, conn, insert, fmt.Sprintf("csv:%d", m), start.AddDate(0, m, 0), v8Base,
			fmt.Sprintf("month %d", m), []string{[]string{"billing", "performance", "export"}[m%3]}, fmt.Sprintf("acct-%d", m%7), 1000.0, "keywords")
	}
	for _, created := range []time.Time{time.Date(1970, 1, 2, 0, 0, 0, 0, time.UTC), time.Date(2105, 12, 30, 0, 0, 0, 0, time.UTC)} {
		testenv.InsertRow(t, conn, insert, "edge:"+created.Format("2006"), created, v8Base, "at the edge", []string{"billing"}, "", 0.0, "keywords")
	}
	twice := time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC)
	for range 2 {
		testenv.InsertRow(t, conn, insert, "zendesk:twice", twice, v8Base, "delivered twice", []string{"billing"}, "acme", 5000.0, "keywords")
	}
	edited := time.Date(2025, 6, 4, 0, 0, 0, 0, time.UTC)
	testenv.InsertRow(t, conn, insert, "zendesk:edited", edited, v8Base.Add(5*time.Second), "the edit", []string{"export"}, "acme", 5000.0, "keywords")
	testenv.InsertRow(t, conn, insert, "zendesk:edited", edited, v8Base, "as first sent", []string{"billing"}, "acme", 5000.0, "keywords")
}

// newestVersions reads each record's newest version, ordered by column by:
// ingested_at before the migration, version after it.
func newestVersions(t *testing.T, conn clickhouse.Conn, db, by string) string {
	t.Helper()
	var rows []struct {
		ID      string    `ch:"id"`
		Created time.Time `ch:"created"`
		Body    string    `ch:"body"`
		Themes  []string  `ch:"themes"`
	}
	q := fmt.Sprintf("SELECT id, argMax(created_at, %[1]s) AS created, argMax(body, %[1]s) AS body, argMax(themes, %[1]s) AS themes"+
		" FROM %[2]s.feedback GROUP BY id ORDER BY id", by, db)
	if err := conn.Select(context.Background(), &rows, q); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(rows)
}

// trendsWindow is the window of the trends compared: the planted
// records' years but the edges.
const trendsWindow = "created_at >= toDateTime('2010-01-01 00:00:00', 'UTC') AND created_at < toDateTime('2026-01-01 00:00:00', 'UTC')"

// themeTotals counts the records of each theme in the trends' window, each
// in its newest version by column by, in SQL.
func themeTotals(t *testing.T, conn clickhouse.Conn, db, by string) string {
	t.Helper()
	var rows []struct {
		Theme string `ch:"theme"`
		N     uint64 `ch:"n"`
	}
	q := fmt.Sprintf("SELECT theme, toUInt64(uniqExact(id)) AS n FROM (SELECT id, argMax(themes, %[1]s) AS th FROM %[2]s.feedback WHERE %[3]s GROUP BY id)"+
		" ARRAY JOIN th AS theme GROUP BY theme ORDER BY theme", by, db, trendsWindow)
	if err := conn.Select(context.Background(), &rows, q); err != nil {
		t.Fatal(err)
	}
	out := ""
	for _, r := range rows {
		out += fmt.Sprintf(" %s:%d", r.Theme, r.N)
	}
	return out
}

// monthlyThemes is what the insights count per theme, month by month, over
// the trends' window, and per theme over all of it.
func monthlyThemes(t *testing.T, conn clickhouse.Conn, db string) (string, string) {
	t.Helper()
	store, err := insights.New(conn, db)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := store.Trends(context.Background(), insights.TrendsQuery{Grain: insights.Month,
		Filter: insights.Filter{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	out, totals := fmt.Sprint(tr.Totals), ""
	for _, th := range tr.Themes {
		if th.Items > 0 {
			totals += fmt.Sprintf(" %s:%d", th.Theme, th.Items)
		}
		out += fmt.Sprintf(" %s:%d", th.Theme, th.Items)
		for _, p := range th.Points {
			if p.Items > 0 {
				out += fmt.Sprintf(" %s=%d/%d/%v", p.Period.Format("2006-01"), p.Items, p.Accounts, p.ARR)
			}
		}
	}
	return out, totals
}

// Upgrading to schema version 9 builds the feedback table again with the
// version column and swaps it in. Every record is kept in its newest
// version, the insights count as they did, the moved-record lookup lists
// every stored pair, and a version written afterwards is newer than any
// stored before in the same second or earlier. A migration stopped after
// any of its statements (or in the middle of its RENAME) completes when run
// again, and three processes applying it at once leave the same.
func TestUpgradeToVersion9KeepsEveryRecordInItsNewestVersion(t *testing.T) {
	n := sinks.StatementCount(9)
	type stop struct {
		name  string
		after int  // statements of migration 9 applied before the stop
		half  bool // and the RENAME stopped after its first table
	}
	stops := []stop{{name: "in one run"}, {name: "in the middle of the rename", after: 3, half: true}}
	for _, k := range []int{1, 4, 8, 12, n - 1} {
		stops = append(stops, stop{name: fmt.Sprintf("stopped after statement %d of %d", k, n), after: k})
	}
	stops = append(stops, stop{name: "by three processes at once", after: -1})

	var want string // what the insights count over the data before the upgrade
	for _, s := range stops {
		t.Run(s.name, func(t *testing.T) {
			if s.name != "in one run" {
				t.Parallel() // after the first, which sets want
			}
			ctx := context.Background()
			ch, conn := databaseAt(t, 8)
			db := ch.Database()
			plantV8(t, conn, db)
			before := newestVersions(t, conn, db, "ingested_at")
			totals := themeTotals(t, conn, db, "ingested_at")

			switch {
			case s.after > 0:
				if err := sinks.ApplyFirst(ctx, ch.Conn(), db, 9, s.after); err != nil {
					t.Fatal(err)
				}
				if s.half {
					if err := conn.Exec(ctx, "RENAME TABLE "+db+".feedback TO "+db+".feedback_v8"); err != nil {
						t.Fatal(err)
					}
				}
			case s.after < 0:
				migrateAtOnce(t, ch, 3)
			}
			if _, err := ch.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			if v, err := sinks.AppliedVersion(ctx, ch.Conn(), db); err != nil || v != sinks.SchemaVersion {
				t.Fatalf("applied version %d (%v), want %d", v, err, sinks.SchemaVersion)
			}

			if after := newestVersions(t, conn, db, "version"); after != before {
				t.Errorf("newest versions after the upgrade\n%s\nwant as before\n%s", after, before)
			}
			if n := testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback FINAL"); n != 44 {
				t.Errorf("%d records (FINAL), want 44", n)
			}
			if n := testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback_v8"); n != 46 {
				t.Errorf("the old table kept %d rows, want its 46", n)
			}
			if n := testenv.QueryUint64(t, conn, "SELECT uniqExact(id, created_at) FROM "+db+".feedback_versions"); n != 44 {
				t.Errorf("feedback_versions lists %d pairs, want 44", n)
			}
			if n := testenv.QueryUint64(t, conn, "SELECT count() FROM system.tables WHERE database = ? AND name IN ('feedback_next', 'feedback_dates', 'feedback_dates_mv', 'feedback_days_mv')", db); n != 0 {
				t.Errorf("%d tables of the swap or of schema 8 left", n)
			}
			if n := testenv.QueryUint64(t, conn, "SELECT toUInt64(sum(items)) FROM "+db+".tagging_days"); n != 44 {
				t.Errorf("tagging_days counts %d records, want 44", n)
			}
			got, trended := monthlyThemes(t, conn, db)
			if trended != totals {
				t.Errorf("trends count %s per theme, want %s, as the old table's newest versions", trended, totals)
			}
			if s.name == "in one run" {
				want = got
			} else if got != want {
				t.Errorf("trends\n%s\nwant as after an upgrade in one run\n%s", got, want)
			}

			// Written after the upgrade: a version of the edited record from
			// the same second as its newest, a nanosecond later, wins; one
			// from the second before loses, as it would have before.
			late := row("zendesk:edited", time.Date(2025, 6, 4, 0, 0, 0, 0, time.UTC))
			late.IngestedAt = v8Base.Add(5 * time.Second)
			late.Version = uint64(late.IngestedAt.UnixNano()) + 1
			late.Body = "edited again within the second"
			stale := row("zendesk:twice", time.Date(2025, 6, 3, 0, 0, 0, 0, time.UTC))
			stale.IngestedAt = v8Base.Add(-time.Second)
			stale.Version = uint64(stale.IngestedAt.UnixNano()) + 999_999_999
			stale.Body = "an older version arriving late"
			if err := ch.Write(ctx, []sinks.Row{late, stale}); err != nil {
				t.Fatal(err)
			}
			var bodies []string
			if err := conn.QueryRow(ctx, "SELECT groupArray(body) FROM (SELECT body FROM "+db+".feedback FINAL WHERE id IN ('zendesk:edited', 'zendesk:twice') ORDER BY id)").Scan(&bodies); err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(bodies) != "[edited again within the second delivered twice]" {
				t.Errorf("newest versions after writing two more: %q", bodies)
			}
		})
	}
}

// migrateAtOnce runs Migrate from n processes at once over ch's database.
func migrateAtOnce(t *testing.T, ch *sinks.ClickHouse, n int) {
	t.Helper()
	dsn := "clickhouse://" + testenv.ClickHouseServer(t) + "/" + ch.Database()
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other, err := sinks.Open(dsn, 5*time.Second, time.Minute)
			if err != nil {
				errs[i] = err
				return
			}
			defer other.Close()
			_, errs[i] = other.Migrate(context.Background())
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Workers started together each apply migration 9 (the worker migrates at
// start). One that read the applied versions before the first recorded 9
// runs all of 9 again, its copy of feedback_v8 included, while the first
// already writes: a record the first moved to another month since comes
// back under its old date, counted under both.
func TestASecondApplierOfVersion9DoesNotBringBackAMovedRecord(t *testing.T) {
	ctx := context.Background()
	ch, conn := databaseAt(t, 8)
	db := ch.Database()
	insert := "INSERT INTO " + db + ".feedback (id, created_at, ingested_at, body, themes, account_id, account_arr, tagger)"
	testenv.InsertRow(t, conn, insert, "zendesk:moved", time.Date(2025, 6, 4, 0, 0, 0, 0, time.UTC), v8Base,
		"as first sent", []string{"billing"}, "acme", 5000.0, "keywords")

	if _, err := ch.Migrate(ctx); err != nil { // the first worker
		t.Fatal(err)
	}
	moved := row("zendesk:moved", time.Date(2025, 9, 1, 0, 0, 0, 0, time.UTC))
	moved.IngestedAt = v8Base.Add(time.Minute)
	moved.Version = uint64(moved.IngestedAt.UnixNano())
	if err := ch.Write(ctx, []sinks.Row{moved}); err != nil { // it writes, moving the record
		t.Fatal(err)
	}
	// The second worker's statements of migration 9, after the first's
	// write: what a slower copy of a large table does.
	if err := sinks.ApplyFirst(ctx, ch.Conn(), db, 9, sinks.StatementCount(9)); err != nil {
		t.Fatal(err)
	}
	// Merges never cross a partition, and the insights read the dates of
	// a window: a row under the old date counts there.
	var dates []time.Time
	if err := conn.QueryRow(ctx, "SELECT groupUniqArray(created_at) FROM "+db+".feedback WHERE id = 'zendesk:moved'").Scan(&dates); err != nil {
		t.Fatal(err)
	}
	if len(dates) != 1 {
		t.Errorf("the moved record is stored under %v, want only its new date", dates)
	}
}

// A worker or the API leaves the rebuild of a database that holds data to
// feedbackloop migrate, run with the workers stopped: started together
// on such a database, each would run it and copy old rows back over what
// the first to finish had begun writing. What is safe with workers
// running (a new database, migrations after it) they apply.
func TestAWorkerLeavesTheRebuildToMigrate(t *testing.T) {
	ctx := context.Background()
	old, _ := databaseAt(t, 8)
	if _, err := old.MigrateBesideWorkers(ctx); !errors.Is(err, sinks.ErrRebuildPending) || sinks.IsUnavailable(err) {
		t.Fatalf("schema 8: %v, want ErrRebuildPending, not taken for an unreachable server", err)
	}
	if v, err := sinks.AppliedVersion(ctx, old.Conn(), old.Database()); err != nil || v != 8 {
		t.Fatalf("schema 8 after the refusal: version %d (%v), want 8, untouched", v, err)
	}
	if _, err := old.Migrate(ctx); err != nil { // feedbackloop migrate
		t.Fatal(err)
	}
	if applied, err := old.MigrateBesideWorkers(ctx); err != nil || len(applied) != 0 {
		t.Errorf("after migrate: applied %v (%v), want nothing and no error", applied, err)
	}

	ch, err := sinks.Open(testenv.ClickHouse(t), 5*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ch.Close() })
	if applied, err := ch.MigrateBesideWorkers(ctx); err != nil || len(applied) != sinks.SchemaVersion {
		t.Errorf("a new database: applied %v (%v), want every migration", applied, err)
	}
}

// ClickHouse 18.16 lists system.columns by opening every table of the
// database; a view another process drops meanwhile fails the listing with
// "Table … doesn't exist". A migration's condition asked while another
// process applies the same migration must not fail for it.
func TestAConditionIsNotFailedByATableDroppedMeanwhile(t *testing.T) {
	ctx := context.Background()
	ch, dsn := openSink(t)
	db := ch.Database()
	conn := testenv.Conn(t, dsn)
	stop := make(chan struct{})
	churned := make(chan error, 1)
	go func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				churned <- nil
				return
			default:
			}
			for _, q := range []string{
				"CREATE TABLE IF NOT EXISTS " + db + ".churn (n UInt8) ENGINE = Memory",
				"CREATE MATERIALIZED VIEW IF NOT EXISTS " + db + ".churn_mv TO " + db + ".churn AS SELECT toUInt8(1) AS n FROM " + db + ".feedback",
				"DROP TABLE IF EXISTS " + db + ".churn_mv",
				"DROP TABLE IF EXISTS " + db + ".churn",
			} {
				if err := conn.Exec(ctx, q); err != nil {
					churned <- fmt.Errorf("churn %d: %s: %w", i, q, err)
					return
				}
			}
		}
	}()
	cond := "(SELECT count() FROM system.tables WHERE database = '{db}' AND name = 'feedback') = 1 AND (SELECT count() FROM system.columns WHERE database = '{db}' AND table = 'feedback' AND name = 'version') = 1"
	var failed error
	for i := 0; i < 600 && failed == nil; i++ {
		if ok, err := sinks.Holds(ctx, conn, db, cond); err != nil {
			failed = fmt.Errorf("asking %d: %w", i, err)
		} else if !ok {
			failed = fmt.Errorf("asking %d: the feedback table has no version column", i)
		}
	}
	close(stop)
	if err := <-churned; err != nil {
		t.Fatal(err)
	}
	if failed != nil {
		t.Fatal(failed)
	}
}
