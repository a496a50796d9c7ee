package stored_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich/stored"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/internal/tone"
	"github.com/feedbackloop/feedbackloop/sinks"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// migrated connects to a fresh test database with the schema in place and
// the feedback table's merges stopped, so that planted copies stay.
func migrated(t *testing.T) *sinks.ClickHouse {
	t.Helper()
	ch, dsn := testenv.Migrated(t)
	testenv.StopMerges(t, dsn, "feedback")
	return ch
}

func TestReadsEachRecordOnceWithItsLatestTagging(t *testing.T) {
	ctx := context.Background()
	ch := migrated(t)
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	row := func(id, tagger string, themes []string, ingested time.Time, title, body string) sinks.Row {
		r := sinks.Row{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: day, IngestedAt: ingested,
			Title: title, Body: body, Tagger: tagger, Themes: themes}
		for range themes {
			r.ThemeConfidence = append(r.ThemeConfidence, 0.9)
			r.ThemeEvidence = append(r.ThemeEvidence, "")
			r.ThemeSentiment = append(r.ThemeSentiment, 0)
		}
		return r
	}
	rows := []sinks.Row{
		row("a", "llm", []string{"billing"}, day, "Invoice", "Wrong amount"),
		row("a", "llm", []string{"billing"}, day, "Invoice", "Wrong amount"), // delivered twice
		row("b", "keywords", []string{"performance"}, day, "", "Slow"),
		withSentiment(row("c", "llm", nil, day, "", "Thanks a lot"), 0.6),
		// Tagged by the LLM first, then again offline: the latest counts.
		row("d", "llm", []string{"login"}, day, "", "Cannot sign in"),
		row("d", "keywords", []string{"login"}, day.Add(time.Hour), "", "Cannot sign in"),
		row("e", "keywords", nil, day, "Dark mode", "Please add it"),
		withSentiment(row("x'; DROP TABLE feedback; --", "llm", nil, day, "", "odd id"), -0.3),
		// Untagged and in German: scored only where the LLM judged it.
		inGerman(row("f", "keywords", nil, day, "", "Bitte mehr Farben"), ""),
		inGerman(withSentiment(row("g", "llm", nil, day, "", "Das ist leider zu teuer"), -0.5), "llm"),
	}
	for _, r := range rows { // one insert each, so that duplicates land in separate parts
		if err := ch.Write(ctx, []sinks.Row{r}); err != nil {
			t.Fatal(err)
		}
	}
	s := stored.New(ch.Conn(), ch.Database())

	got, err := s.TaggedBy(ctx, "llm", day.Add(-time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, it := range got {
		ids = append(ids, it.ID)
	}
	if want := []string{"a", "c", "g", "x'; DROP TABLE feedback; --"}; !slices.Equal(ids, want) {
		t.Errorf("tagged by llm: %q, want %q", ids, want)
	}
	if got[0].Text() != "Invoice\nWrong amount" || !slices.Equal(got[0].Themes, []string{"billing"}) {
		t.Errorf("first item %+v", got[0])
	}
	if later, _ := s.TaggedBy(ctx, "llm", day.Add(time.Minute), 100); len(later) != 0 {
		t.Errorf("since filter: got %d items ingested before it", len(later))
	}

	untagged := func(filter tone.Tone, limit int) []string {
		t.Helper()
		items, err := s.Untagged(ctx, day.Add(-24*time.Hour), limit, filter)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, it := range items {
			s := fmt.Sprintf("%s %+.1f", it.ID, it.Sentiment)
			if !it.Scored() {
				s += " not scored"
			}
			got = append(got, s)
		}
		slices.Sort(got)
		return got
	}
	if got, want := untagged(tone.Any, 100), []string{"c +0.6", "e +0.0", "f +0.0 not scored", "g -0.5", "x'; DROP TABLE feedback; -- -0.3"}; !slices.Equal(got, want) {
		t.Errorf("untagged: %q, want %q", got, want)
	}
	if got, want := untagged(tone.Negative, 100), []string{"g -0.5", "x'; DROP TABLE feedback; -- -0.3"}; !slices.Equal(got, want) {
		t.Errorf("untagged and negative: %q, want %q", got, want)
	}
	if got, want := untagged(tone.Positive, 100), []string{"c +0.6"}; !slices.Equal(got, want) {
		t.Errorf("untagged and positive: %q, want %q", got, want)
	}
	if few := untagged(tone.Any, 2); len(few) != 2 {
		t.Errorf("limit 2 gave %d", len(few))
	}
}

func inGerman(r sinks.Row, by string) sinks.Row {
	r.Language, r.SentimentBy = "de", by
	return r
}

func withSentiment(r sinks.Row, v float32) sinks.Row {
	r.Sentiment = v
	return r
}

func TestWithTagsReadsEachTaggedRecordOnce(t *testing.T) {
	ctx := context.Background()
	ch := migrated(t)
	day := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	row := func(id string, ingested time.Time, tags ...string) sinks.Row {
		return sinks.Row{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: day, IngestedAt: ingested,
			Body: "text of " + id, Tagger: "keywords", Tags: tags}
	}
	for _, r := range []sinks.Row{
		row("a", day, "billing", "vip"),
		row("a", day, "billing", "vip"), // delivered twice
		row("b", day),                   // no tags
		row("c", day.Add(time.Hour), "slowness"),
		row("old", day.Add(-48*time.Hour), "billing"),
	} {
		if err := ch.Write(ctx, []sinks.Row{r}); err != nil {
			t.Fatal(err)
		}
	}
	s := stored.New(ch.Conn(), ch.Database())
	got, err := s.WithTags(ctx, day.Add(-time.Hour), 100)
	if err != nil {
		t.Fatal(err)
	}
	var summary []string
	for _, it := range got {
		summary = append(summary, it.ID+":"+strings.Join(it.Tags, ","))
	}
	if want := []string{"a:billing,vip", "c:slowness"}; !slices.Equal(summary, want) {
		t.Errorf("records with tags: %q, want %q", summary, want)
	}
}

// Usage counts each record once, on the day of its latest tagging, with
// the tokens and the routing of that tagging only; a row written before
// the schema recorded routing counts as an item of unknown routing.
func TestUsageCountsEachRecordOnceByDayTaggerAndModel(t *testing.T) {
	ctx := context.Background()
	ch := migrated(t)
	day1 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	day2 := day1.Add(23 * time.Hour)
	row := func(id, tagger, model string, routed bool, at time.Time, prompt, completion uint32) sinks.Row {
		return sinks.Row{ID: id, Source: "zendesk", Kind: "ticket", CreatedAt: day1, IngestedAt: at,
			Body: "text of " + id, Tagger: tagger, Model: model, Routed: routed, PromptTokens: prompt, CompletionTokens: completion}
	}
	for _, r := range []sinks.Row{
		row("a", "llm", "gpt", true, day1, 100, 20),
		row("a", "llm", "gpt", true, day1, 100, 20), // delivered twice
		row("b", "keywords", "", false, day1, 0, 0),
		row("c", "learned", "learned-1", true, day1, 0, 0), // routed; the LLM did not answer
		row("d", "llm", "gpt", true, day1, 50, 10),
		row("d", "keywords", "", false, day2, 0, 0), // tagged again, offline, the next day
		row("e", "llm", "gpt", true, day2, 30, 5),
		row("f", "llm", "other", true, day2, 40, 8),
		row("old", "llm", "gpt", true, day1.Add(-72*time.Hour), 999, 99),
	} {
		if err := ch.Write(ctx, []sinks.Row{r}); err != nil {
			t.Fatal(err)
		}
	}
	// A row as a worker from before migration 0005 wrote it: no routed.
	testenv.InsertRow(t, ch.Conn(), "INSERT INTO "+ch.Database()+".feedback (id, created_at, ingested_at, tagger)", "g", day1, day2, "keywords")
	got, err := stored.New(ch.Conn(), ch.Database()).Usage(ctx, day1.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, u := range got {
		lines = append(lines, fmt.Sprintf("%s %s %s %d routed %d/%d %d/%d", u.Day.Format(time.DateOnly), u.Tagger, u.Model, u.Items,
			u.Routed, u.RoutingKnown, u.PromptTokens, u.CompletionTokens))
	}
	want := []string{
		"2026-03-02 keywords  1 routed 0/1 0/0",
		"2026-03-02 learned learned-1 1 routed 1/1 0/0",
		"2026-03-02 llm gpt 1 routed 1/1 100/20",
		"2026-03-03 keywords  2 routed 0/1 0/0",
		"2026-03-03 llm gpt 1 routed 1/1 30/5",
		"2026-03-03 llm other 1 routed 1/1 40/8",
	}
	if !slices.Equal(lines, want) {
		t.Errorf("usage:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
