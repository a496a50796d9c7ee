package enrich

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// What redaction leaves in place of what it removes.
const (
	emailMark = "[email]"
	phoneMark = "[phone]"
	cardMark  = "[card]"
)

// Redactor removes contact details and card numbers from records before
// they are stored, and replaces the author's e-mail address with a keyed
// hash so that one person's feedback can still be grouped.
//
// In Title, Body and the values of Metadata (where sources keep a
// satisfaction comment, a rating remark, a CSV's extra columns) it
// replaces e-mail addresses with [email], phone numbers with [phone] and
// payment card numbers with [card] (see RedactText). Author names are left
// alone: they are the customer's chosen display name, which support teams
// need to follow up.
//
// A Redactor is safe for concurrent use.
type Redactor struct {
	key     []byte
	hashers sync.Pool // *emailHasher
	// KeepText leaves titles and bodies as they are (enrich.redact: false)
	// while the author's address is still replaced by its hash. Set it
	// before the first Enrich.
	KeepText bool
}

var _ Stage = (*Redactor)(nil)

// NewRedactor returns a Redactor that hashes author e-mail addresses with
// HMAC-SHA256 under hashKey. With an empty key no hash is stored; the
// address is removed all the same. The key is copied.
func NewRedactor(hashKey []byte) *Redactor {
	x := &Redactor{key: bytes.Clone(hashKey)}
	x.hashers.New = func() any { return &emailHasher{mac: hmac.New(sha256.New, x.key)} }
	return x
}

type emailHasher struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
	hex [2 * sha256.Size]byte
}

// Enrich redacts every item's title, body and metadata values, sets
// AuthorEmailHash when the record has an author e-mail address and a key
// is set, and always clears Author.Email. It never fails.
func (x *Redactor) Enrich(_ context.Context, items []*Item) error {
	for _, it := range items {
		if it == nil || it.Record == nil {
			continue
		}
		r := it.Record
		if !x.KeepText {
			r.Title = RedactText(r.Title)
			r.Body = RedactText(r.Body)
			for k, v := range r.Metadata {
				if red := RedactText(v); red != v {
					r.Metadata[k] = red
				}
			}
		}
		if a := r.Author; a != nil && a.Email != "" {
			it.AuthorEmailHash = x.HashEmail(a.Email)
			a.Email = ""
		}
	}
	return nil
}

// HashEmail returns the hex HMAC-SHA256 of an e-mail address, trimmed and
// lowercased, as Enrich stores it in Item.AuthorEmailHash; "" when the
// Redactor has no key. It lets tools find a person's records by address.
func (x *Redactor) HashEmail(email string) string {
	if len(x.key) == 0 {
		return ""
	}
	h := x.hashers.Get().(*emailHasher)
	defer x.hashers.Put(h)
	h.buf = appendLower(h.buf[:0], strings.TrimSpace(email))
	h.mac.Reset()
	h.mac.Write(h.buf)
	hex.Encode(h.hex[:], h.mac.Sum(h.sum[:0]))
	return string(h.hex[:])
}

// appendLower appends s lowercased to dst, without allocating for ASCII.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
		i += size
	}
	return dst
}

