package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/enrich/llm/llmtest"
	"github.com/feedbackloop/feedbackloop/feedback"
)

func newTagger(t testing.TB, f *fakeAPI, tune ...func(*llm.Options)) (*llm.Tagger, *llm.Metrics) {
	t.Helper()
	m := llm.NewMetrics(prometheus.NewRegistry())
	opts := llm.Options{
		BaseURL: f.url(), APIKey: "test-key", Model: "test-model",
		MaxWait: 5 * time.Second, RequestTimeout: 2 * time.Second, RetryInitial: 10 * time.Millisecond,
		Metrics: m,
	}
	for _, fn := range tune {
		fn(&opts)
	}
	tg, err := llm.New(taxonomy(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	return tg, m
}

// offlineItems are items as the offline tagger left them: each holds the
// theme "offline" so that a test can tell which items the model answered.
func offlineItems(texts ...string) []*enrich.Item {
	items := make([]*enrich.Item, len(texts))
	for i, s := range texts {
		items[i] = &enrich.Item{
			Record: &feedback.Record{ID: fmt.Sprint(i), Body: s},
			Themes: []enrich.Theme{{Name: "offline", Confidence: 0.3}},
			Tagger: "keywords",
		}
	}
	return items
}

func names(themes []enrich.Theme) string {
	var out []string
	for _, th := range themes {
		out = append(out, th.Name)
	}
	return strings.Join(out, ",")
}

// count reads a counter or gauge.
func count(c prometheus.Metric) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

func TestTagsSeveralItemsPerRequestThroughTheSchema(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 2 })
	items := offlineItems(
		"I want a refund for last month.",
		"The app is so slow today",
		"Nice colours.",
	)
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	f.verify()
	if n := len(f.requests()); n != 2 {
		t.Errorf("%d requests for 3 items in batches of 2, want 2", n)
	}
	var sizes dto.Metric
	if err := m.TextsPerRequest.Write(&sizes); err != nil {
		t.Fatal(err)
	}
	if h := sizes.Histogram; h.GetSampleCount() != 2 || h.GetSampleSum() != 3 {
		t.Errorf("texts per request: %d requests, %v texts; want 2 and 3", h.GetSampleCount(), h.GetSampleSum())
	}
	want := []string{"refunds,billing", "performance", ""}
	for i, it := range items {
		if got := names(it.Themes); got != want[i] {
			t.Errorf("item %d: themes %q, want %q", i, got, want[i])
		}
		if it.Tagger != "llm" || it.Model != "test-model" {
			t.Errorf("item %d: tagger %q model %q", i, it.Tagger, it.Model)
		}
	}
	if ev := items[0].Themes[0].Evidence; ev != "refund" {
		t.Errorf("evidence %q, want the quoted word", ev)
	}
	// Usage per request: 100 + 10 per item prompt, 7 per item completion.
	var prompt, completion int
	for _, it := range items {
		prompt += it.PromptTokens
		completion += it.CompletionTokens
	}
	if prompt != 120+110 || completion != 21 {
		t.Errorf("tokens per item add up to %d/%d, want 230/21", prompt, completion)
	}
	if got := count(m.Tokens.WithLabelValues("prompt")); got != 230 {
		t.Errorf("prompt token metric %v, want 230", got)
	}
	if got := count(m.Items.WithLabelValues("llm")); got != 3 {
		t.Errorf("llm items metric %v, want 3", got)
	}
}

// The model judges the sentiment of the whole text and of each theme's
// passage: kept in [-1, 1], given to the theme's ancestors too, and marked
// on the item when it gave both. An answer that leaves it out of the text
// or of a theme says nothing of the item's sentiment.
func TestTheModelsSentimentIsKeptPerTheme(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		answers := make([]llmtest.Answer, len(req.items))
		for i, it := range req.items {
			answers[i].ID = it.ID
			switch it.Text {
			case "Die Rückerstattung fehlt, und die App ist langsam":
				answers[i].Sentiment = llmtest.Felt(-0.8)
				answers[i].Themes = []llmtest.Theme{
					{Name: "refunds", Evidence: "Die Rückerstattung fehlt", Confidence: 0.9, Sentiment: llmtest.Felt(-0.7)},
					{Name: "performance", Evidence: "die App ist langsam", Confidence: 0.8, Sentiment: llmtest.Felt(-3)},
				}
			case "Refund arrived, thanks":
				answers[i].Sentiment = llmtest.Felt(0.5)
				answers[i].Themes = []llmtest.Theme{{Name: "refunds", Evidence: "Refund arrived", Confidence: 0.9}}
			case "Hallo":
				answers[i].Sentiment = llmtest.Felt(7)
			case "Danke":
				answers[i].Themes = []llmtest.Theme{{Name: "refunds", Evidence: "Danke", Confidence: 0.9, Sentiment: llmtest.Felt(0.5)}}
			}
		}
		return reply{content: llmtest.Content(answers)}
	})
	tg, _ := newTagger(t, f)
	items := offlineItems("Die Rückerstattung fehlt, und die App ist langsam", "Refund arrived, thanks", "Hallo", "Danke")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	felt := map[string]float64{}
	for _, th := range items[0].Themes {
		felt[th.Name] = th.Sentiment
	}
	if items[0].SentimentBy != "llm" || items[0].Sentiment != -0.8 || felt["refunds"] != -0.7 || felt["billing"] != -0.7 || felt["performance"] != -1 {
		t.Errorf("sentiment %v by %q: %v, want the model's, billing as its child refunds, performance clamped to -1",
			items[0].Sentiment, items[0].SentimentBy, felt)
	}
	if items[2].SentimentBy != "llm" || items[2].Sentiment != 1 {
		t.Errorf("no theme: sentiment %v by %q, want the model's, clamped to 1", items[2].Sentiment, items[2].SentimentBy)
	}
	if items[1].SentimentBy != "" || items[3].SentimentBy != "" {
		t.Errorf("sentiment by %q and %q: want none without a theme's or the text's sentiment", items[1].SentimentBy, items[3].SentimentBy)
	}
	again := offlineItems("Die Rückerstattung fehlt, und die App ist langsam")
	if err := tg.Tag(context.Background(), again); err != nil {
		t.Fatal(err)
	}
	if again[0].SentimentBy != "llm" || again[0].Sentiment != -0.8 || again[0].Themes[0].Sentiment != -0.7 {
		t.Errorf("cached answer: sentiment by %q, %+v", again[0].SentimentBy, again[0].Themes)
	}
}

// A sentiment written as a word or a string is no reason to throw the
// answer away: the themes count, and a number in a string is read.
func TestASentimentOfTheWrongTypeCostsOnlyTheSentiment(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, _ *chatRequest) reply {
		return reply{content: `{"items":[` +
			`{"id":"0","sentiment":"negative","themes":[{"name":"refunds","evidence":"refund","confidence":0.9,"sentiment":"very bad"}]},` +
			`{"id":"1","sentiment":"-0.3","themes":[{"name":"performance","evidence":"slow","confidence":0.9,"sentiment":" -0.5 "}]}]}`}
	})
	tg, _ := newTagger(t, f)
	items := offlineItems("I want my refund", "It is slow")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "llm" || names(items[0].Themes) != "refunds,billing" || items[0].SentimentBy != "" {
		t.Errorf("item 0: %q %q by %q, want the LLM's themes and no sentiment", items[0].Tagger, names(items[0].Themes), items[0].SentimentBy)
	}
	if items[1].SentimentBy != "llm" || items[1].Sentiment != -0.3 || items[1].Themes[0].Sentiment != -0.5 {
		t.Errorf("item 1: sentiment %v by %q, %+v; want the numbers read from the strings", items[1].Sentiment, items[1].SentimentBy, items[1].Themes)
	}
}

// Azure OpenAI serves a deployment at its own path, with the api-version
// in the query and the key in an api-key header. The deployment is named
// as configured: go-openai's default would ask for "gpt-35-turbo" here.
func TestAzureRequestsGoToTheNamedDeployment(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	f.azure, f.model = "2024-10-21", "gpt-3.5-turbo"
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.APIType, o.APIVersion, o.Model = "azure", f.azure, f.model
	})
	items := offlineItems("I want a refund for last month.")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	f.verify()
	if len(f.requests()) != 1 {
		t.Fatalf("%d requests, want 1", len(f.requests()))
	}
	if got := names(items[0].Themes); got != "refunds,billing" || items[0].Tagger != "llm" {
		t.Errorf("themes %q from %q, want the deployment's refunds,billing", got, items[0].Tagger)
	}
}

func TestThemesOutsideTheTaxonomyAreDroppedCountedAndLogged(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		return reply{content: `{"items":[{"id":"0","themes":[
			{"name":"performance","evidence":"slow","confidence":0.8},
			{"name":"pricing","evidence":"slow","confidence":0.9},
			{"name":"Performence","evidence":"slow","confidence":0.9},
			{"name":"Refunds ","evidence":"refund","confidence":0.7}]}]}`}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Log, o.BatchSize = zap.New(core), 1 })
	items := offlineItems("So slow, I want a refund", "Still slow, refund me")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	// A name in another case is the theme; one the taxonomy does not
	// define, or misspelt, is dropped.
	if got := names(items[0].Themes); got != "performance,refunds,billing" {
		t.Errorf("themes %q, want performance and refunds (with its parent)", got)
	}
	if got := count(m.DroppedLabels); got != 4 {
		t.Errorf("dropped %v labels, want 4 (an unknown name and a misspelt one, for each of two texts)", got)
	}
	if ev := items[0].Themes[0].Evidence; ev != "slow" {
		t.Errorf("evidence %q", ev)
	}
	// Each dropped name is logged once, however often it comes back.
	var logged []string
	for _, e := range logs.FilterMessageSnippet("does not define").All() {
		logged = append(logged, e.ContextMap()["theme"].(string))
	}
	slices.Sort(logged)
	if fmt.Sprint(logged) != "[Performence pricing]" {
		t.Errorf("logged %q, want each dropped name once", logged)
	}
}

