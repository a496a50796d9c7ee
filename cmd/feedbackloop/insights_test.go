package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/insights/insightstest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// The "done when" through the CLI: the planted dataset is stored
// with its redeliveries, the roadmap imported with `bets import`, and each
// command reports exactly the planted patterns; trends' counts equal
// direct SQL over distinct ids.
func TestInsightCommandsReportThePlantedPatterns(t *testing.T) {
	ch, dsn := testenv.Migrated(t)
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", dsn)
	ctx := context.Background()
	testenv.StopMerges(t, dsn, "feedback") // planted redeliveries stay until queried
	d := insightstest.Planted(7, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	if err := ch.Write(ctx, d.Rows); err != nil {
		t.Fatal(err)
	}
	if err := ch.Write(ctx, d.Redelivered); err != nil {
		t.Fatal(err)
	}
	roadmap := filepath.Join(t.TempDir(), "roadmap.yaml")
	if err := os.WriteFile(roadmap, []byte(d.BetsYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		t.Helper()
		out, errOut, err := execute(t, ctx, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, errOut)
		}
		return out
	}
	// Twice: a re-import updates the bets rather than duplicating them.
	// Only the theme no customer has raised is warned of.
	for i := 0; i < 2; i++ {
		out, warn, err := execute(t, ctx, "bets", "import", roadmap)
		if err != nil || !strings.Contains(out, "imported 5 bets") {
			t.Fatalf("bets import: %v %s", err, out)
		}
		if want := `warning: bet "` + insightstest.EmptyBet + `", theme "ai-assistant": no stored feedback carries this theme` + "\n"; warn != want {
			t.Errorf("bets import warned %q, want %q", warn, want)
		}
	}
	end := "--end=" + d.End.Format("2006-01-02")

	var em insights.Emerging
	decode(t, run("emerging", end, "--format", "json"), &em)
	if len(em.Rising) != 1 || em.Rising[0].Theme != insightstest.SpikeTheme {
		t.Errorf("emerging rising %+v, want only %s", em.Rising, insightstest.SpikeTheme)
	}
	for _, c := range append(em.Rising, em.Declining...) {
		if _, steady := insightstest.SteadyThemes[c.Theme]; steady {
			t.Errorf("steady theme flagged: %+v", c)
		}
	}
	if table, note, err := execute(t, ctx, "emerging", end); err != nil || !strings.Contains(table, insightstest.SpikeTheme) || !strings.Contains(table, "rising") || note != "" {
		t.Errorf("emerging table (%v):\n%s\nstderr %q, want no note: the spike has a baseline", err, table, note)
	}

	var out insights.Outcome
	decode(t, run("outcome", end, "--format", "json"), &out)
	if len(out.Results) != 1 || out.Results[0].Theme != insightstest.FallingTheme || out.Results[0].Direction != "fell" || !out.Results[0].Significant {
		t.Errorf("outcome %+v, want %s falling significantly", out.Results, insightstest.FallingTheme)
	}

	var bets insights.BetsReport
	decode(t, run("bets", end, "--format", "json"), &bets)
	if len(bets.Bets) != 5 || len(bets.Unaddressed) == 0 || bets.Unaddressed[0].Theme != insightstest.UncoveredTheme {
		t.Errorf("bets %d, unaddressed %+v; want 5 bets and %s first", len(bets.Bets), bets.Unaddressed, insightstest.UncoveredTheme)
	}

	recs, err := csv.NewReader(strings.NewReader(run("trends", "--grain", "month", "--from", "2025-01-01", "--to", "2025-06-01",
		"--theme", insightstest.SpikeTheme+","+insightstest.FallingTheme, "--format", "csv"))).ReadAll()
	if err != nil || len(recs) != 1+2*5 {
		t.Fatalf("trends csv: %v, %d lines", err, len(recs))
	}
	conn := testenv.Conn(t, dsn)
	for _, r := range recs[1:] {
		items, _ := strconv.ParseUint(r[2], 10, 64)
		want := testenv.QueryUint64(t, conn, "SELECT uniqExact(id) FROM "+ch.Database()+".feedback WHERE has(themes, ?) AND toStartOfMonth(created_at) = toDate(?)", r[0], r[1])
		if items != want {
			t.Errorf("trends %s %s: %d items, direct SQL over distinct ids says %d", r[0], r[1], items, want)
		}
	}

	if _, errOut, err := execute(t, ctx, "emerging", end, "--refresh"); err != nil || !strings.Contains(errOut, "refreshed") {
		t.Errorf("emerging --refresh: %v %q", err, errOut)
	}
	if n := testenv.QueryUint64(t, conn, "SELECT count() FROM "+ch.Database()+".theme_periods WHERE theme = ''"); n == 0 {
		t.Error("--refresh wrote no rollup")
	}

	if q := run("quotes", insightstest.UncoveredTheme, end, "--limit", "3"); strings.Count(q, insightstest.UncoveredTheme+" is what hurts") != 3 {
		t.Errorf("quotes:\n%s", q)
	}
	complaints, err := csv.NewReader(strings.NewReader(run("quotes", insightstest.UncoveredTheme, end, "--limit", "4", "--sentiment", "negative", "--format", "csv"))).ReadAll()
	if err != nil || len(complaints) != 1+4 || complaints[0][9] != "sentiment" {
		t.Fatalf("quotes --sentiment negative: %v, %q", err, complaints)
	}
	for _, r := range complaints[1:] {
		if v, err := strconv.ParseFloat(r[9], 64); err != nil || v >= 0 {
			t.Errorf("quotes --sentiment negative gave %s with sentiment %s", r[1], r[9])
		}
	}
	// A ship date still to come is warned of (QA saw it taken silently).
	later := filepath.Join(t.TempDir(), "later.yaml")
	next := time.Now().UTC().AddDate(0, 1, 0).Format(time.DateOnly)
	if err := os.WriteFile(later, []byte("bets:\n  - id: later\n    title: Later\n    status: shipped\n    themes: ["+insightstest.FallingTheme+"]\n    shipped_at: "+next+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, warn, err := execute(t, ctx, "bets", "import", later); err != nil || !strings.Contains(warn, `bet "later": shipped_at `+next+` is after today`) {
		t.Errorf("a future ship date: %v, warned %q", err, warn)
	}
}

func TestQueryCommandsNameTheBadFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trends", "--grain", "year"}, "grain"},
		{[]string{"trends", "--from", "2025-02-30"}, "--from"},
		{[]string{"trends", "--format", "xml"}, "--format"},
		{[]string{"emerging", "--end", "June"}, "--end"},
		{[]string{"bets", "import", "roadmap.txt"}, "--input"},
		{[]string{"themes", "suggest", "--min-size", "0"}, "--min-size 0: want at least 1"},
		{[]string{"quotes", "billing", "--sentiment", "angry"}, `--sentiment "angry": want any, negative or positive`},
		{[]string{"themes", "suggest", "--quotes", "-1"}, "--quotes -1"},
		{[]string{"themes", "suggest", "--clusters", "-2"}, "--clusters -2"},
		{[]string{"themes", "suggest", "--limit", "0"}, "--limit 0"},
		{[]string{"themes", "suggest", "--since", "-24h"}, "--since -24h0m0s: want a positive duration"},
		{[]string{"tagger", "export-labels", "--limit", "-1"}, "--limit -1"},
		{[]string{"tagger", "usage", "--days", "100000"}, "--days 100000: want at most 20000"},
		{[]string{"tagger", "export-labels", "--since", "-1h"}, "--since -1h0m0s: want a positive duration, or 0 for all"},
		{[]string{"publish", "--file", "x.jsonl", "--chunk", "0"}, "--chunk 0"},
		// 0 is no default (QA saw these answered with the default).
		{[]string{"trends", "--last", "0"}, "--last 0: want more than 0"},
		{[]string{"emerging", "--alpha", "0"}, "--alpha 0: want more than 0"},
		{[]string{"bets", "--top", "0"}, "--top 0: want more than 0"},
		{[]string{"quotes", "billing", "--limit", "0"}, "--limit 0: want more than 0"},
		// Negative ones by the flag's own name, before any server is asked.
		{[]string{"trends", "--last", "-3"}, "--last -3: want more than 0"},
		{[]string{"emerging", "--min-items", "-5"}, "--min-items -5: want more than 0"},
	} {
		_, _, err := execute(t, context.Background(), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

// A value the store finds over its limit is named by the flag the user
// typed, not by the API's parameter: `trends --last 401` said "periods".
func TestQueryCommandsNameTheFlagOfAValueOverItsLimit(t *testing.T) {
	_, dsn := testenv.Migrated(t)
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", dsn)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"trends", "--last", "401"}, `--last "401": want 1 to 400`},
		{[]string{"trends", "--grain", "year"}, `--grain "year": want day, week or month`},
		{[]string{"emerging", "--recent-days", "367"}, `--recent-days "367": want 1 to 366`},
		{[]string{"emerging", "--baseline-days", "1099"}, `--baseline-days "1099"`},
		{[]string{"emerging", "--alpha", "2"}, `--alpha "2": want a probability between 0 and 1`},
		{[]string{"bets", "--top", "1001"}, `--top "1001": want 1 to 1000`},
		{[]string{"outcome", "--days", "367"}, `--days "367": want 1 to 366`},
		{[]string{"quotes", "billing", "--limit", "51"}, `--limit "51": want 1 to 50`},
	} {
		_, _, err := execute(t, context.Background(), tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %s", tc.args, err, tc.want)
		}
	}
}

// A query command against a ClickHouse that is not there says to check
// the server and its address; against one without the schema, to migrate.
func TestQueryCommandsSayWhatIsWrongWithClickHouse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	for _, tc := range []struct {
		dsn, want, not string
	}{
		{"clickhouse://" + closed + "/voc", "is the server running", "migrate"},
		{testenv.ClickHouse(t), "run `feedbackloop migrate` first", "is the server running"},
	} {
		t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", tc.dsn)
		_, _, err := execute(t, context.Background(), "trends")
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), tc.not) {
			t.Errorf("%s: %v, want it to say %q", tc.dsn, err, tc.want)
		}
	}
}

