package enrich

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RedactText's rules for phone and card numbers, and for the numbers that
// are neither: dates, times, versions, amounts, references.

const (
	sepSpace = 1 << iota
	sepDash
	sepDot
	sepParen
	sepSlash // only after a phone word or a '+' (see cuedSep)
)

// maxNumberGroups bounds the digit groups a phone or card number is
// written in; "+1 (555) 010 99 99" has five.
const maxNumberGroups = 8

// numberAt looks at the number starting at s[i], a digit, '+' or '('. It
// returns the end of the number and the mark to replace it with, or no
// mark and the index to resume scanning at, past the digits it read.
// afterMark says that s[:i-1] ends with something just replaced (an
// address, a number): "jane@example.com,5550109999" and "0161 496
// 0000/07700 900456" list a phone after it, not digits glued to a word.
//
// listed is the list of contact details s[i] may be one more of (see
// listing).
func numberAt(s string, i int, afterMark bool, listed listing) (end int, mark string) {
	end, mark, joined := readNumber(s, i, afterMark, listed, true)
	if mark == "" && joined {
		// What came after a slash or a spaced dash was no part of the
		// number ("call 415 555 0134 - 5pm is best", "+1 555 010
		// 9999/4242424242424242"): it ends before it.
		end, mark, _ = readNumber(s, i, afterMark, listed, false)
	}
	return end, mark
}

// listing is the phone number, or the address, a list of contact
// details started before a number, if any.
type listing struct {
	// digits is the phone number's digit count: a number of as many is
	// one more of them ("555-0134, 555-0199"), and one of another length
	// something else ("Tel: 612345678, 20240501, refund pending"). 0: no
	// list; anyLength: after an address, a number written as a phone
	// number, nine digits or more or grouped ("jane@acme.io | 555-0134").
	digits int
	// like, when set, is the phone number as written: words stand
	// between, so only a number written the same way is one more ("Call
	// me at 555-0134 or my husband at 555-0188"; see sameShape).
	like string
}

// anyLength is listing.digits after an address.
const anyLength = -1

// sameClause reports whether gap, between a phone number and the number
// after it, is a few words of the same clause ("or my husband at", "and
// the office is", ", if no answer try"): no end of a sentence or a line,
// no digit.
func sameClause(gap string) bool {
	return len(gap) <= 40 && !strings.ContainsAny(gap, ".!?\n0123456789:=\"{}[]|/<>")
}

// signatureGap reports whether gap, between an address and a number,
// sets them apart as a signature's or a contact card's items do:
// separators and dashes, not a space alone, or a phone's label and a
// colon ("jane@acme.io | 555-0134", "jane@acme.io, 612 345 678", "E:
// jane@acme.io M: 612 345 678").
func signatureGap(gap string) bool {
	isSep := func(c byte) bool { return c == ' ' || c == ',' || c == ';' || c == '/' || c == '|' || c == '-' }
	a, b := 0, len(gap)
	for a < b && isSep(gap[a]) {
		a++
	}
	for b > a && isSep(gap[b-1]) {
		b--
	}
	if a == b {
		// A separator, and after a comma or a semicolon a space: "audit:
		// jane@acme.io 20240501" and a CSV's "jane@acme.io,104857612"
		// list nothing.
		return strings.Trim(gap, " ") != "" && (strings.ContainsAny(gap, "|/-") || strings.IndexByte(gap, ' ') >= 0)
	}
	label := strings.ToLower(strings.TrimRight(gap[a:b], ":. "))
	return strings.HasSuffix(gap[a:b], ":") && signatureLabels[label]
}

// signatureLabels label a phone number in a signature after an address:
// "E: jane@acme.io M: 612 345 678"; not "Order:" or "Ref:".
var signatureLabels = setOf("m", "t", "p", "c", "w", "h", "ph", "tel", "mob", "cell", "phone", "mobile", "fon", "tlf")

// sameShape reports whether the numbers a and b are written alike: the
// same digit count in each group, the same separators.
func sameShape(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for k := 0; k < len(a); k++ {
		if isDigit(a[k]) != isDigit(b[k]) || !isDigit(a[k]) && a[k] != b[k] {
			return false
		}
	}
	return true
}

// listedAfter reports whether gap, between a phone number and the number
// after it, lists the second as one more ("Phones: 555-0134, 555-0199",
// "call 555-0134 or 555-0199"): separators and at most one word for "or"
// or "and". A word that announced the first announced the list.
func listedAfter(gap string) bool {
	if gap == "" || len(gap) > 8 {
		return false // glued, or something else between
	}
	isSep := func(c byte) bool { return c == ' ' || c == ',' || c == ';' || c == '/' || c == '|' }
	a, b := 0, len(gap)
	for a < b && isSep(gap[a]) {
		a++
	}
	for b > a && isSep(gap[b-1]) {
		b--
	}
	word := gap[a:b]
	if len(word) == len(gap) {
		return false
	}
	return word == "" || listWords[strings.ToLower(word)] && strings.HasSuffix(gap, " ")
}

// listWords join the items of a list, in the languages of cueWords.
var listWords = setOf("or", "and", "y", "o", "ou", "e", "oder", "und", "et", "of", "en", "lub", "i", "&")

// readNumber is numberAt, and says whether it read groups joined by a
// slash or a spaced dash (see cuedSep); with join false it reads none,
// and ends the number at an unspaced slash.
func readNumber(s string, i int, afterMark bool, listed listing, join bool) (end int, mark string, joined bool) {
	var nd int                     // the digits read so far
	cue, called := 0, 0            // phoneCueBefore(s, i) and calledAt(s, i), once asked: 1 or 2
	afterEnd, afterCue := 0, false // phoneCueAfter(s, afterEnd), once asked
	cued := func() bool {
		if listed.digits > 0 && nd == listed.digits && (listed.like == "" || end > i && sameShape(listed.like, s[i:end]) && !cueBefore(s, i, referenceWords) && !idNounBefore(s, i) && !unitAfter(s, end)) ||
			listed.digits == anyLength && end > i && (nd >= 9 || strings.ContainsAny(s[i:end], " -.()")) {
			return true
		}
		if cue == 0 {
			cue = 1
			if phoneCueBefore(s, i) {
				cue = 2
			}
		}
		// Whom a call names is read only for a number long enough to
		// be a phone number's: most numbers after "on" and "at" are
		// dates and times ("placed on 01/05/2024").
		if cue == 1 && called == 0 && nd >= minCuedPhoneDigits {
			called = 1
			if calledAt(s, i) {
				called = 2
			}
		}
		if cue == 2 || called == 2 {
			return true
		}
		// Or the words after it, once it is long enough: "555 0134 is my
		// number"; not after a word that names it as a reference ("Order
		// 1234567 (my new phone)", "Invoice 7654321, my phone", "Error
		// code 1234567 - my phone"), where the phone is what it is about.
		if nd >= minCuedPhoneDigits && end > i && end != afterEnd {
			afterEnd, afterCue = end, phoneCueAfter(s, end) && !namedBefore(s, i)
		}
		return afterCue && end == afterEnd
	}
	if gluedBefore(s, i) && !(afterMark && (s[i-1] == ',' || s[i-1] == '-' || s[i-1] == '/')) && !cueGlued(s, i) {
		return skipDigits(s, i), "", joined
	}
	j := i
	plus := s[j] == '+'
	if plus {
		j++
	}
	// "(+34) 612 345 678": a country code in brackets.
	bracketedPlus := j+2 < len(s) && s[j] == '(' && s[j+1] == '+' && isDigit(s[j+2])
	if bracketedPlus {
		plus = true
		j += 2
	}
	var (
		digits     [20]byte             // the first 20 digits; more is too many for any mark
		groups     [maxNumberGroups]int // digit count of each group
		groupStart [maxNumberGroups]int
		groupEnd   [maxNumberGroups]int
		sepAfter   [maxNumberGroups]byte
		ng         int
		seps       int
		areaJoin   bool // joined after a three-digit area code: "415/555-0134"
	)
	for ng < maxNumberGroups {
		k := j
		paren := k < len(s) && s[k] == '('
		if paren {
			k++
		}
		gs, n := k, 0
		for k < len(s) {
			if isDigit(s[k]) {
				if nd < len(digits) {
					digits[nd] = s[k] - '0'
				}
				nd, n, k = nd+1, n+1, k+1
				continue
			}
			// "(0 30) 12 34 56 78": a German trunk and area code, spaced
			// inside its brackets.
			if paren && s[gs] == '0' && s[k] == ' ' && k+1 < len(s) && isDigit(s[k+1]) {
				k++
				continue
			}
			break
		}
		if n == 0 || paren && (k == len(s) || s[k] != ')') {
			nd -= n
			break
		}
		groups[ng], groupStart[ng] = n, j
		if paren || bracketedPlus && ng == 0 && k < len(s) && s[k] == ')' {
			k++
			seps |= sepParen
		}
		groupEnd[ng] = k
		ng++
		j = k
		// A date after a space is no group of the number: "0612345678
		// 2026-03-03", "415-555-0134 03/03/2026" put a table's columns or a
		// log's fields side by side.
		if j+1 < len(s) && (s[j] == ' ' || s[j] == '-' || s[j] == '.') && (isDigit(s[j+1]) || s[j+1] == '(') && !(s[j] == ' ' && dateAt(s, j+1)) {
			sepAfter[ng-1] = s[j]
			seps |= sepBit(s[j])
			j++
			continue
		}
		// "Phone: 415-555-\n0134", "cell: 415.555.\n0134": a dash or a dot
		// that ends a line a hard-wrapped e-mail broke, as it set the
		// groups before apart (a dash after a bracketed area code), after
		// a word that says a phone number follows.
		if ng >= 2 && j+2 < len(s) && (s[j] == '-' || s[j] == '.') && s[j+1] == '\n' && isDigit(s[j+2]) &&
			(sepAfter[ng-2] == s[j] || s[j] == '-' && seps&sepParen != 0) && cued() { // "(415) 555-\n0134"
			sepAfter[ng-1] = s[j]
			seps |= sepBit(s[j])
			j += 2
			continue
		}
		if paren && j < len(s) && isDigit(s[j]) { // "(555)010-9999"
			continue
		}
		// "+49(0)171/1234567": the trunk 0 in brackets, right after the
		// country code.
		if plus && ng == 1 && strings.HasPrefix(s[j:], "(0)") {
			continue
		}
		// "03(1234)5678": a Japanese number, its exchange in brackets
		// after the area code.
		if ng == 1 && s[i] == '0' && j+1 < len(s) && s[j] == '(' && isDigit(s[j+1]) {
			continue
		}
		// "030 - 123 456 78", "0 89 / 12 34 56", "415/555-0134": groups
		// set apart as only phone numbers are, after a word that says one
		// follows. A line break, where a hard-wrapped e-mail broke a spaced
		// number, after a few digits, or after a word that says so after
		// up to eight ("Tel: 06 12 34\n56 78", "My number: +44 7700\n900123").
		// After a word that says a phone number follows, a line break is
		// a space however many groups came before it: "Phone: 415 555\n0134".
		if n, c := cuedSep(s, j); n > 0 && join && (joinable(plus, digits[0], ng, groups[0]) || c == '\n' && cued()) &&
			(c != '\n' || nd <= 5 && skipDigitsOnly(s, j+n)-(j+n) >= 3 || nd <= 8 && skipDigitsOnly(s, j+n)-(j+n) >= 2 && cued()) &&
			!yearAfter(s, j+n, groups[ng-1], groupEnd[ng-1]) && (plus || cued()) {
			joined = true
			areaJoin = areaJoin || !plus && ng == 1 && digits[0] != 0
			sepAfter[ng-1] = c
			seps |= sepBit(c)
			j += n
			continue
		}
		break
	}
	if ng == 0 {
		return i + 1, "", joined
	}
	if areaJoin && nd != 10 {
		return groupEnd[ng-1], "", joined
	}
	// Groups that start an e-mail address's local part belong to the
	// address, which the address rules replace: "555 010 9999
	// 5551234@sms.example.net" ends its number before the address.
	for ng > 1 && startsAddress(s, groupStart[ng-1]) {
		ng--
		nd -= groups[ng]
	}
	end = groupEnd[ng-1]
	extension := 0 // where an extension after the number ends
	if end < len(s) {
		glued := 0 // where an extension glued to the last group ends
		if groups[ng-1] >= 2 {
			glued = gluedExtension(s, end)
		}
		switch c := s[end]; {
		case glued > 0:
			// "646-555-0123x204", "+1 415 555 0134x204", "…0134ext204": an
			// extension, part of the number if it is one.
			extension = glued
		case ng > 1 && sepAfter[ng-2] == ' ' && !isDigit(c) && gluedAfter(s, end):
			// The last group starts a word of its own, as in "call 555 010
			// 9999 2fa code": the number ends before it.
			ng--
			nd -= groups[ng]
			end = groupEnd[ng-1]
		case (c == 'x' || c == 'X') && end+1 < len(s) && isDigit(s[end+1]):
			return skipDigits(s, end), "", joined
		case isDigit(c) || gluedAfter(s, end):
			return skipDigits(s, end), "", joined
		case (c == ',' || c == '/' || c == '.' || c == ':') && startsAddress(s, end+1):
			// What follows is an address's local part ("…/5551234@sms…"),
			// not more of the number: it ends here.
		case !plus && ng == 1 && s[i] == '0' && 2 <= groups[0] && groups[0] <= 5 && trunkSlash(s, end) > 0:
			// "030/1234567", "0171/123 45 67", "030 / 123 456 78": a trunk
			// code, a slash and the subscriber's number.
			k := trunkSlash(s, end)
			if e, ok := afterTrunkSlash(s, k, groups[0]); ok {
				return e, phoneMark, joined
			}
			return skipDigits(s, k), "", joined
		case c == '/' && !join:
			// The slash a first reading joined at, and rejected.
		case c == ',' && end+1 < len(s) && isDigit(s[end+1]) && (seps&(sepDash|sepParen) != 0 || s[i] == '0' && s[i+1] != '0' && nd >= 9 ||
			plus && nd >= 10 || ng > 1 && !groupedAsThousands(groups[:ng])):
			// No amount is written with dashes or brackets, a trunk 0, a
			// country code, or in groups other than thousands: the comma
			// ends the number, as a CSV's next field or a list's next item
			// follows it ("415-555-0134,2026-03-03", "07700
			// 900123,4471").
		case (c == ',' || c == '/' || c == '.') && end+1 < len(s) && isDigit(s[end+1]):
			return skipDigits(s, end+1), "", joined // 1234,56 or a date with slashes
		case c == ':' && end+1 < len(s) && isDigit(s[end+1]):
			// A time follows, as in "2024-05-01 10:30": its hour is no part of
			// the number.
			ng--
			nd -= groups[ng]
			if ng == 0 {
				return skipDigits(s, end+1), "", joined
			}
			end = groupEnd[ng-1]
		}
	}
	resume := groupEnd[ng-1]
	// A country code and ten digits or more are no date, however they are
	// grouped: "+44-20-7946-0958", "+81-3-1234-5678", "+44(0)7700 900123"
	// read as "44-20-7946" or "44(0)7700" otherwise.
	if !(plus && groups[0] <= 3 && nd >= 10) && isDate(groups[:ng], sepAfter[:ng]) {
		return groupEnd[2], "", joined
	}
	// "Mobile 2023-2024 season pass", "Mobile 2024-05 release", "WhatsApp
	// 03-2024 export": a span of years, or a month and its year, whatever
	// word comes before.
	if !plus && ng == 2 && seps&sepParen == 0 && sepAfter[0] != ' ' && yearSpan(s, groupStart[0], groups[0], groupStart[1], groups[1]) &&
		(!cued() || wordAfter(s, end) && !callTimeAfter(s, end)) { // "Phone: 2023-2024 contract renewal", but "Tel: 2015-2019", "Mobile 2001-2009 after 6pm"
		return resume, "", joined
	}
	// "call me 12/2024": a month and a year; a phone number written with
	// a slash has eight digits or more.
	if nd > 19 || seps&sepSlash != 0 && nd < 8 {
		return resume, "", joined
	}
	// A payment card number starts as its network's do and has one of
	// their lengths (see cardNetwork): "Invoice 9001234567872", "IMEI
	// 356932101234569" and the Amazon order "112-3456789-0123451" pass
	// the Luhn check and are none, nor is a barcode after its name ("EAN
	// 5901234123457").
	if !plus && seps&^(sepSpace|sepDash) == 0 && nd >= 13 && cardNetwork(digits[:min(nd, 4)], nd) && luhn(digits[:nd]) &&
		!cueBefore(s, i, codeWords) && !scriptCueBefore(s, i, scriptCodeWords) {
		return end, cardMark, joined
	}
	// "SIRET 380 789 914 33014", "N° SIREN : 552 136 904": a French
	// company's number, however it is grouped.
	if !plus && (nd == 14 || nd == 9) && seps&^sepSpace == 0 && cueBefore(s, i, companyWords) && !cued() {
		return resume, "", joined
	}
	short := nd < 10 && !(plus && nd >= 8)
	// A short number a word announces that ends in 000, unbroken, is a
	// count: "Sales reached at 12500000", "<td>Mobile</td><td>1250000".
	if nd > 15 || short && (plus || nd < minCuedPhoneDigits || !cued() && !labelledPhone(s, i, end, nd, seps) ||
		ng == 1 && strings.HasSuffix(s[i:end], "000")) {
		return resume, "", joined
	}
	// "1250000 EUR", "1 250 000 €", "USD 1250000000": an amount, whatever
	// came before it.
	if !plus && (currencyAfter(s, end) || s[i] != '0' && !cued() && currencyBefore(s, i)) {
		return resume, "", joined
	}
	// "1200000000 notifications", "2000000000 gold": a round count of ten
	// digits or more, which no phone number is, unless a word says so.
	if !plus && ng == 1 && nd >= 10 && strings.HasSuffix(s[i:end], "000000") && !cued() {
		return resume, "", joined
	}
	// "(-2147024891)", "-1073741819": a Windows error code in decimal,
	// negative. Other numbers after a dash may be phone numbers: India
	// writes "Rahul -9876543210" and "Contact:-9876543210".
	if !plus && ng == 1 && nd == 10 && i > 0 && s[i-1] == '-' && (strings.HasPrefix(s[i:], "2147") || strings.HasPrefix(s[i:], "10737")) && !cued() {
		return resume, "", joined
	}
	// "[123456.789012]": a kernel log's seconds since boot.
	if !plus && ng == 2 && sepAfter[0] == '.' && groups[1] == 6 && end < len(s) && s[end] == ']' &&
		strings.HasSuffix(strings.TrimRight(s[:i], " "), "[") {
		return resume, "", joined
	}
	// "48.85661400", "3.14159265358979", "lng=151.2092955": a decimal
	// fraction, as coordinates and measurements are written, unless a word
	// says it is a phone number. Three digits and seven are an Italian
	// mobile number's ("347.1234567"), unless a coordinate's key names
	// them.
	if !plus && ng == 2 && sepAfter[0] == '.' && groups[0] <= 3 && groups[1] >= 5 && !cued() &&
		(s[i] != '0' || groups[0] == 1) && // "02.12345678" is a number in Milan
		(groups[1] <= 8 || groups[1] >= 11 || groups[0] == 1) && // "91.9876543210": a country code and a number
		(groups[0] <= 2 || groups[1] >= 8 || i > 0 && s[i-1] == '-' || coordinateKey(s, i) || decimalBefore(s, i)) {
		return resume, "", joined
	}
	// Digits that a word names as a reference, unbroken or after a year
	// ("order 1234567890", "ticket id: 4155550134", "Invoice
	// 2024-000123"), are one, unless a phone word is nearer, or a kind of
	// phone in brackets after them ("Sendung: 01711234567 (Handy)"); "order
	// 555-010-9999" is grouped as a phone number is. A trunk 0 and ten or
	// eleven digits are a mobile number's in most of Europe and Turkey
	// ("Kargo 05321234567", "Suivi: 0612345678"); not after "00", nor
	// after the name of a code no phone number is (codeWords: "ISBN
	// 0140449132").
	// "Bestellung 302-4471209": a first group and seven digits or more,
	// no phone number's layout.
	if !short && !plus && (ng == 1 || groups[0] == 4 && startsYear(s, i) || ng == 2 && groups[1] >= 7 && s[i] != '0') &&
		(cueBefore(s, i, referenceWords) && !phoneKeyBefore(s, i) || idNounBefore(s, i) || scriptReferenceBefore(s, i) && !chineseMobile(s, i, nd)) && !cued() &&
		!(s[i] == '0' && s[i+1] != '0' && ng == 1 && (nd == 10 || nd == 11) && !cueBefore(s, i, codeWords)) && !labelAfter(s, end) {
		return resume, "", joined
	}
	// "created_at 1714557600", "timestamp=1714557600000": a Unix time in
	// seconds or milliseconds, after a key that names a time. `"orderId":
	// "1234567890"`, "request_id=1234567890": the value of an id's key.
	// `"size_bytes": 2147483648`, "revenue = 1234567890": a quantity's.
	if !plus && ng == 1 && ((nd == 10 || nd == 13) && timeKeyBefore(s, i) || idKeyBefore(s, i) || quantityKeyBefore(s, i)) && !cued() {
		return resume, "", joined
	}
	// "2147483648 bytes", "1234567890 events": a count, or a size; unless
	// a word says it is a phone number ("WhatsApp 612345678 messages
	// only") and it has nine digits or more, or the unit has a capital
	// and names a department ("Tel: 23456789 Sales"): "Our best number
	// was 12345678 installs" is a count.
	if !plus && (nd <= 8 && ng == 1 && metricAfter(s, end) ||
		(ng == 1 || ng == 2 && sepAfter[0] == '.') && unitAfter(s, end) && (!cued() || sentenceBefore(s, i))) {
		return resume, "", joined
	}
	// "2024 05 01 14 30": a date and time, spaced.
	if !plus && seps == sepSpace && ng >= 3 && groups[0] == 4 && groups[1] == 2 && groups[2] == 2 &&
		compactDate(digits[:8]) && !cued() {
		return resume, "", joined
	}
	g := withoutTrunkZero(s, groups[:ng], groupEnd[:ng])
	// A '+' says a phone number follows, but not before an address's
	// octets, as a diff adds a line of a hosts file: "+192.168.101.234".
	if !phoneShaped(g, seps, plus && !(ng == 4 && octets(s, groupStart[:ng], groupEnd[:ng]))) {
		return resume, "", joined
	}
	// "+12 000 000 €", "grew +15 300 000", "+12.500.000": a gain, grouped
	// by thousands with spaces or dots, round and too short for a number
	// with its country code, or before a currency ("+12.345.678 €");
	// unless a word says it is one ("llámame al +34 912 345 000").
	if plus && (seps == sepSpace || seps == sepDot) && groupedAsThousands(g) && !cued() &&
		(nd <= 9 && strings.HasSuffix(s[i:end], "000") || currencyAfter(s, end)) {
		return resume, "", joined
	}
	// "20240501103000", "20240501-103000": a date and time run together.
	// Eight digits alone may be a Danish mobile number ("Tlf: 20110523").
	if !plus && (groups[0] >= 12 || groups[0] == 8 && ng > 1) && compactDate(digits[:8]) {
		return resume, "", joined
	}
	// "sizes 38 39 40 41 42", "seasons 2021 2022 2023": a list of numbers
	// of one length, which no phone number is written as, unless it starts
	// with a trunk 0 or a word says it is one.
	if !plus && !short && seps == sepSpace && s[i] != '0' && ng >= 3 && sameLength(g) && !cued() {
		return resume, "", joined
	}
	// "9 10 11 12 13 14 15 16", "5 10 15 20 25 30", "8 9 11 14 17 19 21":
	// numbers that count along, a list or a scale, unless a word says
	// they are a phone number.
	if !plus && !short && seps == sepSpace && s[i] != '0' && countsAlong(s, groups[:ng], groupStart[:ng], groupEnd[:ng]) && !cued() {
		return resume, "", joined
	}
	// 1 000 000 000 and 12.345.678.901 are amounts, unless a "+" says
	// otherwise, or a phone word before nine digits or more that do not
	// end in 000: a Spanish "mi teléfono 612 345 678" is grouped so, and
	// "call 1 000 000 customers" and "phone 2 500 000 units" are counts;
	// so is "Mobile: 250 000 users".
	roundThousands := len(g) == 2 && g[0] <= 3 && g[1] == 3 && strings.HasSuffix(s[i:end], "000")
	if !plus && seps&sepParen == 0 && s[i] != '0' && (groupedAsThousands(g) || roundThousands) &&
		(nd < 9 || strings.HasSuffix(s[i:end], "000") || !cued() && !labelledPhone(s, i, end, nd, seps)) {
		return resume, "", joined
	}
	return max(end, extension, spacedExtension(s, end)), phoneMark, joined
}

