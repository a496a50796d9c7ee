package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/worker"
)

func newThemesRetagCmd(a *app) *cobra.Command {
	var (
		since    time.Duration
		dryRun   bool
		useLLM   bool
		askAgain bool
		format   string
	)
	cmd := &cobra.Command{
		Use:   "retag",
		Short: "Tag stored feedback again with the current taxonomy, model and sentiment",
		Long: `Tag the feedback already stored in ClickHouse again, as the worker now
would: with the configuration's taxonomy (enrich.taxonomy), model
(enrich.model) and redaction, and this build's sentiment. Run it after
adding or changing themes: until then a new theme counts only from the
day the worker learnt it, and trends show it as if it had just emerged.

Records the LLM tagged keep its themes (asking again would cost tokens);
their sentiment is scored again. A theme the taxonomy no longer defines
(renamed or removed) is dropped from them, and one left with no theme is
tagged offline instead; --llm routes them again. Only records that
change are written,
each as a newer version of itself, so the tables keep one row per record
and the insight queries and rollups see the change at once; running it
again writes nothing. It can run while workers run. --dry-run counts what
would change, per theme, and writes nothing.

--llm also routes the records as a worker with the llm section would,
and asks the LLM about those the offline tagger is unsure of: the ones a
busy, paused or failing LLM, or a spent daily budget, left with offline
themes when they arrived. It costs tokens within llm.daily_token_budget,
which it shares with the workers through NATS; what the budget does not
cover keeps its offline themes until the next run. With --dry-run it asks
nothing and counts the records it would ask about.

Records the LLM tagged keep its themes, which it chose from the taxonomy
of the day: a theme added since reaches them only with --llm --ask-again,
which routes them again as well (answers to an unchanged taxonomy and
text come from the cache).`,
		Example: `  feedbackloop themes retag --dry-run
  feedbackloop themes retag --since 2160h
  feedbackloop themes retag --llm --since 168h --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			if since < 0 {
				return fmt.Errorf("--since %s: want a positive duration, or 0 for all", since)
			}
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			ch, err := a.clickhouse(cmd.Context())
			if err != nil {
				return err
			}
			defer ch.Close()
			if askAgain && !useLLM {
				return errors.New("--ask-again asks the LLM again: give --llm too")
			}
			opts := worker.RetagOptions{DryRun: dryRun, LLM: useLLM, AskAgain: askAgain}
			if useLLM && !dryRun {
				shared, done, err := sharedLLMState(cmd.Context(), *cfg, "feedbackloop-retag", true, log)
				if err != nil {
					return fmt.Errorf("--llm %w", err)
				}
				defer done()
				opts.Shared = shared
			}
			if since > 0 {
				opts.Since = time.Now().Add(-since)
			}
			bar := progressBar(cmd.ErrOrStderr(), -1, "records read", progressbar.OptionClearOnFinish())
			if bar != nil {
				opts.Progress = func(read int) { _ = bar.Set(read) }
			}
			st, err := worker.Retag(cmd.Context(), *cfg, ch, opts, log)
			if bar != nil {
				_ = bar.Finish() // and clear it, before the report
			}
			if err != nil {
				// What was written before the error is consistent: each
				// record is whole in one version or the other.
				return fmt.Errorf("retag after %d records read, %d written: %w", st.Read, st.Written, err)
			}
			if format == "json" {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(st)
			}
			if err := writeRetag(cmd.OutOrStdout(), st, dryRun, useLLM, askAgain); err != nil {
				return err
			}
			if useLLM && !dryRun && st.LLMAsked > 0 && st.LLMAnswered == 0 {
				kept := "they keep the themes they had"
				if st.Written > 0 {
					// A routing the run decided is written even unanswered,
					// as a worker stores it.
					kept = fmt.Sprintf("they have offline themes, and the %d rows written hold the routing this run decided, as a worker's would", st.Written)
				}
				return fmt.Errorf("the LLM answered none of the %d records routed to it (the log says why); %s", st.LLMAsked, kept)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.DurationVar(&since, "since", 0, "only records created this recently; 0 for all")
	f.BoolVar(&dryRun, "dry-run", false, "count what would change, write nothing")
	f.BoolVar(&useLLM, "llm", false, "ask the configured LLM about the records the offline tagger is unsure of and the LLM has not answered")
	f.BoolVar(&askAgain, "ask-again", false, "with --llm, route the records the LLM answered again too, as after themes were added to the taxonomy")
	f.StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// writeRetag reports a run: the counts, then per theme the records that
// gained or lost it.
func writeRetag(w io.Writer, st worker.RetagStats, dryRun, useLLM, askAgain bool) error {
	verb := "written"
	if dryRun {
		verb = "would be written (dry run)"
	}
	if _, err := fmt.Fprintf(w, "%d records read; %d change, %s: %d get other themes, %d another sentiment, %d other evidence, %d more redaction, %d a guessed language, %d another routing; %d tagged by the LLM keep its themes\n",
		st.Read, st.Changed, verb, st.ThemesChanged, st.SentimentChanged, st.EvidenceChanged, st.TextRedacted, st.LanguageGuessed, st.RoutingChanged, st.LLMKept); err != nil {
		return err
	}
	if st.LLMKept > 0 && !askAgain {
		// A theme added to the taxonomy reaches them only if asked again.
		if _, err := fmt.Fprintf(w, "(themes added since the LLM answered reach those %d only with --llm --ask-again)\n", st.LLMKept); err != nil {
			return err
		}
	}
	if st.Superseded > 0 {
		if _, err := fmt.Fprintf(w, "%d records left as they are: a worker stored a newer version of them while the run read them; run again to retag that\n", st.Superseded); err != nil {
			return err
		}
	}
	if st.LLMStale > 0 {
		if _, err := fmt.Fprintf(w, "(%d of them lost themes the taxonomy no longer defines, renamed or removed; --llm routes them again)\n", st.LLMStale); err != nil {
			return err
		}
	}
	switch {
	case useLLM && dryRun:
		_, err := fmt.Fprintf(w, "%d would be routed to the LLM\n", st.LLMAsked)
		if err != nil {
			return err
		}
	case useLLM:
		rest := ""
		if st.LLMAnswered < st.LLMAsked {
			rest = "; the rest keep offline themes, the log says why"
		}
		_, err := fmt.Fprintf(w, "%d routed to the LLM, %d answered (%d from the cache%s), %d prompt and %d completion tokens spent\n",
			st.LLMAsked, st.LLMAnswered, st.LLMFromCache, rest, st.LLMPromptTokens, st.LLMCompletionTokens)
		if err != nil {
			return err
		}
	}
	var themes []string
	for th := range st.Added {
		themes = append(themes, th)
	}
	for th := range st.Removed {
		if st.Added[th] == 0 {
			themes = append(themes, th)
		}
	}
	if len(themes) == 0 {
		return nil
	}
	slices.SortFunc(themes, func(a, b string) int {
		if c := (st.Added[b] + st.Removed[b]) - (st.Added[a] + st.Removed[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	tbl.Header("Theme", "Records gaining it", "Records losing it")
	for _, th := range themes {
		if err := tbl.Append(th, strconv.Itoa(st.Added[th]), strconv.Itoa(st.Removed[th])); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	return tbl.Render()
}

// sharedLLMState connects a one-off command to what its LLM requests share
// with the workers in NATS, when the configuration asks for any: the day's
// token budget and the answers already paid for, and for a peer (retag,
// which asks for long) llm.tokens_per_minute (worker.SharedLLMState).
// Without them it returns nil and no connection; done closes the one
// made.
func sharedLLMState(ctx context.Context, cfg config.Config, name string, peer bool, log *zap.Logger) (shared func(*llm.Options), done func(), err error) {
	if lc := cfg.LLM; !lc.Enabled || lc.DailyTokenBudget <= 0 && lc.SharedCacheTTL <= 0 && !peer {
		return nil, func() {}, nil
	}
	why := "shares llm.daily_token_budget and the answer cache with the workers, through NATS: %w"
	if peer {
		why = "shares llm.daily_token_budget, llm.tokens_per_minute and the answer cache with the workers, through NATS: %w"
	}
	nc, js, err := ingest.Connect(cfg.NATS, name, log)
	if err != nil {
		return nil, nil, fmt.Errorf(why, err)
	}
	if shared, err = worker.SharedLLMState(ctx, js, cfg, peer); err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf(why, err)
	}
	return shared, nc.Close, nil
}
