package enrich

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// numberMark is what RedactOutgoing leaves in place of a long number that
// RedactText kept.
const numberMark = "[number]"

// RedactOutgoing is RedactText made strict, for text that leaves the
// process: what an LLM is asked to tag.
//
// RedactText keeps what it cannot tell from a contact detail, since stored
// feedback is read by people and an order number, a build or a count is
// part of what the customer said. Its rules read context ("my number is",
// "call me on"), and context can always be written in a way they do not
// read ("my brand new number is 612 345 678", "HP 9123 4567", "jane at
// acmecorp.io"). A theme never hangs on a long number or on an address, so
// for text sent out RedactOutgoing also replaces, whatever surrounds them:
//
//   - every run of seven digits or more, in any script and however it is
//     broken up ("612 345 678", "(555) 0134-22", "555-O134" with letter O
//     for zero, "٠٥٥ ١٢٣ ٤٥٦٧"), with [number];
//   - every run of number words that stands for seven digits or more, in
//     the languages of RedactText's digit words and in Italian, Dutch,
//     Polish, Catalan, Turkish, the Scandinavian languages, Indonesian
//     and Russian ("five five five zero one three four", "tre tre tre uno
//     due tre quattro"), mixed with digits or not, with [number];
//   - every word joined to a domain by "@" set apart by spaces or encoded
//     ("jane.doe @ acme .io", "jane.doe&#064;acme.io", "%2540"), or by a
//     word for "at" ("jane at acmecorp.io", "jane.doe « at » acme.io",
//     "kovacs.anna kukac gmail.com", "my email is sarah at gmail"), and a
//     user name after the name of a mail service ("Gmail: sarah_connor"),
//     with [email].
//
// What it costs is a number the model does not see: "order 100234567"
// and "1,234,567 rows" go out as "order [number]" and "[number] rows";
// and a word before "at" and a domain goes with it ("we work at acme.io"
// goes out as "we [email]"); so does a list of short numbers that reads
// as one ("Android 12, 13, 14, 15" goes out as "Android [number]").
// Shorter numbers (versions, prices, counts), dates, times and spans of
// them ("2026-03-03 14:05", "9:00-17:30", "2019-2021"), and amounts and
// percentages ("$59.98, $59.98", "95%, 97%, 99%") go out as they are.
func RedactOutgoing(s string) string {
	s = RedactText(s)
	s = maskAddressShapes(s)
	s = maskNumberRuns(maskVanityNumbers(s))
	// A number's mark sets apart a word that a digit was joined to
	// ("555 0134Gmail: sarah_connor"): read the address shapes again.
	return takeSpokenDotsBefore(maskAddressShapes(s))
}

// takeSpokenDotsBefore widens each address mark in s over the parts of
// its user name that stand before it joined by a word for a dot, which
// the rules that read the address left ("camille point [email]" from
// "camille point dubois arobase orange point fr", "juergen punkt [email]").
func takeSpokenDotsBefore(s string) string {
	var out strings.Builder
	written := 0
	for from := 0; ; {
		m := strings.Index(s[from:], emailMark)
		if m < 0 {
			break
		}
		m += from
		start := m
		for n := 0; n < 3; n++ {
			k := start
			for k > 0 && s[k-1] == ' ' {
				k--
			}
			we := k
			for k > 0 && isASCIIWordByte(s[k-1]) {
				k--
			}
			w := strings.ToLower(s[k:we])
			if k == we || w == "period" || !(slices.Contains(dotWords, w) || moreDotWords[w]) || k == 0 || s[k-1] != ' ' {
				break // "period": "the trial period jane@…"
			}
			for k > 0 && s[k-1] == ' ' {
				k--
			}
			le := k
			for k > 0 && isLocalPartByte(s[k-1]) {
				k--
			}
			if k == le || k < written || determiners[strings.ToLower(s[k:le])] {
				break // "That's the point jane@acme.io made"
			}
			start = k
		}
		if start < m {
			out.WriteString(s[written:start])
			written = m
		}
		from = m + len(emailMark)
	}
	if written == 0 {
		return s
	}
	out.WriteString(s[written:])
	return out.String()
}

// maskVanityNumbers replaces the phone numbers written in part with the
// letters of a phone's keys after a toll-free or a bracketed area code,
// "1-800-FLOWERS", "1-877-DR-SMILE", "(555) GET-PIZZA", with numberMark:
// their letters stand for the seven digits of a number.
func maskVanityNumbers(s string) string {
	var out strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '1' && s[i] != '8' && s[i] != '(' || i > 0 && (isASCIIWordByte(s[i-1]) || s[i-1] == '-') {
			continue
		}
		if end := vanityAt(s, i); end > 0 {
			out.WriteString(s[written:i])
			out.WriteString(numberMark)
			written, i = end, end-1
		}
	}
	if written == 0 {
		return s
	}
	out.WriteString(s[written:])
	return out.String()
}

// vanityAt returns where the vanity number at s[i:] ends, or 0: an area
// code, "1-8NN", "8NN" (toll-free) or "(NNN)", then groups of capitals and
// digits set apart by dashes, dots or spaces, seven or eight of them with
// three capitals or more. Only after "1" may the groups be set apart by
// spaces: "(500) NOT FOUND" and "800 NEW USERS" are no number.
func vanityAt(s string, i int) int {
	spaced := s[i] == '1' // after "1 800" the groups may be set apart by spaces too
	sep := func(c byte) bool { return c == '-' || c == '.' || c == ' ' && spaced }
	k := i
	switch {
	case s[k] == '(':
		if len(s) < k+6 || !isDigits(s[k+1:k+4]) || s[k+4] != ')' || s[k+5] != ' ' {
			return 0
		}
		k += 6
	default:
		if s[k] == '1' {
			if len(s) < k+2 || !sep(s[k+1]) {
				return 0
			}
			k += 2
		}
		if len(s) < k+4 || s[k] != '8' || !isDigits(s[k+1:k+3]) || s[k+1] != s[k+2] || !sep(s[k+3]) {
			return 0 // 800, 833, 844, 855, 866, 877, 888
		}
		k += 4
	}
	chars, capitals, end := 0, 0, 0
	for k < len(s) {
		g := k
		for k < len(s) && (s[k] >= 'A' && s[k] <= 'Z' || s[k] >= '0' && s[k] <= '9') {
			if s[k] >= 'A' {
				capitals++
			}
			k++
		}
		if k-g < 2 || k < len(s) && isASCIIWordByte(s[k]) {
			break // "1-800 Flowers", a word in small letters
		}
		chars += k - g
		if chars > 8 {
			return 0
		}
		end = k
		if k+1 >= len(s) || !sep(s[k]) || s[k] == ' ' && chars >= 7 {
			break
		}
		k++
	}
	if chars < 7 || capitals < 3 {
		return 0
	}
	return end
}

