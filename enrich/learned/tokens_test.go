package learned

import (
	"slices"
	"strings"
	"testing"
)

// Evidence quotes the tokenizer's sentences, so each must start where the
// one before it ended: after the ., ! or ? (before a space) or the line
// break, with punctuation that holds no word joining the sentence before.
func TestTokenizerSentences(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"one sentence, no end", []string{"one sentence, no end"}},
		{"Sync fails. Export is slow!  Why?", []string{"Sync fails.", " Export is slow!", "  Why?"}},
		{"v2.1 is out... and broken", []string{"v2.1 is out...", " and broken"}},
		{"Hi.\n\n:)\n\"Broken\" sync", []string{"Hi.\n\n:)\n", "\"Broken\" sync"}},
		{"\n\n  leading blank lines. then text", []string{"\n\n  leading blank lines.", " then text"}},
	} {
		var tok tokenizer
		tok.split(tc.text)
		var got []string
		for i, start := range tok.sentStarts {
			end := len(tc.text)
			if i+1 < len(tok.sentStarts) {
				end = tok.sentStarts[i+1]
			}
			got = append(got, tc.text[start:end])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: sentences %q, want %q", tc.text, got, tc.want)
		}
		// Every word's sentence number points at the sentence holding it.
		// (The test texts are ASCII without apostrophes, so each word is
		// found as written in the lowercased text.)
		lower, at := strings.ToLower(tc.text), 0
		for i, s := range tok.sents {
			w := string(tok.word(i))
			start := at + strings.Index(lower[at:], w)
			at = start + len(w)
			if start < tok.sentStarts[s] || (int(s)+1 < len(tok.sentStarts) && start >= tok.sentStarts[s+1]) {
				t.Errorf("%q: word %q (byte %d) numbered sentence %d, which starts at %d", tc.text, w, start, s, tok.sentStarts[s])
			}
		}
	}
}
