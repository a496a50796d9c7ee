package insights

import (
	"context"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/feedbackloop/feedbackloop/internal/suggest"
)

// ThemeMiss is a theme name that no stored record carries, and the stored
// theme it most likely means ("Billing" or "biling" for billing), "" when
// none is near.
type ThemeMiss struct {
	Name, Near string
}

// MissingThemes returns, in order, those of names that no stored record
// carries. It reads every stored theme, so queries call it only when an
// answer came back empty. When nothing is tagged yet it returns none: an
// empty answer says all there is to say.
func (s *Store) MissingThemes(ctx context.Context, names []string) ([]ThemeMiss, error) {
	if len(names) == 0 {
		return nil, nil
	}
	stored, err := s.distinct(ctx, "arrayJoin(themes)")
	if err != nil {
		return nil, fmt.Errorf("stored themes: %w", err)
	}
	var misses []ThemeMiss
	for _, name := range names {
		if len(stored) > 0 && !slices.Contains(stored, name) {
			misses = append(misses, ThemeMiss{Name: name, Near: suggest.Closest(name, stored)})
		}
	}
	return misses, nil
}

// distinct returns the values of expr over every stored row, each once,
// in order.
func (s *Store) distinct(ctx context.Context, expr string) ([]string, error) {
	var out []string
	err := s.query(ctx, "SELECT DISTINCT "+expr+" AS v FROM "+s.table("feedback")+" ORDER BY v", nil, func(r driver.Rows) error {
		var v string
		if err := r.Scan(&v); err != nil {
			return err
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// String says what is wrong with the name, as errors and warnings show it.
func (m ThemeMiss) String() string {
	if m.Near == "" {
		return "no stored feedback carries this theme"
	}
	return fmt.Sprintf("no stored feedback carries this theme (did you mean %q?)", m.Near)
}

// checkFilter is for a query that found nothing under f: an InvalidError
// naming the first of f's sources, kinds and plans that no stored record
// has, with the stored one it most likely means ("ZENDESK" for zendesk),
// or nil when the window just held none. Account ids are many, and left
// alone.
func (s *Store) checkFilter(ctx context.Context, f Filter) error {
	for _, d := range []struct {
		field, column string
		values        []string
	}{{"source", "source", f.Sources}, {"kind", "kind", f.Kinds}, {"plan", "account_plan", f.Plans}} {
		if len(d.values) == 0 {
			continue
		}
		stored, err := s.distinct(ctx, d.column)
		if err != nil {
			return fmt.Errorf("stored %ss: %w", d.field, err)
		}
		for _, v := range d.values {
			if len(stored) == 0 || slices.Contains(stored, v) {
				continue
			}
			if near := suggest.Closest(v, stored); near != "" {
				return invalid(d.field, v, "no stored feedback has this %s (did you mean %q?)", d.field, near)
			}
			return invalid(d.field, v, "no stored feedback has this %s", d.field)
		}
	}
	return nil
}

// checkThemes is for a query that found nothing for some theme names: an
// InvalidError for field naming the first that no stored record carries,
// or nil when the window or the filters just held none of them.
func (s *Store) checkThemes(ctx context.Context, field string, names []string) error {
	misses, err := s.MissingThemes(ctx, names)
	if err != nil || len(misses) == 0 {
		return err
	}
	return invalid(field, misses[0].Name, "%s", misses[0].String())
}
