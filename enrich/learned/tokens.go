package learned

import (
	"unicode"
	"unicode/utf8"
)

// tokenizer splits text into lowercased words: runs of letters and digits.
// An apostrophe inside a word is dropped ("hasn't" becomes "hasnt") so that
// contractions with and without it meet. Words are kept in one byte buffer
// to spare an allocation per word; a tokenizer is reused across texts but
// never shared between goroutines.
type tokenizer struct {
	buf  []byte
	ends []int // ends[i] is where word i stops in buf; word i starts at ends[i-1]
	// sents numbers the sentence each word is in, and sentStarts holds
	// where each sentence starts in the text, for evidence: 0, then just
	// after the character that ended the sentence before it.
	sents      []int32
	sentStarts []int
}

func (t *tokenizer) reset() {
	t.buf = t.buf[:0]
	t.ends = t.ends[:0]
	t.sents = t.sents[:0]
	t.sentStarts = append(t.sentStarts[:0], 0)
}

func (t *tokenizer) len() int { return len(t.ends) }

// word returns word i as bytes of the tokenizer's buffer.
func (t *tokenizer) word(i int) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.buf[start:t.ends[i]]
}

// split tokenizes text, replacing what the tokenizer held.
func (t *tokenizer) split(text string) {
	t.reset()
	in := false
	var sent int32
	boundary := false
	after := 0 // just after the last sentence end seen
	var r rune
	for i := 0; i < len(text); {
		size := 1
		if c := asciiWord[text[i]]; c != 0 {
			// Fast path: an ASCII letter or digit, lowercased.
			if !in {
				in = true
				t.open(&sent, &boundary, after)
			}
			t.buf = append(t.buf, c)
			i++
			continue
		}
		if c := text[i]; c < utf8.RuneSelf {
			r = rune(c)
			if 'A' <= c && c <= 'Z' {
				r += 'a' - 'A'
			}
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
			r = unicode.ToLower(r)
		}
		switch {
		case isWordRune(r):
			if !in {
				in = true
				t.open(&sent, &boundary, after)
			}
			t.buf = utf8.AppendRune(t.buf, r)
		case in && (r == '\'' || r == '’') && i+size < len(text) && nextIsLetter(text[i+size:]):
			// inside a word: drop it and keep going
		default:
			if in {
				in = false
				t.ends = append(t.ends, len(t.buf))
			}
			if endsSentence(text, i, size) {
				boundary, after = true, i+size
			}
		}
		i += size
	}
	if in {
		t.ends = append(t.ends, len(t.buf))
	}
}

// asciiWord maps an ASCII letter or digit to itself lowercased, and every
// other byte to 0.
var asciiWord = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = byte(c)
		t[c-'a'+'A'] = byte(c)
	}
	return t
}()

// open starts a word, in the next sentence (which starts at byte after of
// the text) if a sentence ended since the last word.
func (t *tokenizer) open(sent *int32, boundary *bool, after int) {
	if *boundary && len(t.ends) > 0 {
		*sent++
		t.sentStarts = append(t.sentStarts, after)
	}
	*boundary = false
	t.sents = append(t.sents, *sent)
}

// endsSentence reports whether the character at text[i:i+size] ends a
// sentence: a line break, or ., ! or ? before a space or the end.
func endsSentence(text string, i, size int) bool {
	switch text[i] {
	case '\n':
		return true
	case '.', '!', '?':
		j := i + size
		return j == len(text) || text[j] == ' ' || text[j] == '\n' || text[j] == '\t' || text[j] == '\r'
	}
	return false
}

func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return ('a' <= r && r <= 'z') || ('0' <= r && r <= '9')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func nextIsLetter(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r)
}

// FNV-1a, 64 bits. Feature keys are hashes of the words and n-grams they
// stand for; at 64 bits a collision among the few hundred thousand keys of
// a model is vanishingly unlikely, and the model need not store strings.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashBytes(h uint64, b []byte) uint64 {
	for _, c := range b {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h
}

func hashByte(h uint64, c byte) uint64 {
	h ^= uint64(c)
	h *= fnvPrime
	return h
}

// Namespaces keep the keys of the feature families apart.
const (
	nsWord = 'w'
	nsGram = 'c'
)

// wordKey is the key of a word, or of a stem.
func wordKey(w []byte) uint64 { return hashBytes(hashByte(fnvOffset, nsWord), w) }

// mix scrambles a key (the finaliser of SplitMix64) so that keys combined
// from others spread evenly.
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// bigramKey is the key of two stems in a row; pairKey (below) that of two
// stems near each other, in either order.
func bigramKey(a, b uint64) uint64 { return mix(mix(a^0x62696772616d) + b) }

// pairKey(a, b) is mix(pairHalf(min(a, b)) + max(a, b)); appendWordFeatures
// computes it in place, reusing a stem's half across its pairs.
func pairHalf(a uint64) uint64 { return mix(a ^ 0x70616972) }

// gramKeys calls fn with the key of every character n-gram of word, n from
// minN to maxN runes, the word padded with a space on each side so that
// n-grams at its edges differ from those inside it. offs is scratch space.
func gramKeys(word []byte, minN, maxN int, offs []int, fn func(key uint64)) []int {
	// Rune offsets of the padded word " word ": the pads are virtual.
	offs = offs[:0]
	offs = append(offs, -1) // leading pad
	for i := 0; i < len(word); {
		offs = append(offs, i)
		if word[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(word[i:])
			i += size
		}
	}
	offs = append(offs, len(word)) // trailing pad
	n := len(offs)                 // runes in the padded word
	offs = append(offs, len(word)+1)
	for i := 0; i+minN <= n; i++ {
		h := hashByte(fnvOffset, nsGram)
		// Extend the n-gram one rune at a time, hashing as it grows.
		for j := i; j < n && j-i < maxN; j++ {
			if offs[j] < 0 || offs[j] >= len(word) {
				h = hashByte(h, ' ')
			} else {
				h = hashBytes(h, word[offs[j]:offs[j+1]])
			}
			if j-i+1 >= minN {
				fn(h)
			}
		}
	}
	return offs
}