// minRunDigits is how many digits a run must stand for to be replaced:
// the fewest a phone number has once an area code is left off (555 0134).
const minRunDigits = 7

// The limits on what may stand between two parts of one number: a few
// signs and any spaces ("555 - 0134", "(555) 0134", "five, five", "415
// ---- 555"), on at most four lines.
const (
	maxGapRunes = 8
	maxGapSigns = 3
)

// readOutWords are the words a number is read out in, each with how many
// digits it stands for: a digit's word one, a number from 10 to 99 two,
// "hundred" two, "thousand" three; "double" and "triple" add one and two
// to the digit after them. The words of RedactText's digits
// (spokenDigits) are all here.
var readOutWords = func() map[string]int8 {
	m := make(map[string]int8, 400)
	for w, d := range spokenDigits {
		switch d.kind {
		case spokenWord:
			m[w] = 1
		case spokenPair, spokenHundred:
			m[w] = 2
		case spokenTimes:
			m[w] = d.value - 1
		}
	}
	add := func(n int8, words string) {
		for _, w := range strings.Fields(words) {
			m[w] = n
		}
	}
	// "to" (Norwegian for two) and "en" (Swedish for one) are left out:
	// in English and French they stand between numbers too often ("from
	// 1,200 to 5,000").
	add(1, "o nought naught")                                                           // English
	add(2, "treble")                                                                    // "treble five", two more
	add(3, "thousand tausend mil mille mila duizend tysiąc тысяча")                     // three zeros
	add(1, "uno due tre quattro cinque sei sette otto nove")                            // Italian
	add(2, "dieci undici dodici tredici quattordici quindici sedici diciassette")       //
	add(2, "diciotto diciannove venti trenta quaranta cinquanta sessanta settanta")     //
	add(2, "ottanta novanta")                                                           //
	add(1, "nul een één twee drie vier vijf zes zeven negen")                           // Dutch
	add(2, "tien twaalf dertien veertien vijftien zestien zeventien achttien")          //
	add(2, "negentien twintig dertig veertig vijftig zestig zeventig tachtig negentig") //
	add(1, "jeden jedna dwa dwie trzy cztery pięć piec sześć szesc siedem osiem")       // Polish
	add(1, "dziewięć dziewiec")                                                         //
	add(1, "u dues set quatre cinc sis vuit nou")                                       // Catalan
	add(1, "sıfır sifir bir iki üç dört dort beş bes altı alti yedi sekiz dokuz")       // Turkish
	add(1, "noll ett ena två tva tre fyra fem sju åtta atta nio seks syv otte åtte")    // Scandinavian
	add(1, "nol kosong satu dua tiga empat lima enam tujuh delapan sembilan")           // Indonesian
	add(1, "ноль один одна два две три четыре пять шесть семь восемь девять")           // Russian
	add(2, "десять одиннадцать двенадцать тринадцать четырнадцать пятнадцать шестнадцать")
	add(2, "семнадцать восемнадцать девятнадцать двадцать тридцать сорок пятьдесят")
	add(2, "шестьдесят семьдесят восемьдесят девяносто")
	add(3, "сто двести триста четыреста пятьсот шестьсот семьсот восемьсот девятьсот")
	add(1, "нуль дві чотири п'ять шість сім вісім дев'ять")                              // Ukrainian
	add(2, "dziesięć jedenaście dwanaście trzynaście czternaście piętnaście szesnaście") // Polish
	add(2, "siedemnaście osiemnaście dziewiętnaście dwadzieścia trzydzieści czterdzieści")
	add(2, "pięćdziesiąt sześćdziesiąt siedemdziesiąt osiemdziesiąt dziewięćdziesiąt")
	add(3, "sto dwieście trzysta czterysta pięćset sześćset siedemset osiemset dziewięćset")
	add(1, "nula jedna jeden dvě tři čtyři pět šest sedm osm devět")                        // Czech
	add(1, "jedan dva tri četiri pet sedam osam devet")                                     // Croatian, Serbian; Czech "dva"
	add(1, "nolla yksi kaksi kolme neljä viisi kuusi seitsemän kahdeksan yhdeksän")         // Finnish
	add(1, "nulla egy kettő két három négy öt hat hét nyolc kilenc")                        // Hungarian
	add(1, "unu doi două doua trei patru cinci șase şase sase șapte şapte sapte nouă noua") // Romanian
	add(1, "μηδέν μηδεν ένα ενα δύο δυο τρία τρια τέσσερα τεσσερα πέντε πεντε έξι εξι")     // Greek
	add(1, "επτά επτα εφτά εφτα οκτώ οκτω οχτώ οχτω εννέα εννεα εννιά εννια")               //
	add(1, "शून्य एक दो तीन चार पांच पाँच छह छः सात आठ नौ")                                 // Hindi
	add(1, "صفر واحد اثنان اثنين ثلاثة أربعة اربعة خمسة ستة سبعة ثمانية تسعة")              // Arabic
	add(1, "یک دو سه چهار پنج شش هفت هشت نه")                                               // Persian
	add(1, "ศูนย์ หนึ่ง สอง สาม สี่ ห้า หก เจ็ด แปด เก้า")                                  // Thai
	add(1, "không một hai ba bốn năm sáu bảy tám chín")                                     // Vietnamese
	add(1, "sifuri moja mbili tatu nne tano sita saba nane tisa")                           // Swahili
	add(1, "sero isa dalawa tatlo apat anim pito walo siyam")                               // Tagalog
	add(1, "bat bi hiru lau bost zazpi zortzi bederatzi")                                   // Basque
	// Japanese kana and Korean (Sino-Korean) digits, which are written
	// without spaces ("いちにさんよん", "공일공"): see gluedNumber.
	add(1, "ゼロ ぜろ れい レイ まる マル いち イチ に ニ さん サン し シ よん ヨン ご ゴ ろく ロク")
	add(1, "しち シチ なな ナナ はち ハチ きゅう キュウ キュー く ク")
	add(1, "공 영 일 이 삼 사 오 육 칠 팔 구")
	return m
}()

