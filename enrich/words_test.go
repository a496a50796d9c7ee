package enrich_test

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest/sample"
)

// Within a Chain.Enrich call the keyword tagger keeps the words it found on
// each Item and Sentiment scores them instead of tokenizing again. These
// tests hold the chain to the results of running every stage on its own,
// where nothing is shared, with the keyword tagger over a vocabulary of its
// keywords alone, as it was built before it shared the lexicon's.

// trickyTexts take the tokenizer's slower paths and the edges of sentences
// and evidence.
var trickyTexts = []string{
	"",
	"a",
	"Can't log in!! I was CHARGED twice",
	"café’s naïve ΑΘΗΝΑ ÉCHEC de l'export, Straße GROSS",
	"mail [email] or [phone], card [card], iban [iban]. [other] stays",
	strings.Repeat("x", 300) + " crash and refund",
	"sign-up -- v2.3.14 ... e.g. it's not good; the api docs (again) fail/break",
	"\xff\xfe broken utf8 \xc3 crash",
	"a'b'c ''' ’’ x’ don’t DON'T isn't ain’t",
	"Not bad at all. But the billing page is broken, although support was great!",
	"The app keeps crashing\nand I lost my data\n\nterrible",
	strings.Repeat("slow and buggy dashboard ", 40),
	"导出功能坏了。 请修复！ crash…again— really",
	"emoji 🎉 party 🎉🎉 love it",
	"ABCDEFGH abcdefgh 1234567 12345678 Exactly7 ExactlyEight",
	"tabs\tand\r\nlines\fform\vfeed",
	"sentences.without.spaces.crash!and?refund",
	"Hi,\n\nThe export is broken.\n\nThanks, Sam",
}

// sharedWordsRecords returns generated feedback, the benchmark's records
// and every pairing of the tricky texts as title and body.
func sharedWordsRecords(t *testing.T) []feedback.Record {
	t.Helper()
	var recs []feedback.Record
	for seed := uint64(1); seed <= 3; seed++ {
		g, err := sample.New(sample.Options{Count: 1000, Seed: seed, End: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			t.Fatal(err)
		}
		for r := g.Next(); r != nil; r = g.Next() {
			recs = append(recs, *r)
		}
	}
	recs = append(recs, benchRecords(1000)...)
	for _, title := range trickyTexts {
		for _, body := range trickyTexts {
			recs = append(recs, feedback.Record{Title: title, Body: body,
				Author: &feedback.Author{Name: "A", Email: "a@example.com"}})
		}
	}
	return recs
}

// newItems returns items over fresh copies of recs, authors included, so
// that redaction of one set leaves the others alone.
func newItems(recs []feedback.Record) []*enrich.Item {
	items := make([]*enrich.Item, len(recs))
	for i := range recs {
		r := recs[i]
		if r.Author != nil {
			a := *r.Author
			r.Author = &a
		}
		items[i] = &enrich.Item{Record: &r}
	}
	return items
}

// runSeparately runs each stage on its own, so that nothing is shared.
func runSeparately(t *testing.T, stages []enrich.Stage, items []*enrich.Item) {
	t.Helper()
	for _, s := range stages {
		if err := s.Enrich(context.Background(), items); err != nil {
			t.Fatal(err)
		}
	}
}

// compareItems fails the test at the first item that differs, field by
// field.
func compareItems(t *testing.T, got, want []*enrich.Item) {
	t.Helper()
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("record %d (title %q, body %q):\n got %+v\nwant %+v",
				i, want[i].Record.Title, want[i].Record.Body, *got[i], *want[i])
		}
	}
}

