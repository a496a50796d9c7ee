package main

import (
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
)

func newOutcomeCmd(a *app) *cobra.Command {
	var (
		format, end string
		q           insights.OutcomeQuery
	)
	var refresh bool
	cmd := &cobra.Command{
		Use:   "outcome",
		Short: "Did shipped bets make their themes fall?",
		Long: `For every shipped bet (see bets import) and each of its themes, compare
the theme's share of voice (its items over all items) in the --days before
shipped_at with the --days from it on, and test whether the change is
significant (exact conditional binomial test, level --alpha). A bet shipped
less than --days ago is compared over the days it has had.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, err := insights.ParseFormat(format)
			if err != nil {
				return err
			}
			if end != "" {
				if q.End, err = insights.ParseDate("--end", end); err != nil {
					return err
				}
			}
			return withStore(cmd.Context(), a, func(s *insights.Store) error {
				if err := refreshFirst(cmd, s, refresh); err != nil {
					return err
				}
				r, err := s.Outcome(cmd.Context(), q)
				if err != nil {
					return err
				}
				return render(cmd.OutOrStdout(), out, r)
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&format, "format", "table", "output: table, json or csv")
	fl.StringVar(&end, "end", "", "last day counted is the day before, YYYY-MM-DD (default today)")
	fl.IntVar(&q.Days, "days", 28, "days before and after the ship date")
	fl.Float64Var(&q.Alpha, "alpha", 0.05, "significance level")
	cmd.Flags().BoolVar(&refresh, "refresh", false, refreshHelp)
	return cmd
}
