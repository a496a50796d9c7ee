package enrich

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RedactText's rules for e-mail addresses: written with an @ (spaced or
// percent-encoded too), or spelled to get past spam filters, with a
// bracketed "at" or with the bare word "at".

// emailAround finds an e-mail address around the '@' at s[at], not
// reaching back before s[from]. The local part may hold letters, digits
// and . _ % + ' -; the domain needs a dot and a last label that starts
// with two letters.
func emailAround(s string, at, from int) (start, end int, ok bool) {
	if scaledImageAt(s, at) {
		return 0, 0, false
	}
	if at+1 < len(s) && s[at+1] == '@' { // a typo: "jane.doe@@example.com"
		return emailSpan(s, at, at+2, from, false)
	}
	if start, end, ok = emailSpan(s, at, at+1, from, false); ok {
		if s[start:at] == "git" && end+1 < len(s) && s[end] == ':' && s[end+1] != ' ' && strings.Contains(s[at:end], "git") {
			return 0, 0, false // a git remote: "git@github.com:acme/app.git", "git@gitlab.example.com:2222/…"
		}
		if s[start:at] == "git" && strings.HasSuffix(s[:start], "ssh://") && end < len(s) && (s[end] == '/' || s[end] == ':') {
			return 0, 0, false // and as a link: "ssh://git@bitbucket.org/acme/app.git", "git+ssh://git@host:22/…"
		}
		if u := userinfoStart(s, start, from); u != start {
			return u, end, ok
		}
		return spelledLocalStart(s, start, from), end, ok
	}
	// A real '@' with its dots spelled: "jane@example[.]com", "jane@example
	// dot com".
	if start, end, ok = emailSpan(s, at, at+1, from, true); ok {
		start = spelledLocalStart(s, start, from)
	}
	return start, end, ok
}

// scaledImageAt reports whether the '@' at s[at] gives an image's scale in
// its file name: "icon@2x.png", "logo@3x.webp".
func scaledImageAt(s string, at int) bool {
	r := s[at+1:]
	if len(r) < 4 || r[0] < '1' || r[0] > '4' || r[1] != 'x' || r[2] != '.' {
		return false
	}
	k := 3
	for k < len(r) && isASCIILetter(r[k]) {
		k++
	}
	if k+1 < len(r) && r[k] == '.' && isASCIILetter(r[k+1]) {
		return false // a domain goes on: "jane@2x.png.example.com"
	}
	return imageExtensions[strings.ToLower(r[3:k])]
}

var imageExtensions = setOf("png", "jpg", "jpeg", "gif", "webp", "svg", "avif", "heic", "bmp", "ico", "tif", "tiff")

// userinfoStart returns where the user name and password of a link
// start ("https://jane:hunter2@example.com/"), when the address found at
// s[start:] is the password and a host: both go. Otherwise it returns
// start.
func userinfoStart(s string, start, from int) int {
	k := start
	for k > from && start-k < 256 && (isLocalPartByte(s[k-1]) || strings.IndexByte("!$&()*,;=:~", s[k-1]) >= 0) {
		k--
	}
	// The address found is the password's end and the host: the user name
	// and the rest of the password are between "//" and it, with a ':'.
	if k < start && k-2 >= from && s[k-2:k] == "//" && strings.IndexByte(s[k:start], ':') >= 0 {
		return k
	}
	return start
}

// encodedAts are '@' percent-encoded, as links carry it (twice when a
// link is wrapped in another, as unsubscribe and tracking links are), as
// HTML entities, as pasted web pages and e-mails carry it, and escaped as
// JSON and code write it.
var encodedAts = []string{"%40", "%2540", "&#64;", "&#x40;", "&commat;", `\u0040`, `\x40`}

// looseEmailAround finds an address around the '@' at s[at] that
// emailAround does not: one with a space beside the '@' ("jane @
// example.com", to get past spam filters), or with it encoded at s[at:]
// ("jane%40example.com", in links people paste; "jane&#64;example.com"; see
// encodedAts). A
// spaced one must end in a known top-level domain and not follow a word
// of prose ("thanks to everyone @ acme.com" stays). Its dots may be
// spaced or spelled as well ("jane . doe @ acme . io"), but then neither
// its first label nor its top-level domain may be a word of prose: "stuck
// @ home . it crashes" and "Sentry @ work . io is fine" stay.
func looseEmailAround(s string, at, from int) (start, end int, ok bool) {
	if s[at] == '%' || s[at] == '&' || s[at] == '\\' {
		for _, code := range encodedAts {
			if hasWordFold(s, at, code) {
				return emailSpan(s, at, at+len(code), from, false)
			}
		}
		return 0, 0, false
	}
	localEnd, domStart := at, at+1
	if localEnd > from && (s[localEnd-1] == ' ' || s[localEnd-1] == '\n') { // or wrapped there
		localEnd--
	}
	if domStart < len(s) && (s[domStart] == ' ' || s[domStart] == '\n') {
		domStart++
	}
	if localEnd == at && domStart == at+1 {
		return 0, 0, false // no space: emailAround's
	}
	start, end, ok = emailSpan(s, localEnd, domStart, from, true)
	if !ok || proseLocal(s, start, localEnd) {
		return 0, 0, false
	}
	t := end
	for t > domStart && isASCIIWordByte(s[t-1]) {
		t--
	}
	// "sitting @ home.It keeps crashing": a sentence run on after a
	// missing space, its first word taken for a top-level domain.
	if tld := s[t:end]; !topLevelDomains[strings.ToLower(tld)] ||
		len(tld) == 2 && 'A' <= tld[0] && tld[0] <= 'Z' && 'a' <= tld[1] && tld[1] <= 'z' && end < len(s) && s[end] == ' ' ||
		t > 0 && s[t-1] != '.' && proseTopLevelDomains[strings.ToLower(tld)] {
		return 0, 0, false
	}
	// "We use Sentry @ work . io is fine": "@" for "at" before a word that
	// follows "at" in prose, and a full stop; written with a dot, as in
	// "jane @ home.com", it is a domain all the same.
	if f := skipLetters(s, domStart); f < len(s) && s[f] != '.' && proseAfterAt[strings.ToLower(s[domStart:f])] {
		return 0, 0, false
	}
	return spelledLocalStart(s, start, from), end, true
}

