package llm_test

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// answers is the shared cache on a real embedded NATS server, and the
// JetStream context to look into its bucket.
func answers(t *testing.T) (*ingest.Answers, jetstream.KeyValue) {
	t.Helper()
	_, js := testenv.JetStream(t, testenv.NATS(t).ClientURL())
	a, err := ingest.EnsureAnswers(context.Background(), js, time.Hour, 1<<20, 1)
	if err != nil {
		t.Fatal(err)
	}
	kv, err := js.KeyValue(context.Background(), ingest.AnswerBucket)
	if err != nil {
		t.Fatal(err)
	}
	return a, kv
}

// Two Taggers on one shared cache (two workers, or one before and after a
// restart): the second asks the model about nothing the first was
// answered, "no theme" included; a Tagger of another model shares
// nothing; an entry that cannot be read is asked about again.
func TestTaggersOnOneSharedCacheAskOnce(t *testing.T) {
	shared, kv := answers(t)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	withShared := func(o *llm.Options) { o.Shared = shared }
	texts := []string{"I want a refund", "The app is slow", "Nice colours."}

	first, _ := newTagger(t, f, withShared)
	if err := first.Tag(t.Context(), offlineItems(texts...)); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Fatalf("first tagger: %d requests, want 1", n)
	}
	keys, err := kv.Keys(t.Context())
	if err != nil || len(keys) != 3 {
		t.Fatalf("bucket keys %v (%v), want one per text", keys, err)
	}

	second, m := newTagger(t, f, withShared)
	items := offlineItems(texts...)
	for _, it := range items {
		it.Record.ID = "other " + it.Record.ID // other records with the same texts
	}
	if err := second.Tag(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 1 {
		t.Errorf("second tagger: %d requests in all, want still 1", n)
	}
	want := []string{"refunds,billing", "performance", ""}
	for i, it := range items {
		if got := names(it.Themes); got != want[i] || it.Tagger != "llm" || it.PromptTokens != 0 {
			t.Errorf("item %d: themes %q by %q at %d tokens, want %q by llm, free", i, got, it.Tagger, it.PromptTokens, want[i])
		}
		// The model's sentiment comes back with its themes.
		if it.SentimentBy != "llm" || it.Sentiment != -0.5 || len(it.Themes) > 0 && it.Themes[0].Sentiment != -0.5 {
			t.Errorf("item %d: sentiment %v by %q, %+v", i, it.Sentiment, it.SentimentBy, it.Themes)
		}
	}
	if got := count(m.Items.WithLabelValues("shared")); got != 3 {
		t.Errorf("shared hits %v, want 3", got)
	}
	// The first record delivered again, to a third worker: its new version
	// carries what its first cost, as tagger usage sums last versions.
	redelivery, _ := newTagger(t, f, withShared)
	again := offlineItems(texts[0])
	if err := redelivery.Tag(t.Context(), again); err != nil {
		t.Fatal(err)
	}
	if again[0].PromptTokens == 0 || !again[0].FromCache || len(f.requests()) != 1 {
		t.Errorf("record 0 again: %d prompt tokens (from the cache: %v) after %d requests; want its first cost, from the cache, and no request",
			again[0].PromptTokens, again[0].FromCache, len(f.requests()))
	}

	other, _ := newTagger(t, f, withShared, func(o *llm.Options) { o.Model = "another-model" })
	if err := other.Tag(t.Context(), offlineItems(texts[0])); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 2 {
		t.Errorf("another model: %d requests in all, want 2: answers of one model are not another's", n)
	}

	for _, k := range keys {
		if _, err := kv.Put(t.Context(), k, []byte("not json")); err != nil {
			t.Fatal(err)
		}
	}
	third, _ := newTagger(t, f, withShared)
	items = offlineItems(texts[1])
	if err := third.Tag(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	if n := len(f.requests()); n != 3 || names(items[0].Themes) != "performance" {
		t.Errorf("unreadable entry: %d requests in all, themes %q; want it asked again", n, names(items[0].Themes))
	}
}
