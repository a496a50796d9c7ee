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
	ibanMark  = "[iban]"
)

// Redactor removes contact details and card numbers from records before
// they are stored, and replaces the author's e-mail address with a keyed
// hash so that one person's feedback can still be grouped.
//
// In Title, Body and the values of Metadata (where sources keep a
// satisfaction comment, a rating remark, a CSV's extra columns) it
// replaces e-mail addresses with [email], phone numbers with [phone],
// payment card numbers with [card] and bank account numbers written as
// IBANs with [iban] (see RedactText). A metadata value is read after its
// key, as after a label: a "phone" column's "612345678" is a phone number.
// Author names are left
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
				if red := redactValue(k, v); red != v {
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
// numbers by [phone], payment card numbers by [card] and IBANs by [iban].
// It returns s itself, without allocating, when there is nothing to
// replace.
//
// A card number is 13 to 19 digits, optionally grouped by spaces or
// dashes, that passes the Luhn check and starts as a card network's
// numbers do, with one of its lengths (see cardNetwork): an invoice
// number starting with 9 or a 15-digit IMEI is none. An IBAN
// is a country's code, two check digits and the rest of that country's
// length in letters and digits, unbroken or in groups of four, that passes
// the mod-97 check. A phone number is 10 to 15 digits, or 8 to 15 after a
// leading '+', grouped by spaces, dashes, dots or a bracketed area code,
// or written with a trunk code and a slash ("030/1234567"); 7 digits are
// enough when a word before them says a phone number follows ("call 555
// 1234", "tel.: 555-1234", "my number is …", and in other languages
// "llámeme al", "Teléfono:", "Handy", read with or without accents), and
// such a word makes digits grouped as thousands a phone number too ("mi
// teléfono 612 345 678"), and groups set apart by slashes or spaced dashes
// one number when it has a trunk 0, a country code or a three-digit area
// code before them ("Tel. 030 - 123 456 78", "Fon: 0 89 / 12 34 56",
// "phone 415/555-0134"; not "call 1200 / 1500 per day", and not what
// follows in "call 415 555 0134 - 5pm"). A contact card's label with a
// colon ("Home: 555-0134", "Casa: 612 345 987") makes 7 digits with a
// dash, a bracket or a slash, 8 spaced, or 9 that do not end in 000, a
// phone number, but no amount or list of numbers ("Home: 350 000 EUR").
// phoneCueBefore lists what else announces one (keys, markup, whom a call
// names, a chat's request), listing what a list of them continues. A
// German area code spaced in brackets ("(0 30) 12 34 56 78"), a Japanese
// exchange in brackets ("03(1234)5678") and a '+' percent-encoded in a
// link ("?tel=%2B14155550134"), or a number whose spaces a link encodes
// ("tel:+1%20415%20555%200134", "?phone=%2B44+7700+900123",
// "?phone=(415)%20555-0134"), are read as written.
// Digits that belong to something else are left alone:
// dates (2024-05-01, 01/05/2024, 20240501103000), times, versions
// (v2.3.14, 124.0.6367.91), IP addresses, amounts ($1,299.00, 1 000 000,
// a round gain of up to nine digits "+12 000 000"), Unix times after a
// key that names a time ("created_at 1714557600"), dates and times
// spaced ("2024 05 01 14 30"),
// lists of like numbers (38 39 40 41 42), ticket and order numbers
// (#48213, 12345678, "order number 5551234", and an unbroken run of 10 or
// more digits, or one after a year, after a word such as "order",
// "ticket", "invoice", "Bestellnummer", "IMEI", "DHL", "注文番号" or
// "error code" when no phone word is nearer) and digits inside words or
// identifiers. An extension
// ("646-555-0123x204") is part of a phone number.
//
// The rules are heuristics: a bare 10-digit number that no such word
// names, an order id, is taken for a phone number,
// and so is a shorter one after a word such as "call" or "phone"; a phone
// number read out digit by digit ("four one five five five five zero one
// three four", "4 1 5 5 5 5 0 1 3 4") is found with 10 digits, or 7 after
// such a word, and so is one read out in pairs after such a word ("five
// five five, twelve thirty-four"), or as French reads one, in five pairs
// ("zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit"; see
// redactSpokenPhones); a short local number
// nothing announces, or an address with only its "at" spelled and nothing
// else to tell it from a site ("jane at example.com", as in "sign up at
// example.com") is not found; one spelled with brackets ("jane [at]
// example [dot] com", "jane(at)example.com"), with both words ("jane at
// example dot com", when it ends in a known top-level domain), with the
// word "at" and a local part like an address's, a mail provider's domain
// or a word before it that says an address follows ("j.doe at acme.com",
// "jane at gmail.com", "my email is jane at example.com"), with a space
// beside the @ and its dots spaced too ("jane @ example.com", "jane . doe
// @ example . com"), with the @ percent-encoded, once
// or twice, or escaped ("jane%40example.com", "jane%2540example.com",
// "jane\u0040example.com"), or with a word for '@' in another language,
// bare or bracketed ("juan arroba gmail punto com", "max ät gmx punkt
// de", "tanaka(アットマーク)gmail.com"), is; so is "(a)" for "(at)" before
// a mail provider's domain or after a local part like an address's
// ("(a)" also marks the items of a list), and a provider's name alone
// after "at" and such a local part ("jdoe77 at gmail"). A link's user
// name and password go with its host
// ("https://jane:hunter2@example.com/" becomes "https://[email]/").
//
// Full-width forms, which Chinese, Japanese and Korean keyboards type
// ("０９０－１２３４－５６７８", "jane＠example.com"), count as their ASCII
// letters, digits and signs, and so do the spaces and dashes of
// typography (a no-break space, an en dash; see typographic): when
// something is replaced in such a text, the whole of it comes back with
// those characters in ASCII.
func RedactText(s string) string {
	if hasTypographic(s) {
		folded := foldTypographic(s)
		if red := redactASCII(folded); red != folded {
			return red
		}
		return s
	}
	return redactASCII(s)
}

func redactASCII(s string) string {
	// Addresses spelled with words go first, so that the number rules
	// never see the digits of one; then numbers read out digit by digit,
	// whose single digits the number rules would take one by one.
	return redactSymbols(redactSpokenPhones(redactWordEmails(s)))
}

// wordRune reports whether r, next to digits or an address, makes them
// part of a word: a letter or digit of a script that puts spaces between
// words. Chinese, Japanese, Thai and Korean particles write a number or an
// address right against the words around it ("電話は090-1234-5678です",
// "jane@example.com으로"), which does not make it any less one.
func wordRune(r rune) bool {
	return (unicode.IsLetter(r) || unicode.IsDigit(r)) && !spaceless(r)
}

// spaceless reports whether r is of a script that writes no spaces
// between words: Chinese, Japanese, Thai or Korean (which spaces phrases,
// not the particles on them).
func spaceless(r rune) bool {
	return r >= 0x0E00 && // Thai, the first of them: most text is done here
		unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Thai, unicode.Hangul)
}

