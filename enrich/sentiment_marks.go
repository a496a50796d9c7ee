package enrich

import (
	"sort"
	"strings"
	"unicode/utf8"
)

// Marks are what customers say without words: an emoji ("Sync broken
// again 👎", "Offline mode 😍"), an emoticon ("Export works again :)") or
// a sentence shouted in capitals ("FIX THE EXPORT PLEASE"). The tokenizer
// reads words only, so the marks are looked for in the text itself, after
// its words are summed, and each adds to the sentence it ends (or, before
// any word, the one it opens). So are the figures of a sentence ("the
// dashboard shows 12 users, we have 40"; see contradicted): the lexicon
// does not tell a figure from any other word it does not know.

// emojis weigh the emoji feedback uses most, as the lexicon weighs words.
// Two depend on their sentence: 🔥 is praise ("new update is 🔥") unless
// the sentence is a complaint ("prod is on fire since the release 🔥
// nothing loads"), and 🙏 is thanks unless the sentence pleads ("please
// add Outlook sync 🙏").
var emojis = map[rune]float64{
	'😍': 2.5, '🥰': 2.5, '🤩': 2.5, '❤': 2.5, '♥': 2.5, '💖': 2.5, '💕': 2.5, '💙': 2.5, '💚': 2.5,
	'👍': 1.5, '👌': 1.5, '👏': 2, '🙌': 2, '🎉': 2, '🥳': 2, '💯': 2, '⭐': 1.5, '🌟': 1.5, '💪': 1,
	'😊': 1.5, '🙂': 1, '😀': 1.5, '😃': 1.5, '😄': 1.5, '😁': 1.5, '☺': 1.5,
	'👎': -2, '😡': -2.5, '😠': -2.5, '🤬': -3, '😤': -2, '😩': -2, '😫': -2, '😢': -2, '😭': -2,
	'😞': -1.5, '😔': -1.5, '🙁': -1.5, '☹': -1.5, '😕': -1, '🙄': -2, '😒': -1.5, '🤦': -2,
	'🤮': -3, '💩': -3,
}

const (
	fire   = '🔥'
	praise = '🙏'
	// fireWeight is 🔥's weight either way; thanksWeight is 🙏's as thanks.
	fireWeight   = 2
	thanksWeight = 1.5
	// smiley and frown are the weights of ":)" and ":(".
	smiley = 1.5
	frown  = -1.5
	// shout is the weight of a sentence shouted without a word of
	// feeling ("I WANT MY MONEY BACK"), and shoutFactor what shouting
	// multiplies the words of feeling by.
	shout       = -1.5
	shoutFactor = 1.5
	// shoutWords is how many words in capitals make a shout: "USB C
	// cable" is no shout, "DO NOT BUY THIS" is.
	shoutWords = 3
)

