package enrich

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The text functions here are shared by the keyword tagger and sentiment.
// They run on every record, so they walk bytes by hand, write words into a
// caller's buffer and never allocate: no regexp, no strings.Fields, no
// strings.ToLower on the hot path.

// boundary is the strongest punctuation found between two words. Phrases
// never match across one; negation and intensifiers stop at one.
type boundary uint8

const (
	brkNone     boundary = iota // spaces, quotes or a hyphen: "sign-up" is "sign up"
	brkClause                   // a comma, colon, semicolon, bracket, slash or dash
	brkSentence                 // the end of a sentence or a line, or the start of the text
)

// placeholders are what redaction leaves in the text. The tokenizer skips
// them so that "[email]" never reads as the word "email".
var placeholders = [...]string{emailMark, phoneMark, cardMark, ibanMark}

// DropPlaceholders returns s with the placeholders redaction leaves
// ("[email]", "[phone]", "[card]", "[iban]") replaced by spaces, for code outside this
// package that reads words: a redacted address is not the word "email".
func DropPlaceholders(s string) string {
	for _, p := range placeholders {
		s = strings.ReplaceAll(s, p, " ")
	}
	return s
}

// Byte classes for the tokenizer's ASCII fast paths.
const (
	classSpace = iota // space, quotes and other bytes that only separate words
	classLower        // a-z and 0-9: part of a word as they are
	classUpper        // A-Z: part of a word, lowercased
	classPunct        // punctuation that may be a boundary, and non-ASCII bytes
)

// byteClass classifies every byte value; a table lookup is cheaper than the
// comparisons it replaces, on every byte of every record.
var byteClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
			t[c] = classLower
		case 'A' <= c && c <= 'Z':
			t[c] = classUpper
		case c >= utf8.RuneSelf || strings.IndexByte(".!?\n,;:()/[]{}|-", byte(c)) >= 0:
			t[c] = classPunct
		}
	}
	return t
}()

// nextWord finds the first word of text at or after byte i. It writes the
// word into buf[:0] lowercased, with inner apostrophes dropped ("Can't" →
// "cant", "customer’s" → "customers"), and returns it with its byte span
// and the strongest boundary crossed to reach it. start is -1 when text
// holds no further word.
//
// A word is a run of letters and digits (marks too, after the first rune);
// anything else separates words. Sentences end at '.', '!' or '?' followed
// by space or the end of the text, and at line breaks; not at the last
// full stop of "e.g." or "i.e." (see dottedLetters).
//
// nextWord is the reference for what a word is; phraseIndex.tokenize is the
// fast version that the hot path uses.
func nextWord(text string, i int, buf []byte) (word []byte, start, end int, brk boundary) {
	word = buf[:0]
	brk = brkNone
	// Skip to the start of a word, noting the punctuation on the way.
	for i < len(text) {
		c := text[i]
		switch byteClass[c] {
		case classSpace:
			i++
			continue
		case classLower, classUpper:
		case classPunct:
			if c < utf8.RuneSelf {
				brk = max(brk, punctBoundary(text, i))
				if c == '[' {
					if n := placeholderAt(text, i); n > 0 {
						i += n
						continue
					}
				}
				i++
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				break
			}
			switch r {
			case '…', '。', '！', '？':
				brk = max(brk, brkSentence)
			case '—', '–', '、', '，':
				brk = max(brk, brkClause)
			}
			i += size
			continue
		}
		break
	}
	if i >= len(text) {
		return word, -1, -1, brk
	}
	start = i
	for i < len(text) {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z' || '0' <= c && c <= '9':
				word = append(word, c)
			case 'A' <= c && c <= 'Z':
				word = append(word, c+('a'-'A'))
			case c == '\'' && wordContinuesAt(text, i+1):
				// An apostrophe between letters is part of the word and is dropped.
			default:
				return word, start, i, brk
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			word = utf8.AppendRune(word, unicode.ToLower(r))
		case (r == '’' || r == 'ʼ') && wordContinuesAt(text, i+size):
		default:
			return word, start, i, brk
		}
		i += size
	}
	return word, start, i, brk
}

