package insights

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// The rollup (table theme_periods, see sinks/schema/0002_insights.sql)
// holds the measures of whole periods computed from the deduplicated
// feedback, so that a year of weeks reads a few thousand rows instead of
// deduplicating millions. It is exact, never approximate:
//
//   - A period's computation is inserted as one block: a row per theme and
//     a marker row (theme '') with the period's totals, all with the same
//     computed_at C. A block is one part, so a computation is visible whole
//     or not at all. Readers use only rows whose computed_at equals the
//     newest marker's, which drops themes that a later computation no
//     longer found.
//   - feedback_days is filled by a materialized view with the server time
//     of every insert per created_at day. A period is settled, and read from
//     the rollup, when it has a computation C and no insert touched it since
//     C - settle. settle covers an insert that began before C but became
//     visible after the computation read the table; it must exceed the
//     longest insert. Anything not settled is computed at query time.
//
// So Refresh only ever makes queries faster: a query is correct whether or
// not it ran, and duplicates cannot inflate the rollup because it is
// computed over distinct ids and replaced, never summed.

// Option tunes a Store.
type Option func(*Store)

// WithSettle sets how long after the last insert into a day its periods
// may be answered from the rollup (default 5 minutes). Zero is safe only
// when nothing is inserted while Refresh runs, as in tests and benchmarks.
func WithSettle(d time.Duration) Option { return func(s *Store) { s.settle = d } }

// WithClock sets the clock that "the last N periods" count back from.
func WithClock(now func() time.Time) Option { return func(s *Store) { s.now = now } }

// DefaultSettle is the settle time when none is set.
const DefaultSettle = 5 * time.Minute

// dayGrainSQL maps a Date column named day to its period start.
var dayGrainSQL = map[Grain]string{
	Day:   "day",
	Week:  "toMonday(day)",
	Month: "toStartOfMonth(day)",
}

