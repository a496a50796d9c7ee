package llm

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// prompt is what every request of one Tagger shares: the instructions with
// the taxonomy, and the JSON schema that limits theme names to it.
type prompt struct {
	system string
	schema json.RawMessage
}

func newPrompt(t *enrich.Taxonomy) (*prompt, error) {
	names := t.Names()
	var b strings.Builder
	b.WriteString(`You tag customer feedback with themes from a fixed taxonomy.
For each item, return every theme that the text is clearly about, or none.
Use only the theme names listed below, spelled exactly. For each theme give
the shortest passage of the item's text, copied word for word, that shows
the theme, your confidence from 0 to 1, and the sentiment of that passage
about the theme, from -1 (an angry complaint) through 0 (neutral: a
question, a plain request) to 1 (delighted praise), in whatever language
the item is written. Give every item the sentiment of its whole text on the
same scale, themes or none. Praise, complaints and requests all count. Do
not guess: an item about nothing in the list gets no theme.

Themes (name: description):
`)
	var list func(themes []enrich.ThemeDef, depth int)
	list = func(themes []enrich.ThemeDef, depth int) {
		for _, th := range themes {
			fmt.Fprintf(&b, "%s- %s: %s\n", strings.Repeat("  ", depth), th.Name, oneLine(th.Description))
			list(th.Children, depth+1)
		}
	}
	list(t.Themes, 0)
	b.WriteString("\nThe input is JSON {\"items\":[{\"id\":...,\"text\":...}]}. Answer with JSON only, one entry per id, in this shape:\n" +
		`{"items":[{"id":"0","sentiment":-0.4,"themes":[{"name":"<theme name>","evidence":"<passage>","confidence":0.9,"sentiment":-0.6}]}]}` + "\n")

	theme := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"name":       map[string]any{"type": "string", "enum": names},
			"evidence":   map[string]any{"type": "string"},
			"confidence": map[string]any{"type": "number"},
			"sentiment":  map[string]any{"type": "number"},
		},
		"required":             []string{"name", "evidence", "confidence", "sentiment"},
		"additionalProperties": false,
	}
	item := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"id":        map[string]any{"type": "string"},
			"sentiment": map[string]any{"type": "number"},
			"themes":    map[string]any{"type": "array", "items": theme},
		},
		"required":             []string{"id", "sentiment", "themes"},
		"additionalProperties": false,
	}
	schema, err := json.Marshal(map[string]any{
		"type":                 "object",
		"properties":           map[string]any{"items": map[string]any{"type": "array", "items": item}},
		"required":             []string{"items"},
		"additionalProperties": false,
	})
	if err != nil {
		return nil, err
	}
	return &prompt{system: b.String(), schema: schema}, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// request is the user message of one request.
type request struct {
	Items []requestItem `json:"items"`
}

type requestItem struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// answer is what the schema asks the model for. Its fields take what
// models write when no schema holds them to it: ids and numbers as
// numbers or strings.
type answer struct {
	Items []answerItem `json:"items"`
}

// answerItem is the answer about one text.
type answerItem struct {
	ID        looseID `json:"id"`
	Sentiment *number `json:"sentiment"` // nil when the model left it out
	Themes    []struct {
		Name       string  `json:"name"`
		Evidence   string  `json:"evidence"`
		Confidence *number `json:"confidence"`
		Sentiment  *number `json:"sentiment"` // nil when the model left it out
	} `json:"themes"`
}

// looseID is an item's id as a model writes it: "3", or 3.
type looseID string

func (id *looseID) UnmarshalJSON(b []byte) error {
	*id = looseID(strings.Trim(strings.TrimSpace(string(b)), `"`))
	return nil
}

// number is a number as a model writes it: a number, or a number in a
// string ("-0.5"). Anything else ("negative", null) is no number, not an
// unreadable answer: the rest of the batch still counts.
type number struct {
	v  float64
	ok bool
}

func (n *number) UnmarshalJSON(b []byte) error {
	s := strings.Trim(strings.TrimSpace(string(b)), `"`)
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	n.v, n.ok = v, err == nil && !math.IsNaN(v) && !math.IsInf(v, 0)
	return nil
}

// in returns the number kept within [lo, hi], and whether there is one.
func (n *number) in(lo, hi float64) (float64, bool) {
	if n == nil || !n.ok {
		return 0, false
	}
	return min(max(n.v, lo), hi), true
}

