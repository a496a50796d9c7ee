package enrich

import "strings"

// RedactText's rule for phone numbers read out digit by digit: in words
// ("four one five, five five five, zero one three four", "seis uno dos
// tres…", "double five"), as single digits set apart by spaces ("4 1 5 5 5
// 5 0 1 3 4"), or the two mixed ("415 five five five 0134"); and in pairs,
// as people say them too ("five five five, twelve thirty-four", "zéro
// six, douze, trente-quatre…"). People write them so to get a number past
// a filter, or type what they would say.

// spokenDigit is what one word or group of digits of a number read out
// stands for.
type spokenDigit struct {
	kind  spokenKind
	value int8  // the digit, of a spokenWord; how many digits, of a spokenGroup; how many times, of spokenTimes; the number, of a spokenPair
	en    bool  // an English word: an "o" between two is a zero ("five o two")
	flags uint8 // what may follow a spokenPair in one number (see spokenJoin), and which languages have the word
}

type spokenKind int8

const (
	spokenNone    spokenKind = iota
	spokenWord               // a digit's word: "five", "cinco", "fünf"
	spokenTimes              // "double", "triple": the next digit, value times
	spokenHundred            // "hundred" after a digit ("one eight hundred"): two zeros
	spokenGroup              // up to four digits: "4", "555", "0134"
	spokenPair               // a number of two digits in words: "twelve", "thirty-four", "soixante-dix-huit"
)

// The flags of a spokenDigit: what may follow a spokenPair's word to make
// one number with it (see spokenJoin), and which languages have the word.
const (
	joinUnit    = 1 << iota // a digit from 1 to 9: "thirty-four", "treinta y cuatro", "vingt et un"
	joinTeen                // a French number from 10 to 19: "soixante-douze", "quatre-vingt-dix"
	joinDix                 // 7, 8 or 9 after "dix": "dix-sept"
	englishToo              // "once", "doze", "seize": a number only after a word of its own language
	englishAlso             // "six", "zero": a digit's word in English and another language
)

// spokenDigits are the words of digits in English, Spanish, Portuguese,
// French and German (lowercase; "o" is left out, Spanish for "or", and
// read only between English words, see spokenO), and of the numbers from
// 10 to 99 that a phone number is read out in pairs with ("five five
// five, twelve thirty-four", "zéro six, douze, trente-quatre…").
var spokenDigits = func() map[string]spokenDigit {
	english := [10]string{"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"}
	// Room for all the words (a map that grows copies them at start).
	m := make(map[string]spokenDigit, 200)
	m["double"], m["doble"] = spokenDigit{spokenTimes, 2, true, 0}, spokenDigit{spokenTimes, 2, false, 0}
	m["triple"], m["hundred"] = spokenDigit{spokenTimes, 3, true, 0}, spokenDigit{spokenHundred, 2, true, 0}
	defer func() {
		for v, w := range english {
			var flags uint8
			if _, also := m[w]; also { // "six", "zero": French's, Portuguese's
				flags = englishAlso
			}
			m[w] = spokenDigit{spokenWord, int8(v), true, flags}
		}
		m["oh"] = spokenDigit{spokenWord, 0, true, 0}
		addSpokenPairs(m)
	}()
	for _, words := range [][10]string{
		english,
		{"cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve"},
		{"zero", "um", "dois", "três", "quatro", "cinco", "seis", "sete", "oito", "nove"},
		{"zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf"},
		{"null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"},
	} {
		for v, w := range words {
			m[w] = spokenDigit{spokenWord, int8(v), false, 0}
		}
	}
	m["zwo"] = spokenDigit{spokenWord, 2, false, 0}
	// "fünf" as it is typed with no umlaut to hand.
	m["funf"] = spokenDigit{spokenWord, 5, false, 0}
	m["fuenf"] = spokenDigit{spokenWord, 5, false, 0}
	return m
}()

