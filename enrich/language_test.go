package enrich

import "testing"

// Every word of languageWords counts for its own language: no two lists
// hold words that the tokenizer reads alike (after stemming, "les" and
// "le" could be one word).
func TestLanguageWordsAreEachOnOneList(t *testing.T) {
	s := lexiconScorer()
	for i, l := range languageWords {
		for _, w := range l.words {
			st := stems(w)
			if len(st) != 1 {
				t.Errorf("%s word %q reads as %d words", l.lang, w, len(st))
				continue
			}
			id, ok := s.index.vocab[st[0]]
			if !ok || int(s.words[id]&wordLanguage) != i+1 {
				got := "none"
				if l := s.words[id] & wordLanguage; ok && l > 0 {
					got = languageWords[l-1].lang
				}
				t.Errorf("%s word %q (read %q) counts for %s", l.lang, w, st[0], got)
			}
		}
	}
}