// maxNumberWord is the longest of readOutWords, in bytes.
var maxNumberWord = func() int {
	n := 0
	for w := range readOutWords {
		n = max(n, len(w))
	}
	return n
}()

// gluedNumber reads a word made of number words written without spaces
// ("fivefivefive", "nulleinssieben", "いちにさんよん", "공일공"), two or
// more of them, and returns the digits they stand for. Words of one
// Latin letter ("o", "u") are not read inside another.
func gluedNumber(w string) (int, bool) {
	if len(w) > 4*maxNumberWord {
		return 0, false
	}
	// best[i]: the digits of w[:i] read as number words, -1 when it
	// cannot be; pieces[i]: how many words.
	var bestBuf, piecesBuf [4 * 64]int
	best, pieces := bestBuf[:len(w)+1], piecesBuf[:len(w)+1]
	for i := range best {
		best[i] = -1
	}
	best[0] = 0
	for i := 0; i < len(w); i++ {
		if best[i] < 0 || !utf8.RuneStart(w[i]) {
			continue
		}
		for j := i + 2; j <= len(w) && j-i <= maxNumberWord; j++ {
			d, ok := readOutWords[w[i:j]]
			if !ok {
				continue
			}
			if best[j] < 0 || pieces[j] > pieces[i]+1 {
				best[j], pieces[j] = best[i]+int(d), pieces[i]+1
			}
		}
	}
	if best[len(w)] <= 0 || pieces[len(w)] < 2 {
		return 0, false
	}
	return best[len(w)], true
}

// englishNumberWord reports whether w, a number word, is English.
func englishNumberWord(w string) bool {
	if d, ok := spokenDigits[w]; ok {
		return d.en
	}
	switch w {
	case "o", "nought", "naught", "treble", "thousand":
		return true
	}
	return false
}

// amountSigns are signs that make the numbers on either side amounts,
// which no phone number is written with: between two numbers, one ends a
// run ("Charged twice: $59.98, $59.98", "CPU at 95%, 97%, 99%, 100%").
const amountSigns = "%$€£¥₹°‰"

// numberJoins are the words that join a tens word and a digit into one
// number ("treinta y cuatro", "vingt et un"), or two parts of one ("one
// hundred and five"): they may stand between the words of a run.
var numberJoins = map[string]bool{"and": true, "y": true, "e": true, "et": true, "und": true}

