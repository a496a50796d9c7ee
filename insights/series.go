package insights

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// measures are the figures of one theme (or of all feedback) in one
// period, over distinct records.
type measures struct {
	Items        uint64
	Accounts     uint64  // distinct non-empty account ids
	ARR          float64 // sum of those accounts' ARR, each its latest value in the period
	SentimentSum float64 // sum of theme sentiment (record sentiment for totals) over the scored records
	// Scored counts the records whose sentiment the lexicon scores (see
	// scoredSQL); the others score 0 and would pull the mean to neutral.
	Scored uint64
}

func (m measures) meanSentiment() float64 {
	if m.Scored == 0 {
		return 0
	}
	return m.SentimentSum / float64(m.Scored)
}

// scoredSQL says whether a stored row's sentiment is a score: the LLM
// judged it (sentiment_by, migration 0007), or the lexicon read it, the
// record being in English or in no stated language (enrich.ScoresLanguage
// in SQL; a test holds the two to the same answers).
const scoredSQL = `(sentiment_by = 'llm' OR lower(language) IN ('', 'en', 'eng', 'english') OR
	(length(language) > 2 AND substring(language, 3, 1) IN ('-', '_') AND lower(substring(language, 1, 2)) = 'en'))`

// series is the per-period measures of every theme over a window.
type series struct {
	grain   Grain
	periods []time.Time
	index   map[time.Time]int
	themes  map[string][]measures // aligned with periods
	totals  []measures
	// rolled counts the periods answered from the rollup; the others were
	// computed from the feedback table at query time.
	rolled int
}

func newSeries(g Grain, from, to time.Time) *series {
	s := &series{grain: g, periods: g.Periods(from, to), index: map[time.Time]int{}, themes: map[string][]measures{}}
	for i, p := range s.periods {
		s.index[p] = i
	}
	s.totals = make([]measures, len(s.periods))
	return s
}

// set stores one row of measureSQL's output; theme "" is the totals.
func (s *series) set(theme string, period time.Time, m measures) {
	i, ok := s.index[period.UTC()]
	if !ok {
		return
	}
	if theme == "" {
		s.totals[i] = m
		return
	}
	row := s.themes[theme]
	if row == nil {
		row = make([]measures, len(s.periods))
		s.themes[theme] = row
	}
	row[i] = m
}

// sortedThemes lists themes by items over the window, most first.
func (s *series) sortedThemes() []string {
	sum := map[string]uint64{}
	names := make([]string, 0, len(s.themes))
	for th, ms := range s.themes {
		for _, m := range ms {
			sum[th] += m.Items
		}
		names = append(names, th)
	}
	sort.Slice(names, func(i, j int) bool {
		if sum[names[i]] != sum[names[j]] {
			return sum[names[i]] > sum[names[j]]
		}
		return names[i] < names[j]
	})
	return names
}

// measureSQL computes, per theme and period over the deduplicated feedback
// in src, the measures of each theme, and one row per period with theme ”
// holding the period's totals. Each record is joined with its themes and
// once more with ” (k = 1), so one pass of deduplication serves both.
// where applies to the deduplicated records; themeWhere only to theme rows.
//
// The inner GROUP BY account_id makes every account count once per theme
// and period, with the ARR of its latest item in the period. Whether a
// record's sentiment was scored (is_scored, see measureColumns) is decided
// once per stored row, before deduplication.
func measureSQL(g Grain, src string, srcArgs []any, where conds, themeWhere conds) (string, []any) {
	w := conds{sql: append([]string{}, where.sql...), args: append([]any{}, where.args...)}
	if len(themeWhere.sql) > 0 {
		w.add("(k = 1 OR ("+strings.Join(themeWhere.sql, " AND ")+"))", themeWhere.args...)
	}
	sql := `SELECT theme, period, sum(n), countIf(account_id != ''), sumIf(arr, account_id != ''), sum(sent), sum(scored)
FROM (
	SELECT if(k = 1, '', themes[k - 1]) AS theme, ` + g.sql() + ` AS period, account_id,
		count() AS n, argMax(account_arr, created_at) AS arr,
		sumIf(if(k = 1 OR length(theme_sentiment) != length(themes), sentiment, theme_sentiment[k - 1]), is_scored) AS sent,
		countIf(is_scored) AS scored
	FROM ` + src + ` ARRAY JOIN arrayEnumerate(arrayPushFront(themes, '')) AS k` + w.where() + `
	GROUP BY theme, period, account_id
)
GROUP BY theme, period`
	return sql, append(append([]any{}, srcArgs...), w.args...)
}

// measureColumns are what measureSQL needs from the deduplicated feedback.
// is_scored is computed from language and sentiment_by in the raw rows, so
// that the deduplication carries a UInt8 rather than the strings.
var measureColumns = []string{"created_at", "source", "kind", "account_id", "account_plan", "account_arr", "themes", "theme_sentiment", "sentiment",
	scoredSQL + " AS is_scored"}

// live computes the measures of the given periods (all of them when only
// is nil) from the feedback table. It deduplicates a bounded span at a
// time (see chunks): each period's measures depend only on its own
// records, so the chunks add up exactly, and memory stays bounded however
// long the window.
func (s *Store) live(ctx context.Context, out *series, only []time.Time, f Filter, themes []string) error {
	if only == nil {
		only = out.periods
	}
	for _, chunk := range chunks(out.grain, only) {
		if err := s.liveChunk(ctx, out, chunk, f, themes); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) liveChunk(ctx context.Context, out *series, only []time.Time, f Filter, themes []string) error {
	from, to := only[0], out.grain.Add(only[len(only)-1], 1)
	// Only records of which some version matches the filter need
	// deduplicating; the newest version is then filtered again below.
	var w, tw conds
	w.dims(f)
	src, srcArgs := s.latestOf(measureColumns, from, to, w)
	if len(only) < len(out.grain.Periods(from, to)) {
		dates := make([]string, len(only))
		for i, p := range only {
			dates[i] = dateArg(p)
		}
		w.add("has(arrayMap(d -> toDate(d), ?), "+out.grain.sql()+")", dates)
	}
	tw.in("themes[k - 1]", themes)
	sql, args := measureSQL(out.grain, src, srcArgs, w, tw)
	return s.query(ctx, sql, args, func(r driver.Rows) error {
		var (
			theme string
			p     time.Time
			m     measures
		)
		if err := r.Scan(&theme, &p, &m.Items, &m.Accounts, &m.ARR, &m.SentimentSum, &m.Scored); err != nil {
			return err
		}
		out.set(theme, p, m)
		return nil
	})
}

// series returns the measures of every theme (or only themes) per period
// of grain g in [from, to). Without dimension filters, settled periods come
// from the rollup and the rest is computed live; with them, all of it is
// computed live, since the rollup keeps no per-source or per-account split.
func (s *Store) series(ctx context.Context, g Grain, from, to time.Time, f Filter, themes []string) (*series, error) {
	out := newSeries(g, from, to)
	if len(out.periods) == 0 {
		return out, nil
	}
	if f.hasDims() {
		return out, s.live(ctx, out, nil, f, themes)
	}
	rolled, err := s.rolledUp(ctx, out, themes)
	if err != nil {
		return nil, err
	}
	var rest []time.Time
	for _, p := range out.periods {
		if !rolled[p] {
			rest = append(rest, p)
		}
	}
	out.rolled = len(out.periods) - len(rest)
	if len(rest) > 0 {
		if err := s.live(ctx, out, rest, f, themes); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (f Filter) hasDims() bool {
	return len(f.Sources)+len(f.Kinds)+len(f.Plans)+len(f.Accounts) > 0
}
