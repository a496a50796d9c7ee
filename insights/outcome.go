package insights

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// OutcomeQuery asks whether shipped bets made their themes fall.
type OutcomeQuery struct {
	// Days before and after each bet's shipped_at to compare (default 28).
	Days int
	// End bounds the after window for recent ships (default: today).
	End time.Time
	// Alpha is the significance level of each comparison (default 0.05).
	Alpha float64
}

// Outcome is, for each shipped bet and each of its themes, the theme's
// share of voice before and after the ship date.
type Outcome struct {
	Days    int          `json:"days"`
	Alpha   float64      `json:"alpha"`
	Results []BetOutcome `json:"results"`
	// Later are the shipped bets whose shipped_at is on or after the
	// end: nothing can be judged of them yet.
	Later []string `json:"shipped_later"`
}

// BetOutcome compares one theme of a shipped bet across its ship date.
// Share is the theme's items over all items in the window. P is the
// two-sided p-value of the exact conditional test that the share did not
// change: given the theme's items in both windows, the after count is
// binomial with the after window's part of all items.
type BetOutcome struct {
	Bet         string    `json:"bet"`
	Title       string    `json:"title"`
	ShippedAt   time.Time `json:"shipped_at"`
	Theme       string    `json:"theme"`
	BeforeItems uint64    `json:"before_items"`
	BeforeTotal uint64    `json:"before_total"`
	AfterItems  uint64    `json:"after_items"`
	AfterTotal  uint64    `json:"after_total"`
	AfterDays   int       `json:"after_days"` // fewer than Days while the window is still open
	ShareBefore float64   `json:"share_before"`
	ShareAfter  float64   `json:"share_after"`
	Change      float64   `json:"change"`          // ShareAfter - ShareBefore
	Relative    float64   `json:"relative_change"` // Change / ShareBefore (0 when ShareBefore is 0)
	P           float64   `json:"p"`
	Significant bool      `json:"significant"`
	Direction   string    `json:"direction"` // fell, rose or unchanged
	// NotYetJudged: one of the two windows holds no feedback at all
	// (none stored yet after the ship date, or none from before it), so
	// there is nothing to compare.
	NotYetJudged bool `json:"not_yet_judged,omitempty"`
}

func (q *OutcomeQuery) defaults(now time.Time) error {
	if q.End.IsZero() {
		q.End = truncDay(now)
	}
	q.End = truncDay(q.End)
	if q.Days == 0 {
		q.Days = 28
	}
	if q.Alpha == 0 {
		q.Alpha = 0.05
	}
	switch {
	case q.Days < 1 || q.Days > 366:
		return invalid("days", strconv.Itoa(q.Days), "want 1 to 366")
	case q.Alpha <= 0 || q.Alpha >= 1 || math.IsNaN(q.Alpha):
		return invalid("alpha", formatFloat(q.Alpha), "want a probability between 0 and 1")
	}
	return nil
}

// Outcome compares, for every shipped bet, each theme's share of voice in
// the Days before shipped_at with the Days from it on.
func (s *Store) Outcome(ctx context.Context, q OutcomeQuery) (*Outcome, error) {
	if err := q.defaults(s.now()); err != nil {
		return nil, err
	}
	bets, err := s.ListBets(ctx)
	if err != nil {
		return nil, err
	}
	out := &Outcome{Days: q.Days, Alpha: q.Alpha, Results: []BetOutcome{}, Later: []string{}}
	var from, to time.Time
	var shipped []Bet
	for _, b := range bets {
		if b.Status != "shipped" || b.ShippedAt == nil {
			continue
		}
		if !b.ShippedAt.Before(q.End) {
			out.Later = append(out.Later, b.ID)
			continue
		}
		shipped = append(shipped, b)
		lo, hi := b.ShippedAt.AddDate(0, 0, -q.Days), b.ShippedAt.AddDate(0, 0, q.Days)
		if from.IsZero() || lo.Before(from) {
			from = lo
		}
		if hi.After(to) {
			to = hi
		}
	}
	if len(shipped) == 0 {
		return out, nil
	}
	if to.After(q.End) {
		to = q.End
	}
	sr, err := s.series(ctx, Day, from, to, Filter{}, nil)
	if err != nil {
		return nil, fmt.Errorf("outcome: %w", err)
	}
	sum := func(ms []measures, lo, hi time.Time) uint64 {
		var n uint64
		for i, p := range sr.periods {
			if !p.Before(lo) && p.Before(hi) && ms != nil {
				n += ms[i].Items
			}
		}
		return n
	}
	for _, b := range shipped {
		ship := *b.ShippedAt
		before, after := ship.AddDate(0, 0, -q.Days), ship.AddDate(0, 0, q.Days)
		if after.After(q.End) {
			after = q.End
		}
		for _, theme := range b.Themes {
			o := BetOutcome{Bet: b.ID, Title: b.Title, ShippedAt: ship, Theme: theme,
				BeforeItems: sum(sr.themes[theme], before, ship), BeforeTotal: sum(sr.totals, before, ship),
				AfterItems: sum(sr.themes[theme], ship, after), AfterTotal: sum(sr.totals, ship, after),
				AfterDays: int(after.Sub(ship).Hours() / 24)}
			o.judge(q.Alpha)
			out.Results = append(out.Results, o)
		}
	}
	return out, nil
}

