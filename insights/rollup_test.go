package insights_test

import (
	"context"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// waitNextSecond lets the server clock pass the second of the last insert:
// a period is settled only when its last touch is strictly before the
// computation that rolled it up.
func waitNextSecond() { time.Sleep(1100 * time.Millisecond) }

// pointItems returns the items of theme at the given points of tr, nil
// when tr has no such theme.
func pointItems(tr *insights.Trends, theme string, points ...int) []uint64 {
	for _, th := range tr.Themes {
		if th.Theme == theme {
			items := make([]uint64, len(points))
			for i, p := range points {
				items[i] = th.Points[p].Items
			}
			return items
		}
	}
	return nil
}

func TestRollupIsExactWithDuplicatesBeforeAndAfterRefresh(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	store := e.settledStore(t)
	rows := trendRows()
	e.write(t, rows)
	e.write(t, rows) // every record delivered twice
	q := insights.TrendsQuery{Grain: insights.Week, Filter: insights.Filter{From: day("2024-01-01"), To: day("2024-01-22")}}
	exportItems := func(tr *insights.Trends) []uint64 { return pointItems(tr, "export", 0, 1, 2) }

	waitNextSecond()
	stats, err := store.Refresh(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Periods == 0 {
		t.Fatal("refresh computed nothing")
	}
	tr, err := store.Trends(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RolledUp != 3 {
		t.Fatalf("%d of 3 weeks from the rollup after refresh", tr.RolledUp)
	}
	if got := exportItems(tr); len(got) != 3 || got[0] != 1 || got[1] != 4 || got[2] != 2 {
		t.Fatalf("export per week from the rollup: %v, want [1 4 2]", got)
	}
	e.checkAgainstSQL(t, tr)
	if again, err := store.Refresh(ctx); err != nil || again.Periods != 0 {
		t.Fatalf("second refresh with nothing new computed %d periods (%v)", again.Periods, err)
	}

	// Redeliveries after the refresh: the touched weeks are answered live
	// until the next refresh, and exactly either way.
	waitNextSecond()
	e.write(t, rows[4:9]) // week of 8 January only
	tr, err = store.Trends(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RolledUp != 2 {
		t.Fatalf("%d of 3 weeks from the rollup with one week touched, want 2", tr.RolledUp)
	}
	e.checkAgainstSQL(t, tr)

	// A new version of a record that moved it from export to billing: the
	// next computation replaces the week whole, so the stale export row of
	// the old computation is not read.
	moved := rows[9]
	moved.IngestedAt = moved.IngestedAt.Add(time.Hour)
	moved.Themes, moved.ThemeSentiment, moved.ThemeConfidence, moved.ThemeEvidence = []string{"billing"}, []float32{0}, []float32{1}, []string{"x"}
	e.write(t, []sinks.Row{moved})
	waitNextSecond()
	if _, err := store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	tr, err = store.Trends(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if tr.RolledUp != 3 {
		t.Fatalf("%d of 3 weeks from the rollup after the second refresh", tr.RolledUp)
	}
	if got := exportItems(tr); got[2] != 1 {
		t.Fatalf("export per week after the record moved to billing: %v, want week 3 at 1", got)
	}
	e.checkAgainstSQL(t, tr)
	// The rollup itself holds each computation once: no period's totals
	// were summed over deliveries.
	if n := e.count(t, "SELECT argMax(items, computed_at) FROM {db}.theme_periods WHERE grain = 'week' AND theme = '' AND period = toDate('2024-01-08')"); n != 5 {
		t.Fatalf("rollup total for the week of 8 January: %d, want 5", n)
	}
	// Grafana's view shows the newest computation only: the moved record's
	// old theme is gone from it.
	if n := e.count(t, "SELECT toUInt64(sum(items)) FROM {db}.grafana_theme_periods WHERE grain = 'week' AND theme = 'export' AND period = toDate('2024-01-15')"); n != 1 {
		t.Fatalf("grafana_theme_periods: export in the week of 15 January is %d, want 1", n)
	}
	if n := e.count(t, "SELECT toUInt64(sum(items)) FROM {db}.grafana_periods WHERE grain = 'week' AND period BETWEEN toDate('2024-01-01') AND toDate('2024-01-15')"); n != 11 {
		t.Fatalf("grafana_periods: %d items over the three weeks, want 11", n)
	}
}

// A record written again under another month's date (a CSV imported again
// with the other date order) counts in its new week only, live and from
// the rollup computed before the move.
func TestARecordMovedToAnotherMonthCountsOnlyInItsNewWeek(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	store := e.settledStore(t)
	rows := trendRows()
	e.write(t, rows)
	q := insights.TrendsQuery{Grain: insights.Week, Filter: insights.Filter{From: day("2024-01-01"), To: day("2024-02-12")}}
	billing := func() []uint64 {
		t.Helper()
		tr, err := store.Trends(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		e.checkAgainstSQL(t, tr)
		return pointItems(tr, "billing", 0, 5)
	}
	waitNextSecond()
	if _, err := store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := billing(); got[0] != 3 || got[1] != 0 {
		t.Fatalf("billing in the weeks of 1 January and 5 February before the move: %v, want [3 0]", got)
	}

	// Deleting the old version is a mutation, which stopped merges would
	// hold back.
	if err := e.conn.Exec(ctx, "SYSTEM START MERGES "+e.db+".feedback"); err != nil {
		t.Fatal(err)
	}
	moved := rows[0] // billing, 1 January
	moved.CreatedAt = day("2024-02-05")
	moved.IngestedAt = moved.IngestedAt.Add(time.Hour)
	e.write(t, []sinks.Row{moved})
	if got := billing(); got[0] != 2 || got[1] != 1 {
		t.Fatalf("billing after the move, live: %v, want [2 1]", got)
	}
	waitNextSecond()
	if _, err := store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := billing(); got[0] != 2 || got[1] != 1 {
		t.Fatalf("billing after the move, from the rollup: %v, want [2 1]", got)
	}
}
