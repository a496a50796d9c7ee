package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/tone"
)

func newQuotesCmd(a *app) *cobra.Command {
	var (
		f         queryFlags
		rf        reportFlags
		q         insights.QuotesQuery
		sentiment string
	)
	cmd := &cobra.Command{
		Use:   "quotes THEME",
		Short: "Representative passages customers wrote about a theme",
		Long: `Show what customers wrote about a theme: recent passages from high-ARR
accounts, spread over sources, one per account, each with its sentiment
about the theme (that of the passage). --sentiment negative keeps the
complaints, positive the praise.`,
		Example: `  feedbackloop quotes invoices --limit 10
  feedbackloop quotes invoices --sentiment negative
  feedbackloop quotes authentication --plan enterprise --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			flt, err := f.filter()
			if err != nil {
				return err
			}
			if q.Sentiment, err = tone.Parse(sentiment); err != nil {
				return fmt.Errorf("--sentiment %q: %w", sentiment, err)
			}
			q.Theme, q.Filter, rf.format = args[0], flt, f.format
			return rf.run(cmd, a, func(t time.Time) { q.End = t }, func(ctx context.Context, s *insights.Store) (insights.Report, error) {
				return s.Quotes(ctx, q)
			})
		},
	}
	f.bind(cmd, false)
	rf.bind(cmd, "day after the window, YYYY-MM-DD (default tomorrow)", false)
	fl := cmd.Flags()
	fl.IntVar(&q.Days, "days", 90, "days in the window")
	fl.IntVar(&q.Limit, "limit", 5, "number of quotes (at most 50)")
	fl.StringVar(&sentiment, "sentiment", "any", "which passages: any, negative (complaints) or positive (praise)")
	return cmd
}