// proseTopLevelDomains are top-level domains that are everyday English
// words too, which a spelled or spaced dot before them does not make
// one's: "stuck @ work . it crashes", "meet @ cafe dot me".
var proseTopLevelDomains = setOf("it", "in", "me", "my", "no", "us", "be", "at", "id", "is", "so", "to")

// providerEmailAround finds an address whose '@' at s[at] is followed by a
// mail provider's name, however the rest was typed: "jdoe77@gmail .com",
// "jdoe77@gmail,com", "jdoe77@@gmail.com", "jdoe77 @ gmail . com", or no
// top-level domain at all ("jdoe77@gmail"). The top-level domain, when
// one follows within a few spaces, dots or commas, is part of it.
func providerEmailAround(s string, at, from int) (start, end int, ok bool) {
	d := at + 1
	for d < len(s) && d-at <= 2 && (s[d] == '@' || s[d] == ' ') {
		d++
	}
	e := d
	for e < len(s) && (isASCIIWordByte(s[e]) || s[e] == '-') {
		e++
	}
	if e == d || !mailProviders[strings.ToLower(s[d:e])] {
		return 0, 0, false
	}
	localEnd := at
	if localEnd > from && s[localEnd-1] == ' ' {
		localEnd--
	}
	start = localPartStart(s, localEnd, from)
	if start == localEnd || proseBeforeAt[strings.ToLower(s[start:localEnd])] {
		return 0, 0, false // "@gmail", "thanks to everyone @ gmail"
	}
	end = e
	k := e
	for k < len(s) && k-e < 3 && (s[k] == ' ' || s[k] == '.' || s[k] == ',') {
		k++
	}
	t := k
	for t < len(s) && isASCIILetter(s[t]) {
		t++
	}
	if k > e && t > k && topLevelDomains[strings.ToLower(s[k:t])] && (t == len(s) || !isASCIIWordByte(s[t])) {
		return start, t, true
	}
	// No top-level domain: only a provider's name no prose uses after an
	// '@' ("3@126 each", "login@web fails", "@ free") and a local part with
	// a letter.
	prov := strings.ToLower(s[d:e])
	if !strings.ContainsAny(s[start:localEnd], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") ||
		strings.ContainsAny(prov, "0123456789") || proseProviders[prov] {
		return 0, 0, false
	}
	return start, end, true
}

// providerUserAround finds a mail user name given with its provider's
// name in place of the domain, around the digit at s[i] that continues it:
// "my gmail is jane.doe1987", "Gmail: jdoe1987", "jdoe77 de gmail",
// "jdoe77 (gmail)". Only a name with a digit is taken, which a word of
// prose about the provider seldom is ("Gmail: v12 crashes" stays).
func providerUserAround(s string, i, from int) (start, end int, ok bool) {
	// Read no further than a local part may be long: a longer run is none,
	// and reading all of it again for each of its digits ("%2B1%2B1…")
	// took time the square of its length.
	lo, hi := max(from, i-maxLocalPart-1), min(len(s), i+maxLocalPart+1)
	start = localPartStart(s, i, lo)
	end = i
	for end < hi && isLocalPartByte(s[end]) {
		end++
	}
	if end-start > maxLocalPart {
		return 0, 0, false
	}
	for end > start && (s[end-1] == '.' || s[end-1] == '-') {
		end-- // a full stop, not the name's
	}
	letters := 0
	for k := start; k < i && letters < 2; k++ {
		if isASCIILetter(s[k]) {
			letters++
		}
	}
	if end-start < 4 || letters < 2 { // not "v16.0.1234"
		return 0, 0, false
	}
	// Not "After iOS17 at iCloud": see proseLocal.
	return start, end, providerBefore(s, start) || providerAfter(s, end) && !proseLocal(s, start, end)
}

// providerBefore reports whether a mail provider's name, then ':', '=' or
// a word for "is", comes right before s[j]: "my gmail is ", "Gmail: ".
func providerBefore(s string, j int) bool {
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	var buf [maxCueWordLetters]byte
	if j > 0 && (s[j-1] == ':' || s[j-1] == '=') {
		j--
	} else if w, k := cueWord(s, j, &buf); w != nil && copulas[string(w)] {
		j = k
	} else {
		return false
	}
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	w, _ := cueWord(s, j, &buf)
	return w != nil && userProviders[string(w)]
}

// providerAfter reports whether a mail provider's name follows s[end], in
// brackets or after a word for "at": " (gmail)", " de gmail", " at yahoo".
func providerAfter(s string, end int) bool {
	k := skipSpaces(s, end)
	if k < len(s) && s[k] == '(' {
		e := skipLetters(s, k+1)
		return e < len(s) && s[e] == ')' && userProviders[strings.ToLower(s[k+1:e])]
	}
	e := skipLetters(s, k)
	if e == k || !providerPrepositions[strings.ToLower(s[k:e])] {
		return false
	}
	k = skipSpaces(s, e)
	e = skipLetters(s, k)
	return e > k && (e == len(s) || !isASCIIWordByte(s[e])) && userProviders[strings.ToLower(s[k:e])]
}

// userProviders are the mail providers whose name stands for the domain
// in "my gmail is ...": the names of mailProviders that are no everyday
// word and hold no digit.
var userProviders = setOf("gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook", "icloud",
	"aol", "protonmail", "proton", "gmx", "yandex", "zoho", "fastmail", "tutanota", "rambler",
	"naver", "daum", "libero", "laposte", "seznam", "interia", "rediffmail")

// copulas are "is" in the languages of cueWords, folded; providerPrepositions
// the words for "at" or "on" before a provider's name.
var (
	copulas              = setOf("is", "es", "e", "ist", "est", "era", "was", "eh")
	providerPrepositions = setOf("at", "on", "de", "en", "no", "na", "bei", "auf", "su", "sur", "del", "do", "da")
)

// proseProviders are mail providers' names that are everyday words too.
var proseProviders = setOf("web", "free", "orange", "terra", "wp", "bol", "sfr", "uol", "onet")

// spelledEmailAround finds an address written with a bracketed "at" to get
// past spam filters, around the bracket at s[open]: "jane(at)example.com",
// "jane [at] example [dot] com". Its dots may be spelled too, the local
// part's included ("jane [dot] doe [at] …").
func spelledEmailAround(s string, open, from int) (start, end int, ok bool) {
	j, weak := spelledAtEnd(s, open)
	if j < 0 {
		return 0, 0, false
	}
	localEnd := open
	for localEnd > from && s[localEnd-1] == ' ' {
		localEnd--
	}
	domStart := skipSpaces(s, j)
	start, end, ok = emailSpan(s, localEnd, domStart, from, true)
	if !ok {
		return 0, 0, false
	}
	// "(a)" and "[a]" mark the items of lists too ("two issues (a)
	// amazon.com won't load (b) …", "<a>support.example.com</a>"): the
	// address must look like one.
	if weak {
		first := domStart
		for first < end && (isASCIIWordByte(s[first]) || s[first] == '-') {
			first++
		}
		if s[open] == '<' || !mailProviders[strings.ToLower(s[domStart:first])] && !addressLike(s[start:localEnd]) ||
			proseLocal(s, start, localEnd) || listNext(s, end) && !cueBefore(s, start, mailCueWords) {
			// "Delivery fails for (a) gmail.com and (b) yahoo.com".
			return 0, 0, false
		}
	}
	return spelledLocalStart(s, start, from), end, true
}

// listNext reports whether a list's second item, "(b)" or "[b]", follows
// s[end] closely: "(a) gmail.com and (b) yahoo.com".
func listNext(s string, end int) bool {
	rest := s[end:min(len(s), end+40)]
	return strings.Contains(rest, "(b)") || strings.Contains(rest, "[b]")
}

// spelledAtEnd returns the index past a bracketed "at" or '@' that opens
// at s[open] ("(at)", "[ at ]", "<at>", "[@]", "(a)", "(arroba)"; see
// bracketedAts), or -1 if there is none. weak says it is "a", which
// marks the items of lists too.
func spelledAtEnd(s string, open int) (end int, weak bool) {
	closing := closingBracket(s[open])
	if closing == 0 {
		return -1, false
	}
	j := skipSpaces(s, open+1)
	for _, w := range bracketedAts {
		if !hasWordFold(s, j, w) {
			continue
		}
		if k := skipSpaces(s, j+len(w)); k < len(s) && s[k] == closing {
			return k + 1, w == "a"
		}
	}
	return -1, false
}

// bracketedAts are what a bracketed "at" says: the word in English, its
// first letter, '@' itself, and the words for '@' in German, Spanish and
// Portuguese, French, Italian, Dutch, Japanese and Russian ("jane
// (arroba) gmail (punto) com", "tanaka(アットマーク)gmail.com",
// "ivan(собака)mail.ru").
var bracketedAts = []string{"at", "a", "@", "ät", "arroba", "arobase", "chiocciola",
	"apenstaartje", "klammeraffe", "アットマーク", "собака", "собачка"}

// closingBracket returns the bracket that closes c, or 0 if c opens none.
func closingBracket(c byte) byte {
	switch c {
	case '(':
		return ')'
	case '[':
		return ']'
	case '{':
		return '}'
	case '<':
		return '>'
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

// skipLetters returns the index past the ASCII letters that start at
// s[i].
func skipLetters(s string, i int) int {
	for i < len(s) && isASCIILetter(s[i]) {
		i++
	}
	return i
}

// dotWords are "dot" in English (and "period"), Spanish and Italian,
// Portuguese, French, German, Dutch, Polish and Russian, and a dot set
// apart ("[.]").
var dotWords = []string{"dot", "punto", "ponto", "point", "punkt", "punt", "kropka", "period", "точка", "."}

// spelledDot returns the length of a dot written as a word at s[j:] in a
// spelled address: "(dot)", " [dot] ", " dot ", " punto ", or 0.
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
	n := 0
	for _, w := range dotWords {
		if hasWordFold(s, k, w) {
			n = len(w)
			break
		}
	}
	if n == 0 {
		return 0
	}
	k += n
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
	// A local part in Chinese, Japanese or Korean ("张三@qq.com") runs back
	// to a space or punctuation: its script cannot tell where the words
	// before it end. Anywhere else, such a letter ends the local part, as
	// in "邮箱zhangsan@163.com".
	last, _ := utf8.DecodeLastRuneInString(s[from:localEnd])
	cjkLocal := spaceless(last)
	start = localEnd
	// No further back than a local part may be long (and a byte more):
	// reading a run of such bytes whole for each '@' in it ("%40%40…")
	// took time the square of its length.
	for start > from && localEnd-start <= maxLocalPart {
		c := s[start-1]
		if c < utf8.RuneSelf {
			if !isLocalPartByte(c) {
				break
			}
			start--
			continue
		}
		r, size := utf8.DecodeLastRuneInString(s[from:start])
		if !wordRune(r) && !(cjkLocal && spaceless(r) && unicode.IsLetter(r)) {
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
		if r, _ := utf8.DecodeRuneInString(s[j:]); spaceless(r) {
			// An internationalised label ("公司.中国"). Text goes on
			// against it with no space, so the last label is only a
			// top-level domain that spelling knows.
			for j < len(s) {
				r, size := utf8.DecodeRuneInString(s[j:])
				if !spaceless(r) || !unicode.IsLetter(r) {
					break
				}
				j += size
			}
			if j < len(s) && s[j] == '.' {
				j++
				continue
			}
			if labelStart > domStart {
				if tld := idnTopLevelAt(s[labelStart:j]); tld > 0 {
					end = labelStart + tld
				}
			}
			break
		}
		for j < len(s) {
			c := s[j]
			if c < utf8.RuneSelf {
				if !isASCIIWordByte(c) && c != '-' {
					break
				}
				if !isASCIILetter(c) {
					letters = false
				} else if letters {
					lead++
				}
				j++
				continue
			}
			r, size := utf8.DecodeRuneInString(s[j:])
			if !wordRune(r) {
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
		} else if hasWordFold(s, j, "%2e") {
			sep = 3 // a dot percent-encoded, as links may carry it
		} else if hasWordFold(s, j, "&#46;") || hasWordFold(s, j, "&#x2e;") {
			sep = strings.IndexByte(s[j:], ';') + 1 // and as an HTML entity
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

// idnTopLevelAt returns the length of the internationalised top-level
// domain that label starts with, 0 when none does.
func idnTopLevelAt(label string) int {
	for _, tld := range idnTopLevelDomains {
		if strings.HasPrefix(label, tld) {
			return len(tld)
		}
	}
	return 0
}

// idnTopLevelDomains are top-level domains written in Chinese, Japanese
// or Korean, the longer before a shorter one they start with.
var idnTopLevelDomains = []string{
	"中国", "中國", "公司", "网络", "網絡", "香港", "台湾", "台灣", "新加坡", "澳門",
	"在线", "网址", "网店", "商城", "商店", "集团", "我爱你", "中文网", "移动", "手机",
	"コム", "みんな", "한국", "닷컴", "닷넷",
}

// maxLocalPart is the longest an address's local part may be (RFC 5321).
const maxLocalPart = 64

// localPartStart returns where the ASCII local part of an address that
// ends at s[end] starts, not before s[from]; leading dots are no part of
// it. It reads back no further than maxLocalPart bytes and one more:
// reading a run of such bytes whole for each "at" in it ("at-at-at-…")
// took time the square of its length.
func localPartStart(s string, end, from int) int {
	start := end
	for start > from && end-start <= maxLocalPart && isLocalPartByte(s[start-1]) {
		start--
	}
	for start < end && s[start] == '.' {
		start++
	}
	return start
}

func isLocalPartByte(c byte) bool {
	return isASCIIWordByte(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '\'' || c == '-'
}

// redactWordEmails replaces the addresses in s whose "at" is a bare word
// with [email], and returns s itself when there is none. "at" is an
// everyday word, so such an address must end in a known top-level domain
// and not look like a sentence: the word before "at" is not one that goes
// before "at" in prose ("look at example dot com"), and the one after it
// is not an article or pronoun ("tap at the dot in the corner"). Its dots
// may be words too ("jane at example dot com"); when none is, as in
// "jane at example.com", which is also how a site is named ("sign up at
// example.com"), the local part must look like one ("jane.doe",
// "jdoe_42"), or the domain be a mail provider's ("jane at gmail.com"), or
// a word before it say that an address follows ("my email is jane at
// example.com", "write to jane at acme.io").
//
// The words for '@' in other languages mean it and nothing else (see
// meantAts), so an address spelled with them ("juan arroba gmail punto
// com", "max ät gmx punkt de") needs no word to announce it.
func redactWordEmails(s string) string {
	s = redactJoinedEmails(s)
	s = redactWordEmailsWith(s, "at", false)
	if hasMeantAt(s) { // a cheap look first: most texts have none
		for _, w := range meantAts {
			s = redactWordEmailsWith(s, w, true)
		}
	}
	return s
}

// redactJoinedEmails replaces with [email] the addresses in s whose "at"
// and dots are words joined to their parts by underscores or dashes, as
// people write them to get past a filter: "jdoe77_at_gmail_dot_com",
// "jdoe77 -at- gmail -dot- com". Code has names like "created_at_home",
// so such an address needs a known top-level domain at its end and a dot
// written the same way, or a mail provider's domain ("jdoe77_at_gmail.com").
// It returns s itself when there is none.
func redactJoinedEmails(s string) string {
	if !hasJoinedAt(s, '_') && !hasJoinedAt(s, '-') {
		return s // a cheap look first: nearly all texts have none
	}
	w := rewriter{s: s}
	for k := 1; k+3 < len(s); k++ {
		sep := s[k-1]
		if sep != '_' && sep != '-' || s[k+2] != sep || !strings.EqualFold(s[k:k+2], "at") {
			continue
		}
		start, end, ok := joinedEmail(s, k, w.last)
		if !ok {
			continue
		}
		w.replace(start, end, emailMark)
		k = end
	}
	return w.String()
}

// hasJoinedAt reports whether s holds "at", in either case, between two
// of sep.
func hasJoinedAt(s string, sep byte) bool {
	for i := 0; ; {
		j := strings.IndexByte(s[i:], sep)
		if j < 0 {
			return false
		}
		i += j + 1
		if i+2 < len(s) && s[i+2] == sep && s[i]|0x20 == 'a' && s[i+1]|0x20 == 't' {
			return true
		}
	}
}

// joinedEmail checks the address around a joined "at" at s[at] (see
// redactJoinedEmails), not reaching back before s[from], and returns its
// start and end.
func joinedEmail(s string, at, from int) (start, end int, ok bool) {
	sep := s[at-1]
	localEnd := at - 1
	for localEnd > from && s[localEnd-1] == ' ' {
		localEnd--
	}
	start = localPartStart(s, localEnd, from)
	for start < localEnd && (s[start] == sep || s[start] == '.') {
		start++
	}
	local := s[start:localEnd]
	if local == "" || proseBeforeAt[strings.ToLower(local)] {
		return 0, 0, false
	}
	// The domain: labels of letters and digits, each after a dot that is
	// written, or spelled between two of sep.
	j, labels, spelled := skipSpaces(s, at+3), 0, false
	var first, lastLabel string
	for {
		labelStart := j
		for j < len(s) && (isASCIILetter(s[j]) || '0' <= s[j] && s[j] <= '9') {
			j++
		}
		if j == labelStart {
			break
		}
		end = j
		labels++
		lastLabel = s[labelStart:j]
		if labels == 1 {
			first = lastLabel
		}
		switch d := skipSpaces(s, j); {
		case j < len(s) && s[j] == '.':
			j++
			continue
		case d+5 <= len(s) && s[d] == sep && s[d+4] == sep && strings.EqualFold(s[d+1:d+4], "dot"):
			j, spelled = skipSpaces(s, d+5), true
			continue
		}
		break
	}
	if labels < 2 || proseAfterAt[strings.ToLower(first)] || !topLevelDomains[strings.ToLower(lastLabel)] ||
		!spelled && !mailProviders[strings.ToLower(first)] {
		return 0, 0, false
	}
	return start, end, true
}

// meantAts are the words for '@' in Spanish and Portuguese, French,
// Italian, Dutch, German, Polish and Russian ("dog", and "little dog").
// indexWord and hasMeantAt fold the case of a word's first two bytes, which
// is the case of its first letter in Latin scripts but not in Cyrillic,
// whose capitals start with another byte: a Russian word is listed
// capitalised too, for the start of a sentence or a line, and for
// capitals throughout ("Собака", "СОБАКА").
var meantAts = []string{"arroba", "arobase", "chiocciola", "apenstaartje", "klammeraffe", "ät", "małpa",
	"собака", "Собака", "собачка", "Собачка"}

// meantAtLeads has a bit set for each byte that starts one of meantAts,
// in either case: 'a' and 'A' for "arroba", 0xC3 for "ät".
var meantAtLeads = func() (t [256]bool) {
	for _, w := range meantAts {
		t[w[0]] = true
		if isASCIILetter(w[0]) {
			t[w[0]&^0x20] = true
		}
	}
	return t
}()

// hasMeantAt reports whether s holds one of meantAts as a word after a
// space. It looks at the byte after each space only, eight bytes at a
// time: one pass, where a search for each word took seven, mostly through
// letters as common as the 'r' of "arroba".
func hasMeantAt(s string) bool {
	at := func(k int) bool {
		if !meantAtLeads[s[k]] {
			return false
		}
		for _, w := range meantAts {
			// The first two bytes, compared as indexWord does, rule out
			// most words before a closer look: "are" before "arroba".
			if s[k]|0x20 == w[0]|0x20 && k+1 < len(s) && s[k+1]|0x20 == w[1]|0x20 && wordAt(s, k-1, w) {
				return true
			}
		}
		return false
	}
	j := 0
	for ; j+9 <= len(s); j += 8 {
		for m := zeroBytes(load64(s, j) ^ (lo8 * ' ')); m != 0; m &= m - 1 {
			if at(j + bits.TrailingZeros64(m)/8 + 1) {
				return true
			}
		}
	}
	for ; j+1 < len(s); j++ {
		if s[j] == ' ' && at(j+1) {
			return true
		}
	}
	return false
}

// redactWordEmailsWith replaces the addresses whose "at" is word;
// when word can only mean '@' (meant), they need no word before them to say
// an address follows.
func redactWordEmailsWith(s, word string, meant bool) string {
	w := rewriter{s: s}
	for k := 0; ; {
		at := indexWord(s, k, word)
		if at < 0 {
			break
		}
		k = at + 1 + len(word)
		domStart := at + len(word) + 2
		var start, end int
		if domainFollows(s, domStart) {
			var ok bool
			start, end, ok = emailSpan(s, at, domStart, w.last, true)
			cued := meant || cueBefore(s, start, mailCueWords)
			// A local part ends in no dot: "…коробку. Собака mail.ru" ends
			// a sentence before the word.
			if !ok || s[at-1] == '.' || !cued && proseLocal(s, start, at) || !wordEmailParts(s[start:at], s[domStart:end], s[:end], cued) {
				continue
			}
		} else if start, end = providerOnlyEmail(s, at, domStart, w.last, meant); end == 0 {
			continue
		}
		w.replace(spelledLocalStart(s, start, w.last), end, emailMark)
		k = end
	}
	return w.String()
}

// providerOnlyEmail finds an address whose "at" is a word at s[at] and
// whose domain, at s[domStart], is a mail provider's name alone: "my mail
// is jdoe77 at gmail". It returns the address's start and end, or a zero
// end. With no top-level domain to tell it from prose ("I work at
// Yahoo"), it needs a local part like an address's ("jdoe77", "j.doe") or
// a word for '@' that means nothing else (meant); a word before that says
// an address follows is not enough ("mail sent at gmail").
func providerOnlyEmail(s string, at, domStart, from int, meant bool) (start, end int) {
	e := domStart
	for e < len(s) && isASCIIWordByte(s[e]) {
		e++
	}
	prov := strings.ToLower(s[domStart:e])
	if e == domStart || !mailProviders[prov] || proseProviders[prov] || strings.ContainsAny(prov, "0123456789") ||
		e < len(s) && (s[e] == '-' || s[e] == '@' || s[e] >= utf8.RuneSelf) {
		return 0, 0
	}
	start = localPartStart(s, at, from)
	local := s[start:at]
	if local == "" || proseLocal(s, start, at) && !meant || !meant && !addressLike(local) {
		return 0, 0
	}
	return start, e
}

// spelledLocalStart returns where an address whose local part starts at
// s[start] really starts, when words joined by spelled dots come before
// it ("jane dot doe at example dot com"), not before s[from].
func spelledLocalStart(s string, start, from int) int {
	for {
		i := start
		for i > from && s[i-1] == ' ' {
			i--
		}
		gap := -1 // where the spelled dot before the local part starts
		switch {
		case i-5 >= from && closingBracket(s[i-5]) != 0 && closingBracket(s[i-5]) == s[i-1] && strings.EqualFold(s[i-4:i-1], "dot"):
			gap = i - 5 // "(dot)", "[dot]"
		case i < start && i-4 >= from && s[i-4] == ' ' && strings.EqualFold(s[i-3:i], "dot"):
			gap = i - 4 // " dot "
		case i < start && i-2 >= from && s[i-2] == ' ' && s[i-1] == '.':
			gap = i - 2 // " . "
		}
		if gap < 0 {
			return start
		}
		w := gap
		for w > from && s[w-1] == ' ' {
			w--
		}
		k := w
		for k > from && isLocalPartByte(s[k-1]) {
			k--
		}
		// "the dot", "a dot" are prose: an article names no mailbox.
		if k == w || spelledDot(s, w) != start-w || proseAfterAt[strings.ToLower(s[k:w])] {
			return start
		}
		start = k
	}
}

// domainFollows tells cheaply whether s[i:] starts with a word and then a
// dot, written or spelled: most " at " in prose are followed by neither,
// and need no closer look.
func domainFollows(s string, i int) bool {
	j := i
	for j < len(s) && (isASCIIWordByte(s[j]) || s[j] == '-') {
		j++
	}
	if j == i || j >= len(s) {
		return false
	}
	return s[j] == '.' && j+1 < len(s) && isASCIIWordByte(s[j+1]) || spelledDot(s, j) > 0
}

// indexWord returns the index of the space that starts " "+w+" " (w
// lowercase, two bytes or more, matched in any case) in s at or after
// from, or -1.
func indexWord(s string, from int, w string) int {
	// Eight positions at a time, as 64-bit words: the words of the bytes
	// at j-1, j and j+1, lowercased by setting bit 5 (which changes no
	// letter into another), say at once where a word starting with w's
	// first two letters begins; only those few are looked at closer.
	// strings.Index is several times slower on feedback, where spaces and
	// common letters abound.
	// Bit 5 is set in w's bytes too, which leaves a lowercase ASCII letter
	// as it is and makes the UTF-8 of "ä" and "Ä" alike ("ät").
	const lower = lo8 * 0x20
	first, second := lo8*uint64(w[0]|0x20), lo8*uint64(w[1]|0x20)
	j := max(from, 0) + 1
	for ; j+9 <= len(s); j += 8 {
		m := zeroBytes(load64(s, j-1)^(lo8*' ')) & zeroBytes(load64(s, j)|lower^first) & zeroBytes(load64(s, j+1)|lower^second)
		for m != 0 {
			if k := j + bits.TrailingZeros64(m)/8 - 1; wordAt(s, k, w) {
				return k
			}
			m &= m - 1
		}
	}
	for ; j+len(w)+1 <= len(s); j++ {
		if wordAt(s, j-1, w) {
			return j - 1
		}
	}
	return -1
}

// wordAt reports whether s[i:] starts with " "+w+" ", in any case.
func wordAt(s string, i int, w string) bool {
	return i >= 0 && i+len(w)+2 <= len(s) && s[i] == ' ' && hasWordFold(s, i+1, w) && s[i+len(w)+1] == ' '
}

// zeroBytes returns a word with the high bit set in each byte of x that
// is zero, and no other bit but, at times, that of a byte above a zero
// one (whose borrow it takes).
func zeroBytes(x uint64) uint64 {
	return (x - lo8) &^ x & hi8
}

// wordEmailParts checks an address whose "at" is a word: its local part,
// its domain, the text up to its end, and whether a word before it says
// that an address follows.
func wordEmailParts(local, domain, upToEnd string, cued bool) bool {
	first := domain
	for i := 0; i < len(first); i++ {
		if !isASCIIWordByte(first[i]) && first[i] != '-' {
			first = first[:i]
			break
		}
	}
	tld := upToEnd[strings.LastIndexAny(upToEnd, ". ")+1:]
	if proseBeforeAt[strings.ToLower(local)] || proseAfterAt[strings.ToLower(first)] || !topLevelDomains[strings.ToLower(tld)] {
		return false
	}
	if strings.ContainsAny(domain, " ([{") {
		return true // a dot spelled as a word: written to hide an address
	}
	return cued || mailProviders[strings.ToLower(first)] || mailDomains[strings.ToLower(domain)] || addressLike(local)
}

// mailCueWords say that an address follows (see cueBefore): "email",
// "my e-mail is", "write to", "mail me at".
var mailCueWords = map[string]uint8{
	"email": cue, "emails": cue, "emailed": cue, "mail": cue, "mailto": cue, "address": cue,
	"contact": cue, "write": cue, "reach": cue, "cc": cue, "kontakt": cue,
	// Spanish, Portuguese, French, German and Dutch, folded (see cueBefore).
	"correo": cue, "correio": cue, "courriel": cue, "adresse": cue, "endereco": cue, "mailadres": cue,
	"electronico": filler, "es": filler, "el": filler, "mi": filler, "meu": filler, "mon": filler,
	"mijn": filler, "ist": filler, "est": filler, "e": filler, "de": filler,

	"is": filler, "me": filler, "us": filler, "to": filler, "at": filler, "my": filler, "our": filler,
	"your": filler, "his": filler, "her": filler, "their": filler, "the": filler, "new": filler,
	"work": filler, "personal": filler, "or": filler, "via": filler, "on": filler,
	// "My email address has changed to", "my email is now", "E-Mail-Adresse
	// lautet", "mi correo nuevo es".
	"has": filler, "changed": filler, "now": filler, "still": filler, "lautet": filler,
	"nuevo": filler, "novo": filler, "nouvelle": filler, "neue": filler,
}

// addressLike tells whether a local part looks like an address's rather
// than a word of prose: two letters or more, and a dot, underscore, plus
// or digit ("jane.doe", "j_doe", "jdoe42"; not "support", nor "v2.3").
func addressLike(local string) bool {
	letters, marks := 0, false
	for i := 0; i < len(local); i++ {
		switch c := local[i]; {
		case isASCIILetter(c):
			letters++
		case c == '.' || c == '_' || c == '+' || '0' <= c && c <= '9':
			marks = true
		}
	}
	return letters >= 2 && marks
}

// mailProviders are the first labels of domains that serve mailboxes to
// the public: "jane at gmail.com" is an address, whatever the local part.
var mailProviders = setOf("rambler", "gmail", "googlemail", "yahoo", "ymail", "hotmail", "outlook",
	"msn", "icloud", "aol", "protonmail", "proton", "gmx", "yandex", "zoho", "fastmail",
	"tutanota", "qq", "163", "126", "comcast", "btinternet", "libero", "laposte", "rocketmail",
	"web", "t-online", "freenet", "free", "wanadoo", "orange", "sfr", "bol", "uol", "terra",
	"naver", "daum", "virgilio", "seznam", "wp", "onet", "interia", "rediffmail", "ziggo", "telenet")

// mailDomains are domains that serve mailboxes to the public whose first
// label is an everyday word: "ivan at mail.ru", but "I am at
// mail.google.com".
var mailDomains = setOf("mail.ru", "bk.ru", "inbox.ru", "list.ru", "mail.com")

// proseBeforeAt are words that go before "at" in prose rather than
// addresses: "look at example dot com" names a site.
var proseBeforeAt = setOf("look", "looking", "looked", "go", "went", "visit", "check", "see",
	"find", "found", "available", "online", "live", "hosted", "based", "located", "work",
	"works", "worked", "working", "us", "me", "them", "it", "him", "her", "site", "website",
	"page", "here", "there", "up", "in", "out", "is", "are", "was", "were", "be", "been",
	"and", "or", "but", "not", "just", "only", "also", "even", "still", "you", "we", "i",
	"everyone", "all", "team", "folks", "guys", "people", "thanks", "thank", "thx", "hi",
	"hello", "hey", "for", "with", "has", "changed", "now",
	// What goes wrong, or was done, at a site: "My account at outlook.com
	// keeps getting locked", "Problems at outlook.com since Monday".
	"account", "accounts", "problem", "problems", "issue", "issues", "trouble", "login", "signin",
	"sync", "subscription", "2fa", "mfa", "two-factor", "outage", "error", "errors", "sitting",
	"waiting", "shopping", "bought", "ordered", "purchased", "registered", "signed", "subscribed")

// proseLocal reports whether the word s[start:end] before an "at" is
// prose rather than an address's local part: a word of proseBeforeAt, or
// a noun after an article or a possessive ("a PS5 at bestbuy.com", "my
// Pixel8 at store.google.com", "After iOS17 at iCloud"). Not a user name
// in small letters before a mail provider's domain: "to my sarahlee at
// gmail.com", "his rjohnson at aol.com".
func proseLocal(s string, start, end int) bool {
	if proseBeforeAt[strings.ToLower(s[start:end])] {
		return true
	}
	j := start
	for j > 0 && s[j-1] == ' ' {
		j--
	}
	k := j
	for k > 0 && isASCIILetter(s[k-1]) {
		k--
	}
	// An address's marks ("john_doe", "mark.t") outweigh the word before.
	return j < start && k < j && (k == 0 || !isASCIIWordByte(s[k-1])) && determiners[strings.ToLower(s[k:j])] &&
		!strings.ContainsAny(s[start:end], "._+") && !(providerAfterAt(s, end) && strings.ToLower(s[start:end]) == s[start:end])
}

// providerAfterAt reports whether a mail provider's name follows the "at"
// or '@' after s[end]: " at gmail.com", " @ yahoo".
func providerAfterAt(s string, end int) bool {
	k := skipSpaces(s, end)
	switch {
	case strings.HasPrefix(s[k:], "@"):
		k++
	case len(s)-k >= 2 && strings.EqualFold(s[k:k+2], "at"):
		k += 2
	default:
		return false
	}
	k = skipSpaces(s, k)
	e := k
	for e < len(s) && (isASCIIWordByte(s[e]) || s[e] == '-') {
		e++
	}
	return e > k && mailProviders[strings.ToLower(s[k:e])]
}

// determiners are the words before a noun that no local part has before
// it; not the prepositions an address follows as often ("the password
// for jdoe at gmail.com", "opened by maria.g at hotmail.com").
var determiners = setOf("a", "an", "the", "my", "your", "our", "his", "her", "their", "this", "that",
	"these", "those", "after", "before")

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
	"cl", "ae", "sa", "ng", "ke", "id", "my", "ph", "vn", "th", "pk",
	// Newer ones, not those prose puts after "dot" ("page dot pro").
	"studio", "website", "agency", "solutions", "ventures", "consulting", "software")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}