// Asked without a strict schema, models write a theme's name as a title
// or with underscores ("Data Export", "data_export"). Folded as tags are,
// such a name is the theme.
func TestThemeNamesWrittenAsTitlesAreTheTheme(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		return reply{content: `{"items":[
			{"id":"0","themes":[{"name":"Data Export","evidence":"export","confidence":0.8}]},
			{"id":"1","themes":[{"name":"data_export","evidence":"export","confidence":0.8}]},
			{"id":"2","themes":[{"name":"DATA-EXPORT","evidence":"export","confidence":0.8}]}]}`}
	})
	tg, m := newTagger(t, f)
	items := offlineItems("export fails", "export is empty", "export times out")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if got := names(it.Themes); got != "data-export" {
			t.Errorf("item %d: themes %q, want data-export", i, got)
		}
	}
	if got := count(m.DroppedLabels); got != 0 {
		t.Errorf("dropped %v labels", got)
	}
}

// Without a strict schema, models write ids and confidences as numbers
// or strings as they please, and some leave out the object around the
// items. None of that makes the answer unreadable.
func TestAnswersThatBendTheShapeAreRead(t *testing.T) {
	for _, content := range []string{
		`{"items":[{"id":0,"themes":[{"name":"login","evidence":"password","confidence":"0.9","sentiment":-0.5}]}]}`,
		`[{"id":"0","themes":[{"name":"login","evidence":"password","confidence":0.9}]}]`,
		"```json\n[{\"id\": 0, \"themes\": [{\"name\": \"Login\", \"evidence\": \"password\", \"confidence\": \"high\"}]}]\n```",
	} {
		f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{content: content} })
		tg, m := newTagger(t, f)
		items := offlineItems("password reset")
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		if items[0].Tagger != "llm" || names(items[0].Themes) != "login" || len(f.requests()) != 1 {
			t.Errorf("%s: %s %q after %d requests, want login at once", content, items[0].Tagger, names(items[0].Themes), len(f.requests()))
		}
		if got := count(m.Requests.WithLabelValues("malformed")); got != 0 {
			t.Errorf("%s: %v malformed", content, got)
		}
	}
}

func TestEvidenceThatIsNotInTheTextIsLeftOut(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		return reply{content: `{"items":[{"id":"0","themes":[{"name":"login","evidence":"the customer cannot log in","confidence":0.7}]}]}`}
	})
	tg, _ := newTagger(t, f)
	items := offlineItems("Password   RESET fails")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if len(items[0].Themes) != 1 || items[0].Themes[0].Evidence != "" {
		t.Errorf("themes %+v, want login without made-up evidence", items[0].Themes)
	}
}

// A model quotes the customer with its own punctuation: a straight
// apostrophe where a phone wrote a curly one, a hyphen for a dash, three
// dots for an ellipsis, and other case and spacing. The evidence is still
// the customer's words, as written.
func TestEvidenceInOtherPunctuationIsTheCustomersOwnWords(t *testing.T) {
	texts := []string{
		"The refund doesn’t arrive. Support was kind.",
		"Invoice “total” — wrong… again",
		"Password\u00a0reset isn't working",
	}
	quotes := []string{"The refund doesn't arrive.", `invoice "total" - wrong... again`, "password reset isn’t working"}
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		var answers []llmtest.Answer
		for i, q := range quotes {
			answers = append(answers, llmtest.Answer{ID: fmt.Sprint(i), Sentiment: llmtest.Felt(-0.5),
				Themes: []llmtest.Theme{{Name: "billing", Evidence: q, Confidence: 0.8, Sentiment: llmtest.Felt(-0.5)}}})
		}
		return reply{content: llmtest.Content(answers)}
	})
	tg, _ := newTagger(t, f)
	items := offlineItems(texts...)
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	want := []string{"The refund doesn’t arrive.", "Invoice “total” — wrong… again", "Password\u00a0reset isn't working"}
	for i, it := range items {
		if len(it.Themes) == 0 || it.Themes[0].Evidence != want[i] {
			t.Errorf("item %d: themes %+v, want evidence %q", i, it.Themes, want[i])
		}
	}
}

func TestRateLimitedRequestsWaitForRetryAfter(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		if n == 0 {
			return reply{status: 429, header: map[string]string{"Retry-After": "1"},
				body: `{"error":{"message":"slow down","type":"rate_limit_exceeded"}}`}
		}
		return reply{}
	})
	tg, m := newTagger(t, f)
	items := offlineItems("refund please")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	times := f.requestTimes()
	if len(times) != 2 {
		t.Fatalf("%d requests, want the 429 and one retry", len(times))
	}
	if gap := times[1].Sub(times[0]); gap < 900*time.Millisecond {
		t.Errorf("retried after %v, want the 1s Retry-After honoured", gap)
	}
	if items[0].Tagger != "llm" {
		t.Errorf("item not tagged after the retry: %+v", items[0])
	}
	if count(m.Requests.WithLabelValues("rate_limited")) != 1 || count(m.Retries) != 1 {
		t.Errorf("metrics: rate_limited %v retries %v", count(m.Requests.WithLabelValues("rate_limited")), count(m.Retries))
	}
}

func TestServerErrorsAreRetriedAndHonourRetryAfter(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		switch n {
		case 0:
			return reply{status: 500, body: `{"error":{"message":"boom","type":"server_error"}}`}
		case 1:
			return reply{status: 503, header: map[string]string{"Retry-After": "1"}, body: "upstream down"}
		}
		return reply{}
	})
	tg, m := newTagger(t, f)
	items := offlineItems("slow")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	times := f.requestTimes()
	if len(times) != 3 {
		t.Fatalf("%d requests, want 500, 503 and a success", len(times))
	}
	if gap := times[2].Sub(times[1]); gap < 900*time.Millisecond {
		t.Errorf("retried 503 after %v, want its 1s Retry-After", gap)
	}
	if items[0].Tagger != "llm" || count(m.Requests.WithLabelValues("server_error")) != 2 {
		t.Errorf("tagger %q, server errors %v", items[0].Tagger, count(m.Requests.WithLabelValues("server_error")))
	}
}

func TestARetryAfterLongerThanTheWaitPausesTheAPI(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		return reply{status: 429, header: map[string]string{"Retry-After": "120"}, body: `{"error":{"message":"quota","type":"rate_limit_exceeded"}}`}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Log = zap.New(core) })
	items := offlineItems("refund")
	start := time.Now()
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Tag waited %v, want it to give up at once on a 120s Retry-After", took)
	}
	if items[0].Tagger != "keywords" || names(items[0].Themes) != "offline" {
		t.Errorf("item %+v, want its offline themes kept", items[0])
	}
	more := offlineItems("refund again")
	if err := tg.Tag(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want none after the server asked for two minutes", n)
	}
	if got := count(m.Fallbacks.WithLabelValues("cooldown")); got != 1 {
		t.Errorf("cooldown fallbacks %v, want 1", got)
	}
	if got := logs.FilterMessageSnippet("longer than llm.max_wait").Len(); got != 1 {
		t.Errorf("%d warnings of the pause, want 1", got)
	}
}

func TestTimeoutsFallBackToOfflineThemesWithinMaxWait(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		return reply{delay: 10 * time.Second}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) {
		o.RequestTimeout = 200 * time.Millisecond
		o.MaxWait = time.Second
	})
	items := offlineItems("slow", "refund")
	start := time.Now()
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("Tag took %v, want it bounded by MaxWait (1s)", took)
	}
	for _, it := range items {
		if it.Tagger != "keywords" {
			t.Errorf("item %s: tagger %q, want the offline tagging kept", it.Record.ID, it.Tagger)
		}
	}
	if count(m.Requests.WithLabelValues("timeout")) < 2 || count(m.Fallbacks.WithLabelValues("error")) != 2 {
		t.Errorf("timeouts %v, error fallbacks %v", count(m.Requests.WithLabelValues("timeout")), count(m.Fallbacks.WithLabelValues("error")))
	}
}

func TestMalformedAnswersAreRetriedThenFallBack(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		switch n {
		case 0:
			return reply{content: `{"items": [ {"id": "0", "themes": [`}
		case 1:
			return reply{body: `{"choices": "not a list"`}
		}
		return reply{}
	})
	tg, m := newTagger(t, f)
	items := offlineItems("password reset")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "llm" || names(items[0].Themes) != "login" {
		t.Errorf("item %+v, want tagged on the third attempt", items[0])
	}
	if got := count(m.Requests.WithLabelValues("malformed")); got != 1 {
		t.Errorf("malformed %v, want 1", got)
	}

	always := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{content: "Sure! Here are the themes: billing"} })
	tg2, m2 := newTagger(t, always, func(o *llm.Options) { o.MaxRetries = 2 })
	items = offlineItems("invoice wrong")
	if err := tg2.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "keywords" || len(always.requests()) != 3 {
		t.Errorf("tagger %q after %d requests, want offline kept after 3 attempts", items[0].Tagger, len(always.requests()))
	}
	// A malformed answer was still billed.
	if got := count(m2.Tokens.WithLabelValues("completion")); got != 21 {
		t.Errorf("completion tokens %v, want the 3 attempts' 21", got)
	}
}