// RedactText returns s with e-mail addresses replaced by [email], phone
// numbers by [phone] and payment card numbers by [card]. It returns s
// itself, without allocating, when there is nothing to replace.
//
// A card number is 13 to 19 digits, optionally grouped by spaces or
// dashes, that passes the Luhn check and does not start with 0. A phone
// number is 10 to 15 digits, or 8 to 15 after a leading '+', grouped by
// spaces, dashes, dots or a bracketed area code, or written with a trunk
// code and a slash ("030/1234567"); 6 digits are enough when a word before
// them says a phone number follows ("call 555 1234", "tel.: 555-1234", "my
// number is …"). Digits that belong to something else are left alone:
// dates (2024-05-01, 01/05/2024), times, versions (v2.3.14), IP addresses,
// amounts ($1,299.00, 1 000 000), ticket and order numbers (#48213,
// 12345678, "order number 5551234") and digits inside words or
// identifiers.
//
// The rules are heuristics: a bare 10-digit number such as an order id or
// a Unix timestamp is taken for a phone number, and so is a shorter one
// after a word such as "contact" or "call"; a phone number written with
// words ("five five five"), a short local number nothing announces, or an
// address spelled without brackets ("jane at example dot com") is not
// found; one spelled with them ("jane [at] example [dot] com",
// "jane(at)example.com") is.
func RedactText(s string) string {
	var b strings.Builder
	last := 0 // s[:last] has been written to b, redacted
	replace := func(start, end int, mark string) {
		if b.Cap() == 0 {
			b.Grow(len(s))
		}
		b.WriteString(s[last:start])
		b.WriteString(mark)
		last = end
	}
	for i := 0; ; {
		// Most bytes trigger nothing: a loop of their own steps over them,
		// four at a time while it can, with one jump for the four.
		for i+4 <= len(s) {
			q := s[i : i+4]
			if redactTrigger[q[0]]|redactTrigger[q[1]]|redactTrigger[q[2]]|redactTrigger[q[3]] != 0 {
				break
			}
			i += 4
		}
		for i < len(s) && redactTrigger[s[i]] == 0 {
			i++
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		switch {
		case c == '@':
			if start, end, ok := emailAround(s, i, last); ok {
				replace(start, end, emailMark)
				i = end
				continue
			}
		case c == '(' || c == '[' || c == '{':
			if start, end, ok := spelledEmailAround(s, i, last); ok {
				replace(start, end, emailMark)
				i = end
				continue
			}
			if c != '(' {
				break
			}
			fallthrough
		case '0' <= c && c <= '9' || c == '+':
			end, mark := numberAt(s, i)
			if mark != "" {
				replace(i, end, mark)
			}
			i = max(end, i+1)
			continue
		}
		i++
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// redactTrigger is 1 for the bytes RedactText looks closer at; everything
// else is skipped with one table lookup. Bytes rather than bools, so that
// lookups for four bytes combine with one OR.
var redactTrigger = [256]uint8{
	'@': 1, '+': 1, '(': 1, '[': 1, '{': 1,
	'0': 1, '1': 1, '2': 1, '3': 1, '4': 1,
	'5': 1, '6': 1, '7': 1, '8': 1, '9': 1,
}

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
	if j+2 >= len(s) || s[j]|0x20 != 'a' || s[j+1]|0x20 != 't' {
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
	if k+3 > len(s) || s[k]|0x20 != 'd' || s[k+1]|0x20 != 'o' || s[k+2]|0x20 != 't' {
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

const (
	sepSpace = 1 << iota
	sepDash
	sepDot
	sepParen
)

// maxNumberGroups bounds the digit groups a phone or card number is
// written in; "+1 (555) 010 99 99" has five.
const maxNumberGroups = 8

// numberAt looks at the number starting at s[i], a digit, '+' or '('. It
// returns the end of the number and the mark to replace it with, or no
// mark and the index to resume scanning at, past the digits it read.
func numberAt(s string, i int) (end int, mark string) {
	if gluedBefore(s, i) {
		return skipDigits(s, i), ""
	}
	j := i
	plus := s[j] == '+'
	if plus {
		j++
	}
	var (
		digits   [20]byte // the first 20 digits; more is too many for any mark
		nd       int
		groups   [maxNumberGroups]int // digit count of each group
		groupEnd [maxNumberGroups]int
		sepAfter [maxNumberGroups]byte
		ng       int
		seps     int
	)
	for ng < maxNumberGroups {
		k := j
		paren := k < len(s) && s[k] == '('
		if paren {
			k++
		}
		gs := k
		for k < len(s) && '0' <= s[k] && s[k] <= '9' {
			k++
		}
		if k == gs || paren && (k == len(s) || s[k] != ')') {
			break
		}
		for d := gs; d < k; d++ {
			if nd < len(digits) {
				digits[nd] = s[d] - '0'
			}
			nd++
		}
		groups[ng] = k - gs
		if paren {
			k++
			seps |= sepParen
		}
		groupEnd[ng] = k
		ng++
		j = k
		if j+1 < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == '.') && (isDigit(s[j+1]) || s[j+1] == '(') {
			sepAfter[ng-1] = s[j]
			seps |= sepBit(s[j])
			j++
			continue
		}
		if paren && j < len(s) && isDigit(s[j]) { // "(555)010-9999"
			continue
		}
		break
	}
	if ng == 0 {
		return i + 1, ""
	}
	end = groupEnd[ng-1]
	if end < len(s) {
		switch c := s[end]; {
		case isDigit(c) || gluedAfter(s, end):
			return skipDigits(s, end), ""
		case c == '/' && !plus && ng == 1 && s[i] == '0' && end+1 < len(s) && isDigit(s[end+1]):
			// "030/1234567": a trunk code, a slash and the subscriber's number.
			if e, ok := afterTrunkSlash(s, end+1, groups[0]); ok {
				return e, phoneMark
			}
			return skipDigits(s, end+1), ""
		case (c == ',' || c == '/' || c == '.') && end+1 < len(s) && isDigit(s[end+1]):
			return skipDigits(s, end+1), "" // 1234,56 or a date with slashes
		case c == ':' && end+1 < len(s) && isDigit(s[end+1]):
			// A time follows, as in "2024-05-01 10:30": its hour is no part of
			// the number.
			ng--
			nd -= groups[ng]
			if ng == 0 {
				return skipDigits(s, end+1), ""
			}
			end = groupEnd[ng-1]
		}
	}
	resume := groupEnd[ng-1]
	if isDate(groups[:ng], sepAfter[:ng]) {
		return groupEnd[2], ""
	}
	if nd > 19 {
		return resume, ""
	}
	// No payment card number starts with 0: its first digit names the
	// issuer's industry, and 0 is none that issues cards.
	if !plus && seps&^(sepSpace|sepDash) == 0 && nd >= 13 && digits[0] != 0 && luhn(digits[:nd]) {
		return end, cardMark
	}
	short := nd < 10 && !(plus && nd >= 8)
	if nd > 15 || short && (plus || nd < minCuedPhoneDigits || !phoneCueBefore(s, i)) {
		return resume, ""
	}
	if !phoneShaped(withoutTrunkZero(s, groups[:ng], groupEnd[:ng]), seps, plus, s[i:end]) {
		return resume, ""
	}
	return end, phoneMark
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// afterTrunkSlash reads the subscriber's digits at s[k:] after a trunk
// code of trunk digits and a slash ("030/1234567", "0171/12345678"). It
// reports where they end, and whether the whole is phone-shaped: a trunk
// code of 2 to 5 digits, at least 5 digits after it, 9 to 15 in all, and
// nothing glued after them (not "0123/4567890/1", a path or reference).
func afterTrunkSlash(s string, k, trunk int) (end int, ok bool) {
	end = k
	for end < len(s) && isDigit(s[end]) {
		end++
	}
	n := end - k
	if trunk < 2 || trunk > 5 || n < 5 || trunk+n < 9 || trunk+n > 15 {
		return end, false
	}
	if end < len(s) {
		if c := s[end]; gluedAfter(s, end) || (c == '/' || c == '.' || c == ',' || c == '-') && end+1 < len(s) && isDigit(s[end+1]) {
			return end, false
		}
	}
	return end, true
}

// minCuedPhoneDigits is the fewest digits taken for a phone number when a
// word before them says one follows ("call 555 1234"); without such a word
// a phone number needs 10.
const minCuedPhoneDigits = 6

// phoneCueBefore reports whether the number at s[i] is announced as a
// phone number: a word such as "call", "phone" or "fax" before it, with at
// most a few filler words between ("call or text me at", "phone number:",
// "tel. no."), or "my number" / "our number". "Order number" and
// "ticket no." announce nothing.
func phoneCueBefore(s string, i int) bool {
	var low [12]byte
	j := i
	afterNumber := false // the word met last (the next in the text) is "number"
	for range maxCueWords {
		for j > 0 && isCueSep(s[j-1]) {
			j--
		}
		k := j
		for k > 0 && j-k <= len(low) && ('a' <= s[k-1]|0x20 && s[k-1]|0x20 <= 'z') {
			k--
		}
		if k == j || j-k > len(low) || k > 0 && (s[k-1] >= utf8.RuneSelf || isASCIIWordByte(s[k-1])) {
			return false // no word, or one too long or not plain ASCII letters
		}
		for n := k; n < j; n++ {
			low[n-k] = s[n] | 0x20
		}
		w := low[:j-k]
		switch cueWords[string(w)] {
		case cue:
			return true
		case owner:
			if afterNumber {
				return true
			}
			fallthrough
		case filler:
			afterNumber = string(w) == "number"
		default:
			return false
		}
		j = k
	}
	return false
}

// maxCueWords bounds how far phoneCueBefore looks back, in words: the cue
// and the fillers after it, as in "call or text me at".
const maxCueWords = 5

// isCueSep reports whether c may stand between the words of a cue and
// the number: "Tel.: ", "phone=", "fax - ", "(mobile) ".
func isCueSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ':', '.', ',', '-', '=', '(', ')':
		return true
	}
	return false
}

// The kinds of word phoneCueBefore meets.
const (
	other  = iota
	cue    // says a phone number follows
	filler // may stand between a cue and the number
	owner  // "my" in "my number": a cue before "number", a filler elsewhere
)

var cueWords = map[string]uint8{
	"phone": cue, "phones": cue, "telephone": cue, "tel": cue, "tlf": cue,
	"telefon": cue, "telefono": cue, "ph": cue, "mobile": cue, "mobil": cue,
	"mob": cue, "cell": cue, "cellphone": cue, "landline": cue, "hotline": cue,
	"fax": cue, "whatsapp": cue, "sms": cue, "text": cue, "call": cue,
	"ring": cue, "dial": cue, "contact": cue, "reach": cue,

	"me": filler, "us": filler, "him": filler, "them": filler, "on": filler,
	"at": filler, "is": filler, "are": filler, "or": filler, "no": filler,
	"nr": filler, "number": filler, "num": filler, "direct": filler,
	"the": filler, "via": filler, "anytime": filler, "back": filler,

	"my": owner, "our": owner, "his": owner, "her": owner, "their": owner,
}

func sepBit(c byte) int {
	switch c {
	case ' ':
		return sepSpace
	case '-':
		return sepDash
	}
	return sepDot
}

// gluedBefore reports whether the number at s[i] continues a word, an
// amount, a version, a ticket reference or a path, judging by what comes
// right before it.
func gluedBefore(s string, i int) bool {
	if i == 0 {
		return false
	}
	c := s[i-1]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeLastRuneInString(s[:i])
		return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Sc, r)
	}
	switch {
	case isASCIIWordByte(c):
		return true
	case c == '-' || c == ',':
		return i >= 2 && isASCIIWordByte(s[i-2]) // "ID-5551234567", "1,234"
	}
	switch c {
	case '_', '.', '#', '$', '/', '\\', '@', '%', '&', '~', '^':
		return true
	case ']':
		// Digits right after a placeholder were glued to what it replaced,
		// so a second pass must not find a number the first did not.
		return true
	}
	return false
}

// gluedAfter reports whether the character at s[end] makes the digits
// before it part of a word or identifier.
func gluedAfter(s string, end int) bool {
	c := s[end]
	if c >= utf8.RuneSelf {
		r, _ := utf8.DecodeRuneInString(s[end:])
		return unicode.IsLetter(r) || unicode.IsDigit(r)
	}
	return isASCIIWordByte(c) || c == '_' || c == '@' || c == '%'
}

// skipDigits returns the index past the run of digits and digit separators
// at s[i:], so that a rejected number is not re-examined digit by digit.
func skipDigits(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if isDigit(c) || (c == '-' || c == '.' || c == ' ' || c == ',' || c == '/' || c == ':') && i+1 < len(s) && isDigit(s[i+1]) {
			i++
			continue
		}
		break
	}
	return i
}

