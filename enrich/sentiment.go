package enrich

import (
	"context"
	"math"
	"strings"
	"sync"
)

// Sentiment scores how positive or negative feedback is, from -1 to 1, with
// the lexicon in lexicon.go: the whole record into Item.Sentiment and each
// theme's evidence sentence into Theme.Sentiment, so that "billing" can be
// a complaint in a record that is praise overall.
//
// Words and phrases add their weight. A negation ("not", "never",
// "doesn't", and "used to": "it used to be fast") flips and softens the
// next weighted word within three words of the same clause, and makes a complaint of the next word for something
// software does ("won't load", "stopped syncing"; see failure), as does a
// wait a number measures ("takes 35 seconds to load", "had to wait 30
// seconds for it to load", "search takes 20 seconds"; see slowness), and
// so does "keeps" before a verb or a repeat ("it keeps asking me to log
// in", "the reminder fires three times"; see repeat); an
// intensifier ("very", "a bit") scales the next within two. After "but",
// "however" or "except" the rest of the sentence counts three times as
// much as what came before it; a clause opened by "although" or "despite"
// counts half. A word of praise that opens a sentence on its own ("Great,
// ...", "Love how ...") is weighed like what comes before a "but" (see
// exclaims), as are thanks for something ("Thanks for removing the only
// feature I used"; what the product took away is a loss, see takesAway);
// one alone after a complaint ("No reply in a week. Impressive.") is
// sarcasm and counts against; and a negation that says the most ("can't
// recommend it enough", "couldn't be more disappointed") does not flip
// (see hyperbole and superlative). In a sentence where a clause opens with a question
// word, cancelling, downgrading and refunds weigh nothing: "How do I
// cancel my plan?" is no complaint (see asks). A problem reported solved
// ("the sync issue is fixed now", "that error no longer happens") is
// praise: the negative words before it in the sentence and the trouble
// it names weigh nothing (see resolution). A trouble that comes back ("the
// problem is gone, but it comes back") is a loss again (see returns).
// Emoji, emoticons and a sentence shouted in capitals add to the sentence
// they are in (see marks), as does a figure the product shows that the
// customer's own contradicts (see contradicted). The sum s is mapped into
// (-1, 1) as s/√(s²+α), so one mild word moves the score a little and a
// string of strong ones approaches ±1 without reaching it. Records in a language other than English score 0.
//
// Runs after tagging: a theme's sentiment needs its evidence. A theme
// without evidence gets 0. Deterministic, and safe for concurrent use.
type Sentiment struct {
	*scorer
	scratch sync.Pool // *sentimentScratch
}

// scorer is the lexicon indexed for scoring. The lexicon is fixed, so one
// scorer, built on first use, serves every Sentiment; its vocabulary is
// also the base of every KeywordTagger's index (newPhraseIndexOver), so
// that the words a tagger found can be scored without tokenizing the
// record again (see Item.keepWords).
type scorer struct {
	index   *phraseIndex
	weights []float64 // phrase id → weight
	asked   []bool    // phrase id → whether it weighs nothing in a question (see asks)
	trouble []bool    // phrase id → whether it names a problem that can be solved (see resolution)
	flat    []bool    // phrase id → whether it is a complaint only where nothing is praised (chargedFor)
	// thanksFor, by phrase id: thanks that, opening a sentence, defer to
	// what they are for, as an exclamation does (see exclaims).
	thanksFor []bool
	roles     []role    // word id → what the word does to its neighbours
	factors   []float64 // word id → intensifier factor
	// words tells, by word id, whether sum must look at a word (the
	// wordScored bit: whether it starts an entry or has a role; words
	// inside phrases, "the", "of", do neither, and one byte a word is
	// cheaper to consult than starts) and, in the bits of wordLanguage,
	// which language's list has it (1 + its position in languageWords; 0
	// for none; see guessLanguage).
	words []uint8
	// Ids of the words the rules below look for around a match: "how"
	// after an opening exclamation (see exclaims), "enough", "be" and
	// "more" after a negation (see hyperbole).
	how, enough, be, been, more, so, never, say int32
	a, an                                       int32 // "a minute" is a wait (see slowness)
	// "gone" is a resolution only after a trouble (see resolution); "to"
	// after a word of haveTo, a word of pleas or one of conditions before
	// a resolution asks for it ("have to fix", "please fix", "if it was
	// fixed"); "by" before a word not of agents makes it a workaround.
	gone, to, by, nothing int32
	// "for" after a fix a word of fixers names makes what follows its
	// target ("the fix for the sync bug"; see resolution).
	fixers map[int32]bool
	forID  int32
	you    int32 // "thank you for removing" (see takesAway)
	// A word of comeBack before "back", not before "to" or "with", tells
	// of a trouble returned (see returns).
	comeBack, backTo map[int32]bool
	// sarcasmTails, the words of a sarcastic closing praise (see
	// sarcasticTail).
	tails     map[int32]bool
	removers  map[int32]bool // who takes away, before a word of removals
	nuisances map[int32]bool // what is gladly taken away
	joins     map[int32]bool // words that end what a removal took away
	// A figure after a word of shows, contradicted after a word of turns
	// by one of ownFigures (see contradicted).
	shows, turns, ownFigures map[int32]bool
	adds                     map[int32]bool // open a clause that adds, not contrasts: "and", "also"
	where, my, our           int32          // "where is my refund?" chases it (see chases)
	owed                     map[int32]bool
	haveTo                   map[int32]bool
	pleas                    map[int32]bool
	conditions               map[int32]bool
	agents                   map[int32]bool
	// A form of "be" or "get" before "used to" makes it passive ("is
	// used to track"), not a past that is gone.
	passive map[int32]bool
	// "keep" or "kept" before a word not of keptObjects, and "twice" or
	// "two times" before a word not of often, are repeats (see repeat).
	keep, kept, twice, two int32
	keptObjectIDs          map[int32]bool
	often                  map[int32]bool
	// A word of begs before 🙏 makes it a plea, not thanks; a word of
	// thanks keeps a shout from being a complaint (see marks).
	begs, thanks map[int32]bool
}