// Asked without a strict schema, models wrap the JSON: a reasoning
// model's thoughts come first, others fence it or write a sentence before
// it. The object inside is the answer.
func TestAnswersWrappedInThoughtsOrProseAreRead(t *testing.T) {
	wraps := []string{
		"<think>The user wants {themes}. \"password\" means login.</think>\n\n%s",
		"Here are the themes:\n\n```json\n%s\n```\n\nLet me know if you need more.",
		"Sure! %s",
		"```%s```",
		"Here are the themes [JSON]: %s (ids as given)",
	}
	for _, wrap := range wraps {
		f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
			return reply{content: fmt.Sprintf(wrap, oracle(req))}
		})
		tg, m := newTagger(t, f)
		items := offlineItems("password reset")
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		if items[0].Tagger != "llm" || names(items[0].Themes) != "login" || len(f.requests()) != 1 {
			t.Errorf("%q: item %+v after %d requests, want login at once", wrap, items[0], len(f.requests()))
		}
		if got := count(m.Requests.WithLabelValues("malformed")); got != 0 {
			t.Errorf("%q: %v malformed", wrap, got)
		}
	}
}

// An answer cut off at the server's output limit cannot be read, and
// asking again gets the same cut. The texts are asked about in halves, and
// later requests ask about no more texts than fitted.
func TestAnswersCutOffAreAskedForInHalvesAndLaterRequestsAskForFewer(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		if len(req.items) > 2 {
			// Cut inside the first item: no item is finished.
			return reply{content: oracle(req)[:20], finish: "length"}
		}
		return reply{}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 4; o.Log = zap.New(core) })
	items := offlineItems("refund please", "so slow", "password reset", "invoice wrong")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	f.verify()
	want := []string{"refunds,billing", "performance", "login", "billing"}
	for i, it := range items {
		if it.Tagger != "llm" || names(it.Themes) != want[i] {
			t.Errorf("item %d: %s %q, want llm %q", i, it.Tagger, names(it.Themes), want[i])
		}
	}
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests, want the cut one and two halves", n)
	}
	if got := count(m.Requests.WithLabelValues("truncated")); got != 1 {
		t.Errorf("truncated %v, want 1", got)
	}
	// The cut answer was billed, and the rows of the texts answered bear
	// it: their tokens add up to the bill.
	if got := count(m.Tokens.WithLabelValues("completion")); got != 7*4+7*4 {
		t.Errorf("completion tokens %v, want %d", got, 7*4+7*4)
	}
	var prompt, completion int
	for _, it := range items {
		prompt += it.PromptTokens
		completion += it.CompletionTokens
	}
	if want := count(m.Tokens.WithLabelValues("prompt")); prompt != int(want) || completion != 7*4+7*4 {
		t.Errorf("rows bear %d/%d tokens, want the bill's %v/%d", prompt, completion, want, 7*4+7*4)
	}
	if logs.FilterMessageSnippet("asking about fewer at a time").Len() != 1 {
		t.Errorf("logged %v, want the smaller batches once", logs.All())
	}

	more := offlineItems("refund 1", "refund 2", "refund 3", "refund 4")
	if err := tg.Tag(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d requests after the second call, want 2 more of 2 texts each", len(reqs))
	}
	if got := count(m.Requests.WithLabelValues("truncated")); got != 1 {
		t.Errorf("truncated %v after asking for fewer, want still 1", got)
	}
}

// An answer cut off at the output limit holds the items it finished
// before the cut. They are kept; only the texts it did not reach are asked
// about again, together when they fit, and the rows bear the whole bill.
func TestACutAnswerKeepsTheItemsItFinished(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		if len(req.items) > 2 {
			whole := oracle(req)
			cut := strings.Index(whole, `{"id":"2"`) + len(`{"id":"2","sent`)
			return reply{content: whole[:cut], finish: "length"}
		}
		return reply{}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 4 })
	items := offlineItems("refund please", "so slow", "password reset", "invoice wrong")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	want := []string{"refunds,billing", "performance", "login", "billing"}
	for i, it := range items {
		if it.Tagger != "llm" || names(it.Themes) != want[i] {
			t.Errorf("item %d: %s %q, want llm %q", i, it.Tagger, names(it.Themes), want[i])
		}
	}
	if sizes := f.requestSizes(); fmt.Sprint(sizes) != "[4 2]" {
		t.Errorf("request sizes %v: want the cut 4, then the 2 it did not reach together", sizes)
	}
	var prompt, completion int
	for _, it := range items {
		prompt += it.PromptTokens
		completion += it.CompletionTokens
	}
	if prompt != int(count(m.Tokens.WithLabelValues("prompt"))) || completion != int(count(m.Tokens.WithLabelValues("completion"))) || completion != 7*4+7*2 {
		t.Errorf("rows bear %d/%d tokens, want the bill's %v/%v (42 completion)", prompt, completion,
			count(m.Tokens.WithLabelValues("prompt")), count(m.Tokens.WithLabelValues("completion")))
	}
}

// Azure's filter may stop an answer part way (finish_reason
// content_filter). The items before the stop are kept; the rest are asked
// about in halves, and the text the filter stops alone falls back.
func TestAnAnswerAFilterStoppedKeepsTheItemsBeforeTheStop(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		whole := oracle(req)
		for i, it := range req.items {
			if strings.Contains(it.Text, "burn") {
				stop := strings.Index(whole, fmt.Sprintf(`{"id":"%d"`, i))
				return reply{content: whole[:stop], finish: "content_filter"}
			}
		}
		return reply{}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 4 })
	items := offlineItems("refund now", "so slow", "I will burn the invoice", "password lost")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	wantAnsweredExcept(t, items, 2)
	// The stopped answer of 4 kept 2; the next was asked about alone, and
	// the last with nothing else.
	if n := len(f.requests()); n != 3 || count(m.Fallbacks.WithLabelValues("filtered")) != 1 {
		t.Errorf("%d requests, %v filtered: want 3 and 1", n, count(m.Fallbacks.WithLabelValues("filtered")))
	}
}

// A batch that did not fit may have held a few long texts: once enough
// smaller requests are answered, the batch size grows back.
func TestTheBatchSizeGrowsBackAsSmallerRequestsAreAnswered(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		if n == 0 { // the first batch's answer does not fit; later ones do
			return reply{content: oracle(req)[:20], finish: "length"}
		}
		return reply{}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize, o.Concurrency = 4, 1 })
	texts := func(call int) []string {
		return []string{fmt.Sprintf("refund %d", call), fmt.Sprintf("slow %d", call), fmt.Sprintf("invoice %d", call), fmt.Sprintf("password %d", call)}
	}
	if err := tg.Tag(context.Background(), offlineItems(texts(0)...)); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(f.requestSizes()); got != "[4 2 2]" {
		t.Fatalf("request sizes %s, want the cut batch of 4 and its halves", got)
	}
	if got := count(m.RequestLimit.WithLabelValues("texts")); got != 2 {
		t.Errorf("texts limit %v after the cut, want 2", got)
	}
	// Two answered already; eighteen more, each asking about two of its
	// four texts: one request a call, of the smaller size.
	for call := 1; call <= 18; call++ {
		if err := tg.Tag(context.Background(), offlineItems(texts(call)...)); err != nil {
			t.Fatal(err)
		}
	}
	if got := fmt.Sprint(f.requestSizes()[3:]); got != fmt.Sprint(slices.Repeat([]int{2}, 18)) {
		t.Fatalf("request sizes after the cut %s, want 18 of 2", got)
	}
	if err := tg.Tag(context.Background(), offlineItems(texts(99)...)); err != nil {
		t.Fatal(err)
	}
	all := f.requestSizes()
	if last := all[len(all)-1]; last != 4 || len(all) != 3+18+1 {
		t.Errorf("%d requests, the last of %d texts: want the four asked about together again", len(all), last)
	}
}

// wantAnsweredExcept checks that the model answered every item but the
// one at index offline, which kept its offline themes.
func wantAnsweredExcept(t *testing.T, items []*enrich.Item, offline int) {
	t.Helper()
	for i, it := range items {
		want := "llm"
		if i == offline {
			want = "keywords"
		}
		if it.Tagger != want {
			t.Errorf("item %d %q: tagger %s, want %s", i, it.Record.Body, it.Tagger, want)
		}
	}
}

// whenATextHolds scripts the fake to answer then to any request with a
// text that holds word, and like a model that knows the taxonomy to the
// others.
func whenATextHolds(word string, then reply) func(int, *chatRequest) reply {
	return func(_ int, req *chatRequest) reply {
		for _, it := range req.items {
			if strings.Contains(it.Text, word) {
				return then
			}
		}
		return reply{}
	}
}

