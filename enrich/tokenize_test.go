package enrich

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/ingest/sample"
)

// generatedTexts returns the titles and bodies of generated feedback and
// texts that take the tokenizer's slower paths.
func generatedTexts(t testing.TB) []string {
	t.Helper()
	g, err := sample.New(sample.Options{Count: 3000, Seed: 7, End: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	texts := []string{
		"", "a", "ab.", "crashes", "Crashes!", "refund\n", "x’", "dont'", "café", "[email]", "the end 🎉",
		"ABCDEFG abcdefgh 1234567 12345678 SevenCh EightChr", "\x00crash\x00 refund\x00",
		strings.Repeat("lag ", 30) + "slow", "charged twice", "charged twice.",
		"sign-up -- v2.3.14 ... e.g. it's not good; the api docs (again) fail/break",
		"the dashboard’s dashboards DASHBOARD Dashboarding: Überraschung naïveté customer's",
		"abcdefgh abcdefghi abcdefghij abcdefghijklmno abcdefghijklmnop",
	}
	for r := g.Next(); r != nil; r = g.Next() {
		texts = append(texts, r.Title, r.Body)
	}
	return texts
}

func TestTokenizeWithACacheFindsWhatItFindsWithout(t *testing.T) {
	x := NewKeywordTagger(DefaultTaxonomy()).index
	var cache wordCache // one cache throughout, so that most words are found in it
	var cached []token
	var buf []byte
	for _, text := range generatedTexts(t) {
		checkTokenize(t, x, text) // tokenize without a cache finds what nextWord finds
		want, _ := x.tokenize(nil, text, nil)
		cached, buf = x.tokenizeCached(cached[:0], text, buf, &cache)
		if !slices.Equal(cached, want) {
			t.Fatalf("tokenize(%q) with a cache = %v, without %v", text, cached, want)
		}
	}
}

func TestACacheServesOneIndexAtATime(t *testing.T) {
	keywords := NewKeywordTagger(DefaultTaxonomy()).index
	lexicon := lexiconScorer().index
	var cache wordCache
	const text = "the billing page is broken and support was great"
	for range 2 {
		for _, x := range []*phraseIndex{keywords, lexicon} {
			got, _ := x.tokenizeCached(nil, text, nil, &cache)
			want, _ := x.tokenize(nil, text, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("with a cache last used by another index: %v, want %v", got, want)
			}
		}
	}
}

func FuzzTokenizeWithACache(f *testing.F) {
	for _, s := range []string{"I was charged twice! Can't log in.", "crash\x00", "ab", "ΑΘΗΝΑ crash", "Crash crash CRASH"} {
		f.Add(s)
	}
	x := NewKeywordTagger(DefaultTaxonomy()).index
	var cache wordCache // shared by the inputs of one worker, as a stage shares it
	f.Fuzz(func(t *testing.T, text string) {
		got, _ := x.tokenizeCached(nil, text, nil, &cache)
		want, _ := x.tokenize(nil, text, nil)
		if !slices.Equal(got, want) {
			t.Fatalf("tokenize(%q) with a cache = %v, without %v", text, got, want)
		}
	})
}

func TestLongestFindsWhatTryingEveryCandidateFinds(t *testing.T) {
	// Words and phrases over a small vocabulary, so that many phrases share
	// first words and the second-word bits collide.
	rng := rand.New(rand.NewPCG(3, 4))
	word := func() string { return string(rune('a'+rng.IntN(6))) + string(rune('a'+rng.IntN(6))) }
	x := newPhraseIndex()
	for range 200 {
		phrase := word()
		for range rng.IntN(4) {
			phrase += " " + word()
		}
		x.add(phrase)
	}
	x.done()
	seps := []string{" ", " ", " ", ", ", ". ", " unknownword "}
	for range 2000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(word())
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		toks, _ := x.tokenize(nil, b.String(), nil)
		for i, tok := range toks {
			if tok.id < 0 || len(x.starts[tok.id]) == 0 {
				continue
			}
			c := x.starts[tok.id]
			p, n := x.longest(toks, i, c)
			wantP, wantN := x.longestOf(toks, i, c)
			if p != wantP || n != wantN {
				t.Fatalf("%q at word %d: longest = %d, %d; trying every candidate: %d, %d", b.String(), i, p, n, wantP, wantN)
			}
		}
	}
}