// addSpokenPairs adds to m the words of the numbers from 10 to 99 that
// stand alone, each as a spokenPair: the teens and tens of each language,
// the tens that take a digit after them marked so ("thirty-four"), and
// Spanish's 16 to 29, one word each ("dieciséis", "veintitrés"). German
// writes 21 to 99 as one word of a digit, "und" and the tens
// ("vierunddreißig"), which spokenCompoundAt reads.
func addSpokenPairs(m map[string]spokenDigit) {
	add := func(en bool, flags uint8, v int, words ...string) {
		for _, w := range words {
			m[w] = spokenDigit{spokenPair, int8(v), en, flags}
		}
	}
	for v, w := range []string{"ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen",
		"seventeen", "eighteen", "nineteen"} {
		add(true, 0, 10+v, w)
	}
	for v, w := range []string{"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"} {
		add(true, joinUnit, 20+10*v, w)
	}
	add(true, joinUnit, 40, "fourty")
	for v, ws := range [][]string{
		{"diez", "dez", "zehn"}, {"onze", "elf"}, {"doce", "douze", "zwölf", "zwolf", "zwoelf"},
		{"trece", "treze", "treize", "dreizehn"}, {"catorce", "catorze", "quatorze", "vierzehn"},
		{"quince", "quinze", "fünfzehn", "funfzehn", "fuenfzehn"},
		{"dieciséis", "dieciseis", "dezesseis", "dezasseis", "sechzehn"},
		{"diecisiete", "dezessete", "dezassete", "siebzehn"}, {"dieciocho", "dezoito", "achtzehn"},
		{"diecinueve", "dezenove", "dezanove", "neunzehn"},
		{"veinte", "zwanzig"}, {"veintiuno", "veintiún"}, {"veintidós", "veintidos"}, {"veintitrés", "veintitres"},
		{"veinticuatro"}, {"veinticinco"}, {"veintiséis", "veintiseis"}, {"veintisiete"}, {"veintiocho"},
		{"veintinueve"},
	} {
		add(false, 0, 10+v, ws...)
	}
	add(false, joinDix, 10, "dix")
	add(false, englishToo, 11, "once")
	add(false, englishToo, 12, "doze")
	add(false, englishToo, 16, "seize")
	for v, ws := range [][]string{
		{"vinte", "vingt"}, {"treinta", "trinta", "trente"}, {"cuarenta", "quarenta", "quarante"},
		{"cincuenta", "cinquenta", "cinquante"}, {"sesenta", "sessenta"}, {"setenta", "septante"},
		{"ochenta", "oitenta", "huitante", "octante"}, {"noventa", "nonante"},
	} {
		add(false, joinUnit, 20+10*v, ws...)
	}
	add(false, joinUnit|joinTeen, 60, "soixante")
	add(false, 0, 20, "vingts") // "quatre-vingts" (see spokenJoin)
	add(false, 0, 30, "dreißig", "dreissig")
	for v, ws := range [][]string{
		{"vierzig"}, {"fünfzig", "funfzig", "fuenfzig"}, {"sechzig"}, {"siebzig"}, {"achtzig"}, {"neunzig"},
	} {
		add(false, 0, 40+10*v, ws...)
	}
}

// spokenTable holds spokenDigits by their bytes packed in two uint64s
// (see packWord), at the slot spokenSlot gives or one of the few after
// it: every word of feedback is looked up, and a map's string hash cost
// as much as the rest of redaction together.
var spokenTable [1 << spokenSlotBits]spokenEntry

// spokenEntry is a word of spokenDigits, packed (see packWord), and what
// it stands for.
type spokenEntry struct {
	lo, hi uint64
	d      spokenDigit
}

// spokenSeed is the seed of spokenSlot under which every word of
// spokenDigits sits within spokenProbes slots of its own, so that a
// lookup reads at most that many; init tries seeds in turn. A slot of its
// own for each word fits 60 words in 512 slots (one seed in twenty), but
// not many more: for 160 no seed in 65536 does, while two in five put
// each within four slots.
var spokenSeed uint64

const (
	spokenSlotBits = 9
	spokenProbes   = 4
)

func init() {
	words := make([]spokenEntry, 0, len(spokenDigits))
	for w, d := range spokenDigits {
		lo, hi, _ := packWord(w, 0)
		words = append(words, spokenEntry{lo, hi, d})
		addBytePair(&spokenPairs, w[0], w[1])
		addBytePair(&spokenEnds, w[len(w)-2], w[len(w)-1])
	}
	for spokenSeed = 1; spokenSeed < 1<<16; spokenSeed++ {
		if fillSpokenTable(words) {
			return
		}
	}
	panic("enrich: no seed puts the words of spokenDigits near slots of their own")
}

// fillSpokenTable puts words in spokenTable under spokenSeed, each in the
// first free slot from its own, and reports whether every one is within
// spokenProbes slots of it.
func fillSpokenTable(words []spokenEntry) bool {
	clear(spokenTable[:])
	for _, w := range words {
		slot := spokenSlot(w.lo, w.hi)
		for n := 0; ; n++ {
			if n == spokenProbes {
				return false
			}
			if e := &spokenTable[(slot+uint64(n))%uint64(len(spokenTable))]; e.lo == 0 {
				*e = w
				break
			}
		}
	}
	return true
}

// spokenLookup returns the spokenDigit of the word packed in lo and hi.
func spokenLookup(lo, hi uint64) (spokenDigit, bool) {
	if lo == 0 {
		return spokenDigit{}, false
	}
	slot := spokenSlot(lo, hi)
	for n := range uint64(spokenProbes) {
		e := &spokenTable[(slot+n)%uint64(len(spokenTable))]
		if e.lo == lo && e.hi == hi {
			return e.d, true
		}
		if e.lo == 0 {
			break
		}
	}
	return spokenDigit{}, false
}

// spokenSlot is the slot of a packed word: its bits mixed with the seed
// by MurmurHash3's finalizer, the top spokenSlotBits of the result.
func spokenSlot(lo, hi uint64) uint64 {
	h := lo ^ (hi+spokenSeed)*0x9E3779B97F4A7C15
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h >> (64 - spokenSlotBits)
}