const (
	wordLanguage = 7 // the bits of a language; languageWords has 7
	wordScored   = 8
	wordAsks     = 16 // opens a question: "how", "can" (see asks)
	wordShows    = 32 // gives a figure: "shows", "says" (see contradicted)
)

var lexiconScorer = sync.OnceValue(newScorer)

var _ Stage = (*Sentiment)(nil)

type role uint8

const (
	roleNone         role = iota
	roleNegation          // negates, and denies: "not", "can't"
	roleSoftNegation      // negates only: "no", "without" (see softNegations)
	roleIntensifier
	roleContrast
	roleConcession
	roleHalt       // only denies: "stopped", "no longer"
	roleFunction   // a failure when denied: "load", "sync"
	roleObligation // ends a denial: "don't have to"
	roleTake       // starts a wait: "takes", "took" (see slowness)
	roleCount      // a number as a word: "ten", "several"
	roleFew        // a number too small for a wait in seconds: "1", "two"
	roleDuration   // measures a wait: "minutes", "days"
	roleSeconds    // measures a wait in seconds: "seconds"
	roleQuick      // makes a wait short: "only", "under"
	roleResolve    // reports a problem solved: "fixed", "resolved" (see resolution)
	roleHappen     // denied after a trouble, reports it solved: "no longer happens"
	roleUsed       // before "to", negates and denies: "used to be great"
	roleTimes      // a repeat: "twice", "times" after a number (see repeat)
	roleBack       // after "is" or "came", a trouble returned: "the crash is back" (see returns)
	roleRemove     // done by the product or its makers, a loss: "you removed" (see takesAway)
)

// What number a wait has come with: none yet, one too small for a wait in
// seconds ("2 seconds"), or another.
const (
	noCount = iota
	fewCount
	manyCount
)

const (
	// negationFactor is what a negation multiplies a weight by: "not good"
	// is a complaint, but a milder one than "bad".
	negationFactor = -0.6
	negationScope  = 3 // words
	intensifyScope = 2 // words
	// contrastBefore and contrastAfter weigh the two sides of a "but".
	contrastBefore = 0.5
	contrastAfter  = 1.5
	concession     = 0.5
	// negationBoost is what a negation that says the most ("couldn't be
	// more") multiplies the next weighted word by.
	negationBoost = 1.5
	// alpha sets how fast the score saturates: a single +2 word scores 0.5.
	alpha = 12
)

// NewSentiment returns a scorer for the bundled lexicon.
func NewSentiment() *Sentiment {
	s := &Sentiment{scorer: lexiconScorer()}
	s.scratch.New = func() any { return &sentimentScratch{} }
	return s
}

func newScorer() *scorer {
	s := &scorer{index: newPhraseIndex()}
	addTerm := func(term string, weight float64) {
		// Phrase ids are handed out in order, so a new phrase's id is the
		// next index of weights. A repeat keeps its first weight.
		if _, added, _ := s.index.add(term); added {
			s.weights = append(s.weights, weight)
		}
	}
	for _, group := range lexicon {
		for _, term := range group.terms {
			addTerm(term, group.weight)
		}
	}
	for _, term := range courtesies {
		addTerm(term, 0)
	}
	s.asked = s.phraseSet(asks)
	s.trouble = s.phraseSet(troubles)
	s.flat = s.phraseSet(chargedFor)
	s.thanksFor = s.phraseSet(thanksFor)
	setRole := func(w string, r role, factor float64) {
		id := s.index.word(w)
		if id < 0 {
			return
		}
		for int(id) >= len(s.roles) {
			s.roles = append(s.roles, roleNone)
			s.factors = append(s.factors, 1)
		}
		s.roles[id], s.factors[id] = r, factor
	}
	// Later lists win: a soft negation is in negations too.
	for _, list := range []struct {
		words []string
		role  role
	}{
		{negations, roleNegation}, {softNegations, roleSoftNegation},
		{contrasts, roleContrast}, {concessions, roleConcession},
		{halts, roleHalt}, {functions, roleFunction}, {obligations, roleObligation},
		{takes, roleTake}, {counts, roleCount}, {few, roleFew}, {durations, roleDuration}, {seconds, roleSeconds},
		{quick, roleQuick}, {resolutions, roleResolve}, {happens, roleHappen},
		{[]string{"used"}, roleUsed}, {[]string{"twice", "times"}, roleTimes},
		{[]string{"back"}, roleBack}, {removals, roleRemove},
	} {
		for _, w := range list.words {
			setRole(w, list.role, 1)
		}
	}
	for _, group := range intensifiers {
		for _, w := range group.words {
			setRole(w, roleIntensifier, group.factor)
		}
	}
	var langOf = map[int32]uint8{}
	for i, l := range languageWords {
		for _, w := range l.words {
			if id := s.index.word(w); id >= 0 {
				langOf[id] = uint8(i + 1)
			}
		}
	}
	var asking []int32 // ids of the words of questions
	for _, w := range questions {
		if id := s.index.word(w); id >= 0 {
			asking = append(asking, id)
		}
	}
	for len(s.roles) < len(s.index.vocab) {
		s.roles = append(s.roles, roleNone)
		s.factors = append(s.factors, 1)
	}
	s.how, s.enough = s.index.word("how"), s.index.word("enough")
	s.be, s.been, s.more, s.so = s.index.word("be"), s.index.word("been"), s.index.word("more"), s.index.word("so")
	s.never, s.say = s.index.word("never"), s.index.word("say")
	s.a, s.an = s.index.word("a"), s.index.word("an")
	s.gone, s.to, s.by = s.index.word("gone"), s.index.word("to"), s.index.word("by")
	s.nothing = s.index.word("nothing")
	s.fixers, s.forID = s.wordSet(fixers), s.index.word("for")
	s.you = s.index.word("you")
	s.comeBack, s.backTo = s.wordSet(comeBack), s.wordSet([]string{"to", "with"})
	s.tails = s.wordSet(sarcasmTails)
	s.removers, s.nuisances = s.wordSet(removers), s.wordSet(nuisances)
	s.joins = s.wordSet([]string{"and", "but", "so", "now", "then", "because", "while"})
	s.shows, s.turns, s.ownFigures = s.wordSet(shows), s.wordSet(turns), s.wordSet(ownFigures)
	s.adds = s.wordSet([]string{"and", "also", "plus"})
	s.where, s.my, s.our = s.index.word("where"), s.index.word("my"), s.index.word("our")
	s.owed = s.wordSet([]string{"refund", "money", "credit", "reimbursement"})
	s.conditions = s.wordSet(conditions)
	s.keep, s.kept = s.index.word("keep"), s.index.word("kept")
	s.passive = s.wordSet([]string{"is", "are", "was", "were", "be", "been", "being", "get", "gets", "got"})
	s.twice, s.two = s.index.word("twice"), s.index.word("two")
	s.often = s.wordSet(often)
	s.keptObjectIDs = s.wordSet(keptObjects)
	s.agents = s.wordSet(agents)
	s.pleas = s.wordSet(pleas)
	s.haveTo = s.wordSet([]string{"have", "has", "had", "got"})
	s.begs = s.wordSet([]string{"please", "pls", "plz", "kindly"})
	s.thanks = s.wordSet([]string{"thank", "thanks", "thx"})
	for len(s.roles) < len(s.index.vocab) { // the words of the sets above
		s.roles = append(s.roles, roleNone)
		s.factors = append(s.factors, 1)
	}
	s.index.done()
	s.words = make([]uint8, len(s.roles))
	for id := range s.words {
		s.words[id] = langOf[int32(id)]
		if len(s.index.starts[id]) > 0 || s.roles[id] != roleNone {
			s.words[id] |= wordScored
		}
	}
	for _, id := range asking {
		s.words[id] |= wordAsks
	}
	for id := range s.shows {
		s.words[id] |= wordShows | wordScored
	}
	return s
}