// marks adds the weights of the marks in text to the sums of the
// sentences of toks[from:to], the words of text, and returns what it
// added. sentences are the sentences of all of toks, as sum appends them.
func (s *scorer) marks(text string, toks []token, from, to int, sentences []scoredSentence) float64 {
	var added float64
	// Emoji lie beyond U+2600 (three bytes starting 0xE2 and up) or in the
	// planes that four-byte sequences (0xF0) encode; text without those
	// lead bytes, most of it, is passed over by IndexByte alone.
	for _, lead := range [...]byte{0xE2, 0xF0} {
		for i := strings.IndexByte(text, lead); i >= 0; {
			// Below U+2600 ("’", "—", "…") no emoji of emojis lies.
			if lead == 0xE2 && (i+1 >= len(text) || text[i+1] < 0x98) {
				next := strings.IndexByte(text[i+1:], lead)
				if next < 0 {
					break
				}
				i += 1 + next
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if w, ok := emojis[r]; ok || r == fire || r == praise {
				k := s.sentenceAt(toks, from, to, i, sentences)
				switch r {
				case fire:
					w = fireWeight
					if k >= 0 && sentences[k].sum < 0 {
						w = -fireWeight
					}
				case praise:
					w = thanksWeight
					if s.pleads(toks, from, to, i) {
						w = 0
					}
				}
				added += w
				if k >= 0 {
					sentences[k].sum += w
				}
			}
			next := strings.IndexByte(text[i+size:], lead)
			if next < 0 {
				break
			}
			i += size + next
		}
	}
	for i := strings.IndexByte(text, ':'); i >= 0; {
		if w := emoticon(text, i); w != 0 {
			added += w
			if k := s.sentenceAt(toks, from, to, i, sentences); k >= 0 {
				sentences[k].sum += w
			}
		}
		next := strings.IndexByte(text[i+1:], ':')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	for k := range sentences {
		a, b, ok := sentenceIn(sentences, k, from, to)
		if !ok {
			continue
		}
		// Most sentences start with a capital and go on in lower case:
		// the first two letters of the first word rule out a shout.
		if t := toks[a]; upperAt(text, int(t.start)) && (t.end-t.start == 1 || upperAt(text, int(t.start)+1)) {
			added += s.shouts(text, toks[a:b], &sentences[k])
		}
		if sentences[k].shows && s.contradicted(text, toks, a, b) { // most sentences show no figure
			added += mismatch
			sentences[k].sum += mismatch
		}
	}
	return added
}

// emoticon returns the weight of the emoticon whose colon is text[i]:
// ":)", ":-)", ":D" smile, ":(", ":-(", ":'(" frown; 0 for any other
// colon ("10:30", "Pros: fast", "https://").
func emoticon(text string, i int) float64 {
	j := i + 1
	if j < len(text) && (text[j] == '-' || text[j] == '\'') {
		j++
	}
	if j >= len(text) {
		return 0
	}
	// ":D" is a smile, ":Do this" a colon before a word.
	endsHere := j+1 == len(text) || !isASCIIWordByte(text[j+1])
	switch text[j] {
	case ')':
		return smiley
	case 'D':
		if endsHere && (i == 0 || !isASCIIWordByte(text[i-1]) || isSpaceByte(text[i-1])) {
			return smiley
		}
	case '(':
		return frown
	}
	return 0
}

// sentenceAt returns the index in sentences of the sentence a mark at
// byte i of the text of toks[from:to] belongs to: the one of the word
// before it, or of the first word when none comes before; -1 when the
// text has no words.
func (s *scorer) sentenceAt(toks []token, from, to, i int, sentences []scoredSentence) int {
	if from == to || len(sentences) == 0 {
		return -1
	}
	j := from // the last word before the mark, or the first
	for lo, hi := from, to; lo < hi; {
		m := int(uint(lo+hi) >> 1)
		if int(toks[m].start) < i {
			j, lo = m, m+1
		} else {
			hi = m
		}
	}
	// The last sentence that starts at or before j; the first if none.
	k := sort.Search(len(sentences), func(k int) bool { return sentences[k].tok > j }) - 1
	return max(k, 0)
}

// pleads reports whether a word of asking ("please", "pls", "kindly")
// comes in the sentence before byte i of the text of toks[from:to].
func (s *scorer) pleads(toks []token, from, to, i int) bool {
	// Back from the last word before the mark to its sentence's first:
	// a text of many marks is read once per sentence, not once per mark.
	j := sort.Search(to-from, func(k int) bool { return int(toks[from+k].start) >= i }) + from - 1
	for ; j >= from; j-- {
		if s.begs[toks[j].id] {
			return true
		}
		if toks[j].brk == brkSentence {
			return false
		}
	}
	return false
}

// shouts tells whether the sentence sen, whose words are toks, is
// written in capitals, at least shoutWords words of them: its words of
// feeling count shoutFactor times, and one without any ("FIX THE EXPORT
// PLEASE", "PLEASE RESPOND") is a complaint, unless it thanks ("THANK
// YOU SO MUCH") or asks ("HOW DO I TRANSFER MONEY?": some write all in
// capitals). It returns what it added to the sentence's sum.
func (s *scorer) shouts(text string, toks []token, sen *scoredSentence) float64 {
	capitals, thanks := 0, false
	for _, t := range toks {
		upper := false
		for i := t.start; i < t.end; i++ {
			switch c := text[i]; {
			case 'a' <= c && c <= 'z':
				return 0
			case 'A' <= c && c <= 'Z':
				upper = true
			}
		}
		if upper {
			capitals++
		}
		thanks = thanks || s.thanks[t.id]
	}
	if capitals < shoutWords {
		return 0
	}
	w := sen.sum * (shoutFactor - 1)
	if sen.sum == 0 && !thanks && !s.asks(toks) {
		w = shout
	}
	sen.sum += w
	return w
}

// sentenceIn returns the words toks[a:b] of sentences[k], and whether
// they are words of toks[from:to], the words of one text.
func sentenceIn(sentences []scoredSentence, k, from, to int) (a, b int, ok bool) {
	a, b = sentences[k].tok, to
	if k+1 < len(sentences) && sentences[k+1].tok < to {
		b = sentences[k+1].tok
	}
	return a, b, from <= a && a < to
}

// asks reports whether the sentence toks opens with a word of questions
// ("how", "what", "can"), not one before a negation ("DO NOT BUY THIS").
func (s *scorer) asks(toks []token) bool {
	if t := toks[0]; uint(t.id) >= uint(len(s.words)) || s.words[t.id]&wordAsks == 0 {
		return false
	}
	return len(toks) < 2 || uint(toks[1].id) >= uint(len(s.roles)) || s.roles[toks[1].id] != roleNegation
}

func upperAt(text string, i int) bool { c := text[i]; return 'A' <= c && c <= 'Z' }

// mismatch is the weight of a figure the product shows that the customer
// says is wrong: "the dashboard shows 12 users, we have 40", "report
// says 3 open tickets but there are at least 20" (see contradicted).
const mismatch = -1.5

// figureScope is how many words after a word of shows its figure may
// come: "says I have 2 seats".
const figureScope = 3

// contradicted reports whether the sentence toks[a:b] of text gives a
// figure a word of shows gives ("shows 12", "says I have 2") that a
// second, other figure contradicts: one after a comma (not ", and") or a
// word of turns that one of ownFigures comes with ("we have 40", "there are 5 of us",
// "Google shows 300"). Such a sentence is a complaint told without a
// word of feeling, weighed as mismatch. "Instead of" is no sign of one:
// "it shows 5 errors instead of 50" is as likely good news.
func (s *scorer) contradicted(text string, toks []token, a, b int) bool {
	shownAt, turned, own := -1, false, false // the first figure shown; what came after it
	for j := a; j < b; j++ {
		t := toks[j]
		switch {
		case isDigit(text[t.start]):
			if shownAt < 0 {
				for k := j - 1; k >= a && k >= j-figureScope; k-- {
					if s.shows[toks[k].id] {
						shownAt = j
						break
					}
					if toks[k+1].brk != brkNone {
						break
					}
				}
				continue
			}
			if t.brk == brkClause && j == shownAt+1 && text[toks[j-1].end] == ',' && isDigit(text[toks[j-1].end+1]) {
				shownAt = j // "1,200" is one figure
				continue
			}
			if turned && own {
				// "shows 12 users, we have 12 too" agrees.
				shown := toks[shownAt]
				return text[t.start:t.end] != text[shown.start:shown.end]
			}
		case shownAt >= 0:
			// A clause that adds ("…, and we closed 2 of them") turns
			// nothing.
			turned = turned || t.brk == brkClause && !s.adds[t.id] || s.turns[t.id]
			own = own || turned && (s.ownFigures[t.id] || s.shows[t.id])
		}
	}
	return false
}