// Azure OpenAI's content filter refuses a whole request for one text (a
// customer who swears, or threatens). The other texts are still answered,
// the one keeps its offline themes, and the API is not paused as it is for
// a refusal of every request.
func TestATextAContentFilterRefusesFallsBackAloneWithoutPausingTheAPI(t *testing.T) {
	const filtered = `{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation","content_filter_result":{"violence":{"filtered":true,"severity":"medium"}}}}}`
	f := newFakeAPI(t, taxonomy(t).Names(), whenATextHolds("burn", reply{status: http.StatusBadRequest, body: filtered}))
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 8; o.Log = zap.New(core) })
	texts := []string{"refund now", "slow again", "I will burn your office down over this invoice", "password reset", "invoice twice", "so slow", "refund me", "password lost"}
	items := offlineItems(texts...)
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	f.verify()
	wantAnsweredExcept(t, items, 2)
	// 8 texts, then halves of 4 (one refused), of 2 (one refused), of 1.
	if n := len(f.requests()); n != 7 {
		t.Errorf("%d requests, want 7", n)
	}
	if got := count(m.Fallbacks.WithLabelValues("filtered")); got != 1 {
		t.Errorf("filtered fallbacks %v, want 1", got)
	}
	if got := count(m.Retries); got != 0 {
		t.Errorf("%v retries of a refusal that asking again cannot change", got)
	}
	if logs.FilterMessageSnippet("even alone").Len() != 1 || logs.FilterMessageSnippet("refused a request").Len() != 0 {
		t.Errorf("logged %v, want the filtered text once and no pause", logs.All())
	}
	// Filtering says nothing about how many texts fit: the batch size
	// stays. The refused text is not asked about again.
	next := offlineItems("refund 1", "refund 2", texts[2], "refund 3")
	if err := tg.Tag(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 8 || next[0].Tagger != "llm" || next[2].Tagger != "keywords" {
		t.Errorf("%d requests, taggers %s and %s: want the next call answered in one request, without the refused text", n, next[0].Tagger, next[2].Tagger)
	}
	if got := count(m.Fallbacks.WithLabelValues("filtered")); got != 2 {
		t.Errorf("filtered fallbacks %v, want the refused text counted again", got)
	}
}

// Held to a strict schema, an OpenAI model that will not answer about a
// text says so in the message's refusal, with no content. Asking again
// gets the same refusal; the other texts are asked about without it.
func TestAModelsRefusalCostsOnlyTheTextItRefused(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), whenATextHolds("burn", reply{refusal: "I'm sorry, I can't assist with that request."}))
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 4 })
	items := offlineItems("refund now", "I will burn it all down over this invoice", "so slow", "password lost")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	wantAnsweredExcept(t, items, 1)
	if got := count(m.Fallbacks.WithLabelValues("filtered")); got != 1 || count(m.Retries) != 0 {
		t.Errorf("filtered fallbacks %v, retries %v: want 1 and none", got, count(m.Retries))
	}
}

// A prompt longer than the model's context is refused (vLLM's words and
// shape here); fewer texts at a time fit.
func TestPromptsLongerThanTheContextAreSplit(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		if len(req.items) > 1 {
			return reply{status: http.StatusBadRequest, body: `{"object":"error","message":"This model's maximum context length is 2048 tokens. However, you requested 2300 tokens (1900 in the messages, 400 in the completion). Please reduce the length of the messages or completion.","type":"BadRequestError","param":null,"code":400}`}
		}
		return reply{}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 2 })
	items := offlineItems("refund please", "so slow")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "llm" || items[1].Tagger != "llm" || len(f.requests()) != 3 {
		t.Errorf("taggers %s %s after %d requests, want both answered alone", items[0].Tagger, items[1].Tagger, len(f.requests()))
	}
	if got := count(m.Requests.WithLabelValues("too_long")); got != 1 {
		t.Errorf("too_long %v, want 1", got)
	}
}

// windowed scripts the fake as a server whose model has a context window
// of window tokens, prompt and answer: it counts four bytes a token and 60
// for an item's answer, as a tokenizer might, and refuses a longer
// request with refusal, given the tokens asked for.
func windowed(window int, refusal func(asked int) string) func(int, *chatRequest) reply {
	return func(_ int, req *chatRequest) reply {
		asked := (len(req.Messages[0].Content)+len(req.Messages[1].Content))/4 + 60*len(req.items)
		if asked > window {
			return reply{status: http.StatusBadRequest, body: refusal(asked)}
		}
		return reply{}
	}
}

// longTexts returns n distinct texts of about size bytes each.
func longTexts(n, size int, topic string) []string {
	out := make([]string, n)
	for i := range out {
		s := fmt.Sprintf("%s %d: ", topic, i)
		for len(s) < size {
			s += "the invoice came twice this month and nobody has answered my two e-mails about it. "
		}
		out[i] = s
	}
	return out
}

// A server that names its context window when it refuses a prompt
// teaches the tagger the window: the refused texts, and every later
// request, are packed to fit it, with short texts still asked about
// batch_size at a time. A server that names none (older llama.cpp) takes
// a refusal or two more.
func TestTheContextWindowIsLearnedFromARefusal(t *testing.T) {
	for _, tc := range []struct {
		name    string
		refusal func(asked int) string
		refused int // requests refused in all
	}{
		{"OpenAI", func(asked int) string {
			return fmt.Sprintf(`{"error":{"message":"This model's maximum context length is 4096 tokens. However, your messages resulted in %d tokens. Please reduce the length of the messages.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`, asked)
		}, 1},
		{"llama.cpp", func(asked int) string {
			return fmt.Sprintf(`{"error":{"code":400,"message":"request (%d tokens) exceeds the available context size (4096 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":%d,"n_ctx":4096}}`, asked, asked)
		}, 1},
		{"llama.cpp, no figures", func(int) string {
			return `{"error":{"code":400,"message":"the request exceeds the available context size, try increasing it","type":"invalid_request_error"}}`
		}, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, taxonomy(t).Names(), windowed(4096, tc.refusal))
			core, logs := observer.New(zap.WarnLevel)
			tg, m := newTagger(t, f, func(o *llm.Options) { o.Log = zap.New(core) })
			for call, texts := range [][]string{longTexts(20, 1200, "first"), longTexts(20, 1200, "second"), longTexts(20, 40, "short")} {
				before := len(f.requests())
				refusedBefore := count(m.Requests.WithLabelValues("too_long"))
				items := offlineItems(texts...)
				if err := tg.Tag(context.Background(), items); err != nil {
					t.Fatal(err)
				}
				wantAnsweredExcept(t, items, -1)
				if call > 0 && count(m.Requests.WithLabelValues("too_long")) != refusedBefore {
					t.Errorf("call %d: refused again, want the window learned", call)
				}
				if call == 2 && len(f.requests())-before != 1 {
					t.Errorf("20 short texts took %d requests, want 1: the window holds them", len(f.requests())-before)
				}
			}
			if got := count(m.Requests.WithLabelValues("too_long")); tc.refused > 0 && got != float64(tc.refused) {
				t.Errorf("%v requests refused, want %d", got, tc.refused)
			}
			if got := count(m.RequestLimit.WithLabelValues("context_tokens")); got == 0 || tc.refused > 0 && got != 4096 {
				t.Errorf("context_tokens limit %v, want the window learned (4096 when named)", got)
			}
			if logs.FilterMessageSnippet("longer than the model's context window").Len() != 1 {
				t.Errorf("logged %v, want the narrower window once", logs.All())
			}
		})
	}
}

// With llm.context_tokens set, requests are packed to the window from the
// first: no prompt is refused (nor, on Ollama, cut), and short texts
// still share requests.
func TestRequestsArePackedToAConfiguredContextWindow(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), windowed(4096, func(asked int) string {
		return fmt.Sprintf(`{"error":{"message":"This model's maximum context length is 4096 tokens. However, your messages resulted in %d tokens.","code":"context_length_exceeded"}}`, asked)
	}))
	tg, m := newTagger(t, f, func(o *llm.Options) { o.ContextTokens = 4096 })
	items := offlineItems(append(longTexts(10, 1800, "long"), longTexts(20, 40, "short")...)...)
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	wantAnsweredExcept(t, items, -1)
	if got := count(m.Requests.WithLabelValues("too_long")); got != 0 {
		t.Errorf("%v requests refused as too long, want none", got)
	}
	// Two requests of long texts, the second topped up with short ones,
	// and the short ones left.
	if n := len(f.requests()); n != 3 {
		t.Errorf("%d requests, want 3", n)
	}
}

// A context window too small for the instructions alone is refused when
// the tagger is built, not at every request.
func TestAContextWindowTooSmallForTheInstructionsIsRefused(t *testing.T) {
	_, err := llm.New(taxonomy(t), llm.Options{BaseURL: "http://127.0.0.1:1/v1", Model: "m", ContextTokens: 200})
	if err == nil || !strings.HasPrefix(err.Error(), "llm: llm.context_tokens 200 holds no request") {
		t.Errorf("error %v, want one naming the key and the window", err)
	}
}

// Ollama cuts a prompt longer than its context window without an error,
// the taxonomy first; only the prompt tokens it counts give that away. A
// count far below what was sent, but too small to be what a window kept,
// is warned about and the answers kept; a count near what was sent says
// nothing.
func TestAServerThatCountsFarFewerPromptTokensThanSentIsReported(t *testing.T) {
	for _, tc := range []struct {
		name    string
		counted func(bodyBytes int) int
		warned  int
	}{
		{"cut", func(int) int { return 64 }, 1},
		{"whole", func(n int) int { return n / 4 }, 0},
		{"not counted", func(int) int { return 0 }, 0},
		{"nonsense", func(int) int { return -1 }, 0},
	} {
		f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
			n := tc.counted(len(req.Messages[0].Content) + len(req.Messages[1].Content))
			return reply{prompt: &n}
		})
		core, logs := observer.New(zap.WarnLevel)
		tg, _ := newTagger(t, f, func(o *llm.Options) { o.BatchSize = 1; o.Log = zap.New(core) })
		items := offlineItems("refund please", "so slow")
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		if items[0].Tagger != "llm" || items[1].Tagger != "llm" {
			t.Errorf("%s: taggers %s %s, want the answers kept", tc.name, items[0].Tagger, items[1].Tagger)
		}
		if got := logs.FilterMessageSnippet("cutting the prompt").Len(); got != tc.warned {
			t.Errorf("%s: warned %d times, want %d: %v", tc.name, got, tc.warned, logs.All())
		}
	}
}