// How a character other than ASCII is read in a number or an address
// (see typographic).
const (
	asIs  = iota // itself
	ascii        // an ASCII character: full-width forms, spaces, dashes
	none         // nothing: a zero-width character or a soft hyphen
)

// typographic says how r is read: full-width forms (U+FF01 to U+FF5E) as
// their ASCII characters; no-break, thin and other spaces as a space;
// hyphens, dashes and the minus sign as '-'; the small commercial at as
// '@'; zero-width characters and the soft hyphen as nothing. Word
// processors and phones put them into numbers and addresses ("06 12 34
// 56 78" with no-break spaces, "415–555–0134" with en dashes).
func typographic(r rune) (byte, int) {
	switch {
	case '！' <= r && r <= '～':
		return byte(r - ('！' - '!')), ascii
	case r == 0xA0, 0x2000 <= r && r <= 0x200A, r == 0x202F, r == 0x205F, r == 0x3000:
		return ' ', ascii
	case 0x2010 <= r && r <= 0x2015, r == 0x2212, r == 0xFE63:
		return '-', ascii
	case r == 0xFE6B:
		return '@', ascii
	case 0x200B <= r && r <= 0x200F, 0x202A <= r && r <= 0x202E, 0x2060 <= r && r <= 0x2069, r == 0xFEFF, r == 0xAD:
		return 0, none // and the marks of writing direction Arabic and Hebrew text carries
	}
	return 0, asIs
}

