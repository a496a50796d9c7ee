package enrich

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// words returns the normalised words of text, as nextWord finds them.
func words(text string) []string {
	var out []string
	var buf []byte
	for i := 0; ; {
		w, start, end, _ := nextWord(text, i, buf)
		if start < 0 {
			return out
		}
		out = append(out, string(w))
		buf, i = w, end
	}
}

func TestNormalisationLowercasesAndStripsPunctuation(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"", nil},
		{"  ...!!  ", nil},
		{"Hello, World!", []string{"hello", "world"}},
		{"I can't log in", []string{"i", "cant", "log", "in"}},
		{"I can’t log in", []string{"i", "cant", "log", "in"}},
		{"the customer's invoice", []string{"the", "customers", "invoice"}},
		{"'quoted' words", []string{"quoted", "words"}},
		{"rock 'n' roll", []string{"rock", "n", "roll"}},
		{"sign-up flow", []string{"sign", "up", "flow"}},
		{"v2.3.14 on iOS", []string{"v2", "3", "14", "on", "ios"}},
		{"ÉCHEC de l'export", []string{"échec", "de", "lexport"}},
		{"Straße GROSS", []string{"straße", "gross"}},
		{"ΑΘΗΝΑ", []string{"αθηνα"}},
		{"naïve café", []string{"naïve", "café"}},
		{"e\u0301t\u00e9", []string{"e\u0301té"}}, // combining accent stays in the word
		{"emoji 🎉 party", []string{"emoji", "party"}},
		{"tabs\tand\nlines", []string{"tabs", "and", "lines"}},
		{"mail me at [email] now", []string{"mail", "me", "at", "now"}},
		{"[phone][card][iban]", nil},
		{"[other] text", []string{"other", "text"}},
		{"dont DON'T don’t", []string{"dont", "dont", "dont"}},
		{"2fa SSO", []string{"2fa", "sso"}},
	}
	for _, tc := range cases {
		if got := words(tc.text); !slices.Equal(got, tc.want) {
			t.Errorf("words(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

func TestStemmingBringsTheFormsOfAWordTogether(t *testing.T) {
	groups := [][]string{
		{"crash", "crashes", "crashing", "crashed"},
		{"charge", "charges", "charging", "charged"},
		{"price", "prices", "pricing", "priced"},
		{"load", "loads", "loading", "loaded"},
		{"bill", "bills", "billing", "billed"},
		{"stop", "stops", "stopping", "stopped"},
		{"log", "logs", "logging", "logged"},
		{"sync", "syncs", "syncing", "synced"},
		{"reply", "replies", "replied"},
		{"invoice", "invoices", "invoicing", "invoiced"},
		{"refund", "refunds", "refunding", "refunded"},
		{"export", "exports", "exporting", "exported"},
		{"fix", "fixes", "fixed", "fixing"},
		{"access", "accesses", "accessing", "accessed"},
		{"slow", "slowly", "slowness"},
		{"easy", "easily"},
		{"freeze", "freezes", "freezing"},
		{"match", "matches"},
		{"plan", "plans", "planned"},
		{"user", "users", "user's"},
	}
	for _, g := range groups {
		want := string(stem([]byte(g[0])))
		for _, w := range g[1:] {
			norm := words(w)[0]
			if got := string(stem([]byte(norm))); got != want {
				t.Errorf("stem(%q) = %q, want %q like %q", w, got, want, g[0])
			}
		}
	}
	// Words that must keep their own stem.
	distinct := [][2]string{
		{"ios", "io"}, {"status", "statu"}, {"this", "thi"}, {"analysis", "analysi"},
		{"bug", "buggy"}, {"speed", "sped"}, {"need", "ne"}, {"using", "us"},
		{"reply", "rep"}, {"only", "on"}, {"business", "bus"},
	}
	for _, d := range distinct {
		a, b := string(stem([]byte(d[0]))), d[1]
		if a == b {
			t.Errorf("stem(%q) = %q, should not collapse to %q", d[0], a, b)
		}
	}
}

func TestShortWordsAreNotStemmed(t *testing.T) {
	for _, w := range []string{"ios", "was", "has", "use", "yes", "is", "a", "sso", "2fa"} {
		if got := string(stem([]byte(w))); got != w {
			t.Errorf("stem(%q) = %q, want it unchanged", w, got)
		}
	}
}

func TestTokenizeMarksPunctuationBetweenWords(t *testing.T) {
	x := newPhraseIndex()
	x.done()
	cases := []struct {
		text string
		want []boundary // one per word
	}{
		{"sign-up flow", []boundary{brkSentence, brkNone, brkNone}},
		{"slow, buggy", []boundary{brkSentence, brkClause}},
		{"slow. Buggy", []boundary{brkSentence, brkSentence}},
		{"slow! Buggy? Yes", []boundary{brkSentence, brkSentence, brkSentence}},
		{"slow\nbuggy", []boundary{brkSentence, brkSentence}},
		{"v2.3 is out", []boundary{brkSentence, brkClause, brkNone, brkNone}},
		{"e.g. this", []boundary{brkSentence, brkClause, brkClause}},
		{"see i.e. this. Then", []boundary{brkSentence, brkNone, brkClause, brkClause, brkSentence}},
		{"is at 10 a. Then", []boundary{brkSentence, brkNone, brkNone, brkNone, brkSentence}},
		{"slow - buggy", []boundary{brkSentence, brkClause}},
		{"slow -- buggy", []boundary{brkSentence, brkClause}},
		{`the "export" button`, []boundary{brkSentence, brkNone, brkNone}},
		{"iOS/Android", []boundary{brkSentence, brkClause}},
		{"at [email] now", []boundary{brkSentence, brkClause}},
		{"slow… buggy", []boundary{brkSentence, brkSentence}},
		{"slow — buggy", []boundary{brkSentence, brkClause}},
	}
	for _, tc := range cases {
		toks, _ := x.tokenize(nil, tc.text, nil)
		got := make([]boundary, len(toks))
		for i, tok := range toks {
			got[i] = tok.brk
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("boundaries of %q = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func TestSentenceIsCutAroundAWord(t *testing.T) {
	x := newPhraseIndex()
	x.done()
	cases := []struct {
		text, word, want string
	}{
		{"Export fails. Import works.", "Import", "Import works."},
		{"Export fails. Import works.", "Export", "Export fails."},
		{"It crashed again (twice)! Then nothing.", "twice", "It crashed again (twice)!"},
		{"Login broken\n\n- retry fails\n- cache clear fails", "retry", "retry fails"},
		{"Login broken\n\n- retry fails", "broken", "Login broken"},
		{"We run v2.3.14 and it fails. Please help", "fails", "We run v2.3.14 and it fails."},
		{"Write to me at [email]. Thanks", "Write", "Write to me at [email]."},
		{"No punctuation at all", "at", "No punctuation at all"},
		{"   Padded sentence.   ", "Padded", "Padded sentence."},
		{"Is it down?Yes.", "down", "Is it down?Yes."}, // no space after '?': one sentence
		// A quotation or bracket that closes after the full stop ends the
		// sentence with it, as interview notes quote customers.
		{"Ana said: “The app is stuck loading.” Ana said it twice.", "stuck", "Ana said: “The app is stuck loading.”"},
		{`He said "it fails." Then it worked.`, "fails", `He said "it fails."`},
		{"It fails (see above.) Then it worked!» Fine.", "worked", "Then it worked!»"},
		{"It said 'done.'Then nothing.", "nothing", "It said 'done.'Then nothing."},
	}
	for _, tc := range cases {
		toks, _ := x.tokenize(nil, tc.text, nil)
		i := slices.IndexFunc(toks, func(tok token) bool { return tc.text[tok.start:tok.end] == tc.word })
		if i < 0 {
			t.Fatalf("%q not found in %q", tc.word, tc.text)
		}
		if got := sentence(tc.text, toks, i); got != tc.want {
			t.Errorf("sentence of %q in %q = %q, want %q", tc.word, tc.text, got, tc.want)
		}
	}
}

func TestLongSentencesAreCutToAWindowAroundTheWord(t *testing.T) {
	x := newPhraseIndex()
	x.done()
	text := strings.Repeat("filler words here ", 40) + "the export crashed " + strings.Repeat("more filler text ", 40)
	toks, _ := x.tokenize(nil, text, nil)
	i := slices.IndexFunc(toks, func(tok token) bool { return text[tok.start:tok.end] == "export" })
	got := sentence(text, toks, i)
	if len(got) > maxEvidence {
		t.Errorf("evidence is %d bytes, over %d", len(got), maxEvidence)
	}
	if !strings.Contains(got, "the export crashed") {
		t.Errorf("evidence %q lost the word it is evidence for", got)
	}
	if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || !strings.HasPrefix(got, "filler") && !strings.HasPrefix(got, "words") && !strings.HasPrefix(got, "here") {
		t.Errorf("evidence %q is not cut at a word boundary", got)
	}
}

// checkTokenize holds tokenize to what nextWord finds, and checks that
// every token and sentence is a well-formed part of text.
func checkTokenize(t *testing.T, x *phraseIndex, text string) {
	t.Helper()
	toks, _ := x.tokenize(nil, text, nil)
	var buf []byte
	k := 0
	for i := 0; ; k++ {
		w, start, end, brk := nextWord(text, i, buf)
		if start < 0 {
			break
		}
		buf, i = w, end
		if k >= len(toks) {
			t.Fatalf("tokenize(%q) found %d words, nextWord more", text, len(toks))
		}
		tok := toks[k]
		if k == 0 {
			brk = brkSentence
		}
		if int(tok.start) != start || int(tok.end) != end || tok.brk != brk {
			t.Fatalf("tokenize(%q) word %d = [%d:%d] brk %d, nextWord [%d:%d] brk %d",
				text, k, tok.start, tok.end, tok.brk, start, end, brk)
		}
		if !utf8.ValidString(text) {
			continue
		}
		if id := x.words.lookup(stem(w)); id != tok.id {
			t.Fatalf("tokenize(%q) word %d %q has id %d, want %d", text, k, w, tok.id, id)
		}
	}
	if k != len(toks) {
		t.Fatalf("tokenize(%q) found %d words, nextWord %d", text, len(toks), k)
	}
	for i, tok := range toks {
		s := sentence(text, toks, i)
		if !strings.Contains(text, s) {
			t.Fatalf("sentence %q is not part of %q", s, text)
		}
		if len(s) > maxEvidence+utf8.UTFMax {
			t.Fatalf("sentence of %d bytes, over the limit", len(s))
		}
		if tok.end-tok.start <= maxEvidence/3 && !strings.Contains(s, text[tok.start:tok.end]) {
			t.Fatalf("sentence %q does not hold word %q", s, text[tok.start:tok.end])
		}
	}
}

func TestTokenizeFindsTheWordsNextWordFinds(t *testing.T) {
	x := newPhraseIndex()
	for _, kw := range []string{"charged twice", "can't log in", "café", "sign up", "crash"} {
		x.add(kw)
	}
	x.done()
	for _, text := range []string{
		"", "a", "I was CHARGED twice, can't log in and the app crashes.",
		"Abcdefghijklmnopqrstuvwxyz0123456789 is one long word",
		strings.Repeat("x", 100) + " then café",
		"mixed Cases ExactlyEight ABCDEFGH abcdefgh. Done",
		"apostrophes: customer's, don’t, 'quoted'",
		"at [email], call [phone]",
	} {
		checkTokenize(t, x, text)
	}
}

func FuzzTokenizer(f *testing.F) {
	for _, s := range []string{
		"I was charged twice! Can't log in.",
		"sign-up -- v2.3.14 [email] café’s ΑΘΗΝΑ",
		"\xff\xfe broken utf8 \xc3",
		"a'b'c ''' ’’ x’",
		strings.Repeat("word ", 100),
	} {
		f.Add(s)
	}
	x := NewKeywordTagger(DefaultTaxonomy()).index
	f.Fuzz(func(t *testing.T, text string) {
		checkTokenize(t, x, text)
		for _, w := range words(text) {
			if w == "" {
				t.Fatalf("empty word in %q", text)
			}
			stem([]byte(w)) // must not panic
		}
	})
}

func BenchmarkTokenize(b *testing.B) {
	text := "Hi team, we were charged twice for the March invoice and still have no refund. " +
		"The dashboard takes forever to load every morning, sometimes over 30 seconds. " +
		"Your support agent Maria was very helpful last week. It would be great to have " +
		"scheduled exports to Google Sheets. Thanks in advance."
	x := NewKeywordTagger(DefaultTaxonomy()).index
	var toks []token
	var buf []byte
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		toks, buf = x.tokenize(toks[:0], text, buf)
	}
}

// foldLatin reads the letters of Latin-1 and Latin Extended-A as their
// ASCII letter without an accent, whatever their case, and nothing else as
// a letter: not "ß", which is no accented "y", nor "×" and "÷", nor a
// Cyrillic "о".
func TestFoldLatin(t *testing.T) {
	for r, want := range map[rune]byte{'É': 'e', 'é': 'e', 'Ñ': 'n', 'ç': 'c', 'Ü': 'u', 'ÿ': 'y', 'A': 'a', 'z': 'z',
		'ß': 0, '×': 0, '÷': 0, 'Æ': 0, '1': 0, 'º': 'o', 'о': 0,
		'ł': 'l', 'Ł': 'l', 'ń': 'n', 'Ż': 'z', 'ş': 's', 'İ': 'i', 'ı': 'i', 'ğ': 'g', 'Ř': 'r', 'ő': 'o', 'ș': 's', 'ț': 't'} {
		if got := foldLatin(r); got != want {
			t.Errorf("foldLatin(%q) = %q, want %q", r, got, want)
		}
	}
}