func (o *BetOutcome) judge(alpha float64) {
	o.Direction = "unchanged"
	o.P = 1
	if o.BeforeTotal == 0 || o.AfterTotal == 0 {
		o.NotYetJudged = true
		return
	}
	o.ShareBefore = float64(o.BeforeItems) / float64(o.BeforeTotal)
	o.ShareAfter = float64(o.AfterItems) / float64(o.AfterTotal)
	o.Change = o.ShareAfter - o.ShareBefore
	if o.ShareBefore > 0 {
		o.Relative = o.Change / o.ShareBefore
	}
	k := float64(o.BeforeItems + o.AfterItems)
	if k == 0 {
		return
	}
	b := distuv.Binomial{N: k, P: float64(o.AfterTotal) / float64(o.AfterTotal+o.BeforeTotal)}
	x := float64(o.AfterItems)
	o.P = math.Min(1, 2*math.Min(b.CDF(x), b.Survival(x-1)))
	o.Significant = o.P <= alpha
	switch {
	case o.Significant && o.Change < 0:
		o.Direction = "fell"
	case o.Significant && o.Change > 0:
		o.Direction = "rose"
	}
}

// Table shows each shipped bet's themes before and after.
func (o *Outcome) Table() ([]string, [][]string) {
	header := []string{"bet", "shipped", "theme", "share before", "share after", "change", "p", "verdict"}
	var rows [][]string
	for _, r := range o.Results {
		verdict := r.Direction
		if r.NotYetJudged {
			verdict = fmt.Sprintf("not judged: no feedback at all in the %d days %s the ship date", o.Days, map[bool]string{true: "before", false: "after"}[r.BeforeTotal == 0])
		} else if r.AfterDays < o.Days {
			verdict += fmt.Sprintf(" (%d of %d days after)", r.AfterDays, o.Days)
		}
		rows = append(rows, []string{r.Bet, dateArg(r.ShippedAt), r.Theme, percent(r.ShareBefore), percent(r.ShareAfter),
			strconv.FormatFloat(100*r.Change, 'f', 1, 64) + " pts", formatP(r.P), verdict})
	}
	for _, id := range o.Later {
		rows = append(rows, []string{id, "", "", "", "", "", "", "ships on or after the end: not judged"})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{"(no shipped bet)", "", "", "", "", "", "", ""})
	}
	return header, rows
}

// Records is one line per shipped bet and theme.
func (o *Outcome) Records() ([]string, [][]string) {
	header := []string{"bet", "shipped_at", "theme", "before_items", "before_total", "after_items", "after_total", "after_days",
		"share_before", "share_after", "change", "relative_change", "p", "significant", "direction"}
	var rows [][]string
	for _, r := range o.Results {
		rows = append(rows, []string{r.Bet, dateArg(r.ShippedAt), r.Theme,
			strconv.FormatUint(r.BeforeItems, 10), strconv.FormatUint(r.BeforeTotal, 10),
			strconv.FormatUint(r.AfterItems, 10), strconv.FormatUint(r.AfterTotal, 10), strconv.Itoa(r.AfterDays),
			formatFloat(r.ShareBefore), formatFloat(r.ShareAfter), formatFloat(r.Change), formatFloat(r.Relative),
			formatFloat(r.P), strconv.FormatBool(r.Significant), r.Direction})
	}
	return header, rows
}

func percent(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) + "%" }
