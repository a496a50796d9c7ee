package insights

import (
	"context"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
)

// ScoredSQL lets the tests hold scoredSQL to enrich.ScoresLanguage.
const ScoredSQL = scoredSQL

// PickQuotes lets the tests choose among candidates without a database.
var PickQuotes = pickQuotes

// RunQuery runs sql as every insight query is run, reading no rows.
func (s *Store) RunQuery(ctx context.Context, sql string) error {
	return s.query(ctx, sql, nil, func(driver.Rows) error { return nil })
}