// packWord packs the word at s[i] into two uint64s, its letters in
// lowercase (ASCII, and Latin-1's capitals: "ZÉRO", "FÜNF", "TRÊS" as
// "zéro", "fünf", "três"), and returns them with the word's end; 0 when it
// is longer than sixteen bytes.
func packWord(s string, i int) (lo, hi uint64, end int) {
	k := i
	for ; k < len(s) && wordBytes[s[k]]; k++ {
		c := foldedByte(s, i, k)
		switch n := k - i; {
		case n < 8:
			lo |= uint64(c) << (8 * n)
		case n < 16:
			hi |= uint64(c) << (8 * (n - 8))
		default:
			return 0, 0, skipWordBytes(s, k)
		}
	}
	return lo, hi, k
}

// foldedByte is s[k], of the word at s[i], in lowercase: ASCII's
// capitals, and Latin-1's after their lead byte ("É" is C3 89, "é" C3 A9;
// C3 97 is '×').
func foldedByte(s string, i, k int) byte {
	c := lowerASCII(s[k])
	if k > i && s[k-1] == 0xC3 && 0x80 <= c && c <= 0x9E && c != 0x97 {
		c += 0x20
	}
	return c
}

const (
	// spokenMinDigits is the fewest digits a number read out needs after
	// a word that says a phone number follows ("call", "my number is");
	// spokenBareDigits without one.
	spokenMinDigits  = 7
	spokenBareDigits = 10
	// spokenMaxGap is the most separators between two of its words: ", ",
	// " - ", ". ".
	spokenMaxGap = 3
	// spokenMaxWords is the most words and groups of digits read as one
	// number, twice what the longest phone number read out takes ("plus
	// four four seven seven zero zero, nine double oh, one two three,
	// extension two zero four"). A run turned down is read again from
	// its second word, and so on: without a bound a text of thousands of
	// digit words ("5 5 5 …", "one one one …") took time the square of
	// its length, 12 s for 62 KB of "1 2 1 2 …".
	spokenMaxWords = 32
)

// redactSpokenPhones replaces with [phone] the numbers in s read out
// digit by digit: a run of digit words, numbers of two digits in words
// ("twelve", "thirty-four"), single digits and groups of up to four
// digits (five after a 0), with three words or single digits at least,
// that does not count up or down ("zero one two … nine", "1 2 … 10",
// "call one, two, three, four, five, six, seven times"), nor reads as
// times, years or tens ("nine fifteen, ten thirty", "twenty, thirty,
// forty, fifty"), holding spokenMinDigits digits after a word that says a
// phone number follows, or spokenBareDigits without one unless it is a
// list or a reference: it repeats one digit; holds only the digits of
// ratings (1 to 5) or of bits, not set apart 3, 3 and 4 as a phone
// number's ("two one three, five five five, one two three four"); has a
// comma after each digit; holds numbers of two digits and no group of
// three or four, unless it is French's five pairs from a trunk 0 ("zéro
// six, douze, trente-quatre, cinquante-six, soixante-dix-huit"); pairs its
// digits as scores ("3-1, 2-0"); or follows a word that names a reference
// ("order"). It returns s itself when there is none.
func redactSpokenPhones(s string) string {
	w := rewriter{s: s}
	for i := skipNonWord(s, 0); i < len(s); {
		if e := skipWordBytes(s, i); !spokenStart(s, i) || !isDigit(s[i]) && !spokenEnd(s, i, e) { // most words
			i = skipNonWord(s, e)
			continue
		}
		end, ok := spokenNumberAt(s, i)
		if !ok { // end is the word's
			i = skipNonWord(s, end)
			continue
		}
		start := i
		if start > w.last && s[start-1] == '(' {
			start-- // "(4 1 5) 5 5 5 - 0 1 3 4"
		}
		w.replace(start, end, phoneMark)
		i = skipNonWord(s, end)
	}
	return w.String()
}

