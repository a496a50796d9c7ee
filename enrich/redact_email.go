package enrich

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RedactText's rules for e-mail addresses: written with an @, or spelled
// to get past spam filters, with a bracketed "at" or with the bare words
// "at" and "dot".

// emailAround finds an e-mail address around the '@' at s[at], not
// reaching back before s[from]. The local part may hold letters, digits
// and . _ % + ' -; the domain needs a dot and a last label that starts
// with two letters.
func emailAround(s string, at, from int) (start, end int, ok bool) {
	return emailSpan(s, at, at+1, from, false)
}

// spelledEmailAround finds an address written with a bracketed "at" to get
// past spam filters, around the bracket at s[open]: "jane(at)example.com",
// "jane [at] example [dot] com". Its domain's dots may be spelled too.
func spelledEmailAround(s string, open, from int) (start, end int, ok bool) {
	j := spelledAtEnd(s, open)
	if j < 0 {
		return 0, 0, false
	}
	localEnd := open
	for localEnd > from && s[localEnd-1] == ' ' {
		localEnd--
	}
	return emailSpan(s, localEnd, skipSpaces(s, j), from, true)
}

// spelledAtEnd returns the index past a bracketed "at" that opens at
// s[open] ("(at)", "[ at ]"), or -1 if there is none.
func spelledAtEnd(s string, open int) int {
	closing := closingBracket(s[open])
	j := skipSpaces(s, open+1)
	if closing == 0 || !hasWordFold(s, j, "at") {
		return -1
	}
	j = skipSpaces(s, j+2)
	if j >= len(s) || s[j] != closing {
		return -1
	}
	return j + 1
}

// closingBracket returns the bracket that closes c, or 0 if c opens none.
func closingBracket(c byte) byte {
	switch c {
	case '(':
		return ')'
	case '[':
		return ']'
	case '{':
		return '}'
	}
	return 0
}

// hasWordFold reports whether s holds w at s[k], ignoring ASCII case.
func hasWordFold(s string, k int, w string) bool {
	return k+len(w) <= len(s) && strings.EqualFold(s[k:k+len(w)], w)
}

func skipSpaces(s string, i int) int {
	for i < len(s) && s[i] == ' ' {
		i++
	}
	return i
}

// spelledDot returns the length of a dot written as a word at s[j:] in a
// spelled address: "(dot)", " [dot] ", " dot ", or 0.
func spelledDot(s string, j int) int {
	k := skipSpaces(s, j)
	closing := byte(0)
	if k < len(s) {
		closing = closingBracket(s[k])
	}
	if closing != 0 {
		k++
	} else if k == j {
		return 0 // a bare "dot" needs spaces around it
	}
	if !hasWordFold(s, k, "dot") {
		return 0
	}
	k += 3
	if closing != 0 {
		if k >= len(s) || s[k] != closing {
			return 0
		}
		k++
	} else if k >= len(s) || s[k] != ' ' {
		return 0
	}
	return skipSpaces(s, k) - j
}

// emailSpan finds an address whose local part ends at s[localEnd] and
// whose domain starts at s[domStart], not reaching back before s[from].
// With spelled, the domain's dots may be words (see spelledDot).
func emailSpan(s string, localEnd, domStart, from int, spelled bool) (start, end int, ok bool) {
	start = localEnd
	for start > from {
		c := s[start-1]
		if c < utf8.RuneSelf {
			if !isLocalPartByte(c) {
				break
			}
			start--
			continue
		}
		r, size := utf8.DecodeLastRuneInString(s[from:start])
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			break
		}
		start -= size
	}
	for start < localEnd && s[start] == '.' {
		start++
	}
	if start == localEnd {
		return 0, 0, false
	}
	// Walk the domain label by label, ending it after the last label that
	// can be a top-level domain: one that starts with two letters. So
	// "jane@example.com.1" keeps its ".1", while "jane@example.com2" goes
	// whole: better to hide a little more than to leave most of an address.
	end = -1
	for j := domStart; ; {
		labelStart, lead, letters := j, 0, true // lead: letters the label starts with
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				if !isASCIIWordByte(c) && c != '-' {
					break
				}
				if lc := c | 0x20; lc < 'a' || lc > 'z' {
					letters = false
				} else if letters {
					lead++
				}
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			if letters = letters && unicode.IsLetter(r); letters {
				lead++
			}
			j += size
		}
		if j == labelStart {
			break // an empty label ends the domain: "a@b..c", "a@b."
		}
		if labelStart > domStart && lead >= 2 {
			end = j
		}
		sep := 0 // the length of the dot after the label
		if j < len(s) && s[j] == '.' {
			sep = 1
		} else if spelled {
			sep = spelledDot(s, j)
		}
		if sep == 0 {
			break
		}
		j += sep
	}
	if end < 0 {
		return 0, 0, false
	}
	return start, end, true
}

