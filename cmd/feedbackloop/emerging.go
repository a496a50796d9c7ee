package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
)

func newEmergingCmd(a *app) *cobra.Command {
	var (
		f reportFlags
		q insights.EmergingQuery
	)
	cmd := &cobra.Command{
		Use:   "emerging",
		Short: "Themes rising or falling against their own baseline",
		Long: `Compare each theme's last --recent-days with the --baseline-days before
them and list the significant changes, most significant first.

Under "no change" an item of the theme falls in the recent window with
probability recent/(recent+baseline days), so the recent count is binomial
given the total: an exact test that takes the size of the counts into
account. p-values are adjusted over all themes (Benjamini-Hochberg) and a
change needs --min-items (recent items when rising, expected items when
declining) to be flagged. --format json and csv list every theme tested.`,
		Example: `  feedbackloop emerging
  feedbackloop emerging --recent-days 7 --baseline-days 28 --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var res *insights.Emerging
			err := f.run(cmd, a, func(t time.Time) { q.End = t }, func(ctx context.Context, s *insights.Store) (insights.Report, error) {
				e, err := s.Emerging(ctx, q)
				res = e
				return e, err
			})
			if err == nil && res != nil {
				noteNewThemes(cmd.ErrOrStderr(), res)
			}
			return err
		},
	}
	f.bind(cmd, "day after the recent window, YYYY-MM-DD (default today)", true)
	fl := cmd.Flags()
	fl.IntVar(&q.RecentDays, "recent-days", 14, "days in the recent window")
	fl.IntVar(&q.BaselineDays, "baseline-days", 56, "days in the baseline before it")
	fl.IntVar(&q.MinItems, "min-items", 10, "volume a change needs to be flagged")
	fl.Float64Var(&q.Alpha, "alpha", 0.01, "false discovery rate over all themes")
	return cmd
}

// noteNewThemes tells, on w, of rising themes with no feedback at all in
// the baseline: most often a theme just added to the taxonomy, which the
// worker has tagged only since, not feedback that just began.
func noteNewThemes(w io.Writer, e *insights.Emerging) {
	var names []string
	for _, c := range e.Rising {
		if c.Baseline == 0 {
			names = append(names, c.Theme)
		}
	}
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "note: %s had no feedback in the baseline. A theme new to the taxonomy counts only from when the worker learnt it; 'feedbackloop themes retag' tags the stored feedback with it.\n",
		strings.Join(names, ", "))
}