// spokenNumberAt returns the end of a number read out that starts at
// s[i] (see redactSpokenPhones), and whether there is one; when there is
// none, the end of the word at s[i] or of the run read.
func spokenNumberAt(s string, i int) (end int, ok bool) {
	d, e, ok := spokenToken(s, i)
	if !ok {
		return e, false
	}
	if d.kind == spokenGroup && dateSepAt(s, e) && dateAt(s, i) {
		return skipDate(s, i), false // "6/7/2024, 6/8/2024": dates, not digits read out
	}
	if d.flags&englishToo != 0 {
		return e, false // "once five five five…"
	}
	first := e
	var (
		digits, spoken int  // digits in all; words and single digits
		last           = -1 // the last digit word or single digit, to tell counting
		up, down, same = true, true, true
		times          = 1    // a "double" or "triple" before the next digit
		seen           uint16 // the digits of words and single digits, a bit each
		tens, long     bool   // a group of two digits with no 0 first ("10", "12"); of three or four
		pairs          int    // single digits joined by a dash alone, "3-1", none in a chain
		chained        bool   // "4-1-5": a dash alone on both sides of a digit
		dataNull       bool   // "null" beside digits: "null,3,null,8"
		cue            int    // a phone word before, once asked: 1 no, 2 yes
		wraps          int    // line breaks
		words          int    // words and groups read (see spokenMaxWords)
		layout         uint32 // the digits between commas, dashes, slashes or brackets: 4 bits each, the last lowest
		segStart       int    // digits before the last of them
		commas         = true // digits alone, a comma after each: "7, 8, 6, 9"
		pairWords      int    // numbers of two digits in words: "twelve", "thirty-four"
		roundTens      = true // those alone, and all tens: "twenty, thirty, forty, fifty"
		french         pairReading
		clock          clockReading
		before         uint8 // the separators before d, as bits of spokenGapBytes
		pairsLead      int   // the end of the numbers of two digits in words the run starts with
		leadDigits     int   // their digits
		pairsOnly      = true
	)
run:
	for {
		french.add(d, before)
		clock.add(d, before)
		roundTens = roundTens && d.kind == spokenPair && d.value%10 == 0
		if pairsOnly = pairsOnly && d.kind == spokenPair; pairsOnly {
			pairsLead, leadDigits = e, digits+2
		}
		switch d.kind {
		case spokenTimes:
			times = int(d.value)
			up, down = false, false
		case spokenHundred:
			if last < 0 {
				return first, false // "a hundred", "hundreds"
			}
			// "one eight hundred", "oh eight hundred", "nine hundred":
			// the prefix of a free or a premium number; any other is an
			// amount ("six hundred, seven hundred, eight hundred users"),
			// which ends the run.
			if last < 8 || digits > 2 {
				break run
			}
			digits += 2
			up, down, same = false, false, false
		case spokenGroup:
			digits += int(d.value)
			if d.value > 1 { // counting goes on past 9: "1 2 … 9 10 11"
				v := atoiDigits(s[e-int(d.value) : e])
				tens = tens || d.value == 2 && v >= 10 && !(e-2 == i && i > 0 && s[i-1] == '+') // not "+44"
				long = long || d.value > 2
				up = up && (last < 0 || v == last+1) // "10 11 12 …", "20 19 18 … 1"
				down = down && (last < 0 || v == last-1)
				same, last = false, v
				break
			}
			fallthrough // a single digit counts as a digit word
		case spokenWord:
			v := int(d.value)
			if d.kind == spokenGroup {
				v = int(s[e-1] - '0')
			} else {
				digits += times
			}
			times = 1
			spoken++
			seen |= 1 << v
			if last >= 0 {
				up = up && (v == last+1 || last == 9 && v == 0)
				down = down && (v == last-1 || last == 0 && v == 9)
				same = same && v == last
			}
			last = v
		case spokenPair:
			// Two digits, as a group of two ("12", "34"), and a word.
			v := int(d.value)
			digits += 2
			spoken++
			pairWords++
			tens = true
			seen |= 1<<(v/10) | 1<<(v%10)
			up = up && (last < 0 || v == last+1) // "eight, nine, ten, eleven"
			down = down && (last < 0 || v == last-1)
			same, last, times = false, v, 1
		}
		end = e
		if words++; words >= spokenMaxWords {
			break
		}
		// The next word, past a few separators; or past one line break,
		// after a word that says a phone number follows, as a hard-wrapped
		// e-mail breaks one ("call me at four one five\nfive five five …").
		k, gap := e, uint8(0)
		for k < len(s) && k-e < spokenMaxGap {
			b := spokenGapBytes[s[k]]
			if b == 0 || b&gap&gapNewline != 0 {
				break
			}
			gap |= b
			k++
		}
		if k == e || k >= len(s) {
			break
		}
		wrapped := gap&(gapNewline|gapReturn) != 0
		if wrapped {
			if wraps++; wraps > 1 {
				break // lines of digits: a table, not one number
			}
			if cue == 0 {
				cue = 1
				if phoneCueBefore(s, i) || calledAt(s, i) {
					cue = 2
				}
			}
			if cue == 1 {
				break
			}
		}
		if gap&gapSpace == 0 && gap&(gapDot|gapComma) != 0 && isDigit(s[e-1]) && isDigit(s[k]) {
			break // "10.0.0.1", "1.3.6.1", "1,5": one number, not digits read out
		}
		next, ne, ok := spokenToken(s, k)
		if !ok && ne == k+1 && d.en && spokenO(s, k) {
			next, ok = spokenDigit{spokenWord, 0, true, 0}, true
		}
		if !ok || next.kind == spokenGroup && dateSepAt(s, ne) && dateAt(s, k) { // "… 4, 6/8/2024": a date is no part of one
			break
		}
		// After French's five pairs, a number of two digits is another's:
		// "… soixante-dix-huit, vingt minutes plus tard".
		if next.kind == spokenPair && (french.read() || !spokenPairJoins(s, d, next, e, k, ne, digits, pairWords, layout, digits-segStart)) {
			break
		}
		if d.kind == spokenGroup && next.kind == spokenWord && next.value == 0 && nullAt(s, k, ne) ||
			next.kind == spokenGroup && d.kind == spokenWord && d.value == 0 && nullAt(s, e-4, e) {
			dataNull = true
		}
		if k == e+1 && s[e] == '-' && d.kind == spokenGroup && d.value == 1 && next.kind == spokenGroup && next.value == 1 {
			pairs++
			chained = chained || e >= 2 && s[e-2] == '-'
		}
		if gap&(gapComma|gapMark|gapNewline) != 0 {
			layout = layout<<4 | uint32(min(digits-segStart, 15))
			segStart = digits
		}
		commas = commas && d.kind == spokenGroup && next.kind == spokenGroup && gap&gapComma != 0
		d, e, before = next, ne, gap
	}
	// A run turned down that starts with numbers of two digits in words
	// is read again from the word after them, when what is left may be a
	// phone number's, 15 digits at most: "Room twelve four one five five
	// five five zero one three four", "Nineteen ninety-nine. 4 1 5 5 5 5
	// 0 1 3 4". (A longer one read again for each would take time the
	// square of its length.)
	rest := end
	if pairsLead > 0 && !pairsOnly && digits-leadDigits <= 15 {
		rest = pairsLead
	}
	if spoken < 3 || digits < spokenMinDigits {
		return first, false
	}
	// "null" is German's zero among German words, and a value left out
	// among digits: "null,3,null,8,null,6,null,9,null,7" is a row of data.
	if dataNull {
		return rest, false
	}
	// A count is none after a phone word either: "I had to call one,
	// two, three, four, five, six, seven times", "SMS 2 3 4 5 6 7 8 9
	// credits left".
	if up || down {
		return rest, false
	}
	// Numbers of two digits in words read as times of day or years
	// ("call me at nine fifteen, ten thirty, eleven", "my phone number
	// since twenty nineteen, twenty twenty-one"), or tens alone, a count
	// ("called twenty, thirty, forty, fifty times"), are none either.
	if pairWords > 0 && (clock.read() || roundTens) {
		return rest, false
	}
	// A phone word, or a verb of calling and whom it calls ("call me
	// tomorrow morning on", "reach me any weekday at"), as before digits;
	// or whose phone it is, after them ("… is my number"), unless a
	// reference names them before ("Order five five five … (my new
	// phone)"), as for digits (see namedBefore).
	if cue == 2 || cue == 0 && (phoneCueBefore(s, i) || calledAt(s, i)) || phoneCueAfter(s, end) && !namedBefore(s, i) {
		return end, true
	}
	// The answer to a request for a phone number on the line before:
	// "Agent: What's the best number to reach you?\nCustomer: five five
	// five zero one three four" (phoneCueBefore reads a number of digits
	// to its end only).
	if answersPhoneQuestionTo(s, i, end) {
		return end, true
	}
	// Ratings ("5 4 5 3 4 5 5 4 5 5") hold digits from 1 to 5 only and
	// bits 0 and 1; a phone number seldom does.
	// But digits set apart as a phone number's are, 3, 3 and 4: "two one
	// three, five five five, one two three four".
	const ratings, bits = 0b111110, 0b11
	layout = layout<<4 | uint32(min(digits-segStart, 15))
	if digits >= spokenBareDigits && !same && (seen&^ratings != 0 && seen&^bits != 0 || layout == 0x334) {
		// Numbers of two digits among single ones, and none of three or
		// four, are a list of numbers: sizes "2 4 6 8 10 12 14", scores
		// out of ten "7 8 6 9 10 7 8 9 6 10", lines "3, 7, 9, 12, 15, 18".
		// A number read out has its groups of three or four ("646 five
		// five five 0123", "0 20 7946 0 9 5 8"), or a 0 before two.
		// But French reads a phone number in pairs, from a trunk 0:
		// "zéro six, douze, trente-quatre, cinquante-six, soixante-dix-huit".
		if tens && !long && !french.read() {
			return rest, false
		}
		// Digits with a comma after each are a list too: "Scores by
		// week: 7, 8, 6, 9, 8, 7, 9, 6, 7, 8". A number read out puts
		// commas between its groups ("415, 555, 0134"), if anywhere.
		if commas {
			return rest, false
		}
		// Single digits in pairs, each joined by a dash alone, are the
		// scores of games or sets: "3-1, 2-0, 4-2, 1-1, 5-0", "2-1 3-0
		// 1-1 0-2 4-1"; not "4-1-5-5-5-5-0-1-3-4".
		if pairs >= 2 && 2*pairs == spoken && !chained {
			return rest, false
		}
		// A word that names a reference ("order", "ticket", "IMEI",
		// "membership") makes the digits its number, as it does an
		// unbroken run of ten: all of them, not the run from its second.
		if cueBefore(s, i, referenceWords) && !phoneKeyBefore(s, i) || idNounBefore(s, i) {
			return rest, false
		}
		return end, true
	}
	// A run that holds numbers of two digits in words is not read again
	// from its second word: each one read again would take time the
	// square of a long list's.
	if pairWords > 0 {
		return rest, false
	}
	return first, false
}