// sentenceBefore reports whether a sentence ends right before the
// number at s[i]: a cue before it asked or called out, and a count
// starts the next ("Text me!! 1234567 times I tried", "How can we reach
// you? 1234567 people asked"); a unit after the number outweighs it.
func sentenceBefore(s string, i int) bool {
	return strings.ContainsAny(s[skipCueSeps(s, i):i], "!?")
}

// gluedExtension returns where an extension written right after the
// number that ends at s[end] ends ("x204", "ext204", "ext.204"), or 0
// when none follows.
func gluedExtension(s string, end int) int {
	j := end
	switch {
	case j < len(s) && (s[j] == 'x' || s[j] == 'X'):
		j++
	case j+3 <= len(s) && strings.EqualFold(s[j:j+3], "ext"):
		j += 3
		if j < len(s) && s[j] == '.' {
			j++
		}
	default:
		return 0
	}
	if j >= len(s) || !isDigit(s[j]) {
		return 0
	}
	if e := skipDigitsOnly(s, j); e == len(s) || !gluedAfter(s, e) {
		return e
	}
	return 0
}

// spacedExtension returns where an extension written apart after the phone
// number that ends at s[end] ends ("646-555-0123 x204", "… ext. 204", ",
// extension 12"), or 0 when none follows.
func spacedExtension(s string, end int) int {
	j := end
	if j < len(s) && s[j] == ',' {
		j++
	}
	if j == len(s) || s[j] != ' ' {
		return 0
	}
	j++
	w := skipLetters(s, j)
	least := 1 // digits
	switch strings.ToLower(s[j:w]) {
	case "x":
		least = 2 // "x 3 times", "x2 today" count calls
	case "ext", "extension":
	default:
		return 0
	}
	if w < len(s) && s[w] == '.' {
		w++
	}
	if w < len(s) && s[w] == ' ' {
		w++
	}
	e := skipDigitsOnly(s, w)
	if e-w < least || e-w > 6 || e < len(s) && gluedAfter(s, e) {
		return 0
	}
	return e
}

// encodedPlusPhoneAt finds a phone number at s[i] whose '+' is
// percent-encoded, as links carry it ("?phone=%2B14155550134"), and
// returns where it ends; see linkPhoneAt for what it returns when there
// is none.
func encodedPlusPhoneAt(s string, i int) (int, bool) {
	const plus = "%2b"
	k := i + len(plus)
	// After a letter or digit, or a mark (see gluedBefore), it is glued to
	// what comes before it.
	if !hasWordFold(s, i, plus) || k >= len(s) || !isDigit(s[k]) || i > 0 && (isASCIIWordByte(s[i-1]) || s[i-1] == ']') {
		return 0, false
	}
	return linkPhoneAt(s, i, k, true)
}

// plusLinkPhoneAt finds a phone number at s[i], a '+', whose spaces a link
// encodes: "tel:+1%20415%20555%200134", a form's "phone=+44+7700+900123".
// numberAt reads none there, as the digits are glued to the '%' or '+'.
// See linkPhoneAt for what it returns when there is none.
func plusLinkPhoneAt(s string, i int) (int, bool) {
	k := i + 1
	if k >= len(s) || !isDigit(s[k]) || i > 0 && (isASCIIWordByte(s[i-1]) || s[i-1] == ']') {
		return 0, false
	}
	e := skipDigitsOnly(s, k)
	switch {
	case strings.HasPrefix(s[e:], "%20"):
		e += 3
	case strings.HasPrefix(s[e:], "+"):
		e++
	default:
		return 0, false
	}
	if skipDigitsOnly(s, e)-e < 2 { // "+2+2+2": a sum, not groups
		return 0, false
	}
	return linkPhoneAt(s, i, k, true)
}

// spacedLinkPhoneAt finds a phone number at s[i], a digit or '(', that a
// link's query or a "tel:" link gives with its spaces or dashes encoded:
// "?phone=(415)%20555-0134", "tel:07700%20900123". See linkPhoneAt for
// what it returns when there is none.
func spacedLinkPhoneAt(s string, i int) (int, bool) {
	if i == 0 || s[i-1] != '=' && s[i-1] != ':' {
		return 0, false
	}
	k := i
	if s[k] == '(' {
		k++
	}
	e := skipDigitsOnly(s, k)
	if e == k {
		return 0, false
	}
	if k > i {
		if e >= len(s) || s[e] != ')' {
			return 0, false
		}
		e++
	}
	if !strings.HasPrefix(s[e:], "%20") && !hasWordFold(s, e, "%2d") || skipDigitsOnly(s, e+3)-(e+3) < 2 {
		return 0, false
	}
	return linkPhoneAt(s, i, i, false)
}

// linkPhoneAt reads the phone number at s[i] whose digits start at s[k],
// after a '+' when plus is set, as numberAt reads it written with the
// spaces, dashes and brackets a link encodes ("%2B44%207700%20900123",
// "%2B44+7700+900123" from a form): a copy of it and of a few words
// around it, made only here, where one is likely. It returns where the
// number ends in s, or, when it is none, where what it decoded ends.
func linkPhoneAt(s string, i, k int, plus bool) (int, bool) {
	from := max(0, i-linkContext)
	for from > 0 && !utf8.RuneStart(s[from]) {
		from++
	}
	var b strings.Builder
	b.Grow(i - from + 2*maxEncodedPhone)
	b.WriteString(s[from:i])
	at := i - from
	if plus {
		b.WriteByte('+')
		at++
	}
	var off [maxEncodedPhone + 1]int // off[n]: the bytes of s[k:] the first n written stand for
	n, t := 0, k
	for t < len(s) && n < maxEncodedPhone {
		c, w := s[t], 1
		switch {
		case isDigit(c) || c == '-' || c == '(' || c == ')' || c == '.':
		case c == '+':
			c = ' '
		case c == '%' && t+2 < len(s) && s[t+1] == '2':
			w = 3
			switch s[t+2] {
			case '0':
				c = ' '
			case '8':
				c = '('
			case '9':
				c = ')'
			case 'd', 'D':
				c = '-'
			default:
				w = 0
			}
		default:
			w = 0
		}
		if w == 0 {
			break
		}
		b.WriteByte(c)
		t += w
		n++
		off[n] = t - k
	}
	to := min(len(s), t+linkContext)
	for to < len(s) && !utf8.RuneStart(s[to]) {
		to++
	}
	b.WriteString(s[t:to])
	start := i - from
	end, mark := numberAt(b.String(), start, false, listing{})
	if mark != phoneMark {
		// Skipped as far as numberAt read it, as numberAt skips a number
		// it turned down: read again from a group within, it would be
		// another number, and a second pass over its mark would read
		// another again. Not to the end of what was decoded: in
		// "?v=%2B1%20000%20+4155550134" a number follows the one turned
		// down; but past it, when numberAt read on into the text after
		// ("+0%200000000 0000000001" is one run, as its plain twin is).
		switch d := end - at; {
		case d <= 0:
			return 0, false
		case d <= n:
			return k + off[d], false
		default:
			return t + d - n, false
		}
	}
	if d := end - at; d <= n {
		return k + off[d], true
	}
	return t + end - at - n, true // an extension after it: "%2B14155550134x204"
}

// linkContext is how many bytes of s around a number linkPhoneAt copies
// with it, for the words numberAt reads before and after one.
const linkContext = 128

// maxEncodedPhone bounds the bytes linkPhoneAt decodes: more than a
// phone number with its extension is ever written in.
const maxEncodedPhone = 40

// cueGlued reports whether the number at s[i], glued to what is before it
// by a dot, '#', '-' or '/', follows a phone word right before that
// character: "Tel.030-1234567", "Phone #4155550134", "Tel-0171-1234567",
// "wa.me/5511912345678", and by a link's "//" ("tel://4155550134").
func cueGlued(s string, i int) bool {
	switch s[i-1] {
	case '.', '#', '-':
		return phoneCueBefore(s, i-1)
	case '/':
		if strings.HasSuffix(s[:i], "://") {
			return phoneCueBefore(s, i-2)
		}
		return phoneCueBefore(s, i-1)
	}
	return false
}