type sentimentScratch struct {
	cache       wordCache
	toks        []token
	evToks      []token // words of evidence that is not one of the record's sentences
	evSentences []scoredSentence
	buf         []byte
	sentences   []scoredSentence
}

// scoredSentence is one sentence of the record being scored.
type scoredSentence struct {
	tok   int // index of its first word
	sum   float64
	shows bool   // whether it holds a word of shows (see contradicted)
	cut   bool   // whether text is set: only once a theme's evidence is looked for
	text  string // the sentence as sentence() cuts it
}

// Enrich sets Item.Sentiment and the Sentiment of every theme. A record
// without a language whose words are plainly German, Spanish, French,
// Portuguese, Italian or Dutch (see guessLanguage) gets that language in
// Record.Language. A record in a language the lexicon does not read keeps
// the sentiment the LLM tagger judged for it and its themes
// (Item.SentimentBy "llm"), or else gets none; so does one without a
// language that has no English word and none the lexicon scores. It never
// fails.
func (s *Sentiment) Enrich(_ context.Context, items []*Item) error {
	sc := s.scratch.Get().(*sentimentScratch)
	defer s.put(sc)
	for _, it := range items {
		if it == nil || it.Record == nil {
			continue
		}
		r := it.Record
		if !ScoresLanguage(r.Language) {
			notLexicon(it)
			continue
		}
		var toks []token
		var bodyFrom int
		if kw := it.keptWords(s.index); kw != nil {
			toks, bodyFrom = kw.toks, kw.bodyFrom
		} else {
			sc.toks, sc.buf = s.index.tokenizeCached(sc.toks[:0], r.Title, sc.buf, &sc.cache)
			bodyFrom = len(sc.toks)
			sc.toks, sc.buf = s.index.tokenizeCached(sc.toks, r.Body, sc.buf, &sc.cache)
			toks = sc.toks
		}
		sc.sentences = sc.sentences[:0]
		sum, langs := s.sum(toks, &sc.sentences)
		if r.Language == "" {
			// A record that does not say may still be in another language.
			if lang := guessLanguage(&langs); lang != "" {
				r.Language = lang
				notLexicon(it)
				continue
			}
			// Too short to guess, but without one English word or one the
			// lexicon scores ("La factura está mal."): the LLM's judgment,
			// when it made one, says more than the lexicon's 0.
			if sum == 0 && langs[englishWords] == 0 && it.SentimentBy == ByLLM {
				continue
			}
		}
		if r.Title != "" {
			sum += s.marks(r.Title, toks, 0, bodyFrom, sc.sentences)
		}
		sum += s.marks(r.Body, toks, bodyFrom, len(toks), sc.sentences)
		it.Sentiment, it.SentimentBy = squash(sum), ""
		// The keyword tagger's evidence is one of the sentences just scored;
		// finding it is cheaper than scoring it again. An LLM's is the
		// shortest passage that shows its theme ("Export" of "Export to CSV
		// is slow."), which says little alone: it gets the score of the
		// sentence it is in, as a keyword theme does.
	themes:
		for j := range it.Themes {
			th := &it.Themes[j]
			within, holders := -1, 0 // a sentence that holds the evidence as words, and how many do
			for k := range sc.sentences {
				e := &sc.sentences[k]
				if !e.cut {
					// A sentence ends where the next begins; none runs from
					// the title into the body, whose first word starts one.
					last := len(toks) - 1
					if k+1 < len(sc.sentences) {
						last = sc.sentences[k+1].tok - 1
					}
					if e.tok < bodyFrom {
						e.text = sentenceOf(r.Title, toks[:bodyFrom], e.tok, last, e.tok)
					} else {
						e.text = sentenceOf(r.Body, toks[bodyFrom:], e.tok-bodyFrom, last-bodyFrom, e.tok-bodyFrom)
					}
					e.cut = true
				}
				if e.text == th.Evidence {
					th.Sentiment = squash(e.sum)
					continue themes
				}
				if th.Evidence != "" && holdsWords(e.text, th.Evidence) {
					within, holders = k, holders+1
				}
			}
			if holders == 1 { // in two or more, which one is meant is a guess
				th.Sentiment = squash(sc.sentences[within].sum)
				continue
			}
			th.Sentiment = s.score(th.Evidence, sc)
		}
	}
	return nil
}