// spokenPairJoins reports whether next, a number of two digits in words
// at s[k:ne], goes on the run whose last word d ends at s[e], with its
// digits and pairWords so far, the layout of its groups before the last,
// and seg digits in the last. It does not after a word of another
// language ("seis siete ocho, twelve days ago"; "once" after English is
// "once more"), a bracket ("… (twelve)"), a whole number's groups, 3 and
// 4, 3, 3 and 4 or 3, 3 and 3 ("… five five five, twelve thirty-four,
// twelve days ago"), or a whole number's digits read one by one, ten, or
// seven or nine in one group ("… five five five zero one three four
// twenty minutes later"); nor with a count after it ("… ten times a
// day").
func spokenPairJoins(s string, d, next spokenDigit, e, k, ne, digits, pairWords int, layout uint32, seg int) bool {
	switch {
	case next.flags&englishToo != 0 && (d.en || d.kind == spokenGroup):
		return false
	case d.kind != spokenGroup && d.en != next.en && d.flags&englishAlso == 0:
		return false
	case strings.ContainsAny(s[e:k], "()"):
		return false
	case layout == 0x3 && seg == 4, layout == 0x33 && (seg == 4 || seg == 3):
		return false
	case pairWords == 0 && (digits >= 10 || layout == 0 && (digits == 7 || digits == 9)):
		return false
	}
	return !unitAfter(s, ne)
}