// startsYear reports whether the digits at s[i], four or more, start
// with 19 or 20, as this century's and the last's years do.
func startsYear(s string, i int) bool { return s[i:i+2] == "19" || s[i:i+2] == "20" }

// dateAt reports whether a date with its year starts at s[k]: 2024-05-01,
// 01/05/2024 or 01.05.2024, one separator throughout.
func dateAt(s string, k int) bool {
	start := k
	var n [3]int
	var sep byte
	for g := range n {
		e := skipDigitsOnly(s, k)
		if n[g] = e - k; n[g] == 0 {
			return false
		}
		k = e
		if g == 2 {
			break
		}
		if k >= len(s) || s[k] != '-' && s[k] != '/' && s[k] != '.' || g == 1 && s[k] != sep {
			return false
		}
		sep = s[k]
		k++
	}
	return n[0] == 4 && startsYear(s, start) && n[1] <= 2 && n[2] <= 2 ||
		n[0] <= 2 && n[1] <= 2 && n[2] == 4 && startsYear(s, k-4)
}

// compactDate reports whether d, eight digits, are a date written
// YYYYMMDD between 1990 and 2099.
func compactDate(d []byte) bool {
	year := int(d[0])*1000 + int(d[1])*100 + int(d[2])*10 + int(d[3])
	month, day := int(d[4])*10+int(d[5]), int(d[6])*10+int(d[7])
	return 1990 <= year && year <= 2099 && 1 <= month && month <= 12 && 1 <= day && day <= 31
}

// cardNetwork reports whether a number of n digits that starts with
// first (its first four digits) is numbered as a payment card network
// numbers its cards: Visa (4, 13, 16 or 19 digits), Mastercard (51–55
// and 2221–2720, 16), American Express (34, 37, 15), Discover, UnionPay,
// Maestro and RuPay (5, 6, 16 to 19; Maestro from 13), JCB (3528–3589,
// 16 to 19), Diners Club (300–305, 36, 38, 39, 14 to 19), Mir (2200–2204,
// 16 to 19), UATP (1, 15), RuPay (81, 82, 16) and Troy (9792, 16).
func cardNetwork(first []byte, n int) bool {
	p := 0
	for _, d := range first {
		p = p*10 + int(d)
	}
	two, three := p/100, p/10
	switch first[0] {
	case 1:
		return n == 15
	case 2:
		return 2221 <= p && p <= 2720 && n == 16 || 2200 <= p && p <= 2204 && n >= 16
	case 3:
		return (two == 34 || two == 37) && n == 15 || 3528 <= p && p <= 3589 && n >= 16 ||
			(two == 36 || two == 38 || two == 39 || 300 <= three && three <= 305) && n >= 14
	case 4:
		return n == 13 || n == 16 || n == 19
	case 5:
		return 51 <= two && two <= 55 && n == 16 || !(51 <= two && two <= 55) && n >= 13
	case 6:
		return n >= 13
	case 8:
		return (two == 81 || two == 82) && n == 16
	case 9:
		return p == 9792 && n == 16
	}
	return false
}

// scriptReferences are Chinese, Japanese, Korean and Russian words for an
// order, parcel, ticket or inquiry number, which a number right after them
// is ("订单号：1234567890", "注文番号 1234567890", "주문번호 1234567890",
// "Номер заказа 1234567890"). "番号" and "注文" alone are not among them:
// "電話番号" is a phone number, "電話注文" a line for orders by phone; nor
// is "номер", a number of any kind.
var scriptReferences = []string{"单号", "單號", "编号", "編號", "快递", "快遞", "注文番号", "伝票番号", "追跡番号",
	"受付番号", "問い合わせ番号", "問合せ番号", "予約番号", "会員番号", "お客様番号", "受注番号", "商品番号",
	"주문번호", "송장번호", "예약번호", "접수번호", "номер заказа", "заказ", "посылки", "отправления", "накладной", "трек",
	"条形码", "條碼", "条码", "バーコード", "JANコード", "바코드", "штрихкод", "штрих-код"}

// scriptCodeWords are barcodes' names in other scripts (scriptReferences
// has them too): a number after them is no card's, whatever its digits.
var scriptCodeWords = []string{"条形码", "條碼", "条码", "バーコード", "JANコード", "바코드", "штрихкод", "штрих-код"}

// scriptReferenceBefore reports whether one of scriptReferences comes
// right before the number at s[i], but for separators.
func scriptReferenceBefore(s string, i int) bool { return scriptCueBefore(s, i, scriptReferences) }

// sameLength reports whether every group has as many digits as the first.
func sameLength(groups []int) bool {
	for _, g := range groups[1:] {
		if g != groups[0] {
			return false
		}
	}
	return true
}

// countsAlong reports whether the groups of the given lengths, which
// start and end at starts and ends in s, count along rather than make a
// phone number: four or more going up or down by one step ("9 10 11 12
// 13 14 15 16", "5 10 15 20 25 30"), or five or more of one or two
// digits, some of each, every one greater, or every one smaller, than
// the last ("8 9 11 14 17 19 21", a lottery's "3 7 12 19 24 36"). A
// phone number's groups of two, all of two ("06 12 34 56 78"), start
// with a trunk 0, which callers leave out.
func countsAlong(s string, groups, starts, ends []int) bool {
	if len(groups) < 4 {
		return false
	}
	var v [maxNumberGroups]int
	short, mixed := true, false
	for k := range groups {
		n, err := groupValue(s, starts[k], ends[k])
		if err != nil {
			return false
		}
		v[k] = n
		short = short && groups[k] <= 2
		mixed = mixed || groups[k] != groups[0]
	}
	step := v[1] - v[0]
	even, up, down := step != 0, true, true
	for k := 1; k < len(groups); k++ {
		d := v[k] - v[k-1]
		even = even && d == step
		up, down = up && d > 0, down && d < 0
	}
	return even || len(groups) >= 5 && short && mixed && (up || down)
}