// holdsWords reports whether sentence holds passage as whole words: "app"
// is in "The app crashes", not in "So happy".
func holdsWords(sentence, passage string) bool {
	for from := 0; ; {
		i := strings.Index(sentence[from:], passage)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(passage)
		if !wordBefore(sentence, i) && (end == len(sentence) || !wordRuneAt(sentence, end)) {
			return true
		}
		from = i + 1
	}
}

// notLexicon gives an item in a language the lexicon does not read the
// sentiment the LLM judged, or none. The lexicon is English: in German
// "fast" means "almost" and "fast unbrauchbar" is a complaint. No score is
// better than a wrong one.
func notLexicon(it *Item) {
	if it.SentimentBy == ByLLM {
		return
	}
	it.Sentiment = 0
	for j := range it.Themes {
		it.Themes[j].Sentiment = 0
	}
}

// ScoresLanguage tells whether Sentiment scores records in language lang
// (a tag such as "en", "en-GB", "EN_us"; empty when the source does not
// say): English or unknown. Records in other languages score 0, so means
// over sentiment leave them out (insights does, in SQL).
func ScoresLanguage(lang string) bool {
	if lang == "" {
		return true
	}
	if len(lang) > 2 && (lang[2] == '-' || lang[2] == '_') {
		lang = lang[:2]
	}
	return strings.EqualFold(lang, "en") || strings.EqualFold(lang, "eng") || strings.EqualFold(lang, "english")
}

// put returns scratch space to the pool, without the last record's text.
func (s *Sentiment) put(sc *sentimentScratch) {
	clear(sc.sentences[:cap(sc.sentences)])
	s.scratch.Put(sc)
}

// Score returns the sentiment of a text in [-1, 1], as Enrich computes it
// for a theme's evidence.
func (s *Sentiment) Score(text string) float64 {
	sc := s.scratch.Get().(*sentimentScratch)
	defer s.put(sc)
	return s.score(text, sc)
}

func (s *Sentiment) score(text string, sc *sentimentScratch) float64 {
	if text == "" {
		return 0
	}
	sc.evToks, sc.buf = s.index.tokenizeCached(sc.evToks[:0], text, sc.buf, &sc.cache)
	sc.evSentences = sc.evSentences[:0]
	sum, _ := s.sum(sc.evToks, &sc.evSentences)
	sum += s.marks(text, sc.evToks, 0, len(sc.evToks), sc.evSentences)
	return squash(sum)
}

// exclaims reports whether a word of praise that opens a sentence and
// ends at toks[end] stands alone as an exclamation: followed by a comma
// or dash ("Great, ...", "Oh wonderful - ...") or by "how" ("Love how
// ..."). Such an opener is weighed like what comes before a "but": in
// complaints it is most often sarcasm, and in praise the rest of the
// sentence is praise too.
func (s *scorer) exclaims(toks []token, end int) bool {
	if end >= len(toks) {
		return false
	}
	t := toks[end]
	return t.brk == brkClause || t.brk == brkNone && t.id == s.how
}

// hyperbole reports whether the negation at toks[neg] is the "can't ...
// enough" of praise or blame too strong for words ("I can't recommend it
// enough", "can't say enough good things"): "enough" comes after the
// negation, within negationScope words of the entry's end at toks[end]
// in the same clause, and not right after the entry, where it measures
// the entry instead ("not good enough").
func (s *scorer) hyperbole(toks []token, neg, end int) bool {
	if neg < 0 {
		return false
	}
	for j := neg + 1; j < len(toks) && j <= end+negationScope-1; j++ {
		if j > neg+1 && toks[j].brk >= brkClause {
			return false
		}
		// After the entry, but not right after it: "can't recommend
		// it enough". Before it only after "say": "can't say enough
		// good things", where "aren't enough helpful guides" counts.
		if toks[j].id == s.enough && (j > end || j < end && toks[j-1].id == s.say) {
			return true
		}
	}
	return false
}

// beMoreOrSo reports what follows the negation at toks[i]: "be" or
// "been" and then "more" (more) or "so" (so), or neither.
func (s *scorer) beMoreOrSo(toks []token, i int) (more, so bool) {
	if i+2 >= len(toks) || toks[i+1].brk != brkNone || toks[i+2].brk != brkNone {
		return false, false
	}
	if b := toks[i+1].id; b != s.be && b != s.been {
		return false, false
	}
	m := toks[i+2].id
	return m == s.more, m == s.so
}

