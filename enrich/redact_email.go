package enrich

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// RedactText's rules for e-mail addresses: written with an @, or spelled
// with a bracketed "at" to get past spam filters.

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
	closing := closingBracket(s[open])
	j := skipSpaces(s, open+1)
	if !hasWordFold(s, j, "at") {
		return 0, 0, false
	}
	j = skipSpaces(s, j+2)
	if j >= len(s) || s[j] != closing {
		return 0, 0, false
	}
	localEnd := open
	for localEnd > from && s[localEnd-1] == ' ' {
		localEnd--
	}
	return emailSpan(s, localEnd, skipSpaces(s, j+1), from, true)
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
