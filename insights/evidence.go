package insights

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/dustin/go-humanize"
)

// BetsQuery asks for the customer evidence behind the roadmap.
type BetsQuery struct {
	// Days is the evidence window, ending at End (default 90 days up to
	// today).
	Days int
	End  time.Time
	// Top is how many unaddressed themes to list (default 10).
	Top int
	// MinItems is the evidence an active bet needs not to be listed as
	// without evidence (default 1).
	MinItems int
}

// BetsReport is every bet with its evidence, the demand no active bet
// covers, and the active bets nobody asked for.
type BetsReport struct {
	From time.Time     `json:"from"`
	End  time.Time     `json:"end"`
	Bets []BetEvidence `json:"bets"`
	// Unaddressed are the themes with the most items that no exploring,
	// committed or in-progress bet names.
	Unaddressed []ThemeDemand `json:"unaddressed"`
	// WithoutEvidence are the ids of active bets with fewer than MinItems
	// items in the window.
	WithoutEvidence []string `json:"without_evidence"`
}

// Evidence is the feedback behind a bet or a theme over the window:
// distinct items, distinct accounts and the sum of those accounts' ARR.
type Evidence struct {
	Items    uint64  `json:"items"`
	Accounts uint64  `json:"accounts"`
	ARR      float64 `json:"arr"`
}

// BetEvidence is a bet and the feedback that mentions any of its themes.
// Weekly holds the items of the last four 7-day spans before End, oldest
// first.
type BetEvidence struct {
	Bet
	Evidence
	Weekly [4]uint64 `json:"weekly"`
}

// ThemeDemand is a theme and its feedback over the window.
type ThemeDemand struct {
	Theme string `json:"theme"`
	Evidence
}

func (q *BetsQuery) defaults(now time.Time) error {
	if q.End.IsZero() {
		q.End = truncDay(now).AddDate(0, 0, 1)
	}
	q.End = truncDay(q.End)
	if q.Days == 0 {
		q.Days = 90
	}
	if q.Top == 0 {
		q.Top = 10
	}
	if q.MinItems == 0 {
		q.MinItems = 1
	}
	switch {
	case q.Days < 1 || q.Days > 3*366:
		return invalid("days", strconv.Itoa(q.Days), "want 1 to %d", 3*366)
	case q.Top < 1 || q.Top > 1000:
		return invalid("top", strconv.Itoa(q.Top), "want 1 to 1000")
	case q.MinItems < 1:
		return invalid("min_items", strconv.Itoa(q.MinItems), "want at least 1")
	}
	return nil
}

