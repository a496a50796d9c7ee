package insights

import (
	"testing"
	"time"
)

func TestWindowCountsBackFromTheCurrentPeriod(t *testing.T) {
	now := time.Date(2024, 3, 13, 15, 4, 5, 0, time.UTC) // a Wednesday
	for _, tc := range []struct {
		name     string
		q        TrendsQuery
		from, to string
	}{
		{"default: 8 weeks to the end of this week", TrendsQuery{}, "2024-01-22", "2024-03-18"},
		{"last 1 week", TrendsQuery{Periods: 1}, "2024-03-11", "2024-03-18"},
		{"3 days", TrendsQuery{Grain: Day, Periods: 3}, "2024-03-11", "2024-03-14"},
		{"2 months", TrendsQuery{Grain: Month, Periods: 2}, "2024-02-01", "2024-04-01"},
		{"from a mid-week day starts at its Monday", TrendsQuery{Filter: Filter{From: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}}, "2024-02-26", "2024-03-18"},
		{"explicit range", TrendsQuery{Grain: Month, Filter: Filter{From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 7, 1, 0, 0, 0, 0, time.UTC)}}, "2023-01-01", "2023-07-01"},
		// Periods are counted whole, so a window that ends inside one
		// says so: it ends where that period does (QA, 2026-12-07: the
		// answer said to=11-06 and counted the week to 11-08).
		{"to a mid-week day ends at that week's end", TrendsQuery{Filter: Filter{From: time.Date(2023, 11, 8, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 11, 10, 0, 0, 0, 0, time.UTC)}}, "2023-11-06", "2023-11-13"},
		{"to a mid-month day ends at that month's end", TrendsQuery{Grain: Month, Filter: Filter{From: time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 11, 16, 0, 0, 0, 0, time.UTC)}}, "2023-11-01", "2023-12-01"},
		{"to a Monday ends there", TrendsQuery{Filter: Filter{From: time.Date(2023, 11, 4, 0, 0, 0, 0, time.UTC), To: time.Date(2023, 11, 13, 0, 0, 0, 0, time.UTC)}}, "2023-10-30", "2023-11-13"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			from, to, err := tc.q.window(now)
			if err != nil {
				t.Fatal(err)
			}
			if dateArg(from) != tc.from || dateArg(to) != tc.to {
				t.Fatalf("window %s..%s, want %s..%s", dateArg(from), dateArg(to), tc.from, tc.to)
			}
		})
	}
}

func TestGrainStartAndPeriods(t *testing.T) {
	sunday := time.Date(2024, 1, 7, 23, 59, 0, 0, time.UTC)
	if got := Week.Start(sunday); dateArg(got) != "2024-01-01" {
		t.Fatalf("week of Sunday 7 Jan starts %s", dateArg(got))
	}
	if n := len(Month.Periods(time.Date(2023, 11, 15, 0, 0, 0, 0, time.UTC), time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC))); n != 3 {
		t.Fatalf("%d months from mid-November to February, want 3", n)
	}
}
