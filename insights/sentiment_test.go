package insights_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// A theme's mean sentiment is over the records the lexicon scored: a
// German review scores 0, and counting it would pull the mean towards
// neutral. The same figure comes from the live query, from the rollup
// and from the Grafana view, with every record delivered twice.
func TestMeanSentimentLeavesOutRecordsInOtherLanguages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	store := e.settledStore(t)
	lang := func(r sinks.Row, language string) sinks.Row { r.Language = language; return r }
	rows := []sinks.Row{
		item("en-1", "zendesk", day("2024-01-02"), "a1", -0.8, "billing"),
		lang(item("en-2", "zendesk", day("2024-01-03"), "a2", -0.4, "billing"), "en-GB"),
		lang(item("de-1", "zendesk", day("2024-01-03"), "a3", 0, "billing"), "de"),
		lang(item("fr-1", "intercom", day("2024-01-04"), "a4", 0, "billing"), "fr-CA"),
		lang(item("ja-1", "intercom", day("2024-01-04"), "a5", 0, "export"), "ja"),
		// German, judged by the LLM (migration 0007): a score like any.
		byLLM(lang(item("de-2", "zendesk", day("2024-01-05"), "a6", -0.6, "export"), "de")),
	}
	e.write(t, rows)
	e.write(t, rows)
	q := insights.TrendsQuery{Grain: insights.Month, Filter: insights.Filter{From: day("2024-01-01"), To: day("2024-02-01")}}
	check := func(how string, tr *insights.Trends, rolled int) {
		t.Helper()
		if tr.RolledUp != rolled {
			t.Fatalf("%s: %d periods from the rollup, want %d", how, tr.RolledUp, rolled)
		}
		got := map[string]string{}
		for _, th := range tr.Themes {
			p := th.Points[0]
			got[th.Theme] = fmt.Sprintf("%d items, sentiment %.2f over %d", p.Items, p.Sentiment, p.Scored)
		}
		want := map[string]string{"billing": "4 items, sentiment -0.60 over 2", "export": "2 items, sentiment -0.60 over 1"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %v, want %v", how, got, want)
		}
	}
	tr, err := store.Trends(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	check("live", tr, 0)
	waitNextSecond()
	if _, err := store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if tr, err = store.Trends(ctx, q); err != nil {
		t.Fatal(err)
	}
	check("rolled up", tr, 1)
	if got := e.count(t, "SELECT toUInt64(round(-sentiment * 100)) FROM {db}.grafana_theme_periods WHERE grain = 'month' AND theme = 'billing'"); got != 60 {
		t.Errorf("Grafana's billing sentiment ×-100: %d, want 60", got)
	}
}

// byLLM marks a row's sentiment as the LLM's judgement, its themes' too.
func byLLM(r sinks.Row) sinks.Row {
	r.SentimentBy = "llm"
	for i := range r.ThemeSentiment {
		r.ThemeSentiment[i] = r.Sentiment
	}
	return r
}

// The SQL that tells scored records and enrich.ScoresLanguage agree.
func TestScoredLanguagesAgreeWithTheScorer(t *testing.T) {
	e := newEnv(t)
	for _, l := range []string{"", "en", "EN", "en-GB", "en_us", "eng", "English", "de", "fr-CA", "e", "enx", "eng-x", "es", "ja", "english-uk"} {
		r := item("x-"+l, "zendesk", day("2024-01-02"), "a", 0.5)
		r.Language = l
		e.write(t, []sinks.Row{r})
		got := e.count(t, "SELECT toUInt64(countIf("+insights.ScoredSQL+")) FROM {db}.feedback WHERE id = ?", r.ID) == 1
		if want := enrich.ScoresLanguage(l); got != want {
			t.Errorf("language %q: SQL says scored %v, enrich %v", l, got, want)
		}
	}
	// Whatever the language, a sentiment the LLM judged is a score.
	r := byLLM(item("x-llm", "zendesk", day("2024-01-02"), "a", 0.5))
	r.Language = "ja"
	e.write(t, []sinks.Row{r})
	if e.count(t, "SELECT toUInt64(countIf("+insights.ScoredSQL+")) FROM {db}.feedback WHERE id = ?", r.ID) != 1 {
		t.Error("a Japanese record the LLM judged is not scored")
	}
}