func userMessage(texts []string) (string, error) {
	req := request{Items: make([]requestItem, len(texts))}
	for i, t := range texts {
		req.Items[i] = requestItem{ID: strconv.Itoa(i), Text: t}
	}
	// Customers write "R&D" and "<3". Escaped as \u0026 and \u003c they
	// cost tokens, and a model that copies an escape into its evidence no
	// longer quotes the text.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(req); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// estimateTokens guesses a request's tokens before sending it, for the
// rate limit and the budget: about four characters a token for the
// prompt, the answer's JSON schema included (servers that take one count
// it with the prompt: 1,665 of a 6,826-byte request for the example
// taxonomy), and a few dozen completion tokens per item (48: an item's id
// and sentiment, and a theme with its evidence, confidence and sentiment).
func (p *prompt) estimateTokens(texts []string) int {
	n := (len(p.system)+len(p.schema))/4 + 20
	for _, t := range texts {
		n += len(t)/4 + 12 + 48
	}
	return n
}

// Packing estimates: how much of the model's context window a request
// takes, prompt and answer, so that requests fit it (see Tagger.pack).
// They err high where estimateTokens is even-handed, because a prompt that
// does not fit costs more than a request too many: Ollama cuts it without
// a word, taxonomy first. English runs about four bytes a token, German
// and Spanish a little less, Chinese and Japanese (three bytes a
// character) about three; an item's answer, its id and sentiment and two
// themes with their evidence, is about 80 tokens.
const (
	fitBytesPerToken = 3
	fitItemTokens    = 16/fitBytesPerToken + 80 // its id and JSON, and its answer
)

// fitBase is what every request takes of the window before its texts: the
// instructions and the message frames.
func (p *prompt) fitBase() int { return len(p.system)/fitBytesPerToken + 20 }

// fitText is what one text adds to a request.
func fitText(text string) int { return len(text)/fitBytesPerToken + fitItemTokens }

// evidenceIn returns quote as it appears in text, or "" when the model's
// quote is not in the text: evidence must be the customer's own words.
// Case, runs of white space and typographic variants may differ: models
// often write a straight apostrophe where a phone wrote a curly one
// ("doesn’t"), or a hyphen for a dash.
func evidenceIn(text, quote string) string {
	quote = strings.TrimSpace(quote)
	if quote == "" {
		return ""
	}
	if i := strings.Index(text, quote); i >= 0 {
		return clip(text[i : i+len(quote)])
	}
	words := strings.Fields(foldText(quote, nil))
	if len(words) == 0 {
		return ""
	}
	// Find the words in order, allowing any white space between them, in
	// the folded text; at maps its bytes back to text's.
	var at []int
	folded := foldText(text, &at)
	for from := 0; ; {
		i := strings.Index(folded[from:], words[0])
		if i < 0 {
			return ""
		}
		start := from + i
		end, ok := start+len(words[0]), true
		for _, w := range words[1:] {
			j := end
			for j < len(folded) && (folded[j] == ' ' || folded[j] == '\n' || folded[j] == '\t' || folded[j] == '\r') {
				j++
			}
			if j == end || !strings.HasPrefix(folded[j:], w) {
				ok = false
				break
			}
			end = j + len(w)
		}
		if ok {
			return clip(text[at[start]:at[end]])
		}
		from = start + 1
	}
}

// foldText lowercases s and writes typographic quotes, apostrophes,
// dashes, the ellipsis and no-break spaces the plain way. When at is not
// nil it gets, for each byte of the result and one past its end, the
// offset in s of the character that byte came from.
func foldText(s string, at *[]int) string {
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		n := b.Len()
		switch r {
		case '\u2018', '\u2019', '\u201b', '\u02bc', '\u00b4', '`':
			b.WriteByte('\'')
		case '\u201c', '\u201d', '\u201e', '\u00ab', '\u00bb':
			b.WriteByte('"')
		case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
			b.WriteByte('-')
		case '\u2026':
			b.WriteString("...")
		case '\u00a0', '\u202f':
			b.WriteByte(' ')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
		if at != nil {
			for range b.Len() - n {
				*at = append(*at, i)
			}
		}
	}
	if at != nil {
		*at = append(*at, len(s))
	}
	return b.String()
}

// maxEvidence bounds a theme's evidence in bytes, as the offline taggers do.
const maxEvidence = 280

// clip returns a copy of s cut to maxEvidence: evidence is a piece of the
// text it quotes, and the answer cache keeps it; as a slice of the text
// every cached answer would hold the whole text (up to llm.max_text_chars)
// alive.
func clip(s string) string { return strings.Clone(cutAt(s, maxEvidence)) }

// cutAt returns s cut to at most n bytes, never inside a UTF-8 sequence.
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// answerJSON returns the JSON in a model's answer. Held to a schema, the
// answer is that object alone; asked more plainly, models wrap it: a
// reasoning model's thoughts come first ("<think>…</think>"), and others
// put it in a Markdown code fence or after a sentence ("Here are the
// themes:"). The JSON is then the fenced block, or what runs from the
// first "{" (or "[") to the last "}" (or "]"). Whatever is returned is
// still checked against the answer's shape.
func answerJSON(content string) string {
	s := stripThoughts(content)
	if isJSON(s) {
		return s
	}
	if _, fenced, ok := strings.Cut(s, "```"); ok {
		// The fence's first line may name a language ("```json").
		if nl := strings.IndexByte(fenced, '\n'); nl >= 0 && !strings.ContainsAny(fenced[:nl], "{[") {
			fenced = fenced[nl+1:]
		}
		if block, _, closed := strings.Cut(fenced, "```"); closed && isJSON(strings.TrimSpace(block)) {
			return strings.TrimSpace(block)
		}
	}
	// What runs from the first "{" to the last "}", or from the first "["
	// to the last "]": the longer, the outer one, unless it is not JSON
	// ("Here are the themes [JSON]: {…}").
	var spans []string
	for _, pair := range []string{"{}", "[]"} {
		if i, j := strings.IndexByte(s, pair[0]), strings.LastIndexByte(s, pair[1]); i >= 0 && j > i {
			spans = append(spans, s[i:j+1])
		}
	}
	if len(spans) == 2 && len(spans[1]) > len(spans[0]) {
		spans[0], spans[1] = spans[1], spans[0]
	}
	for _, span := range spans {
		if json.Valid([]byte(span)) {
			return span
		}
	}
	return s
}

// stripThoughts returns content without the thoughts a reasoning model
// writes before its answer ("<think>…</think>"), trimmed.
func stripThoughts(content string) string {
	s := strings.TrimSpace(content)
	if rest, ok := strings.CutPrefix(s, "<think>"); ok {
		if _, after, closed := strings.Cut(rest, "</think>"); closed {
			s = strings.TrimSpace(after)
		}
	}
	return s
}

// isJSON reports whether s looks like a JSON object or array from end to
// end.
func isJSON(s string) bool {
	return strings.HasPrefix(s, "{") && strings.HasSuffix(s, "}") || strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]")
}
