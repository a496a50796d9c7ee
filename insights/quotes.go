package insights

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/feedbackloop/feedbackloop/internal/tone"
)

// QuotesQuery asks for what customers wrote about a theme.
type QuotesQuery struct {
	Theme string
	// Days is the window, ending at End (default 90 days up to today).
	Days int
	End  time.Time
	// Limit is how many quotes (default 5, at most 50).
	Limit int
	// Sentiment keeps the passages whose sentiment about the theme is
	// below zero (tone.Negative) or above (tone.Positive); empty is
	// tone.Any.
	Sentiment tone.Tone
	Filter
}

// Quotes are representative passages for one theme.
type Quotes struct {
	Theme string    `json:"theme"`
	From  time.Time `json:"from"`
	End   time.Time `json:"end"`
	// SentimentFilter is the query's Sentiment.
	SentimentFilter tone.Tone `json:"sentiment_filter"`
	Quotes          []Quote   `json:"quotes"`
}

// Quote is one passage and who wrote it.
type Quote struct {
	ID          string    `json:"id"`
	Source      string    `json:"source"`
	Kind        string    `json:"kind"`
	CreatedAt   time.Time `json:"created_at"`
	AccountID   string    `json:"account_id,omitempty"`
	AccountName string    `json:"account_name,omitempty"`
	Plan        string    `json:"plan,omitempty"`
	ARR         float64   `json:"arr"`
	Sentiment   float64   `json:"sentiment"`
	// Scored tells whether Sentiment is a score: false for a record in a
	// language the lexicon does not read and the LLM did not judge, whose
	// sentiment is 0.
	Scored   bool   `json:"scored"`
	Language string `json:"language,omitempty"`
	Passage  string `json:"passage"`
	URL      string `json:"url,omitempty"`
}

// candidates is how many passages Quotes ranks before choosing.
const candidates = 400

// maxPassage is the longest passage returned, in characters.
const maxPassage = 320

