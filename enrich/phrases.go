package enrich

import (
	"cmp"
	"encoding/binary"
	"maps"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// token is one word of a text, as a phraseIndex sees it.
type token struct {
	start, end int32    // byte span of the word in its text
	id         int32    // the word's id in the index, -1 when the index does not know it
	brk        boundary // punctuation between the previous word and this one
}

// phraseIndex holds the stemmed words and phrases a stage looks for: the
// keywords of a taxonomy, the entries of the sentiment lexicon. Words get
// dense ids so that matching a phrase compares integers, and phrases are
// listed by their first word, longest first, so that the longest phrase at
// a position wins ("charged twice" before "charged").
//
// An index is built once and is read-only afterwards, so one index serves
// any number of goroutines.
type phraseIndex struct {
	vocab  map[string]int32 // stemmed word → id
	words  wordTable        // vocab again, for lookups on the hot path
	starts [][]candidate    // word id → the phrases starting with it, longest first
	// starting tells, by word id, whether any phrase starts with the word:
	// one byte a word, for the loops that pass over most words.
	starting []bool
	// follows holds, by word id, bit id&63 of the second word of each
	// phrase of two or more words the word starts; longest skips those
	// phrases when the next word's bit is not set.
	follows []uint64
	phrases [][]int32 // phrase id → word ids

	byText map[string]int32 // stemmed phrase text → phrase id; only while building

	// base, when set, is an index whose words this one also knows, under
	// the same ids: ids below len(base.vocab) mean the same word in both,
	// and a word base does not know has an id of at least that. Words this
	// index finds can then be read as base's words too.
	base *phraseIndex
}

func newPhraseIndex() *phraseIndex {
	return &phraseIndex{vocab: map[string]int32{}, byText: map[string]int32{}}
}

// newPhraseIndexOver returns an empty index whose vocabulary starts as the
// vocabulary of base, a finished index, with the same ids and none of its
// phrases.
func newPhraseIndexOver(base *phraseIndex) *phraseIndex {
	x := newPhraseIndex()
	x.vocab = maps.Clone(base.vocab)
	x.starts = make([][]candidate, len(base.vocab))
	x.base = base
	return x
}

// word returns the id of a single word, normalised and stemmed like the
// text it will be found in, adding it to the vocabulary if needed; -1 if w
// holds no word. Used for words with a role rather than a weight, like
// negations.
func (x *phraseIndex) word(w string) int32 {
	stemmed := stems(w)
	if len(stemmed) == 0 {
		return -1
	}
	return x.wordID(stemmed[0])
}

func (x *phraseIndex) wordID(w string) int32 {
	if id, ok := x.vocab[w]; ok {
		return id
	}
	id := int32(len(x.vocab))
	x.vocab[w] = id
	x.starts = append(x.starts, nil)
	return id
}

// add registers a phrase written as ordinary text and returns its id. The
// phrase is normalised and stemmed like the text it will be found in.
// Adding the same phrase twice, or two texts that stem alike ("crash",
// "crashes"), returns the first id with added false. ok is false when the
// text holds no word at all.
func (x *phraseIndex) add(text string) (id int32, added, ok bool) {
	stemmed := stems(text)
	words := make([]int32, len(stemmed))
	for i, st := range stemmed {
		words[i] = x.wordID(st)
	}
	key := strings.Join(stemmed, " ")
	if len(words) == 0 {
		return -1, false, false
	}
	if id, ok := x.byText[key]; ok {
		return id, false, true
	}
	id = int32(len(x.phrases))
	x.phrases = append(x.phrases, words)
	x.byText[key] = id
	c := candidate{phrase: id, n: int32(len(words)), second: -1}
	if len(words) > 1 {
		c.second = words[1]
	}
	x.starts[words[0]] = append(x.starts[words[0]], c)
	return id, true, true
}

// stems returns the stemmed words of text, as tokenize will see them. It
// serves building, not the hot path.
func stems(text string) []string {
	var out []string
	var buf []byte
	for i := 0; ; {
		w, start, end, _ := nextWord(text, i, buf)
		if start < 0 {
			return out
		}
		buf, i = w, end
		out = append(out, string(stem(w)))
	}
}

// done orders the phrases under each first word longest first, builds the
// lookup table and drops what only building needed.
func (x *phraseIndex) done() {
	x.words = newWordTable(x.vocab)
	x.starting = make([]bool, len(x.starts))
	x.follows = make([]uint64, len(x.starts))
	for id, s := range x.starts {
		x.starting[id] = len(s) > 0
		for _, c := range s {
			if c.n > 1 {
				x.follows[id] |= 1 << (c.second & 63)
			}
		}
		slices.SortFunc(s, func(a, b candidate) int {
			if c := cmp.Compare(b.n, a.n); c != 0 {
				return c
			}
			return cmp.Compare(a.phrase, b.phrase)
		})
	}
	x.byText = nil
}

// maxWordBytes is longer than any word of a keyword or the lexicon; longer
// runs (hashes, base64, URLs without punctuation) are not looked up.
const maxWordBytes = 40

// tokenize appends the words of text to toks, each with its id in the
// index. buf is scratch space for one word; both are returned for reuse.
// The first word of text is marked as starting a sentence, so that phrases
// never run from a title into its body.
//
// It finds the same words as calling nextWord in a loop (a test holds it
// to that), but reads the common case, a short word of ASCII letters and
// digits, eight bytes at a time as one integer, and leaves only
// apostrophes and non-ASCII text to nextWord. It runs on some sixty words
// a record, once per record when the chain shares words (keepWords).
func (x *phraseIndex) tokenize(toks []token, text string, buf []byte) ([]token, []byte) {
	return x.tokenizeCached(toks, text, buf, nil)
}

// tokenizeCached is tokenize with a cache of the ids of short words; with
// a nil cache it looks every word up.
func (x *phraseIndex) tokenizeCached(toks []token, text string, buf []byte, cache *wordCache) ([]token, []byte) {
	if cap(buf) < maxWordBytes+8 {
		buf = make([]byte, 0, 2*maxWordBytes)
	}
	if cache != nil && cache.index != x {
		*cache = wordCache{index: x}
	}
	brk := brkSentence
	for i := 0; i < len(text); {
		// Most words have fewer than eight ASCII letters and digits and end
		// in ASCII other than an apostrophe, within the eight bytes at i.
		// Such a word is lowercased, stemmed and looked up as one integer,
		// and the space after it, if any, is skipped with it. Near the end
		// of text the bytes past it read as zero, which like the end
		// separates words.
		{
			var chunk uint64
			if i+8 <= len(text) {
				chunk = load64(text, i)
			} else {
				chunk = loadTail(text, i)
			}
			word, upper := asciiWordBytes(chunk)
			n := bits.TrailingZeros64(^word&hi8) >> 3 // 0 when no word starts at i, 8 when it fills the chunk
			if after := byte(chunk >> (8 * (n & 7))); n > 0 && n < 8 && after != '\'' && after < utf8.RuneSelf {
				packed := (chunk | upper>>2) & (1<<(8*n) - 1)
				var id int32
				if cache != nil {
					slot := (packed * hashMul) >> (64 - wordCacheBits)
					if cache.keys[slot] == packed {
						id = cache.ids[slot]
					} else {
						id = x.lookupShort(packed, n)
						cache.keys[slot], cache.ids[slot] = packed, id
					}
				} else {
					id = x.lookupShort(packed, n)
				}
				toks = append(toks, token{start: int32(i), end: int32(i + n), id: id, brk: brk})
				brk = brkNone
				i += n
				// Punctuation and a space after a word ("word, " "word. ")
				// are as common as a space alone; both are stepped over here.
				if b := punctThenSpace[after]; b != brkNone && i+1 < len(text) && text[i+1] == ' ' {
					if n == 1 && dottedLetters(text, i) { // "e.g. "
						b = brkClause
					}
					brk = b
					i += 2
					continue
				}
				i += int(spaceAfterWord[after])
				continue
			}
		}
		c := text[i]
		switch byteClass[c] {
		case classSpace:
			i++
			continue
		case classPunct:
			if c < utf8.RuneSelf {
				brk = max(brk, punctBoundary(text, i))
				i++
				if c == '[' {
					i += max(placeholderAt(text, i-1)-1, 0)
				}
				continue
			}
		}
		// Longer words, apostrophes and non-ASCII text.
		var w []byte
		start := i
		if c < utf8.RuneSelf {
			n := 0
			i, n = asciiWord(text, i, buf[:cap(buf)])
			if i == len(text) || text[i] != '\'' && text[i] < utf8.RuneSelf {
				if n > maxWordBytes {
					w = buf[:0:0] // too long to be looked up, and only partly copied
				} else {
					w = buf[:n]
				}
			}
		}
		if w == nil {
			// Apostrophes and non-ASCII text: the general path.
			var b boundary
			var end int
			w, start, end, b = nextWord(text, start, buf)
			if start < 0 {
				break
			}
			i = end
			brk = max(brk, b)
		}
		if cap(w) > 0 {
			buf = w
		}
		id := int32(-1)
		if len(w) > 0 && len(w) <= maxWordBytes {
			if cache != nil && len(w) >= 8 && len(w) < 16 && cap(w) >= 16 {
				id = cache.longWord(x, w)
			} else {
				id = x.words.lookup(stem(w))
			}
		}
		toks = append(toks, token{start: int32(start), end: int32(i), id: id, brk: brk})
		brk = brkNone
	}
	return toks, buf
}

// spaceAfterWord is 1 for the bytes tokenize skips without effect
// (classSpace) and may therefore step over together with the word before
// them; 0 for the rest. The apostrophe is classSpace but never follows a
// word on the fast path.
var spaceAfterWord = func() (t [256]uint8) {
	for c := range t {
		if byteClass[c] == classSpace {
			t[c] = 1
		}
	}
	return t
}()

// punctThenSpace is the boundary a punctuation mark followed by a space
// makes, as punctBoundary finds it, for the marks tokenize steps over
// together with the word before them; brkNone for the rest.
var punctThenSpace = [256]boundary{
	',': brkClause, ';': brkClause, ':': brkClause, ')': brkClause,
	'.': brkSentence, '!': brkSentence, '?': brkSentence,
}

// loadTail reads text[i:], fewer than eight bytes, as load64 would if
// text went on with zero bytes.
func loadTail(text string, i int) (x uint64) {
	for k := len(text) - 1; k >= i; k-- {
		x = x<<8 | uint64(text[k])
	}
	return x
}

// lookupShort returns the id of a word of one to seven bytes, packed as
// wordTable.lookupShort takes it, before stemming.
func (x *phraseIndex) lookupShort(packed uint64, n int) int32 {
	if n > 3 && stemEnds[byte(packed>>(8*(n-1)))] {
		packed, n = stemPacked(packed, n)
	}
	return x.words.lookupShort(packed, n)
}

// wordCache remembers the ids an index gave the words a tokenizer met, by
// their normalised bytes before stemming: words of up to seven bytes in
// keys and ids, of eight to fifteen in long. Feedback is written with a
// few hundred common words, and a remembered word skips stem and the
// index's table. A word takes the slot its hash names, replacing whatever
// was there. A cache serves one goroutine at a time; it lives in a stage's
// pooled scratch space.
type wordCache struct {
	index *phraseIndex               // whose ids these are; the cache empties when it meets another
	keys  [1 << wordCacheBits]uint64 // words packed as for lookupShort, never 0; 0 in an empty slot
	ids   [1 << wordCacheBits]int32
	long  [1 << longCacheBits]longEntry
}

// longEntry is a word of eight to fifteen bytes in wordCache: its first
// eight bytes and the rest, packed like a short word; lo is 0 in an empty
// slot.
type longEntry struct {
	lo, hi uint64
	id     int32
}

const (
	wordCacheBits = 10
	longCacheBits = 8 // words of eight bytes or more are far fewer
)

// longWord returns the id x gives w, a normalised word of eight to fifteen
// bytes before stemming, remembering it. w must have the capacity for
// sixteen bytes.
func (c *wordCache) longWord(x *phraseIndex, w []byte) int32 {
	lo := binary.LittleEndian.Uint64(w)
	hi := binary.LittleEndian.Uint64(w[8:16]) & (1<<(8*(len(w)-8)) - 1)
	e := &c.long[((lo^hi*hashMul)*hashMul)>>(64-longCacheBits)]
	if e.lo == lo && e.hi == hi {
		return e.id
	}
	id := x.words.lookup(stem(w))
	*e = longEntry{lo: lo, hi: hi, id: id}
	return id
}

// stemPacked stems a word of one to seven bytes held as lookupShort takes
// it, and returns it in the same form with its new length.
func stemPacked(packed uint64, n int) (uint64, int) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], packed)
	m := len(stem(b[:n]))
	return binary.LittleEndian.Uint64(b[:]) & (1<<(8*m) - 1), m
}