func isLocalPartByte(c byte) bool {
	return isASCIIWordByte(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '\'' || c == '-'
}

// redactWordEmails replaces the addresses in s spelled with bare words,
// "jane at example dot com", with [email], and returns s itself when there
// is none. "at" and "dot" are everyday words, so an address needs both,
// ends in a known top-level domain, and does not look like a sentence:
// the word before "at" is not one that goes before "at" in prose ("look at
// example dot com"), and the one after it is not an article or pronoun
// ("tap at the dot in the corner").
func redactWordEmails(s string) string {
	var b strings.Builder
	last := 0
	for k := 0; ; {
		d := indexWordDot(s, k)
		if d < 0 {
			break
		}
		k = d + len(" dot ")
		at := wordAtBefore(s, d, last)
		if at < 0 {
			continue
		}
		domStart := at + len(" at ")
		localEnd := at
		start, end, ok := emailSpan(s, localEnd, domStart, last, true)
		if !ok || end <= d || !wordEmailParts(s[start:localEnd], s[domStart:], s[:end]) {
			continue
		}
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:start])
		b.WriteString(emailMark)
		last, k = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// indexWordDot returns the index of the space that starts " dot " (in any
// case) in s at or after from, or -1.
func indexWordDot(s string, from int) int {
	// Eight positions at a time, as 64-bit words: the word of the bytes at
	// j-1 and the word of those at j, lowercased by setting bit 5 (which
	// changes no letter into another), say at once where a word starting
	// with "d" begins; only those few are looked at closer.
	// strings.Index(" dot ") is several times slower on feedback, where
	// spaces and "d" are common.
	const lower = lo8 * 0x20
	j := max(from, 0) + 1
	for ; j+8 <= len(s); j += 8 {
		m := zeroBytes(load64(s, j-1)^(lo8*' ')) & zeroBytes(load64(s, j)|lower^(lo8*'d'))
		for m != 0 {
			if k := j + bits.TrailingZeros64(m)/8 - 1; wordDotAt(s, k) {
				return k
			}
			m &= m - 1
		}
	}
	for ; j+4 <= len(s); j++ {
		if wordDotAt(s, j-1) {
			return j - 1
		}
	}
	return -1
}

// wordDotAt reports whether s[i:] starts with " dot ", in any case.
func wordDotAt(s string, i int) bool {
	return i >= 0 && i+5 <= len(s) && s[i] == ' ' && hasWordFold(s, i+1, "dot") && s[i+4] == ' '
}

// zeroBytes returns a word with the high bit set in each byte of x that
// is zero, and no other bit but, at times, that of a byte above a zero
// one (whose borrow it takes).
func zeroBytes(x uint64) uint64 {
	return (x - lo8) &^ x & hi8
}

// wordAtBefore walks back from the spelled dot at s[d] over the domain's
// labels and dots, written or spelled, to the " at " that starts the
// domain, and returns its index, or -1. It does not reach before s[from].
func wordAtBefore(s string, d, from int) int {
	for j := d; ; {
		ls := j
		for ls > from && (isASCIIWordByte(s[ls-1]) || s[ls-1] == '-') {
			ls--
		}
		switch {
		case ls == j:
			return -1
		case ls-1 >= from && s[ls-1] == '.':
			j = ls - 1
		case ls-5 >= from && s[ls-5] == ' ' && hasWordFold(s, ls-4, "dot") && s[ls-1] == ' ':
			j = ls - 5
		case ls-4 >= from && s[ls-4] == ' ' && hasWordFold(s, ls-3, "at") && s[ls-1] == ' ':
			return ls - 4
		default:
			return -1
		}
	}
}

// wordEmailParts checks a word-spelled address: its local part, the text
// from its domain on, and the text up to its end.
func wordEmailParts(local, domain, upToEnd string) bool {
	first := domain
	for i := 0; i < len(first); i++ {
		if !isASCIIWordByte(first[i]) && first[i] != '-' {
			first = first[:i]
			break
		}
	}
	tld := upToEnd[strings.LastIndexAny(upToEnd, ". ")+1:]
	return !proseBeforeAt[strings.ToLower(local)] && !proseAfterAt[strings.ToLower(first)] &&
		topLevelDomains[strings.ToLower(tld)]
}

// proseBeforeAt are words that go before "at" in prose rather than
// addresses: "look at example dot com" names a site.
var proseBeforeAt = setOf("look", "looking", "looked", "go", "went", "visit", "check", "see",
	"find", "found", "available", "online", "live", "hosted", "based", "located", "work",
	"works", "worked", "working", "us", "me", "them", "it", "him", "her", "site", "website",
	"page", "here", "there", "up", "in", "out", "is", "are", "was", "were", "be", "been",
	"and", "or", "but", "not", "just", "only", "also", "even", "still")

// proseAfterAt are words that start no domain but often follow "at".
var proseAfterAt = setOf("the", "a", "an", "this", "that", "these", "those", "my", "your",
	"our", "their", "his", "her", "its", "least", "most", "all", "any", "some", "each",
	"every", "one", "first", "last", "once", "home", "work")

// topLevelDomains are the endings a word-spelled address must have: the
// generic ones people use and the country codes most often seen.
var topLevelDomains = setOf("com", "net", "org", "edu", "gov", "mil", "int", "info", "biz",
	"io", "co", "ai", "app", "dev", "me", "tv", "xyz", "online", "site", "tech", "cloud",
	"email", "mail", "uk", "de", "fr", "es", "it", "nl", "be", "ch", "at", "se", "no", "dk",
	"fi", "pl", "pt", "ie", "eu", "us", "ca", "au", "nz", "jp", "cn", "in", "br", "mx",
	"ru", "za", "kr", "sg", "hk", "tw", "il", "tr", "gr", "cz", "hu", "ro", "ua", "ar",
	"cl", "ae", "sa", "ng", "ke", "id", "my", "ph", "vn", "th", "pk")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
