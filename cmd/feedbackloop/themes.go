package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/discover"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/enrich/stored"
	"github.com/feedbackloop/feedbackloop/internal/tone"
	"github.com/feedbackloop/feedbackloop/worker"
)

// newThemesCmd groups the tools that grow the taxonomy.
func newThemesCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "themes",
		Short: "Grow the taxonomy from the feedback no theme fitted, and apply it to stored feedback",
	}
	cmd.AddCommand(newThemesSuggestCmd(a), newThemesRetagCmd(a))
	return cmd
}

func newThemesSuggestCmd(a *app) *cobra.Command {
	var (
		since        time.Duration
		limit        int
		opts         discover.Options
		format       string
		offlineNames bool
		sentiment    string
	)
	cmd := &cobra.Command{
		Use: "suggest",
		Example: `  feedbackloop themes suggest
  feedbackloop themes suggest --since 168h --sentiment negative --quotes 5`,
		Short: "Cluster recent items that got no theme and propose candidate themes",
		Long: `Cluster recent items that got no theme (read from ClickHouse, each record
once) and propose candidate themes, each with a name made of its most
telling words, the number of items and example quotes. The method is
offline (TF-IDF and spherical k-means, see docs/tagging.md); when the LLM
is configured (llm.enabled), it names the candidates and describes each in
a sentence, from their words and redacted quotes, in one request
(--offline-names keeps the offline names). Candidates named alike are
shown as one. Each candidate shows its items' mean sentiment, which tells
praise no theme needs from a problem no theme covers; --sentiment negative
clusters only the items that read negative. Add the candidates worth
keeping to the taxonomy with keywords and examples, then run
'feedbackloop themes retag' to tag the stored feedback with them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			if err := checkMins(minInt{"limit", limit, 1}, minInt{"clusters", opts.K, 0},
				minInt{"min-size", opts.MinSize, 1}, minInt{"quotes", opts.Quotes, 1}); err != nil {
				return err
			}
			if err := checkPositive("since", since); err != nil {
				return err
			}
			toneFilter, err := tone.Parse(sentiment)
			if err != nil {
				return fmt.Errorf("--sentiment %q: %w", sentiment, err)
			}
			// The taxonomy names the candidates' twins; a bad file is
			// reported before the database is read.
			cfg, err := a.config()
			if err != nil {
				return err
			}
			tax, err := worker.Taxonomy(cfg.Enrich)
			if err != nil {
				return err
			}
			var items []stored.Item
			err = withFeedback(cmd.Context(), a, func(s *stored.Store) error {
				var err error
				items, err = s.Untagged(cmd.Context(), time.Now().Add(-since), limit, toneFilter)
				return err
			})
			if err != nil {
				return err
			}
			texts := make([]discover.Text, len(items))
			sentiment := make(map[string]float32, len(items)) // of the records whose sentiment was scored
			for i, it := range items {
				texts[i] = discover.Text{ID: it.ID, Text: it.Text(), Language: it.Language}
				if it.Scored() {
					sentiment[it.ID] = it.Sentiment
				}
			}
			cands := discover.Suggest(texts, opts)
			namedBy := "offline"
			if !offlineNames && len(cands) > 0 {
				var err error
				if namedBy, err = nameWithLLM(cmd.Context(), a, tax, cands); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: the LLM did not name the candidates (%v); keeping the offline names\n", err)
				}
			}
			// Two clusters of one topic may get one name, from the LLM
			// above all: the reader sees one theme.
			cands = discover.JoinSameNames(cands, opts.Quotes)
			existing := existingThemes(tax, cands)
			out := cmd.OutOrStdout()
			if format == "json" {
				type candidate struct {
					Name          string   `json:"name"`
					Description   string   `json:"description,omitempty"`
					Terms         []string `json:"terms"`
					Count         int      `json:"count"`
					Share         float64  `json:"share"`
					Sentiment     float64  `json:"sentiment"`
					NegativeShare float64  `json:"negative_share"`
					// Scored is how many items the two figures above
					// are over: those in English or no stated language,
					// and those the LLM judged.
					Scored int      `json:"scored"`
					Quotes []string `json:"quotes"`
					// IDs are those of up to maxCandidateIDs of its
					// items, nearest the centre first.
					IDs []string `json:"ids"`
					// ExistingTheme is the taxonomy's theme of the same
					// name, whose keywords missed these items.
					ExistingTheme string `json:"existing_theme,omitempty"`
				}
				list := make([]candidate, len(cands))
				for i, c := range cands {
					mean, negative, scored := sentimentOf(c.IDs, sentiment)
					share := math.Round(c.Share*1e4) / 1e4 // 0.9999999999999998 after joins
					list[i] = candidate{c.Name, c.Description, c.Terms, c.Count, share, mean, negative, scored, c.Quotes, c.IDs[:min(len(c.IDs), maxCandidateIDs)], existing[i]}
				}
				return json.NewEncoder(out).Encode(map[string]any{"untagged": len(items), "sentiment_filter": toneFilter, "named_by": namedBy, "candidates": list})
			}
			what := "untagged items"
			if toneFilter != tone.Any {
				what = "untagged " + string(toneFilter) + " items"
			}
			themes := "candidate themes"
			if len(cands) == 1 {
				themes = "candidate theme"
			}
			if _, err := fmt.Fprintf(out, "%d %s since %s; %d %s\n",
				len(items), what, time.Now().Add(-since).UTC().Format(time.DateOnly), len(cands), themes); err != nil {
				return err
			}
			if len(cands) == 0 {
				return nil
			}
			tbl := tablewriter.NewTable(out, tablewriter.WithHeaderAutoFormat(tw.Off))
			tbl.Header("Candidate", "Items", "Share", "Sentiment", "Example quotes")
			for i, c := range cands {
				name := c.Name
				if c.Description != "" {
					name += "\n" + c.Description
				}
				if existing[i] != "" {
					name += "\n(already the theme " + existing[i] + ": its keywords miss these)"
				}
				mean, negative, scored := sentimentOf(c.IDs, sentiment)
				mood := moodOf(mean, negative, scored, len(c.IDs))
				if err := tbl.Append(name, strconv.Itoa(c.Count), fmt.Sprintf("%.1f%%", 100*c.Share), mood, strings.Join(c.Quotes, "\n")); err != nil {
					return fmt.Errorf("table: %w", err)
				}
			}
			return tbl.Render()
		},
	}
	f := cmd.Flags()
	f.DurationVar(&since, "since", 30*24*time.Hour, "how far back to look, by creation time")
	f.IntVar(&limit, "limit", 5000, "most items to read, newest first")
	f.IntVar(&opts.K, "clusters", 0, "clusters k-means makes before close ones are joined; 0 picks about sqrt(2 × items), at most 60")
	f.IntVar(&opts.MinSize, "min-size", 3, "smallest cluster worth proposing")
	f.IntVar(&opts.Quotes, "quotes", 3, "example quotes per candidate")
	f.StringVar(&format, "format", "table", "output: table or json")
	f.BoolVar(&offlineNames, "offline-names", false, "keep the offline names even when the LLM is configured (llm.enabled)")
	f.StringVar(&sentiment, "sentiment", "any", "which untagged items to cluster: any, negative (problems no theme covers) or positive")
	return cmd
}

// moodOf shows the sentiment of a candidate of n items as the table does:
// the mean and the share negative, saying over how many when not all were
// scored, or that none was.
func moodOf(mean, negative float64, scored, n int) string {
	switch {
	case scored == 0:
		return "not scored\n(not English)"
	case scored < n:
		return fmt.Sprintf("%+.2f\n%.0f%% negative\nof %d scored", mean, 100*negative, scored)
	}
	return fmt.Sprintf("%+.2f\n%.0f%% negative", mean, 100*negative)
}

// maxCandidateIDs bounds the record ids of a candidate in JSON.
const maxCandidateIDs = 20

// sentimentOf returns the mean sentiment of the items ids names and the
// share of them whose sentiment is negative, over those whose sentiment
// was scored (the keys of sentiment), and how many those are.
func sentimentOf(ids []string, sentiment map[string]float32) (mean, negative float64, scored int) {
	n := 0
	for _, id := range ids {
		s, scored := sentiment[id]
		if !scored {
			continue // in a language the lexicon does not score: its 0 says nothing
		}
		n++
		mean += float64(s)
		if s < 0 {
			negative++
		}
	}
	if n == 0 {
		return 0, 0, 0
	}
	return mean / float64(n), negative / float64(n), n
}

// nameWithLLM asks the configured LLM to name the candidates, and renames
// those it named, setting their descriptions. It returns who named them:
// "offline" when the LLM is not enabled (or failed, with the error), else
// "llm". Candidates the LLM left unnamed keep their offline names.
func nameWithLLM(ctx context.Context, a *app, tax *enrich.Taxonomy, cands []discover.Candidate) (string, error) {
	cfg, log, err := a.configAndLogger()
	if err != nil {
		return "offline", err
	}
	if !cfg.LLM.Enabled {
		return "offline", nil
	}
	opts := llm.OptionsFrom(cfg.LLM)
	opts.Log = log
	// The request counts in the day's budget with the workers'.
	shared, done, err := sharedLLMState(ctx, *cfg, "feedbackloop-suggest", false, log)
	if err != nil {
		return "offline", fmt.Errorf("naming the candidates %w", err)
	}
	defer done()
	if shared != nil {
		shared(&opts)
	}
	tagger, err := llm.New(tax, opts)
	if err != nil {
		return "offline", err
	}
	defer worker.StopLLM(tagger) // before NATS is closed
	clusters := make([]llm.Cluster, len(cands))
	for i, c := range cands {
		clusters[i] = llm.Cluster{Terms: c.Terms, Quotes: c.Quotes}
	}
	names, _, err := tagger.NameClusters(ctx, clusters)
	if err != nil {
		return "offline", err
	}
	named := make([]discover.Named, len(names))
	for i, n := range names {
		named[i] = discover.Named{Name: n.Name, Description: n.Description}
	}
	if apart := discover.Rename(cands, named); apart > 0 {
		log.Warn("the LLM gave one name to more than half the candidates; they keep their offline names",
			zap.Int("candidates", apart))
	}
	return "llm", nil
}

// existingThemes returns, by candidate, the name of the taxonomy's theme
// the candidate is named like (NameKey folds both), or "". Such a
// candidate is no new theme: the theme's keywords missed its items.
func existingThemes(tax *enrich.Taxonomy, cands []discover.Candidate) []string {
	byKey := tax.ByNameKey()
	out := make([]string, len(cands))
	for i, c := range cands {
		out[i] = byKey[enrich.NameKey(c.Name)]
	}
	return out
}

// withFeedback opens ClickHouse from the configuration and runs fn with a
// stored.Store over its feedback table.
func withFeedback(ctx context.Context, a *app, fn func(*stored.Store) error) error {
	ch, err := a.clickhouse(ctx)
	if err != nil {
		return err
	}
	defer ch.Close()
	return fn(stored.New(ch.Conn(), ch.Database()))
}
