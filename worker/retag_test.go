package worker_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
	"github.com/feedbackloop/feedbackloop/worker"
)

const (
	taxonomyBefore = `themes:
  - name: billing
    keywords: [invoice, charged]
`
	// The team added a theme for what customers had been writing about
	// all along.
	taxonomyAfter = taxonomyBefore + `  - name: slack
    keywords: [slack]
`
)

// A theme added to the taxonomy counts over the stored history once
// retag has run: the records that mention it gain it, records the LLM
// tagged keep its themes with their sentiment scored again (less a theme
// the taxonomy no longer defines; one left with none is tagged offline), unchanged
// records are not rewritten, trends over settled periods see the change,
// and a second run writes nothing.
func TestRetagAppliesANewThemeToStoredFeedback(t *testing.T) {
	ctx := context.Background()
	ch, dsn := testenv.Migrated(t)
	conn := testenv.Conn(t, dsn)
	db := ch.Database()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Enrich.Taxonomy = filepath.Join(dir, "taxonomy.yaml")
	if err := os.WriteFile(cfg.Enrich.Taxonomy, []byte(taxonomyBefore), 0o644); err != nil {
		t.Fatal(err)
	}

	// Three weeks ago the worker stored these with the old taxonomy.
	created := time.Now().UTC().Add(-21 * 24 * time.Hour).Truncate(time.Second)
	ingested := created.Add(time.Hour)
	records := []*feedback.Record{
		{ID: "t:1", Source: "zendesk", Kind: "ticket", CreatedAt: created, Body: "The Slack integration drops half our messages.",
			Account: &feedback.Account{ID: "acme", ARR: 1000}, Metadata: map[string]string{"priority": "high"}},
		{ID: "t:2", Source: "zendesk", Kind: "ticket", CreatedAt: created, Body: "We were charged twice for March."},
	}
	stage, err := worker.NewEnricher(cfg, nil, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	items := []*enrich.Item{{Record: records[0]}, {Record: records[1]}}
	if err := stage.Enrich(ctx, items); err != nil {
		t.Fatal(err)
	}
	rows := []sinks.Row{worker.RowOf(items[0], ingested), worker.RowOf(items[1], ingested)}
	// An LLM answer, with evidence a redactor of its day let through and
	// a sentiment this build would not give.
	llmRow := worker.RowOf(&enrich.Item{
		Record: &feedback.Record{ID: "t:3", Source: "zendesk", Kind: "ticket", CreatedAt: created,
			Body: "Billing is a mess, I was charged twice, write to jane.doe at gmail.com"},
		Themes:       []enrich.Theme{{Name: "billing", Confidence: 0.9, Evidence: "I was charged twice, write to jane.doe at gmail.com"}},
		Tagger:       "llm",
		Model:        "gpt-x",
		Routed:       true,
		PromptTokens: 120, CompletionTokens: 30,
	}, ingested)
	// An LLM answer with a theme the taxonomy has since renamed.
	renamed := worker.RowOf(&enrich.Item{
		Record: &feedback.Record{ID: "t:4", Source: "zendesk", Kind: "ticket", CreatedAt: created, Body: "The invoice is in the wrong currency"},
		Themes: []enrich.Theme{{Name: "invoicing", Confidence: 0.8}},
		Tagger: "llm", Model: "gpt-x",
	}, ingested)
	// German, without a language, scored as English by an earlier build
	// ("fast" is praise in English and "almost" in German).
	german := worker.RowOf(&enrich.Item{
		Record:    &feedback.Record{ID: "t:5", Source: "zendesk", Kind: "ticket", CreatedAt: created, Body: "Die App ist fast immer langsam."},
		Sentiment: 0.45, Tagger: "keywords",
	}, ingested)
	// German again, tagged by the LLM, which judged its sentiment: kept.
	judged := worker.RowOf(&enrich.Item{
		Record: &feedback.Record{ID: "t:6", Source: "zendesk", Kind: "ticket", CreatedAt: created, Language: "de",
			Body: "Die Rechnung ist doppelt."},
		Themes:    []enrich.Theme{{Name: "billing", Confidence: 0.9, Evidence: "Die Rechnung ist doppelt", Sentiment: -0.5}},
		Sentiment: -0.5, SentimentBy: "llm", Tagger: "llm", Model: "gpt-x",
	}, ingested)
	// German, tagged by the LLM with a theme since renamed beside one the
	// taxonomy still has: the offline tagger cannot read it, and it keeps
	// what the LLM said that still holds.
	partly := worker.RowOf(&enrich.Item{
		Record: &feedback.Record{ID: "t:7", Source: "zendesk", Kind: "ticket", CreatedAt: created, Language: "de",
			Body: "Die Rechnung kam in Dollar statt Euro."},
		Themes: []enrich.Theme{{Name: "invoicing", Confidence: 0.9, Evidence: "in Dollar statt Euro", Sentiment: -0.4},
			{Name: "billing", Confidence: 0.8, Evidence: "Die Rechnung", Sentiment: -0.3}},
		Sentiment: -0.4, SentimentBy: "llm", Tagger: "llm", Model: "gpt-x",
	}, ingested)
	rows = append(rows, llmRow, renamed, german, judged, partly)
	if err := ch.Write(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := ch.Write(ctx, rows[:1]); err != nil { // delivered twice
		t.Fatal(err)
	}
	store, err := insights.New(ch.Conn(), db, insights.WithSettle(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.Refresh(ctx); err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(cfg.Enrich.Taxonomy, []byte(taxonomyAfter), 0o644); err != nil {
		t.Fatal(err)
	}
	rawRows := func() uint64 { return testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback") }
	before := rawRows()
	dry, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{DryRun: true, Chunk: 2}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if dry.Read != 7 || dry.Changed != 5 || dry.ThemesChanged != 3 || dry.EvidenceChanged != 1 || dry.TextRedacted != 1 || dry.LanguageGuessed != 1 ||
		dry.Added["slack"] != 1 || dry.Added["billing"] != 1 ||
		dry.Removed["invoicing"] != 2 || dry.LLMKept != 3 || dry.LLMStale != 1 || dry.Written != 0 || rawRows() != before {
		t.Fatalf("dry run %+v, %d rows stored (was %d): want 7 read, t:1 gaining slack, t:3 rescored and redacted, t:4 tagged offline, t:5 in German, t:7 losing invoicing, nothing written", dry, rawRows(), before)
	}

	st, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 5 || st.LLMKept != 3 || rawRows() != before+5 {
		t.Fatalf("retag %+v, %d rows stored (was %d): want t:1, t:3, t:4, t:5 and t:7 written once each", st, rawRows(), before)
	}
	var got []sinks.Row
	if err := ch.Scan(ctx, time.Time{}, 10, func(r []sinks.Row) error { got = append(got, r...); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(got, func(a, b sinks.Row) int { return strings.Compare(a.ID, b.ID) })
	if len(got) != 7 {
		t.Fatalf("%d records, want 7", len(got))
	}
	if g := got[6]; !slices.Equal(g.Themes, []string{"billing"}) || g.Tagger != "llm" || g.SentimentBy != "llm" || g.Sentiment != -0.4 ||
		g.ThemeEvidence[0] != "Die Rechnung" || g.ThemeSentiment[0] != -0.3 {
		t.Errorf("t:7 %+v: want the LLM's billing, with its evidence and sentiment, and the renamed theme gone", g)
	}
	if g := got[5]; g.SentimentBy != "llm" || g.Sentiment != -0.5 || g.ThemeSentiment[0] != -0.5 {
		t.Errorf("t:6 sentiment by %q, %v, %v: want the LLM's kept", g.SentimentBy, g.Sentiment, g.ThemeSentiment)
	}
	if g := got[4]; g.Language != "de" || g.Sentiment != 0 {
		t.Errorf("t:5 language %q, sentiment %v: want German, not scored", g.Language, g.Sentiment)
	}
	if g := got[3]; !slices.Equal(g.Themes, []string{"billing"}) || g.Tagger != "keywords" || g.Model != "" {
		t.Errorf("t:4 %+v: want the renamed theme's record tagged offline", g)
	}
	if !slices.Equal(got[0].Themes, []string{"slack"}) || got[0].Tagger != "keywords" || got[0].IngestedAt.Unix() != ingested.Unix() ||
		got[0].Version != rows[0].Version+1 || got[0].AccountID != "acme" || got[0].MetadataValues[0] != "high" {
		t.Errorf("t:1 %+v: want slack, the same record, ingested when it was, a version newer", got[0])
	}
	llm := got[2]
	if !slices.Equal(llm.Themes, []string{"billing"}) || llm.Tagger != "llm" || llm.Model != "gpt-x" || !llm.Routed ||
		llm.PromptTokens != 120 || llm.Sentiment >= 0 || llm.ThemeSentiment[0] >= 0 {
		t.Errorf("t:3 %+v: want the LLM's billing, tokens and routing kept, and a negative sentiment", llm)
	}
	if strings.Contains(llm.ThemeEvidence[0], "jane.doe") || strings.Contains(llm.Body, "jane.doe") {
		t.Errorf("t:3 evidence %q body %q: the address is still there", llm.ThemeEvidence[0], llm.Body)
	}

	trends, err := store.Trends(ctx, insights.TrendsQuery{Grain: insights.Week, Periods: 5, Themes: []string{"slack"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(trends.Themes) != 1 || trends.Themes[0].Items != 1 {
		t.Errorf("trends of slack %+v, want the record of three weeks ago", trends.Themes)
	}

	again, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{}, zap.NewNop())
	if err != nil || again.Changed != 0 || again.Written != 0 || rawRows() != before+5 {
		t.Errorf("second run %+v (%v): want nothing changed or written", again, err)
	}
}

// Records a busy or failing LLM left with offline themes are asked about
// later with retag --llm: they get the LLM's answer, records it answered
// before are not asked again, a dry run asks nothing, and a second run
// has nothing left to ask.
func TestRetagWithTheLLMAsksAboutWhatTheWorkerLeftOffline(t *testing.T) {
	ctx := context.Background()
	ch, conn, db, llm, cfg := retagWithLLM(t)

	created := time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Second)
	row := func(id, body, tagger string) sinks.Row {
		it := &enrich.Item{Record: &feedback.Record{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: created, Body: body},
			Tagger: tagger, Routed: true}
		if tagger == "llm" {
			it.Themes = []enrich.Theme{{Name: "billing", Confidence: 0.9, Evidence: "invoice"}}
			it.Model, it.PromptTokens = "fake-model", 90
		}
		return worker.RowOf(it, created.Add(time.Hour))
	}
	rows := []sinks.Row{
		row("r:1", "The invoice was sent twice (busy)", "keywords"),
		row("r:2", "The invoice total is wrong (answered)", "llm"),
		row("r:3", "Die invoice ist doppelt (paused)", "keywords"),
	}
	if err := ch.Write(ctx, rows); err != nil {
		t.Fatal(err)
	}
	stored := func(id string) sinks.Row {
		var got []sinks.Row
		if err := ch.Scan(ctx, time.Time{}, 10, func(r []sinks.Row) error { got = append(got, r...); return nil }); err != nil {
			t.Fatal(err)
		}
		for _, r := range got {
			if r.ID == id {
				return r
			}
		}
		t.Fatalf("%s not stored", id)
		return sinks.Row{}
	}

	dry, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{DryRun: true, LLM: true}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if dry.LLMAsked != 2 || dry.LLMAnswered != 0 || dry.Written != 0 || len(llm.requests()) != 0 {
		t.Fatalf("dry run %+v after %d requests: want 2 that would be asked, nothing asked or written", dry, len(llm.requests()))
	}
	// With --ask-again the dry run counts r:2 among those asked, not
	// among those that keep the LLM's themes (QA saw it say both).
	dry, err = worker.Retag(ctx, cfg, ch, worker.RetagOptions{DryRun: true, LLM: true, AskAgain: true}, zap.NewNop())
	if err != nil || dry.LLMAsked != 3 || dry.LLMKept != 0 || len(llm.requests()) != 0 {
		t.Fatalf("dry run --ask-again %+v (%v): want 3 that would be asked, none kept, nothing asked", dry, err)
	}

	st, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{LLM: true}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	// r:2 is written too, its sentiment scored, as by any retag.
	if st.LLMAsked != 2 || st.LLMAnswered != 2 || st.LLMPromptTokens == 0 || st.LLMKept != 1 || st.Written != 3 {
		t.Fatalf("retag --llm %+v: want r:1 and r:3 asked, answered and written, r:2 kept", st)
	}
	for _, id := range []string{"r:1", "r:3"} {
		if r := stored(id); r.Tagger != "llm" || !slices.Contains(r.Themes, "billing") || !r.Routed || r.PromptTokens == 0 {
			t.Errorf("%s stored as %s %v (routed %v, %d prompt tokens), want the LLM's billing", id, r.Tagger, r.Themes, r.Routed, r.PromptTokens)
		}
	}
	if r := stored("r:2"); r.PromptTokens != 90 {
		t.Errorf("r:2 was answered again: %d prompt tokens", r.PromptTokens)
	}
	for _, body := range llm.requests() {
		if strings.Contains(body, "answered") {
			t.Errorf("the LLM was asked about r:2, which it had answered: %.200s", body)
		}
	}
	asked := len(llm.requests())
	if n := testenv.QueryUint64(t, conn, "SELECT count() FROM "+db+".feedback FINAL WHERE tagger = 'llm'"); n != 3 {
		t.Errorf("%d records tagged by the LLM, want 3", n)
	}

	again, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{LLM: true}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if again.LLMAsked != 0 || again.Written != 0 || len(llm.requests()) != asked {
		t.Errorf("second run %+v after %d more requests: want nothing asked or written", again, len(llm.requests())-asked)
	}
}

// A record the customer edited while retag read it keeps the edit: a
// worker stored the new version (in the same second as the one read,
// since the edit came right after) while the run waited for the LLM, and
// the run leaves that record for a later run instead of writing its
// rewrite of the version it read, one second newer, over the edit. The
// other records are retagged as usual.
func TestRetagLeavesARecordAWorkerStoredANewerVersionOf(t *testing.T) {
	ctx := context.Background()
	ch, conn, db, llm, cfg := retagWithLLM(t)

	created := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	version := func(id, body string) sinks.Row {
		return worker.RowOf(&enrich.Item{Record: &feedback.Record{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: created, Body: body},
			Tagger: "keywords", Routed: true}, created.Add(time.Minute))
	}
	if err := ch.Write(ctx, []sinks.Row{version("e:1", "The invoice is wrong."), version("e:2", "Another invoice is wrong.")}); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	llm.mu.Lock()
	llm.onRequest = func() {
		once.Do(func() {
			if err := ch.Write(ctx, []sinks.Row{version("e:1", "The invoice is wrong. Edit: it was the March one.")}); err != nil {
				t.Error(err)
			}
		})
	}
	llm.mu.Unlock()

	stored := func(id string) string {
		t.Helper()
		var s string
		if err := conn.QueryRow(ctx, "SELECT concat(tagger, ' ', body) FROM "+db+".feedback FINAL WHERE id = ?", id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}

	st, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{LLM: true}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	if st.Superseded != 1 || st.Written != 1 || st.Changed != 1 {
		t.Errorf("retag %+v: want e:1 left as superseded, e:2 written", st)
	}
	if got := stored("e:1"); !strings.Contains(got, "Edit:") {
		t.Errorf("e:1 is stored as %q: the customer's edit was lost", got)
	}
	if got := stored("e:2"); !strings.HasPrefix(got, "llm ") {
		t.Errorf("e:2 is stored as %q, want it retagged by the LLM", got)
	}

	// The next run retags the edited version.
	again, err := worker.Retag(ctx, cfg, ch, worker.RetagOptions{LLM: true}, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	body := stored("e:1")
	if again.Superseded != 0 || again.Written != 1 || !strings.HasPrefix(body, "llm ") || !strings.Contains(body, "Edit:") {
		t.Errorf("second run %+v, e:1 stored as %q: want the edited version retagged", again, body)
	}
}

// retagWithLLM is a migrated test database (its sink, a connection for
// assertions and its name) and a configuration whose LLM, a flakyLLM,
// is asked about every record the offline tagger tags.
func retagWithLLM(t *testing.T) (*sinks.ClickHouse, clickhouse.Conn, string, *flakyLLM, config.Config) {
	t.Helper()
	ch, dsn := testenv.Migrated(t)
	llm := newFlakyLLM(t, 10*time.Millisecond)
	cfg := config.Default()
	llmConfig(&cfg, llm)
	return ch, testenv.Conn(t, dsn), ch.Database(), llm, cfg
}