func decode(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
}

// The query commands read the rollup as serve does, after serve.settle.
// Rows deleted by hand are one way the rollup and the table part (the
// touch table never sees them): a month read from the rollup still counts
// them, one computed from the table does not.
func TestQueryCommandsReadTheRollupAfterServeSettle(t *testing.T) {
	ch, dsn := testenv.Migrated(t)
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", dsn)
	ctx := context.Background()
	d := insightstest.Planted(7, time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC))
	if err := ch.Write(ctx, d.Rows); err != nil {
		t.Fatal(err)
	}
	// The inserts must be older than a settle of 1s, counted in the whole
	// seconds the touch table keeps.
	time.Sleep(2100 * time.Millisecond)
	items := func() string {
		t.Helper()
		out, errOut, err := execute(t, ctx, "trends", "--grain", "month", "--from", "2025-05-01", "--to", "2025-06-01",
			"--theme", insightstest.SpikeTheme, "--format", "csv", "--refresh")
		if err != nil {
			t.Fatalf("trends: %v\n%s", err, errOut)
		}
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		switch {
		case err != nil || len(recs) > 2:
			t.Fatalf("trends csv: %v\n%s", err, out)
		case len(recs) == 1:
			return "0" // a month without the theme has no line
		}
		return recs[1][2]
	}
	t.Setenv("FEEDBACKLOOP_SERVE_SETTLE", "1s")
	before := items()
	if before == "0" {
		t.Fatalf("the planted data has no %s in May 2025", insightstest.SpikeTheme)
	}

	conn := testenv.Conn(t, dsn)
	if err := conn.Exec(ctx, "ALTER TABLE "+ch.Database()+".feedback DELETE WHERE toStartOfMonth(created_at) = toDate('2025-05-01')"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); testenv.QueryUint64(t, conn, "SELECT count() FROM system.mutations WHERE database = ? AND NOT is_done", ch.Database()) > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the deletion did not finish in a minute")
		}
		time.Sleep(50 * time.Millisecond)
	}

	if got := items(); got != before {
		t.Errorf("with serve.settle 1s, May counted %s items, want the rollup's %s", got, before)
	}
	t.Setenv("FEEDBACKLOOP_SERVE_SETTLE", "5m")
	if got := items(); got != "0" {
		t.Errorf("with serve.settle 5m, May counted %s items, want 0 from the table", got)
	}
}
