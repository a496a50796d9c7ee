package llm_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/enrich"
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

// Two workers meet the same texts at the same moment: each text is asked
// about by one of them, and the other takes its answer from the shared
// cache as it comes in.
func TestTaggersOnOneSharedCacheAskAboutATextOnceAtOnce(t *testing.T) {
	shared, _ := answers(t)
	f := newFakeAPI(t, taxonomy(t).Names(), func(_ int, req *chatRequest) reply {
		return reply{delay: 200 * time.Millisecond} // long enough for both to be asking
	})
	withShared := func(o *llm.Options) { o.Shared = shared }
	texts := []string{"I want a refund", "The app is slow", "Nice colours."}
	taggers := make([]*llm.Tagger, 2)
	metrics := make([]*llm.Metrics, 2)
	batches := make([][]*enrich.Item, 2)
	for w := range taggers {
		taggers[w], metrics[w] = newTagger(t, f, withShared)
		batches[w] = offlineItems(texts...)
		for _, it := range batches[w] {
			it.Record.ID = fmt.Sprintf("worker %d %s", w, it.Record.ID)
		}
	}
	var wg sync.WaitGroup
	for w := range taggers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := taggers[w].Tag(t.Context(), batches[w]); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	asked := 0
	for _, n := range f.requestSizes() {
		asked += n
	}
	if asked != len(texts) {
		t.Errorf("the model was asked about %d texts in %d requests, want each of the %d once", asked, len(f.requests()), len(texts))
	}
	shared0 := count(metrics[0].Items.WithLabelValues("shared")) + count(metrics[1].Items.WithLabelValues("shared"))
	if int(shared0)+asked != 2*len(texts) {
		t.Errorf("%v items took another worker's answer, %d were asked about; want %d in all", shared0, asked, 2*len(texts))
	}
	want := []string{"refunds,billing", "performance", ""}
	for w, items := range batches {
		for i, it := range items {
			if got := names(it.Themes); got != want[i] || it.Tagger != "llm" {
				t.Errorf("worker %d item %d: themes %q by %q, want %q by llm", w, i, got, it.Tagger, want[i])
			}
		}
	}
}

// A text another worker claimed and never answered (it stopped) keeps
// the offline themes until the claim expires, and is asked about then.
func TestATextClaimedByAStoppedWorkerIsAskedAboutOnceTheClaimExpires(t *testing.T) {
	shared, kv := answers(t)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	tg, m := newTagger(t, f, func(o *llm.Options) { o.Shared = shared; o.MaxWait = 300 * time.Millisecond })
	// The key the tagger files the text under, found as the one its first
	// answer is stored under.
	probe, _ := newTagger(t, f, func(o *llm.Options) { o.Shared = shared })
	if err := probe.Tag(t.Context(), offlineItems("The app is slow")); err != nil {
		t.Fatal(err)
	}
	keys, err := kv.Keys(t.Context())
	if err != nil || len(keys) != 1 {
		t.Fatalf("keys %v (%v)", keys, err)
	}
	claimed := func(until time.Time) {
		if _, err := kv.Put(t.Context(), keys[0], fmt.Appendf(nil, "claim:%d", until.UnixNano())); err != nil {
			t.Fatal(err)
		}
	}
	claimed(time.Now().Add(time.Hour))
	items := offlineItems("The app is slow")
	if err := tg.Tag(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	if names(items[0].Themes) != "offline" || len(f.requests()) != 1 || count(m.Fallbacks.WithLabelValues("busy")) != 1 {
		t.Errorf("live claim: themes %q after %d requests, %v busy; want the offline themes, no new request, 1 busy",
			names(items[0].Themes), len(f.requests()), count(m.Fallbacks.WithLabelValues("busy")))
	}
	claimed(time.Now().Add(-time.Second))
	items = offlineItems("The app is slow")
	if err := tg.Tag(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	if names(items[0].Themes) != "performance" || len(f.requests()) != 2 {
		t.Errorf("expired claim: themes %q after %d requests; want it asked about", names(items[0].Themes), len(f.requests()))
	}
}

// A text the API gave no answer for leaves no claim behind: the workers
// waiting for it would wait out their max_wait, and the next to meet it
// for as long.
func TestATextTheAPIFailedForIsNotLeftClaimed(t *testing.T) {
	shared, kv := answers(t)
	f := newFakeAPI(t, taxonomy(t).Names(), func(int, *chatRequest) reply { return reply{status: 500, body: `{"error":{"message":"down"}}`} })
	tg, _ := newTagger(t, f, func(o *llm.Options) { o.Shared = shared; o.MaxRetries = -1 })
	items := offlineItems("The app is slow")
	if err := tg.Tag(t.Context(), items); err != nil {
		t.Fatal(err)
	}
	if len(f.requests()) == 0 || names(items[0].Themes) != "offline" {
		t.Fatalf("%d requests, themes %q: want the API asked and failing", len(f.requests()), names(items[0].Themes))
	}
	keys, err := kv.Keys(t.Context())
	if err != nil && !errors.Is(err, jetstream.ErrNoKeysFound) {
		t.Fatal(err)
	}
	if len(keys) != 0 {
		e, _ := kv.Get(t.Context(), keys[0])
		t.Errorf("bucket holds %v (%q) after the API failed, want nothing", keys, e.Value())
	}
}