// pairReading follows a run as French reads a phone number, two digits
// at a time from a trunk 0: "zéro six, douze, trente-quatre,
// cinquante-six, soixante-dix-huit" (06 12 34 56 78), "zéro un, zéro
// deux, quarante-cinq…".
type pairReading struct {
	pairs  int   // pairs read
	half   bool  // a zero read, its digit to come: "zéro six"
	gap    uint8 // the separators between pairs, the same each time
	broken bool  // a word or digits no pair reads
}

// add reads d, after the separators gap.
func (p *pairReading) add(d spokenDigit, gap uint8) {
	switch {
	case p.broken:
	case p.half:
		p.half, p.broken = false, d.kind != spokenWord
		p.pairs++
		return
	case p.pairs == 1:
		p.gap = gap
	case gap != p.gap: // "zéro six, douze treize, quinze dix-sept": scores, not pairs
		p.broken = true
	}
	switch {
	case p.broken:
	case d.kind == spokenWord && d.value == 0:
		p.half = true
	case d.kind != spokenPair || p.pairs == 0: // "zéro six" first
		p.broken = true
	default:
		p.pairs++
	}
}

// read reports whether the run was a French phone number's five pairs.
func (p *pairReading) read() bool { return !p.broken && !p.half && p.pairs == 5 }

// clockReading follows a run as times of day or years read out: hours,
// each alone or with its minutes, round to five, later each time ("nine
// fifteen, ten thirty, eleven forty-five", "seven, seven thirty, eight",
// "eleven, twelve, one, two"); or centuries each with its year
// ("nineteen ninety-nine, twenty twenty-one"). The digits of a phone
// number seldom go so: "five five five, twelve thirty" does not.
type clockReading struct {
	lead   int  // the hour or century read, its minutes or year to come; 0 before one
	last   int  // the last time, in minutes from the first hour's midnight or noon
	times  int  // times read
	noon   bool // a time earlier than the last read, as after noon
	broken bool // a word or digits neither reads
}

// add reads d, after the separators gap: minutes or a year follow a
// space alone ("ten, ten thirty" is ten, then half past).
func (c *clockReading) add(d spokenDigit, gap uint8) {
	v := int(d.value)
	switch {
	case c.broken:
	case c.lead != 0 && gap == gapSpace && d.kind == spokenPair && (c.lead <= 12 && v%5 == 0 && v < 60 || c.lead >= 19):
		c.at(c.lead, v)
		c.lead = 0
	case c.lead >= 19: // a century with no year
		c.broken = true
	default:
		if c.lead != 0 {
			c.at(c.lead, 0) // an hour alone: "seven, seven thirty"
		}
		c.lead = v
		c.broken = c.broken || !(d.kind == spokenWord && v >= 1 || d.kind == spokenPair && (v <= 12 || v == 19 || v == 20))
	}
}

// at reads the time h:m, or the year h m, after the last.
func (c *clockReading) at(h, m int) {
	if h >= 19 {
		return
	}
	t := h%12*60 + m
	if c.noon {
		t += 12 * 60
	}
	if c.times > 0 && t < c.last && !c.noon {
		c.noon = true
		t += 12 * 60
	}
	c.broken = c.broken || c.times > 0 && t <= c.last
	c.last = t
	c.times++
}

// read reports whether the run was times or years, an hour alone last
// read too (on a copy).
func (c clockReading) read() bool {
	if c.lead != 0 && !c.broken {
		c.at(c.lead, 0)
	}
	return !c.broken && c.lead < 19
}