// Quotes picks passages for a theme that are recent, come from high-ARR
// accounts and spread over sources: candidates are ranked by ARR and
// recency, then taken round-robin across sources, one per account.
func (s *Store) Quotes(ctx context.Context, q QuotesQuery) (*Quotes, error) {
	if strings.TrimSpace(q.Theme) == "" {
		return nil, invalid("theme", q.Theme, "is required")
	}
	if len(q.Theme) > 256 {
		return nil, invalid("theme", q.Theme[:32]+"...", "longer than 256 characters")
	}
	if q.End.IsZero() {
		q.End = truncDay(s.now()).AddDate(0, 0, 1)
	}
	q.End = truncDay(q.End)
	if q.Days == 0 {
		q.Days = 90
	}
	if q.Limit == 0 {
		q.Limit = 5
	}
	if q.Sentiment == "" {
		q.Sentiment = tone.Any
	}
	switch {
	case q.Days < 1 || q.Days > 3*366:
		return nil, invalid("days", strconv.Itoa(q.Days), "want 1 to %d", 3*366)
	case q.Limit < 1 || q.Limit > 50:
		return nil, invalid("limit", strconv.Itoa(q.Limit), "want 1 to 50")
	}
	if _, err := tone.Parse(string(q.Sentiment)); err != nil {
		return nil, invalid("sentiment", string(q.Sentiment), "%v", err)
	}
	if err := q.Filter.validate(); err != nil {
		return nil, err
	}
	out := &Quotes{Theme: q.Theme, From: q.End.AddDate(0, 0, -q.Days), End: q.End, SentimentFilter: q.Sentiment, Quotes: []Quote{}}
	var ids conds
	ids.add("has(themes, ?)", q.Theme)
	src, args := s.latestOf([]string{"created_at", "source", "kind", "title", "body", "url", "account_id", "account_name",
		"account_plan", "account_arr", "themes", "theme_evidence", "theme_sentiment", "sentiment", "language", "sentiment_by"}, out.From, out.End, ids)
	// The theme's own sentiment, that of its evidence; rows stored before
	// theme_sentiment existed have only the record's.
	const themeSentiment = `if(length(theme_sentiment) = length(themes), theme_sentiment[indexOf(themes, ?)], sentiment)`
	var w conds
	w.add("has(themes, ?)", q.Theme)
	if cond, _ := q.Sentiment.Condition(themeSentiment); cond != "" {
		w.add(cond, q.Theme)
	}
	w.dims(q.Filter)
	sql := `SELECT id, source, kind, created_at, account_id, account_name, account_plan, account_arr,
	` + themeSentiment + `, ` + scoredSQL + `,
	if(theme_evidence[indexOf(themes, ?)] != '', theme_evidence[indexOf(themes, ?)], if(body != '', body, title)), url, language
FROM ` + src + w.where() + `
ORDER BY account_arr DESC, created_at DESC, id LIMIT ?`
	all := append(append(append([]any{q.Theme, q.Theme, q.Theme}, args...), w.args...), candidates)
	var cands []Quote
	if err := s.query(ctx, sql, all, func(r driver.Rows) error {
		var c Quote
		var sent float32
		var scored uint8
		if err := r.Scan(&c.ID, &c.Source, &c.Kind, &c.CreatedAt, &c.AccountID, &c.AccountName, &c.Plan, &c.ARR, &sent, &scored, &c.Passage, &c.URL, &c.Language); err != nil {
			return err
		}
		c.Scored = scored == 1
		c.Sentiment = float64(sent)
		c.CreatedAt = c.CreatedAt.UTC()
		c.Passage = Clip(strings.TrimSpace(c.Passage), maxPassage)
		cands = append(cands, c)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("quotes: %w", err)
	}
	if len(cands) == 0 {
		if err := s.checkThemes(ctx, "theme", []string{q.Theme}); err != nil {
			return nil, err
		}
	}
	out.Quotes = pickQuotes(cands, out.From, out.End, q.Limit)
	return out, nil
}

// pickQuotes ranks candidates by ARR (relative to the highest) and
// recency in equal parts, then takes them round-robin over sources, at
// most one per account and one per passage: a sentence several customers
// sent (a canned survey answer, a pasted error) is shown once, with or
// without a greeting before it.
func pickQuotes(cands []Quote, from, end time.Time, limit int) []Quote {
	maxARR := 0.0
	for _, c := range cands {
		maxARR = max(maxARR, c.ARR)
	}
	span := end.Sub(from).Seconds()
	score := func(c Quote) float64 {
		s := end.Sub(c.CreatedAt).Seconds()/span*-0.5 + 0.5
		if maxARR > 0 {
			s += 0.5 * c.ARR / maxARR
		}
		return s
	}
	sort.SliceStable(cands, func(i, j int) bool { return score(cands[i]) > score(cands[j]) })
	bySource := map[string][]Quote{}
	var order []string
	for _, c := range cands {
		if _, ok := bySource[c.Source]; !ok {
			order = append(order, c.Source)
		}
		bySource[c.Source] = append(bySource[c.Source], c)
	}
	out := []Quote{}
	usedAccount, usedPassage := map[string]bool{}, map[string]bool{}
	for len(out) < limit {
		took := false
		for _, src := range order {
			for len(bySource[src]) > 0 && len(out) < limit {
				c := bySource[src][0]
				bySource[src] = bySource[src][1:]
				key := passageKey(c.Passage)
				if c.AccountID != "" && usedAccount[c.AccountID] || usedPassage[key] {
					continue
				}
				usedAccount[c.AccountID], usedPassage[key] = true, true
				out = append(out, c)
				took = true
				break
			}
		}
		if !took {
			break
		}
	}
	return out
}

// passageKey is what two passages that say the same share: their words,
// lowercased, without the greeting that opens a message or a short label
// before a colon ("Cons:", "Main reason for my score:", "Ana said:").
func passageKey(p string) string {
	if i := strings.IndexByte(p, ':'); i > 0 && i <= maxLabel && len(strings.Fields(p[:i])) <= 6 {
		p = p[i+1:]
	}
	ws := strings.FieldsFunc(strings.ToLower(p), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(ws) > 1 && greeting[ws[0]] {
		ws = ws[1:]
		for len(ws) > 1 && addressee[ws[0]] {
			ws = ws[1:] // "hi all", "hello support team"
		}
	}
	return strings.Join(ws, " ")
}

// maxLabel is the longest label before a colon that passageKey drops, in
// bytes.
const maxLabel = 40

// greeting and addressee hold the words that open a message before it says
// anything: "hi", "hey there", "hello support team".
var (
	greeting  = map[string]bool{"hi": true, "hey": true, "hello": true, "dear": true}
	addressee = map[string]bool{"team": true, "all": true, "there": true, "folks": true, "guys": true, "everyone": true, "support": true}
)

// Clip cuts s to at most n characters, ending it with "…" when it cuts.
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

// Table shows the passages with who wrote them.
func (q *Quotes) Table() ([]string, [][]string) {
	header := []string{"passage", "sentiment", "source", "account", "arr", "date"}
	rows := [][]string{}
	for _, c := range q.Quotes {
		who := c.AccountName
		if who == "" {
			who = c.AccountID
		}
		mood := "not scored"
		if c.Scored {
			mood = fmt.Sprintf("%+.2f", c.Sentiment)
		}
		rows = append(rows, []string{c.Passage, mood, c.Source, who, formatMoney(c.ARR), dateArg(c.CreatedAt)})
	}
	return header, rows
}

// Records is one line per quote.
func (q *Quotes) Records() ([]string, [][]string) {
	header := []string{"theme", "id", "source", "kind", "created_at", "account_id", "account_name", "plan", "arr", "sentiment", "passage", "url", "scored", "language"}
	var rows [][]string
	for _, c := range q.Quotes {
		rows = append(rows, []string{q.Theme, c.ID, c.Source, c.Kind, c.CreatedAt.Format(time.RFC3339), c.AccountID, c.AccountName,
			c.Plan, formatFloat(c.ARR), formatFloat(c.Sentiment), c.Passage, c.URL, strconv.FormatBool(c.Scored), c.Language})
	}
	return header, rows
}
