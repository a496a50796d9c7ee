package insights_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/insights"
)

// dashboardQueries returns every SQL query of the provisioned Grafana
// dashboard (panels, template variables, annotations) by where it stands.
func dashboardQueries(t *testing.T) map[string]string {
	t.Helper()
	raw, err := os.ReadFile("../deploy/grafana/dashboards/feedbackloop.json")
	if err != nil {
		t.Fatal(err)
	}
	type target struct {
		RawSQL string `json:"rawSql"`
	}
	var d struct {
		Panels []struct {
			Title   string   `json:"title"`
			Targets []target `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Name  string `json:"name"`
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
		Annotations struct {
			List []struct {
				Name   string `json:"name"`
				Target target `json:"target"`
			} `json:"list"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("dashboard JSON: %v", err)
	}
	out := map[string]string{}
	for _, p := range d.Panels {
		for i, tg := range p.Targets {
			out[fmt.Sprintf("panel %q query %d", p.Title, i)] = tg.RawSQL
		}
	}
	for _, v := range d.Templating.List {
		if q, ok := v.Query.(string); ok && v.Type == "query" {
			out["variable "+v.Name] = q
		}
	}
	for _, a := range d.Annotations.List {
		if a.Target.RawSQL != "" {
			out["annotation "+a.Name] = a.Target.RawSQL
		}
	}
	return out
}

// Every query of the Grafana dashboard runs on the ClickHouse of the tests
// (18.16), with Grafana's macros and variables filled in as the ClickHouse
// data source fills them; the tagging panels count each record once.
func TestGrafanaDashboardQueriesRun(t *testing.T) {
	e := newEnv(t)
	rows := trendRows()
	llmRow := rows[0]
	llmRow.ID, llmRow.Tagger, llmRow.Model, llmRow.PromptTokens, llmRow.CompletionTokens = "llm-1", "llm", "gpt-x", 150, 25
	llmRow.Routed = true
	rows[1].Routed = true // routed, and tagged offline: the LLM did not answer
	rows = append(rows, llmRow)
	e.write(t, rows)
	e.write(t, rows[len(rows)-2:]) // two records delivered twice
	store := e.settledStore(t)
	shipped := day("2024-01-12")
	if _, err := store.ImportBets(t.Context(), []insights.Bet{
		{ID: "exports", Title: "Exports that finish", Status: "shipped", Themes: []string{"export"}, ShippedAt: &shipped},
	}); err != nil {
		t.Fatal(err)
	}
	waitNextSecond()
	if _, err := store.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	// From the planted records' creation (January 2024) to today, when
	// they were ingested: both kinds of panel have rows.
	from, to := day("2023-12-01"), time.Now().AddDate(0, 0, 1)
	fill := strings.NewReplacer(
		"feedbackloop.", e.db+".",
		"$__fromTime", fmt.Sprintf("toDateTime(%d)", from.Unix()),
		"$__toTime", fmt.Sprintf("toDateTime(%d)", to.Unix()),
		"${grain}", "week",
		"${theme:singlequote}", "'billing','export'",
	)
	queries := dashboardQueries(t)
	if len(queries) < 8 {
		t.Fatalf("found %d queries in the dashboard, want every panel's", len(queries))
	}
	results := map[string]uint64{}
	for where, q := range queries {
		sql := fill.Replace(q)
		if strings.Contains(sql, "$") {
			t.Errorf("%s: a macro or variable the test does not fill: %s", where, sql)
			continue
		}
		results[where] = e.count(t, "SELECT count() FROM ("+sql+")")
	}
	for where, n := range results {
		if n == 0 {
			t.Errorf("%s returned no rows on the planted data", where)
		}
	}
	byTagger := fill.Replace(queries[`panel "Records by tagger (per day)" query 0`])
	if n := e.count(t, "SELECT toUInt64(sum(records)) FROM ("+byTagger+")"); n != uint64(len(rows)) {
		t.Errorf("records by tagger add up to %d, want the %d records once each", n, len(rows))
	}
	if n := e.count(t, "SELECT toUInt64(sumIf(records, tagger = 'llm')) FROM ("+byTagger+")"); n != 1 {
		t.Errorf("llm records %d, want 1", n)
	}
	// The rows were all ingested within the test's first moments: one day.
	routed := fill.Replace(queries[`panel "Share routed to the LLM (per day)" query 0`])
	if n, share := e.count(t, "SELECT count() FROM ("+routed+")"), e.count(t, "SELECT toUInt64(round(max(routed_share) * 1000000)) FROM ("+routed+")"); n != 1 || share != uint64(math.Round(2e6/float64(len(rows)))) {
		t.Errorf("routed share: %d days, share×10⁶ %d; want 1 day and 2 of the %d records", n, share, len(rows))
	}
	tokens := fill.Replace(queries[`panel "LLM tokens (per day)" query 0`])
	if n := e.count(t, "SELECT toUInt64(sum(prompt) * 1000 + sum(completion)) FROM ("+tokens+")"); n != 150025 {
		t.Errorf("LLM tokens as prompt×1000+completion: %d, want 150025 (150 and 25, counted once)", n)
	}
}
