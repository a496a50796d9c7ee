package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich/llm/llmtest"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// storeRows migrates a fresh database, writes rows to it, and points the
// configuration at it.
func storeRows(t *testing.T, rows []sinks.Row) {
	t.Helper()
	ch, dsn := testenv.Migrated(t)
	testenv.StopMerges(t, dsn, "feedback") // rows delivered twice stay so
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
		row("d", "llm", "I was refunded only half", "refunds", "billing"), // another record, the same text
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
	// --since 0 is all, as for themes retag.
	if _, stderr, err := execute(t, context.Background(), "tagger", "export-labels", "--since", "0", "--out", out); err != nil {
		t.Fatalf("--since 0: %v\n%s", err, stderr)
	}
	if recs := readCSVFile(t, out); fmt.Sprint(recs) != fmt.Sprint(want) {
		t.Errorf("exported with --since 0: %q, want %q", recs, want)
	}

	// Nothing the LLM tagged: an empty file, and a reason.
	storeRows(t, []sinks.Row{row("b", "keywords", "Slow dashboard", "performance")})
	_, stderr, err := execute(t, context.Background(), "tagger", "export-labels", "--out", out)
	if err != nil || !strings.Contains(stderr, "0 labelled examples") || !strings.Contains(stderr, "tagged by the LLM") {
		t.Errorf("empty window: %v, stderr %q", err, stderr)
	}
}