// Ollama cuts a prompt longer than its window without an error: the
// instructions go first, and what comes back is a guess. Its count of the
// tokens it kept gives it away: the cut request is asked again in
// requests that fit what it kept, and so is everything after.
func TestAPromptTheServerCutIsAskedAgainInRequestsThatFit(t *testing.T) {
	const window, kept = 4096, 4096/2 + 2 // what Ollama keeps of a prompt it cuts
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		sent := (len(req.Messages[0].Content) + len(req.Messages[1].Content)) / 4
		if sent+60*len(req.items) <= window {
			return reply{prompt: &sent}
		}
		guesses := make([]llmtest.Answer, len(req.items)) // the taxonomy was cut: no themes
		for i, it := range req.items {
			guesses[i] = llmtest.Answer{ID: it.ID, Sentiment: llmtest.Felt(0)}
		}
		n := kept
		return reply{prompt: &n, content: llmtest.Content(guesses)}
	})
	core, logs := observer.New(zap.WarnLevel)
	// Eight requests in flight: 20 long texts need seven that fit.
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Log = zap.New(core); o.Concurrency = 8 })
	for call := range 2 {
		items := offlineItems(longTexts(20, 1200, fmt.Sprintf("refund %d", call))...)
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		for i, it := range items {
			if it.Tagger != "llm" || names(it.Themes) != "refunds,billing" {
				t.Errorf("call %d, item %d: %s %q, want the answer of a prompt that was not cut", call, i, it.Tagger, names(it.Themes))
			}
		}
	}
	if got := count(m.Requests.WithLabelValues("too_long")); got != 1 {
		t.Errorf("%v requests cut, want the first only", got)
	}
	if got := count(m.RequestLimit.WithLabelValues("context_tokens")); got != kept {
		t.Errorf("context_tokens limit %v, want the %d tokens the server kept", got, kept)
	}
	if logs.FilterMessageSnippet("cut a prompt to fit").Len() != 1 {
		t.Errorf("logged %v, want the cut once", logs.All())
	}
}

// Some servers count only the part of each prompt they had not cached,
// which looks like a cut once. Counts that then vary with the request, as
// a cut's do not, show it: the answers are kept, and requests go back to
// their size.
func TestPromptCountsThatVaryAreNotTakenForACut(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		n := len(req.Messages[1].Content) / 6 // the instructions and more came from a cache
		return reply{prompt: &n}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Log = zap.New(core) })
	first := offlineItems(longTexts(20, 300, "refund")...)
	if err := tg.Tag(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	wantAnsweredExcept(t, first, -1)
	before := len(f.requests())
	second := offlineItems(longTexts(20, 300, "invoice")...)
	if err := tg.Tag(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	wantAnsweredExcept(t, second, -1)
	if n := len(f.requests()) - before; n != 1 {
		t.Errorf("20 texts took %d requests after the counts varied, want 1", n)
	}
	if got := count(m.RequestLimit.WithLabelValues("context_tokens")); got != 0 {
		t.Errorf("context_tokens limit %v, want none known", got)
	}
	if logs.FilterMessageSnippet("counts vary").Len() != 1 {
		t.Errorf("logged %v, want the varying counts once", logs.All())
	}
}

func TestIdenticalTextIsAskedAboutOnce(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f)
	items := offlineItems("Refund me", "Refund me", "slow")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	again := offlineItems("Refund me")
	again[0].Record.ID = "another"
	// Record 0 delivered again, answered from the cache: its new version
	// carries what its first cost, as tagger usage sums last versions.
	redelivered := offlineItems("Refund me")
	if err := tg.Tag(context.Background(), append(again, redelivered...)); err != nil {
		t.Fatal(err)
	}
	if redelivered[0].PromptTokens == 0 || redelivered[0].PromptTokens != items[0].PromptTokens ||
		redelivered[0].CompletionTokens != items[0].CompletionTokens {
		t.Errorf("record 0 again: %d+%d tokens, want its first version's %d+%d",
			redelivered[0].PromptTokens, redelivered[0].CompletionTokens, items[0].PromptTokens, items[0].CompletionTokens)
	}
	// ... but spends nothing now, which a run's totals must tell apart. (The
	// repeat in the first batch shared its request, at no cost of its own.)
	if items[0].FromCache || items[1].FromCache || items[1].PromptTokens != 0 || !again[0].FromCache || !redelivered[0].FromCache {
		t.Errorf("from the cache: asked %v, repeat in the batch %v (%d tokens), another record %v, redelivered %v; want false, false (0), true, true",
			items[0].FromCache, items[1].FromCache, items[1].PromptTokens, again[0].FromCache, redelivered[0].FromCache)
	}
	reqs := f.requests()
	if len(reqs) != 1 || strings.Count(reqs[0], "Refund me") != 1 {
		t.Fatalf("requests %q, want one asking about the repeated text once", reqs)
	}
	if names(items[1].Themes) != "refunds,billing" || names(again[0].Themes) != "refunds,billing" {
		t.Errorf("repeats not tagged: %q, %q", names(items[1].Themes), names(again[0].Themes))
	}
	if again[0].PromptTokens != 0 || items[1].PromptTokens != 0 {
		t.Errorf("repeats charged tokens: %d, %d", again[0].PromptTokens, items[1].PromptTokens)
	}
	if got := count(m.Items.WithLabelValues("cached")); got != 2 {
		t.Errorf("cached %v, want 2", got)
	}
}

func TestDailyBudgetFallsBackToOfflineUntilTheNextDay(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	now := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	// The first request is billed 117; a second does not fit what is left.
	tg, m := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = oneFits(t); o.Now = clock })
	if err := tg.Tag(context.Background(), offlineItems("refund one")); err != nil {
		t.Fatal(err)
	}
	items := offlineItems("refund two")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || items[0].Tagger != "keywords" {
		t.Fatalf("%d requests, second item tagger %q: want the budget to stop the second", n, items[0].Tagger)
	}
	if got := count(m.Fallbacks.WithLabelValues("budget")); got != 1 {
		t.Errorf("budget fallbacks %v, want 1", got)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour) // past midnight UTC
	mu.Unlock()
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "llm" {
		t.Errorf("not tagged by the model on the new day")
	}
}

// A request the rest of the day's budget cannot pay for is asked in
// halves, so that the texts it can pay for are answered; the others fall
// back, and the spent budget is logged once.
func TestWhatIsLeftOfTheBudgetIsSpentOnFewerTexts(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	core, logs := observer.New(zap.WarnLevel)
	// A request of four texts does not fit the budget, one of two does.
	budget := (estimate(t, "refund one", "refund two") + estimate(t, "refund one", "refund two", "refund three", "refund four")) / 2
	tg, m := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = budget; o.Log = zap.New(core) })
	items := offlineItems("refund one", "refund two", "refund three", "refund four")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	answered := answeredByLLM(items)
	if n := len(f.requests()); n == 0 || answered == 0 || answered == len(items) {
		t.Errorf("%d requests, %d of %d answered: want some answered and the budget to stop the rest", n, answered, len(items))
	}
	if got := count(m.Fallbacks.WithLabelValues("budget")); got != float64(len(items)-answered) {
		t.Errorf("budget fallbacks %v, want %d", got, len(items)-answered)
	}
	if n := logs.FilterMessageSnippet("budget spent").Len(); n != 1 {
		t.Errorf("%d budget warnings, want 1", n)
	}
	if err := tg.Tag(context.Background(), offlineItems("refund five", "refund six")); err != nil {
		t.Fatal(err)
	}
	if n := logs.FilterMessageSnippet("budget spent").Len(); n != 1 {
		t.Errorf("%d budget warnings after more fell back the same day, want 1", n)
	}
}

// A text too long for what is left of the budget falls back alone, and
// is no sign that the budget is spent: shorter texts are still answered,
// and nothing says the budget is spent until it is.
func TestATextTooLongForTheBudgetIsNotASpentBudget(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	core, logs := observer.New(zap.WarnLevel)
	// The long text is cut to 2,000 bytes, about 500 tokens more than a
	// short one.
	tg, m := newTagger(t, f, func(o *llm.Options) { o.DailyTokenBudget = estimate(t, "refund one") + 300; o.Log = zap.New(core) })
	long := offlineItems("refund " + strings.Repeat("please ", 2000))
	if err := tg.Tag(context.Background(), long); err != nil {
		t.Fatal(err)
	}
	short := offlineItems("refund one")
	if err := tg.Tag(context.Background(), short); err != nil {
		t.Fatal(err)
	}
	if long[0].Tagger == "llm" || short[0].Tagger != "llm" || count(m.Fallbacks.WithLabelValues("budget")) != 1 {
		t.Errorf("long text by %q, short by %q, %v budget fallbacks: want the long one alone to fall back",
			long[0].Tagger, short[0].Tagger, count(m.Fallbacks.WithLabelValues("budget")))
	}
	if n := logs.FilterMessageSnippet("budget spent").Len(); n != 0 {
		t.Errorf("%d warnings that the budget is spent, with most of it left", n)
	}
}