// Bets reports each bet's evidence, unaddressed demand and bets without
// evidence. Items mentioning several of a bet's themes count once.
func (s *Store) Bets(ctx context.Context, q BetsQuery) (*BetsReport, error) {
	if err := q.defaults(s.now()); err != nil {
		return nil, err
	}
	bets, err := s.ListBets(ctx)
	if err != nil {
		return nil, err
	}
	// Empty lists, not null, in JSON: clients iterate them.
	out := &BetsReport{From: q.End.AddDate(0, 0, -q.Days), End: q.End, Bets: make([]BetEvidence, len(bets)),
		Unaddressed: []ThemeDemand{}, WithoutEvidence: []string{}}
	cols := []string{"created_at", "account_id", "account_arr", "themes"}
	if len(bets) > 0 {
		ids := make([]string, len(bets))
		themes := make([][]string, len(bets))
		for i, b := range bets {
			out.Bets[i].Bet = b
			ids[i], themes[i] = b.ID, b.Themes
		}
		src, args := s.latest(cols, out.From, out.End)
		weeks := make([]any, 0, 8)
		const week = "created_at >= toDateTime(?, 'UTC') AND created_at < toDateTime(?, 'UTC')"
		var wsql []string
		for k := 3; k >= 0; k-- {
			wsql = append(wsql, "countIf("+week+")")
			weeks = append(weeks, dateTimeArg(q.End.AddDate(0, 0, -7*(k+1))), dateTimeArg(q.End.AddDate(0, 0, -7*k)))
		}
		sql := `SELECT bi, sum(n), countIf(account_id != ''), sumIf(arr, account_id != ''), sum(w0), sum(w1), sum(w2), sum(w3)
FROM (
	SELECT bi, account_id, count() AS n, argMax(account_arr, created_at) AS arr,
		` + wsql[0] + ` AS w0, ` + wsql[1] + ` AS w1, ` + wsql[2] + ` AS w2, ` + wsql[3] + ` AS w3
	-- Each record joins once per bet whose themes it mentions. (A lambda
	-- over the bets' themes would be shorter, but ClickHouse 18.16 cannot
	-- resolve the record's columns inside it here.)
	FROM ` + src + `
	ARRAY JOIN arrayEnumerate(?) AS bi
	WHERE hasAny(themes, arrayElement(?, bi))
	GROUP BY bi, account_id
)
GROUP BY bi`
		all := append(append(append([]any{}, weeks...), args...), ids, themes)
		if err := s.query(ctx, sql, all, func(r driver.Rows) error {
			var (
				bi uint32
				e  Evidence
				w  [4]uint64
			)
			if err := r.Scan(&bi, &e.Items, &e.Accounts, &e.ARR, &w[0], &w[1], &w[2], &w[3]); err != nil {
				return err
			}
			if bi >= 1 && int(bi) <= len(out.Bets) {
				out.Bets[bi-1].Evidence, out.Bets[bi-1].Weekly = e, w
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("bet evidence: %w", err)
		}
	}
	covered := []string{}
	for _, b := range out.Bets {
		if b.active() {
			covered = append(covered, b.Themes...)
			if b.Items < uint64(q.MinItems) {
				out.WithoutEvidence = append(out.WithoutEvidence, b.ID)
			}
		}
	}
	src, args := s.latest(cols, out.From, out.End)
	var uncovered conds
	if len(covered) > 0 { // an empty list literal has no element type
		uncovered.add("NOT has(?, themes[k])", covered)
	}
	sql := `SELECT theme, sum(n) AS items, countIf(account_id != ''), sumIf(arr, account_id != '')
FROM (
	SELECT themes[k] AS theme, account_id, count() AS n, argMax(account_arr, created_at) AS arr
	FROM ` + src + ` ARRAY JOIN arrayEnumerate(themes) AS k` + uncovered.where() + `
	GROUP BY theme, account_id
)
GROUP BY theme ORDER BY items DESC, theme LIMIT ?`
	if err := s.query(ctx, sql, append(append(args, uncovered.args...), q.Top), func(r driver.Rows) error {
		var d ThemeDemand
		if err := r.Scan(&d.Theme, &d.Items, &d.Accounts, &d.ARR); err != nil {
			return err
		}
		out.Unaddressed = append(out.Unaddressed, d)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("unaddressed demand: %w", err)
	}
	sort.SliceStable(out.Bets, func(i, j int) bool {
		a, b := out.Bets[i], out.Bets[j]
		if sa, sb := slices.Index(BetStatuses, a.Status), slices.Index(BetStatuses, b.Status); sa != sb {
			return sa < sb
		}
		return a.Items > b.Items
	})
	return out, nil
}

// Table shows bets with their evidence, then unaddressed demand.
func (r *BetsReport) Table() ([]string, [][]string) {
	header := []string{"bet", "status", "themes", "items", "accounts", "arr", "last 4 × 7 days"}
	var rows [][]string
	for _, b := range r.Bets {
		id := b.ID
		if slices.Contains(r.WithoutEvidence, b.ID) {
			id += " (no evidence)"
		}
		rows = append(rows, []string{id, b.Status, strings.Join(b.Themes, ", "), strconv.FormatUint(b.Items, 10),
			strconv.FormatUint(b.Accounts, 10), formatMoney(b.ARR), weeklyText(b.Weekly)})
	}
	for _, d := range r.Unaddressed {
		rows = append(rows, []string{"(no bet)", "unaddressed", d.Theme, strconv.FormatUint(d.Items, 10),
			strconv.FormatUint(d.Accounts, 10), formatMoney(d.ARR), ""})
	}
	return header, rows
}

// Records is one line per bet and per unaddressed theme.
func (r *BetsReport) Records() ([]string, [][]string) {
	header := []string{"kind", "bet", "status", "themes", "items", "accounts", "arr", "week_1", "week_2", "week_3", "week_4", "shipped_at"}
	var rows [][]string
	for _, b := range r.Bets {
		kind := "bet"
		if slices.Contains(r.WithoutEvidence, b.ID) {
			kind = "bet_without_evidence"
		}
		shipped := ""
		if b.ShippedAt != nil {
			shipped = dateArg(*b.ShippedAt)
		}
		rows = append(rows, []string{kind, b.ID, b.Status, strings.Join(b.Themes, ";"), strconv.FormatUint(b.Items, 10),
			strconv.FormatUint(b.Accounts, 10), formatFloat(b.ARR),
			strconv.FormatUint(b.Weekly[0], 10), strconv.FormatUint(b.Weekly[1], 10), strconv.FormatUint(b.Weekly[2], 10), strconv.FormatUint(b.Weekly[3], 10), shipped})
	}
	for _, d := range r.Unaddressed {
		rows = append(rows, []string{"unaddressed", "", "", d.Theme, strconv.FormatUint(d.Items, 10),
			strconv.FormatUint(d.Accounts, 10), formatFloat(d.ARR), "", "", "", "", ""})
	}
	return header, rows
}

func weeklyText(w [4]uint64) string {
	parts := make([]string, len(w))
	for i, n := range w {
		parts[i] = strconv.FormatUint(n, 10)
	}
	return strings.Join(parts, " → ")
}

// formatMoney prints ARR rounded to whole units with thousands separators.
func formatMoney(v float64) string { return humanize.Comma(int64(math.Round(v))) }