// maskNumberRuns replaces every run of digits and number words that
// stands for minRunDigits digits or more with numberMark (see
// RedactOutgoing).
func maskNumberRuns(s string) string {
	var (
		out                      strings.Builder
		written                  int  // s[:written] is in out
		runStart, runEnd, digits int  // the run being read: s[runStart:runEnd], digits in it
		inRun                    bool //
		gapRunes, gapSigns, nl   int  // since the run's last part
		joined                   bool // a joining word since the run's last part
		tens                     bool // the run's last part is a tens word: a digit after it is part of it
		lastWord                 bool // the run's last part is a word, which a joining word may follow
		marks                    int  // RedactText's phone marks in the run
		foreign                  bool // the run's last part is a number word, not English
	)
	closeRun := func() {
		if inRun && digits >= minRunDigits && digits > marks*minRunDigits && !datesAndTimes(s[runStart:runEnd]) {
			if out.Len() == 0 {
				out.Grow(len(s))
			}
			out.WriteString(s[written:runStart])
			out.WriteString(numberMark)
			written = runEnd
		}
		inRun, joined, tens = false, false, false
	}
	gapOK := func() bool { return gapRunes <= maxGapRunes && gapSigns <= maxGapSigns && nl <= 3 }
	var lastSign rune // the sign the gap's last rune was
	for i := 0; i < len(s); {
		if inRun && (s[i] == '&' || s[i] == '<') {
			if n := markupSpace(s[i:]); n > 0 {
				i += n // "612&nbsp;345", "612<br>345"
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var (
			n      int // digits the part stands for, -1 when it is not part of a number
			end    = i + size
			isTen  bool
			join   bool
			isWord bool
			isMark bool
		)
		switch {
		case numeral(r):
			n = 1
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if !numeral(r) && !(lookAlikeDigit(r) && (lookAlikeRun(s, end) || digitAfter(s, end))) {
					break
				}
				end += size
				n++
			}
		case unicode.IsLetter(r):
			for end < len(s) {
				r, size := utf8.DecodeRuneInString(s[end:])
				if numeral(r) || !unicode.IsLetter(r) && !unicode.IsMark(r) && !innerApostrophe(s, end, r) {
					break
				}
				end += size
			}
			word := s[i:end]
			switch {
			case word == "phone" && i > 0 && s[i-1] == '[' && end < len(s) && s[end] == ']':
				// RedactText's mark, which a piece of the number it did
				// not read may follow ("[phone]-O3"): the piece goes with
				// it, the mark alone stays.
				n, i, end, isMark = minRunDigits, i-1, end+1, true
			case lookAlikeRun(s, i) && digitAfter(s, i), end-i == 1 && typoDigit(s[i]) && betweenDigits(s, i, end):
				n = 1 // "O134", "5S5"
			case len(word) > 24:
				n = -1
			default:
				lw := strings.ToLower(word)
				isWord = true
				if lw == "o" && inRun && lastWord && foreign {
					join = true // "cinco o seis", "cinque o sei": "or"
				} else if d, ok := readOutWords[lw]; ok {
					n = int(d)
					if tens && d == 1 && nl == 0 && (joined || gapSigns == 0 || gapSigns == 1 && lastSign == '-') {
						n = 0 // "thirty-four", "treinta y cuatro": one number of two digits
					}
					isTen = len(lw) > 2 && d == 2 && tensWord(lw)
				} else if numberJoins[lw] {
					join = true
				} else if d, ok := compoundNumber(lw); ok {
					n = d
				} else if d, ok := gluedNumber(lw); ok {
					n = d
				} else {
					n = -1
				}
			}
		default:
			if inRun && (strings.ContainsRune(amountSigns, r) || r == '×') {
				closeRun() // "$59.98, $59.98", "95%, 97%, 99%, 100%"; a size, "4032×3024"
			}
			if inRun {
				// Spaces, and a sign repeated ("415 ---- 555"), count once
				// at most: a form lays a number out so.
				switch {
				case r == '\n':
					nl++
					gapRunes++
				case unicode.IsSpace(r):
				case r != lastSign:
					gapSigns++
					gapRunes++
				}
				if !unicode.IsSpace(r) {
					lastSign = r // "- - - -" is one sign too
				}
			}
			i = end
			continue
		}
		switch {
		case join:
			if inRun && lastWord && !joined && gapOK() {
				joined, gapRunes, gapSigns, nl = true, 0, 0, 0
				i = end
				continue
			}
			closeRun()
		case n < 0:
			closeRun()
		default:
			if inRun && gapOK() {
				digits += n
			} else {
				closeRun() // a mark that starts a run is not the closed run's
				inRun, runStart, digits, marks = true, i, n, 0
			}
			if isMark {
				marks++
			}
			runEnd, tens, joined, lastWord = end, isTen, false, isWord
			gapRunes, gapSigns, nl, lastSign = 0, 0, 0, 0
			foreign = isWord && !englishNumberWord(strings.ToLower(s[i:end]))
		}
		i = end
	}
	closeRun()
	if out.Len() == 0 {
		return s
	}
	out.WriteString(s[written:])
	return out.String()
}

// dateShape reports whether run, a run of seven digits or more, is a date
// ("2026-03-03", "31.12.2025", "8/31/2023") or a span of years
// ("2019-2021", "2019 – 2021"), which RedactOutgoing leaves: a phone
// number is not written so, and a theme may hang on when something
// happened.
func dateShape(run string) bool {
	var groups [4]int // each group's value
	var widths [4]int
	var seps [3]string
	n := 0
	for i := 0; i < len(run); {
		if n == len(groups) {
			return false
		}
		j := i
		for j < len(run) && run[j] >= '0' && run[j] <= '9' {
			j++
		}
		if j == i || j-i > 4 {
			return false
		}
		groups[n], widths[n] = atoiDigits(run[i:j]), j-i
		n++
		if j == len(run) {
			break
		}
		k := j
		for k < len(run) && (run[k] < '0' || run[k] > '9') {
			k++
		}
		if n == len(seps)+1 || k == len(run) {
			return false
		}
		seps[n-1] = strings.TrimSpace(run[j:k])
		i = k
	}
	year := func(g int) bool { return widths[g] == 4 && groups[g] >= 1900 && groups[g] <= 2099 }
	day := func(g int) bool { return widths[g] <= 2 && groups[g] >= 1 && groups[g] <= 31 }
	month := func(g int) bool { return widths[g] <= 2 && groups[g] >= 1 && groups[g] <= 12 }
	switch {
	case n == 2:
		return year(0) && year(1) && groups[1] >= groups[0] && (seps[0] == "-" || seps[0] == "–" || seps[0] == "/")
	case n == 3 && seps[0] == seps[1] && (seps[0] == "-" || seps[0] == "/" || seps[0] == "."):
		return year(0) && month(1) && day(2) ||
			year(2) && (day(0) && month(1) || month(0) && day(1))
	}
	return false
}

// datesAndTimes reports whether run, a run of seven digits or more, is
// made of dates (dateShape) and times of day ("9:00", "17:30:05",
// "14:05:33.412") with only spaces and signs between them: an opening time
// ("9:00-17:30"), a date with its time ("2026-03-03 14:05", "12.03.2026
// um 14:05"), a list of times ("06:30, 06:45") or a span of dates
// ("24.12.2025 - 02.01.2026"). A time may have its zone's offset after it
// ("14:05:33 +0100", "…33.412+01:00"), and a year, or a day and a year,
// before it ("Mar 2026 14:05", "12/Mar/2026:14:05:33", "March 2, 2026
// 9:41 AM"), as mail headers and logs write them. A phone number is not
// written with a colon, and a time's hour and minutes are bounded.
func datesAndTimes(run string) bool {
	if dateShape(run) {
		return true
	}
	afterTime, afterDate := false, false
	for i := 0; i < len(run); {
		switch c := run[i]; {
		case (c == '+' || c == '-') && afterTime && zoneOffset(run[i+1:]) > 0:
			i += 1 + zoneOffset(run[i+1:])
			afterTime = false
		case c == ' ' || c == '\t' || c == '\n' || c == ',' || c == ';' || c == '-' || c == '/' || c == '~':
			i++
		case strings.HasPrefix(run[i:], "–") || strings.HasPrefix(run[i:], "—"):
			i += len("–")
		case afterDate && (strings.HasPrefix(run[i:], "um ") || strings.HasPrefix(run[i:], "Um ")):
			i += len("um") // German "am 12.03.2026 um 14:05", "um" a digit in Portuguese
			afterDate = false
		case c >= '0' && c <= '9':
			afterDate = false
			if n := timeOfDay(run[i:]); n > 0 {
				i += n
				afterTime = true
				continue
			}
			afterTime = false
			n := datePrefix(run[i:])
			if n > 0 {
				afterDate = true
			} else {
				n = yearBeforeTime(run[i:])
			}
			if n == 0 {
				n = dayBeforeYear(run[i:])
			}
			if n == 0 {
				return false
			}
			i += n
		default:
			return false
		}
	}
	return true
}

// yearBeforeTime returns the length of the year s begins with, and of
// the colon, or comma and spaces, after it, when a time of day follows
// ("2026 14:05:33", "2026:14:05:33", "2026, 9:41"), or 0.
func yearBeforeTime(s string) int {
	if len(s) < 6 || !(s[:2] == "19" || s[:2] == "20") || !isDigits(s[2:4]) {
		return 0
	}
	k := 4
	if s[k] == ':' {
		k++
	} else {
		if s[k] == ',' {
			k++ // "March 2, 2026, 9:41 AM"
		}
		for k < len(s) && s[k] == ' ' {
			k++
		}
	}
	if k == 4 || timeOfDay(s[k:]) == 0 {
		return 0
	}
	return k
}

// dayBeforeYear returns the length of the day of the month s begins
// with, and of the comma and spaces after it, when a year with its time
// follows ("2, 2026 9:41"), or 0.
func dayBeforeYear(s string) int {
	k := 0
	for k < len(s) && k < 3 && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	if k == 0 || k > 2 || atoiDigits(s[:k]) < 1 || atoiDigits(s[:k]) > 31 || k == len(s) || s[k] != ',' {
		return 0
	}
	k++
	for k < len(s) && s[k] == ' ' {
		k++
	}
	if yearBeforeTime(s[k:]) == 0 {
		return 0
	}
	return k
}

// zoneOffset returns the length of the offset from UTC s begins with,
// "0100", "01:00" or "0530" after a time's "+" or "-", or 0.
func zoneOffset(s string) int {
	if len(s) < 4 || !isDigits(s[:2]) || atoiDigits(s[:2]) > 14 {
		return 0
	}
	k := 2
	if s[k] == ':' {
		k++
	}
	if len(s) < k+2 || !isDigits(s[k:k+2]) {
		return 0
	}
	switch s[k : k+2] {
	case "00", "15", "30", "45":
	default:
		return 0
	}
	if k+2 < len(s) && s[k+2] >= '0' && s[k+2] <= '9' {
		return 0
	}
	return k + 2
}

// isDigits reports whether s is all ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// timeOfDay returns the length of the time of day s begins with, "9:00",
// "17:30" or "17:30:05", or 0.
func timeOfDay(s string) int {
	digitsAt := func(i, min, max int) int {
		j := i
		for j < len(s) && j-i < max && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if j-i < min || j < len(s) && s[j] >= '0' && s[j] <= '9' {
			return 0
		}
		return j - i
	}
	h := digitsAt(0, 1, 2)
	if h == 0 || atoiDigits(s[:h]) > 24 || h == len(s) || s[h] != ':' {
		return 0
	}
	n := h + 1
	for k := 0; k < 2; k++ {
		m := digitsAt(n, 2, 2)
		if m == 0 || atoiDigits(s[n:n+m]) > 59 {
			return 0
		}
		n += m
		if n == len(s) || s[n] != ':' {
			break
		}
		n++
	}
	if s[n-1] == ':' {
		return 0
	}
	if n > h+3 && n < len(s)-1 && (s[n] == '.' || s[n] == ',') {
		// A fraction of the seconds: "14:05:33.412", a log's
		// "14:05:33,412".
		f := n + 1
		for f < len(s) && f-n <= 9 && s[f] >= '0' && s[f] <= '9' {
			f++
		}
		if f > n+1 && f-n <= 9 && (f == len(s) || s[f] < '0' || s[f] > '9') && (s[n] == '.' || f-n == 4) {
			n = f
		}
	}
	return n
}

// datePrefix returns the length of the date (dateShape) s begins with, its
// parts joined by "-", "/" or ".", or 0: "31.12.2025" in
// "31.12.2025-02.01.2026".
func datePrefix(s string) int {
	const longest = len("2026-03-03")
	for j := min(len(s), longest); j > 0; j-- {
		if s[j-1] >= '0' && s[j-1] <= '9' && (j == len(s) || s[j] < '0' || s[j] > '9') &&
			strings.IndexFunc(s[:j], func(r rune) bool { return !strings.ContainsRune("0123456789-/.", r) }) < 0 &&
			dateShape(s[:j]) {
			return j
		}
	}
	return 0
}

// numeral reports whether r stands for one digit: a digit of any
// script, a digit written as a superscript, a subscript, in a circle or
// in brackets ("⁴¹⁵", "①②③", "➊➋"), or a Chinese or Japanese digit
// ("一三八", "〇九〇", "幺" for one), which is a letter to Unicode and is
// written inside a word ("号码是一三八").
func numeral(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return r >= '0' && r <= '9'
	case unicode.IsDigit(r), unicode.Is(unicode.No, r):
		return true
	}
	return strings.ContainsRune("〇零一二三四五六七八九幺", r)
}