// digitSep returns what r is read as between digits, or 0: the katakana
// prolonged sound mark, which Japanese input methods type for a dash
// ("090ー1234ー5678"), as '-'; the middle dots ("612·345·678",
// "０９０・１２３４・５６７８") as a space, for they join lists too ("Sizes
// 38·39·40", "1200・1500・1800円"), which a space keeps apart. Elsewhere
// they lengthen a vowel, join Catalan's "l·l" or part words, and are left
// alone.
func digitSep(r rune) byte {
	switch r {
	case 'ー':
		return '-'
	case '·', '・':
		return ' '
	}
	return 0
}

// typographicLeads are the first bytes of the UTF-8 of every character
// typographic reads as something else, and of digitSep's.
var typographicLeads = [...]byte{0xC2, 0xE2, 0xE3, 0xEF}

// hasTypographic reports whether s holds a character that typographic
// reads as something else, or one of digitSep's. It looks for their first bytes
// one at a time, which is fast where almost every byte is ASCII: for
// BenchmarkRedactor's English records, redaction costs about 10% more than
// when only full-width forms were looked for, some 80 ns a record.
func hasTypographic(s string) bool {
	for _, lead := range typographicLeads {
		for i := 0; ; {
			j := strings.IndexByte(s[i:], lead)
			if j < 0 {
				break
			}
			i += j
			r, size := utf8.DecodeRuneInString(s[i:])
			if _, how := typographic(r); how != asIs || digitSep(r) != 0 {
				return true
			}
			i += max(size, 1)
		}
	}
	return false
}

