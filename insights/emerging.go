package insights

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// EmergingQuery asks which themes moved away from their own baseline.
type EmergingQuery struct {
	// End is the day after the recent window (default: today, so that the
	// windows hold whole days only).
	End time.Time
	// RecentDays (default 14) and BaselineDays (default 56) are the two
	// windows; the baseline ends where the recent window starts. Multiples
	// of 7 keep the weekly rhythm out of the comparison.
	RecentDays, BaselineDays int
	// MinItems is the volume a change needs before it can be flagged: the
	// recent items of a rising theme, the expected items of a declining
	// one (default 10).
	MinItems int
	// Alpha is the false discovery rate over all themes tested (default 0.01).
	Alpha float64
}

// Emerging is every theme's recent window against its baseline.
type Emerging struct {
	RecentFrom   time.Time `json:"recent_from"`
	End          time.Time `json:"end"`
	BaselineFrom time.Time `json:"baseline_from"`
	RecentDays   int       `json:"recent_days"`
	BaselineDays int       `json:"baseline_days"`
	MinItems     int       `json:"min_items"`
	Alpha        float64   `json:"alpha"`
	// Rising and Declining are the themes whose change is significant,
	// most significant first.
	Rising    []ThemeChange `json:"rising"`
	Declining []ThemeChange `json:"declining"`
	// Themes is every theme seen in either window, most significant first.
	Themes []ThemeChange `json:"themes"`
}

// ThemeChange is one theme's recent volume against its baseline.
//
// Under the hypothesis that the theme's daily rate did not change, an item
// of the theme falls in the recent window with probability
// RecentDays / (RecentDays + BaselineDays), so the recent count given the
// total is binomial: the exact conditional test for comparing two Poisson
// rates. P is the one-sided p-value in the direction of the change; Q is
// P adjusted over all themes (Benjamini-Hochberg).
type ThemeChange struct {
	Theme    string  `json:"theme"`
	Recent   uint64  `json:"recent"`
	Baseline uint64  `json:"baseline"`
	Expected float64 `json:"expected"` // recent items at the baseline rate
	// Ratio is the recent rate over the baseline rate; a baseline of zero
	// counts as half an item so that new themes get a finite ratio.
	Ratio       float64 `json:"ratio"`
	P           float64 `json:"p"`
	Q           float64 `json:"q"`
	Direction   string  `json:"direction"` // rising, declining or steady
	Significant bool    `json:"significant"`
}

func (q *EmergingQuery) defaults(now time.Time) error {
	if q.End.IsZero() {
		q.End = truncDay(now)
	}
	q.End = truncDay(q.End)
	if q.RecentDays == 0 {
		q.RecentDays = 14
	}
	if q.BaselineDays == 0 {
		q.BaselineDays = 56
	}
	if q.MinItems == 0 {
		q.MinItems = 10
	}
	if q.Alpha == 0 {
		q.Alpha = 0.01
	}
	switch {
	case q.RecentDays < 1 || q.RecentDays > 366:
		return invalid("recent_days", strconv.Itoa(q.RecentDays), "want 1 to 366")
	case q.BaselineDays < 1 || q.BaselineDays > 3*366:
		return invalid("baseline_days", strconv.Itoa(q.BaselineDays), "want 1 to %d", 3*366)
	case q.MinItems < 1:
		return invalid("min_items", strconv.Itoa(q.MinItems), "want at least 1")
	case q.Alpha <= 0 || q.Alpha >= 1 || math.IsNaN(q.Alpha):
		return invalid("alpha", formatFloat(q.Alpha), "want a probability between 0 and 1")
	}
	return nil
}