func TestTokensPerMinuteLimitFallsBackRatherThanWaitPastMaxWait(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	// A minute's tokens pay for one request of one item, and then a
	// sixtieth of it a second.
	tg, m := newTagger(t, f, func(o *llm.Options) { o.TokensPerMinute = oneFits(t); o.MaxWait = time.Second })
	if err := tg.Tag(context.Background(), offlineItems("refund one")); err != nil {
		t.Fatal(err)
	}
	items := offlineItems("refund two")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || items[0].Tagger != "keywords" {
		t.Errorf("%d requests, tagger %q: want the limit to hold back the second", n, items[0].Tagger)
	}
	if got := count(m.Fallbacks.WithLabelValues("rate_limit")); got != 1 {
		t.Errorf("rate_limit fallbacks %v, want 1", got)
	}
}

// A request whose turn under the limit comes too late for it to be
// answered before MaxWait ends is not sent: sent, it would be billed and
// then given up. Requests answered so far took a second; the limit's span
// is three seconds here, so the second call's turn comes about two
// seconds into its MaxWait of 2.5, and the answer would come at 3.
func TestTokensPerMinuteLimitSendsNoRequestThatCouldNotBeAnswered(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{delay: time.Second} })
	tg, m := newTagger(t, f, func(o *llm.Options) {
		o.TokensPerMinute = oneFits(t)
		o.MaxWait = 2500 * time.Millisecond
		o.RequestTimeout = 5 * time.Second
	})
	tg.SetRateSpan(3 * time.Second)
	first := offlineItems("refund one")
	if err := tg.Tag(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	second := offlineItems("refund two")
	if err := tg.Tag(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || first[0].Tagger != "llm" || second[0].Tagger != "keywords" {
		t.Errorf("%d requests, taggers %q and %q: want the second call held back, not sent", n, first[0].Tagger, second[0].Tagger)
	}
	if got := count(m.Fallbacks.WithLabelValues("rate_limit")); got != 1 {
		t.Errorf("rate_limit fallbacks %v, want 1", got)
	}
}

// A text that arrives again while the request about it is in flight (a
// form's stock answer sent by two customers at once) is not paid for
// twice: the second call waits for the first's answer. When the first
// gets none, the second keeps its offline themes without asking either.
func TestATextInFlightIsNotAskedAboutTwice(t *testing.T) {
	for _, failing := range []bool{false, true} {
		release := make(chan struct{})
		f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply {
			<-release
			if failing {
				return reply{status: http.StatusInternalServerError, body: `{"error":{"message":"down"}}`}
			}
			return reply{}
		})
		tg, m := newTagger(t, f, func(o *llm.Options) { o.MaxRetries = -1 })
		first, second := offlineItems("refund please"), offlineItems("refund please")
		second[0].Record.ID = "another"
		done := make(chan error, 1)
		go func() { done <- tg.Tag(context.Background(), first) }()
		for len(f.requests()) == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		go func() {
			time.Sleep(50 * time.Millisecond) // the second call is waiting by then
			close(release)
		}()
		if err := tg.Tag(context.Background(), second); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("failing %v: %d requests, want 1", failing, n)
		}
		switch {
		case !failing && (first[0].Tagger != "llm" || second[0].Tagger != "llm" || second[0].PromptTokens != 0 || !second[0].FromCache):
			t.Errorf("second call: tagger %q, %d prompt tokens, from cache %v: want the first call's answer, at no cost",
				second[0].Tagger, second[0].PromptTokens, second[0].FromCache)
		case failing && (second[0].Tagger != "keywords" || count(m.Fallbacks.WithLabelValues("error")) != 2):
			t.Errorf("with the first request failing: second tagged by %q, %v error fallbacks; want it offline, both counted",
				second[0].Tagger, count(m.Fallbacks.WithLabelValues("error")))
		}
	}
}

func TestCallsBeyondMaxWaitingDoNotWait(t *testing.T) {
	release := make(chan struct{})
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		if n == 0 {
			<-release
		}
		return reply{}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) { o.MaxWaiting = 1 })
	first := offlineItems("refund")
	done := make(chan error, 1)
	go func() { done <- tg.Tag(context.Background(), first) }()
	for len(f.requests()) == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	second := offlineItems("slow")
	if err := tg.Tag(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	if second[0].Tagger != "keywords" || count(m.Fallbacks.WithLabelValues("busy")) != 1 {
		t.Errorf("second call: tagger %q, busy %v: want it to skip the model", second[0].Tagger, count(m.Fallbacks.WithLabelValues("busy")))
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if first[0].Tagger != "llm" {
		t.Errorf("first call not answered")
	}
}

func TestRefusedRequestsAreNotRetried(t *testing.T) {
	for _, refusal := range []reply{
		{status: 401, body: `{"error":{"message":"bad key","type":"invalid_request_error"}}`},
		{status: 400, body: `{"error":{"message":"The model 'test-model' does not exist","type":"invalid_request_error","param":"model"}}`},
	} {
		f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return refusal })
		tg, _ := newTagger(t, f)
		items := offlineItems("refund")
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		if n := len(f.requests()); n != 1 || items[0].Tagger != "keywords" {
			t.Errorf("%d: %d requests, tagger %q: want one attempt and offline themes", refusal.status, n, items[0].Tagger)
		}
	}
}

// Requests refused together are one warning, naming what to check: a 404
// is most often a base_url without Ollama's /v1, or a model not pulled.
func TestARefusalIsLoggedOnceWithWhatToCheck(t *testing.T) {
	for status, want := range map[int]string{401: "llm.api_key", 404: "llm.base_url (the part before /chat/completions) and llm.model"} {
		f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply {
			return reply{status: status, body: "404 page not found", delay: 50 * time.Millisecond}
		})
		core, logs := observer.New(zap.WarnLevel)
		tg, _ := newTagger(t, f, func(o *llm.Options) { o.Log, o.BatchSize, o.Concurrency = zap.New(core), 1, 4 })
		if err := tg.Tag(context.Background(), offlineItems("refund", "slow", "invoice", "password")); err != nil {
			t.Fatal(err)
		}
		if n := len(f.requests()); n != 4 {
			t.Fatalf("%d: %d requests, want 4 in flight at once", status, n)
		}
		refusals := logs.FilterMessageSnippet("refused a request").All()
		if len(refusals) != 1 {
			t.Fatalf("%d: %d warnings for 4 refusals at once, want 1", status, len(refusals))
		}
		if got := refusals[0].ContextMap()["check"]; got != want {
			t.Errorf("%d: check %q, want %q", status, got, want)
		}
	}
}

