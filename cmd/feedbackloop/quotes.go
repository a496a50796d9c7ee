package main

import (
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
)

func newQuotesCmd(a *app) *cobra.Command {
	var (
		f   queryFlags
		end string
		q   insights.QuotesQuery
	)
	cmd := &cobra.Command{
		Use:   "quotes THEME",
		Short: "Representative passages customers wrote about a theme",
		Long: `Show what customers wrote about a theme: recent passages from high-ARR
accounts, spread over sources, one per account.`,
		Example: `  feedbackloop quotes billing-invoices --limit 10
  feedbackloop quotes sso-login --plan enterprise --format json`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			flt, err := f.filter()
			if err != nil {
				return err
			}
			out, err := f.output()
			if err != nil {
				return err
			}
			if end != "" {
				if q.End, err = insights.ParseDate("--end", end); err != nil {
					return err
				}
			}
			q.Theme, q.Filter = args[0], flt
			return withStore(cmd.Context(), a, func(s *insights.Store) error {
				r, err := s.Quotes(cmd.Context(), q)
				if err != nil {
					return err
				}
				return render(cmd.OutOrStdout(), out, r)
			})
		},
	}
	f.bind(cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&end, "end", "", "day after the window, YYYY-MM-DD (default tomorrow)")
	fl.IntVar(&q.Days, "days", 90, "days in the window")
	fl.IntVar(&q.Limit, "limit", 5, "number of quotes (at most 50)")
	return cmd
}