// Emerging compares each theme's last RecentDays with the BaselineDays
// before them and ranks the significant changes.
func (s *Store) Emerging(ctx context.Context, q EmergingQuery) (*Emerging, error) {
	if err := q.defaults(s.now()); err != nil {
		return nil, err
	}
	recentFrom := q.End.AddDate(0, 0, -q.RecentDays)
	baseFrom := recentFrom.AddDate(0, 0, -q.BaselineDays)
	sr, err := s.series(ctx, Day, baseFrom, q.End, Filter{}, nil)
	if err != nil {
		return nil, fmt.Errorf("emerging: %w", err)
	}
	// Empty lists, not null, in JSON: clients iterate them.
	out := &Emerging{RecentFrom: recentFrom, End: q.End, BaselineFrom: baseFrom,
		RecentDays: q.RecentDays, BaselineDays: q.BaselineDays, MinItems: q.MinItems, Alpha: q.Alpha,
		Rising: []ThemeChange{}, Declining: []ThemeChange{}, Themes: []ThemeChange{}}
	p0 := float64(q.RecentDays) / float64(q.RecentDays+q.BaselineDays)
	for theme, ms := range sr.themes {
		var c ThemeChange
		c.Theme = theme
		for i, m := range ms {
			if sr.periods[i].Before(recentFrom) {
				c.Baseline += m.Items
			} else {
				c.Recent += m.Items
			}
		}
		c.Expected = float64(c.Baseline) * float64(q.RecentDays) / float64(q.BaselineDays)
		c.Ratio = float64(c.Recent) / math.Max(c.Expected, 0.5*float64(q.RecentDays)/float64(q.BaselineDays))
		n := float64(c.Recent + c.Baseline)
		b := distuv.Binomial{N: n, P: p0}
		x := float64(c.Recent)
		c.Direction = "steady"
		switch {
		case x > n*p0:
			c.Direction = "rising"
			c.P = b.Survival(x - 1) // P(X >= x)
		case x < n*p0:
			c.Direction = "declining"
			c.P = b.CDF(x) // P(X <= x)
		default:
			c.P = 1
		}
		c.P = math.Min(1, math.Max(0, c.P))
		out.Themes = append(out.Themes, c)
	}
	adjust(out.Themes)
	for i := range out.Themes {
		c := &out.Themes[i]
		enough := c.Direction == "rising" && c.Recent >= uint64(q.MinItems) ||
			c.Direction == "declining" && c.Expected >= float64(q.MinItems)
		c.Significant = enough && c.Q <= q.Alpha
		if !c.Significant {
			continue
		}
		if c.Direction == "rising" {
			out.Rising = append(out.Rising, *c)
		} else {
			out.Declining = append(out.Declining, *c)
		}
	}
	return out, nil
}

// adjust sets Q by Benjamini-Hochberg and sorts by significance: p, then
// the size of the change.
func adjust(cs []ThemeChange) {
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].P != cs[j].P {
			return cs[i].P < cs[j].P
		}
		if di, dj := math.Abs(math.Log(cs[i].Ratio+1e-9)), math.Abs(math.Log(cs[j].Ratio+1e-9)); di != dj {
			return di > dj
		}
		return cs[i].Theme < cs[j].Theme
	})
	m := float64(len(cs))
	q := 1.0
	for i := len(cs) - 1; i >= 0; i-- {
		q = math.Min(q, cs[i].P*m/float64(i+1))
		cs[i].Q = q
	}
}

// Table lists the significant changes, rising first.
func (e *Emerging) Table() ([]string, [][]string) {
	header := []string{"theme", "direction", "recent", "baseline", "expected", "ratio", "p"}
	var rows [][]string
	for _, c := range append(append([]ThemeChange{}, e.Rising...), e.Declining...) {
		rows = append(rows, []string{c.Theme, c.Direction, strconv.FormatUint(c.Recent, 10), strconv.FormatUint(c.Baseline, 10),
			strconv.FormatFloat(c.Expected, 'f', 1, 64), strconv.FormatFloat(c.Ratio, 'f', 2, 64), formatP(c.P)})
	}
	if len(rows) == 0 {
		rows = append(rows, []string{"(no significant change)", "", "", "", "", "", ""})
	}
	return header, rows
}

// Records lists every theme tested.
func (e *Emerging) Records() ([]string, [][]string) {
	header := []string{"theme", "direction", "significant", "recent", "baseline", "expected", "ratio", "p", "q"}
	var rows [][]string
	for _, c := range e.Themes {
		rows = append(rows, []string{c.Theme, c.Direction, strconv.FormatBool(c.Significant), strconv.FormatUint(c.Recent, 10),
			strconv.FormatUint(c.Baseline, 10), formatFloat(c.Expected), formatFloat(c.Ratio), formatFloat(c.P), formatFloat(c.Q)})
	}
	return header, rows
}

// formatP prints a p-value readably at any size.
func formatP(p float64) string {
	if p < 0.0001 {
		return strconv.FormatFloat(p, 'e', 1, 64)
	}
	return strconv.FormatFloat(p, 'f', 4, 64)
}