// groupedAsThousands reports whether groups are digits grouped by
// thousands: at most three, then threes, three groups or more.
func groupedAsThousands(groups []int) bool {
	if len(groups) < 3 || groups[0] > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if g != 3 {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// afterTrunkSlash reads the subscriber's digits at s[k:] after a trunk
// code of trunk digits and a slash ("030/1234567", "0171/12345678"). It
// reports where they end, and whether the whole is phone-shaped: a trunk
// code of 2 to 5 digits, at least 5 digits after it, 9 to 15 in all, and
// nothing glued after them (not "0123/4567890/1", a path or reference).
func afterTrunkSlash(s string, k, trunk int) (end int, ok bool) {
	end, n := k, 0
	for {
		for end < len(s) && isDigit(s[end]) {
			end, n = end+1, n+1
		}
		// "0171/123 45 67": the subscriber's number in groups; but not
		// "since 03/2024 1500 customers", a month and a year.
		year := n == 4 && startsYear(s, k)
		if end+1 < len(s) && s[end] == ' ' && isDigit(s[end+1]) && !year && !startsAddress(s, end+1) {
			end++
			continue
		}
		break
	}
	if trunk < 2 || trunk > 5 || n < 5 || trunk+n < 9 || trunk+n > 15 {
		return end, false
	}
	if end < len(s) {
		if c := s[end]; gluedAfter(s, end) || (c == '/' || c == '.' || c == ',' || c == '-') && end+1 < len(s) && isDigit(s[end+1]) && !startsAddress(s, end+1) {
			return end, false
		}
	}
	return end, true
}

// trunkSlash returns the index of the digit after a slash at s[end], with
// a space on either side or both ("/", " /", "/ ", " / "), or 0 when there
// is none.
func trunkSlash(s string, end int) int {
	k := end
	if k < len(s) && s[k] == ' ' {
		k++
	}
	if k >= len(s) || s[k] != '/' {
		return 0
	}
	k++
	if k < len(s) && s[k] == ' ' {
		k++
	}
	if k < len(s) && isDigit(s[k]) && !startsAddress(s, k) {
		return k
	}
	return 0
}

// minCuedPhoneDigits is the fewest digits taken for a phone number when a
// word before them says one follows ("call 555 1234"); without such a word
// a phone number needs 10. Not 6: after the words for messengers and
// callers six digits are counts ("Telegram 120433 subs", "Caller 184523
// waited"), and no probe of the QA rounds held a phone number of six.
const minCuedPhoneDigits = 7

// labelledPhone reports whether the number s[i:end], of nd digits
// grouped with seps, carries a contact card's label, before it with a
// colon ("Home: 555-0134", "Casa: 612 345 987"; see labelBefore) or after
// it in brackets ("555-0134 (home)", "555-0176 (cell)"; see labels), or
// a phone word with a qualifier before the colon ("Phone (best after
// 6pm): "; see qualifierBefore), and is written as a phone number is:
// seven digits or more with a dash, a bracket or a slash, eight spaced or
// nine or more that do not end in 000. A label says less than a phone
// word: "Home: 350 000 EUR", "Work: 38 40 42 hours", "Office: 560001
// Bangalore" and "Mobile (iOS): 1234567 sessions" are not phone numbers.
func labelledPhone(s string, i, end, nd, seps int) bool {
	if !(seps&(sepDash|sepParen|sepSlash) != 0 && nd >= 7 || nd >= 9 && !strings.HasSuffix(s[i:end], "000") ||
		nd == 8 && seps&sepSpace != 0 && !strings.HasSuffix(s[i:end], "000")) { // "Home: 9123 4567", as Singapore and Hong Kong write them
		return false
	}
	// After the number, the label may be the kind of a thing a reference
	// names: "Build 2024-0134 (mobile)".
	if labelBefore(s, i) || labelAfter(s, end) && !cueBefore(s, i, referenceWords) {
		return true
	}
	q := qualifierBefore(s, i)
	if q <= 0 {
		return false
	}
	if s[q] != '(' && s[q] != '[' { // "Phone number for the courier:", not "Mobile for EMEA:"
		var buf [maxCueWordLetters]byte
		w, _ := cueWord(s, skipCueSeps(s, q), &buf)
		if w == nil || !numberWords[string(w)] && string(w) != "phone" && string(w) != "telephone" {
			return false
		}
	}
	return cueBefore(s, q, cueWords)
}

// currencyAfter reports whether a currency's code, sign or name follows
// the number that ends at s[end], after a space at most.
func currencyAfter(s string, end int) bool {
	j := end
	if j < len(s) && s[j] == ' ' {
		j++
	}
	for _, c := range currencies {
		if len(s)-j >= len(c) && strings.EqualFold(s[j:j+len(c)], c) &&
			(j+len(c) == len(s) || !isASCIILetter(s[j+len(c)])) {
			return true
		}
	}
	return false
}

// currencyBefore reports whether a currency's code or sign comes right
// before the number at s[i], after a space at most: "USD 1250000000", "₹
// 1500000000", "R$ 1500000000", "Rs 1500000000".
func currencyBefore(s string, i int) bool {
	j := i
	if j > 0 && s[j-1] == ' ' {
		j--
	}
	k := -1
	for _, c := range currenciesBefore {
		if a := j - len(c); a >= 0 && len(c) <= 3 && strings.EqualFold(s[a:j], c) && (a == 0 || !isASCIIWordByte(s[a-1])) {
			k = a
			break
		}
	}
	// Not a code after a word that announces a phone number: "Call Rs
	// 9876543210", "Contacto COP 3001234567".
	return k >= 0 && !phoneCueBefore(s, k)
}

// metricAfter reports whether what follows the number that ends at
// s[end] is a metric's unit, which outweighs a phone word: "12345678
// downloads", "1234567 MAU", "1234567 active users", "1234567
// пользователей", "1234567 次下载" (see scriptMetricAfter); not "Sales",
// a department, nor "items" or "units", which a classified ad's phone
// number comes before ("WhatsApp 91234567 items can be collected").
func metricAfter(s string, end int) bool {
	j := skipSpaces(s, end)
	if j < len(s) && s[j] >= utf8.RuneSelf {
		return scriptMetricAfter(s[j:])
	}
	k := skipLetters(s, j)
	for range 2 { // "1234567 daily active users"
		if !metricQualifiers[s[j:k]] || k == len(s) || s[k] != ' ' {
			break
		}
		j = k + 1
		k = skipLetters(s, j)
	}
	if k < len(s) && isASCIIWordByte(s[k]) {
		return false
	}
	if n := skipSpaces(s, k); n > k && strings.EqualFold(s[n:skipLetters(s, n)], "only") {
		return false // "Hotline 61234567 registered users only": whom it is for
	}
	return metrics[s[j:k]] || strings.ToUpper(s[j:k]) == s[j:k] && metrics[strings.ToLower(s[j:k])]
}

// metrics are the units of a product's metrics; not the words that may
// follow a phone number: "minutes" ("call me on 24803159 minutes before you
// come"), "messages" and "points" ("WhatsApp 81234567 points will be
// credited").
var metrics = setOf("downloads", "installs", "users", "sessions", "views", "rows", "records", "events",
	"requests", "subscribers", "followers", "impressions", "clicks", "signups", "mau", "dau", "bytes",
	"kb", "mb", "gb", "baud", "bps", "hz", "rpm", "visitors", "actives")

// metricQualifiers may stand between a count and its metric's unit.
var metricQualifiers = setOf("active", "daily", "weekly", "monthly", "unique", "paying", "registered", "total")

// scriptMetricAfter reports whether t, the text after a number, starts
// with a metric's unit in a script of scriptPhoneCues: a stem of
// scriptMetrics ("пользователей", "χρήστες"), a Korean counter ("명"), or
// a Chinese or Japanese counter that starts no longer word of Chinese
// characters ("件", "人", but not "人工" or "回电").
func scriptMetricAfter(t string) bool {
	for _, w := range scriptMetrics {
		if len(t) >= len(w) && strings.EqualFold(t[:len(w)], w) {
			return true
		}
	}
	r, n := utf8.DecodeRuneInString(t)
	if strings.ContainsRune("명건회개", r) {
		// A counter alone or with a particle ("2480315명이"), not the
		// start of a word ("회신", a reply; "개인", personal).
		next, size := utf8.DecodeRuneInString(t[n:])
		if n == len(t) || !unicode.Is(unicode.Hangul, next) {
			return true
		}
		after, _ := utf8.DecodeRuneInString(t[n+size:])
		return strings.ContainsRune("이가을를의에은는도만씩", next) && (n+size == len(t) || !unicode.Is(unicode.Hangul, after))
	}
	if !strings.ContainsRune("件条條个個次人名位台笔筆份张張回", r) {
		return false
	}
	next, _ := utf8.DecodeRuneInString(t[n:])
	return n == len(t) || !unicode.Is(unicode.Han, next)
}

// scriptMetrics are the stems of metrics' units in Russian, Greek,
// Hebrew, Arabic, Hindi, Thai, Korean, Japanese and Chinese: users,
// sessions, downloads, installs, views, records and sales, and the
// messages of a count ("сообщений", "条消息"), not those of "messages
// only". Russian's are the forms a count takes, not those an instruction
// after a phone number may start with ("записаться", "сообщения").
var scriptMetrics = []string{
	"пользовател", "юзер", "сесси", "сеанс", "загрузок", "скачиван", "установок", "просмотров",
	"записей", "строк", "событи", "запросов", "подписчик", "сообщений", "продаж", "визитов",
	"χρήστ", "χρηστ", "συνεδρ", "λήψ", "εγκαταστ", "προβολ", "εγγραφ", "μηνυμάτων", "πωλήσ",
	"משתמש", "הורדות", "התקנות", "צפיות", "רשומות", "מכירות", "סשנים",
	"مستخدم", "جلس", "تحميل", "تنزيل", "تثبيت", "مشاهد", "سجل", "مبيع",
	"उपयोगकर्ता", "यूज़र", "यूजर", "सत्र", "डाउनलोड", "इंस्टॉल", "व्यू", "रिकॉर्ड", "बिक्री",
	"ผู้ใช้", "ดาวน์โหลด", "ครั้ง",
	"사용자", "다운로드", "세션", "ダウンロード", "ユーザー", "セッション",
	"次下载", "次下載", "次安装", "次安裝", "次访问", "次訪問", "次浏览", "次瀏覽", "条记录", "條記錄",
	"条消息", "條消息", "个用户", "個用戶", "名用户", "名用戶", "位用户", "用户", "用戶", "下载", "下載",
	"记录", "記錄",
}

// wordAfter reports whether a word in small letters follows s[end] after
// a space: what the number before it qualifies.
func wordAfter(s string, end int) bool {
	return end+1 < len(s) && s[end] == ' ' && 'a' <= s[end+1] && s[end+1] <= 'z'
}

// callTimeAfter reports whether words that say when to call follow the
// number that ends at s[end]: "after 6pm", "from 9 to 5", "anytime",
// "weekdays only"; not "before the redesign", "evenings were the worst".
func callTimeAfter(s string, end int) bool {
	j := skipSpaces(s, end)
	k := skipLetters(s, j)
	w, next := strings.ToLower(s[j:k]), skipSpaces(s, k)
	switch {
	case w == "anytime":
		return true
	case callTimeBefore[w]:
		return next > k && next < len(s) && isDigit(s[next])
	case callTimes[w]:
		return strings.EqualFold(s[next:skipLetters(s, next)], "only")
	}
	return false
}

// callTimeBefore come before a time to call ("after 6pm"), callTimes
// before "only" ("weekdays only").
var (
	callTimeBefore = setOf("after", "before", "between", "from", "until", "till")
	callTimes      = setOf("evenings", "mornings", "afternoons", "weekdays", "weekends")
)

// currenciesBefore are the currencies' codes and signs that may come
// before an amount: those of currencies, and Brazil's and India's.
var currenciesBefore = append(currencies[:len(currencies):len(currencies)], "r$", "rs")

// yearSpan reports whether the two groups of digits at s[a:a+na] and
// s[b:b+nb] are a span of years of ten at most ("2023-2024"), or a year
// and a month ("2024-05", "03-2024").
func yearSpan(s string, a, na, b, nb int) bool {
	year := func(k int) (int, bool) {
		if !startsYear(s, k) {
			return 0, false
		}
		n, err := strconv.Atoi(s[k : k+4])
		return n, err == nil
	}
	month := func(k int) bool { return s[k] == '0' && s[k+1] != '0' || s[k] == '1' && s[k+1] <= '2' }
	switch {
	case na == 4 && nb == 4:
		y1, ok1 := year(a)
		y2, ok2 := year(b)
		return ok1 && ok2 && y1 < y2 && y2-y1 <= 10
	case na == 4 && nb == 2:
		_, ok := year(a)
		return ok && month(b)
	case na == 2 && nb == 4:
		_, ok := year(b)
		return ok && month(a)
	}
	return false
}

// currencies are what follows an amount: the codes and signs of the
// currencies feedback is most often about, and their names. Not those
// that are also words after a phone number ("call 555 0134, try again",
// "real quick").
var currencies = []string{"eur", "usd", "gbp", "chf", "jpy", "cny", "inr", "brl", "mxn", "cad", "aud",
	"sek", "nok", "dkk", "pln", "czk", "rub", "zar", "€", "$", "£", "¥", "₹", "euros", "euro",
	"dollars", "dollar", "rupees", "reais", "pesos", "francs", "zloty", "zł",
	"vnd", "idr", "krw", "huf", "clp", "cop", "ars", "ngn", "twd", "thb", "₫", "₩", "₺", "₽", "kr"}

// labelBefore reports whether a label comes before s[i]: a label and a
// colon ("Home:"), or a label or which of one's numbers before "number"
// or "line", with a colon ("Work number:", "New number:", "Direct
// line:"; see modifier) or on a line of its own ("Alternative number 612
// 345 987").
func labelBefore(s string, i int) bool {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	colon := j > 0 && s[j-1] == ':'
	if j > 0 && s[j-1] == '|' { // a table's row: "| Contact | 612 345 678 |"; not "| Home | 123456789 |", a page
		k := j - 1
		for k > 0 && s[k-1] == ' ' {
			k--
		}
		var buf [maxCueWordLetters]byte
		w, _ := cueWord(s, k, &buf)
		return w != nil && string(w) == "contact"
	}
	if colon {
		j--
		for j > 0 && s[j-1] == ' ' { // "Domicile : 555-0134", as French is typed
			j--
		}
	}
	var buf [maxCueWordLetters]byte
	w, k := cueWord(s, j, &buf)
	if w != nil && (numberWords[string(w)] || string(w) == "line") {
		for k > 0 && s[k-1] == ' ' {
			k--
		}
		w, k = cueWord(s, k, &buf)
		if w == nil || !labels[string(w)] && cueWords[string(w)]&modifier == 0 {
			return false
		}
		// Without a colon, a label is a line of its own: "Alternative
		// number 612 345 987", not "The second number 123456789 in the
		// report" or "Main line 123-4567 of the stack trace".
		return colon || (k == 0 || s[k-1] == '\n') && endsAnswer(s, skipDigits(s, i))
	}
	return colon && w != nil && labels[string(w)]
}

// labelAfter reports whether a label, or a kind of phone, alone in
// brackets comes after s[end]: "(home)", "[mobile]" (see kindsOfPhone).
func labelAfter(s string, end int) bool {
	j := skipSpaces(s, end)
	if j >= len(s) || closingBracket(s[j]) == 0 || s[j] == '<' {
		return false
	}
	closing := s[j]
	k := skipLetters(s, j+1)
	if k >= len(s) || s[k] != closingBracket(closing) || k-j-1 > maxCueWordLetters {
		return false
	}
	w := strings.ToLower(s[j+1 : k])
	return labels[w] || kindsOfPhone[w]
}

// phoneCueAfter reports whether words right after the number that ends
// at s[end] say it is one's phone number: "555 0134 is my number", "…,
// that's my cell", "… (my new mobile)", "… es mi número", "… ist meine
// Nummer", "… is the office phone". The number must be someone's ("my",
// "our"), or "the" a kind of phone's: "1234567 is the number of users"
// and "… is my phone's IMEI" are none, nor "1234567, our numbers for
// Q3": one's numbers are figures, one's number a phone's.
func phoneCueAfter(s string, end int) bool {
	var buf [maxCueWordLetters]byte
	j := skipSpaces(s, end)
	if j < len(s) && strings.IndexByte(",:(-", s[j]) >= 0 { // a dash too: RedactText reads "—" as '-'
		j = skipSpaces(s, j+1)
	}
	owned, the, modified := false, false, false
	for range 6 {
		w, k := cueWordAt(s, j, &buf)
		if w == nil {
			return false
		}
		switch {
		case !owned && !the && afterLeads[string(w)]:
		case !owned && !the && cueWords[string(w)]&owner != 0 && string(w) != "contact" && string(w) != "callback":
			owned = true
		case !owned && !the && string(w) == "the":
			the = true
		case (owned || the) && (cueWords[string(w)]&modifier != 0 && !numberWords[string(w)] || string(w) == "contact" || string(w) == "callback"):
			modified = true // "my new number", "my contact number", "the office phone"
		case owned && !modified && people[string(w)]:
			// "555-0199 is my wife's number": whose, then which.
			e, ok := possessiveEnd(s, k)
			if !ok {
				return false
			}
			k = e
		// "The" needs a word for which phone between ("… is the office
		// phone", "…, the main line"): a bare "the line" or "the mobile"
		// after a number is a row's or a platform's ("Crash at offset
		// 1234567, the line in question", "Web 1234567, the mobile
		// 2345678"), as "the phone" is the device in a ticket. "The"
		// before "number" needs one too, and nothing after: "… is the
		// best number", "the office number", not "the number of users"
		// nor "the new number for the quarter".
		case owned && (numberWords[string(w)] && string(w) != "numbers" || phoneNouns[string(w)]) ||
			the && (phoneNouns[string(w)] && (modified || string(w) == "hotline") || modified && string(w) == "number"):
			var next [maxCueWordLetters]byte
			n, e := cueWordAt(s, skipSpaces(s, k), &next)
			if the && numberWords[string(w)] {
				j = skipSpaces(s, k)
				return n == nil && (j == len(s) || !isDigit(s[j]) && s[j] != '#')
			}
			if n != nil && phoneNouns[string(w)] && (phoneNouns[string(n)] || numberWords[string(n)]) {
				k = e // "my cell phone", "my cell phone number", "the office phone number"
			}
			return !possessiveAt(s, k) && !reasonAfter(s, k)
		default:
			return false
		}
		j = k
		if strings.HasPrefix(s[j:], "'") {
			j++ // "that's", "c'est"
		} else if strings.HasPrefix(s[j:], "’") {
			j += len("’")
		}
		j = skipSpaces(s, j)
	}
	return false
}

// namedBefore reports whether a word right before the number at s[i]
// names it as a reference or one of a product's ids: "Order 1234567",
// "RMA #1234567", "Crash id 1234567", "Bestellung 1234567", and a
// question asking for one: "Order number? 2345678, my phone". Not across
// a comma, a line break or an exclamation: in "About my order, 555 0134
// is my cell" the order is not the number's; nor a chat's speaker
// ("Customer: 555 0134, my cell", "User: no. 555 0134, my cell").
func namedBefore(s string, i int) bool {
	j := skipCueSeps(s, i)
	if strings.ContainsAny(s[j:i], ",;\n!") {
		return false
	}
	var buf [maxCueWordLetters]byte
	if w, _ := cueWord(s, j, &buf); w != nil && speakers[string(w)] && strings.IndexByte(s[j:i], ':') >= 0 {
		return false
	}
	return cueBefore(s, i, namingWords) || idNounBefore(s, i)
}

// speakers are the words a chat transcript names its speakers with:
// "Customer: 555 0134, my cell".
var speakers = setOf("customer", "user", "client", "member", "player")

// namingWords are referenceWords but for speakers, which a speaker's
// "no." or "yes" may follow before the number.
var namingWords = func() map[string]uint8 {
	m := make(map[string]uint8, len(referenceWords))
	for w, k := range referenceWords {
		if !speakers[w] {
			m[w] = k
		}
	}
	return m
}()

// afterLeads are the words that may lead from a number to whose it is:
// "is", "that's", "it's", "which is", and "es", "est", "c'est", "ist", "é",
// "er"; and the articles Portuguese and Italian put before "my": "é o meu
// telefone", "è il mio numero".
var afterLeads = setOf("is", "s", "that", "thats", "this", "it", "its", "which", "was", "will", "be",
	"es", "est", "c", "ist", "e", "eh", "er", "o", "il")

// phoneNouns are the kinds of phone a number after "my" or "the" may be.
var phoneNouns = setOf("phone", "cell", "cellphone", "mobile", "telephone", "landline", "whatsapp",
	"mobil", "movil", "celular", "handy", "portable", "gsm", "telefono", "telefon", "telefoon",
	"mobiel", "telefone", "telemovel", "cellulare", "fax", "tel", "line", "hotline",
	// Words for a phone number in one ("meine Handynummer", "mijn
	// telefoonnummer"), a French landline ("mon fixe") and WhatsApp as
	// Brazil and Spain write it.
	"handynummer", "telefonnummer", "mobilnummer", "festnetznummer", "rufnummer", "telefoonnummer",
	"fixe", "zap", "wpp", "wsp")

// cueWordAt reads the word that starts at s[j] as cueWord reads the one
// before: letters folded to ASCII lower case; nil when none starts there
// or it is longer than buf.
func cueWordAt(s string, j int, buf *[maxCueWordLetters]byte) ([]byte, int) {
	if wordBefore(s, j) {
		return nil, j
	}
	n, k := 0, j
	for k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		f := foldLatin(r)
		if f == 0 {
			if unicode.Is(unicode.Mn, r) {
				k += size
				continue
			}
			break
		}
		if n == len(buf) {
			return nil, j
		}
		buf[n] = f
		n++
		k += size
	}
	if n == 0 || k < len(s) && wordRuneAt(s, k) {
		return nil, j
	}
	return buf[:n], k
}

// possessiveEnd returns the end of an "'s" or "’s" at s[j], and whether
// there is one.
func possessiveEnd(s string, j int) (int, bool) {
	for _, a := range []string{"'s", "’s"} {
		if strings.HasPrefix(s[j:], a) && (j+len(a) == len(s) || !wordRuneAt(s, j+len(a))) {
			return j + len(a), true
		}
	}
	return 0, false
}

// possessiveAt reports whether "'s" follows the word that ends at s[k]:
// "my phone's IMEI", of which the number is not the phone's number.
func possessiveAt(s string, k int) bool {
	_, ok := possessiveEnd(s, k)
	return ok
}

// reasonAfter reports whether the phone word that ends at s[k] goes on
// into a thing of the phone's ("my phone bill", "the phone case"): a word
// after it, but for "number" and its like, and the words that end a
// phrase. A digit or a '#' goes on too: "is my number 1 issue", "my
// number #1 complaint" rank it.
func reasonAfter(s string, k int) bool {
	var buf [maxCueWordLetters]byte
	j := skipSpaces(s, k)
	if j < len(s) && (isDigit(s[j]) || s[j] == '#') {
		return true
	}
	w, e := cueWordAt(s, j, &buf)
	if w != nil && cueWords[string(w)]&modifier != 0 && !numberWords[string(w)] {
		return reasonAfter(s, e) // "mi número personal", "mon numéro perso"; not "my phone home screen"
	}
	if w != nil && ofWords[string(w)] {
		// "mi número de teléfono", "mon numéro de portable", "o meu
		// número de celular": of a phone, read on; "mi número de
		// pedido" is an order's.
		var next [maxCueWordLetters]byte
		if n, f := cueWordAt(s, skipSpaces(s, e), &next); n != nil && (phoneNouns[string(n)] || contactNouns[string(n)]) {
			return reasonAfter(s, f)
		}
	}
	return w != nil && !numberWords[string(w)] && !afterPhrase[string(w)]
}

// ofWords join "number" to what it is of in Spanish, Portuguese, French
// and Italian: "número de teléfono", "numero di cellulare".
var ofWords = setOf("de", "di", "do", "da", "del")

// contactNouns are what a number for reaching one is of, besides a phone:
// "número de contacto".
var contactNouns = setOf("contacto", "contato", "contact", "contatto")

// afterPhrase are the words that may follow "my number" and the like
// after a number and start something else: "555 0134 is my cell if you
// need me", "… my mobile, and", "… is my number btw".
var afterPhrase = setOf("and", "but", "so", "if", "or", "please", "pls", "thanks", "thank", "call",
	"text", "after", "before", "for", "in", "on", "at", "from", "now", "too", "as", "y", "et", "und",
	"btw", "lol", "thx", "ty", "cheers", "plz", "asap", "anytime", "today", "tomorrow", "tonight") // a chat's

// kindsOfPhone are the phone words that also label a number after it.
// Not "phone": "[phone]" is what redaction writes, and a number before it
// would be taken on a second pass.
var kindsOfPhone = setOf("cell", "mobile", "fax", "landline", "tel", "whatsapp", "mobil",
	"movil", "celular", "handy", "portable", "gsm", "telefono", "telefon", "telefoon", "mobiel")

// labels are the labels of a contact card's phone numbers.
var labels = setOf("home", "work", "office", "casa", "trabajo", "oficina", "privat", "buro",
	"bureau", "domicile", "travail", "maison", "contact")

// timeKeyBefore reports whether the number at s[i] follows a key or word
// that names a time ("created_at", "timestamp", "updatedTime", "ts"; see
// isTimeKey), with spaces, quotes, ':' or '=' between, and starts with a
// 1, as a Unix time from 2001 to 2033 does and no phone number written
// without its country code does in most countries.
func timeKeyBefore(s string, i int) bool {
	if s[i] != '1' {
		return false
	}
	raw, _, _ := keyBefore(s, i)
	return isTimeKey(raw)
}

// decimalBefore reports whether a decimal fraction of five digits or more
// comes right before the number at s[i], with a comma or a space between:
// the latitude before a longitude ("35.6894875, 139.6917064").
func decimalBefore(s string, i int) bool {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == ',') {
		j--
	}
	k := j
	for k > 0 && isDigit(s[k-1]) {
		k--
	}
	return j-k >= 5 && k >= 2 && s[k-1] == '.' && isDigit(s[k-2]) && j < i
}

// coordinateKey reports whether the key or word before the number at s[i]
// names a coordinate.
func coordinateKey(s string, i int) bool {
	raw, _, _ := keyBefore(s, i)
	switch strings.ToLower(raw) {
	case "lat", "lng", "lon", "long", "latitude", "longitude", "x", "y", "z":
		return true
	}
	return false
}

