package insights

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// TrendsQuery asks for per-theme figures per period.
type TrendsQuery struct {
	Grain Grain
	// Periods is how many periods, ending with the current one, to cover
	// when Filter.From is zero (default 8). Filter.To defaults to the end
	// of the current period.
	Periods int
	Filter
	// Themes keeps only these themes in the result (share of voice is still
	// measured against all feedback that passes the filter).
	Themes []string
}

// maxPeriods bounds a trend so that a request cannot ask for a table of
// thousands of columns.
const maxPeriods = 400

// Trends is how each theme moved over the periods of a window.
type Trends struct {
	Grain Grain     `json:"grain"`
	From  time.Time `json:"from"` // inclusive, start of the first period
	To    time.Time `json:"to"`   // exclusive
	// Periods are the period starts; every ThemeTrend has one point each.
	Periods []time.Time `json:"periods"`
	// Totals are the items of each period across all themes (and items
	// with no theme), the denominator of share of voice.
	Totals []uint64     `json:"totals"`
	Themes []ThemeTrend `json:"themes"`
	// RolledUp is how many periods were read from the rollup rather than
	// computed from the feedback table (see Refresh); the figures are the
	// same either way.
	RolledUp int `json:"rolled_up_periods"`
	// Partial says the last period holds the present: it has not ended,
	// and its figures will still grow.
	Partial bool `json:"partial"`
}

// ThemeTrend is one theme over the window, most mentioned first.
type ThemeTrend struct {
	Theme  string       `json:"theme"`
	Items  uint64       `json:"items"` // over the whole window
	Points []TrendPoint `json:"points"`
}

// TrendPoint is one theme in one period. Items and Accounts count distinct
// records and accounts; ARR sums the distinct accounts' ARR (each
// account's latest value in the period); Sentiment is the mean theme
// sentiment of the Scored items, those in English or no stated language
// and those the LLM judged (0 when there are none: then it is no score);
// Share is Items over all items of the period.
type TrendPoint struct {
	Period    time.Time `json:"period"`
	Items     uint64    `json:"items"`
	Accounts  uint64    `json:"accounts"`
	ARR       float64   `json:"arr"`
	Sentiment float64   `json:"sentiment"`
	Scored    uint64    `json:"scored"`
	Share     float64   `json:"share"`
}

// window resolves the query's dates against the clock.
func (q *TrendsQuery) window(now time.Time) (from, to time.Time, err error) {
	if q.Grain == "" {
		q.Grain = Week
	}
	if _, err := ParseGrain(string(q.Grain)); err != nil {
		return from, to, err
	}
	if q.Periods == 0 {
		q.Periods = 8
	}
	if q.Periods < 1 || q.Periods > maxPeriods {
		return from, to, invalid("periods", strconv.Itoa(q.Periods), "want 1 to %d", maxPeriods)
	}
	if err := q.Filter.validate(); err != nil {
		return from, to, err
	}
	to = q.To
	if to.IsZero() {
		to = q.Grain.Add(q.Grain.Start(now), 1)
		if !q.From.IsZero() && !q.From.Before(to) {
			return from, to, invalid("from", dateArg(q.From), "is in the future")
		}
	}
	from = q.From
	if from.IsZero() {
		from = q.Grain.Add(q.Grain.Start(to.Add(-time.Nanosecond)), 1-q.Periods)
	}
	from = q.Grain.Start(from)
	if n := len(q.Grain.Periods(from, to)); n > maxPeriods {
		return from, to, invalid("from", dateArg(q.From), "the window holds %d %ss; at most %d", n, q.Grain, maxPeriods)
	}
	// Periods are counted whole: a window that ends inside one ends
	// where it does, and the answer says so.
	return from, q.Grain.Add(q.Grain.Start(truncDayCeil(to).Add(-time.Nanosecond)), 1), nil
}

// truncDayCeil rounds t up to midnight so that [from, to) is whole days.
func truncDayCeil(t time.Time) time.Time {
	d := truncDay(t)
	if d.Before(t) {
		return d.AddDate(0, 0, 1)
	}
	return d
}

