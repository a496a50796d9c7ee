package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/enrich/stored"
	"github.com/feedbackloop/feedbackloop/ingest"
)

func newTaggerUsageCmd(a *app) *cobra.Command {
	var (
		days   int
		format string
	)
	cmd := &cobra.Command{
		Use: "usage",
		Example: `  feedbackloop tagger usage
  feedbackloop tagger usage --days 7 --format json`,
		Short: "Show what each tagger tagged, day by day, what went to the LLM and what it cost in tokens",
		Long: `Show, for each UTC day by ingestion time, how many records each tagger
(keywords, learned, llm) tagged, the share hybrid routing sent to the LLM,
the share the LLM answered, and the prompt and completion tokens spent;
then the tokens by model. Each record counts once, as it was last tagged,
however often it was delivered.

"Routed to LLM" is the share of records the offline tagger was unsure of,
which routing sent to the LLM. "LLM share" is the share the LLM answered: items
routed to it that it did not answer (busy, over budget, failing) were
tagged offline and count for the offline tagger. Records written before
schema version 5 did not record their routing; "Routed to LLM" counts the
others, and "-" marks a day with none.

The tokens on the records are what their stored themes cost. When the
configuration turns the LLM on with llm.daily_token_budget, the command
also reads the count the workers keep in NATS against that budget, by the
UTC day the tokens were spent (NATS keeps the last 8 days): it includes
requests that were billed and failed, and reservations a killed worker
left.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			if err := checkMins(minInt{"days", days, 1}); err != nil {
				return err
			}
			if days > maxUsageDays {
				return fmt.Errorf("--days %d: want at most %d, back to 1970, where the table's dates start", days, maxUsageDays)
			}
			now := time.Now().UTC()
			since := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
			var rows []stored.Usage
			err := withFeedback(cmd.Context(), a, func(s *stored.Store) error {
				var err error
				rows, err = s.Usage(cmd.Context(), since)
				return err
			})
			if err != nil {
				return err
			}
			r := summariseUsage(since, rows)
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			if lc := cfg.LLM; lc.Enabled && lc.DailyTokenBudget > 0 {
				r.Budget = readBudget(cmd.Context(), *cfg, log, since, now)
				if r.Budget.Error != "" {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: the day's token count in NATS was not read: %s\n", r.Budget.Error)
				}
			}
			if format == "json" {
				return json.NewEncoder(cmd.OutOrStdout()).Encode(r)
			}
			return r.writeTables(cmd.OutOrStdout())
		},
	}
	cmd.Flags().IntVar(&days, "days", 30, "how many UTC days, today included")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// usageReport is stored.Usage summed by day and by model, and the count
// of tokens against the daily budget when there is one.
type usageReport struct {
	Since   time.Time    `json:"since"`
	Taggers []string     `json:"taggers"`
	Days    []usageDay   `json:"days"`
	Total   usageDay     `json:"total"`
	Models  []usageModel `json:"models"`
	Budget  *usageBudget `json:"budget,omitempty"`
}

// usageBudget is what the workers counted in NATS against
// llm.daily_token_budget, for each day of the report NATS still keeps
// that has a count, and today.
type usageBudget struct {
	DailyTokenBudget int         `json:"daily_token_budget"`
	Days             []budgetDay `json:"days"`
	Error            string      `json:"error,omitempty"`
}

type budgetDay struct {
	Day    string `json:"day"`
	Tokens int    `json:"tokens"`
}

// readBudget reads the counts of the days from since to now (UTC) that the
// spend bucket keeps. A NATS that cannot be reached, or a bucket that
// fails, is reported in Error rather than failing the report.
func readBudget(ctx context.Context, cfg config.Config, log *zap.Logger, since, now time.Time) *usageBudget {
	b := &usageBudget{DailyTokenBudget: cfg.LLM.DailyTokenBudget, Days: []budgetDay{}}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	nc, js, err := ingest.Connect(cfg.NATS, "feedbackloop-usage", log)
	if err != nil {
		b.Error = err.Error()
		return b
	}
	defer nc.Close()
	spend, err := ingest.OpenSpend(ctx, js)
	if err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
		b.Error = err.Error()
		return b
	}
	today := now.Format(time.DateOnly)
	for d := range ingest.SpendKeptDays {
		t := now.AddDate(0, 0, d+1-ingest.SpendKeptDays)
		if t.Before(since) {
			continue
		}
		day, tokens := t.Format(time.DateOnly), 0
		if spend != nil {
			if tokens, err = spend.Spent(ctx, day); err != nil {
				b.Error = err.Error()
				return b
			}
		}
		if tokens > 0 || day == today {
			b.Days = append(b.Days, budgetDay{Day: day, Tokens: tokens})
		}
	}
	return b
}

type usageDay struct {
	Day      string            `json:"day,omitempty"`
	Items    uint64            `json:"items"`
	ByTagger map[string]uint64 `json:"by_tagger"`
	// Routed of the RoutingKnown items went to the LLM; RoutedShare is
	// their ratio, null when no item's routing is known.
	Routed           uint64   `json:"routed"`
	RoutingKnown     uint64   `json:"routing_known"`
	RoutedShare      *float64 `json:"routed_share"`
	LLMShare         float64  `json:"llm_share"`
	PromptTokens     uint64   `json:"prompt_tokens"`
	CompletionTokens uint64   `json:"completion_tokens"`
}

type usageModel struct {
	Tagger           string `json:"tagger"`
	Model            string `json:"model"`
	Items            uint64 `json:"items"`
	PromptTokens     uint64 `json:"prompt_tokens"`
	CompletionTokens uint64 `json:"completion_tokens"`
}

func (d *usageDay) add(u stored.Usage) {
	if d.ByTagger == nil {
		d.ByTagger = map[string]uint64{}
	}
	d.Items += u.Items
	d.ByTagger[u.Tagger] += u.Items
	d.Routed += u.Routed
	d.RoutingKnown += u.RoutingKnown
	if d.RoutingKnown > 0 {
		share := float64(d.Routed) / float64(d.RoutingKnown)
		d.RoutedShare = &share
	}
	d.PromptTokens += u.PromptTokens
	d.CompletionTokens += u.CompletionTokens
	d.LLMShare = float64(d.ByTagger[llm.TaggerName]) / float64(d.Items)
}

// summariseUsage sums rows, which come ordered by day, into a line a day,
// a total, and a line for each tagger and model that spent tokens or
// names a model.
func summariseUsage(since time.Time, rows []stored.Usage) usageReport {
	r := usageReport{Since: since, Taggers: []string{}, Total: usageDay{ByTagger: map[string]uint64{}}, Days: []usageDay{}, Models: []usageModel{}}
	models := map[[2]string]*usageModel{}
	for _, u := range rows {
		day := u.Day.Format(time.DateOnly)
		if n := len(r.Days); n == 0 || r.Days[n-1].Day != day {
			r.Days = append(r.Days, usageDay{Day: day})
		}
		r.Days[len(r.Days)-1].add(u)
		r.Total.add(u)
		if !slices.Contains(r.Taggers, u.Tagger) {
			r.Taggers = append(r.Taggers, u.Tagger)
		}
		if u.Model == "" && u.PromptTokens+u.CompletionTokens == 0 {
			continue
		}
		k := [2]string{u.Tagger, u.Model}
		if models[k] == nil {
			models[k] = &usageModel{Tagger: u.Tagger, Model: u.Model}
		}
		m := models[k]
		m.Items += u.Items
		m.PromptTokens += u.PromptTokens
		m.CompletionTokens += u.CompletionTokens
	}
	slices.Sort(r.Taggers)
	for _, m := range models {
		r.Models = append(r.Models, *m)
	}
	slices.SortFunc(r.Models, func(a, b usageModel) int {
		return cmp.Or(cmp.Compare(b.PromptTokens+b.CompletionTokens, a.PromptTokens+a.CompletionTokens),
			cmp.Compare(a.Tagger, b.Tagger), cmp.Compare(a.Model, b.Model))
	})
	return r
}

func (r usageReport) writeTables(w io.Writer) error {
	if err := r.writeDays(w); err != nil {
		return err
	}
	return r.Budget.write(w)
}

// write prints the budget's days; nothing without a budget.
func (b *usageBudget) write(w io.Writer) error {
	if b == nil || b.Error != "" && len(b.Days) == 0 {
		return nil
	}
	if _, err := fmt.Fprintf(w, "\nCounted against llm.daily_token_budget (%d tokens a UTC day) in NATS, by the day spent;\nevery billed request, failed ones included:\n", b.DailyTokenBudget); err != nil {
		return err
	}
	bt := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), tablewriter.WithRowAlignment(tw.AlignRight))
	bt.Header("Day", "Tokens", "Of budget")
	for _, d := range b.Days {
		if err := bt.Append(d.Day, strconv.Itoa(d.Tokens), fmt.Sprintf("%.1f%%", 100*float64(d.Tokens)/float64(b.DailyTokenBudget))); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	return bt.Render()
}

func (r usageReport) writeDays(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "Tagging since %s (UTC days by ingestion; each record once, as last tagged)\n",
		r.Since.Format(time.DateOnly)); err != nil {
		return err
	}
	if len(r.Days) == 0 {
		_, err := fmt.Fprintln(w, "no records were stored in that time")
		return err
	}
	header := append([]string{"Day", "Items"}, r.Taggers...)
	header = append(header, "Routed to LLM", "LLM share", "Prompt tokens", "Completion tokens")
	tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithRowAlignment(tw.AlignRight))
	tbl.Header(header)
	line := func(label string, d usageDay) error {
		cells := []string{label, strconv.FormatUint(d.Items, 10)}
		for _, t := range r.Taggers {
			cells = append(cells, strconv.FormatUint(d.ByTagger[t], 10))
		}
		routed := "-"
		if d.RoutedShare != nil {
			routed = fmt.Sprintf("%.1f%%", 100**d.RoutedShare)
		}
		cells = append(cells, routed, fmt.Sprintf("%.1f%%", 100*d.LLMShare),
			strconv.FormatUint(d.PromptTokens, 10), strconv.FormatUint(d.CompletionTokens, 10))
		return tbl.Append(cells)
	}
	for _, d := range r.Days {
		if err := line(d.Day, d); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	if err := line("total", r.Total); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if err := tbl.Render(); err != nil {
		return err
	}
	if unknown := r.Total.Items - r.Total.RoutingKnown; unknown > 0 {
		if _, err := fmt.Fprintf(w, "Routing is unknown for %d of these records (written before schema version 5); \"Routed to LLM\" counts the other %d.\n",
			unknown, r.Total.RoutingKnown); err != nil {
			return err
		}
	}
	if len(r.Models) == 0 {
		return nil
	}
	if _, err := fmt.Fprintln(w, "\nBy tagger and model:"); err != nil {
		return err
	}
	mt := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
	mt.Header("Tagger", "Model", "Items", "Prompt tokens", "Completion tokens")
	for _, m := range r.Models {
		if err := mt.Append(m.Tagger, m.Model, strconv.FormatUint(m.Items, 10),
			strconv.FormatUint(m.PromptTokens, 10), strconv.FormatUint(m.CompletionTokens, 10)); err != nil {
			return fmt.Errorf("table: %w", err)
		}
	}
	return mt.Render()
}

// maxUsageDays bounds --days: ClickHouse's DateTime starts in 1970.
const maxUsageDays = 20_000