// The labels are the taxonomy's: --taxonomy, else the configuration's,
// which the LLM chose from. A theme it does not define is left out, and a
// record left with none is not written as one with no theme.
func TestExportLabelsKeepsToTheTaxonomy(t *testing.T) {
	storeRows(t, []sinks.Row{
		row("a", "llm", "I was charged twice", "billing"),
		row("b", "llm", "Export to CSV fails", "data-export"),
		row("c", "llm", "The invoice export is slow", "billing", "data-export"),
		row("d", "llm", "Thanks, all good"),
		row("e", "llm", "I was charged twice", "billing"), // another record of a text
	})
	tax := filepath.Join(t.TempDir(), "taxonomy.yaml")
	if err := os.WriteFile(tax, []byte("themes:\n  - name: billing\n  - name: speed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"text", "labels"}, {"I was charged twice", "billing"}, {"The invoice export is slow", "billing"}, {"Thanks, all good", ""}}
	for _, args := range [][]string{{"--taxonomy", tax}, nil} {
		if args == nil {
			t.Setenv("FEEDBACKLOOP_ENRICH_TAXONOMY", tax)
		}
		out := filepath.Join(t.TempDir(), "labels.csv")
		_, stderr, err := execute(t, context.Background(), append([]string{"tagger", "export-labels", "--out", out}, args...)...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, stderr)
		}
		if recs := readCSVFile(t, out); fmt.Sprint(recs) != fmt.Sprint(want) {
			t.Errorf("%v: exported %q, want %q", args, recs, want)
		}
		if !strings.Contains(stderr, "does not define were left out (was it another taxonomy's?), and 1 records left with none: data-export (2)") {
			t.Errorf("%v: stderr %q, want the left-out theme counted", args, stderr)
		}
		if strings.Contains(stderr, "tags") {
			t.Errorf("%v: stderr %q speaks of the sources' tags", args, stderr)
		}
	}
}

func TestThemesSuggestProposesWhatNoThemeCovers(t *testing.T) {
	storeRows(t, append(darkModeRows("Dark mode please, my eyes hurt"),
		row("tagged", "keywords", "Dark mode invoice refund", "billing")))
	var got struct {
		Untagged   int `json:"untagged"`
		Candidates []struct {
			Name   string   `json:"name"`
			Count  int      `json:"count"`
			Quotes []string `json:"quotes"`
			IDs    []string `json:"ids"`
		} `json:"candidates"`
	}
	suggestJSON(t, &got)
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

// Each candidate shows its items' sentiment, and --sentiment negative
// keeps to the items that read negative: problems, not praise.
func TestThemesSuggestShowsSentimentAndCanKeepToProblems(t *testing.T) {
	rows := darkModeRows("Dark mode please, my eyes hurt")
	for i := range rows {
		rows[i].Sentiment = 0.4
	}
	rows[0].Sentiment = -0.2
	for i, s := range []string{"The CSV export crashes every time", "Export to CSV crashes on large files",
		"CSV export crashes again", "Every CSV export crashes the app"} {
		r := row(fmt.Sprint("x", i), "keywords", s)
		r.Sentiment = -0.5
		rows = append(rows, r)
	}
	// A record in a language the lexicon does not score gets 0, which says
	// nothing: it counts in its candidate but not in the sentiment.
	german := row("x-de", "keywords", "CSV export crashes, every time")
	german.Language = "de"
	rows = append(rows, german)
	storeRows(t, rows)

	type candidate struct {
		Name          string   `json:"name"`
		Count         int      `json:"count"`
		Sentiment     float64  `json:"sentiment"`
		NegativeShare float64  `json:"negative_share"`
		Scored        int      `json:"scored"`
		IDs           []string `json:"ids"`
	}
	var got struct {
		Untagged   int         `json:"untagged"`
		Filter     string      `json:"sentiment_filter"`
		Candidates []candidate `json:"candidates"`
	}
	suggest := func(args ...string) string {
		t.Helper()
		stdout, stderr, err := execute(t, context.Background(), append([]string{"themes", "suggest"}, args...)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		return stdout
	}
	if err := json.Unmarshal([]byte(suggest("--format", "json", "--clusters", "2")), &got); err != nil {
		t.Fatal(err)
	}
	found := map[string]candidate{}
	for _, c := range got.Candidates {
		switch {
		case strings.Contains(c.Name, "dark"):
			found["dark"] = c
		case strings.Contains(c.Name, "csv") || strings.Contains(c.Name, "export"):
			found["export"] = c
		}
	}
	dark, export := found["dark"], found["export"]
	if got.Untagged != 10 || dark.Count != 5 || export.Count != 5 {
		t.Fatalf("got %+v, want a dark mode candidate of 5 and an export one of 5", got)
	}
	if math.Abs(dark.Sentiment-0.28) > 1e-6 || dark.NegativeShare != 0.2 {
		t.Errorf("dark mode: sentiment %v, negative share %v; want 0.28 and 0.2", dark.Sentiment, dark.NegativeShare)
	}
	if math.Abs(export.Sentiment+0.5) > 1e-6 || export.NegativeShare != 1 {
		t.Errorf("export: sentiment %v, negative share %v; want -0.5 and 1", export.Sentiment, export.NegativeShare)
	}
	if dark.Scored != 5 || export.Scored != 4 {
		t.Errorf("scored: dark mode %d, export %d; want 5 and 4 (the German record is not scored)", dark.Scored, export.Scored)
	}

	got.Candidates = nil
	if err := json.Unmarshal([]byte(suggest("--format", "json", "--clusters", "1", "--sentiment", "negative")), &got); err != nil {
		t.Fatal(err)
	}
	if got.Untagged != 5 || got.Filter != "negative" || len(got.Candidates) != 1 {
		t.Fatalf("--sentiment negative: %+v, want the 5 negative items in one candidate", got)
	}
	for _, id := range got.Candidates[0].IDs {
		if id != "d0" && !strings.HasPrefix(id, "x") {
			t.Errorf("--sentiment negative clustered %q, which reads positive", id)
		}
	}

	table := suggest("--clusters", "2")
	if !strings.Contains(table, "Sentiment") || !strings.Contains(table, "+0.28") || !strings.Contains(table, "100% negative") ||
		!strings.Contains(table, "of 4 scored") {
		t.Errorf("table lacks the candidates' sentiment:\n%s", table)
	}
	if table := suggest("--clusters", "1", "--sentiment", "negative"); !strings.Contains(table, "5 untagged negative items") {
		t.Errorf("table does not say it kept to negative items:\n%s", table)
	}
	if _, _, err := execute(t, context.Background(), "themes", "suggest", "--sentiment", "grumpy"); err == nil ||
		!strings.Contains(err.Error(), `--sentiment "grumpy"`) {
		t.Errorf("--sentiment grumpy: %v, want an error naming the value", err)
	}
}

// A candidate none of whose items the lexicon scored (all in another
// language) says so, rather than show a neutral 0.
func TestCandidateWithNothingScoredSaysSo(t *testing.T) {
	if got := moodOf(0, 0, 0, 7); !strings.HasPrefix(got, "not scored") {
		t.Errorf("moodOf with nothing scored = %q", got)
	}
	if got := moodOf(-0.5, 1, 7, 7); got != "-0.50\n100% negative" {
		t.Errorf("moodOf with all scored = %q", got)
	}
}

// With the LLM configured, suggest asks it to name the candidates; when it
// fails, the offline names stay and a warning says why.
func TestThemesSuggestLetsTheLLMNameCandidates(t *testing.T) {
	storeRows(t, darkModeRows("Dark mode please, write to ann@example.org"))
	var (
		mu     sync.Mutex
		bodies []string
		fail   bool
		silent bool // the answer names no cluster
	)
	configureLLM(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(body))
		failing, naming := fail, !silent
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !naming {
			answerNames(w, `[]`)
			return
		}
		if failing {
			w.WriteHeader(http.StatusBadGateway)
			_, _ = io.WriteString(w, `{"error":{"message":"down","type":"server_error"}}`)
			return
		}
		answerNames(w, `[{"id":"0","name":"Dark Mode","description":"A dark colour scheme for the apps."}]`)
	})
	t.Setenv("FEEDBACKLOOP_LLM_MAX_RETRIES", "1")
	// The request counts in the day's budget with the workers' (the
	// default llm.daily_token_budget), in NATS.
	srv := testenv.NATS(t)
	t.Setenv("FEEDBACKLOOP_NATS_URL", srv.ClientURL())
	spent := func() int {
		t.Helper()
		_, js := testenv.JetStream(t, srv.ClientURL())
		spend, err := ingest.EnsureSpend(context.Background(), js, 1)
		if err != nil {
			t.Fatal(err)
		}
		n, err := spend.Spent(context.Background(), time.Now().UTC().Format(time.DateOnly))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	suggest := func() (named string, name, description string, stderr string) {
		var got struct {
			NamedBy    string `json:"named_by"`
			Candidates []struct {
				Name        string `json:"name"`
				Description string `json:"description"`
			} `json:"candidates"`
		}
		stderr = suggestJSON(t, &got)
		if len(got.Candidates) != 1 {
			t.Fatalf("%d candidates, want 1", len(got.Candidates))
		}
		return got.NamedBy, got.Candidates[0].Name, got.Candidates[0].Description, stderr
	}
	by, name, desc, _ := suggest()
	if by != "llm" || name != "dark-mode" || desc != "A dark colour scheme for the apps." {
		t.Errorf("named by %q: %q, %q; want the LLM's dark-mode and its sentence", by, name, desc)
	}
	mu.Lock()
	if len(bodies) != 1 || strings.Contains(bodies[0], "ann@example.org") || !strings.Contains(bodies[0], "dark") {
		t.Errorf("%d requests; the first %q should hold the cluster's words and no e-mail address", len(bodies), bodies)
	}
	mu.Unlock()
	if n := spent(); n != 60 {
		t.Errorf("the day's spend count is %d, want the naming request's 60 tokens", n)
	}
	mu.Lock()
	fail = true
	mu.Unlock()
	by, name, desc, stderr := suggest()
	if by != "offline" || !strings.Contains(name, "dark") || desc != "" || !strings.Contains(stderr, "keeping the offline names") {
		t.Errorf("with the LLM down: named by %q, %q, %q, stderr %q", by, name, desc, stderr)
	}
	mu.Lock()
	fail, silent = false, true
	mu.Unlock()
	by, name, _, stderr = suggest()
	if by != "offline" || !strings.Contains(name, "dark") || !strings.Contains(stderr, "named no cluster of the 1 asked about") {
		t.Errorf("with an answer that names nothing: named by %q, %q, stderr %q", by, name, stderr)
	}

	// Without NATS the budget cannot be shared: no request, the offline
	// names, and why.
	srv.Shutdown()
	mu.Lock()
	asked := len(bodies)
	silent = false
	mu.Unlock()
	by, _, _, stderr = suggest()
	mu.Lock()
	defer mu.Unlock()
	if by != "offline" || len(bodies) != asked || !strings.Contains(stderr, "shares llm.daily_token_budget and the answer cache with the workers, through NATS") {
		t.Errorf("without NATS: named by %q after %d more requests, stderr %q", by, len(bodies)-asked, stderr)
	}
}

// darkModeRows is five untagged records asking for dark mode, the first
// of them first.
func darkModeRows(first string) []sinks.Row {
	var rows []sinks.Row
	for i, s := range []string{first, "Is dark mode coming?", "I need dark mode at night",
		"Dark mode for the mobile app", "Dark mode would be lovely"} {
		rows = append(rows, row(fmt.Sprint("d", i), "keywords", s))
	}
	return rows
}

// suggestJSON runs themes suggest with one cluster and JSON output,
// decodes what it printed into out, and returns its stderr.
func suggestJSON(t *testing.T, out any) string {
	t.Helper()
	stdout, stderr, err := execute(t, context.Background(), "themes", "suggest", "--format", "json", "--clusters", "1")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	return stderr
}

// Candidates the LLM names alike are one theme to the reader, and are shown
// as one.
func TestThemesSuggestJoinsTheCandidatesTheLLMNamesAlike(t *testing.T) {
	rows := darkModeRows("Dark mode please")
	for i, s := range []string{"A black background option would help", "The white background is blinding, black please",
		"Black background like other apps", "Give us a black background theme", "Background too bright, black would be better"} {
		rows = append(rows, row(fmt.Sprint("b", i), "keywords", s))
	}
	storeRows(t, rows)
	configureLLM(t, func(w http.ResponseWriter, _ *http.Request) {
		answerNames(w, `[{"id":"0","name":"dark-mode","description":"A dark colour scheme."},{"id":"1","name":"Dark-Mode","description":"Dark backgrounds."}]`)
	})
	shareNothing(t)

	var offline, named struct {
		Candidates []struct {
			Name  string   `json:"name"`
			Count int      `json:"count"`
			IDs   []string `json:"ids"`
		} `json:"candidates"`
	}
	for _, run := range []struct {
		args []string
		out  any
	}{{[]string{"--offline-names"}, &offline}, {nil, &named}} {
		stdout, stderr, err := execute(t, context.Background(), append([]string{"themes", "suggest", "--format", "json", "--clusters", "2"}, run.args...)...)
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if err := json.Unmarshal([]byte(stdout), run.out); err != nil {
			t.Fatal(err)
		}
	}
	if len(offline.Candidates) != 2 {
		t.Fatalf("offline: %d candidates, want the 2 clusters the test needs: %+v", len(offline.Candidates), offline.Candidates)
	}
	if len(named.Candidates) != 1 || named.Candidates[0].Count != 10 || len(named.Candidates[0].IDs) != 10 {
		t.Fatalf("named by the LLM: %+v, want one candidate of all 10 items", named.Candidates)
	}
}

// configureLLM serves an OpenAI-compatible API with handler for the test's
// duration and points the configuration's LLM section at it.
func configureLLM(t *testing.T, handler http.HandlerFunc) {
	t.Helper()
	api := httptest.NewServer(handler)
	t.Cleanup(api.Close)
	t.Setenv("FEEDBACKLOOP_LLM_ENABLED", "true")
	t.Setenv("FEEDBACKLOOP_LLM_BASE_URL", api.URL+"/v1")
	t.Setenv("FEEDBACKLOOP_LLM_MODEL", "test-model")
	t.Setenv("FEEDBACKLOOP_LLM_API_KEY", "test-key")
}

// shareNothing turns off what LLM requests share with the workers through
// NATS, the day's budget and the answer cache, for a test without NATS.
func shareNothing(t *testing.T) {
	t.Setenv("FEEDBACKLOOP_LLM_DAILY_TOKEN_BUDGET", "0")
	t.Setenv("FEEDBACKLOOP_LLM_SHARED_CACHE_TTL", "0s")
}

// answerNames writes a chat completion whose content names clusters, a
// JSON array of {"id","name","description"}.
func answerNames(w http.ResponseWriter, clusters string) {
	llmtest.WriteCompletion(w, "m", `{"clusters":`+clusters+`}`, 50, 10)
}

// With an LLM budget configured, tagger usage also reads what the workers
// counted against it in NATS, by the day the tokens were spent: the days
// NATS keeps with a count, and today. A NATS it cannot reach is a warning,
// not a failed report.
func TestTaggerUsageShowsTheDaysCountAgainstTheBudget(t *testing.T) {
	ctx := context.Background()
	storeRows(t, nil)
	configureLLM(t, func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "unused", http.StatusTeapot) })
	t.Setenv("FEEDBACKLOOP_LLM_DAILY_TOKEN_BUDGET", "4000")
	srv := testenv.NATS(t)
	t.Setenv("FEEDBACKLOOP_NATS_URL", srv.ClientURL())

	// Before any worker counted: today, at 0.
	stdout, stderr, err := execute(t, ctx, "tagger", "usage", "--format", "json")
	if err != nil || !strings.Contains(stdout, `"budget":{"daily_token_budget":4000,"days":[{"day":"`+time.Now().UTC().Format(time.DateOnly)+`","tokens":0}]}`) {
		t.Fatalf("no count yet (%v): %s%s", err, stdout, stderr)
	}

	_, js := testenv.JetStream(t, srv.ClientURL())
	spend, err := ingest.EnsureSpend(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	for ago, tokens := range map[int]int{0: 1234, 3: 999, 7: 55, 8: 77} { // 8 days ago: no longer kept
		if _, _, err := spend.Add(ctx, now.AddDate(0, 0, -ago).Format(time.DateOnly), tokens); err != nil {
			t.Fatal(err)
		}
	}
	day := func(ago int) string { return now.AddDate(0, 0, -ago).Format(time.DateOnly) }
	for _, run := range []struct {
		days string
		want string
	}{
		{"30", fmt.Sprintf(`[{%q %d} {%q %d} {%q %d}]`, day(7), 55, day(3), 999, day(0), 1234)},
		{"4", fmt.Sprintf(`[{%q %d} {%q %d}]`, day(3), 999, day(0), 1234)},
		{"1", fmt.Sprintf(`[{%q %d}]`, day(0), 1234)},
	} {
		stdout, stderr, err := execute(t, ctx, "tagger", "usage", "--format", "json", "--days", run.days)
		var r struct {
			Budget struct {
				Days []struct {
					Day    string
					Tokens int
				}
			}
		}
		if err == nil {
			err = json.Unmarshal([]byte(stdout), &r)
		}
		var got []string
		for _, d := range r.Budget.Days {
			got = append(got, fmt.Sprintf("{%q %d}", d.Day, d.Tokens))
		}
		if err != nil || "["+strings.Join(got, " ")+"]" != run.want {
			t.Errorf("--days %s (%v): budget days %v, want %s\n%s%s", run.days, err, got, run.want, stdout, stderr)
		}
	}
	table, _, err := execute(t, ctx, "tagger", "usage")
	for _, want := range []string{"Counted against llm.daily_token_budget (4000 tokens a UTC day)", "1234", "30.9%"} {
		if err != nil || !strings.Contains(table, want) {
			t.Errorf("table (%v) without %q:\n%s", err, want, table)
		}
	}

	t.Setenv("FEEDBACKLOOP_NATS_URL", "nats://127.0.0.1:1")
	stdout, stderr, err = execute(t, ctx, "tagger", "usage", "--format", "json")
	if err != nil || !strings.Contains(stderr, "warning: the day's token count in NATS was not read") ||
		!strings.Contains(stdout, `"error":"connect to NATS at nats://127.0.0.1:1`) {
		t.Errorf("NATS unreachable (%v): %s%s", err, stdout, stderr)
	}
}

// tagger usage sums each record once, as last tagged, by UTC day of
// ingestion, and the tokens by model; the routed share counts the records
// that recorded their routing.
func TestTaggerUsageShowsEachTaggerAndTheLLMTokensByDay(t *testing.T) {
	today := time.Now().UTC()
	yesterday := today.AddDate(0, 0, -1)
	at := func(r sinks.Row, ingested time.Time, model string, routed bool, prompt, completion uint32) sinks.Row {
		r.IngestedAt, r.Model, r.Routed, r.PromptTokens, r.CompletionTokens = ingested, model, routed, prompt, completion
		return r
	}
	storeRows(t, []sinks.Row{
		at(row("a", "llm", "I was refunded only half", "refunds"), yesterday, "gpt-x", true, 120, 30),
		at(row("a", "llm", "I was refunded only half", "refunds"), yesterday, "gpt-x", true, 120, 30), // delivered twice
		at(row("b", "keywords", "Slow dashboard", "performance"), yesterday, "", false, 0, 0),
		at(row("c", "learned", "Export is broken"), today, "learned-abc", true, 0, 0), // the LLM did not answer
		at(row("d", "llm", "Thanks"), today, "gpt-x", true, 80, 10),
		at(row("e", "keywords", "Search is slow", "performance"), today, "", false, 0, 0),
		at(row("f", "keywords", "Older"), today.AddDate(0, 0, -40), "", false, 0, 0), // outside --days 30
	})
	// A record from before migration 0005, whose routing is unknown.
	testenv.InsertRow(t, testenv.Conn(t, os.Getenv("FEEDBACKLOOP_CLICKHOUSE_DSN")),
		"INSERT INTO feedback (id, created_at, ingested_at, tagger)", "g", yesterday, yesterday, "keywords")
	stdout, stderr, err := execute(t, context.Background(), "tagger", "usage", "--format", "json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	type day struct {
		Day              string            `json:"day"`
		Items            uint64            `json:"items"`
		ByTagger         map[string]uint64 `json:"by_tagger"`
		Routed           uint64            `json:"routed"`
		RoutingKnown     uint64            `json:"routing_known"`
		RoutedShare      *float64          `json:"routed_share"`
		LLMShare         float64           `json:"llm_share"`
		PromptTokens     uint64            `json:"prompt_tokens"`
		CompletionTokens uint64            `json:"completion_tokens"`
	}
	var r struct {
		Days   []day `json:"days"`
		Total  day   `json:"total"`
		Models []struct {
			Tagger, Model string
			Items         uint64
			PromptTokens  uint64 `json:"prompt_tokens"`
		} `json:"models"`
	}
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	show := func(d day) string {
		share := "null"
		if d.RoutedShare != nil {
			share = fmt.Sprintf("%.4f", *d.RoutedShare)
		}
		return fmt.Sprintf("%s items %d %v routed %d/%d=%s llm %.4f tokens %d/%d", d.Day, d.Items, d.ByTagger,
			d.Routed, d.RoutingKnown, share, d.LLMShare, d.PromptTokens, d.CompletionTokens)
	}
	var got []string
	for _, d := range append(r.Days, r.Total) {
		got = append(got, show(d))
	}
	want := []string{
		yesterday.Format(time.DateOnly) + " items 3 map[keywords:2 llm:1] routed 1/2=0.5000 llm 0.3333 tokens 120/30",
		today.Format(time.DateOnly) + " items 3 map[keywords:1 learned:1 llm:1] routed 2/3=0.6667 llm 0.3333 tokens 80/10",
		" items 6 map[keywords:3 learned:1 llm:2] routed 3/5=0.6000 llm 0.3333 tokens 200/40",
	}
	if !slices.Equal(got, want) {
		t.Errorf("days and total\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprintf("%+v", r.Models) != "[{Tagger:llm Model:gpt-x Items:2 PromptTokens:200} {Tagger:learned Model:learned-abc Items:1 PromptTokens:0}]" {
		t.Errorf("models %+v", r.Models)
	}
	table, _, err := execute(t, context.Background(), "tagger", "usage")
	for _, want := range []string{"Routed", "LLM share", "60.0%", "33.3%", "gpt-x", "Routing is unknown for 1 of these records"} {
		if err != nil || !strings.Contains(table, want) {
			t.Errorf("table (%v) without %q:\n%s", err, want, table)
		}
	}
	storeRows(t, nil)
	if empty, _, err := execute(t, context.Background(), "tagger", "usage", "--days", "7"); err != nil || !strings.Contains(empty, "no records were stored") {
		t.Errorf("empty database (%v):\n%s", err, empty)
	}
}

// themes retag tags stored records with the configuration's taxonomy:
// a dry run reports per theme what would change and writes nothing, a run
// writes it, and the next finds nothing left to do.
func TestThemesRetagTagsStoredFeedbackAgain(t *testing.T) {
	storeRows(t, []sinks.Row{
		row("a", "keywords", "The invoice total is wrong again"), // stored before invoices had keywords
		row("b", "llm", "Please refund me, I was charged twice", "refunds", "billing"),
	})
	ctx := context.Background()
	stdout, stderr, err := execute(t, ctx, "themes", "retag", "--dry-run")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{"2 records read; 2 change, would be written (dry run)", "1 tagged by the LLM keep its themes", "│ invoices "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, stdout)
		}
	}
	var st struct{ Changed, Written int }
	for i, want := range []struct{ changed, written int }{{2, 2}, {0, 0}} {
		stdout, stderr, err = execute(t, ctx, "themes", "retag", "--format", "json")
		if err != nil {
			t.Fatalf("%v\n%s", err, stderr)
		}
		if err := json.Unmarshal([]byte(stdout), &st); err != nil || st.Changed != want.changed || st.Written != want.written {
			t.Errorf("run %d: %s (%v), want %d changed and written", i+1, stdout, err, want.changed)
		}
	}
	if _, _, err := execute(t, ctx, "themes", "retag", "--since", "-5h"); err == nil {
		t.Error("a negative --since was accepted")
	}
}

