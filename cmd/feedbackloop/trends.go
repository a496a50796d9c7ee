package main

import (
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
)

func newTrendsCmd(a *app) *cobra.Command {
	var (
		f      queryFlags
		grain  string
		last   int
		themes []string
	)
	var refresh bool
	cmd := &cobra.Command{
		Use:   "trends",
		Short: "Count feedback per theme per week (or day, month)",
		Long: `Count feedback per theme per period: by default the last 8 weeks up to
and including the current one, weeks starting on Monday (UTC).

Every record counts once however often it was delivered. The table shows
items per theme and period; --format json and csv add, per period, the
distinct accounts, the ARR of those accounts, the mean theme sentiment and
the share of voice (the theme's items over all items of the period).`,
		Example: `  feedbackloop trends
  feedbackloop trends --last 12 --format csv
  feedbackloop trends --grain month --from 2025-01-01 --plan enterprise --source zendesk,intercom`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := positiveCounts(cmd); err != nil {
				return err
			}
			flt, err := f.filter()
			if err != nil {
				return err
			}
			format, err := f.output()
			if err != nil {
				return err
			}
			g, err := insights.ParseGrain(grain)
			if err != nil {
				return asFlag(cmd, err)
			}
			return withStore(cmd.Context(), a, func(s *insights.Store) error {
				if err := refreshFirst(cmd, s, refresh); err != nil {
					return err
				}
				t, err := s.Trends(cmd.Context(), insights.TrendsQuery{Grain: g, Periods: last, Filter: flt, Themes: themes})
				if err != nil {
					return asFlag(cmd, err)
				}
				return render(cmd.OutOrStdout(), format, t)
			})
		},
	}
	f.bind(cmd, true)
	fl := cmd.Flags()
	fl.StringVar(&grain, "grain", "week", "period: day, week or month")
	fl.IntVar(&last, "last", 8, "number of periods up to the current one (ignored with --from)")
	fl.StringSliceVar(&themes, "theme", nil, "only these themes")
	cmd.Flags().BoolVar(&refresh, "refresh", false, refreshHelp)
	return cmd
}
