package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/insights"
)

func newBetsCmd(a *app) *cobra.Command {
	var (
		f reportFlags
		q insights.BetsQuery
	)
	cmd := &cobra.Command{
		Use: "bets",
		Example: `  feedbackloop bets import roadmap.yaml
  feedbackloop bets
  feedbackloop bets --days 30 --top 5 --format json`,
		Short: "Roadmap bets against their customer evidence",
		Long: `Show every roadmap bet with the feedback behind it over the last --days:
distinct items mentioning any of its themes, distinct accounts, their ARR
and the items of each of the last four weeks. Then the unaddressed demand
(the themes with most items that no exploring, committed or in-progress
bet names) and the active bets without evidence.

Bets come from ` + "`feedbackloop bets import`" + `.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return f.run(cmd, a, func(t time.Time) { q.End = t }, func(ctx context.Context, s *insights.Store) (insights.Report, error) {
				return s.Bets(ctx, q)
			})
		},
	}
	f.bind(cmd, "day after the window, YYYY-MM-DD (default tomorrow)", false)
	fl := cmd.Flags()
	fl.IntVar(&q.Days, "days", 90, "days of feedback to count")
	fl.IntVar(&q.Top, "top", 10, "unaddressed themes to list")
	fl.IntVar(&q.MinItems, "min-items", 1, "items an active bet needs not to count as without evidence")
	cmd.AddCommand(newBetsImportCmd(a))
	return cmd
}

func newBetsImportCmd(a *app) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import roadmap bets from YAML or CSV",
		Long: `Import roadmap bets from a YAML file (a list of bets, or a "bets:" list)
or a CSV file with a header row. Fields: id, title, status (exploring,
committed, in_progress, shipped, dropped), owner, themes (CSV: separated by
";" or "|", and by "|" when semicolons separate the columns), shipped_at
(YYYY-MM-DD, required when shipped) and notes.

Each import stores a new version of every bet in the file: importing the
roadmap again updates the bets rather than duplicating them; bets missing
from the file are kept. Nothing is stored if any bet is invalid, and the
error names the line and field.`,
		Example: `  feedbackloop bets import roadmap.yaml
  feedbackloop bets import roadmap.csv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			bets, err := readBets(args[0], format)
			if err != nil {
				return err
			}
			return withStore(cmd.Context(), a, func(s *insights.Store) error {
				if _, err := s.ImportBets(cmd.Context(), bets); err != nil {
					return err
				}
				if _, err := fmt.Fprintf(cmd.OutOrStdout(), "imported %d bets from %s\n", len(bets), args[0]); err != nil {
					return err
				}
				// A misspelt theme would leave a bet without evidence, and
				// nothing would say why; a theme still to come is fine.
				var names []string
				for _, b := range bets {
					names = append(names, b.Themes...)
				}
				misses, err := s.MissingThemes(cmd.Context(), names)
				if err != nil {
					return err
				}
				missing := map[string]insights.ThemeMiss{}
				for _, m := range misses {
					missing[m.Name] = m
				}
				for _, b := range bets {
					for _, th := range b.Themes {
						if m, ok := missing[th]; ok {
							fmt.Fprintf(cmd.ErrOrStderr(), "warning: bet %q, theme %q: %s\n", b.ID, th, m)
						}
					}
				}
				// A ship date still to come is likely a plan written as a
				// fact; outcome judges nothing of it before that day.
				today := time.Now().UTC().Truncate(24 * time.Hour)
				for _, b := range bets {
					if b.Status == "shipped" && b.ShippedAt != nil && b.ShippedAt.After(today) {
						fmt.Fprintf(cmd.ErrOrStderr(), "warning: bet %q: shipped_at %s is after today; outcome judges it once the day has passed\n",
							b.ID, b.ShippedAt.Format(time.DateOnly))
					}
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&format, "input", "", "yaml or csv (default: from the file extension)")
	return cmd
}

// readBets parses a bets file as YAML or CSV.
func readBets(path, format string) ([]insights.Bet, error) {
	if format == "" {
		switch strings.ToLower(filepath.Ext(path)) {
		case ".csv":
			format = "csv"
		case ".yaml", ".yml":
			format = "yaml"
		default:
			return nil, fmt.Errorf("%s: cannot tell the format from the extension; pass --input yaml or --input csv", path)
		}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	switch format {
	case "csv":
		return insights.ParseBetsCSV(path, f)
	case "yaml":
		return insights.ParseBetsYAML(path, f)
	}
	return nil, fmt.Errorf("--input %q: want yaml or csv", format)
}