// OpenAI answers an account without credit with a 429 that no wait
// mends: insufficient_quota. It is a refusal, not a rate limit: retried,
// every call would wait max_wait for nothing.
func TestAnAccountOutOfQuotaIsARefusalNotARateLimit(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply {
		return reply{status: http.StatusTooManyRequests, body: `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Log = zap.New(core) })
	items := offlineItems("refund")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || items[0].Tagger != "keywords" || count(m.Retries) != 0 {
		t.Errorf("%d requests, %v retries, tagger %q: want one attempt and offline themes", n, count(m.Retries), items[0].Tagger)
	}
	refusals := logs.FilterMessageSnippet("refused a request").All()
	if len(refusals) != 1 || refusals[0].ContextMap()["check"] != "the API account's plan and billing (insufficient_quota)" {
		t.Errorf("logged %v, want the refusal with what to check", logs.All())
	}
	// The API is left alone for a while: the next call does not ask it.
	if err := tg.Tag(context.Background(), offlineItems("slow")); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want the next call not to ask", n)
	}
}

func TestNoContactDetailsLeaveTheProcess(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, _ := newTagger(t, f)
	// Not redacted beforehand: the Tagger must not rely on the chain order.
	items := offlineItems(
		"Refund to jane.doe@example.com please, or call +1 415 555 0134.",
		"My password for bob@corp.io stopped working, ring 020 7946 0958",
		"Refund the double charge to GB82 WEST 1234 5698 7654 32",
		// Shapes the tenth redaction QA found leaking: a CSV row, a
		// country code before a date's shape, a link's encoded spaces, a
		// quoted reply's header and a phone number before a date.
		"Export row: 4471,Jane Roe,+44 7700 900123,2026-03-03",
		"Call +44-20-7946-0958 or https://acme.io/cb?phone=%2B1%20415%20555%200199",
		"On Tue, 3 Mar 2026 at 09:12, Jane Roe <jane.roe@acme.io> wrote:\n> ring 0612345678 2026-03-03",
		// And those the eleventh found: dotted groups after a country
		// code, a 3-3-4 number wrapped after a phone word, an address
		// with its dots spaced as its '@' is, and Russian's capitalised
		// word for '@'.
		"Tél : +33.7.98.76.54.32, commande 100234567",
		"Export v4.12.0 fails. Phone: 415 555\n0188",
		"write to ivy . lane @ acme . io please",
		"Пишите: ivan.petrov Собака mail.ru",
		// A number read out digit by digit, in words and in spaced digits.
		"text me on seven one eight, five five five, zero one six zero",
		"Reach me at 3 1 2 5 5 5 0 1 9 9 any time",
		// What the stored text's rules keep, reading it as an order
		// number or prose, and RedactOutgoing takes for a request.
		"my brand new number is 612 345 678, export broken",
		"HP 9123 4567 / invoices wrong",
		"finance at acmecorp.io never got the refund",
	)
	items[0].Record.Title = "From ann.lee@example.org"
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) == 0 {
		t.Fatal("no request sent")
	}
	for _, body := range reqs {
		for _, secret := range []string{"jane.doe", "example.com", "bob@corp.io", "ann.lee", "415 555 0134", "7946 0958", "GB82 WEST",
			"7700 900123", "7946-0958", "555%200199", "jane.roe", "0612345678", "98.76.54.32", "0188", "ivy", "lane @", "ivan.petrov",
			"zero one six zero", "0 1 9 9", "345 678", "9123 4567", "finance at", "acmecorp"} {
			if strings.Contains(body, secret) {
				t.Errorf("request body holds %q: %s", secret, body)
			}
		}
	}
}

func TestHybridSendsOnlyUnsureItemsToTheModel(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f)
	h := llm.NewHybrid(enrich.NewKeywordTagger(taxonomy(t)), tg, 0.7, m, nil)
	items := offlineItems(
		"The invoice shows a charge I do not know", // two billing keywords: 0.75, stays offline
		"I want my money back",                     // no keyword: goes to the model
		"slow",                                     // one keyword: 0.5, goes to the model
	)
	if err := h.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "keywords" || names(items[0].Themes) != "billing" {
		t.Errorf("confident item: %q %q", items[0].Tagger, names(items[0].Themes))
	}
	if items[1].Tagger != "llm" || items[2].Tagger != "llm" || names(items[2].Themes) != "performance" {
		t.Errorf("unsure items: %q %q %q", items[1].Tagger, items[2].Tagger, names(items[2].Themes))
	}
	if items[0].Routed || !items[1].Routed || !items[2].Routed {
		t.Errorf("Routed %v %v %v, want false true true", items[0].Routed, items[1].Routed, items[2].Routed)
	}
	reqs := f.requests()
	if len(reqs) != 1 || strings.Contains(reqs[0], "charge I do not know") {
		t.Errorf("requests %q, want one without the confident item", reqs)
	}
	if count(m.Routed.WithLabelValues("llm")) != 2 || count(m.Routed.WithLabelValues("offline")) != 1 {
		t.Errorf("routed metrics llm %v offline %v", count(m.Routed.WithLabelValues("llm")), count(m.Routed.WithLabelValues("offline")))
	}
	if s := h.Share(); s < 0.66 || s > 0.67 {
		t.Errorf("share %v, want 2/3", s)
	}
}

// The routing log line says, besides the shares, why the routed items the
// model did not answer kept their offline themes, since the last line.
func TestTheRoutingLogSaysWhyItemsWentUnanswered(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), whenATextHolds("burn", reply{refusal: "I can't help with that."}))
	tg, m := newTagger(t, f)
	core, logs := observer.New(zap.InfoLevel)
	h := llm.NewHybrid(enrich.NewKeywordTagger(taxonomy(t)), tg, 0.7, m, zap.New(core))
	h.LogEvery = 0
	for _, texts := range [][]string{{"I want my money back", "burn it all"}, {"slow again"}} {
		if err := h.Tag(context.Background(), offlineItems(texts...)); err != nil {
			t.Fatal(err)
		}
	}
	lines := logs.FilterMessage("theme tagging routes").All()
	if len(lines) != 2 {
		t.Fatalf("%d routing lines, want one a call", len(lines))
	}
	if got := fmt.Sprint(lines[0].ContextMap()["not_answered"]); got != "map[filtered:1]" {
		t.Errorf("first line: not_answered %s, want the refused item", got)
	}
	if _, ok := lines[1].ContextMap()["not_answered"]; ok || lines[1].ContextMap()["llm_answered_share"] != 1.0 {
		t.Errorf("second line %v, want everything answered and no reasons", lines[1].ContextMap())
	}
}

// A worker that stops within its first minute still logs its routes:
// LogRoutes logs what came since the last line, and nothing when nothing
// came.
func TestTheRoutingLogIsWrittenWhenTheWorkerStops(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f)
	core, logs := observer.New(zap.InfoLevel)
	h := llm.NewHybrid(enrich.NewKeywordTagger(taxonomy(t)), tg, 0.7, m, zap.New(core))
	if err := h.Tag(context.Background(), offlineItems("I want my money back", "slow again")); err != nil {
		t.Fatal(err)
	}
	if n := logs.FilterMessage("theme tagging routes").Len(); n != 0 {
		t.Fatalf("%d routing lines within the first minute, want none yet", n)
	}
	h.LogRoutes()
	h.LogRoutes()
	lines := logs.FilterMessage("theme tagging routes").All()
	if len(lines) != 1 || lines[0].ContextMap()["items"] != int64(2) || lines[0].ContextMap()["routed_share"] == nil {
		t.Fatalf("routing lines %v, want one for the 2 items, with routed_share", lines)
	}
}

func TestACallSendsOneRoundOfRequestsAtMost(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Concurrency = 1; o.BatchSize = 2 })
	items := offlineItems("refund a", "refund b", "refund c", "refund d", "refund e")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("%d requests, want one round: concurrency 1", n)
	}
	tagged := answeredByLLM(items)
	if tagged != 2 || count(m.Fallbacks.WithLabelValues("busy")) != 3 {
		t.Errorf("%d tagged, %v busy: want 2 and 3", tagged, count(m.Fallbacks.WithLabelValues("busy")))
	}
}

// Customers write "R&D" and "<3": the request carries them as written,
// not as JSON's HTML escapes, which cost tokens and which a model may copy
// into its evidence.
func TestTextsAreSentWithoutHTMLEscapes(t *testing.T) {
	var user string
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		user = req.Messages[1].Content
		return reply{}
	})
	tg, _ := newTagger(t, f)
	if err := tg.Tag(context.Background(), offlineItems("R&D says the invoice is wrong <3")); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(user, "R&D says the invoice is wrong <3") {
		t.Errorf("user message %s, want the text as written", user)
	}
}

// With EveryRound, as tagger eval and tagger try ask, a call waits for
// round after round until every text is answered.
func TestEveryRoundAsksAboutEveryText(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Concurrency = 1; o.BatchSize = 2; o.EveryRound = true })
	items := offlineItems("refund a", "refund b", "refund c", "refund d", "refund e")
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	wantAnsweredExcept(t, items, -1)
	if n := len(f.requests()); n != 3 || count(m.Fallbacks.WithLabelValues("busy")) != 0 {
		t.Errorf("%d requests, %v busy: want 3 rounds of one and none busy", n, count(m.Fallbacks.WithLabelValues("busy")))
	}
}

// A refusal pauses the API; with EveryRound, the rounds after it are not
// sent, and their texts fall back as paused.
func TestEveryRoundStopsOnceTheAPIIsPaused(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply {
		return reply{status: http.StatusUnauthorized, body: `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error","code":"invalid_api_key"}}`}
	})
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Concurrency = 1; o.BatchSize = 2; o.EveryRound = true })
	if err := tg.Tag(context.Background(), offlineItems("refund a", "refund b", "refund c", "refund d", "refund e")); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 || count(m.Fallbacks.WithLabelValues("cooldown")) != 3 {
		t.Errorf("%d requests, %v paused: want 1 and the 3 texts of the later rounds", n, count(m.Fallbacks.WithLabelValues("cooldown")))
	}
}

// sureOfNothing is an offline tagger that finds no theme and says how sure
// it is of that, as the learned model does: Certainty from SetConfidence.
type sureOfNothing map[string]float64

func (s sureOfNothing) Tag(_ context.Context, items []*enrich.Item) error {
	for _, it := range items {
		it.Themes, it.Tagger, it.SetConfidence = nil, "learned", s[it.Record.Body]
	}
	return nil
}

func TestHybridKeepsASureNoThemeOffline(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f)
	offline := sureOfNothing{"Thanks, all good here": 0.95, "I want my money back": 0.4}
	h := llm.NewHybrid(offline, tg, 0.8, m, nil)
	items := offlineItems("Thanks, all good here", "I want my money back")
	if err := h.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if items[0].Tagger != "learned" || len(items[0].Themes) != 0 {
		t.Errorf("sure no-theme item: %q %q, want it kept offline", items[0].Tagger, names(items[0].Themes))
	}
	if items[1].Tagger != "llm" || items[1].SetConfidence != 0 {
		t.Errorf("unsure item: tagger %q SetConfidence %v, want llm and 0", items[1].Tagger, items[1].SetConfidence)
	}
	if reqs := f.requests(); len(reqs) != 1 || strings.Contains(reqs[0], "all good here") {
		t.Errorf("requests %q, want one without the sure item", reqs)
	}
}

// An item in a language the offline tagger does not read goes to the model
// however sure the offline tagger is; its language is read from its words
// when its record does not say, and kept on the record.
func TestHybridSendsWhatTheOfflineTaggerCannotReadToTheModel(t *testing.T) {
	const (
		german  = "Die Rechnung ist leider immer noch falsch."
		english = "The invoice is still wrong, sadly."
		french  = "Merci, tout va bien."
	)
	for _, tc := range []struct {
		languages []string
		routed    string // which of german, english, french and a record marked "es" go to the model
	}{
		{[]string{"en"}, "german french es"},
		{[]string{"en", "DE"}, "french es"},
		{nil, ""},
	} {
		f := newFakeAPI(t, taxonomy(t).Names(), nil)
		tg, _ := newTagger(t, f)
		offline := sureOfNothing{german: 0.99, english: 0.99, french: 0.99, "Hola": 0.99}
		h := llm.NewHybrid(offline, tg, 0.8, nil, nil)
		h.OfflineLanguages = tc.languages
		items := offlineItems(german, english, french, "Hola")
		items[3].Record.Language = "es-MX"
		if err := h.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		var routed []string
		for i, it := range items {
			if it.Routed {
				routed = append(routed, []string{"german", "english", "french", "es"}[i])
			}
		}
		if got := strings.Join(routed, " "); got != tc.routed {
			t.Errorf("offline languages %q: routed %q, want %q", tc.languages, got, tc.routed)
		}
		if tc.languages != nil && (items[0].Record.Language != "de" || items[1].Record.Language != "" || items[3].Record.Language != "es-MX") {
			t.Errorf("offline languages %q: record languages %q %q %q", tc.languages, items[0].Record.Language, items[1].Record.Language, items[3].Record.Language)
		}
	}
}

