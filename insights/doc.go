// Package insights answers the product questions asked of the stored
// feedback: which themes grow (Trends, Emerging), which roadmap bets have
// customer evidence behind them (Bets), whether a shipped bet made its
// themes fall (Outcome), and what customers actually wrote (Quotes).
//
// Contracts every query keeps:
//   - Each record counts once. The feedback table holds a record once per
//     delivery until ClickHouse merges it, so every figure is computed over
//     distinct ids (the newest version of each), never over raw rows.
//   - Every value a user supplies (dates, filters, names) is bound as a
//     query parameter; identifiers (the database, a period function) come
//     from allow-lists, never from input.
//   - Dates are UTC calendar days; weeks start on Monday.
//
// Results implement Report, so the CLI and the HTTP API render the same
// values as a table, JSON or CSV.
package insights