// isTimeKey reports whether a key or word names a time: "created_at",
// "timestamp", "updatedTime", "expires", a JSON web token's "iat", "exp"
// and "nbf". Not "update", "login" or "since", which a phone number
// follows too ("Update: 4155550134 is my new number").
func isTimeKey(raw string) bool {
	key := strings.ToLower(raw)
	for _, end := range []string{"_at", "time", "timestamp", "ts", "epoch", "_date", "_login", "_seen", "_since", "_until"} {
		if strings.HasSuffix(key, end) {
			return true
		}
	}
	switch key {
	case "date", "created", "modified", "expires", "expiry", "iat", "exp", "nbf":
		return true
	}
	return strings.HasSuffix(raw, "At") || strings.HasSuffix(raw, "Date")
}

// idKeyBefore reports whether the number at s[i] is a key's value, with
// ':', '=' or a quote between, and the key names an id other than a
// phone's (see isIDKey): `"orderId":"`, "request_id=", "?id=".
func idKeyBefore(s string, i int) bool {
	raw, between, k := keyBefore(s, i)
	if !strings.ContainsAny(between, `:="'`) {
		return false
	}
	if raw == "id" || raw == "ID" { // a query's or a JSON object's: "?id=", `{"id":`
		return k > 0 && strings.IndexByte(`?&"'`, s[k-1]) >= 0
	}
	return isIDKey(raw)
}

// isIDKey reports whether a key is an id's by the way keys are written
// ("order_id", "orderId", "OrderID"), which a name or a word ending in
// "id" is not ("David", "said", "Android"); not a phone's id ("wa_id",
// "whatsapp_id", "caller_id", "phone_id").
func isIDKey(raw string) bool {
	n := len(raw)
	switch {
	case n > 3 && (raw[n-3] == '_' || raw[n-3] == '-') && strings.EqualFold(raw[n-2:], "id"):
	case n > 2 && (raw[n-2:] == "Id" || raw[n-2:] == "ID") && 'a' <= raw[n-3] && raw[n-3] <= 'z':
	default:
		return false
	}
	// A phone's id is its number; an id of something of a phone's is not:
	// "whatsapp_business_account_id", "phone_number_id".
	return !phoneKey(raw) || strings.Count(raw, "_")+strings.Count(raw, "-") >= 2
}

// phoneKey reports whether a key names a phone number or what belongs to
// one ("customer_phone", "mobileNumber", "wa_id", "callerNumber").
func phoneKey(raw string) bool {
	key := strings.ToLower(raw)
	for _, w := range []string{"phone", "mobile", "whatsapp", "msisdn", "telefon", "telefono", "telefone", "celular",
		"caller", "fax"} {
		if strings.Contains(key, w) {
			return true
		}
	}
	for _, w := range strings.Fields(strings.ToLower(keyLabel(raw))) {
		switch w {
		case "tel", "cell", "wa", "mob", "hp",
			// Messaging webhooks name the customer's number so:
			// WhatsApp's "recipient_id", Kakao's "kakao_id".
			"recipient", "sender", "from", "kakao", "viber", "natel":
			return true
		}
	}
	// The number a message came from or went to, as Twilio's webhooks
	// name it, and a caller's number as telephony names it ("ANI").
	return key == "to" || key == "ani"
}

// quantityKeyBefore reports whether the number at s[i] is the value of a
// key that names a quantity (`"size_bytes":`, "revenue =", see
// quantityKey).
func quantityKeyBefore(s string, i int) bool {
	raw, between, _ := keyBefore(s, i)
	if raw == "" || !strings.ContainsAny(between, ":=") {
		return false
	}
	// A word of prose and a colon is no key ("Visit: 4155550134").
	key := strings.ContainsAny(between, `="'`) || strings.ContainsAny(raw, "_-") || strings.IndexByte(keyLabel(raw), ' ') > 0
	return key && quantityKey(raw)
}

// idNounBefore reports whether a noun for a product's own things names
// the number at s[i], right before it or before "ID", "number" or "no."
// ("Payment ID 1234567890", "Part number 1234567890", "Listing
// 1234567890"); not across other words ("the number shown in the app is
// 9876543210" is a phone number's).
func idNounBefore(s string, i int) bool {
	var buf [maxCueWordLetters]byte
	w, k := cueWord(s, skipCueSeps(s, i), &buf)
	named := w != nil && (string(w) == "id" || numberWords[string(w)] || string(w) == "no")
	if named {
		w, k = cueWord(s, skipCueSeps(s, k), &buf)
	}
	if w == nil || !idNouns[string(w)] || string(w) == "app" && !named { // "App ID 1234567890", not "App 4155550134 support line"
		return false
	}
	// "SMS thread 4155550134", "WhatsApp conversation 9876543210": a
	// phone's.
	p, _ := cueWord(s, skipCueSeps(s, k), &buf)
	return p == nil || cueWords[string(p)]&cue == 0
}

// idNouns are what a product's own ids name.
var idNouns = setOf("part", "product", "payment", "refund", "return", "session", "trace", "crash", "bug",
	"issue", "job", "batch", "project", "workspace", "deployment", "app", "model",
	"membership", "plan", "page", "listing", "run", "campaign", "lead", "deal", "conversation",
	"thread", "workflow", "device", "client", "tenant", "transaction", // not "account" or "store": "Called the store 4155550134"
	// What engineers and gamers name with long numbers: "Pipeline
	// 4155550134 failed", "random seed 4155550134", "checksum 4155550134",
	// "Xbox gamertag 1234567890", a US provider's "NPI 1234567893".
	"pipeline", "seed", "checksum", "hash", "gamertag", "npi")

// chineseMobile reports whether the nd digits at s[i] are a Chinese
// mobile number's: eleven, starting 13 to 19 ("顺丰快递 13812345678", a
// courier's).
func chineseMobile(s string, i, nd int) bool {
	return nd == 11 && s[i] == '1' && s[i+1] >= '3'
}

// phoneKeyBefore reports whether the key before s[i] names a phone
// number: "whatsapp_id=", `"recipient_id":` (see phoneKey); not a code of
// the device's (`"phone_imei":`, "mobile_serial=").
func phoneKeyBefore(s string, i int) bool {
	raw, _, _ := keyBefore(s, i)
	if !phoneKey(raw) {
		return false
	}
	label := keyLabel(raw)
	return !deviceCodes[strings.ToLower(label[strings.LastIndexByte(label, ' ')+1:])]
}

// deviceCodes name a device's own numbers.
var deviceCodes = setOf("imei", "imsi", "iccid", "meid", "serial", "sn")

// keyBefore returns the word or key before the number at s[i], what
// stands between them (spaces, quotes, ':' and '='), and where the key
// starts.
func keyBefore(s string, i int) (raw, between string, k int) {
	j := i
	for j > 0 && strings.IndexByte(` "':=`, s[j-1]) >= 0 {
		j--
	}
	k = j
	for k > 0 && j-k < 40 && (isASCIIWordByte(s[k-1]) || s[k-1] == '_') {
		k--
	}
	return s[k:j], s[j:i], k
}

// unitAfter reports whether a unit or a plural noun follows the number
// that ends at s[end], after a space at most, which makes it a count.
func unitAfter(s string, end int) bool {
	j := end
	if j < len(s) && s[j] == ' ' {
		j++
	}
	k := skipLetters(s, j)
	if k == j || k < len(s) && isASCIIWordByte(s[k]) {
		return false
	}
	if s[j:k] == "ms" { // milliseconds; "Ms" and "ms." are a title: "call 612345678 Ms. García"
		return k == len(s) || s[k] != '.'
	}
	return units[strings.ToLower(s[j:k])]
}

// units are the units and plural nouns counts in feedback come with.
// Not the words that follow a phone number too: "text 4155550134
// messages only", "call 4155550134 users of the old app".
var units = setOf("bytes", "byte", "bits", "kb", "mb", "gb", "tb", "kib", "mib", "gib", "ns",
	"seconds", "secs", "rows", "records", "events", "requests", "tokens", "hits", "entries",
	"documents", "objects", "downloads", "installs", "views", "users", "sessions", "times", "photos",
	"orders", "signups", "mau", "dau", "subscribers", "followers", "customers",
	"impressions", "clicks", "visits", "members", "accounts", "devices", "items", "units", "points",
	"players", "sales", "baud", "bps", "hz", "rpm", "people", "errors")

// phoneCueBefore reports whether the number at s[i] is announced as a
// phone number: a word such as "call", "phone" or "fax" before it, with at
// most a few filler words between ("call or text me at", "phone number:",
// "tel. no."), or "my number" / "our number" (cueBefore); a phone word in
// another script (scriptCueBefore); a key or markup that names a phone
// (phoneKeyValue, markupPhoneBefore); a chat's request on the line before
// (answersPhoneQuestion). "Order number" and "ticket no." announce
// nothing. readNumber asks calledAt too, for numbers long enough.
func phoneCueBefore(s string, i int) bool {
	return cueWalk(s, i, cueWords, true) || scriptCueBefore(s, i, scriptPhoneCues) || phoneKeyValue(s, i) ||
		markupPhoneBefore(s, i) || answersPhoneQuestion(s, i)
}

// markupPhoneBefore reports whether the number at s[i] is the text of an
// element, or the value of a form's field, that names a phone number:
// "<phone>612345678", "<PhoneNumber>555-0134", `<input name="phone"
// value="612345678">`, `<input type="tel" value="…">`.
func markupPhoneBefore(s string, i int) bool {
	if i > 0 && (s[i-1] == '"' || s[i-1] == '\'') {
		q := i - 1
		if !strings.HasSuffix(s[:q], "value=") {
			return false
		}
		from := max(0, q-160)
		t := strings.LastIndexByte(s[from:q], '<')
		if t < 0 || strings.IndexByte(s[from+t:q], '>') >= 0 {
			return false
		}
		tag := s[from+t : q]
		for _, attr := range []string{"name", "id", "type", "autocomplete"} {
			if v := attrValue(tag, attr); v == "tel" || phoneName(v) {
				return true
			}
		}
		return false
	}
	if i == 0 || s[i-1] != '>' {
		return false
	}
	from := max(0, i-41)
	t := strings.LastIndexByte(s[from:i-1], '<')
	if t < 0 {
		return false
	}
	name := s[from+t+1 : i-1]
	for k := 0; k < len(name); k++ {
		if !isASCIIWordByte(name[k]) && name[k] != '-' {
			return false // a closing tag, or one with attributes
		}
	}
	return phoneName(name)
}

// phoneName reports whether a field's or an element's name is a phone
// number's: its last word a phone's noun or "number" ("phone",
// "PhoneNumber", "mobile_no"), not a device's or a channel's ("mobile",
// "whatsapp", "phones"), and no count.
func phoneName(name string) bool {
	label := strings.ToLower(keyLabel(name))
	last := label[strings.LastIndexByte(label, ' ')+1:]
	return (last == "phone" || last == "telephone" || last == "tel" || last == "msisdn" ||
		strings.IndexByte(label, ' ') > 0 && phoneKeyEnds[last] && last != "whatsapp" && last != "mobile") &&
		phoneKey(name) && !countKey(name)
}

// attrValue returns the value of the attribute attr in the start of a
// tag, quoted, or "".
func attrValue(tag, attr string) string {
	for k := 0; ; {
		a := strings.Index(tag[k:], attr+"=")
		if a < 0 {
			return ""
		}
		a += k
		v := a + len(attr) + 1
		if (a == 0 || tag[a-1] == ' ') && v < len(tag) && (tag[v] == '"' || tag[v] == '\'') {
			if e := strings.IndexByte(tag[v+1:], tag[v]); e >= 0 {
				return tag[v+1 : v+1+e]
			}
			return ""
		}
		k = a + 1
	}
}

// calledAt reports whether the number at s[i] is where a verb of calling
// says to reach someone it names: "Call Jane on 555-0134", "call the
// customer back on 612 345 678", "Text Maria at 555-0134". Up to four
// words, with only spaces between them, stand between the verb and "on"
// or "at".
func calledAt(s string, i int) bool {
	var buf [maxCueWordLetters]byte
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	w, k := cueWord(s, j, &buf)
	if j == i || w == nil || !isCallPreposition(w) {
		return false
	}
	for n := 0; n <= 4; n++ {
		j = k
		for j > 0 && s[j-1] == ' ' {
			j--
		}
		if j == k {
			return false // the start, or punctuation: another phrase
		}
		if w, k = cueWord(s, j, &buf); w == nil || referenceWords[string(w)]&cue != 0 && !people[string(w)] {
			return false // "Contact us regarding invoice at 123456789"; but "call the customer back on"
		}
		if isCallVerb(w) {
			// "call on" is cueBefore's; "Text support on 20240501" is a
			// date; and the word after the verb names whom: "Call Jane",
			// "call the customer", not "Call volume peaked at".
			return n > 0 && !(skipDigitsOnly(s, i)-i == 8 && startsYear(s, i)) && namesCallee(s, j)
		}
	}
	return false
}

// namesCallee reports whether the word after a verb of calling that
// ends at s[j] names whom it calls: a name, a pronoun, an article or a
// possessive, or a person or a desk ("Call Jane", "call the customer",
// "ring reception").
func namesCallee(s string, j int) bool {
	k := skipSpaces(s, j)
	e := skipLetters(s, k)
	if e == k {
		return false
	}
	w := strings.ToLower(s[k:e])
	return 'A' <= s[k] && s[k] <= 'Z' || callees[w] || people[w] ||
		cueWords[w]&(filler|owner) != 0 && !copulas[w] // "call me", "Zadzwoń do mnie"; not "Reach is stuck at"
}

// callees are the words after a verb of calling that say whom it calls.
var callees = setOf("the", "my", "our", "your", "his", "her", "their", "a", "an", "me", "us", "him",
	"them", "reception", "support", "office", "desk", "team", "driver", "courier", "store", "shop",
	"at", "back") // "give me a call at your earliest convenience on"

// isCallPreposition reports whether w puts the number after a verb of
// calling and whom it calls: "on", "at", Spanish "al", French "au" and
// "sur", Dutch "op", German "unter", Polish "na" and "pod". A switch, as
// isAtWord: most numbers ask.
func isCallPreposition(w []byte) bool {
	switch string(w) {
	case "on", "at", "al", "au", "sur", "op", "unter", "na", "pod":
		return true
	}
	return false
}

// isCallVerb reports whether w is a verb of calling or messaging someone,
// folded; not one more often a noun ("Phone sales at 1234567 units").
func isCallVerb(w []byte) bool {
	switch string(w) {
	case "call", "ring", "text", "txt", "ping", "dial", "contact", "reach", "llama", "llamar", "llame",
		"llamen", "appelle", "appelez", "appeler", "anrufen", "ruf", "rufen", "bel", "bellen", "chiama",
		"chiamare", "ligue", "ligar", "liga", "zadzwon", "dzwon":
		return true
	}
	return false
}

// qualifierBefore returns where a qualifier between a form's label and
// its colon starts, for the number at s[i], or -1: one in brackets
// ("Phone (best after 6pm): ", "Phone number [optional]: "), or a few
// words after "for" ("Phone number for the courier: ").
func qualifierBefore(s string, i int) int {
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	if j == 0 || s[j-1] != ':' {
		return -1
	}
	for j--; j > 0 && s[j-1] == ' '; j-- {
	}
	if j == 0 {
		return -1
	}
	if s[j-1] != ')' && s[j-1] != ']' {
		from := max(0, j-30)
		f := strings.LastIndex(s[from:j], " for ")
		if f < 0 {
			return -1
		}
		for _, c := range []byte(s[from+f : j]) {
			if !isASCIILetter(c) && c != ' ' {
				return -1
			}
		}
		return from + f + 1
	}
	opening := byte('(')
	if s[j-1] == ']' {
		opening = '['
	}
	from := max(0, j-41)
	k := strings.LastIndexByte(s[from:j-1], opening)
	if k < 0 || strings.ContainsAny(s[from+k:j-1], "\n)]") {
		return -1
	}
	return from + k
}