// lookAlikeDigit reports whether r is a letter typed for a digit: O for
// zero, I and l for one ("415-555-O134").
func lookAlikeDigit(r rune) bool { return r == 'O' || r == 'o' || r == 'I' || r == 'l' }

// lookAlikeRun reports whether the letters at s[i:] up to the next
// non-letter are at most three, all of them lookAlikeDigits.
func lookAlikeRun(s string, i int) bool {
	n := 0
	for ; i < len(s) && n <= 3; i, n = i+1, n+1 {
		if c := s[i]; c >= utf8.RuneSelf || !unicode.IsLetter(rune(c)) {
			return n > 0
		}
		if !lookAlikeDigit(rune(s[i])) {
			return false
		}
	}
	return n > 0 && n <= 3
}

// digitAfter reports whether a digit follows the up to three
// lookAlikeDigits at s[i:].
func digitAfter(s string, i int) bool {
	for n := 0; i < len(s) && n < 3 && lookAlikeDigit(rune(s[i])); n++ {
		i++
	}
	if i == len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsDigit(r)
}

// typoDigit reports whether c is a capital letter that looks like a
// digit: S for 5, B for 8, Z for 2, G for 6 (and O and I), typed between
// digits by mistake or to get past a filter ("415 5S5 0134"). Not x:
// "2556x1179", "0x80070057".
func typoDigit(c byte) bool {
	switch c {
	case 'S', 'B', 'Z', 'G', 'O', 'I':
		return true
	}
	return false
}

// markupSpace returns the length of the no-break space entity or line
// break tag s begins with, which a number in HTML is laid out with
// ("612&nbsp;345&nbsp;678", "612<br>345"), or 0.
func markupSpace(s string) int {
	for _, m := range []string{"&nbsp;", "&#160;", "<br>", "<br/>", "<br />"} {
		if len(s) >= len(m) && strings.EqualFold(s[:len(m)], m) {
			return len(m)
		}
	}
	return 0
}

// innerApostrophe reports whether r at s[i] is an apostrophe inside a
// word, as in Ukrainian "п'ять" and "дев'ять".
func innerApostrophe(s string, i int, r rune) bool {
	if r != '\'' && r != '’' {
		return false
	}
	next, _ := utf8.DecodeRuneInString(s[i+utf8.RuneLen(r):])
	return unicode.IsLetter(next)
}