// touches returns, per period of grain g in [from, to) (all time when
// from is zero), when an insert last touched it.
func (s *Store) touches(ctx context.Context, g Grain, from, to time.Time) (map[time.Time]time.Time, error) {
	var w conds
	if !from.IsZero() {
		w.add("day >= toDate(?) AND day < toDate(?)", dateArg(from), dateArg(to))
	}
	out := map[time.Time]time.Time{}
	err := s.query(ctx, "SELECT "+dayGrainSQL[g]+" AS period, max(touched_at) FROM "+s.table("feedback_days")+w.where()+" GROUP BY period", w.args,
		func(r driver.Rows) error {
			var p, t time.Time
			if err := r.Scan(&p, &t); err != nil {
				return err
			}
			out[p.UTC()] = t
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read feedback_days: %w", err)
	}
	return out, nil
}

// rolledUp fills out with the periods the rollup can answer and returns
// which those are.
func (s *Store) rolledUp(ctx context.Context, out *series, themes []string) (map[time.Time]bool, error) {
	from, to := out.periods[0], out.grain.Add(out.periods[len(out.periods)-1], 1)
	var w conds
	w.add("grain = ? AND period >= toDate(?) AND period < toDate(?)", string(out.grain), dateArg(from), dateArg(to))
	if len(themes) > 0 {
		w.add("(theme = '' OR has(?, theme))", themes)
	}
	// One statement reads markers and theme rows, so both come from the
	// same set of parts.
	type row struct {
		theme string
		p     time.Time
		m     measures
		c     time.Time
	}
	var rows []row
	markers := map[time.Time]time.Time{}
	err := s.query(ctx, `SELECT theme, period, argMax(items, computed_at), argMax(accounts, computed_at),
	argMax(arr, computed_at), argMax(sentiment_sum, computed_at), argMax(scored, computed_at), max(computed_at)
FROM `+s.table("theme_periods")+w.where()+` GROUP BY theme, period`, w.args, func(r driver.Rows) error {
		var x row
		if err := r.Scan(&x.theme, &x.p, &x.m.Items, &x.m.Accounts, &x.m.ARR, &x.m.SentimentSum, &x.m.Scored, &x.c); err != nil {
			return err
		}
		x.p = x.p.UTC()
		if x.theme == "" {
			markers[x.p] = x.c
		}
		rows = append(rows, x)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read theme_periods: %w", err)
	}
	// Touches are read after the rollup: an insert that lands in between
	// shows up as a touch and sends its period to the live path.
	touched, err := s.touches(ctx, out.grain, from, to)
	if err != nil {
		return nil, err
	}
	settled := map[time.Time]bool{}
	for _, p := range out.periods {
		t, hasData := touched[p]
		c, computed := markers[p]
		settled[p] = !hasData || computed && t.Before(c.Add(-s.settle))
	}
	for _, x := range rows {
		if settled[x.p] && x.c.Equal(markers[x.p]) {
			out.set(x.theme, x.p, x.m)
		}
	}
	return settled, nil
}

// RefreshStats says what a Refresh computed.
type RefreshStats struct {
	Periods int           `json:"periods"` // periods computed, all grains
	Took    time.Duration `json:"took"`
}

// maxChunkDays bounds the days one statement deduplicates (a refresh or a
// query computed live), which bounds its memory.
const maxChunkDays = 35

// Refresh computes the rollup of every period that has changed since its
// last computation (or was never computed). It is safe to run from several
// processes at once; each computation replaces the previous one whole.
func (s *Store) Refresh(ctx context.Context) (RefreshStats, error) {
	start := time.Now()
	var stats RefreshStats
	for _, g := range []Grain{Day, Week, Month} {
		n, err := s.refreshGrain(ctx, g)
		stats.Periods += n
		if err != nil {
			return stats, fmt.Errorf("refresh %s rollup: %w", g, err)
		}
	}
	stats.Took = time.Since(start)
	return stats, nil
}

func (s *Store) refreshGrain(ctx context.Context, g Grain) (int, error) {
	touched, err := s.touches(ctx, g, time.Time{}, time.Time{})
	if err != nil {
		return 0, err
	}
	markers := map[time.Time]time.Time{}
	if err := s.query(ctx, "SELECT period, max(computed_at) FROM "+s.table("theme_periods")+" WHERE grain = ? AND theme = '' GROUP BY period",
		[]any{string(g)}, func(r driver.Rows) error {
			var p, c time.Time
			if err := r.Scan(&p, &c); err != nil {
				return err
			}
			markers[p.UTC()] = c
			return nil
		}); err != nil {
		return 0, err
	}
	var stale []time.Time
	for p, t := range touched {
		if c, ok := markers[p]; !ok || !t.Before(c.Add(-s.settle)) {
			stale = append(stale, p)
		}
	}
	sort.Slice(stale, func(i, j int) bool { return stale[i].Before(stale[j]) })
	done := 0
	for _, chunk := range chunks(g, stale) {
		if err := s.compute(ctx, g, chunk); err != nil {
			return done, err
		}
		done += len(chunk)
	}
	return done, nil
}

// chunks splits sorted periods into runs that each span at most
// maxChunkDays (one period when a period is longer), the unit one
// statement deduplicates.
func chunks(g Grain, periods []time.Time) [][]time.Time {
	var out [][]time.Time
	for len(periods) > 0 {
		n := 1
		for n < len(periods) && g.Add(periods[n], 1).Sub(periods[0]) <= maxChunkDays*24*time.Hour {
			n++
		}
		out = append(out, periods[:n])
		periods = periods[n:]
	}
	return out
}

// compute recomputes the given periods (sorted) and inserts each
// computation, markers included, in one block.
func (s *Store) compute(ctx context.Context, g Grain, periods []time.Time) error {
	// computed_at is the server's clock, the one feedback_days uses, read
	// before the feedback is.
	var c time.Time
	if err := s.conn.QueryRow(ctx, "SELECT now()").Scan(&c); err != nil {
		return err
	}
	out := newSeries(g, periods[0], g.Add(periods[len(periods)-1], 1))
	if err := s.live(ctx, out, periods, Filter{}, nil); err != nil {
		return err
	}
	batch, err := s.conn.PrepareBatch(ctx, "INSERT INTO "+s.table("theme_periods")+" (grain, period, theme, items, accounts, arr, sentiment_sum, scored, computed_at)")
	if err != nil {
		return err
	}
	defer func() {
		if !batch.IsSent() {
			_ = batch.Abort()
		}
	}()
	want := map[time.Time]bool{}
	for _, p := range periods {
		want[p] = true
	}
	for i, p := range out.periods {
		if !want[p] {
			continue
		}
		m := out.totals[i] // written even when zero: the marker says "computed, empty"
		if err := batch.Append(string(g), p, "", m.Items, m.Accounts, m.ARR, m.SentimentSum, m.Scored, c); err != nil {
			return err
		}
		for theme, ms := range out.themes {
			if ms[i].Items == 0 {
				continue
			}
			if err := batch.Append(string(g), p, theme, ms[i].Items, ms[i].Accounts, ms[i].ARR, ms[i].SentimentSum, ms[i].Scored, c); err != nil {
				return err
			}
		}
	}
	return batch.Send()
}