// phoneKeyValue reports whether the number at s[i] is the value of a key
// of two words or more that names a phone number (`"phone_number":`,
// "contactPhone:", "phone_no="; see phoneKey), and no count of a phone's
// things (`"mobile_sessions":`, see countKey). Keys of one word are
// cueBefore's, which tells a phone's from a count of devices.
func phoneKeyValue(s string, i int) bool {
	raw, between, _ := keyBefore(s, i)
	if raw == "" || !strings.ContainsAny(between, ":=") {
		return false
	}
	label := strings.ToLower(keyLabel(raw))
	sp := strings.LastIndexByte(label, ' ')
	if sp <= 1 || !phoneKeyEnds[label[sp+1:]] || countKey(raw) { // not "iPhone"
		return false
	}
	if last := label[sp+1:]; numberWords[last] || last == "no" { // "phone_number", "contact_no", not "whatsapp_template_number"
		before := label[strings.LastIndexByte(label[:sp], ' ')+1 : sp]
		return phoneKey(before) || before == "contact"
	}
	return phoneKey(raw)
}

// phoneKeyEnds are the last words of keys that hold a phone number:
// "phone_number", "contactPhone", "mobile_no"; not "mobile_web",
// "phone_number_id" or "whatsapp_delivered".
var phoneKeyEnds = setOf("phone", "mobile", "number", "no", "nr", "num", "tel", "cell", "cellphone",
	"msisdn", "whatsapp", "fax", "telefono", "telefone", "celular", "handy")

// answersPhoneQuestion reports whether the number at s[i] is the answer on
// its line to a request for a phone number on the line before (blank
// lines between), as chat transcripts have it: "Agent: What's the best
// number to reach you?" then "Customer: 612 345 678".
//   - The answer is the number, after a speaker's name and a colon and a
//     word such as "it's" or "Sure," at most (answerLeads), and before
//     punctuation or an emoticon at most.
//   - The request ends with '?' or has a word such as "please" (see
//     hasRequestWord), and a phone word ("phone", "call", "reach",
//     "WhatsApp") or "your number"; "number" alone asks for any number
//     ("What's your membership number?").
func answersPhoneQuestion(s string, i int) bool {
	// Asked first: the number's end is read to the end of its digits,
	// which for each digit of a long run of them ("1 2 1 2 …") took time
	// the square of its length.
	if !nearLineStart(s, i) {
		return false
	}
	return answersPhoneQuestionTo(s, i, skipDigits(s, i))
}

// nearLineStart reports whether a line break comes within 64 bytes before
// s[i]: an answer on a chat's line starts near its line's start.
func nearLineStart(s string, i int) bool {
	return strings.IndexByte(s[max(0, i-64):i], '\n') >= 0
}

// answersPhoneQuestionTo is answersPhoneQuestion for a number at s[i]
// that ends at s[numEnd]: one read out ("five five five zero one …").
func answersPhoneQuestionTo(s string, i, numEnd int) bool {
	if !nearLineStart(s, i) {
		return false // a first line, or a number far into its line: most numbers
	}
	j := i
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	for range 2 { // "sí claro, 622 418 907"
		for _, lead := range answerLeads {
			k := j - len(lead)
			if k > 0 && s[j-1] == ',' { // "Sure, 612345678"
				k--
			}
			if k >= 0 && strings.EqualFold(strings.TrimSuffix(s[k:j], ","), lead) && (k == 0 || s[k-1] == ' ' || s[k-1] == ':' || s[k-1] == '\n') {
				for j = k; j > 0 && s[j-1] == ' '; j-- {
				}
				break
			}
		}
	}
	if j > 0 && s[j-1] == ':' { // a speaker: "Customer:", "[2024-05-01 10:33:12 UTC] Customer (Jane Doe):"
		j--
		for k := j; k > 0 && j-k < 64; k-- {
			if s[k-1] == '\n' {
				j = k
				break
			}
		}
	}
	if j == 0 || s[j-1] != '\n' || !endsAnswer(s, numEnd) {
		return false
	}
	end := j - 1
	for end > 0 && (s[end-1] == '\r' || s[end-1] == '\n' || s[end-1] == ' ') { // and blank lines
		end--
	}
	start := strings.LastIndexByte(s[:end], '\n') + 1
	q := s[max(start, end-200):end]
	if lq := strings.ToLower(q); strings.Contains(lq, "how much") || strings.Contains(lq, "how many") {
		return false // an amount or a count
	}
	if !strings.HasSuffix(strings.TrimRight(q, " "), "?") && !hasRequestWord(q) {
		return false // "I called your hotline yesterday.", "Phone issues reported this week:"
	}
	var buf [maxCueWordLetters]byte
	for k := len(q); k > 0; {
		for k > 0 && q[k-1] < utf8.RuneSelf && foldLatin(rune(q[k-1])) == 0 {
			k--
		}
		w, wstart := cueWord(q, k, &buf)
		if w == nil {
			// Not a word of Latin letters: step over it.
			_, size := utf8.DecodeLastRuneInString(q[:k])
			k -= max(size, 1)
			continue
		}
		if wstart > 0 && q[wstart-1] == '[' && k < len(q) && q[k] == ']' {
			k = wstart - 1 // a mark redaction wrote, "[phone]": no request of the customer's
			continue
		}
		if cueWords[string(w)]&(cue|asker|placed) != 0 && !compoundAfter(q, k) {
			// "your phone number", or a phone that no number of
			// something else belongs to: not "the IMEI of your phone",
			// "a confirmation SMS with the booking ref".
			return numberWordAfter(q, k) || !asksForAnotherNumber(q[:wstart]) && !namesReference(q[k:])
		}
		// "¿Me das tu número?", "and your number?": "number" after
		// "your" asks for one's own, a phone number; "your membership
		// number" and "the number on your bill" ask for another.
		if numberWords[string(w)] {
			var pb [maxCueWordLetters]byte
			// Not "votre numéro de commande", "your number of the order".
			if p, _ := cueWord(q, skipCueSeps(q, wstart), &pb); p != nil && yours[string(p)] && !namesReference(q[k:]) {
				return true
			}
		}
		k = wstart
	}
	return false
}

// compoundAfter reports whether the phone word that ends at s[k] is the
// first of a compound or owns what follows, and so asks for no phone
// number: "the phone agent", "the mobile app", "text messages", "the
// phone's serial". A word for "number", or a word of grammar ("reach you
// on", "which mobile should we text?"), is no such noun.
func compoundAfter(s string, k int) bool {
	if k < len(s) && (s[k] == '\'' || strings.HasPrefix(s[k:], "’")) {
		return true
	}
	j := skipSpaces(s, k)
	e := skipLetters(s, j)
	if j == k || e == j {
		return false
	}
	w := strings.ToLower(s[j:e])
	return !numberWords[w] && w != "no" && !grammarWords[w] && cueWords[w]&(owner|filler) == 0
}

// grammarWords may follow a phone word in a request for a phone number.
var grammarWords = setOf("we", "i", "you", "they", "he", "she", "it", "to", "at", "on", "for", "where",
	"so", "and", "or", "please", "that", "which", "if", "when", "in", "with", "by", "then", "again",
	"should", "can", "could", "will", "would", "shall", "may", "might", "do", "does", "is", "are")

// namesReference reports whether s, what follows a phone word, ties a
// reference or a code to it: "with the booking ref", "of the order"; not
// "we should send the password to", where the phone is what is asked for.
func namesReference(s string) bool {
	words := strings.Fields(strings.ToLower(s))
	if len(words) == 0 || !linkWords[strings.Trim(words[0], ",.?!")] {
		return false
	}
	for _, w := range words[1:min(len(words), 5)] {
		w = strings.Trim(w, ",.?!")
		if codeNames[w] || referenceWords[w]&cue != 0 {
			return true
		}
	}
	return false
}

// numberWordAfter reports whether a word for "number" starts at s[k], but
// for spaces.
func numberWordAfter(s string, k int) bool {
	k = skipSpaces(s, k)
	e := skipLetters(s, k)
	return numberWords[strings.ToLower(s[k:e])]
}

// asksForAnotherNumber reports whether a request, q up to its phone word,
// asks for the number of something else that the phone word belongs to:
// "the IMEI of your phone", "the ticket number from your call", "the code
// we sent by SMS", "your account PIN for the mobile plan". In the words
// before the phone word, back to the start of the sentence or an "and",
// are a preposition and, before it, a code's name or a reference word
// before "number". "Which mobile …?" asks for the phone.
func asksForAnotherNumber(q string) bool {
	var buf [maxCueWordLetters]byte
	next := false   // the word after the one read is "number" or its like
	linked := false // a preposition was read
	for k, n := len(q), 0; k > 0; n++ {
		j := k
		for k > 0 && q[k-1] < utf8.RuneSelf && foldLatin(rune(q[k-1])) == 0 {
			k--
		}
		if strings.ContainsAny(q[k:j], ".!?;") {
			return false // the sentence before
		}
		w, wstart := cueWord(q, k, &buf)
		if w == nil {
			return false
		}
		switch word := string(w); {
		case n == 0 && (word == "which" || word == "what"):
			return false
		case word == "and" || word == "or" || word == "und" || word == "oder" || word == "y" || word == "et" || word == "ou":
			return false // "your zip code and the mobile we can reach you on"
		case linked && (codeNames[word] || next && referenceWords[word]&cue != 0):
			return true
		case linkWords[word]:
			linked = true
		}
		next = numberWords[string(w)]
		k = wstart
	}
	return false
}

// linkWords tie a number to the phone it belongs to: "the IMEI of your
// phone", "the code we sent by SMS".
var linkWords = setOf("of", "on", "for", "from", "by", "in", "to", "with", "de", "del", "do", "da", "du", "von", "für", "fur")

// codeNames name numbers a customer is asked for that are no phone
// number, though a phone is named with them.
var codeNames = setOf("imei", "imsi", "iccid", "meid", "serial", "code", "pin", "otp", "passcode", "password", "id")

// isAtWord reports whether w is "at" or "to" before a phone number:
// "reached at", Spanish "mensaje al", Portuguese "mensagem pro". A switch:
// cueBefore asks of every word.
func isAtWord(w string) bool {
	switch w {
	case "at", "al", "pro", "pra", "para":
		return true
	}
	return false
}

// quoted reports whether gap holds a quote.
func quoted(gap string) bool {
	return strings.IndexByte(gap, '"') >= 0 || strings.IndexByte(gap, '\'') >= 0
}

// deviceWords are phone words that name a kind of device or channel too,
// which analytics count by.
var deviceWords = setOf("mobile", "sms", "whatsapp", "cell", "mobil", "movil")

// whatsBy are the words before "whats" that make it WhatsApp: "me chama
// no whats", "escríbeme por whats".
var whatsBy = setOf("no", "por", "pelo", "via", "en", "on", "by", "al", "pro", "pra", "am", "auf")

// yours are "your" in the languages of cueWords, folded.
var yours = setOf("your", "tu", "su", "votre", "ton", "seu", "sua", "teu", "ihre", "deine", "dein", "tuo", "vostro", "uw", "je", "twoj")

// answerLeads may come before the number in an answer: "Sure, 612345678".
var answerLeads = []string{"it's", "it’s", "its", "it is", "sure", "yes", "yeah", "ok", "okay", "si", "sí", "el",
	"claro", "sim", "oui", "ja"}

// hasRequestWord reports whether line asks for something without a
// question mark: "Please provide your phone number.".
func hasRequestWord(line string) bool {
	l := strings.ToLower(line)
	for _, w := range []string{"please", "provide", "share", "send", "give", "enter", "confirm", "need", "get", "por favor", "bitte", "s'il"} {
		// A word, not a part of one: "budget", "widget", "together".
		for k := 0; ; {
			a := strings.Index(l[k:], w)
			if a < 0 {
				break
			}
			a += k
			if (a == 0 || !isASCIILetter(l[a-1])) && (a+len(w) == len(l) || !isASCIILetter(l[a+len(w)])) {
				return true
			}
			k = a + 1
		}
	}
	return false
}

// endsAnswer reports whether nothing but spaces, punctuation, emoticons
// and words of thanks or of when to call follow s[end] on its line:
// "612345678.", "612345678 :)", "612 345 678 thanks", "612345678, thank
// you!", "612 345 678 (evenings)".
func endsAnswer(s string, end int) bool {
	for end < len(s) && s[end] != '\n' {
		if !isASCIIWordByte(s[end]) || (s[end] == 'D' || s[end] == 'P') && !isASCIIWordByte(s[end-1]) && (end+1 == len(s) || !isASCIIWordByte(s[end+1])) { // ":D", ":P"
			end++
			continue
		}
		e := skipLetters(s, end)
		if e == end || !answerTails[strings.ToLower(s[end:e])] {
			return false
		}
		end = e
	}
	return true
}

// answerTails are the words an answer may end with after the number.
var answerTails = setOf("thanks", "thank", "you", "thx", "ty", "cheers", "please", "pls", "gracias",
	"danke", "merci", "obrigado", "obrigada", "grazie", "evenings", "mornings", "afternoons", "anytime", "only")

// scriptPhoneCues are phone words in scripts cueWord does not read, and
// the emoji for a phone, which say a phone number follows as "Tel." does:
// Chinese, Japanese, Korean, Russian, Greek, Hebrew, Arabic, Thai and
// Hindi.
var scriptPhoneCues = []string{"电话", "電話", "手机", "手機", "手机号", "電話番号", "携帯", "联系方式", "聯絡方式",
	"座机", "手提", "전화", "휴대폰", "핸드폰", "연락처", "전화번호", "휴대폰번호", "핸드폰번호", "тел", "телефон", "моб", "τηλ", "τηλέφωνο",
	"κινητό", "טלפון", "נייד", "טל", "هاتف", "جوال", "موبايل", "الهاتف", "الجوال", "โทร", "เบอร์",
	"फोन", "फ़ोन", "मोबाइल", "واتساب", "واتس", "мой номер", "мобильный", "сотовый", "📞", "📱", "☎", "☎️", "☏"}

// scriptCueBefore reports whether one of words, in any case ("Тел.",
// "ΤΗΛ"), comes right before the number at s[i], but for separators, and
// is not the end of a longer word of its script ("отел").
func scriptCueBefore(s string, i int, words []string) bool {
	j := i
	for j > 0 && i-j < maxCueSeps && isCueSep(s[j-1]) {
		j--
	}
	if j == 0 || s[j-1] < utf8.RuneSelf {
		return false
	}
	for _, w := range words {
		if k := j - len(w); k >= 0 && utf8.RuneStart(s[k]) && strings.EqualFold(s[k:j], w) {
			if r, _ := utf8.DecodeLastRuneInString(s[:k]); k == 0 || !unicode.IsLetter(r) || spaceless(r) {
				return true
			}
		}
	}
	return false
}

// cueBefore reports whether a cue of words (see the kinds below) comes
// before s[i], with only its fillers between. Words are compared lower
// case and without accents: "Teléfono" is "telefono".
func cueBefore(s string, i int, words map[string]uint8) bool { return cueWalk(s, i, words, false) }