// betweenDigits reports whether s[i:end] has a digit right before and
// right after it.
func betweenDigits(s string, i, end int) bool {
	if i == 0 || end == len(s) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[:i])
	after, _ := utf8.DecodeRuneInString(s[end:])
	return unicode.IsDigit(before) && unicode.IsDigit(after)
}

// tensWord reports whether w, a number word of two digits, is a multiple
// of ten that a digit may follow as part of it ("thirty" in
// "thirty-four").
func tensWord(w string) bool {
	d, ok := spokenDigits[w]
	if ok {
		return d.kind == spokenPair && d.flags&joinUnit != 0
	}
	switch w {
	case "venti", "trenta", "quaranta", "cinquanta", "sessanta", "settanta", "ottanta", "novanta":
		return true
	}
	return false
}

// compoundNumber reads a number from 21 to 99 written as one word of a
// digit, a joining word and the tens: German's "vierunddreißig", Dutch's
// "vierendertig".
func compoundNumber(w string) (int, bool) {
	for _, join := range []string{"und", "en"} {
		if k := strings.Index(w, join); k > 0 {
			unit, tens := readOutWords[w[:k]], readOutWords[w[k+len(join):]]
			if unit == 1 && tens == 2 {
				return 2, true
			}
		}
	}
	return 0, false
}

// mailServices are names of mail services that a user name is written
// after ("Gmail: sarah_connor") or that stand for a domain after "at"
// ("sarah at gmail"): RedactText's mailProviders but those prose uses
// ("ad free...who wants ads"), and the words a form labels a mailbox
// with.
var mailServices = func() map[string]bool {
	m := setOf("mail", "email", "correo", "courriel", "live", "icloudmail", "orange", "wp")
	for p := range mailProviders {
		if !proseProviders[p] {
			m[p] = true
		}
	}
	return m
}()

// atWords are words that stand for "@" between a user name and a domain:
// RedactText's meantAts, and more that are "@" only before a domain.
var atWords = func() map[string]bool {
	m := setOf("at", "zavináč", "zavinac", "kukac", "snabel", "işareti", "isareti", "chez", "στο", "malpa",
		"małpka", "apestaart", "snabela", "atsign", "アットマーク", "あっと", "アット", "艾特")
	for _, w := range meantAts {
		m[strings.ToLower(w)] = true
	}
	return m
}()

// moreDotWords are words for a dot in an address that RedactText's
// dotWords lack: Hungarian, Czech, Turkish, Finnish, the Scandinavian
// languages.
var moreDotWords = map[string]bool{
	"pont": true, "tecka": true, "tečka": true, "nokta": true, "piste": true, "prikk": true, "punktum": true,
}

// weakAtWords stand for "@" only after a user name like an address's:
// Indonesian "et", French "à", "via" ("sarah.connor84 via gmail").
var weakAtWords = map[string]bool{"et": true, "à": true, "via": true}

// particles are the words a verb ends in before "at" a site ("log in",
// "sign up", "check out"), which no user name is.
var particles = map[string]bool{"in": true, "up": true, "on": true, "out": true, "off": true}