// checkChain runs chain on items over recs and stages one by one on items
// over copies of recs, and fails the test unless the results are equal and
// the chain left no kept words behind.
func checkChain(t *testing.T, chain enrich.Stage, stages []enrich.Stage, recs []feedback.Record) {
	t.Helper()
	got, want := newItems(recs), newItems(recs)
	if err := chain.Enrich(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	runSeparately(t, stages, want)
	compareItems(t, got, want)
	for _, it := range got {
		if enrich.HasKeptWords(it) {
			t.Fatal("kept words outlived the chain")
		}
	}
}

// checkKept is a stage that fails the test unless every item carries kept
// words, so that a chain cannot pass by having shared nothing.
func checkKept(t *testing.T, want bool) enrich.Stage {
	return enrich.StageFunc(func(_ context.Context, items []*enrich.Item) error {
		for _, it := range items {
			if enrich.HasKeptWords(it) != want {
				t.Errorf("record (title %q) has kept words: %v, want %v", it.Record.Title, !want, want)
			}
		}
		return nil
	})
}

func TestSharingWordsWithinAChainChangesNoResult(t *testing.T) {
	tax := enrich.DefaultTaxonomy()
	redactor := enrich.NewRedactor([]byte("key"))
	sentiment := enrich.NewSentiment()
	chain := enrich.Chain{redactor, enrich.TagStage(enrich.NewKeywordTagger(tax)), checkKept(t, true), sentiment}
	reference := []enrich.Stage{redactor, enrich.TagStage(enrich.NewKeywordTaggerOwnVocabulary(tax)), checkKept(t, false), sentiment}

	recs := sharedWordsRecords(t)
	const batch = 64
	for from := 0; from < len(recs); from += batch {
		checkChain(t, chain, reference, recs[from:min(from+batch, len(recs))])
	}
}

func TestWordsKeptBeforeTheTextChangesAreNotUsed(t *testing.T) {
	// Redaction after tagging rewrites the text the words were found in.
	tax := enrich.DefaultTaxonomy()
	redactor := enrich.NewRedactor(nil)
	stages := []enrich.Stage{enrich.TagStage(enrich.NewKeywordTagger(tax)), redactor, enrich.NewSentiment()}
	recs := []feedback.Record{
		{Title: "Refund please", Body: "I was charged twice, call me on +1 (555) 010-9999 or write to jane@example.com. Terrible!"},
		{Body: "Card 4242 4242 4242 4242 was charged twice and the app keeps crashing."},
	}
	checkChain(t, enrich.Chain(stages), stages, recs)
}

func TestNestedChainsShareUntilTheOutermostEnds(t *testing.T) {
	tax := enrich.DefaultTaxonomy()
	inner := enrich.Chain{enrich.NewRedactor(nil), enrich.TagStage(enrich.NewKeywordTagger(tax))}
	outer := enrich.Chain{inner, checkKept(t, true), enrich.NewSentiment()}
	separately := []enrich.Stage{enrich.NewRedactor(nil), enrich.TagStage(enrich.NewKeywordTagger(tax)), enrich.NewSentiment()}
	checkChain(t, outer, separately, benchRecords(10))
}

func TestAnItemTwiceInABatchAndItemsWithoutRecordsAreFine(t *testing.T) {
	tax := enrich.DefaultTaxonomy()
	stages := []enrich.Stage{enrich.TagStage(enrich.NewKeywordTagger(tax)), enrich.NewSentiment()}
	recs := benchRecords(3)
	got, want := newItems(recs), newItems(recs)
	got = append(got, got[0], nil, &enrich.Item{})
	want = append(want, want[0], nil, &enrich.Item{})
	if err := enrich.Chain(stages).Enrich(context.Background(), got); err != nil {
		t.Fatal(err)
	}
	runSeparately(t, stages, want)
	compareItems(t, got, want)
}

func TestChainsSharingWordsRunConcurrently(t *testing.T) {
	tax := enrich.DefaultTaxonomy()
	chain := enrich.Chain{enrich.NewRedactor([]byte("k")), enrich.TagStage(enrich.NewKeywordTagger(tax)), enrich.NewSentiment()}
	recs := benchRecords(256)
	want := newItems(recs)
	runSeparately(t, chain, want)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for from := 0; from < len(recs); from += 32 {
				got := newItems(recs[from : from+32])
				if err := chain.Enrich(context.Background(), got); err != nil {
					t.Error(err)
					return
				}
				for i, it := range got {
					if !reflect.DeepEqual(it, want[from+i]) {
						t.Errorf("record %d differs in a concurrent run", from+i)
						return
					}
				}
			}
		})
	}
	wg.Wait()
}
