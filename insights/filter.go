package insights

import (
	"strings"
	"time"
)

// Filter narrows the feedback a query looks at. Empty lists match
// everything; a list matches a record whose value is any of its entries.
type Filter struct {
	// From and To bound created_at to [From, To) in whole UTC days; a zero
	// value leaves that side to the query's default window.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`

	Sources  []string `json:"sources,omitempty"`
	Kinds    []string `json:"kinds,omitempty"`
	Plans    []string `json:"plans,omitempty"`
	Accounts []string `json:"accounts,omitempty"` // account ids
}

// maxListValues bounds each filter list so that a request cannot build an
// arbitrarily large statement.
const maxListValues = 200

func (f *Filter) validate() error {
	for _, l := range []struct {
		field  string
		values []string
	}{{"source", f.Sources}, {"kind", f.Kinds}, {"plan", f.Plans}, {"account", f.Accounts}} {
		if len(l.values) > maxListValues {
			return invalid(l.field, "", "at most %d values, got %d", maxListValues, len(l.values))
		}
		for _, v := range l.values {
			if strings.TrimSpace(v) == "" {
				return invalid(l.field, v, "must not be empty")
			}
			if len(v) > 256 {
				return invalid(l.field, v[:32]+"...", "longer than 256 characters")
			}
		}
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return invalid("to", dateArg(f.To), "must be after from (%s)", dateArg(f.From))
	}
	return nil
}

// conds is a WHERE clause under construction: SQL fragments with ? for
// each bound value, in order.
type conds struct {
	sql  []string
	args []any
}

func (c *conds) add(sql string, args ...any) {
	c.sql = append(c.sql, sql)
	c.args = append(c.args, args...)
}

// in adds "column is one of values" when values is not empty. column
// comes from this package, never from input.
func (c *conds) in(column string, values []string) {
	if len(values) > 0 {
		c.add("has(?, "+column+")", values)
	}
}

// dims adds the filter's source, kind, plan and account conditions.
func (c *conds) dims(f Filter) {
	c.in("source", f.Sources)
	c.in("kind", f.Kinds)
	c.in("account_plan", f.Plans)
	c.in("account_id", f.Accounts)
}

// between adds from <= created_at < to for whole days.
func (c *conds) between(column string, from, to time.Time) {
	c.add(column+" >= toDateTime(?, 'UTC') AND "+column+" < toDateTime(?, 'UTC')", dateTimeArg(from), dateTimeArg(to))
}

func (c *conds) where() string {
	if len(c.sql) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.sql, " AND ")
}
