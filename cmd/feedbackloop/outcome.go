package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
)

func newOutcomeCmd(a *app) *cobra.Command {
	var (
		f reportFlags
		q insights.OutcomeQuery
	)
	cmd := &cobra.Command{
		Use: "outcome",
		Example: `  feedbackloop outcome
  feedbackloop outcome --days 42 --format csv`,
		Short: "Did shipped bets make their themes fall?",
		Long: `For every shipped bet (see bets import) and each of its themes, compare
the theme's share of voice (its items over all items) in the --days before
shipped_at with the --days from it on, and test whether the change is
significant (exact conditional binomial test, level --alpha). A bet shipped
less than --days ago is compared over the days it has had.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, a, func(t time.Time) { q.End = t }, func(ctx context.Context, s *insights.Store) (insights.Report, error) {
				return s.Outcome(ctx, q)
			})
		},
	}
	f.bind(cmd, "last day counted is the day before, YYYY-MM-DD (default today)", true)
	fl := cmd.Flags()
	fl.IntVar(&q.Days, "days", 28, "days before and after the ship date")
	fl.Float64Var(&q.Alpha, "alpha", 0.05, "significance level")
	return cmd
}