// punctBoundary returns the boundary the ASCII punctuation at text[i] makes.
func punctBoundary(text string, i int) boundary {
	switch text[i] {
	case '.', '!', '?':
		// A full stop inside "v2.3" or "e.g." does not end a sentence.
		if endsSentence(text, i) {
			return brkSentence
		}
		return brkClause
	case '\n':
		return brkSentence
	case '-':
		// "sign-up" joins words; " - " and "--" between clauses do not.
		if i > 0 && isSpaceByte(text[i-1]) || i+1 < len(text) && text[i+1] == '-' {
			return brkClause
		}
		return brkNone
	}
	return brkClause
}

func isASCIILetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

func isASCIIWordByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isSpaceByte(c byte) bool {
	return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v'
}

// wordContinuesAt reports whether a letter starts at text[i], which makes
// the apostrophe before it part of a word.
func wordContinuesAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	r, _ := utf8.DecodeRuneInString(text[i:])
	return unicode.IsLetter(r)
}

// placeholderAt returns the length of the redaction placeholder at text[i:],
// or 0 if there is none.
func placeholderAt(text string, i int) int {
	for _, p := range placeholders {
		if strings.HasPrefix(text[i:], p) {
			return len(p)
		}
	}
	return 0
}

// stem reduces a lowercased word to a stem by stripping common English
// suffixes, in place. It is not a linguist's stemmer: what matters is that
// the forms of a word people write in feedback reach the same stem
// ("crash", "crashes", "crashing", "crashed" → "crash"; "charge",
// "charged", "charging" → "charg"), because keywords and lexicon entries are
// stemmed with this same function. Words of three bytes or fewer ("ios",
// "api", "was") are left alone.
func stem(w []byte) []byte {
	n := len(w)
	if n <= 3 {
		return w
	}
	if !stemEnds[w[n-1]] {
		return w // no rule below applies; most words leave here
	}
	// Plurals and third-person verbs.
	switch {
	case hasSuffix(w, n, "sses"):
		n -= 2
	case hasSuffix(w, n, "ies") && n > 4:
		w[n-3] = 'y'
		n -= 2
	case hasSuffix(w, n, "es") && (hasSuffix(w, n-2, "sh") || hasSuffix(w, n-2, "ch") ||
		w[n-3] == 'x' || w[n-3] == 'z'):
		n -= 2
	case w[n-1] == 's' && w[n-2] != 's' && w[n-2] != 'u' && w[n-2] != 'i':
		n--
	}
	// Verb and adverb endings; at most one.
	switch {
	case hasSuffix(w, n, "ing") && n-3 >= 3 && hasVowel(w[:n-3]):
		n = undouble(w, n-3)
	case hasSuffix(w, n, "ed") && !hasSuffix(w, n, "eed") && n-2 >= 3 && hasVowel(w[:n-2]):
		n = undouble(w, n-2)
	case hasSuffix(w, n, "ly") && !hasSuffix(w, n, "ply") && n-2 >= 4:
		n -= 2
	case hasSuffix(w, n, "ness") && n-4 >= 3:
		n -= 4
	}
	// A final e and y vary between forms ("price"/"pricing",
	// "reply"/"replied"), so they are normalised last.
	if n >= 4 && w[n-1] == 'e' {
		n--
	}
	if n >= 4 && w[n-1] == 'y' && !isVowel(w[n-2]) {
		w[n-1] = 'i'
	}
	return w[:n]
}

// Stem returns the stem of a lowercased word as keyword matching sees it,
// for other packages that group a word's forms the same way.
func Stem(word string) string { return string(stem([]byte(word))) }

// stemEnds marks the last letters of the words stem may change: every
// rule ends in s, g, d, y or e. tokenize skips stem for the rest.
var stemEnds = [256]bool{'s': true, 'g': true, 'd': true, 'y': true, 'e': true}

