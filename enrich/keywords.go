package enrich

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// KeywordTagger tags an item with every theme of a taxonomy whose keywords
// appear in its title or body, and with all the ancestors of those themes.
//
// Only keywords are matched, not theme names or examples: names are
// identifiers ("ui-ux", "data-export") that rarely occur in prose, and
// examples are sentences for people and for example-based taggers. A theme
// that should fire on its own name lists it as a keyword.
//
// Matching is over normalised, stemmed words (see the bundled taxonomy's
// header for what that means for keyword authors). At each word the longest
// keyword starting there wins and the words it covers are not matched
// again, so "api docs" counts for the theme that lists it and not also for
// one that lists "api". Keywords never match across punctuation, nor from
// the title into the body.
//
// Confidence rises with the number of distinct keywords found for a theme:
// 1 − 0.5^hits, so 0.5 for one, 0.75 for two, 0.875 for three, capped at
// 0.99. A parent gets the greater of its own and its children's. Evidence
// is the sentence holding the earliest hit of the theme or its children.
//
// A KeywordTagger is safe for concurrent use.
type KeywordTagger struct {
	index        *phraseIndex
	names        []string  // theme id → name; ids follow the order of Taxonomy.Names
	nameRank     []int32   // theme id → position of its name in sorted order
	byName       []int32   // position in sorted order → theme id
	parent       []int32   // theme id → parent's id, -1 at the top
	phraseThemes [][]int32 // phrase id → themes that list it
	scratch      sync.Pool // *keywordScratch
}

var _ Tagger = (*KeywordTagger)(nil)

// keywordTaggerName is what the tagger writes into Item.Tagger.
const keywordTaggerName = "keywords"

// maxConfidence keeps keyword confidence below certainty: a keyword match
// is evidence, never proof.
const maxConfidence = 0.99

// NewKeywordTagger indexes the keywords of t. Keywords that hold no word
// are skipped (ParseTaxonomy reports them). A nil taxonomy tags nothing.
func NewKeywordTagger(t *Taxonomy) *KeywordTagger {
	// The index knows the lexicon's words too, under the lexicon's ids, so
	// that sentiment can score the words this tagger finds (keepWords).
	return newKeywordTagger(t, newPhraseIndexOver(lexiconScorer().index))
}

// newKeywordTagger indexes the keywords of t into index, a new index.
func newKeywordTagger(t *Taxonomy, index *phraseIndex) *KeywordTagger {
	k := &KeywordTagger{index: index}
	var add func(themes []ThemeDef, parent int32)
	add = func(themes []ThemeDef, parent int32) {
		for i := range themes {
			th := &themes[i]
			id := int32(len(k.names))
			k.names = append(k.names, th.Name)
			k.parent = append(k.parent, parent)
			for _, kw := range th.Keywords {
				p, _, ok := k.index.add(kw)
				if !ok {
					continue
				}
				for int(p) >= len(k.phraseThemes) {
					k.phraseThemes = append(k.phraseThemes, nil)
				}
				if !slices.Contains(k.phraseThemes[p], id) {
					k.phraseThemes[p] = append(k.phraseThemes[p], id)
				}
			}
			add(th.Children, id)
		}
	}
	if t != nil {
		add(t.Themes, -1)
	}
	k.index.done()
	byName := make([]int32, len(k.names))
	for i := range byName {
		byName[i] = int32(i)
	}
	slices.SortStableFunc(byName, func(a, b int32) int { return cmp.Compare(k.names[a], k.names[b]) })
	k.byName = byName
	k.nameRank = make([]int32, len(k.names))
	for rank, id := range byName {
		k.nameRank[id] = int32(rank)
	}
	k.scratch.New = func() any {
		return &keywordScratch{
			themes: make([]themeHits, len(k.names)),
			seen:   make([]uint32, len(k.phraseThemes)),
		}
	}
	return k
}

// keywordScratch is the per-goroutine working memory of a tagger. Entries
// are stamped with the epoch of the item that wrote them, so nothing needs
// clearing between items.
type keywordScratch struct {
	toks    []token
	buf     []byte
	cache   wordCache
	themes  []themeHits // by theme id
	seen    []uint32    // by phrase id: epoch of the last item it was found in
	touched []int32     // themes hit in this item, ancestors included
	keys    []uint32    // sort keys of touched
	epoch   uint32

	sentences      []tokenSentence // evidence found for this item so far
	sentenceStarts []int32         // where the item's sentences start, by word
}

type tokenSentence struct {
	tok  int32
	text string
}

type themeHits struct {
	epoch uint32
	hits  int32 // distinct keywords of the theme itself
	level int32 // hits behind the confidence: its own or a descendant's, at most maxLevel
	first int32 // token index of the earliest hit, its children's included
}

// Tag sets Themes and Tagger ("keywords") on every item and clears Model.
// It never fails.
func (k *KeywordTagger) Tag(_ context.Context, items []*Item) error {
	s := k.scratch.Get().(*keywordScratch)
	defer func() {
		clear(s.sentences[:cap(s.sentences)]) // keep no record's text in the pool
		k.scratch.Put(s)
	}()
	for _, it := range items {
		if it == nil || it.Record == nil {
			continue
		}
		k.tag(it, s)
	}
	return nil
}