// chases reports whether the question opening at toks[i] chases what the
// customer is owed rather than asks how something works: "where is my
// refund?", "where's our refund" are complaints; "where can I see my
// refund status?", "where is my cancel button?" are not. The word owed
// ends the clause.
func (s *scorer) chases(toks []token, i int) bool {
	if toks[i].id != s.where {
		return false
	}
	// "where is my", or "where's my", which reads as "where" and "my"
	if i+1 < len(toks) && toks[i+1].brk == brkNone && s.passive[toks[i+1].id] {
		i++
	}
	if i+2 >= len(toks) || toks[i+1].brk != brkNone || toks[i+2].brk != brkNone {
		return false
	}
	owed := i+3 == len(toks) || toks[i+3].brk >= brkClause
	return owed && (toks[i+1].id == s.my || toks[i+1].id == s.our) && s.owed[toks[i+2].id]
}

// phraseSet marks, by phrase id, the entries of the lexicon among terms,
// for the rules that treat some entries apart (asks, troubles,
// chargedFor). Every term must be an entry, or its id is out of range.
func (s *scorer) phraseSet(terms []string) []bool {
	set := make([]bool, len(s.weights))
	for _, term := range terms {
		if id, _, ok := s.index.add(term); ok {
			set[id] = true
		}
	}
	return set
}

// wordSet is the set of the ids of words, for the rules that look at the
// words around a match.
func (s *scorer) wordSet(words []string) map[int32]bool {
	set := make(map[int32]bool, len(words))
	for _, w := range words {
		set[s.index.word(w)] = true
	}
	return set
}

// asksFor reports whether the resolution at toks[i] is asked for rather
// than reported: it opens its clause ("Fix the sync"), a word of
// conditions comes before it in the clause ("if the sync issue was
// fixed"), or one of the three words before it is a word of pleas
// ("please fix", "can you fix it", "waiting for a fix") or "to" after
// "have" ("you have to fix this"; "was able to fix it" is a report).
func (s *scorer) asksFor(toks []token, clauseFrom, i int) bool {
	if i == clauseFrom {
		return true
	}
	// The condition is looked for within conditionReach words: a clause
	// with no mark for thousands of words ("FIX IT FIX IT …") read back to
	// its start for each took time the square of its length, 11 s for a
	// body of 256 KB.
	for j := i - 1; j >= max(clauseFrom, i-conditionReach); j-- {
		id := toks[j].id
		if s.conditions[id] || j >= i-3 && s.pleas[id] {
			return true
		}
		if j >= i-3 && id == s.to && j > clauseFrom && s.haveTo[toks[j-1].id] {
			return true
		}
	}
	return false
}

// conditionReach is how many words before a resolution asksFor looks for
// a word of conditions: more than a clause of feedback holds.
const conditionReach = 40

// keepsDoing reports whether the function word at toks[i] is "keep" or
// "kept" before a verb in the same clause ("keeps asking", "kept
// resetting"), not before a word of keptObjects ("keeps me organised",
// "keeps getting better").
func (s *scorer) keepsDoing(toks []token, i int) bool {
	if id := toks[i].id; id != s.keep && id != s.kept || i+1 >= len(toks) {
		return false
	}
	next := toks[i+1]
	return next.brk == brkNone && !s.keptObjectIDs[next.id]
}

// repeats reports whether toks[i], "twice" or "times", tells of
// something that happened more often than it should: "the reminder fires
// three times", "we were billed twice for May". "Times" needs a number
// of two or more right before it ("3 times", "three times", "several
// times"); neither counts before a word of often ("twice a day", "three
// times faster").
func (s *scorer) repeats(toks []token, i int) bool {
	if t := toks[i]; t.id != s.twice {
		// "times" and "time" stem alike, and "three time zones" is no
		// repeat: the plural is the five letters long one.
		if i == 0 || t.brk != brkNone || t.end-t.start != int32(len("times")) {
			return false
		}
		prev := toks[i-1].id
		if prev != s.two && (uint(prev) >= uint(len(s.roles)) || s.roles[prev] != roleCount) {
			return false
		}
	}
	if i+1 < len(toks) && toks[i+1].brk == brkNone && s.often[toks[i+1].id] {
		return false
	}
	return true
}

// dropFix returns the sum of a sentence, current, without fixGain, what a
// fix named as a thing added to it ("the fix made the error worse"), if
// anything bad came after it (neg, what the negative words since added).
func dropFix(current, fixGain, neg float64) float64 {
	if fixGain != 0 && neg < -1e-9 {
		return current - fixGain
	}
	return current
}

// sarcastic returns the sum of the sentence toks[from:end], current,
// turned against it when the sentence is one word of praise after a
// complaint (before, the previous sentence's sum): "A whole week without
// a reply. Impressive." It takes from the score what it would have
// added. A resolution alone ("It crashed. Fixed.") is no sarcasm.
func (s *scorer) sarcastic(toks []token, from, end int, current, before float64) float64 {
	if end-from != 1 || current <= 0 || before >= 0 {
		return current
	}
	if id := toks[from].id; uint(id) < uint(len(s.roles)) && s.roles[id] == roleNone {
		return -current
	}
	return current
}

// maxTail is the most words of a sarcastic closing praise.
const maxTail = 3

// strongComplaint is what a sentence must have summed before a closing
// praise for that praise to be sarcasm: one complaint of weight ("broken",
// "crashed", "lost all my notes"), not a mild one ("a bit expensive,
// very useful" is a mixed review).
const strongComplaint = -2.0

// sarcasticTail returns the sum of a sentence, current, with the praise
// of its last clause toks[from:end] turned against it when that clause
// is up to maxTail words of sarcasmTails after a strong complaint
// (atTail, the sum before the clause): "Export has been broken for a
// week now, brilliant." It takes from the score what the praise added.
func (s *scorer) sarcasticTail(toks []token, sentFrom, from, end int, current, atTail float64) float64 {
	gain := current - atTail
	if from <= sentFrom || end-from > maxTail || gain <= 0 || atTail > strongComplaint {
		return current
	}
	for _, t := range toks[from:end] {
		if !s.tails[t.id] {
			return current
		}
	}
	return atTail - gain
}

