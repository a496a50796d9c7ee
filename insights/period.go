package insights

import (
	"fmt"
	"time"
)

// Grain is the length of a trend period.
type Grain string

// Grains a trend can be cut into. Weeks start on Monday, all in UTC.
const (
	Day   Grain = "day"
	Week  Grain = "week"
	Month Grain = "month"
)

// ParseGrain accepts day, week or month.
func ParseGrain(s string) (Grain, error) {
	switch g := Grain(s); g {
	case Day, Week, Month:
		return g, nil
	}
	return "", invalid("grain", s, "want day, week or month")
}

// periodSQL is the allow-list of SQL expressions that map created_at to
// the start of its period; only these strings are ever spliced into a query.
var periodSQL = map[Grain]string{
	Day:   "toDate(created_at, 'UTC')",
	Week:  "toMonday(created_at, 'UTC')",
	Month: "toStartOfMonth(created_at, 'UTC')",
}

func (g Grain) sql() string { return periodSQL[g] }

// Start returns the start of the period that holds t.
func (g Grain) Start(t time.Time) time.Time {
	t = t.UTC()
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	switch g {
	case Week:
		return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
	case Month:
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return d
}

// Add moves a period start n periods on (back when n < 0).
func (g Grain) Add(t time.Time, n int) time.Time {
	switch g {
	case Week:
		return t.AddDate(0, 0, 7*n)
	case Month:
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(0, 0, n)
}

// Periods lists the starts of the periods that overlap [from, to).
func (g Grain) Periods(from, to time.Time) []time.Time {
	var out []time.Time
	for p := g.Start(from); p.Before(to); p = g.Add(p, 1) {
		out = append(out, p)
	}
	return out
}

// Label is the short name of the period that starts at t, for tables.
func (g Grain) Label(t time.Time) string {
	switch g {
	case Month:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

// dateArg formats a day for binding: ClickHouse 18.16 cannot compare a
// bound Go time with a Date, so dates travel as 'YYYY-MM-DD' strings and
// the query converts them with toDate or toDateTime(..., 'UTC').
func dateArg(t time.Time) string { return t.UTC().Format("2006-01-02") }

func dateTimeArg(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

// ParseDate reads a YYYY-MM-DD day; field names the parameter in the error.
func ParseDate(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02", s, time.UTC)
	if err != nil {
		return time.Time{}, invalid(field, s, "want a date as YYYY-MM-DD")
	}
	return t, nil
}

// truncDay returns midnight UTC of t's day.
func truncDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func (g Grain) String() string { return string(g) }

var _ fmt.Stringer = Day
