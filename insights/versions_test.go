package insights_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/sinks"
	"github.com/feedbackloop/feedbackloop/worker"
)

// sameSecond returns two versions of record id as the worker makes them,
// stored by the stream 200 ms and 800 ms into one second: the first about
// a CSV export, the edit after it about billing.
func sameSecond(id string) (first, edited sinks.Row) {
	at := time.Date(2026, 3, 4, 10, 0, 7, 0, time.UTC)
	version := func(after time.Duration, body, theme string) sinks.Row {
		it := &enrich.Item{
			Record: &feedback.Record{ID: id, Source: "zendesk", Kind: "ticket",
				CreatedAt: day("2024-01-03").Add(9 * time.Hour), Title: "Ticket " + id, Body: body},
			Themes:    []enrich.Theme{{Name: theme, Confidence: 0.9, Evidence: body, Sentiment: -0.5}},
			Sentiment: -0.5,
			Tagger:    "keywords",
		}
		return worker.RowOf(it, at.Add(after))
	}
	return version(200*time.Millisecond, "The CSV export of "+id+" times out.", "csv-export"),
		version(800*time.Millisecond, "Edited: the invoice of "+id+" charged us twice.", "billing")
}

// Two versions of a record that the stream stored within one second, written
// by two batches (two workers sharing the consumer, or one worker's two
// batches): every query keeps the newer one, and so does the merge,
// whichever batch was written first. Their ingested_at is the same second;
// the version column tells them apart. Both orders are planted, because
// with equal versions a merge keeps the row inserted last and argMax the
// row it reads first.
func TestAnEditInTheSameSecondWinsWhicheverBatchIsWrittenFirst(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first7, edited7 := sameSecond("zendesk:7")
	first8, edited8 := sameSecond("zendesk:8")
	e.write(t, []sinks.Row{edited7, first8})
	e.write(t, []sinks.Row{first7, edited8})
	edits := map[string]string{"zendesk:7": edited7.Body, "zendesk:8": edited8.Body}

	window := insights.Filter{From: day("2024-01-01"), To: day("2024-02-01")}
	counts := func(store *insights.Store) string {
		t.Helper()
		tr, err := store.Trends(ctx, insights.TrendsQuery{Grain: insights.Month, Filter: window})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]uint64{}
		for _, th := range tr.Themes {
			if th.Items > 0 {
				got[th.Theme] = th.Items
			}
		}
		return fmt.Sprint(got)
	}
	if got := counts(e.store); got != "map[billing:2]" {
		t.Errorf("trends count %s, want the edits' theme alone, map[billing:2]", got)
	}
	settled := e.settledStore(t)
	if _, err := settled.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if got := counts(settled); got != "map[billing:2]" {
		t.Errorf("trends from the rollup count %s, want map[billing:2]", got)
	}
	for theme, want := range map[string]int{"billing": 2, "csv-export": 0} {
		q, err := e.store.Quotes(ctx, insights.QuotesQuery{Theme: theme, End: day("2024-02-01"), Days: 60})
		if err != nil {
			t.Fatal(err)
		}
		ok := len(q.Quotes) == want
		for _, quote := range q.Quotes {
			ok = ok && quote.Passage == edits[quote.ID]
		}
		if !ok {
			t.Errorf("quotes for %s: %+v, want %d, the edits' passages", theme, q.Quotes, want)
		}
	}

	read := func(query string) map[string]string {
		t.Helper()
		var rows []struct {
			ID   string `ch:"id"`
			Body string `ch:"body"`
		}
		if err := e.conn.Select(ctx, &rows, query); err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, r := range rows {
			if _, twice := got[r.ID]; twice {
				got[r.ID] += " AND " + r.Body
				continue
			}
			got[r.ID] = r.Body
		}
		return got
	}
	if got := read("SELECT id, body FROM " + e.db + ".feedback FINAL"); fmt.Sprint(got) != fmt.Sprint(edits) {
		t.Errorf("FINAL reads %q, want the edits %q", got, edits)
	}
	if err := e.conn.Exec(ctx, "SYSTEM START MERGES "+e.db+".feedback"); err != nil {
		t.Fatal(err)
	}
	if err := e.conn.Exec(ctx, "OPTIMIZE TABLE "+e.db+".feedback FINAL"); err != nil {
		t.Fatal(err)
	}
	if got := read("SELECT id, body FROM " + e.db + ".feedback"); fmt.Sprint(got) != fmt.Sprint(edits) {
		t.Errorf("after the merge the table holds %q, want only the edits %q", got, edits)
	}
}