// returns reports whether "back" at toks[i] tells of something that came
// back: a word of comeBack before it ("is back", "it's back", "came
// back"), and not "to" or "with" after it ("support came back to me").
// Sum counts it only after a trouble in the sentence: "I keep coming back
// to it" is praise.
func (s *scorer) returns(toks []token, i int) bool {
	if i == 0 || toks[i].brk != brkNone || !s.comeBack[toks[i-1].id] {
		return false
	}
	return i+1 >= len(toks) || toks[i+1].brk != brkNone || !s.backTo[toks[i+1].id]
}

// takesAway reports whether the word of removals at toks[i] tells of
// something the product or its makers took away: "thanks for" before it
// ("thanks for removing the only feature I used"), or a word of removers
// right before it ("they removed", "the sync deleted", "an update that
// erased") where it is not asked for (see asksFor: "can you delete it").
// What customers remove themselves ("I removed the widget") is no loss,
// nor is a nuisance removed (see removesBad).
func (s *scorer) takesAway(toks []token, clauseFrom, i int) bool {
	if i == 0 || toks[i].brk != brkNone {
		return false
	}
	if toks[i-1].id == s.forID && i >= 2 && toks[i-1].brk == brkNone &&
		(s.thanks[toks[i-2].id] || toks[i-2].id == s.you && i >= 3 && s.thanks[toks[i-3].id]) {
		return true
	}
	return s.removers[toks[i-1].id] && !s.asksFor(toks, clauseFrom, i)
}

// removesBad reports whether what the word of removals at toks[i] takes
// away, within the next few words of its clause, is a nuisance or
// something a word of the lexicon blames: "thanks for removing the ads",
// "you removed the annoying banner", "the update deleted the bug".
func (s *scorer) removesBad(toks []token, i int) bool {
	for j := i + 1; j < len(toks) && j <= i+removalScope && toks[j].brk == brkNone; j++ {
		id := toks[j].id
		if s.joins[id] {
			return false // "you removed the list view and now I have to scroll"
		}
		if id < 0 || int(id) >= len(s.index.starts) {
			continue
		}
		if s.nuisances[id] {
			return true
		}
		if c := s.index.starts[id]; len(c) > 0 {
			if p, _ := s.index.longest(toks, j, c); p >= 0 && s.weights[p] < 0 {
				return true
			}
		}
	}
	return false
}

// worksAround reports whether the resolution at toks[i] is a workaround
// the customer found ("the error is fixed by switching to offline mode",
// "solved by reinstalling"): "by" follows it, and not before one of
// agents ("fixed by the last update", "solved by support").
func (s *scorer) worksAround(toks []token, i int) bool {
	if i+2 >= len(toks) || toks[i+1].id != s.by || toks[i+1].brk != brkNone || toks[i+2].brk != brkNone {
		return false
	}
	return !s.agents[toks[i+2].id]
}

// squash maps a sum of weights into (-1, 1).
func squash(x float64) float64 {
	if x == 0 {
		return 0
	}
	return x / math.Sqrt(x*x+alpha)
}

