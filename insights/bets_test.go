package insights_test

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/insights/insightstest"
	"github.com/feedbackloop/feedbackloop/internal/tone"
	"github.com/feedbackloop/feedbackloop/sinks"
)

func TestParseBetsReportsFileLineAndField(t *testing.T) {
	for _, tc := range []struct {
		name, format, input, want string
	}{
		{"bad status", "yaml", "bets:\n  - id: a\n    title: A\n    status: doing\n    themes: [x]\n", `bets.yaml line 4: status "doing": want one of exploring, committed, in_progress, shipped or dropped`},
		{"shipped without date", "yaml", "- id: a\n  title: A\n  status: shipped\n  themes: [x]\n", "bets.yaml line 1: shipped_at \"\": is required when status is shipped"},
		{"bad date", "yaml", "- id: a\n  title: A\n  status: shipped\n  shipped_at: 03/04/2024\n  themes: [x]\n", `bets.yaml line 4: shipped_at "03/04/2024": want a date as YYYY-MM-DD`},
		{"no themes", "yaml", "- id: a\n  title: A\n  status: exploring\n", `bets.yaml line 1: themes "": name at least one theme`},
		{"tab indent", "yaml", "bets:\n\t- id: a\n", "bets.yaml line 2: found character that cannot start any token (the line is indented with a tab; YAML indents with spaces only)"},
		{"duplicate id", "yaml", "- {id: a, title: A, status: exploring, themes: [x]}\n- {id: a, title: B, status: exploring, themes: [y]}\n", `bets.yaml: id "a": appears twice`},
		{"csv bad status", "csv", "id,title,status,themes\na,A,exploring,x\nb,B,later,y\n", `bets.csv line 3: status "later"`},
		{"csv unknown column", "csv", "id,title,state,themes\n", `bets.csv line 1: column "state"`},
		{"csv unquoted comma", "csv", "id,title,status,themes,notes\na,A,exploring,x,fine\nb,B,exploring,y,slow, and flaky\n", `bets.csv line 3: 6 fields where the header has 5 (field 6 is " and flaky")`},
		{"csv missing column", "csv", "id,title,themes\n", `bets.csv line 1: column "status": is missing`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			if tc.format == "yaml" {
				_, err = insights.ParseBetsYAML("bets.yaml", strings.NewReader(tc.input))
			} else {
				_, err = insights.ParseBetsCSV("bets.csv", strings.NewReader(tc.input))
			}
			var be *insights.BetError
			if !errors.As(err, &be) || !strings.Contains(err.Error(), strings.ReplaceAll(tc.want, " or ", ", ")) && !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

// Semicolons between the columns (a spreadsheet with decimal commas) read
// as commas do; themes are then separated by "|".
func TestBetsCSVWithSemicolons(t *testing.T) {
	bets, err := insights.ParseBetsCSV("bets.csv", strings.NewReader(
		"id;title;status;themes;notes\nexports;Faster exports;committed;export-timeouts|export-formats;big, slow files\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bets) != 1 || bets[0].ID != "exports" || strings.Join(bets[0].Themes, ",") != "export-timeouts,export-formats" || bets[0].Notes != "big, slow files" {
		t.Fatalf("got %+v", bets)
	}
}

func TestReimportingBetsUpdatesThemInsteadOfDuplicating(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first, err := insights.ParseBetsCSV("bets.csv", strings.NewReader(
		"id,title,status,owner,themes,shipped_at,notes\n"+
			"exports,Faster exports,shipped,dana,export-timeouts;export-formats,2024-03-01,\n"+
			"sso,SSO,committed,lee,sso-login,,\"needs, commas\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ImportBets(ctx, first); err != nil {
		t.Fatal(err)
	}
	second, err := insights.ParseBetsYAML("bets.yaml", strings.NewReader(`
- id: sso
  title: SSO for everyone
  status: shipped
  shipped_at: 2024-05-02
  themes: [sso-login]
- id: exports
  title: Faster exports
  status: dropped
  themes: [export-timeouts]
`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ImportBets(ctx, second); err != nil {
		t.Fatal(err)
	}
	bets, err := e.store.ListBets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bets) != 2 {
		t.Fatalf("%d bets after re-import, want 2: %+v", len(bets), bets)
	}
	exports, sso := bets[0], bets[1]
	if exports.Status != "dropped" || exports.ShippedAt != nil || len(exports.Themes) != 1 {
		t.Errorf("exports after re-import: %+v (the newer version drops its ship date and a theme)", exports)
	}
	if sso.Status != "shipped" || sso.ShippedAt == nil || sso.ShippedAt.Format("2006-01-02") != "2024-05-02" || sso.Title != "SSO for everyone" {
		t.Errorf("sso after re-import: %+v", sso)
	}
	if n := e.count(t, "SELECT count() FROM {db}.bets"); n != 4 {
		t.Errorf("%d stored versions, want 4 (two per bet)", n)
	}
	if n := e.count(t, "SELECT count() FROM {db}.grafana_bets WHERE (id = 'exports' AND status = 'dropped' AND shipped_at IS NULL) OR (id = 'sso' AND status = 'shipped')"); n != 2 {
		t.Errorf("grafana_bets does not show the newest versions (%d of 2 match)", n)
	}
}

func TestBetsShowEvidenceUnaddressedDemandAndBetsWithoutEvidence(t *testing.T) {
	e, d := plantedEnv(t)
	ctx := context.Background()
	bets, err := insights.ParseBetsYAML("planted.yaml", strings.NewReader(d.BetsYAML))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ImportBets(ctx, bets); err != nil {
		t.Fatal(err)
	}
	r, err := e.store.Bets(ctx, insights.BetsQuery{End: d.End})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Unaddressed) == 0 || r.Unaddressed[0].Theme != insightstest.UncoveredTheme {
		t.Fatalf("unaddressed %+v, want %s first", r.Unaddressed, insightstest.UncoveredTheme)
	}
	for _, u := range r.Unaddressed {
		if u.Theme == insightstest.SpikeTheme || u.Theme == "search-relevance" {
			t.Errorf("%s is covered by an active bet but listed as unaddressed", u.Theme)
		}
	}
	if len(r.WithoutEvidence) != 1 || r.WithoutEvidence[0] != insightstest.EmptyBet {
		t.Errorf("without evidence %v, want [%s]", r.WithoutEvidence, insightstest.EmptyBet)
	}
	from, end := r.From.Format("2006-01-02 15:04:05"), r.End.Format("2006-01-02 15:04:05")
	for _, b := range r.Bets {
		// Items mentioning any of the bet's themes, each record once.
		want := e.count(t, "SELECT uniqExact(id) FROM {db}.feedback WHERE hasAny(themes, ?) AND created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')", b.Themes, from, end)
		accounts := e.count(t, "SELECT uniqExactIf(account_id, account_id != '') FROM {db}.feedback WHERE hasAny(themes, ?) AND created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')", b.Themes, from, end)
		if b.Items != want || b.Accounts != accounts {
			t.Errorf("bet %s: %d items %d accounts, direct SQL over distinct ids says %d and %d", b.ID, b.Items, b.Accounts, want, accounts)
		}
		var weekly uint64
		for _, n := range b.Weekly {
			weekly += n
		}
		if b.Items > 0 && weekly == 0 {
			t.Errorf("bet %s has evidence but an empty 4-week trend", b.ID)
		}
	}
	u := r.Unaddressed[0]
	if want := e.count(t, "SELECT uniqExact(id) FROM {db}.feedback WHERE has(themes, ?) AND created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')", u.Theme, from, end); u.Items != want {
		t.Errorf("unaddressed %s: %d items, direct SQL says %d", u.Theme, u.Items, want)
	}
}

func TestOutcomeShowsTheShippedThemeFallingSignificantly(t *testing.T) {
	e, d := plantedEnv(t)
	ctx := context.Background()
	bets, err := insights.ParseBetsYAML("planted.yaml", strings.NewReader(d.BetsYAML))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ImportBets(ctx, bets); err != nil {
		t.Fatal(err)
	}
	o, err := e.store.Outcome(ctx, insights.OutcomeQuery{End: d.End})
	if err != nil {
		t.Fatal(err)
	}
	if len(o.Results) != 1 {
		t.Fatalf("outcome %+v, want one shipped bet with one theme", o.Results)
	}
	r := o.Results[0]
	if r.Bet != insightstest.ShippedBet || r.Theme != insightstest.FallingTheme || !r.Significant || r.Direction != "fell" || r.Change >= 0 {
		t.Fatalf("outcome %+v, want %s falling significantly", r, insightstest.FallingTheme)
	}
	ship := d.ShippedAt
	q := "SELECT uniqExact(id) FROM {db}.feedback WHERE created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')"
	before, after := ship.AddDate(0, 0, -28).Format("2006-01-02 15:04:05"), ship.AddDate(0, 0, 28).Format("2006-01-02 15:04:05")
	shipS := ship.Format("2006-01-02 15:04:05")
	if want := e.count(t, q, before, shipS); r.BeforeTotal != want {
		t.Errorf("before total %d, direct SQL says %d", r.BeforeTotal, want)
	}
	if want := e.count(t, q+" AND has(themes, ?)", shipS, after, r.Theme); r.AfterItems != want {
		t.Errorf("after items %d, direct SQL says %d", r.AfterItems, want)
	}

	// With the end on the ship date the bet is not left out without a
	// word (QA saw it vanish): it is listed as shipping later.
	o, err = e.store.Outcome(ctx, insights.OutcomeQuery{End: d.ShippedAt})
	if err != nil || len(o.Results) != 0 || len(o.Later) != 1 || o.Later[0] != insightstest.ShippedBet {
		t.Errorf("outcome ending on the ship date: %v, %+v; want the bet listed as shipping later", err, o)
	}
	if _, rows := o.Table(); len(rows) != 1 || rows[0][0] != insightstest.ShippedBet || !strings.Contains(rows[0][7], "not judged") {
		t.Errorf("its table %q, want the bet marked not judged", rows)
	}
}

func TestQuotesComeFromVariedSourcesAndDistinctAccounts(t *testing.T) {
	e, d := plantedEnv(t)
	q, err := e.store.Quotes(context.Background(), insights.QuotesQuery{Theme: insightstest.UncoveredTheme, End: d.End, Limit: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Quotes) != 6 {
		t.Fatalf("%d quotes, want 6", len(q.Quotes))
	}
	sources, accounts := map[string]bool{}, map[string]bool{}
	for _, c := range q.Quotes {
		if !strings.Contains(c.Passage, insightstest.UncoveredTheme) || c.CreatedAt.Before(q.From) {
			t.Errorf("quote %+v is not about the theme or is outside the window", c)
		}
		sources[c.Source], accounts[c.AccountID] = true, true
	}
	if len(sources) < 4 || len(accounts) != 6 {
		t.Errorf("quotes from %d sources and %d accounts, want varied sources and distinct accounts", len(sources), len(accounts))
	}
	if _, err := e.store.Quotes(context.Background(), insights.QuotesQuery{}); !insights.IsInvalid(err) {
		t.Errorf("quotes without a theme: %v", err)
	}
}

// A sentence several customers sent is quoted once, with or without a
// greeting or a survey's label before it; the next passage takes its
// place.
func TestQuotesShowAPassageOnce(t *testing.T) {
	end := day("2024-03-01")
	at := end.AddDate(0, 0, -1)
	cands := []insights.Quote{
		{ID: "a", Source: "zendesk", AccountID: "acct-a", CreatedAt: at, Passage: "Accounting needs the VAT number on every invoice."},
		{ID: "b", Source: "intercom", AccountID: "acct-b", CreatedAt: at, Passage: "Hey team, accounting needs the VAT number on every invoice"},
		{ID: "c", Source: "nps", AccountID: "acct-c", CreatedAt: at, Passage: "ACCOUNTING needs the VAT number on every invoice!"},
		{ID: "d", Source: "g2", AccountID: "acct-d", CreatedAt: at, Passage: "Accounting needs the VAT number on invoices."},
		{ID: "e", Source: "zendesk", AccountID: "acct-e", CreatedAt: at, Passage: "All invoices lack the VAT number"},
		{ID: "f", Source: "zendesk", AccountID: "acct-f", CreatedAt: at, Passage: "Invoices lack the VAT number"},
		{ID: "g", Source: "nps", AccountID: "acct-g", CreatedAt: at, Passage: "Main reason for my score: invoices lack the VAT number."},
	}
	var got []string
	for _, q := range insights.PickQuotes(cands, end.AddDate(0, 0, -90), end, 5) {
		got = append(got, q.ID)
	}
	if strings.Join(got, ",") != "a,g,d,e" {
		t.Errorf("quotes %v, want a,g,d,e: b and c repeat a, f repeats g", got)
	}
}

// A quote's sentiment is the theme's, not the record's: a review that
// praises the product and complains about billing is a billing complaint.
// Rows stored before theme_sentiment existed fall back to the record's.
func TestQuotesKeepToTheThemesSentiment(t *testing.T) {
	e := newEnv(t)
	created := day("2024-02-20")
	mixed := item("q-mixed", "zendesk", created, "acct-a", 0.6, "billing", "support")
	mixed.ThemeSentiment = []float32{-0.5, 0.8}
	praise := item("q-praise", "intercom", created, "acct-b", -0.4, "billing")
	praise.ThemeSentiment = []float32{0.7}
	older := item("q-older", "discourse", created, "acct-c", -0.3, "billing")
	older.ThemeSentiment = nil
	rows := []sinks.Row{mixed, praise, older,
		item("q-neutral", "github", created, "acct-d", 0, "billing"),
		item("q-elsewhere", "zendesk", created, "acct-e", -0.9, "export")}
	e.write(t, rows)
	e.write(t, rows) // redelivered: each passage still comes once

	ids := func(sentiment tone.Tone) string {
		t.Helper()
		q, err := e.store.Quotes(context.Background(), insights.QuotesQuery{Theme: "billing", End: day("2024-03-01"), Limit: 10, Sentiment: sentiment})
		if err != nil {
			t.Fatalf("sentiment %q: %v", sentiment, err)
		}
		if want := cmp.Or(sentiment, tone.Any); q.SentimentFilter != want {
			t.Errorf("sentiment %q: filter reported as %q, want %q", sentiment, q.SentimentFilter, want)
		}
		var got []string
		for _, c := range q.Quotes {
			got = append(got, fmt.Sprintf("%s %+.1f", c.ID, c.Sentiment))
		}
		sort.Strings(got)
		return strings.Join(got, ", ")
	}
	for sentiment, want := range map[tone.Tone]string{
		"negative": "q-mixed -0.5, q-older -0.3",
		"positive": "q-praise +0.7",
		"any":      "q-mixed -0.5, q-neutral +0.0, q-older -0.3, q-praise +0.7",
		"":         "q-mixed -0.5, q-neutral +0.0, q-older -0.3, q-praise +0.7",
	} {
		if got := ids(sentiment); got != want {
			t.Errorf("sentiment %q: quotes %s, want %s", sentiment, got, want)
		}
	}
	_, err := e.store.Quotes(context.Background(), insights.QuotesQuery{Theme: "billing", Sentiment: "angry"})
	if !insights.IsInvalid(err) || !strings.Contains(err.Error(), `sentiment "angry"`) {
		t.Errorf("sentiment angry: %v, want an invalid-value error naming it", err)
	}

	// A theme no row carries is a mistake worth naming, not an empty list;
	// a stored theme with nothing in the window is an empty list.
	for theme, want := range map[string]string{
		"Billing": `theme "Billing": no stored feedback carries this theme (did you mean "billing"?)`,
		"biling":  `theme "biling": no stored feedback carries this theme (did you mean "billing"?)`,
		"astro":   `theme "astro": no stored feedback carries this theme`,
	} {
		_, err := e.store.Quotes(context.Background(), insights.QuotesQuery{Theme: theme, End: day("2024-03-01")})
		if !insights.IsInvalid(err) || err.Error() != want {
			t.Errorf("theme %q: %v, want %s", theme, err, want)
		}
	}
	q, err := e.store.Quotes(context.Background(), insights.QuotesQuery{Theme: "export", End: day("2023-03-01")})
	if err != nil || len(q.Quotes) != 0 {
		t.Errorf("a stored theme outside the window: %v, %+v; want no quotes and no error", err, q)
	}

	// A quote from a record in a language the lexicon does not read says
	// that its 0 is no score.
	german := item("q-de", "zendesk", day("2024-02-21"), "acct-f", 0, "refunds")
	german.Language = "de"
	english := item("q-en", "zendesk", day("2024-02-21"), "acct-g", -0.4, "refunds")
	english.Language = "en-GB"
	e.write(t, []sinks.Row{german, english})
	q, err = e.store.Quotes(context.Background(), insights.QuotesQuery{Theme: "refunds", End: day("2024-03-01")})
	if err != nil || len(q.Quotes) != 2 {
		t.Fatalf("refunds: %v, %+v", err, q)
	}
	for _, c := range q.Quotes {
		if c.Scored != (c.ID == "q-en") || c.Language != map[string]string{"q-de": "de", "q-en": "en-GB"}[c.ID] {
			t.Errorf("quote %s: scored %v, language %q", c.ID, c.Scored, c.Language)
		}
	}
	if _, rows := q.Table(); !slices.ContainsFunc(rows, func(r []string) bool { return r[1] == "not scored" }) {
		t.Errorf("the table does not say the German quote is not scored: %q", rows)
	}
	// The CSV says so too, with the language, as docs/insights.md has it.
	header, lines := q.Records()
	if i := slices.Index(header, "language"); i < 0 || !slices.ContainsFunc(lines, func(r []string) bool { return r[i] == "de" && r[slices.Index(header, "scored")] == "false" }) {
		t.Errorf("CSV %q %q: want the German quote's language beside scored false", header, lines)
	}
}

func TestBetsWithoutARoadmapStillListTheDemand(t *testing.T) {
	e := newEnv(t)
	e.write(t, trendRows())
	r, err := e.store.Bets(context.Background(), insights.BetsQuery{End: day("2024-01-22"), Days: 30})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Bets) != 0 || len(r.Unaddressed) != 2 || r.Unaddressed[0].Theme != "export" || r.Unaddressed[0].Items != 7 {
		t.Fatalf("no bets: %+v", r)
	}
}
