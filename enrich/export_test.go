package enrich

// Hooks for the black-box tests in package enrich_test.

// NewKeywordTaggerOwnVocabulary builds a keyword tagger over an index of
// its keywords alone, as taggers were built before they shared the
// lexicon's vocabulary: the reference the shared-words tests compare with.
func NewKeywordTaggerOwnVocabulary(t *Taxonomy) *KeywordTagger {
	return newKeywordTagger(t, newPhraseIndex())
}

// HasKeptWords reports whether it carries words Sentiment would use
// instead of tokenizing its record again.
func HasKeptWords(it *Item) bool { return it.keptWords(lexiconScorer().index) != nil }

// SpokenSeed is the seed init settled on for the table of digit words.
func SpokenSeed() uint64 { return spokenSeed }