// sum adds up the weights of a text's words, applying negations,
// intensifiers, contrasts and concessions. Each sentence is summed on its
// own; when sentences is not nil, their first words and sums are appended
// to it. toks may come from an index that extends the lexicon's
// (newPhraseIndexOver): ids the lexicon does not have are words without
// sentiment.
func (s *scorer) sum(toks []token, sentences *[]scoredSentence) (sum float64, langs languageCounts) {
	var total, current float64                       // current: the sentence being read
	negateUntil, boostUntil, denyUntil := -1, -1, -1 // token index up to which each applies
	// Waits (see slowness): up to waitUntil a duration makes one, up to
	// slowUntil a function word makes it slowness, up to quickUntil a word
	// of takes starts none ("only takes"); count says what number came
	// since the word of takes.
	waitUntil, slowUntil, quickUntil := -1, -1, -1
	// A function word up to doneUntil makes the wait that follows slowness
	// at once ("search takes 20 seconds"), and one up to funcUntil makes a
	// word of takes such a wait.
	doneUntil, funcUntil := -1, -1
	count := noCount
	boost := 1.0
	negFrom, sentFrom := -1, 0 // where the last negation was, where the sentence started
	keepBlame := false         // the last negation was "not be so": blame stands
	after := 1.0               // weight of the rest of the sentence after a contrast
	clause := 1.0              // weight of the rest of the clause after a concession
	asking := false            // a clause of this sentence opened with a word of questions
	// For a resolution (see resolution): what the negative words of the
	// sentence since its start or its last contrast added, whether one of
	// them was a trouble, and where the clause started.
	neg, troubled, clauseFrom := 0.0, false, 0
	atClause := 0.0 // the sentence's sum when its last clause began (see sarcasticTail)
	// Whether the sentence named a trouble that nothing solved since
	// (unsolved), or one solved before a contrast: "the problem is gone,
	// but it comes back"; not "the bug is gone and the old speed is
	// back". solved is whether a resolution came (see returns).
	unsolved, solved := false, false
	resolvedUntil := -1 // up to where a trouble is the one a resolution solved
	removedUntil := -1  // up to where blame is of what the product removed (see removesBad)
	softFrom := -1      // where the last soft negation was
	// A fix named as a thing ("the fix", "your latest fix") is good news
	// only if nothing bad follows it in the sentence: fixGain is what it
	// added, taken back if anything did (see resolution and dropFix).
	fixGain := 0.0
	before := 0.0     // the previous sentence's sum (see sarcastic)
	mannerUntil := -1 // up to where praise is of how a denied action fails
	// A repeat or a charge told flatly is a complaint only where
	// something is not praised, and nothing else blamed: "I used it five
	// times this week and love it" is praise, "Great app, it keeps logging
	// me out" a complaint (see repeat). What the repeats and charges of
	// the sentence since its start or its last contrast added, and
	// whether anything was praised since; takeBack is whether to take
	// them back.
	flat, praised := 0.0, false
	takeBack := func() bool { return praised && neg-flat > -1e-9 }
	for i := 0; i < len(toks); {
		t := toks[i]
		if t.brk == brkSentence {
			current, fixGain = dropFix(current, fixGain, neg), 0
			if takeBack() {
				current -= flat
			}
			if i > 0 {
				current = s.sarcasticTail(toks, sentFrom, clauseFrom, i, current, atClause)
				current = s.sarcastic(toks, sentFrom, i, current, before)
			}
			flat, praised = 0, false
			if sentences != nil && i > 0 {
				(*sentences)[len(*sentences)-1].sum = current
			}
			if sentences != nil {
				*sentences = append(*sentences, scoredSentence{tok: i})
			}
			total += current
			before = current
			current, after, sentFrom, asking = 0, 1, i, false
			neg, troubled, unsolved, solved = 0, false, false, false
			waitUntil, slowUntil, quickUntil = -1, -1, -1
			doneUntil, funcUntil = -1, -1
		}
		if t.brk >= brkClause {
			negateUntil, boostUntil, denyUntil, clause = -1, -1, -1, 1
			clauseFrom, resolvedUntil, mannerUntil, removedUntil = i, -1, -1, -1
			atClause = current
			// The first word of a text starts a sentence (tokenize), so
			// every clause's first word is looked at here.
			if uint(t.id) < uint(len(s.words)) && s.words[t.id]&wordAsks != 0 && !s.chases(toks, i) {
				asking = true
			}
		}
		// -1 is out of range: a word the lexicon does not know. After a
		// word of takes that is most often a number: "takes 35 seconds".
		if uint(t.id) >= uint(len(s.words)) {
			if i <= waitUntil && count == noCount {
				count = manyCount
			}
			i++
			continue
		}
		w := s.words[t.id]
		langs[w&wordLanguage]++
		if w&wordScored == 0 { // most words carry no sentiment
			i++
			continue
		}
		if w&wordShows != 0 && sentences != nil {
			(*sentences)[len(*sentences)-1].shows = true
		}
		if c := s.index.starts[t.id]; len(c) > 0 {
			if p, n := s.index.longest(toks, i, c); p >= 0 {
				w := s.weights[p]
				if asking && s.asked[p] {
					w = 0 // "How do I cancel my plan?"
				}
				if w < 0 && i <= removedUntil {
					w = 0 // "thanks for removing the annoying popup"
				}
				if s.trouble[p] {
					if i <= resolvedUntil {
						w = 0 // "support fixed my billing problem"
					} else {
						unsolved = true
					}
					troubled = true
				}
				if i <= boostUntil {
					w *= boost
				}
				if i <= negateUntil && !s.hyperbole(toks, negFrom, i+n) && !(keepBlame && w < 0) ||
					i <= mannerUntil && w > 0 {
					w *= negationFactor
				}
				current += w * after * clause
				if w < 0 {
					neg += w * after * clause
					if s.flat[p] {
						flat += w * after * clause
					}
				}
				// Praise a concession makes little of ("although support
				// is lovely, we were billed for ...") excuses nothing.
				praised = praised || w > 0 && clause == 1
				negateUntil, boostUntil, denyUntil = -1, -1, -1
				if w > 0 && i-sentFrom <= 1 && (s.exclaims(toks, i+n) || s.thanksFor[p]) {
					// "Great, another update that logs me out": the
					// rest of the sentence says what the opener meant.
					current *= contrastBefore
					after = contrastAfter
					praised = false
				}
				// A one-word entry that is also a word of takes ("wait")
				// goes on to start a wait, below; any other entry is done.
				if n > 1 || s.roles[t.id] != roleTake {
					i += n
					continue
				}
			}
		}
		switch s.roles[t.id] {
		case roleNegation:
			more, so := s.beMoreOrSo(toks, i)
			if more || so && t.id == s.never {
				// "couldn't be more disappointed", "never been so
				// frustrated": nothing is denied, the next word is
				// stressed.
				boost, boostUntil = negationBoost, i+negationScope
				break
			}
			// "shouldn't be so slow" complains of slowness; "hasn't
			// been so good lately" denies the praise.
			keepBlame = so
			negateUntil, denyUntil, negFrom = i+negationScope, i+negationScope, i
		case roleSoftNegation:
			negateUntil, softFrom = i+negationScope, i
		case roleHalt:
			denyUntil = i + negationScope
		case roleIntensifier:
			if i > boostUntil {
				boost = 1
			}
			boost *= s.factors[t.id]
			boostUntil = i + intensifyScope
		case roleContrast:
			current, fixGain = dropFix(current, fixGain, neg), 0
			unsolved = unsolved || solved // "it was fixed, but it is back"
			current *= contrastBefore
			after = contrastAfter
			neg, troubled, resolvedUntil = 0, false, -1
			flat, praised = 0, false
			negateUntil, denyUntil, mannerUntil = -1, -1, -1
		case roleConcession:
			clause = concession
		case roleFunction:
			if i <= denyUntil {
				w := failure
				if i <= boostUntil {
					w *= boost
				}
				current += w * after * clause
				neg += w * after * clause
				// The denial goes on to praise of how it fails: "won't
				// load instantly", "used to sync quickly"; not to blame:
				// "don't log in and it crashes".
				mannerUntil = negateUntil
				negateUntil, boostUntil, denyUntil = -1, -1, -1
			} else if i <= slowUntil {
				current += slowness * after * clause
				neg += slowness * after * clause
				slowUntil = -1
			} else {
				funcUntil = i + durationScope
				if !asking && s.keepsDoing(toks, i) && !s.asksFor(toks, clauseFrom, i) {
					// "it keeps asking me to log in"
					current += repeat * after * clause
					neg += repeat * after * clause
					flat += repeat * after * clause
				}
			}
		case roleObligation:
			denyUntil = -1
		case roleTake:
			if i > quickUntil { // not "only takes"
				waitUntil, count = i+durationScope, noCount
				if i <= funcUntil {
					doneUntil = waitUntil
				}
			}
		case roleCount:
			if i <= waitUntil && count == noCount {
				count = manyCount
			}
		case roleFew:
			if i <= waitUntil {
				count = fewCount // "about 2 seconds", "2 or 3 seconds"
			}
		case roleQuick:
			waitUntil, slowUntil, quickUntil = -1, -1, i+2
		case roleResolve:
			switch {
			case i <= negateUntil || i <= denyUntil ||
				i+1 < len(toks) && toks[i+1].brk == brkNone && toks[i+1].id == s.nothing:
				// "still not fixed", "hasn't been resolved", "no fix
				// yet", "support resolved nothing"
				current += failure * after * clause
				neg += failure * after * clause
				negateUntil, boostUntil, denyUntil = -1, -1, -1
			case asking || s.asksFor(toks, clauseFrom, i) || s.worksAround(toks, i):
				// "please fix", "is it fixed yet?", "fixed by restarting":
				// nothing is solved yet
			case t.id == s.gone && !troubled:
				// "my saved views are gone": a loss, not a solved problem
				current += lost * after * clause
				neg += lost * after * clause
			case i > clauseFrom && t.brk == brkNone && s.fixers[toks[i-1].id]:
				// "the fix", "your latest fix": what follows says whether
				// it fixed anything ("made the error worse").
				fixGain = resolution*after*clause - neg
				current += fixGain
				neg, flat, unsolved, solved = 0, 0, false, true
				if i+1 < len(toks) && toks[i+1].id == s.forID && toks[i+1].brk == brkNone {
					resolvedUntil = i + resolvedScope // "the fix for the sync bug"
				}
			default:
				current += resolution*after*clause - neg
				neg, resolvedUntil, flat = 0, i+resolvedScope, 0
				unsolved, solved = false, true
			}
		case roleUsed:
			// "used to be great", "it used to sync": what was is not
			// any more. Not "used to it", "used to but love it now", nor
			// the passive "is used to track our stock".
			if i+2 < len(toks) && toks[i+1].id == s.to && toks[i+1].brk == brkNone &&
				(i == 0 || t.brk != brkNone || !s.passive[toks[i-1].id]) &&
				toks[i+2].brk == brkNone && (uint(toks[i+2].id) >= uint(len(s.roles)) || s.roles[toks[i+2].id] != roleContrast) {
				keepBlame = false
				negateUntil, denyUntil, negFrom = i+1+negationScope, i+1+negationScope, i
				i++
			}
		case roleBack:
			if unsolved && i > negateUntil && i > denyUntil && s.returns(toks, i) {
				// "the crash is back", "it comes back after a day"; not
				// "it hasn't come back"
				current += lost * after * clause
				neg += lost * after * clause
			}
		case roleRemove:
			if !asking && i > negateUntil && s.takesAway(toks, clauseFrom, i) {
				if s.removesBad(toks, i) {
					// "thanks for removing the annoying popup": the
					// blame is of what is gone.
					removedUntil = i + removalScope
				} else {
					// "you removed the list view", "the update deleted my tags"
					current += lost * after * clause
					neg += lost * after * clause
				}
			}
		case roleTimes:
			// Not in a question, nor in a clause with a negation: "no
			// need to log in twice".
			if !asking && negFrom < clauseFrom && softFrom < clauseFrom && s.repeats(toks, i) {
				current += repeat * after * clause
				neg += repeat * after * clause
				flat += repeat * after * clause
			}
		case roleHappen:
			if troubled && (i <= negateUntil || i <= denyUntil) {
				// "the export error no longer happens"
				// neg held the flat repeats and charges: taken back
				// here, they are not taken back again beside praise.
				current += resolution*after*clause - neg
				neg, flat, unsolved, solved = 0, 0, false, true
				negateUntil, boostUntil, denyUntil = -1, -1, -1
			}
		case roleDuration:
			// "a minute", "an hour" are waits; "a second" is not.
			if i <= waitUntil && (count != noCount || toks[i-1].id == s.a || toks[i-1].id == s.an) {
				slowUntil = i + durationScope
			}
			waitUntil = -1
		case roleSeconds:
			if i <= waitUntil && count == manyCount {
				slowUntil = i + durationScope
			}
			waitUntil = -1
		}
		if slowUntil > i && i <= doneUntil {
			// The function came first: "loading the inbox takes two
			// minutes".
			current += slowness * after * clause
			neg += slowness * after * clause
			slowUntil, doneUntil = -1, -1
		}
		i++
	}
	current = dropFix(current, fixGain, neg)
	if takeBack() {
		current -= flat
	}
	current = s.sarcasticTail(toks, sentFrom, clauseFrom, len(toks), current, atClause)
	current = s.sarcastic(toks, sentFrom, len(toks), current, before)
	if sentences != nil && len(*sentences) > 0 {
		(*sentences)[len(*sentences)-1].sum = current
	}
	return total + current, langs
}
