package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/tw"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/insights"
	"github.com/feedbackloop/feedbackloop/internal/ops"
	"github.com/feedbackloop/feedbackloop/worker"
)

func newTaggerTryCmd(a *app) *cobra.Command {
	var (
		file, language, format string
		taxonomy, model        string
	)
	cmd := &cobra.Command{
		Use:   "try [text...]",
		Short: "Tag texts as the worker would, and show the themes, evidence, sentiment and what the LLM did",
		Long: `Tag texts as the worker would and show the result: each theme with its
confidence, evidence and sentiment, the tagger and model, the language,
the text as it would be stored (redacted), and, with the LLM on, whether
the text went to it, what it cost, and why it did not answer when it did
not. Nothing is stored and neither NATS nor ClickHouse is needed.

The chain is the worker's, from the configuration: enrich.taxonomy (or
--taxonomy), enrich.model (or --model), redaction, and the llm section
(FEEDBACKLOOP_LLM_* included). Use it to check a taxonomy's keywords, a
model, or an LLM's settings before a worker runs with them.

Texts are the arguments, or the lines of --file ("-" reads standard
input), one text a line.`,
		Example: `  feedbackloop tagger try "The invoice charged us twice" "Export to CSV is slow"
  feedbackloop tagger try --model themes.model --file samples.txt
  FEEDBACKLOOP_LLM_ENABLED=true feedbackloop tagger try --language de "Die Rechnung ist falsch"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			if language != "" && !config.IsLanguageTag(language) {
				return fmt.Errorf("--language %q: want a language tag such as de or pt-BR", language)
			}
			texts, err := tryTexts(cmd.InOrStdin(), file, args)
			if err != nil {
				return err
			}
			cfg, log, err := a.configAndLogger()
			if err != nil {
				return err
			}
			if cmd.Flags().Changed("taxonomy") {
				cfg.Enrich.Taxonomy = taxonomy
			}
			if cmd.Flags().Changed("model") {
				cfg.Enrich.Model = model
			}
			reg := prometheus.NewRegistry()
			// Every text routed to the LLM is asked about, round after
			// round, each round waiting longer than a worker's would
			// (llm.Options.Patient): a worker leaves to the offline tagger
			// what one round within max_wait cannot hold.
			chain, err := worker.NewEnricher(*cfg, reg, log, (*llm.Options).Patient)
			if err != nil {
				return err
			}
			items := make([]*enrich.Item, len(texts))
			for i := range texts {
				items[i] = &enrich.Item{Record: &feedback.Record{
					ID: strconv.Itoa(i + 1), Source: "try", Kind: "other", Body: texts[i].text, Language: language,
				}}
			}
			if err := chain.Enrich(cmd.Context(), items); err != nil {
				return err
			}
			results := make([]tried, len(items))
			for i, it := range items {
				results[i] = triedFrom(texts[i], it, language)
			}
			llmOn := cfg.LLM.Enabled
			fellBack := ops.CounterTotals(reg, "feedbackloop_llm_fallback_items_total", "reason")
			if format == "json" {
				out := struct {
					Texts []tried `json:"texts"`
					// LLMFallbacks counts the texts routed to the LLM that
					// it did not answer, by reason (absent when it
					// answered all, or is off).
					LLMFallbacks map[string]int `json:"llm_fallbacks,omitempty"`
				}{results, nil}
				if llmOn {
					out.LLMFallbacks = fellBack
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			return writeTried(cmd.OutOrStdout(), results, llmOn, cfg.LLM.Threshold, fellBack)
		},
	}
	cmd.Flags().StringVar(&file, "file", "", `texts to tag, one a line ("-" for standard input)`)
	cmd.Flags().StringVar(&language, "language", "", "the texts' language (BCP 47, such as de or pt-BR); empty lets the worker guess, as for a record that gives none")
	cmd.Flags().StringVar(&taxonomy, "taxonomy", "", "taxonomy YAML instead of enrich.taxonomy")
	cmd.Flags().StringVar(&model, "model", "", "trained model instead of enrich.model")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	return cmd
}

// tryText is a text to try and where it came from.
type tryText struct {
	text string
	line int // its line in --file; 0 for an argument
}

// tryTexts reads the texts to try: the arguments, or the non-blank lines
// of file, not both.
func tryTexts(stdin io.Reader, file string, args []string) ([]tryText, error) {
	var texts []tryText
	switch {
	case file != "" && len(args) > 0:
		return nil, errors.New("give texts as arguments or with --file, not both")
	case file == "":
		for i, a := range args {
			if strings.TrimSpace(a) == "" {
				// An unset shell variable, most often: said, not skipped.
				return nil, fmt.Errorf("argument %d is empty: give a text to try", i+1)
			}
			texts = append(texts, tryText{text: a})
		}
	default:
		r := stdin
		if file != "-" {
			f, err := os.Open(file)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			r = f
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 0, 64*1024), 4*feedback.DefaultMaxBodyBytes)
		line := 0
		for sc.Scan() {
			line++
			if strings.TrimSpace(sc.Text()) != "" {
				texts = append(texts, tryText{text: sc.Text(), line: line})
			}
		}
		if err := sc.Err(); err != nil {
			name := file
			if file == "-" {
				name = "standard input"
			}
			return nil, fmt.Errorf("%s: line %d: %w", name, line+1, err)
		}
	}
	if len(texts) == 0 {
		return nil, errors.New("no text to try: give one as an argument, or --file with one text a line")
	}
	return texts, nil
}

// tried is what the chain made of one text.
type tried struct {
	Text        string  `json:"text"`
	Line        int     `json:"line,omitempty"`
	Stored      string  `json:"stored"` // the text as the worker stores it, redacted
	Tagger      string  `json:"tagger"`
	Model       string  `json:"model,omitempty"`
	Language    string  `json:"language,omitempty"`
	Guessed     bool    `json:"language_guessed,omitempty"` // the text gave none; its words did
	Sentiment   float64 `json:"sentiment"`
	SentimentBy string  `json:"sentiment_by"` // lexicon, llm, or none: a language the lexicon does not read
	Routed      bool    `json:"routed"`
	// Certainty is how sure the tagger that answered is of the whole
	// answer: the offline tagger's is what routing compared with
	// llm.threshold; for an LLM answer it is its most confident theme's.
	Certainty        float64      `json:"certainty"`
	PromptTokens     int          `json:"prompt_tokens"`
	CompletionTokens int          `json:"completion_tokens"`
	FromCache        bool         `json:"from_cache,omitempty"` // the LLM answered from its cache: nothing spent now
	Themes           []triedTheme `json:"themes"`
}

// triedTheme is a theme of a tried text.
type triedTheme struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
	Evidence   string  `json:"evidence"`
	Sentiment  float64 `json:"sentiment"`
}

// triedFrom is what the chain made of t as it, given the language --language
// gave (empty when the worker was to guess).
func triedFrom(t tryText, it *enrich.Item, given string) tried {
	r := tried{
		Text: t.text, Line: t.line, Stored: it.Record.Body,
		Tagger: it.Tagger, Model: it.Model, Language: it.Record.Language, Guessed: given == "" && it.Record.Language != "",
		Sentiment: it.Sentiment, SentimentBy: it.SentimentBy, Routed: it.Routed, Certainty: it.Certainty(),
		PromptTokens: it.PromptTokens, CompletionTokens: it.CompletionTokens, FromCache: it.FromCache,
		Themes: make([]triedTheme, len(it.Themes)),
	}
	for i, th := range it.Themes {
		r.Themes[i] = triedTheme{th.Name, th.Confidence, th.Evidence, th.Sentiment}
	}
	if r.SentimentBy == "" {
		r.SentimentBy = "lexicon"
		if !enrich.ScoresLanguage(it.Record.Language) {
			r.SentimentBy = "none"
		}
	}
	return r
}

func writeTried(w io.Writer, results []tried, llmOn bool, threshold float64, fellBack map[string]int) error {
	routed, answered := 0, 0
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		where := ""
		if r.Line > 0 {
			where = fmt.Sprintf(" (line %d)", r.Line)
		}
		fmt.Fprintf(w, "%d%s: %s\n", i+1, where, r.Text)
		if r.Stored != r.Text {
			fmt.Fprintf(w, "  stored as: %s\n", r.Stored)
		}
		tagger := r.Tagger
		if r.Model != "" {
			tagger += " (" + r.Model + ")"
		}
		lang := r.Language
		switch {
		case lang == "":
			lang = "not given, none guessed"
		case r.Guessed:
			lang += " (guessed)"
		}
		sentiment := "not scored (the lexicon reads English; no LLM judged it)"
		if r.SentimentBy != "none" {
			sentiment = fmt.Sprintf("%+.2f (%s)", r.Sentiment, r.SentimentBy)
		}
		fmt.Fprintf(w, "  tagger: %s · language: %s · sentiment: %s\n", tagger, lang, sentiment)
		if llmOn {
			switch {
			case !r.Routed:
				fmt.Fprintf(w, "  LLM: not asked: the offline answer's certainty, %.2f, is at least llm.threshold, %.2f\n", r.Certainty, threshold)
			case r.Tagger == "llm" && r.FromCache:
				answered++
				fmt.Fprintln(w, "  LLM: answered from the cache, no tokens spent")
			case r.Tagger == "llm":
				answered++
				fmt.Fprintf(w, "  LLM: answered, %d prompt and %d completion tokens\n", r.PromptTokens, r.CompletionTokens)
			default:
				fmt.Fprintln(w, "  LLM: asked, did not answer; the offline themes stand")
			}
			if r.Routed {
				routed++
			}
		}
		if len(r.Themes) == 0 {
			fmt.Fprintln(w, "  no theme")
			continue
		}
		tbl := tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off))
		tbl.Header("theme", "confidence", "sentiment", "evidence")
		for _, th := range r.Themes {
			if err := tbl.Append([]string{th.Name, fmt.Sprintf("%.2f", th.Confidence), fmt.Sprintf("%+.2f", th.Sentiment), insights.Clip(oneLine(th.Evidence), maxShownEvidence)}); err != nil {
				return err
			}
		}
		if err := tbl.Render(); err != nil {
			return err
		}
	}
	if !llmOn {
		return nil
	}
	fmt.Fprintf(w, "\nLLM: %d of %d texts routed to it, %d answered", routed, len(results), answered)
	if len(fellBack) > 0 {
		fmt.Fprintf(w, "; not answered: %s (the log above says more)", reasonList(fellBack))
	}
	_, err := fmt.Fprintln(w)
	return err
}

// maxShownEvidence bounds the evidence a table shows, in characters, so
// that it fits a terminal; --format json gives it whole.
const maxShownEvidence = 90

// oneLine folds runs of white space, line breaks included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