// maskAddressShapes replaces the address shapes RedactOutgoing lists with
// emailMark.
func maskAddressShapes(s string) string {
	var out strings.Builder
	written := 0
	for i := 0; i < len(s); {
		start, end, ok := addressAt(s, i)
		if !ok {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		if start < written { // overlaps the previous: take it whole
			start = written
		}
		out.WriteString(s[written:start])
		out.WriteString(emailMark)
		written, i = end, end
	}
	if written == 0 {
		return s
	}
	out.WriteString(s[written:])
	return out.String()
}

// addressAt reports whether s[i:] begins an "@" or a word for it that
// joins a user name before it to a domain after it, or a mail service's
// name before a user name; start and end bound what goes.
func addressAt(s string, i int) (start, end int, ok bool) {
	c := s[i]
	switch {
	case (c == '@' || c == '&' || c == '%' || c == '=' || c >= utf8.RuneSelf) && atSignAt(s, i) > 0:
		size := atSignAt(s, i)
		after := i + size
		if strings.HasPrefix(s[after:], " sign") {
			after += len(" sign") // "jane.doe (@ sign) acme.io"
		}
		ls, lgap := localBefore(s, i)
		de, dots, rgap := domainAfter(s, after, true, false)
		if ls < 0 || de < 0 || (lgap || rgap) && dots == 0 && !(!lgap && spacesOnly(s[after:skipGap(s, after)]) && handle(s[ls:i])) {
			return 0, 0, false // "I'm @ home", "@jane", `email.includes("@"))`; not "jane.doe@ acme"
		}
		if dots == 0 && !rgap && versionOrScale(s[after:]) {
			return 0, 0, false // "react@18.2.0", "lodash@4.17.21", "icon@2x.png": a package's version, an image's scale
		}
		return ls, de, true
	case !wordStart(s, i):
		return 0, 0, false
	}
	we := wordEnd(s, i)
	w := strings.ToLower(s[i:we])
	switch {
	case atWords[w] || weakAtWords[w]:
		after := we
		switch {
		case w == "snabel" && (strings.HasPrefix(s[we:], "-a") || strings.HasPrefix(s[we:], " a ")): // Swedish "snabel-a"
			after += 2
		case w == "at" && len(s)-we > 5 && (s[we] == ' ' || s[we] == '-') && strings.EqualFold(s[we+1:we+5], "sign"):
			after += 5 // "jane.doe (at sign) acme.io", "at-sign"
		case w == "işareti" || w == "isareti": // Turkish "et işareti": the word before goes too
			before := strings.TrimRight(s[:i], " ")
			k := len(before) - 2
			if k < 0 || !strings.EqualFold(before[k:], "et") || k > 0 && before[k-1] != ' ' {
				return 0, 0, false
			}
			i = k
		}
		if k := skipGap(s, after); k > after && strings.HasPrefix(s[k-1:], emailMark) {
			return 0, 0, false // "email me at [email]": RedactText took the address, "me at" stays
		}
		ls, _ := localBefore(s, i)
		if ls < 0 {
			return 0, 0, false
		}
		// A user name like an address's ("jane.doe", "sarah.connor84")
		// makes a domain written loosely one ("at acme .io", "at
		// acme,io"), and a word that is "at" only sometimes ("et", "via")
		// a word for "@".
		local := strings.TrimRight(s[ls:i], " \t\n\"'([{<*|«»")
		if strings.HasSuffix(local, ".") {
			return 0, 0, false // "…isn't coming. At this point": a sentence's end
		}
		user := handle(local)
		if weakAtWords[w] && !user || particles[strings.ToLower(local)] {
			return 0, 0, false // "Log in at app.acme.io", "Sign up at accounts.acme.io"
		}
		de, dots, _ := domainAfter(s, after, user, user)
		if de < 0 || codeAfter(s, de) {
			return 0, 0, false
		}
		if dots == 0 && !(mailServices[strings.ToLower(s[skipGap(s, after):de])] &&
			(handle(s[ls:i]) || strings.Contains(strings.ToLower(s[max(0, ls-24):ls]), "mail"))) {
			return 0, 0, false // "Sarah at Acme", "Problems at Gmail": no address
		}
		return ls, de, true
	case mailServices[w]:
		// "Gmail: sarah_connor", "my hotmail is bigfan_maria", "email = jane.roe".
		// "my gmail account is sarah.connor84", "Gmail ID: …", "Gmail
		// (sarah.connor84)", "E-Mail-Adresse: …".
		k := skipLabelSigns(s, we)
		for _, w := range serviceLabelWords {
			if len(s)-k > len(w) && strings.EqualFold(s[k:k+len(w)], w) && !wordByte(s[k+len(w)]) {
				k = skipLabelSigns(s, k+len(w))
			}
		}
		e := k
		for e < len(s) && e-k < maxLocalPart && isLocalPartByte(s[e]) {
			e++
		}
		for e > k && (s[e-1] == '.' || s[e-1] == '-') {
			e-- // the sentence's full stop
		}
		if e-k < 3 || !handle(s[k:e]) {
			return 0, 0, false
		}
		return k, e, true
	}
	return 0, 0, false
}

// versionOrScale reports whether s, what follows an "@" tight after a
// name, is a version ("18.2.0" in "react@18.2.0") or an image's scale
// ("2x" in "icon@2x.png"): digits, then a dot and a digit, or an "x"
// that ends the word. No mail domain is written so.
func versionOrScale(s string) bool {
	k := 0
	for k < len(s) && s[k] >= '0' && s[k] <= '9' {
		k++
	}
	switch {
	case k == 0 || k == len(s):
		return false
	case s[k] == '.':
		return k+1 < len(s) && s[k+1] >= '0' && s[k+1] <= '9'
	case s[k] == 'x':
		return k+1 == len(s) || !isASCIIWordByte(s[k+1])
	}
	return false
}

// spacesOnly reports whether s is all spaces.
func spacesOnly(s string) bool { return strings.Trim(s, " ") == "" }

// atSigns are the ways "@" is written in text that was encoded for a web
// page, a link or a mail and not decoded again: "&#64;", "%40", "=40".
var atSigns = []string{"@", "＠", "﹫", "&#64;", "&#064;", "&#0064;", "&commat;", "&#x40;", "&#x0040;",
	"&amp;#64;", "&amp;#064;", "&amp;commat;", "&#64", "%40", "%2540", "=40"}

// atSignAt returns the length of the "@" at s[i:], or 0.
func atSignAt(s string, i int) int {
	for _, a := range atSigns {
		if strings.HasPrefix(s[i:], a) {
			if a[0] == '%' || a[0] == '=' { // "%40" or "=40" are only "@" with no space on either side
				if i == 0 || !isLocalPartByte(s[i-1]) || i+len(a) == len(s) || !isLocalPartByte(s[i+len(a)]) {
					return 0
				}
			}
			n := len(a)
			for n < len(s)-i && s[i+n] == '@' {
				n++ // "jane.doe @@ acme.io"
			}
			return n
		}
	}
	return 0
}

// serviceLabelWords may stand, in this order, between a mail service's
// name and the user name after it.
var serviceLabelWords = []string{"mail", "account", "address", "adresse", "username", "user", "name", "id", "is"}

// handle reports whether h, a word after a mail service's name, is a user
// name rather than a word of the sentence: it has a dot, an underscore or
// a digit inside it, and two letters or more.
func handle(h string) bool {
	letters, marks := 0, false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			letters++
		case c == '.' || c == '_' || c >= '0' && c <= '9':
			marks = marks || i > 0
		}
	}
	return letters >= 2 && marks
}

// localBefore returns where the user name before s[at] starts, after
// signs and spaces ("jane.doe « at »"), or -1 when none is there; gap
// reports whether anything stood between them.
func localBefore(s string, at int) (start int, gap bool) {
	k := at
	for n := 0; k > 0 && n < 4 && gapByte(s[k-1]); n++ {
		k--
	}
	if k > 0 && s[k-1] == '"' { // "\"jane doe\"@example.com"
		from := max(0, k-1-maxLocalPart)
		if q := strings.LastIndexByte(s[from:k-1], '"'); q >= 0 {
			return from + q, k < at
		}
	}
	e := k
	for k > 0 && e-k < maxLocalPart && isLocalPartByte(s[k-1]) {
		k--
	}
	if k == e {
		return -1, false
	}
	if k > 0 && s[k-1] >= utf8.RuneSelf { // a letter outside ASCII: part of a word
		if r, _ := utf8.DecodeLastRuneInString(s[:k]); unicode.IsLetter(r) {
			return -1, false
		}
	}
	return k, e < at
}

