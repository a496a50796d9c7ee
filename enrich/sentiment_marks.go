package enrich

import (
	"strings"
	"unicode/utf8"
)

// Marks are what customers say without words: an emoji ("Sync broken
// again 👎", "Offline mode 😍"), an emoticon ("Export works again :)") or
// a sentence shouted in capitals ("FIX THE EXPORT PLEASE"). The tokenizer
// reads words only, so the marks are looked for in the text itself, after
// its words are summed, and each adds to the sentence it ends (or, before
// any word, the one it opens). So are the figures of a sentence ("the
// dashboard shows 12 users, we have 40"; see mismatches): the lexicon
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
	return added + s.shouts(text, toks, from, to, sentences) + s.mismatches(text, toks, from, to, sentences)
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
	if from == to {
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
	k := len(sentences) - 1
	for k > 0 && sentences[k].tok > j {
		k--
	}
	return k
}

// pleads reports whether a word of asking ("please", "pls", "kindly")
// comes in the sentence before byte i of the text of toks[from:to].
func (s *scorer) pleads(toks []token, from, to, i int) bool {
	plea := false
	for j := from; j < to && int(toks[j].start) < i; j++ {
		if toks[j].brk == brkSentence {
			plea = false
		}
		plea = plea || s.begs[toks[j].id]
	}
	return plea
}

// shouts finds the sentences of toks[from:to] written in capitals, at
// least shoutWords words of them: their words of feeling count
// shoutFactor times, and one without any ("FIX THE EXPORT PLEASE",
// "PLEASE RESPOND") is a complaint, unless it thanks ("THANK YOU SO
// MUCH"). It returns what it added to the sentences' sums.
func (s *scorer) shouts(text string, toks []token, from, to int, sentences []scoredSentence) float64 {
	var added float64
	k := -1 // the sentence of toks[j] in sentences
	for j := from; j < to; j++ {
		if toks[j].brk != brkSentence {
			continue
		}
		for k+1 < len(sentences) && sentences[k+1].tok <= j {
			k++
		}
		// Most sentences start with a capital and go on in lower case:
		// the first two letters of the first word rule them out.
		if t := toks[j]; !upperAt(text, int(t.start)) || t.end-t.start > 1 && !upperAt(text, int(t.start)+1) {
			continue
		}
		end, capitals, thanks := j, 0, false
		for ; end < to && (end == j || toks[end].brk != brkSentence); end++ {
			t := toks[end]
			word := text[t.start:t.end]
			if strings.ContainsFunc(word, isLowerRune) {
				capitals = -1
				break
			}
			if strings.ContainsFunc(word, isUpperRune) {
				capitals++
			}
			thanks = thanks || s.thanks[t.id]
		}
		if capitals < shoutWords {
			continue
		}
		sum := sentences[k].sum
		w := sum * (shoutFactor - 1)
		if sum == 0 && !thanks {
			w = shout
		}
		added += w
		sentences[k].sum += w
	}
	return added
}

func upperAt(text string, i int) bool { c := text[i]; return 'A' <= c && c <= 'Z' }

func isLowerRune(r rune) bool { return 'a' <= r && r <= 'z' }

func isUpperRune(r rune) bool { return 'A' <= r && r <= 'Z' }

// mismatch is the weight of a figure the product shows that the customer
// says is wrong: "the dashboard shows 12 users, we have 40", "report
// says 3 open tickets but there are at least 20" (see mismatches).
const mismatch = -1.5

// figureScope is how many words after a word of shows its figure may
// come: "says I have 2 seats".
const figureScope = 3

// mismatches finds, in the sentences of toks[from:to], a figure a word of
// shows gives ("shows 12", "says I have 2") that a second figure
// contradicts: one after a comma or a word of turns that one of
// ownFigures comes with ("we have 40", "there are 5 of us", "Google shows
// 300"). Such a sentence is a complaint told without a word of feeling.
// "Instead of" is no sign of one: "it shows 5 errors instead of 50" is
// as likely good news. It returns what it added to the sentences' sums.
func (s *scorer) mismatches(text string, toks []token, from, to int, sentences []scoredSentence) float64 {
	// Most texts hold fewer than two figures: one byte a word tells.
	figures := 0
	for j := from; j < to && figures < 2; j++ {
		if isDigit(text[toks[j].start]) {
			figures++
		}
	}
	if figures < 2 {
		return 0
	}
	var added float64
	k := -1
	shownAt, turned, own := -1, false, false // the first figure shown; what came after it
	for j := from; j < to; j++ {
		t := toks[j]
		if t.brk == brkSentence {
			for k+1 < len(sentences) && sentences[k+1].tok <= j {
				k++
			}
			shownAt, turned, own = -1, false, false
		}
		id := t.id
		switch {
		case isDigit(text[t.start]):
			if shownAt < 0 {
				for b := j - 1; b >= from && b >= j-figureScope; b-- {
					if s.shows[toks[b].id] {
						shownAt = j
						break
					}
					if toks[b+1].brk != brkNone {
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
				added += mismatch
				sentences[k].sum += mismatch
				j = nextSentence(toks, j, to) - 1 // once a sentence
			}
		case shownAt >= 0:
			turned = turned || t.brk == brkClause || s.turns[id]
			own = own || turned && (s.ownFigures[id] || s.shows[id])
		}
	}
	return added
}

// nextSentence returns the index of the first word after toks[j] that
// starts a sentence, or to.
func nextSentence(toks []token, j, to int) int {
	for j++; j < to; j++ {
		if toks[j].brk == brkSentence {
			return j
		}
	}
	return to
}