// foldTypographic returns s with each character typographic reads as
// something else replaced by what it reads, and digitSep's between digits
// by what digitSep reads them as; other bytes, invalid UTF-8 among them,
// are kept as they are.
func foldTypographic(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		c, how := typographic(r)
		switch {
		case how == ascii:
			b.WriteByte(c)
		case how == none:
		case digitSep(r) != 0 && b.Len() > 0 && isDigit(b.String()[b.Len()-1]) && digitAt(s, i+size) &&
			(r == 'ー' || shortDigitRuns(b.String(), s[i+size:]) && (r == '·' || trunkFirst(b.String()))):
			b.WriteByte(digitSep(r))
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// shortDigitRuns reports whether the digits that end before and start
// after a middle dot are four at most each, as a phone number's groups
// are: "612·345·678", but not "第1234567・1234568号".
func shortDigitRuns(before, after string) bool {
	n := 0
	for k := len(before) - 1; k >= 0 && isDigit(before[k]); k-- {
		n++
	}
	m := 0
	for k := 0; k < len(after); {
		r, size := utf8.DecodeRuneInString(after[k:])
		if c, how := typographic(r); !(how == ascii && isDigit(c)) && !(r < utf8.RuneSelf && isDigit(byte(r))) {
			break
		}
		m++
		k += size
	}
	return n <= 4 && m <= 4
}

// trunkFirst reports whether the number that ends b, its groups set
// apart by spaces, starts with a trunk 0, as a Japanese phone number
// written with katakana middle dots does ("090・1234・5678"); a list of
// prices or points does not ("500・1000・1500円").
func trunkFirst(b string) bool {
	k := len(b)
	for k > 0 && (isDigit(b[k-1]) || b[k-1] == ' ' && k > 1 && isDigit(b[k-2])) {
		k--
	}
	return k < len(b) && b[k] == '0'
}

// digitAt reports whether an ASCII or full-width digit starts at s[i].
func digitAt(s string, i int) bool {
	if i < len(s) && isDigit(s[i]) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return '０' <= r && r <= '９'
}

// rewriter copies s with spans replaced by marks, left to right, and
// allocates only once it replaces one.
type rewriter struct {
	s        string
	b        strings.Builder
	last     int    // s[:last] has been written to b, redacted
	lastMark string // what s[:last] ends with
	// lastDigits is how many digits the phone number lastMark replaced
	// had, and lastShape how it was written (see sameShape); 0 and ""
	// after another mark.
	lastDigits int
	lastShape  string
}

// replace writes s up to start, then mark in place of s[start:end].
func (w *rewriter) replace(start, end int, mark string) {
	if w.b.Cap() == 0 {
		w.b.Grow(len(w.s))
	}
	w.b.WriteString(w.s[w.last:start])
	w.b.WriteString(mark)
	w.last, w.lastMark, w.lastDigits, w.lastShape = end, mark, 0, ""
	if mark != phoneMark {
		return
	}
	for i := start; i < end; i++ {
		if isDigit(w.s[i]) {
			w.lastDigits++
		}
	}
	w.lastShape = w.s[start:end]
}

// String is s with the spans replaced; s itself when there were none.
func (w *rewriter) String() string {
	if w.last == 0 {
		return w.s
	}
	w.b.WriteString(w.s[w.last:])
	return w.b.String()
}

// redactSymbols is RedactText for all but the addresses spelled with
// words: what a trigger byte (an '@', a bracket, a digit, '+') starts.
func redactSymbols(s string) string {
	w := rewriter{s: s}
	replace := w.replace
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
			if start, end, ok := emailAround(s, i, w.last); ok {
				replace(start, end, emailMark)
				i = end
				continue
			}
			fallthrough
		case c == '%' || c == '&' || c == '\\':
			if start, end, ok := looseEmailAround(s, i, w.last); ok {
				replace(start, end, emailMark)
				i = end
				continue
			}
			if c == '%' {
				end, ok := encodedPlusPhoneAt(s, i)
				if ok {
					replace(i, end, phoneMark)
				}
				if end > i {
					i = end
					continue
				}
			}
			if c != '@' {
				break
			}
			if start, end, ok := providerEmailAround(s, i, w.last); ok {
				replace(start, end, emailMark)
				i = end
				continue
			}
		case c == '(' || c == '[' || c == '{' || c == '<':
			if start, end, ok := spelledEmailAround(s, i, w.last); ok {
				replace(start, end, emailMark)
				i = end
				continue
			}
			if c != '(' {
				break
			}
			fallthrough
		case '0' <= c && c <= '9' || c == '+':
			if isDigit(c) && i > w.last && (isASCIILetter(s[i-1]) || s[i-1] == '_' || s[i-1] == '.') {
				if start, end, ok := providerUserAround(s, i, w.last); ok {
					replace(start, end, emailMark)
					i = end
					continue
				}
			}
			if i >= w.last+2 && isASCIILetter(s[i-2]) && isASCIILetter(s[i-1]) {
				if end, ok := ibanAt(s, i-2); ok {
					replace(i-2, end, ibanMark)
					i = end
					continue
				}
			}
			var listed listing
			switch gap := s[w.last:i]; {
			case w.lastMark == phoneMark && listedAfter(gap) && !startsAddress(s, i):
				listed = listing{digits: w.lastDigits}
			case w.lastMark == phoneMark && sameClause(gap):
				listed = listing{digits: w.lastDigits, like: w.lastShape}
			case w.lastMark == emailMark && signatureGap(gap):
				listed = listing{digits: anyLength}
			}
			end, mark := numberAt(s, i, w.last > 0 && w.last == i-1, listed)
			if mark == "" {
				e, ok := 0, false
				if c == '+' {
					e, ok = plusLinkPhoneAt(s, i)
				} else {
					e, ok = spacedLinkPhoneAt(s, i)
				}
				if ok {
					end, mark = e, phoneMark
				} else {
					end = max(end, e) // a link's number turned down: skipped whole
				}
			}
			if mark != "" {
				replace(i, end, mark)
			}
			i = max(end, i+1)
			continue
		}
		i++
	}
	return w.String()
}

// redactTrigger is 1 for the bytes redactSymbols looks closer at; everything
// else is skipped with one table lookup. Bytes rather than bools, so that
// lookups for four bytes combine with one OR.
var redactTrigger = [256]uint8{
	'@': 1, '%': 1, '&': 1, '\\': 1, '+': 1, '(': 1, '[': 1, '{': 1, '<': 1,
	'0': 1, '1': 1, '2': 1, '3': 1, '4': 1,
	'5': 1, '6': 1, '7': 1, '8': 1, '9': 1,
}