// withoutTrunkZero leaves out of groups a bracketed "(0)" after the
// country code, as in "+33 (0)6 12 34 56 78": the trunk prefix that is
// dropped when dialling from abroad, which is no group of the number's
// own. groups is changed in place.
func withoutTrunkZero(s string, groups, groupEnd []int) []int {
	for k := 1; k < len(groups); k++ {
		if groups[k] == 1 && groupEnd[k] >= 3 && s[groupEnd[k]-3:groupEnd[k]] == "(0)" {
			return append(groups[:k], groups[k+1:]...)
		}
	}
	return groups
}

// isDate reports whether the first three groups are a date: 2024-05-01 or
// 01-05-2024 (or with dots), one separator throughout.
func isDate(groups []int, sepAfter []byte) bool {
	if len(groups) < 3 || sepAfter[0] != sepAfter[1] || sepAfter[0] == ' ' {
		return false
	}
	a, b, c := groups[0], groups[1], groups[2]
	return a == 4 && b <= 2 && c <= 2 || a <= 2 && b <= 2 && c == 4
}

// phoneShaped checks the grouping of a candidate phone number, to tell it
// from lists of numbers, IP addresses and amounts grouped by thousands.
func phoneShaped(groups []int, seps int, plus bool, text string) bool {
	// Only the country or trunk code and one group after it may be single
	// digits: "+33 6 12 34 56 78", "1 800 555 0199", but not "3 4 5 6 7".
	for k := 1; k < len(groups); k++ {
		if groups[k] == 1 && k != 1 {
			return false
		}
	}
	// Four dotted groups of at most three digits is an IP address.
	if seps&sepDot != 0 && len(groups) == 4 && max(groups[0], groups[1], groups[2], groups[3]) <= 3 {
		return false
	}
	// 1 000 000 000 and 12.345.678.901 are amounts.
	if !plus && seps&sepParen == 0 && len(groups) >= 3 && groups[0] <= 3 && text[0] != '0' {
		thousands := true
		for _, g := range groups[1:] {
			if g != 3 {
				thousands = false
				break
			}
		}
		if thousands {
			return false
		}
	}
	return true
}

// luhn reports whether digits pass the Luhn checksum card numbers carry.
func luhn(digits []byte) bool {
	sum := 0
	double := false
	for k := len(digits) - 1; k >= 0; k-- {
		d := int(digits[k])
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return sum%10 == 0
}