// themes retag --llm asks the LLM about the records the worker left with
// offline themes; a dry run counts them, and without an llm section it
// says what to set.
func TestThemesRetagWithTheLLM(t *testing.T) {
	storeRows(t, []sinks.Row{row("a", "keywords", "The invoice total is wrong again")})
	ctx := context.Background()
	if _, _, err := execute(t, ctx, "themes", "retag", "--llm"); err == nil || !strings.Contains(err.Error(), "llm.enabled") {
		t.Errorf("--llm without an llm section: %v, want what to set", err)
	}
	var theme atomic.Value // what the LLM answers
	theme.Store("invoices")
	var failing atomic.Bool
	configureLLM(t, answeringItems(func(w http.ResponseWriter, items []llmtest.Item) {
		if failing.Load() {
			http.Error(w, `{"error":{"message":"overloaded","type":"server_error"}}`, http.StatusInternalServerError)
			return
		}
		answers := make([]llmtest.Answer, len(items))
		for i, it := range items {
			answers[i] = llmtest.Answer{ID: it.ID, Sentiment: llmtest.Felt(-0.5),
				Themes: []llmtest.Theme{{Name: theme.Load().(string), Evidence: "invoice", Confidence: 0.9, Sentiment: llmtest.Felt(-0.5)}}}
		}
		llmtest.WriteCompletion(w, "test-model", llmtest.Content(answers), 1300, 20)
	}))
	t.Setenv("FEEDBACKLOOP_LLM_THRESHOLD", "1") // every record is unsure
	// The run counts its tokens in the day's budget with the workers'.
	srv := testenv.NATS(t)
	t.Setenv("FEEDBACKLOOP_NATS_URL", srv.ClientURL())
	for _, run := range []struct {
		args []string
		want string
	}{
		{[]string{"--dry-run"}, "1 would be routed to the LLM"},
		{[]string{"--dry-run"}, "a guessed language, 1 another routing;"},
		{nil, "1 routed to the LLM, 1 answered (0 from the cache), 1300 prompt and 20 completion tokens spent"},
		{nil, "0 routed to the LLM"},
		{nil, "(themes added since the LLM answered reach those 1 only with --llm --ask-again)"},
	} {
		stdout, stderr, err := execute(t, ctx, append([]string{"themes", "retag", "--llm"}, run.args...)...)
		if err != nil || !strings.Contains(stdout, run.want) {
			t.Errorf("retag --llm %v (%v): %s%s, want %q", run.args, err, stdout, stderr, run.want)
		}
	}
	_, js := testenv.JetStream(t, srv.ClientURL())
	spend, err := ingest.EnsureSpend(ctx, js, 1)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := spend.Spent(ctx, time.Now().UTC().Format(time.DateOnly)); err != nil || n != 1320 {
		t.Errorf("the day's spend count is %d (%v), want the run's 1320 tokens", n, err)
	}

	// A theme added to the taxonomy since the LLM answered reaches the
	// record only when it is asked again. Asked again with nothing changed,
	// the answer comes from the workers' shared cache and costs nothing;
	// and an LLM that fails leaves the answer that was paid for.
	if _, _, err := execute(t, ctx, "themes", "retag", "--ask-again"); err == nil || !strings.Contains(err.Error(), "give --llm too") {
		t.Errorf("--ask-again without --llm: %v", err)
	}
	bundled, err := os.ReadFile("../../enrich/default_taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	withThemes := func(names ...string) string {
		tax := string(bundled)
		for _, n := range names {
			tax += "  - name: " + n + "\n    description: Added for the test.\n"
		}
		path := filepath.Join(t.TempDir(), "taxonomy.yaml")
		if err := os.WriteFile(path, []byte(tax), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Setenv("FEEDBACKLOOP_ENRICH_TAXONOMY", withThemes("invoice-disputes"))
	theme.Store("invoice-disputes")
	for _, run := range []struct {
		what string
		want []string
	}{
		{"a theme added", []string{"1 get other themes", "1 routed to the LLM, 1 answered (0 from the cache", "│ invoice-disputes "}},
		{"nothing changed", []string{"0 change", "1 routed to the LLM, 1 answered (1 from the cache), 0 prompt and 0 completion tokens spent"}},
	} {
		stdout, stderr, err := execute(t, ctx, "themes", "retag", "--llm", "--ask-again")
		for _, want := range run.want {
			if err != nil || !strings.Contains(stdout, want) || strings.Contains(stdout, "reach those") {
				t.Errorf("retag --llm --ask-again, %s (%v): %s%s, want %q", run.what, err, stdout, stderr, want)
			}
		}
	}
	failing.Store(true)
	t.Setenv("FEEDBACKLOOP_LLM_MAX_RETRIES", "0")
	t.Setenv("FEEDBACKLOOP_ENRICH_TAXONOMY", withThemes("invoice-disputes", "late-fees"))
	stdout, stderr, err := execute(t, ctx, "themes", "retag", "--llm", "--ask-again")
	if err == nil || !strings.Contains(err.Error(), "the LLM answered none of the 1 records routed to it") {
		t.Errorf("retag --llm --ask-again with a failing LLM: %v, want an error saying the LLM answered nothing", err)
	}
	for _, want := range []string{"0 change", "1 routed to the LLM, 0 answered", "1 tagged by the LLM keep its themes"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("retag --llm --ask-again with a failing LLM: %s%s, want %q", stdout, stderr, want)
		}
	}

	srv.Shutdown()
	if _, _, err := execute(t, ctx, "themes", "retag", "--llm"); err == nil || !strings.Contains(err.Error(), "--llm shares llm.daily_token_budget, llm.tokens_per_minute and the answer cache with the workers, through NATS") {
		t.Errorf("retag --llm without NATS: %v, want why it needs it", err)
	}
}

// A rising theme with no feedback at all in its baseline is most often one
// just added to the taxonomy: emerging says so, and names retag.
func TestEmergingNotesAThemeWithNoBaseline(t *testing.T) {
	var rows []sinks.Row
	for i := range 30 {
		r := row(fmt.Sprint("new-", i), "keywords", "Timesheets lose hours", "timesheets")
		r.CreatedAt = r.CreatedAt.Add(-time.Duration(i%10) * 24 * time.Hour)
		rows = append(rows, r)
		old := row(fmt.Sprint("old-", i), "keywords", "Slow dashboard", "performance")
		old.CreatedAt = old.CreatedAt.Add(-time.Duration(i*2) * 24 * time.Hour)
		rows = append(rows, old)
	}
	storeRows(t, rows)
	out, errOut, err := execute(t, context.Background(), "emerging")
	if err != nil || !strings.Contains(out, "timesheets") {
		t.Fatalf("%v\n%s%s", err, out, errOut)
	}
	if !strings.HasPrefix(errOut, "note: timesheets had no feedback in the baseline") || !strings.Contains(errOut, "themes retag") {
		t.Errorf("stderr %q, want the note naming timesheets and retag", errOut)
	}
}

// A candidate the LLM names like a theme of the taxonomy is that theme,
// whose keywords missed these items: the output says so.
func TestThemesSuggestMarksACandidateNamedLikeATheme(t *testing.T) {
	storeRows(t, darkModeRows("Dark mode please"))
	configureLLM(t, func(w http.ResponseWriter, _ *http.Request) {
		answerNames(w, `[{"id":"0","name":"UI-UX","description":"How the product looks."}]`)
	})
	shareNothing(t)
	var got struct {
		Candidates []struct {
			Name     string `json:"name"`
			Existing string `json:"existing_theme"`
		} `json:"candidates"`
	}
	suggestJSON(t, &got)
	if len(got.Candidates) != 1 || got.Candidates[0].Existing != "ui-ux" {
		t.Fatalf("candidates %+v, want one marked as the existing ui-ux", got.Candidates)
	}
	stdout, _, err := execute(t, context.Background(), "themes", "suggest", "--clusters", "1")
	if err != nil || !strings.Contains(stdout, "(already the theme ui-ux: its keywords miss these)") {
		t.Errorf("table (%v):\n%s", err, stdout)
	}
}