// candidate is a phrase as listed under its first word. Its length and
// second word are kept inline, so that most candidates are ruled out
// without fetching the phrase.
type candidate struct {
	phrase int32
	n      int32 // words
	second int32 // id of the second word, -1 for a single word
}

// longest returns the longest of the candidates (the phrases starting with
// the word toks[i]) that matches at toks[i], and its length in words; -1
// if none does. A phrase does not match across punctuation.
func (x *phraseIndex) longest(toks []token, i int, candidates []candidate) (phrase int32, n int) {
	// Most words start only one phrase, or none of their longer phrases
	// goes on with the next word: then only a one-word phrase can match,
	// which would be the last candidate, and always matches.
	if c := candidates[0]; c.n > 1 && i+1 < len(toks) {
		if next := toks[i+1]; next.brk == brkNone && x.follows[toks[i].id]>>(uint32(next.id)&63)&1 != 0 {
			return x.longestOf(toks, i, candidates)
		}
	}
	if c := candidates[len(candidates)-1]; c.n == 1 {
		return c.phrase, 1
	}
	return -1, 0
}

// longestOf is longest, trying every candidate in turn.
func (x *phraseIndex) longestOf(toks []token, i int, candidates []candidate) (phrase int32, n int) {
next:
	for _, c := range candidates {
		if c.n > 1 {
			if i+int(c.n) > len(toks) {
				continue
			}
			if t := toks[i+1]; t.id != c.second || t.brk != brkNone {
				continue
			}
			words := x.phrases[c.phrase]
			for k := 2; k < len(words); k++ {
				if t := toks[i+k]; t.id != words[k] || t.brk != brkNone {
					continue next
				}
			}
		}
		return c.phrase, int(c.n)
	}
	return -1, 0
}
