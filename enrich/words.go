package enrich

import "sync"

// Tokenizing a record is most of what the keyword tagger and sentiment
// cost, and both tokenize the same title and body. So within one
// Chain.Enrich call the tagger keeps the words it found on the Item, and
// sentiment reads them instead of tokenizing again. The tagger's index
// extends the lexicon's vocabulary (newPhraseIndexOver), so its word ids
// are the lexicon's ids for the words the lexicon knows.
//
// Kept words live only as long as the Chain.Enrich call: the chain marks
// its items when it starts and takes the words back into a pool when it
// ends. Outside a chain (a stage called on its own, a tagger called by a
// wrapper's tests) nothing is kept and every stage tokenizes for itself.
// Results never depend on whether words were kept.

// keptWords are the words of one record's title and then its body.
type keptWords struct {
	// title and body are the texts the words were found in. The words are
	// valid only while the record still holds these texts: a stage that
	// rewrites them (redaction run after tagging) makes them stale.
	title, body string
	// base is the index whose ids the words carry, for the ids below
	// len(base.vocab); higher ids are words base does not know.
	base     *phraseIndex
	toks     []token
	bodyFrom int // index of the body's first word in toks
}

var keptPool = sync.Pool{New: func() any { return new(keptWords) }}

// maxKeptTokens bounds the words a pooled keptWords holds on to between
// calls, so that one huge record does not pin its memory in the pool.
const maxKeptTokens = 1 << 12

// keepWords offers *toks, the words of it.Record's title followed by those
// of its body from bodyFrom, to the later stages of the Chain.Enrich call
// the item is in; base is the index whose ids they carry (see keptWords).
// Outside a chain it does nothing.
//
// Rather than copy the words it takes the slice itself, leaving in *toks
// an empty one to tokenize the next record into. The caller may go on
// reading the words it kept until it returns, and must not write them.
func (it *Item) keepWords(toks *[]token, bodyFrom int, base *phraseIndex) {
	if it.chainDepth == 0 || base == nil {
		return
	}
	kw := it.words
	if kw == nil {
		kw = keptPool.Get().(*keptWords)
		it.words = kw
	}
	kw.title, kw.body, kw.base = it.Record.Title, it.Record.Body, base
	kw.toks, *toks = *toks, kw.toks[:0]
	kw.bodyFrom = bodyFrom
}

// keptWords returns the words a stage kept for it.Record's current title
// and body with the ids of base, or nil when there are none.
func (it *Item) keptWords(base *phraseIndex) *keptWords {
	kw := it.words
	if kw == nil || kw.base != base || kw.title != it.Record.Title || kw.body != it.Record.Body {
		return nil
	}
	return kw
}

// enterChain marks items as inside a Chain.Enrich call, so that stages
// may keep words on them. Calls nest: an item's words are released when the
// outermost call that holds it ends.
func enterChain(items []*Item) {
	for _, it := range items {
		if it != nil {
			it.chainDepth++
		}
	}
}

// leaveChain undoes enterChain, releasing the words kept on items that
// leave their last chain.
func leaveChain(items []*Item) {
	for _, it := range items {
		if it == nil {
			continue
		}
		if it.chainDepth--; it.chainDepth > 0 || it.words == nil {
			continue
		}
		kw := it.words
		it.words = nil
		if cap(kw.toks) > maxKeptTokens {
			continue
		}
		*kw = keptWords{toks: kw.toks[:0]} // keep no record's text in the pool
		keptPool.Put(kw)
	}
}
