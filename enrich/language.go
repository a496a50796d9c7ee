package enrich

import "strings"

// Guessing the language of a record that does not say, so that the English
// lexicon does not score German or Spanish: in German "fast" means
// "almost", and "Die App ist fast immer langsam" is no praise.
//
// A record's words are counted against short lists of the most common
// words of English and of six other languages, each word on one list only:
// words that two of the languages share ("die", "was", "con", "que",
// "per", "la") are on none. The guess is a language of those six when at
// least guessMinHits of its words are in the text and they are at least
// twice as many as those of English and of any other of the six. Short
// texts and mixed ones ("Danke, the export is broken") stay unguessed,
// and are scored as English, as before.

// guessMinHits is how many of a language's words a text must hold for the
// guess.
const guessMinHits = 2

// languageWords are, per language, common words that no other language
// here writes the same way, as the tokenizer reads them (lowercased,
// apostrophes dropped: French "c'est" is "cest"). English is first; a
// language counts at 1 + its position (see languageCounts).
var languageWords = []struct {
	lang  string
	words []string
}{
	{"en", []string{"the", "and", "is", "are", "was", "were", "to", "of", "it", "you", "my", "this", "that", "for",
		"with", "not", "but", "have", "has", "be", "can", "will", "would", "what", "there", "they", "we", "just", "very",
		"when", "your", "our", "from", "or", "if", "been", "do", "does", "did", "get", "how", "all", "by", "i"}},
	{"de", []string{"und", "ist", "nicht", "ich", "der", "mit", "auf", "für", "wir", "ein", "eine", "einen", "einem",
		"einer", "auch", "noch", "sehr", "schon", "nur", "wieder", "immer", "bitte", "danke", "wenn", "kann", "können",
		"wird", "werden", "sind", "habe", "haben", "nach", "zum", "zur", "dass", "oder", "aber", "kein", "keine", "mehr",
		"jetzt", "leider", "geht", "gibt", "seit", "mich", "mir", "uns", "sich", "dem", "sie", "ihr", "unsere", "meine",
		"mein", "funktioniert", "nichts", "weil", "beim", "wurde", "hatte", "heute", "gestern", "gut"}},
	{"es", []string{"el", "los", "las", "muy", "pero", "gracias", "hola", "y", "también", "ahora", "hay", "tengo",
		"puedo", "usted", "ustedes", "esto", "estoy", "sí", "aplicación", "hace", "cuando", "nosotros", "ayer", "hoy",
		"siempre", "todavía", "mucho", "bueno", "mejor", "otra", "cuenta", "están"}},
	{"fr", []string{"le", "les", "est", "et", "je", "pas", "pour", "avec", "dans", "nous", "vous", "merci",
		"bonjour", "très", "une", "cest", "ne", "sur", "au", "aux", "du", "ce", "cette", "elle", "sont", "être", "des",
		"fait", "peut", "depuis", "toujours", "rien", "jai", "cela", "ça", "encore", "beaucoup", "tout", "problème", "aussi", "chaque", "fois",
		"quand"}},
	{"pt", []string{"não", "uma", "muito", "obrigado", "obrigada", "você", "vocês", "isso", "ao", "ainda", "tenho",
		"estou", "olá", "pra", "também", "já", "meu", "minha", "aplicativo", "nao", "hoje", "ontem", "ele", "ela"}},
	{"it", []string{"che", "sono", "grazie", "molto", "anche", "della", "questo", "questa", "perché", "ciao", "gli",
		"nel", "ho", "hai", "è", "di", "funziona", "niente", "ancora", "oggi", "ieri", "tutto", "abbiamo", "essere"}},
	{"nl", []string{"het", "een", "niet", "ik", "dat", "maar", "ook", "wel", "zijn", "heb", "deze", "wordt",
		"werkt", "geen", "nog", "bedankt", "graag", "hebben", "kunnen", "moet", "mijn", "jullie", "waarom", "omdat",
		"erg", "heel", "voor", "naar", "kan", "wat", "bij", "uit", "vandaag", "gisteren", "altijd", "probleem", "goed"}},
}

// languageCounts counts a text's words by the list of languageWords that
// holds them: at 1 + the list's position (English at englishWords); at 0,
// the other words.
type languageCounts [wordLanguage + 1]int

// englishWords is where languageCounts counts English words.
const englishWords = 1

// guessLanguage returns the language that counts says the text is in, or
// "" when it cannot tell or the words are English.
func guessLanguage(counts *languageCounts) string {
	best, most, second := 0, 0, 0 // the language with most words, their count, and the runner-up's
	for l := 2; l <= len(languageWords); l++ {
		switch n := counts[l]; {
		case n > most:
			best, most, second = l, n, most
		case n > second:
			second = n
		}
	}
	if most < guessMinHits || most < 2*counts[englishWords] || most < 2*second {
		return ""
	}
	return languageWords[best-1].lang
}

// GuessLanguage returns the language that texts (a record's title and
// body) are plainly written in, as Sentiment finds it for a record that
// does not say: "de", "es", "fr", "pt", "it" or "nl", or "" for English,
// short or mixed texts, and every other language.
func GuessLanguage(texts ...string) string {
	s := lexiconScorer()
	var counts languageCounts
	var toks []token
	var buf []byte
	for _, text := range texts {
		toks, buf = s.index.tokenizeCached(toks[:0], text, buf, nil)
		for _, t := range toks {
			if uint(t.id) < uint(len(s.words)) {
				counts[s.words[t.id]&wordLanguage]++
			}
		}
	}
	return guessLanguage(&counts)
}

// SameLanguage reports whether the language tags a and b name the same
// language: "en-GB" and "EN_us" do, "pt" and "pt-BR" too.
func SameLanguage(a, b string) bool { return PrimaryLanguage(a) == PrimaryLanguage(b) }

// PrimaryLanguage returns the language subtag of a language tag,
// lowercased: "pt" for "pt-BR" or "PT_br".
func PrimaryLanguage(tag string) string {
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(strings.TrimSpace(tag))
}