func (k *KeywordTagger) tag(it *Item, s *keywordScratch) {
	r := it.Record
	it.Tagger, it.Model, it.Themes, it.SetConfidence = keywordTaggerName, "", nil, 0

	s.toks, s.buf = k.index.tokenizeCached(s.toks[:0], r.Title, s.buf, &s.cache)
	bodyFrom := len(s.toks)
	s.toks, s.buf = k.index.tokenizeCached(s.toks, r.Body, s.buf, &s.cache)
	toks := s.toks
	it.keepWords(&s.toks, bodyFrom, k.index.base) // toks stays ours to read
	s.nextItem()

	for i := 0; i < len(toks); {
		// Most words start no keyword; skip them without a call.
		id := toks[i].id
		if id < 0 || !k.index.starting[id] {
			i++
			continue
		}
		p, n := k.index.longest(toks, i, k.index.starts[id])
		if p < 0 {
			i++
			continue
		}
		if s.seen[p] != s.epoch {
			s.seen[p] = s.epoch
			for _, th := range k.phraseThemes[p] {
				s.theme(th, i).hits++
			}
		}
		i += n
	}
	if len(s.touched) == 0 {
		return
	}

	// Children pass their level and first hit up to every ancestor. The
	// range is over the themes hit directly: it is evaluated once, and the
	// ancestors s.theme adds are appended after them.
	for _, th := range s.touched {
		h := &s.themes[th]
		h.level = max(h.level, min(h.hits, maxLevel))
		for a := k.parent[th]; a >= 0; a = k.parent[a] {
			ah := s.theme(a, int(h.first))
			ah.level = max(ah.level, h.level, min(ah.hits, maxLevel))
			ah.first = min(ah.first, h.first)
		}
	}

	// Order by confidence, then name, through one integer key per theme:
	// the level inverted, then the rank of the name (a taxonomy has far
	// fewer than 2^24 themes).
	s.keys = s.keys[:0]
	for _, th := range s.touched {
		s.keys = append(s.keys, uint32(maxLevel-s.themes[th].level)<<24|uint32(k.nameRank[th]))
	}
	// A handful of keys: insertion sort, without the general sort's set-up.
	for i := 1; i < len(s.keys); i++ {
		for j := i; j > 0 && s.keys[j] < s.keys[j-1]; j-- {
			s.keys[j], s.keys[j-1] = s.keys[j-1], s.keys[j]
		}
	}
	s.sentenceStarts = sentenceStarts(s.sentenceStarts, toks)
	themes := make([]Theme, len(s.keys))
	for i, key := range s.keys {
		th := k.byName[key&(1<<24-1)]
		h := &s.themes[th]
		// Field by field: assigning a whole Theme copies it with the
		// garbage collector's bulk barrier while a collection runs.
		t := &themes[i]
		t.Name = k.names[th]
		t.Confidence = confidence(h.level)
		t.Evidence = s.evidence(r, toks, bodyFrom, h.first)
	}
	it.Themes = themes
}

// evidence returns the sentence around token tok of toks, the words of r,
// computing it once per token: a theme and its ancestors usually share
// their first hit. s.sentenceStarts must list the sentences of toks.
func (s *keywordScratch) evidence(r *feedback.Record, toks []token, bodyFrom int, tok int32) string {
	for _, e := range s.sentences {
		if e.tok == tok {
			return e.text
		}
	}
	// The sentence runs from the last start at or before tok to the next
	// start; none runs from the title into the body, whose first word
	// starts one.
	k := 0
	for k+1 < len(s.sentenceStarts) && s.sentenceStarts[k+1] <= tok {
		k++
	}
	first, last := int(s.sentenceStarts[k]), len(toks)-1
	if k+1 < len(s.sentenceStarts) {
		last = int(s.sentenceStarts[k+1]) - 1
	}
	var e string
	if int(tok) < bodyFrom {
		e = sentenceOf(r.Title, toks[:bodyFrom], first, last, int(tok))
	} else {
		e = sentenceOf(r.Body, toks[bodyFrom:], first-bodyFrom, last-bodyFrom, int(tok)-bodyFrom)
	}
	s.sentences = append(s.sentences, tokenSentence{tok, e})
	return e
}

// nextItem starts a new item: a new epoch invalidates every stamp at once.
func (s *keywordScratch) nextItem() {
	s.touched = s.touched[:0]
	s.sentences = s.sentences[:0]
	s.epoch++
	if s.epoch == 0 { // wrapped: old stamps could collide with new ones
		clear(s.themes)
		clear(s.seen)
		s.epoch = 1
	}
}

// theme returns the hits of theme th for the current item, starting them
// with a first hit at token tok if the item had not touched th yet.
func (s *keywordScratch) theme(th int32, tok int) *themeHits {
	h := &s.themes[th]
	if h.epoch != s.epoch {
		*h = themeHits{epoch: s.epoch, first: int32(tok)}
		s.touched = append(s.touched, th)
	}
	return h
}

// maxLevel is the number of hits at which confidence reaches its cap.
const maxLevel = 7

// confidence is 1 − 0.5^hits, capped at maxConfidence; 0 without hits.
func confidence(hits int32) float64 {
	return confidences[min(max(hits, 0), maxLevel)]
}

var confidences = [maxLevel + 1]float64{0, 0.5, 0.75, 0.875, 0.9375, 0.96875, 0.984375, maxConfidence}