// Trends counts, per theme and period, the distinct records that mention
// the theme and who wrote them.
func (s *Store) Trends(ctx context.Context, q TrendsQuery) (*Trends, error) {
	now := s.now()
	from, to, err := q.window(now)
	if err != nil {
		return nil, err
	}
	if len(q.Themes) > maxListValues {
		return nil, invalid("theme", "", "at most %d values, got %d", maxListValues, len(q.Themes))
	}
	for _, th := range q.Themes {
		if th == "" || len(th) > 256 {
			return nil, invalid("theme", th, "must be a name of 1 to 256 characters")
		}
	}
	sr, err := s.series(ctx, q.Grain, from, to, q.Filter, q.Themes)
	if err != nil {
		return nil, fmt.Errorf("trends: %w", err)
	}
	var missing []string
	for _, th := range q.Themes {
		if _, ok := sr.themes[th]; !ok {
			missing = append(missing, th)
		}
	}
	if err := s.checkThemes(ctx, "theme", missing); err != nil {
		return nil, err
	}
	if empty := !slices.ContainsFunc(sr.totals, func(m measures) bool { return m.Items > 0 }); empty {
		if err := s.checkFilter(ctx, q.Filter); err != nil {
			return nil, err
		}
	}
	out := &Trends{Grain: q.Grain, From: from, To: to, Periods: sr.periods, RolledUp: sr.rolled, Themes: []ThemeTrend{}}
	if n := len(sr.periods); n > 0 && !now.Before(sr.periods[n-1]) && now.Before(to) {
		out.Partial = true
	}
	out.Totals = make([]uint64, len(sr.periods))
	for i, m := range sr.totals {
		out.Totals[i] = m.Items
	}
	for _, theme := range sr.sortedThemes() {
		tt := ThemeTrend{Theme: theme, Points: make([]TrendPoint, len(sr.periods))}
		for i, m := range sr.themes[theme] {
			pt := TrendPoint{Period: sr.periods[i], Items: m.Items, Accounts: m.Accounts, ARR: m.ARR, Sentiment: m.meanSentiment(), Scored: m.Scored}
			if out.Totals[i] > 0 {
				pt.Share = float64(m.Items) / float64(out.Totals[i])
			}
			tt.Points[i] = pt
			tt.Items += m.Items
		}
		out.Themes = append(out.Themes, tt)
	}
	return out, nil
}

// Table is the theme-by-period grid of item counts.
func (t *Trends) Table() ([]string, [][]string) {
	header := []string{"theme"}
	for _, p := range t.Periods {
		header = append(header, t.Grain.Label(p))
	}
	if t.Partial {
		header[len(header)-1] += " (so far)"
	}
	header = append(header, "total")
	rows := make([][]string, 0, len(t.Themes)+1)
	for _, th := range t.Themes {
		row := []string{th.Theme}
		for _, p := range th.Points {
			row = append(row, strconv.FormatUint(p.Items, 10))
		}
		rows = append(rows, append(row, strconv.FormatUint(th.Items, 10)))
	}
	row := []string{"(all feedback)"}
	var sum uint64
	for _, n := range t.Totals {
		row = append(row, strconv.FormatUint(n, 10))
		sum += n
	}
	rows = append(rows, append(row, strconv.FormatUint(sum, 10)))
	return header, rows
}

// Records is one line per theme and period with every measure.
func (t *Trends) Records() ([]string, [][]string) {
	header := []string{"theme", "period", "items", "accounts", "arr", "sentiment", "share", "scored"}
	var rows [][]string
	for _, th := range t.Themes {
		for _, p := range th.Points {
			rows = append(rows, []string{th.Theme, dateArg(p.Period),
				strconv.FormatUint(p.Items, 10), strconv.FormatUint(p.Accounts, 10),
				formatFloat(p.ARR), formatFloat(p.Sentiment), formatFloat(p.Share), strconv.FormatUint(p.Scored, 10)})
		}
	}
	return header, rows
}