// cueWalk is cueBefore; phone says words are cueWords, whose weak fillers
// ("now", "still", "which", "was", "changed") stand between a phone word
// and its number only when "number" or an owner is there too: "my phone
// number is still 612 345 678", "on my cell which is 555-0148", but not
// "Mobile is now 1832450 weekly actives".
func cueWalk(s string, i int, words map[string]uint8, phone bool) bool {
	var buf [maxCueWordLetters]byte
	weak, sawNumber := false, false // a weak filler was met; "number" or its like was
	j := i
	afterNumber := false // the word met last (the next in the text) is "number" or its like
	afterObject := false // ... is "me", "us" or "you"
	afterAt := false     // ... is "at", or "out at"
	afterWhats := false  // ... is "whats"
	onlyIs := true       // no word but "is" was met
	first := true        // no word was met
	afterNoDot := false  // the word met first is "no." or "no:"
	afterOwner := false  // the word met last is "my" or its like
	for range maxCueWords {
		j = skipCueSeps(s, j)
		w, k := cueWord(s, j, &buf)
		if w == nil {
			return false // no word, or one too long or not of Latin letters
		}
		kind := words[string(w)]
		if phone && kind == other && (string(w) == "details" || string(w) == "info") {
			// "Contact details: 555-0134", "My contact info is": a cue
			// after "contact" only; "Call details: 2345678 minutes
			// billed" and "SMS info: 2345678 sent" are a bill's.
			p, _ := cueWord(s, skipCueSeps(s, k), &buf)
			return p != nil && string(p) == "contact"
		}
		marked := kind&initial != 0 && initialLabel(s, k, j, i)
		if onlyIs && j < i && s[i-1] != '"' && s[i-1] != '\'' && quoted(s[j:i]) && deviceWords[string(w)] {
			// A quoted key that names a kind of device or channel and a
			// value in no quotes: a count in JSON, as analytics write
			// `{"mobile":1234567}`; a "phone" key is a phone's, quoted or
			// not (`{"phone":612345678}`).
			return false
		}
		if afterWhats && whatsBy[string(w)] {
			return true // "no whats 912345678", "por whats"
		}
		if kind == other && string(w) == "s" {
			if start, ok := possessor(s, k); ok { // "my husband's number"
				if onlyIs {
					return true // "and my wife's is 555-0176", "wife's: 555-0176"
				}
				kind, k = owner, start
			} else if a, ok := apostropheBefore(s, k); ok && phoneNounBefore(s, a) {
				kind, k = filler, a // "my phone's 555-0134", "my number's": "is"
			}
		}
		if kind&modifier != 0 && kind&owner == 0 && afterNumber {
			// "my new number", "meine neue Nummer": which of one's
			// numbers, between the owner and "number".
			onlyIs, afterObject, afterAt, afterWhats = false, false, false, false
			j = k
			continue
		}
		if kind == modifier && !phoneNounBefore(s, k) {
			// After "number" or a phone ("mi número nuevo es", "mi
			// móvil nuevo es") and nowhere else: "the phone is new,
			// 12345678 downloads".
			return false
		}
		onlyIs = onlyIs && string(w) == "is"
		weak = weak || phone && weakFillers[string(w)]
		switch {
		case kind&cue != 0 && weak && !sawNumber:
			p, _ := cueWord(s, skipCueSeps(s, k), &buf)
			return p != nil && cueWords[string(p)]&owner != 0 // "my cell which is"
		case kind&cue != 0, kind&owner != 0 && afterNumber, numberWords[string(w)] && afterOwner,
			(string(w) == "callback" || string(w) == "contact") && afterNoDot, kind&asker != 0 && afterObject,
			kind&placed != 0 && afterAt && (string(w) != "message" || messageLeftAt(s, k)), marked:
			return true
		case kind == other:
			return false
		}
		// "No." is "number" before a word ("my no. is"), or after
		// "callback" or "contact" ("Contact no. 91234567", "contact
		// no: 555-0134", as Singapore and India write); not in "my no.
		// 1 fan".
		noDot := string(w) == "no" && j < len(s) && s[j] == '.'
		afterNumber = numberWords[string(w)] || noDot && !first
		sawNumber = sawNumber || afterNumber || noDot
		afterNoDot = first && string(w) == "no" && j < len(s) && (s[j] == '.' || s[j] == ':')
		// "Nummeret mitt er": a Norwegian owner after "number".
		afterOwner = kind&owner != 0
		first = false
		afterObject = string(w) == "me" || string(w) == "us" || string(w) == "you"
		afterAt = isAtWord(string(w)) || afterAt && string(w) == "out"
		afterWhats = string(w) == "whats"
		j = k
	}
	return false
}

// messageLeftAt reports whether the word "message" at s[k] is one left
// for someone, which "at" after it gives a phone number for: "leave a
// message at", "drop us a voice message at", "leave message at"; not
// "Error message at 1234567 ms", "The message at 20240501 was wrong" or
// "Marketing message at 1234567 recipients", where "at" places the
// message.
func messageLeftAt(s string, k int) bool {
	var buf [maxCueWordLetters]byte
	w, _ := cueWord(s, skipCueSeps(s, k), &buf)
	return w != nil && messageLeavers[string(w)]
}

// messageLeavers are the words before a message one leaves.
var messageLeavers = setOf("a", "voice", "leave", "your")

// phoneNounBefore reports whether a word for "number", or a phone word,
// ends at s[k], but for spaces: "número nuevo", "móvil nuevo".
func phoneNounBefore(s string, k int) bool {
	for k > 0 && s[k-1] == ' ' {
		k--
	}
	var buf [maxCueWordLetters]byte
	w, _ := cueWord(s, k, &buf)
	return w != nil && (numberWords[string(w)] || cueWords[string(w)]&cue != 0)
}

// skipCueSeps returns where the separators, HTML tags and no-break
// spaces that end s[:j] start: "Tel.: ", "<td>Phone</td><td>", "<b>Tel:</b>
// ", "Phone:</b>&nbsp;".
func skipCueSeps(s string, j int) int {
	for {
		for end := j; j > 0 && end-j < maxCueSeps && isCueSep(s[j-1]); {
			j--
		}
		if strings.HasSuffix(s[:j], "&nbsp;") {
			j -= len("&nbsp;")
			continue
		}
		if j == 0 || s[j-1] != '>' {
			return j
		}
		from := max(0, j-40)
		t := strings.LastIndexByte(s[from:j-1], '<')
		if t < 0 {
			return j
		}
		j = from + t
	}
}

// initialLabel reports whether the word s[k:j] is a contact card's label
// before the number at s[i]: a letter in small case (or a word, see
// cueWords) standing alone, then '.' or ':' ("m. 612 345 678", "t: 020
// 7946 0018") or in brackets ("(h) 555-0134"), then spaces. Not "Plan C:
// 1250000", "c) 2500000", "Distance (m): 1234567", "km/h. 1234567" or the
// "t" of "can't.".
func initialLabel(s string, k, j, i int) bool {
	if j >= i || j-k == 1 && (s[k] < 'a' || s[k] > 'z') {
		return false
	}
	switch s[j] {
	case '.', ':':
		if k > 0 && s[k-1] != ' ' && s[k-1] != '\n' {
			return false
		}
	case ')':
		if k == 0 || s[k-1] != '(' {
			return false
		}
	default:
		return false
	}
	return strings.Trim(s[j+1:i], " ") == ""
}

// possessor reports whether the "s" at s[k] ends a person's possessive
// ("wife's", "husband’s"), and where the person's word starts. Only people
// own a phone number: "the order's number" and "the ticket's number" are
// references, and "it's number 5" is a contraction.
func possessor(s string, k int) (int, bool) {
	a, ok := apostropheBefore(s, k)
	if !ok {
		return 0, false
	}
	var buf [maxCueWordLetters]byte
	w, start := cueWord(s, a, &buf)
	if w == nil || !people[string(w)] {
		return 0, false
	}
	return start, true
}

// apostropheBefore reports whether an apostrophe, straight or curly, ends
// s[:k], and where it starts.
func apostropheBefore(s string, k int) (int, bool) {
	switch {
	case strings.HasSuffix(s[:k], "'"):
		return k - 1, true
	case strings.HasSuffix(s[:k], "’"):
		return k - len("’"), true
	}
	return 0, false
}

// people are the words for people whose number a customer gives.
var people = map[string]bool{
	"husband": true, "wife": true, "partner": true, "boyfriend": true, "girlfriend": true,
	"fiance": true, "fiancee": true, "mom": true, "mum": true, "mother": true, "dad": true,
	"father": true, "son": true, "daughter": true, "brother": true, "sister": true,
	"parent": true, "parents": true, "grandma": true, "grandpa": true, "uncle": true,
	"aunt": true, "cousin": true, "friend": true, "neighbor": true, "neighbour": true,
	"boss": true, "manager": true, "colleague": true, "assistant": true, "secretary": true,
	"landlord": true, "landlady": true, "tenant": true, "doctor": true, "lawyer": true,
	"accountant": true, "coworker": true, "caretaker": true, "nanny": true,
	"customer": true, "user": true, "member": true, "player": true, "client": true,
}

// maxCueWordLetters is the longest word, in letters, cueBefore reads
// ("telefonnummer").
const maxCueWordLetters = 16

// cueWord returns the word of Latin letters that ends at s[j], folded
// (see foldLatin) into buf, and where it starts; nil when there is none,
// when it is longer than buf, or when it goes on with letters or digits of
// another kind ("x2phone", "мобильный").
func cueWord(s string, j int, buf *[maxCueWordLetters]byte) ([]byte, int) {
	if k, ok := numeroAt(s, j); ok {
		return nro, k
	}
	n, k := 0, j
	for k > 0 {
		r, size := utf8.DecodeLastRuneInString(s[:k])
		if unicode.Is(unicode.Mn, r) {
			// A combining accent, as text from macOS often spells "é":
			// dropped, as foldLatin drops a composed one.
			k -= size
			continue
		}
		f := foldLatin(r)
		if f == 0 {
			break
		}
		if n == len(buf) {
			return nil, 0
		}
		buf[len(buf)-1-n] = f
		n++
		k -= size
	}
	if n == 0 || wordBefore(s, k) {
		return nil, 0
	}
	return buf[len(buf)-n:], k
}

// nro is the word cueWord reads "nº" and "n.º" as.
var nro = []byte("nro")

// numeroAt reports whether s[:j] ends with "nº", "n.º" or "n°", which
// abbreviate "número" and "numéro" ("mi n.º es", "Pedido nº"), and where
// the abbreviation starts. Read as letters, they would be "no" and "n",
// "o": the word for "not" and no word at all.
func numeroAt(s string, j int) (int, bool) {
	k := j
	switch {
	case strings.HasSuffix(s[:k], "º"):
		k -= len("º")
	case strings.HasSuffix(s[:k], "°"):
		k -= len("°")
	default:
		return 0, false
	}
	if k > 0 && s[k-1] == '.' {
		k--
	}
	if k == 0 || s[k-1]|0x20 != 'n' || wordBefore(s, k-1) {
		return 0, false
	}
	return k - 1, true
}

// foldLatin returns the lower-case ASCII letter r is, or is with its
// accent dropped ("É", "é" and "ê" are 'e', "ñ" is 'n'); 0 for anything
// else. Phone and mail words in Spanish, Portuguese, French and German are
// written with such accents, and often typed without them.
func foldLatin(r rune) byte {
	if r < utf8.RuneSelf {
		if c := byte(r) | 0x20; 'a' <= c && c <= 'z' {
			return c
		}
		return 0
	}
	if 'À' <= r && r <= 'ÿ' {
		if i := strings.IndexRune(latin1Letters, unicode.ToLower(r)); i >= 0 {
			return latin1Folded[utf8.RuneCountInString(latin1Letters[:i])]
		}
	}
	if 'Ā' <= r && r <= 'ț' { // Latin Extended-A, and Romanian's ș and ț
		l := unicode.ToLower(r)
		if l < utf8.RuneSelf { // 'İ'
			return byte(l)
		}
		if i := strings.IndexRune(latinExtLetters, l); i >= 0 {
			return latinExtFolded[utf8.RuneCountInString(latinExtLetters[:i])]
		}
	}
	if r == 'º' || r == '°' { // "nº", "n°": "no."
		return 'o'
	}
	return 0
}

// latin1Letters are Latin-1's small letters with accents, latin1Folded the
// ASCII letter each is written as without one; latinExtLetters and
// latinExtFolded the same for the letters of Polish, Czech, Turkish,
// Romanian, Hungarian and the other languages Latin Extended-A writes.
const (
	latin1Letters   = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿ"
	latin1Folded    = "aaaaaaceeeeiiiinooooouuuuyy"
	latinExtLetters = "āăąćĉċčďđēĕėęěĝğġģĥħĩīĭįıĳĵķĺļľŀłńņňōŏőœŕŗřśŝşšţťŧũūŭůűųŵŷźżžșț"
	latinExtFolded  = "aaaccccddeeeeegggghhiiiiiijklllllnnnoooorrrsssstttuuuuuuwyzzzst"
)

// maxCueWords bounds how far phoneCueBefore looks back, in words: the cue
// and the fillers after it, as in "call or text me at" and "call me back
// as soon as possible at".
const maxCueWords = 8

// maxCueSeps bounds the separators read back between a cue and the
// number, more than any cue has ("**Phone:** ", `"phone": "`): every
// '(' of "(.(.(.…" read all of them back to the start, time the square
// of their length.
const maxCueSeps = 16

// isCueSep reports whether c may stand between the words of a cue and
// the number: "Tel.: ", "phone=", "fax - ", "(mobile) ", `"phone":"`,
// "| Phone | ", "call me? ", "txt me @ ", "**Phone:** ", "WhatsApp me!! ".
func isCueSep(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', ':', '.', ',', '-', '=', '(', ')', '#', '"', '\'', '|', '?', '@', '*', '!':
		return true
	}
	return false
}

// The kinds of word phoneCueBefore meets, as bits: a word may be of two.
const (
	other    = 0
	cue      = 1 << iota // says a phone number follows
	filler               // may stand between a cue and the number
	owner                // "my" in "my number": a cue before "number", a filler elsewhere
	asker                // "text" in "text me at": a cue before "me" or "us", a filler elsewhere
	placed               // "reached" in "reached at": a cue before "at" (see isAtWord), a filler elsewhere
	initial              // "m" in "m. 612 345 678", "(h)": a cue right before '.', ':' or ')'
	modifier             // "new" in "my new number": which number, between an owner and "number" or after "number"
)