// domainAfter returns where the domain after s[i:] ends, past signs and
// spaces, and how many dots (or words for them) it has; -1 when none is
// there. A domain with dots ends in a top-level domain's letters
// ("acme.io", not "10.30" or "index.html"). After "@" its dots may be set
// apart by spaces and brackets and written as words ("acme . io", "acme
// (punto) io"); after a word for "@", which is a common word too, a dot
// must be tight ("at acme.io", not "at all. My"), and a word for a dot
// "dot", in brackets, or before a long top-level domain ("at this point
// is" is no address, "chez gmail point com" is) — unless the word before
// it is a user name like an address's (loose). With anyTLD, a domain in
// small letters may end in any top-level domain ("acme.travel").
func domainAfter(s string, i int, loose, anyTLD bool) (end, dots int, gap bool) {
	k := skipGap(s, i)
	gap = k > i
	end = labelEnd(s, k)
	if end == k {
		return -1, 0, gap
	}
	for j, n := end, 0; n < maxLabels; {
		before := j
		for g := 0; j < len(s) && g < 3 && gapByte(s[j]); g++ {
			j++
		}
		spaced, bracket, word := j > before, strings.ContainsAny(s[before:j], "([{<"), ""
		switch {
		case j < len(s) && s[j] == '.' && (loose || !spaced || bracket):
			j++ // "acme.io", "acme . io" after "@", "acme[.]io"
		case loose && !spaced && j+1 < len(s) && s[j] == ',' && isASCIIWordByte(s[j+1]):
			j++ // "jane.doe at acme,io"; not "@support-team, fixed"
		case loose && (strings.HasPrefix(s[j:], "。") || strings.HasPrefix(s[j:], "．")):
			j += len("。") // an ideographic or full-width full stop
		case wordStart(s, j) && (slices.Contains(dotWords, strings.ToLower(s[j:wordEnd(s, j)])) ||
			moreDotWords[strings.ToLower(s[j:wordEnd(s, j)])]):
			word = strings.ToLower(s[j:wordEnd(s, j)])
			j = wordEnd(s, j)
		default:
			return end, dots, gap
		}
		after := j
		for g := 0; j < len(s) && g < 3 && gapByte(s[j]); g++ {
			j++
		}
		if word == "" && !loose && j > after && !bracket {
			return end, dots, gap
		}
		le := labelEnd(s, j)
		if le == j {
			return end, dots, gap
		}
		n++
		tld := s[j:le]
		if (topLevel(tld) || anyTLD && strings.ToLower(s[k:le]) == s[k:le] && anyTopLevel(tld)) &&
			(loose || !sentenceAfter(s[k:end], tld)) &&
			(loose || word == "" || word == "dot" || moreDotWords[word] || bracket || len(tld) > 2) {
			end, dots = le, n
		}
		j = le
	}
	return end, dots, gap
}

// maxLabels bounds the labels of a domain read after an "@": a mail
// domain has a handful.
const maxLabels = 8

// sentenceAfter reports whether tld, capitalised after a label that is
// not in capitals, starts a sentence typed without a space after the full
// stop ("at work.It crashed", "at home.So"): an address is written in one
// case.
func sentenceAfter(label, tld string) bool {
	return tld[0] >= 'A' && tld[0] <= 'Z' && strings.ToUpper(tld) != tld && strings.ToUpper(label) != label
}

// topLevel reports whether l can be a top-level domain: two letters (but
// those of source files' names, "main.go"), one of RedactText's
// topLevelDomains, or another common longer one.
func topLevel(l string) bool {
	l = strings.ToLower(l)
	switch l {
	case "js", "py", "go", "md", "rs", "ts", "sh", "cs", "rb", "kt", "db":
		return false
	case "store", "name", "pro", "live", "company", "shop", "design", "digital", "media", "group", "blog",
		"team", "systems", "services":
		return true
	}
	return topLevelDomains[l] || len(l) == 2 && l[0] >= 'a' && l[0] <= 'z' && l[1] >= 'a' && l[1] <= 'z'
}

// codeAfter reports whether the dotted name that s[end:] goes on with
// ends in "(": a stack trace's frame, "NullPointerException at
// com.example.Cart.total(Cart.java:142)", names no address.
func codeAfter(s string, end int) bool {
	for k := end; k < len(s) && k-end < 256; k++ {
		switch c := s[k]; {
		case c == '(':
			return true
		case !isASCIIWordByte(c) && c != '.' && c != '_' && c != '$':
			return false
		}
	}
	return false
}

// anyTopLevel reports whether l, after "@" or a user name like an
// address's, can be a top-level domain: letters, not a file's extension
// ("acme.travel", not "notes.txt").
func anyTopLevel(l string) bool {
	if len(l) < 2 || len(l) > 24 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if c := l[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	switch strings.ToLower(l) {
	case "txt", "pdf", "png", "jpg", "jpeg", "gif", "csv", "json", "xml", "html", "htm", "php", "zip", "exe", "log",
		"yml", "yaml", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "svg", "css", "mp3", "mp4", "mov", "apk":
		return false
	}
	return topLevel(l) || len(l) > 2
}

// labelEnd returns where the domain label at s[i:] ends: a label is at
// most 63 bytes long.
func labelEnd(s string, i int) int {
	start := i
	for i < len(s) && i-start < 63 && (isASCIIWordByte(s[i]) || s[i] == '-') {
		i++
	}
	return i
}

// gapByte reports whether c may stand between an address's parts written
// apart: spaces, a line break, brackets, quotes, slashes, guillemets'
// bytes.
func gapByte(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '(', ')', '[', ']', '{', '}', '<', '>', '/', '"', '\'', '*', '|', 0xC2, 0xAB, 0xBB:
		return true
	}
	return false
}

// skipLabelSigns returns the index after up to four spaces and signs
// that end a label at s[i:] (": ", " = ", " - ").
func skipLabelSigns(s string, i int) int {
	for n := 0; i < len(s) && n < 4; n++ {
		switch s[i] {
		case ' ', ':', '=', '-', '"', '\'', '(', '|':
			i++
			continue
		}
		if strings.HasPrefix(s[i:], "—") || strings.HasPrefix(s[i:], "–") {
			i += len("—") // "iCloud — sarah.connor84"
			continue
		}
		break
	}
	return i
}

// wordByte reports whether c is an ASCII letter or digit, or part of a
// letter outside ASCII.
func wordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= utf8.RuneSelf
}

// skipGap returns the index after up to four gapBytes at s[i:].
func skipGap(s string, i int) int {
	for n := 0; i < len(s) && n < 4 && gapByte(s[i]); n++ {
		i++
	}
	return i
}

// wordStart reports whether a word (of letters) starts at s[i].
func wordStart(s string, i int) bool {
	if i >= len(s) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if !unicode.IsLetter(r) {
		return false
	}
	if i > 0 {
		p, _ := utf8.DecodeLastRuneInString(s[:i])
		return !unicode.IsLetter(p) && !unicode.IsDigit(p)
	}
	return true
}

// wordEnd returns where the word of letters at s[i:] ends.
func wordEnd(s string, i int) int {
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsLetter(r) {
			break
		}
		i += size
	}
	return i
}
