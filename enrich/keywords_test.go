package enrich_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

const tagTaxonomy = `themes:
  - name: billing
    keywords: [billing, charged twice, charged]
    children:
      - name: refunds
        keywords: [refund, money back]
      - name: invoices
        keywords: [invoice]
        children:
          - name: vat
            keywords: [vat number]
  - name: reliability
    keywords: [broken]
    children:
      - name: crashes
        keywords: [crash, freezes, keeps crashing]
  - name: integrations
    keywords: [integration]
    children:
      - name: api
        keywords: [api]
  - name: documentation
    children:
      - name: api-docs
        keywords: [api docs]
  - name: sign-in
    keywords: [log in, can't log in]
`

func newTagger(t *testing.T) *enrich.KeywordTagger {
	t.Helper()
	tax, err := enrich.ParseTaxonomy([]byte(tagTaxonomy), "tag.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return enrich.NewKeywordTagger(tax)
}

// tag runs the tagger on one record made of title and body.
func tag(t *testing.T, tagger enrich.Tagger, title, body string) *enrich.Item {
	t.Helper()
	it := &enrich.Item{Record: &feedback.Record{Title: title, Body: body}}
	if err := tagger.Tag(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	return it
}

func themeNames(it *enrich.Item) []string {
	var names []string
	for _, th := range it.Themes {
		names = append(names, th.Name)
	}
	return names
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func TestKeywordTaggerMatchesWordsAndPhrasesInAnyForm(t *testing.T) {
	tagger := newTagger(t)
	cases := []struct {
		body string
		want []string
	}{
		{"The app CRASHES on start.", []string{"crashes", "reliability"}},
		{"it crashed, then crashing again", []string{"crashes", "reliability"}},
		{"I want my money back", []string{"billing", "refunds"}},
		{"Please refund me.", []string{"billing", "refunds"}},
		{"Our VAT number is missing from the invoices", []string{"billing", "invoices", "vat"}},
		{"I can’t log in since Monday", []string{"sign-in"}},
		{"logging in takes a minute", []string{"sign-in"}},
		{"The API docs are wrong", []string{"api-docs", "documentation"}},
		{"The API is slow", []string{"api", "integrations"}},
		{"nothing relevant here at all", nil},
		{"", nil},
		// Phrases do not match across punctuation.
		{"We got money. Back to the topic", nil},
		{"log, in", nil},
	}
	for _, tc := range cases {
		it := tag(t, tagger, "", tc.body)
		if got := sorted(themeNames(it)); !slices.Equal(got, sorted(tc.want)) {
			t.Errorf("%q tagged %q, want %q", tc.body, got, tc.want)
		}
	}
}

func TestAnItemWithNoMatchGetsNoThemesButIsMarkedTagged(t *testing.T) {
	it := &enrich.Item{
		Record: &feedback.Record{Body: "Thanks for the quick call today."},
		Themes: []enrich.Theme{{Name: "stale"}},
		Model:  "some-model",
	}
	if err := newTagger(t).Tag(context.Background(), []*enrich.Item{it}); err != nil {
		t.Fatal(err)
	}
	if it.Themes != nil {
		t.Errorf("Themes = %+v, want nil", it.Themes)
	}
	if it.Tagger != "keywords" || it.Model != "" {
		t.Errorf("Tagger, Model = %q, %q; want keywords and no model", it.Tagger, it.Model)
	}
}

func TestChildThemesBringTheirAncestorsWithTheirConfidence(t *testing.T) {
	it := tag(t, newTagger(t), "", "Add the VAT number to the invoice, the invoice is wrong.")
	got := map[string]float64{}
	for _, th := range it.Themes {
		got[th.Name] = th.Confidence
	}
	// invoices: "invoice" counted once however often it appears, vat: one
	// phrase; the parent takes the best of its children and its own hits.
	want := map[string]float64{"vat": 0.5, "invoices": 0.5, "billing": 0.5}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("confidences = %v, want %v", got, want)
	}
}

func TestConfidenceRisesWithDistinctKeywords(t *testing.T) {
	tagger := newTagger(t)
	conf := func(body, theme string) float64 {
		for _, th := range tag(t, tagger, "", body).Themes {
			if th.Name == theme {
				return th.Confidence
			}
		}
		return 0
	}
	one := conf("It crashes.", "crashes")
	two := conf("It crashes and freezes.", "crashes")
	three := conf("It crashes and freezes, it keeps crashing.", "crashes")
	if !(0 < one && one < two && two < three && three < 1) {
		t.Errorf("confidence for 1, 2, 3 keywords = %v, %v, %v; want rising below 1", one, two, three)
	}
	if one != 0.5 || two != 0.75 || three != 0.875 {
		t.Errorf("confidence = %v, %v, %v; want 1 − 0.5^hits", one, two, three)
	}
	if again := conf("It crashes. It crashes. It crashed!", "crashes"); again != one {
		t.Errorf("one keyword repeated scored %v, want %v", again, one)
	}
	// The parent takes the better of its own and its children's confidence.
	if got := conf("It is broken, it crashes and freezes.", "reliability"); got != 0.75 {
		t.Errorf("reliability = %v, want the child's 0.75", got)
	}
	many := enrich.NewKeywordTagger(&enrich.Taxonomy{Themes: []enrich.ThemeDef{
		{Name: "many", Keywords: []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"}},
	}})
	it := tag(t, many, "", "alpha bravo charlie delta echo foxtrot golf hotel india juliet")
	if got := it.Themes[0].Confidence; got >= 1 || got < 0.98 {
		t.Errorf("ten keywords give confidence %v, want close to but below 1", got)
	}
}

func TestThemesAreSortedByConfidenceThenName(t *testing.T) {
	it := tag(t, newTagger(t), "", "Charged twice for billing, then the API crashed and I got no refund.")
	for i := 1; i < len(it.Themes); i++ {
		a, b := it.Themes[i-1], it.Themes[i]
		if a.Confidence < b.Confidence || a.Confidence == b.Confidence && a.Name > b.Name {
			t.Fatalf("themes out of order: %+v before %+v", a, b)
		}
	}
	if it.Themes[0].Name != "billing" || it.Themes[0].Confidence != 0.75 {
		t.Errorf("first theme = %+v, want billing with two keywords", it.Themes[0])
	}
}

func TestEvidenceIsTheSentenceOfTheFirstHit(t *testing.T) {
	tagger := newTagger(t)
	it := tag(t, tagger, "Crash report",
		"Hello team. Yesterday the invoice was wrong! The app crashed again, and the VAT number was missing.\nThanks")
	want := map[string]string{
		"crashes":     "Crash report", // the title comes first
		"reliability": "Crash report",
		"invoices":    "Yesterday the invoice was wrong!",
		"billing":     "Yesterday the invoice was wrong!", // its child's first hit
		"vat":         "The app crashed again, and the VAT number was missing.",
	}
	for _, th := range it.Themes {
		if th.Evidence != want[th.Name] {
			t.Errorf("%s: evidence %q, want %q", th.Name, th.Evidence, want[th.Name])
		}
	}
	if len(it.Themes) != len(want) {
		t.Errorf("themes = %q", themeNames(it))
	}
}

func TestPhrasesDoNotRunFromTheTitleIntoTheBody(t *testing.T) {
	if it := tag(t, newTagger(t), "We want our money", "back then it was fine"); it.Themes != nil {
		t.Errorf("tagged %q across title and body", themeNames(it))
	}
}

func TestKeywordTaggingIsDeterministicAndSafeForConcurrentUse(t *testing.T) {
	tagger := enrich.NewKeywordTagger(enrich.DefaultTaxonomy())
	recs := benchRecords(200)
	run := func() []string {
		out := make([]string, len(recs))
		for i := range recs {
			rec := recs[i]
			it := &enrich.Item{Record: &rec}
			if err := tagger.Tag(context.Background(), []*enrich.Item{it}); err != nil {
				t.Error(err)
			}
			out[i] = fmt.Sprintf("%+v", it.Themes)
		}
		return out
	}
	want := run()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if got := run(); !slices.Equal(got, want) {
				t.Error("a concurrent run tagged differently")
			}
		})
	}
	wg.Wait()
}

func TestATaxonomyBuiltInGoIsUsedAsItIs(t *testing.T) {
	tax := &enrich.Taxonomy{Themes: []enrich.ThemeDef{
		{Name: "speed", Keywords: []string{"slow", "...", ""}, Children: []enrich.ThemeDef{{Name: "lag", Keywords: []string{"laggy"}}}},
	}}
	it := tag(t, enrich.NewKeywordTagger(tax), "", "So laggy and slow")
	if got := sorted(themeNames(it)); !slices.Equal(got, []string{"lag", "speed"}) {
		t.Errorf("themes = %q", got)
	}
	if it := tag(t, enrich.NewKeywordTagger(nil), "", "anything slow"); it.Themes != nil || it.Tagger != "keywords" {
		t.Errorf("a nil taxonomy tagged %+v", it)
	}
}