// spokenToken reads the word or digits at s[i] as part of a number read
// out: a word of spokenDigits, or up to four digits, five after a 0 (a
// spokenGroup); ok is false when it is neither. e is the word's end
// either way.
func spokenToken(s string, i int) (d spokenDigit, e int, ok bool) {
	k := i
	for k < len(s) && '0' <= s[k] && s[k] <= '9' {
		k++
	}
	if k > i {
		// Up to four digits, or five after a trunk 0: a British area
		// code ("07700 nine double oh one two three", "01632").
		if k-i > 4 && !(k-i == 5 && s[i] == '0') || k < len(s) && wordBytes[s[k]] {
			return d, skipWordBytes(s, k), false
		}
		return spokenDigit{spokenGroup, int8(k - i), false, 0}, k, true
	}
	return spokenWordAt(s, i)
}

// spokenWordAt reads the word at s[i] as a word of spokenDigits, or as a
// number of two digits in words, whole ("thirty-four", "soixante-dix-huit",
// "vierunddreißig"); e is the word's end, or the number's.
func spokenWordAt(s string, i int) (d spokenDigit, e int, ok bool) {
	if !spokenStart(s, i) {
		return d, skipWordBytes(s, i), false
	}
	lo, hi, e := packWord(s, i)
	if d, ok = spokenLookup(lo, hi); ok {
		d, e = spokenJoin(s, d, e)
		return d, e, true
	}
	if e-i >= len("einundvierzig") {
		return spokenCompoundAt(s, i, e)
	}
	return d, e, false
}

// spokenJoin returns the number that the word d, which ends at s[e],
// makes with the words after it, joined by a dash or a space, and the
// number's end: a digit after tens ("thirty-four", "twenty one", "vingt
// et un", "treinta y cuatro", "trinta e quatro"); French's 70 to 99
// ("soixante-dix", "soixante et onze", "quatre-vingts",
// "quatre-vingt-dix-sept") and 17 to 19 ("dix-sept"). Any other word is
// d itself.
func spokenJoin(s string, d spokenDigit, e int) (spokenDigit, int) {
	if d.kind == spokenWord && d.value == 4 && !d.en { // "quatre-vingt(s)"
		n, ne, ok := spokenJoined(s, e, false)
		if !ok || n.kind != spokenPair || n.value != 20 || !isVingt(s[e+1:ne]) {
			return d, e
		}
		d, e = spokenDigit{spokenPair, 80, false, joinUnit | joinTeen}, ne
		if s[e-1]|0x20 == 's' {
			return d, e // "quatre-vingts" is 80 alone
		}
	}
	if d.kind != spokenPair || d.flags&(joinUnit|joinTeen|joinDix) == 0 {
		return d, e
	}
	n, ne, ok := spokenJoined(s, e, d.flags&joinUnit != 0 && !d.en)
	switch {
	case !ok:
	case n.kind == spokenWord && n.value >= 1 && d.flags&joinUnit != 0:
		return spokenDigit{spokenPair, d.value + n.value, d.en, 0}, ne
	case n.kind == spokenWord && n.value >= 7 && d.flags&joinDix != 0:
		return spokenDigit{spokenPair, d.value + n.value, false, 0}, ne
	case n.kind == spokenPair && n.value >= 10 && n.value <= 19 && d.flags&joinTeen != 0:
		return spokenDigit{spokenPair, d.value + n.value, false, 0}, ne
	}
	return d, e
}

// spokenJoined reads the word after a dash or a space at s[e] as
// spokenJoin joins it, past "et", "y" or "e" when and is set, and returns
// it with its end. A French teen comes whole: "dix-sept".
func spokenJoined(s string, e int, and bool) (d spokenDigit, ne int, ok bool) {
	if e+1 >= len(s) || s[e] != '-' && s[e] != ' ' {
		return d, e, false
	}
	k := e + 1
	if and {
		if j := skipWordBytes(s, k); j+1 < len(s) && (s[j] == '-' || s[j] == ' ') && isAnd(s[k:j]) {
			k = j + 1
		}
	}
	if !spokenStart(s, k) || isDigit(s[k]) {
		return d, e, false
	}
	lo, hi, ne := packWord(s, k)
	if d, ok = spokenLookup(lo, hi); !ok {
		return d, e, false
	}
	if d.flags&joinDix != 0 {
		d, ne = spokenJoin(s, d, ne)
	}
	return d, ne, true
}

// isAnd reports whether w is the word for "and" between tens and a digit:
// French "et", Spanish "y", Portuguese "e".
func isAnd(w string) bool {
	return strings.EqualFold(w, "et") || strings.EqualFold(w, "y") || strings.EqualFold(w, "e")
}

// isVingt reports whether w is "vingt" or "vingts", in any case.
func isVingt(w string) bool {
	return strings.EqualFold(w, "vingt") || strings.EqualFold(w, "vingts")
}