var cueWords = map[string]uint8{
	"phone": cue, "phones": cue, "telephone": cue, "tel": cue, "tlf": cue,
	"telefon": cue, "telefono": cue, "ph": cue, "mobile": cue, "mobil": cue,
	"mob": cue, "cell": cue, "cellphone": cue, "landline": cue, "hotline": cue,
	"fax": cue, "whatsapp": cue, "sms": cue, "call": cue, "ring": cue,
	"dial": cue, "fon": cue,
	// Spanish, Portuguese, French, German, Italian and Dutch, folded.
	"telf": cue, "tfno": cue, "movil": cue, "celular": cue, "llamar": cue, "llame": cue,
	"llameme": cue, "llamame": cue, "llamadme": cue, "llamenme": cue, "llamarme": cue,
	"llamamos": cue, "llamarte": cue, "llamarle": cue, "erreichen": asker, // "¿A qué número te llamamos?"
	"telefone": cue, "telemovel": cue, "ligar": cue, "ligue": cue,
	"portable": cue, "appeler": cue, "appelez": cue, "appelle": cue,
	"handy": cue, "anrufen": cue, "ruf": cue, "rufen": cue, "rufnummer": cue,
	"telefonnummer": cue, "handynummer": cue, "festnetz": cue,
	"cellulare": cue, "chiamare": cue, "chiamami": cue, "chiamatemi": cue,
	"telefoon": cue, "mobiel": cue, "bellen": cue, "bel": cue, "gsm": cue,
	"cel": cue, "tlm": cue, "zap": cue, "liga": cue, "contactame": cue, "contactarme": cue,
	"localizarme": cue, "erreichbar": cue, "liguem": cue, "nro": filler,
	"wa": cue, // WhatsApp's wa.me/<number>
	// WhatsApp as Spanish and Portuguese speakers write it, and their
	// words for writing to someone and for a message.
	"wsp": cue, "wpp": cue, "wasap": cue, "guasap": cue, "whatsap": cue, "watsap": cue,
	"escribeme": cue, "escribime": cue, "escribame": cue, "escribenos": cue, "mandame": cue,
	"mensaje": filler | placed, "mensagem": filler | placed, "enviame": cue, // "mensaje al 612…" "envieme": cue, "mandeme": cue,
	"llamas": cue, "por": filler,
	// "whats" is "what's" too: a cue after an owner, as "number" is, or as
	// a label ("mi whats es", "whats: 612 345 678"; but "whats the
	// 12345678 charge").
	"whats": filler | initial,
	"un":    filler, "uma": filler, "um": filler, "pro": filler, "pra": filler,
	// Polish, folded.
	"zadzwon": cue, "zadzwoncie": cue, "dzwon": cue, "dzwonic": cue, "komorka": cue, "komorkowy": cue,
	"kom": cue, "kontakt": cue, "kontaktnummer": cue, "telefonu": cue,
	"do": filler, "mnie": filler, "to": filler, "numer": filler, "moj": owner, "nasz": owner,

	// Cues only before "me" or "us", because a count follows them as
	// often as a phone number: "reach 250000 users", "contact 120000
	// customers", "text 100000 rows"; but "text me at 555-0134".
	"text": asker, "reach": asker | placed, "message": asker | placed, "ping": asker,
	"txt": asker, "reached": placed, "reachable": cue, "out": filler, // "reach out at"
	"callback": owner | asker | initial, "hmu": cue, // "callback number", "Callback: ", "hit me up"
	"digits": filler, // "my digits are"
	// The initials of a contact card's labels (tel, mobile, fax, cell,
	// home, work), in small letters (see initialLabel).
	"t": initial, "m": initial, "f": initial, "c": initial, "h": initial, "w": initial,
	// Danish, Norwegian and Swedish, folded: "ring til mig på".
	"til": filler, "mig": filler, "meg": filler, "mej": filler, "pa": filler,
	"venligst": filler, "vennligst": filler, "vanligen": filler, // "ring venligst til mig på"
	// And a cue before "number": "contact number".
	"contact": asker | owner,
	"caller":  cue, "wechat": cue, // "Caller ID 4155550134"
	// Which of one's numbers: "my new number", "mi otro número", "mi
	// número nuevo", "meine neue Nummer", "mon nouveau numéro" (see
	// modifier); where one is, too ("call me at home on").
	"work": filler | modifier, "home": filler | modifier, "office": filler | modifier,
	"new": modifier, "old": modifier, "other": modifier, "personal": modifier, "private": modifier, "current": modifier,
	"main": modifier, "alternate": modifier, "alternative": modifier, "secondary": modifier,
	"evening": modifier, "emergency": modifier,
	// "The best number is": a cue before "number", as "my" is.
	"best":   owner | modifier,
	"backup": modifier, "primary": modifier, "usual": modifier,
	"business": modifier, "daytime": modifier, "updated": filler | modifier, "correct": modifier,
	"nuevo": modifier, "nueva": modifier, "otro": modifier, "otra": modifier, "viejo": modifier,
	"antiguo": modifier, "principal": modifier, "actual": modifier, "novo": modifier,
	"nova": modifier, "outro": modifier, "antigo": modifier, "pessoal": modifier, "atual": modifier,
	"nouveau": modifier, "nouvel": modifier, "autre": modifier, "ancien": modifier,
	"perso": modifier, "neue": modifier, "neuer": modifier, "alte": modifier, "andere": modifier,
	"nuovo": modifier, "altro": modifier, "vecchio": modifier,
	"nieuwe": modifier, "oude": modifier, "nowy": modifier, "inny": modifier,

	"me": filler, "us": filler, "you": filler, "him": filler, "them": filler, "on": filler,
	"at": filler, "is": filler, "are": filler, "was": filler, "or": filler, "no": filler,
	"nr": filler, "number": filler, "numbers": filler, "num": filler, "direct": filler | modifier,
	"the": filler, "via": filler, "anytime": filler, "back": filler,
	// "call me back as soon as possible at", "ring me today on".
	"as": filler, "soon": filler, "possible": filler, "asap": filler, "today": filler,
	"tomorrow": filler, "tonight": filler, "later": filler,
	// "my phone number is still", "call me instead on", "call the
	// following number", "on my cell which is", "Llámame por favor al".
	"now": filler, "still": filler, "instead": filler, "please": filler, "favor": filler,
	"this": filler, "following": filler, "which": filler, "changed": filler,
	"lautet": filler, "er": filler, "na": filler, "pod": filler, "mitt": owner, // see weakFillers
	"nummeret": filler, "mobilnummeret": cue, "telefonnummeret": cue, // "nummeret mitt er"
	// Messengers that go by the phone number, a voicemail, and the
	// adjectives for a phone in Spanish, Portuguese, Italian, German and
	// Polish ("contacto telefónico", "telefonisch unter"), and more words
	// of theirs.
	"telegram": cue, "viber": cue, "skype": cue, "imessage": cue, "facetime": cue,
	"voicemail": cue, "telefonico": cue, "telefonisch": cue, "telefoniczny": cue,
	"recapito": cue, "ruckrufnummer": cue, "handynr": cue, "telefonnr": cue, "mobilnummer": cue,
	"volejte": cue, "puh": cue, "ruckruf": cue, "ar": filler, // "Rückruf unter", Swedish "mitt nummer är"

	"my": owner, "our": owner, "his": owner, "her": owner, "their": owner,

	"al": filler, "au": filler, "op": filler, "unter": filler, "moi": filler, "es": filler,
	"est": filler, "ist": filler, "e": filler, "numero": filler, "nummer": filler, // "e": é, è
	"el": filler, "fijo": filler, "fixo": filler, "an": filler, "mich": filler, "de": filler, "en": filler,
	"para": filler, "o": filler, "le": filler, "numerem": filler, // Polish: "kontakt pod numerem"
	"contacto": cue, "contato": cue, // nouns: "número de contacto"
	"mi": owner, "mein": owner, "meine": owner, "meu": owner, "mon": owner, "mio": owner,
	"mijn": owner,
}

// weakFillers are the fillers that need "number" or an owner beside the
// phone word (see cueWalk).
var weakFillers = setOf("now", "still", "which", "was", "changed")

// numberWords are the words for "number" after which "my" is a cue: "my
// number", "mi número", "meine Nummer".
var numberWords = map[string]bool{"number": true, "numbers": true, "numero": true, "nummer": true, "num": true,
	"nr": true, "nro": true, "numer": true, "digits": true, "whats": true, "nummeret": true}

// referenceWords name a number as a reference to something, which an
// unbroken run of ten or more digits after them is rather than a phone
// number. "Account" is not among them: a bank account's number is
// personal.
var referenceWords = map[string]uint8{
	"order": cue, "orders": cue, "ticket": cue, "tickets": cue, "invoice": cue, "invoices": cue,
	"case": cue, "ref": cue, "reference": cue, "tracking": cue, "transaction": cue, "txn": cue,
	"booking": cue, "confirmation": cue, "receipt": cue, "shipment": cue, "po": cue, "request": cue,
	"incident": cue, "customer": cue, "user": cue, "member": cue, "subscription": cue, "contract": cue,
	"serial": cue, "imei": cue, "imsi": cue, "iccid": cue, "meid": cue,
	"dhl": cue, "fedex": cue, "usps": cue, "parcel": cue, "package": cue, "waybill": cue,
	"license": cue, "licence": cue, "sku": cue, "build": cue, "error": cue, "code": cue,
	"isbn": cue, "ean": cue, "upc": cue, "gtin": cue, "asin": cue, "hresult": cue, "errno": cue,
	// Spanish, Portuguese, French, German, Italian and Dutch, folded.
	"pedido": cue, "factura": cue, "referencia": cue, "encomenda": cue, "fatura": cue,
	"commande": cue, "facture": cue, "bestellung": cue, "bestellnummer": cue, "rechnung": cue,
	"rechnungsnummer": cue, "auftrag": cue, "auftragsnummer": cue, "kundennummer": cue,
	"ordine": cue, "fattura": cue, "bestelling": cue, "bestelnummer": cue, "factuur": cue,
	"sendung": cue, "sendungsnummer": cue, "bestellnr": cue, "kundennr": cue, "auftragsnr": cue,
	"rechnungsnr": cue, "lieferung": cue, "vorgangsnummer": cue, "vertragsnummer": cue,
	"seriennummer": cue, "paket": cue, "seguimiento": cue, "rastreio": cue, "rastreamento": cue,
	"paquete": cue, "pacote": cue, "pacco": cue, "spedizione": cue, "serie": cue, "localizador": cue, "reserva": cue, "colis": cue, "suivi": cue,
	// Polish and Turkish, folded.
	"zamowienie": cue, "zamowienia": cue, "paczka": cue, "paczki": cue, "przesylka": cue,
	"przesylki": cue, "siparis": cue, "siparisi": cue, "kargo": cue, "takip": cue,
	// English words for what a claim or a game names with a number.
	"policy": cue, "reservation": cue, "claim": cue, "rma": cue, "awb": cue, "player": cue,
	"item": cue, "items": cue, "barcode": cue, "strichcode": cue, "barres": cue, "voucher": cue, "coupon": cue, "version": cue, "versioncode": cue,
	// France's company numbers, an Indian food licence ("FSSAI Lic."),
	// an Indian bank transfer's reference.
	"siret": cue, "siren": cue, "fssai": cue, "lic": cue, "utr": cue,
	"total": cue, "subtotal": cue, "amount": cue, "balance": cue, "sum": cue,
	"orden": cue, "ordernummer": cue, "folio": cue, "protocolo": cue, "expediente": cue, "guia": cue,
	"buchungsnummer": cue, "ticketnummer": cue, "dossier": cue,
	// Danish, Norwegian and Swedish, with their articles, and India's
	// train bookings.
	"fakturanummer": cue, "fakturanummeret": cue, "fakturanumret": cue, "ordrenummer": cue,
	"ordrenummeret": cue, "ordernumret": cue, "bestillingsnummer": cue, "bestillingsnummeret": cue,
	"pnr": cue, "mitt": filler, "min": filler, "er": filler, "ar": filler, // "Fakturanummeret mitt er"

	// Not a reference of itself: "my whatsapp id 5550109999", "Paytm ID
	// 9876543210" and "Login ID 9876543210" are phone numbers, as India
	// uses them; the noun before it says ("Payment ID 1234567890").
	"id": filler,

	"number": filler, "no": filler, "nr": filler, "num": filler, "is": filler, "was": filler,
	"n": filler, "numer": filler, "numara": filler, "numarasi": filler, // "Ordine n.", "sipariş numarası"

	"the": filler, "my": filler, "our": filler, "your": filler,
	"numero": filler, "nummer": filler, "nro": filler, "de": filler, "es": filler, "est": filler, "ist": filler,
	"e": filler, "mi": filler, "mein": filler, "meine": filler, "meu": filler, "mon": filler, "ma": filler,
}

// companyWords name France's company numbers, with the "N°" before them.
var companyWords = map[string]uint8{"siret": cue, "siren": cue, "n": filler, "no": filler, "numero": filler}

// codeWords name codes of a fixed shape, which a number after them is
// whatever its digits.
var codeWords = map[string]uint8{"isbn": cue, "ean": cue, "upc": cue, "gtin": cue, "asin": cue, "imei": cue,
	"imsi": cue, "iccid": cue, "meid": cue, "sku": cue, "hresult": cue, "errno": cue, "serial": cue, "barcode": cue, "siret": cue, "siren": cue,
	"strichcode": cue, "barres": cue, "gencod": cue, "code": filler} // "EAN-Code", "code-barres"

func sepBit(c byte) int {
	switch c {
	case ' ', '\n':
		return sepSpace
	case '-':
		return sepDash
	case '/':
		return sepSlash
	}
	return sepDot
}

// joinable reports whether a phone number read so far may go on after a
// slash or a spaced dash: one with a trunk 0 ("030 - 123 456 78", "0 89 /
// 12 34 56"), one with a country code and a group after it ("+49 (0) 30
// / 123 456 78"), or a three-digit area code alone ("415/555-0134"). Not
// counts and ratios: "call 1200 / 1500 per day", "+5000 / 10000 users".
func joinable(plus bool, first byte, ng, firstGroup int) bool {
	switch {
	case plus:
		return ng >= 2
	case first == 0:
		return true
	}
	return ng == 1 && firstGroup == 3
}

// yearAfter reports whether the digits at s[k] are a year that ends a
// span or a month: "2023 - 2024", "12/2024". prev is the digit count of
// the group before the separator, which ends at s[prevEnd].
func yearAfter(s string, k, prev, prevEnd int) bool {
	e := skipDigitsOnly(s, k)
	if e-k != 4 || !startsYear(s, k) {
		return false
	}
	return prev <= 2 || prev == 4 && startsYear(s, prevEnd-4)
}

// skipDigitsOnly returns the index past the digits at s[k:].
func skipDigitsOnly(s string, k int) int {
	for k < len(s) && isDigit(s[k]) {
		k++
	}
	return k
}

// cuedSep returns the length of a slash, or a dash with spaces around
// it, or a line break, at s[j] between two groups of a phone number ("/",
// " / ", " - ", "\n"), and which it is; 0 when there is none. Dates and fractions
// are written with slashes too, so numberAt takes one only after a phone
// word.
func cuedSep(s string, j int) (int, byte) {
	k := j
	for k < len(s) && k-j < 2 && s[k] == ' ' && (s[k+1:] != "" && (s[k+1] == ' ' || s[k+1] == '\r' || s[k+1] == '\n')) {
		k++ // spaces a wrapping left at the end of the line
	}
	if strings.HasPrefix(s[k:], "\r\n") {
		k++
	}
	if k < len(s) && s[k] == '\n' {
		// A number a hard-wrapped e-mail broke: "call me at 415\n555 0134".
		// Only after an area code or a trunk code (see readNumber): a whole
		// number before the break stays whole ("Phone: 0612345678\n3
		// items"). A quoted reply's "> " and a space may start the next
		// line.
		k++
		if strings.HasPrefix(s[k:], "> ") {
			k += 2
		}
		if k < len(s) && s[k] == ' ' {
			k++
		}
		if k < len(s) && isDigit(s[k]) {
			return k - j, '\n'
		}
		return 0, 0
	}
	if k < len(s) && s[k] == ' ' {
		k++
	}
	if k >= len(s) || s[k] != '/' && s[k] != '-' {
		return 0, 0
	}
	c := s[k]
	k++
	if k < len(s) && s[k] == ' ' {
		k++
	}
	if c == '-' && (k-j != 3) { // a dash alone is a separator of every number
		return 0, 0
	}
	if k >= len(s) || !isDigit(s[k]) && s[k] != '(' {
		return 0, 0
	}
	return k - j, c
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
		return wordRune(r) || unicode.Is(unicode.Sc, r)
	}
	switch {
	case isASCIIWordByte(c):
		return true
	case c == ',' && s[i] == '+':
		return false // no amount goes on with "+": "5550109999,+4930123456" lists two numbers
	case c == '-':
		return i >= 2 && isASCIIWordByte(s[i-2]) // "ID-5551234567"
	case c == ',':
		return i >= 2 && isDigit(s[i-2]) // "1,234"; but "Jane,4155550134" lists fields
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
		return wordRune(r)
	}
	return isASCIIWordByte(c) || c == '_' || c == '@' || c == '%'
}

// startsAddress reports whether the local part of an e-mail address
// starts at s[k]: local-part bytes from there reach an '@' or a bracketed
// "at". Its digits are the address's, which the address rules replace,
// not a number's. A local part is at most maxLocalPart bytes long, and it
// reads no further: reading a run of such bytes to its end for each
// number in it ("4.-4.-…") took time the square of its length.
func startsAddress(s string, k int) bool {
	group := k
	for k < len(s) && k-group <= maxLocalPart && isLocalPartByte(s[k]) {
		k++
	}
	if k-group > maxLocalPart {
		return false
	}
	if k < len(s) && s[k] == '@' {
		return true
	}
	// A bracketed "at" may stand apart: "jane (at) example.com". The
	// address rule decides, so that a second pass over its mark reads
	// the number as the first did: "(a)" and "[a]" mark lists too.
	k = skipSpaces(s, k)
	if k >= len(s) {
		return false
	}
	_, _, ok := spelledEmailAround(s, k, group)
	return ok
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
// from lists of numbers and IP addresses (amounts grouped by thousands:
// see groupedAsThousands).
func phoneShaped(groups []int, seps int, plus bool) bool {
	// Only the country or trunk code and one group after it may be single
	// digits: "+33 6 12 34 56 78", "1 800 555 0199", but not "3 4 5 6 7";
	// after a '+', any ("+55 11 9 1234-5678", "+49 30 1234567-0").
	for k := 1; k < len(groups) && !plus; k++ {
		if groups[k] == 1 && k != 1 {
			return false
		}
	}
	// Dotted groups with a single digit after the first are a version:
	// "Chrome 124.0.6367.91", "Windows 10.0.19045.4291". Not right after
	// a country code: "+33.6.12.34.56.78" is a French mobile number
	// written as France writes its groups, with dots.
	if seps == sepDot {
		for k, g := range groups[1:] {
			if g == 1 && !(plus && k == 0) {
				return false
			}
		}
	}
	// Four dotted groups of at most three digits is an IP address, unless
	// a '+' says otherwise ("+34.612.345.678"; see octets).
	return seps&sepDot == 0 || len(groups) != 4 || max(groups[0], groups[1], groups[2], groups[3]) > 3 || plus
}

// octets reports whether the groups that start and end at starts and ends
// in s are each a number up to 255, an IPv4 address's.
func octets(s string, starts, ends []int) bool {
	for k := range starts {
		n, err := groupValue(s, starts[k], ends[k])
		if err != nil || n > 255 {
			return false
		}
	}
	return true
}

// groupValue returns the number a group of digits at s[start:end] holds,
// the brackets a group's span may take in ("(415)") left out.
func groupValue(s string, start, end int) (int, error) {
	return strconv.Atoi(strings.Trim(s[start:end], "()"))
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
