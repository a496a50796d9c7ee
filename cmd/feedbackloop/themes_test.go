package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// storeRows migrates a fresh database, writes rows to it, and points the
// configuration at it.
func storeRows(t *testing.T, rows []sinks.Row) {
	t.Helper()
	dsn := testenv.ClickHouse(t)
	ch, err := sinks.Open(dsn, 5*time.Second, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if _, err := ch.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := ch.Write(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	t.Setenv("FEEDBACKLOOP_CLICKHOUSE_DSN", dsn)
}

func row(id, tagger, body string, themes ...string) sinks.Row {
	now := time.Now().UTC().Truncate(time.Second)
	r := sinks.Row{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: now, IngestedAt: now, Body: body, Tagger: tagger, Themes: themes}
	for range themes {
		r.ThemeConfidence = append(r.ThemeConfidence, 0.9)
		r.ThemeEvidence = append(r.ThemeEvidence, "")
		r.ThemeSentiment = append(r.ThemeSentiment, 0)
	}
	return r
}

func TestExportLabelsWritesTheLLMAnswersAsTrainingData(t *testing.T) {
	storeRows(t, []sinks.Row{
		row("a", "llm", "I was refunded only half", "refunds", "billing"),
		row("a", "llm", "I was refunded only half", "refunds", "billing"), // delivered twice
		row("b", "keywords", "Slow dashboard", "performance"),
		row("c", "llm", "Thanks, all good"),
	})
	out := filepath.Join(t.TempDir(), "labels.csv")
	if _, stderr, err := execute(t, context.Background(), "tagger", "export-labels", "--out", out); err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	recs := readCSVFile(t, out)
	want := [][]string{{"text", "labels"}, {"I was refunded only half", "refunds"}, {"Thanks, all good", ""}}
	if fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Errorf("exported %q, want %q", recs, want)
	}
}

func TestThemesSuggestProposesWhatNoThemeCovers(t *testing.T) {
	var rows []sinks.Row
	for i, s := range []string{
		"Dark mode please, my eyes hurt", "Is dark mode coming?", "I need dark mode at night",
		"Dark mode for the mobile app", "Dark mode would be lovely",
	} {
		rows = append(rows, row(fmt.Sprint("d", i), "keywords", s))
	}
	rows = append(rows, row("tagged", "keywords", "Dark mode invoice refund", "billing"))
	storeRows(t, rows)
	stdout, stderr, err := execute(t, context.Background(), "themes", "suggest", "--format", "json", "--clusters", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var got struct {
		Untagged   int `json:"untagged"`
		Candidates []struct {
			Name   string   `json:"name"`
			Count  int      `json:"count"`
			Quotes []string `json:"quotes"`
			IDs    []string `json:"ids"`
		} `json:"candidates"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if got.Untagged != 5 || len(got.Candidates) != 1 {
		t.Fatalf("got %+v, want one candidate from the 5 untagged items", got)
	}
	c := got.Candidates[0]
	if !strings.Contains(c.Name, "dark") || c.Count != 5 || len(c.Quotes) == 0 || slices.Contains(c.IDs, "tagged") {
		t.Errorf("candidate %+v", c)
	}
	table, _, err := execute(t, context.Background(), "themes", "suggest", "--clusters", "1")
	if err != nil || !strings.Contains(table, "dark") || !strings.Contains(table, "5 untagged items") {
		t.Errorf("table output %q, %v", table, err)
	}
}