// spokenCompoundAt reads the word s[i:e] as German writes 21 to 99: a
// digit, "und" and tens, as one word ("vierunddreißig",
// "einundzwanzig", "sechsundfuenfzig").
func spokenCompoundAt(s string, i, e int) (d spokenDigit, end int, ok bool) {
	u := i + len("ein") // the shortest digit
	for u+len("und") < e && !strings.EqualFold(s[u:u+len("und")], "und") {
		u++
	}
	if u+len("und") >= e {
		return d, e, false
	}
	lo, hi, _ := packWord(s[:e], u+3)
	tens, ok := spokenLookup(lo, hi)
	if !ok || tens.kind != spokenPair || tens.value < 20 || tens.value%10 != 0 || tens.en {
		return d, e, false
	}
	unit := int8(1)
	if !strings.EqualFold(s[i:u], "ein") {
		lo, hi, _ = packWord(s[:u], i)
		digit, ok := spokenLookup(lo, hi)
		if !ok || digit.kind != spokenWord || digit.value == 0 || digit.en {
			return d, e, false
		}
		unit = digit.value
	}
	return spokenDigit{spokenPair, tens.value + unit, false, 0}, e, true
}

// spokenStart reports whether the word at s[i] may be a digit or a word
// of spokenDigits, by its first two bytes (see spokenPairs).
func spokenStart(s string, i int) bool {
	c := s[i]
	if '0' <= c && c <= '9' {
		return true
	}
	if i+1 >= len(s) {
		return false
	}
	return hasBytePair(&spokenPairs, lowerASCII(c), lowerASCII(s[i+1]))
}

// spokenPairs and spokenEnds are sets of the first and the last two
// bytes of the words of spokenDigits, a bit each (init fills them).
var spokenPairs, spokenEnds [1 << 16 / 64]uint64

func addBytePair(t *[1 << 16 / 64]uint64, a, b byte) {
	k := uint16(a)<<8 | uint16(b)
	t[k>>6] |= 1 << (k & 63)
}

func hasBytePair(t *[1 << 16 / 64]uint64, a, b byte) bool {
	k := uint16(a)<<8 | uint16(b)
	return t[k>>6]&(1<<(k&63)) != 0
}

// spokenEnd reports whether the word s[i:e] may be a word of
// spokenDigits, or German's 21 to 99 (see spokenCompoundAt), by its last
// two bytes (see spokenEnds): most words that start as one does end
// otherwise ("the", "for", "seen", "set"), and need no lookup.
func spokenEnd(s string, i, e int) bool {
	if e-i < 2 {
		return false
	}
	return hasBytePair(&spokenEnds, foldedByte(s, i, e-2), foldedByte(s, i, e-1))
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// atoiDigits is the value of a few ASCII digits.
func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// spokenO reports whether the "o" at s[k] is a zero, as English says
// one: between two English words of a number read out ("five o two",
// "double o seven"); not in "cinco o seis", Spanish for "or".
func spokenO(s string, k int) bool {
	if s[k]|0x20 != 'o' {
		return false
	}
	j := k + 1
	for j < len(s) && j-k-1 < spokenMaxGap && spokenGapBytes[s[j]]&^(gapReturn|gapNewline) != 0 {
		j++
	}
	if j == k+1 || j >= len(s) {
		return false
	}
	d, _, ok := spokenToken(s, j)
	return ok && d.en && d.kind == spokenWord
}

// nullAt reports whether s[i:e] is the word "null", in any case.
func nullAt(s string, i, e int) bool {
	return i >= 0 && e-i == 4 && strings.EqualFold(s[i:e], "null") && (i == 0 || !wordBytes[s[i-1]])
}

// skipDate returns the end of the date that dateAt finds at s[k].
func skipDate(s string, k int) int {
	k = skipDigitsOnly(s, k)
	k = skipDigitsOnly(s, k+1)
	return skipDigitsOnly(s, k+1)
}

// dateSepAt reports whether s[e], after a group of digits, may go on
// into a date: a dash, a slash or a dot (see dateAt).
func dateSepAt(s string, e int) bool {
	return e < len(s) && (s[e] == '-' || s[e] == '/' || s[e] == '.')
}

// The separators that may stand between the words of a number read out,
// as bits of spokenGapBytes: a line break at most once.
const (
	gapSpace   = 1 << iota // ' '
	gapDot                 // '.'
	gapComma               // ','
	gapMark                // '-', '(', ')', '/': a phone number's groups
	gapReturn              // '\r'
	gapNewline             // '\n'
)

var spokenGapBytes = [256]uint8{' ': gapSpace, '.': gapDot, ',': gapComma, '-': gapMark, '(': gapMark,
	')': gapMark, '/': gapMark, '\r': gapReturn, '\n': gapNewline}

// wordBytes is true for the bytes of a word: ASCII letters and digits, and
// the bytes of letters beyond ASCII ("é", "ü").
var wordBytes = func() (t [256]bool) {
	for c := range 256 {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c >= 0x80
	}
	return t
}()

// skipWordBytes returns the end of the word s[i] is in.
func skipWordBytes(s string, i int) int {
	for i < len(s) && wordBytes[s[i]] {
		i++
	}
	return i
}

// skipNonWord returns the start of the next word at or after s[i].
func skipNonWord(s string, i int) int {
	for i < len(s) && !wordBytes[s[i]] {
		i++
	}
	return i
}