// A server that refuses a strict json_schema (older Ollama, vLLM and Azure
// API versions, some models) gets json_object, and one that refuses that
// too gets no response_format: the prompt shows the answer's shape either
// way. The first refusal costs one extra request, once; tagging and
// cluster naming go on the plainer way.
func TestServersThatRefuseJSONSchemaAreAskedThePlainerWay(t *testing.T) {
	for _, tc := range []struct {
		takes   []string
		refused int // requests refused before the first answer
		want    string
	}{
		{[]string{"json_object"}, 1, "json_object"},
		{[]string{""}, 2, ""},
	} {
		t.Run(fmt.Sprintf("takes %q", tc.takes), func(t *testing.T) {
			f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
				if req.clusters > 0 {
					return reply{content: `{"clusters":[{"id":"0","name":"offline-mode","description":"Reading without a connection."}]}`}
				}
				return reply{}
			})
			f.takes = tc.takes
			tg, _ := newTagger(t, f)
			items := offlineItems("I want a refund", "The app is slow")
			if err := tg.Tag(t.Context(), items); err != nil {
				t.Fatal(err)
			}
			if got := names(items[0].Themes) + ";" + names(items[1].Themes); got != "refunds,billing;performance" || items[0].Tagger != "llm" {
				t.Errorf("themes %q by %q, want the LLM's", got, items[0].Tagger)
			}
			more := offlineItems("Where is my invoice")
			if err := tg.Tag(t.Context(), more); err != nil {
				t.Fatal(err)
			}
			named, _, err := tg.NameClusters(t.Context(), []llm.Cluster{{Terms: []string{"offline"}, Quotes: []string{"let me read offline"}}})
			if err != nil || len(named) != 1 || named[0].Name != "offline-mode" {
				t.Errorf("names %+v, %v", named, err)
			}
			f.verify()
			formats := responseFormats(t, f.requests())
			if len(formats) != tc.refused+3 {
				t.Fatalf("requests asked for %q: want %d refused, then one each to tag, tag again and name", formats, tc.refused)
			}
			if formats[0] != "json_schema" {
				t.Errorf("first request asked for %q, want json_schema", formats[0])
			}
			for i, got := range formats[tc.refused:] {
				if got != tc.want {
					t.Errorf("request %d asked for %q after the refusal, want %q", tc.refused+i, got, tc.want)
				}
			}
			if more[0].Tagger != "llm" || names(more[0].Themes) != "billing" {
				t.Errorf("second call: themes %q by %q", names(more[0].Themes), more[0].Tagger)
			}
		})
	}
}

// responseFormats returns each request's response_format type, "" for none.
func responseFormats(t *testing.T, bodies []string) []string {
	t.Helper()
	out := make([]string, len(bodies))
	for i, b := range bodies {
		var req struct {
			ResponseFormat *struct {
				Type string `json:"type"`
			} `json:"response_format"`
		}
		if err := json.Unmarshal([]byte(b), &req); err != nil {
			t.Fatal(err)
		}
		if req.ResponseFormat != nil {
			out[i] = req.ResponseFormat.Type
		}
	}
	return out
}

// An LLM that is down shows in the log, not only in the metrics: the
// first request that fails after its retries is logged at once, and the
// next ones at most once a minute.
func TestFailingRequestsAreLoggedAtMostOnceAMinute(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
		return reply{status: 500, body: `{"error":{"message":"boom","type":"server_error"}}`}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Log, o.MaxRetries = zap.New(core), 1 })
	for i := range 3 {
		items := offlineItems(fmt.Sprintf("slow %d", i))
		if err := tg.Tag(context.Background(), items); err != nil {
			t.Fatal(err)
		}
		if items[0].Tagger == "llm" {
			t.Fatalf("item %d tagged by a failing LLM", i)
		}
	}
	failing := logs.FilterMessageSnippet("failing after their retries").All()
	if len(failing) != 1 || failing[0].ContextMap()["failed_requests"] != int64(1) {
		t.Errorf("logged %d lines about failing requests (%v), want one, for the first", len(failing), failing)
	}
	if got := count(m.Fallbacks.WithLabelValues("error")); got != 3 {
		t.Errorf("error fallbacks %v, want 3", got)
	}
}

// A model may skip an item of a list. The texts it left out are asked
// about again, once, on their own; left out again, they keep their
// offline themes, and that is a warning.
func TestTextsTheModelLeftOutAreAskedAboutAgainOnce(t *testing.T) {
	for _, tc := range []struct {
		name       string
		skip       string // the text the model leaves out: the first time, or always
		always     bool
		requests   int
		answered   int
		warnings   int
		fallbacks  float64
		secondSize int
	}{
		{"left out once", "refund please", false, 2, 3, 0, 0, 1},
		{"left out twice", "refund please", true, 2, 2, 1, 1, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeAPI(t, taxonomy(t).Names(), func(n int, req *chatRequest) reply {
				kept := *req
				kept.items = nil
				for _, it := range req.items {
					if it.Text != tc.skip || n > 0 && !tc.always {
						kept.items = append(kept.items, it)
					}
				}
				return reply{content: oracle(&kept)}
			})
			core, logs := observer.New(zap.WarnLevel)
			tg, m := newTagger(t, f, func(o *llm.Options) { o.Log = zap.New(core) })
			items := offlineItems("the invoice is wrong", "refund please", "so slow")
			if err := tg.Tag(context.Background(), items); err != nil {
				t.Fatal(err)
			}
			answered := answeredByLLM(items)
			sizes := f.requestSizes()
			if len(sizes) != tc.requests || sizes[len(sizes)-1] != tc.secondSize || answered != tc.answered {
				t.Errorf("requests of %v texts, %d answered: want %d requests, the last of %d, and %d answered", sizes, answered, tc.requests, tc.secondSize, tc.answered)
			}
			if got := count(m.Fallbacks.WithLabelValues("error")); got != tc.fallbacks {
				t.Errorf("error fallbacks %v, want %v", got, tc.fallbacks)
			}
			if n := logs.FilterMessageSnippet("left texts out").Len(); n != tc.warnings {
				t.Errorf("%d warnings, want %d", n, tc.warnings)
			}
		})
	}
}

// answeredByLLM counts the items the LLM tagged.
func answeredByLLM(items []*enrich.Item) int {
	n := 0
	for _, it := range items {
		if it.Tagger == "llm" {
			n++
		}
	}
	return n
}

// A patient command (tagger try, eval --llm, retag --llm) stops asking an
// LLM that failed request after request: the rest keep their offline
// themes at once, and that is a warning.
func TestAPatientTaggerStopsAskingAnLLMThatKeepsFailing(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply {
		return reply{status: http.StatusInternalServerError, body: `{"error":{"message":"overloaded","type":"server_error"}}`}
	})
	core, logs := observer.New(zap.WarnLevel)
	tg, _ := newTagger(t, f, func(o *llm.Options) {
		o.Patient()
		o.MaxRetries, o.BatchSize, o.Log = -1, 1, zap.New(core)
	})
	texts := make([]string, 30)
	for i := range texts {
		texts[i] = fmt.Sprintf("refund number %d", i)
	}
	items := offlineItems(texts...)
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n >= 10 || answeredByLLM(items) != 0 {
		t.Errorf("%d requests for 30 texts, %d answered: want it to stop after a few", n, answeredByLLM(items))
	}
	if n := logs.FilterMessageSnippet("failed requests in a row").Len(); n != 1 {
		t.Errorf("%d warnings, want 1", n)
	}
}

// The answer cache keeps an answer's evidence as long as the answer: a
// copy of the passage, not a piece of the text it quotes, or each cached
// answer would keep a whole record body alive (up to worker.max_body_bytes,
// whatever llm.max_text_chars sends), and a full cache many times its size.
func TestEvidenceDoesNotHoldOnToTheRecordsText(t *testing.T) {
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		answers := make([]llmtest.Answer, len(req.items))
		for i, it := range req.items {
			answers[i] = llmtest.Answer{ID: it.ID, Themes: []llmtest.Theme{{Name: "refunds", Evidence: "refund", Confidence: 0.9}}}
		}
		return reply{content: llmtest.Content(answers)}
	})
	tg, _ := newTagger(t, f)
	body := "Where is my refund? " + strings.Repeat("We have waited for weeks. ", 400)
	items := offlineItems(body)
	if err := tg.Tag(context.Background(), items); err != nil {
		t.Fatal(err)
	}
	if len(items[0].Themes) == 0 || items[0].Themes[0].Evidence != "refund" {
		t.Fatalf("themes %+v, want refunds first, with the quoted word", items[0].Themes)
	}
	ev := items[0].Themes[0].Evidence
	start, at := uintptr(unsafe.Pointer(unsafe.StringData(body))), uintptr(unsafe.Pointer(unsafe.StringData(ev)))
	if at >= start && at < start+uintptr(len(body)) {
		t.Errorf("the evidence is a piece of the %d-byte body, which every cached answer then keeps alive", len(body))
	}
}
