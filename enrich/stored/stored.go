// Package stored reads enriched feedback back from ClickHouse for the
// tagging tools: the LLM's answers and the sources' own tags as training
// data for the offline tagger, the items no theme fitted, for theme
// discovery, and what each tagger tagged and the LLM cost, day by day.
// Every query counts a record once however often it was delivered (FINAL
// on the ReplacingMergeTree keyed by id) and binds every value as a
// parameter; only the database name, checked by the configuration, is
// spliced in.
package stored

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/internal/tone"
)

// Item is one stored record as the tagging tools need it. Themes is set
// by TaggedBy, Tags (the source's own tags) by WithTags, Sentiment (the
// whole record's, in [-1, 1]) by Untagged.
type Item struct {
	ID        string
	Title     string
	Body      string
	Themes    []string
	Tags      []string
	Sentiment float32
	// Language is the record's language tag ("" when its source did not
	// say) and SentimentBy who judged Sentiment ("llm" or ""); Untagged
	// sets both, since sentiment is a score only for some (see Scored).
	Language, SentimentBy string
}

// Scored reports whether the item's Sentiment is a score: the LLM judged
// it, or the lexicon read it (enrich.ScoresLanguage).
func (it Item) Scored() bool {
	return it.SentimentBy == enrich.ByLLM || enrich.ScoresLanguage(it.Language)
}

// Text is the record's text as the taggers read it: title, a line break,
// body.
func (it Item) Text() string {
	if it.Title == "" {
		return it.Body
	}
	return it.Title + "\n" + it.Body
}

// Store reads the feedback table of one database.
type Store struct {
	conn driver.Conn
	db   string
}

// New returns a Store over database db.
func New(conn driver.Conn, db string) *Store { return &Store{conn: conn, db: db} }

// TaggedBy returns up to limit records tagged by tagger ("llm") that were
// ingested at or after since, oldest first.
func (s *Store) TaggedBy(ctx context.Context, tagger string, since time.Time, limit int) ([]Item, error) {
	q := `SELECT id, title, body, themes FROM ` + s.db + `.feedback FINAL
WHERE tagger = ? AND ingested_at >= toDateTime(?)
ORDER BY ingested_at, id LIMIT ?`
	return s.query(ctx, q, func(it *Item) []any { return []any{&it.Themes} }, tagger, since.Unix(), limit)
}

// WithTags returns up to limit records that carry tags of their source
// and were ingested at or after since, oldest first.
func (s *Store) WithTags(ctx context.Context, since time.Time, limit int) ([]Item, error) {
	q := `SELECT id, title, body, tags FROM ` + s.db + `.feedback FINAL
WHERE length(tags) > 0 AND ingested_at >= toDateTime(?)
ORDER BY ingested_at, id LIMIT ?`
	return s.query(ctx, q, func(it *Item) []any { return []any{&it.Tags} }, since.Unix(), limit)
}

// Untagged returns up to limit records of the given tone that got no
// theme and were created at or after since, newest first.
func (s *Store) Untagged(ctx context.Context, since time.Time, limit int, t tone.Tone) ([]Item, error) {
	cond, err := t.Condition("sentiment")
	if err != nil {
		return nil, fmt.Errorf("untagged: %w", err)
	}
	if cond != "" {
		cond = " AND " + cond
	}
	q := `SELECT id, title, body, sentiment, language, sentiment_by FROM ` + s.db + `.feedback FINAL
WHERE empty(themes) AND created_at >= toDateTime(?)` + cond + `
ORDER BY created_at DESC, id LIMIT ?`
	return s.query(ctx, q, func(it *Item) []any { return []any{&it.Sentiment, &it.Language, &it.SentimentBy} }, since.Unix(), limit)
}

// Usage is one UTC day's records (by ingestion time) that one tagger and
// model tagged, how many of them hybrid routing sent to the LLM, and the
// LLM tokens they cost.
type Usage struct {
	Day    time.Time
	Tagger string
	Model  string
	Items  uint64
	// Routed of the RoutingKnown items were sent to the LLM (whether or not
	// it answered). Items written before schema version 5 did not record
	// their routing and count in Items only.
	Routed, RoutingKnown uint64
	PromptTokens         uint64
	CompletionTokens     uint64
}

// Usage returns what was tagged from the UTC day of since on, by day,
// tagger and model, each record once with its latest tagging (the view
// tagging_days).
func (s *Store) Usage(ctx context.Context, since time.Time) ([]Usage, error) {
	q := `SELECT day, tagger, model, items, routed, routing_known, prompt_tokens, completion_tokens
FROM ` + s.db + `.tagging_days
WHERE day >= toDate(?)
ORDER BY day, tagger, model`
	return collect(ctx, s, "tagging_days", q, []any{since.UTC().Format(time.DateOnly)}, func(r driver.Rows) (Usage, error) {
		var u Usage
		err := r.Scan(&u.Day, &u.Tagger, &u.Model, &u.Items, &u.Routed, &u.RoutingKnown, &u.PromptTokens, &u.CompletionTokens)
		return u, err
	})
}

// query runs q, whose columns are id, title, body and those extra says
// where in the item to put.
func (s *Store) query(ctx context.Context, q string, extra func(*Item) []any, args ...any) ([]Item, error) {
	return collect(ctx, s, "feedback", q, args, func(r driver.Rows) (Item, error) {
		var it Item
		dest := append([]any{&it.ID, &it.Title, &it.Body}, extra(&it)...)
		err := r.Scan(dest...)
		it.Title, it.Body = strings.TrimSpace(it.Title), strings.TrimSpace(it.Body)
		return it, err
	})
}

// collect runs q, a query of table, and returns what scan reads from
// each row; errors name the table.
func collect[T any](ctx context.Context, s *Store, table, q string, args []any, scan func(driver.Rows) (T, error)) ([]T, error) {
	rows, err := s.conn.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("query %s.%s: %w", s.db, table, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("read %s.%s: %w", s.db, table, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read %s.%s: %w", s.db, table, err)
	}
	return out, nil
}