func hasSuffix(w []byte, n int, suffix string) bool {
	return n >= len(suffix) && string(w[n-len(suffix):n]) == suffix
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

func hasVowel(w []byte) bool {
	for _, c := range w {
		if isVowel(c) || c == 'y' {
			return true
		}
	}
	return false
}

// undouble drops the last letter of w[:n] when it doubles the one before
// ("stopp" → "stop", "logg" → "log"). Doubled l, s, z, f and d are usually
// part of the word ("bill", "access", "add") and are kept.
func undouble(w []byte, n int) int {
	if n >= 3 && w[n-1] == w[n-2] {
		switch w[n-1] {
		case 'b', 'g', 'm', 'n', 'p', 'r', 't':
			return n - 1
		}
	}
	return n
}

// asciiWord reads the run of ASCII letters and digits at text[i:] into
// dst, lowercased, and returns where the run ends and its length. It reads
// and writes eight bytes at a time; dst must have room for the word plus
// eight bytes, and a longer word is counted but only partly written.
func asciiWord(text string, i int, dst []byte) (end, n int) {
	for i+8 <= len(text) {
		x := load64(text, i)
		word, upper := asciiWordBytes(x)
		k := 8
		if stop := ^word & hi8; stop != 0 {
			k = bits.TrailingZeros64(stop) >> 3
		}
		if n+8 <= len(dst) {
			// An upper-case letter's high bit, shifted to 0x20, lowercases it.
			binary.LittleEndian.PutUint64(dst[n:], x|upper>>2)
		}
		n += k
		i += k
		if k < 8 {
			return i, n
		}
	}
	for ; i < len(text); i++ {
		c := text[i]
		switch byteClass[c] {
		case classLower:
		case classUpper:
			c += 'a' - 'A'
		default:
			return i, n
		}
		if n < len(dst) {
			dst[n] = c
		}
		n++
	}
	return i, n
}

const (
	lo8 = 0x0101010101010101
	hi8 = 0x8080808080808080
)

// load64 reads text[i:i+8] as a little-endian integer. Slicing first
// lets the compiler drop the bounds checks and merge the eight byte reads
// into one load; indexing text[i+1] ... text[i+7] directly does not.
func load64(text string, i int) uint64 {
	b := text[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// asciiWordBytes sets the high bit of each byte of x that is an ASCII
// letter or digit in word, and of each upper-case letter in upper. Setting
// every high bit first keeps the per-byte subtractions from borrowing
// across bytes; the high bit then tells whether the byte was at least the
// bound subtracted.
func asciiWordBytes(x uint64) (word, upper uint64) {
	h := x | hi8
	lower := (h - lo8*'a') &^ (h - lo8*('z'+1))
	upper = (h - lo8*'A') &^ (h - lo8*('Z'+1))
	digit := (h - lo8*'0') &^ (h - lo8*('9'+1))
	ascii := ^x & hi8
	return (lower | upper | digit) & ascii, upper & ascii
}

// sentence returns the sentence of text that holds toks[i], where toks are
// the words of text alone as phraseIndex.tokenize found them. A sentence
// starts at a word marked brkSentence and runs to the next one; what
// follows its last word is kept up to a line break ("fails (again).",
// "write to me at [email]."), and space is trimmed. A sentence longer than
// maxEvidence is cut to a window around toks[i] so that evidence stays
// readable.
//
// Working from the words rather than the bytes keeps sentences cheap to
// find, and identical in every stage that needs them: the keyword tagger
// cuts evidence with it, and sentiment recognises that evidence as one of
// the sentences it has already scored.
func sentence(text string, toks []token, i int) string {
	first, last := i, i
	for first > 0 && toks[first].brk != brkSentence {
		first--
	}
	for last+1 < len(toks) && toks[last+1].brk != brkSentence {
		last++
	}
	return sentenceOf(text, toks, first, last, i)
}

// sentenceStarts lists in starts the indices of the words of toks that
// start a sentence, and returns it. It takes no branch per word: where
// sentences end follows no pattern a processor could predict.
func sentenceStarts(starts []int32, toks []token) []int32 {
	starts = slices.Grow(starts[:0], len(toks))[:len(toks)]
	n := 0
	for i, t := range toks {
		starts[n] = int32(i)
		n += int(startsSentence[t.brk])
	}
	return starts[:n]
}

var startsSentence = [...]uint8{brkNone: 0, brkClause: 0, brkSentence: 1}

// sentenceOf is sentence for a caller that knows where the sentence
// holding toks[i] starts and ends: toks[first] and toks[last] are its first
// and last words.
func sentenceOf(text string, toks []token, first, last, i int) string {
	start, end := int(toks[first].start), len(text)
	if last+1 < len(toks) {
		end = int(toks[last+1].start)
	}
	if k := strings.IndexByte(text[toks[last].end:end], '\n'); k >= 0 {
		end = int(toks[last].end) + k
	}
	for end > start && isSpaceByte(text[end-1]) {
		end--
	}
	if end-start > maxEvidence {
		start, end = window(text, start, end, int(toks[i].start))
	}
	return text[start:end]
}

// maxEvidence bounds Theme.Evidence in bytes: a body with no punctuation is
// one long "sentence", and evidence is stored and shown per theme.
const maxEvidence = 280

// endsSentence reports whether text[j] is sentence-ending punctuation: '.',
// '!' or '?' followed by space or the end of the text, perhaps after
// closing quotes and brackets (`online." Then`, `online.” Then`, `(see
// above.) Then`).
func endsSentence(text string, j int) bool {
	switch text[j] {
	case '.', '!', '?':
	default:
		return false
	}
	if dottedLetters(text, j) {
		return false
	}
	k := j + 1
	for k < len(text) {
		switch {
		case text[k] == '"' || text[k] == '\'' || text[k] == ')' || text[k] == ']':
			k++
			continue
		case strings.HasPrefix(text[k:], "”") || strings.HasPrefix(text[k:], "’") || strings.HasPrefix(text[k:], "»"):
			_, size := utf8.DecodeRuneInString(text[k:])
			k += size
			continue
		}
		break
	}
	return k == len(text) || isSpaceByte(text[k])
}

// dottedLetters reports whether the full stop at text[j] ends an
// abbreviation of single letters and full stops, "e.g.", "i.e.", "a.m.":
// one that runs on in the same sentence more often than not, so that
// evidence cut at it would end mid-thought ("The export is broken (see
// e.g.").
func dottedLetters(text string, j int) bool {
	return j >= 3 && text[j] == '.' && text[j-2] == '.' &&
		isASCIILetter(text[j-1]) && isASCIILetter(text[j-3]) &&
		(j == 3 || !isASCIIWordByte(text[j-4]))
}

// window narrows text[start:end] to at most maxEvidence bytes around off,
// cutting at spaces where it can and never inside a UTF-8 sequence.
func window(text string, start, end, off int) (int, int) {
	lo := max(start, off-maxEvidence/3)
	hi := min(end, lo+maxEvidence)
	lo = max(start, hi-maxEvidence)
	if lo > start {
		if k := strings.IndexByte(text[lo:off], ' '); k >= 0 {
			lo += k + 1
		}
	}
	if hi < end {
		if k := strings.LastIndexByte(text[off:hi], ' '); k > 0 {
			hi = off + k
		}
	}
	for lo < off && !utf8.RuneStart(text[lo]) {
		lo++
	}
	// Step back to the start of a character cut in two, if it is one.
	if hi < len(text) && !utf8.RuneStart(text[hi]) {
		for j := hi - 1; j > off && j > hi-utf8.UTFMax; j-- {
			if utf8.RuneStart(text[j]) {
				if r, size := utf8.DecodeRuneInString(text[j:]); r != utf8.RuneError && j+size > hi {
					hi = j
				}
				break
			}
		}
	}
	return lo, hi
}
