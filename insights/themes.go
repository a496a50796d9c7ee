package insights

import (
	"context"
	"fmt"
	"slices"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/feedbackloop/feedbackloop/internal/suggest"
)

// checkThemes is for a query that found nothing for some theme names: it
// returns nil when stored feedback carries each of them (the window or the
// filters just held none) or carries no theme at all, and otherwise an InvalidError for field naming
// the first that none carries and the stored theme it most likely means
// ("Billing" or "biling" for billing). It reads every stored theme, so it
// runs only when a result came back empty.
func (s *Store) checkThemes(ctx context.Context, field string, names []string) error {
	if len(names) == 0 {
		return nil
	}
	var stored []string
	err := s.query(ctx, "SELECT DISTINCT arrayJoin(themes) AS theme FROM "+s.table("feedback")+" ORDER BY theme", nil,
		func(r driver.Rows) error {
			var th string
			if err := r.Scan(&th); err != nil {
				return err
			}
			stored = append(stored, th)
			return nil
		})
	if err != nil {
		return fmt.Errorf("stored themes: %w", err)
	}
	if len(stored) == 0 {
		return nil // nothing is tagged yet: an empty answer says it all
	}
	for _, name := range names {
		if slices.Contains(stored, name) {
			continue
		}
		problem := "no stored feedback carries this theme"
		if near := suggest.Closest(name, stored); near != "" {
			problem += fmt.Sprintf(" (did you mean %q?)", near)
		}
		return invalid(field, name, "%s", problem)
	}
	return nil
}
