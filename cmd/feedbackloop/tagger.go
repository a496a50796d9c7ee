package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/enrich/stored"
	"github.com/feedbackloop/feedbackloop/worker"
)

// newTaggerCmd groups the tools for the learned tagger: train a model from
// labelled examples, and measure a model (or a training file) on a test
// file.
func newTaggerCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "tagger",
		Short: "Train and evaluate the learned offline tagger",
		Long: `Train and evaluate the learned offline tagger.

Labelled data is CSV with a header text,labels; labels holds theme names
joined by "|", empty when no theme applies. With --taxonomy, a label the
taxonomy does not define is an error naming its CSV line; with
--allow-unknown-labels it is dropped from training data with a warning
instead, and kept in test data, where it counts as a miss.`,
	}
	cmd.AddCommand(newTaggerTrainCmd(a), newTaggerEvalCmd(a), newTaggerTryCmd(a), newTaggerExportCmd(a), newTaggerUsageCmd(a))
	return cmd
}

// labelFlags are the flags train and eval share.
type labelFlags struct {
	taxonomy     string
	allowUnknown bool
}

func (f *labelFlags) bind(cmd *cobra.Command) {
	f.bindTaxonomy(cmd)
	cmd.Flags().BoolVar(&f.allowUnknown, "allow-unknown-labels", false, "with --taxonomy, instead of failing on a label it does not define: drop it from training data (and a row left without a label), with a warning; keep it in test data, as a miss")
}

// bindTaxonomy binds --taxonomy alone, for a command that reads no labels.
func (f *labelFlags) bindTaxonomy(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.taxonomy, "taxonomy", "", "taxonomy YAML the labels must come from (optional)")
}

func (f *labelFlags) load() (*enrich.Taxonomy, error) {
	if f.taxonomy == "" {
		if f.allowUnknown {
			return nil, errors.New("--allow-unknown-labels: give --taxonomy too; without one, every label is a theme of its own")
		}
		return nil, nil
	}
	return enrich.LoadTaxonomy(f.taxonomy)
}

// readTraining reads a labelled CSV file to train on and checks its labels
// against t.
func (f *labelFlags) readTraining(path string, t *enrich.Taxonomy, warn io.Writer) ([]learned.Example, error) {
	examples, err := f.read(path, t, "drop such labels")
	if err != nil || t == nil || !f.allowUnknown {
		return examples, err
	}
	if err := learned.CheckLabels(examples, path, t); err != nil {
		kept, labels, rows := learned.DropUnknownLabels(examples, t)
		fmt.Fprintf(warn, "warning: %d unknown label(s) dropped, and %d row(s) left without one (not kept as texts with no theme):\n%v\n", labels, rows, err)
		examples = kept
	}
	return examples, nil
}

// readTest reads a labelled CSV file to score on and checks its labels
// against t. An unknown label allowed stays: the model cannot predict it,
// so it is a miss (CheckPredictable warns). Dropped, it would turn its
// text into one with no theme, which a model that finds none gets right.
func (f *labelFlags) readTest(path string, t *enrich.Taxonomy) ([]learned.Example, error) {
	return f.read(path, t, "score such labels as misses")
}

// read reads a labelled CSV file and, unless --allow-unknown-labels,
// fails on a label t does not define, saying that the flag would do
// instead.
func (f *labelFlags) read(path string, t *enrich.Taxonomy, instead string) ([]learned.Example, error) {
	examples, err := learned.ReadCSVFile(path)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return examples, learned.CheckSpellings(examples, path)
	}
	if f.allowUnknown {
		return examples, nil
	}
	if err := learned.CheckLabels(examples, path, t); err != nil {
		return nil, fmt.Errorf("%w\n(use --allow-unknown-labels to %s instead)", err, instead)
	}
	return examples, nil
}

// trainFlags are the training choices train and eval share.
type trainFlags struct {
	network bool
	cmd     *cobra.Command
}

func (f *trainFlags) bind(cmd *cobra.Command) {
	f.cmd = cmd
	cmd.Flags().BoolVar(&f.network, "network", true, "with one label per text, also train a small neural network and blend it into near ties; --network=false leaves it out: a little less accurate, faster to train and to tag, a third of the model's size")
}

// train learns a model from examples, warning on w when --network was
// asked for and could not apply.
func (f *trainFlags) train(ctx context.Context, examples []learned.Example, t *enrich.Taxonomy, w io.Writer) (*learned.Model, error) {
	opts := learned.TrainOptions{NoNetwork: !f.network}
	if t != nil {
		opts.Ancestors = t.Ancestors
	}
	m, err := learned.Train(ctx, examples, opts)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if f.network && f.cmd.Flags().Changed("network") && m.Info().Net == 0 {
		fmt.Fprintln(w, "warning: --network applies to data with at most one label per text; this data has several, so the model has no network")
	}
	return m, nil
}

func newTaggerTrainCmd(_ *app) *cobra.Command {
	var (
		labels    labelFlags
		training  trainFlags
		data, out string
	)
	cmd := &cobra.Command{
		Use:     "train --data labelled.csv --out model",
		Example: `  feedbackloop tagger train --taxonomy taxonomy.yaml --data labelled.csv --out themes.model`,
		Short:   "Learn a model from labelled examples",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := learned.CanSave(out); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			if o, err := os.Stat(out); err == nil {
				if d, err := os.Stat(data); err == nil && os.SameFile(o, d) {
					return fmt.Errorf("--out %s is the training data (--data): the model would overwrite it", out)
				}
				if o.Size() > 0 && !learned.IsModelFile(out) {
					return fmt.Errorf("--out %s is there and is no model: the model would overwrite it; give another path, or remove the file first", out)
				}
			}
			tax, err := labels.load()
			if err != nil {
				return err
			}
			examples, err := labels.readTraining(data, tax, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			m, err := training.train(cmd.Context(), examples, tax, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if tax == nil {
				// Before the model is written: a model whose taxonomy
				// file does not fit it cannot be used, and the model it
				// would replace still fits it.
				if err := checkModelTaxonomy(m, out); err != nil {
					return err
				}
			}
			if err := m.Save(out); err != nil {
				return err
			}
			if err := printTrainInfo(cmd.OutOrStdout(), m, out); err != nil {
				return err
			}
			if tax == nil {
				return writeModelTaxonomy(cmd.OutOrStdout(), m, out, data)
			}
			return nil
		},
	}
	labels.bind(cmd)
	training.bind(cmd)
	cmd.Flags().StringVar(&data, "data", "", "labelled CSV file (text,labels)")
	cmd.Flags().StringVar(&out, "out", "", "file to write the model to")
	_ = cmd.MarkFlagRequired("data")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// checkModelTaxonomy checks that the taxonomy file beside model, when
// there is one, fits m (see writeModelTaxonomy).
func checkModelTaxonomy(m *learned.Model, model string) error {
	path := model + ".taxonomy.yaml"
	if _, err := os.Stat(path); err != nil {
		return nil
	}
	t, err := enrich.LoadTaxonomy(path)
	if err == nil {
		err = learned.CheckModel(m, model, t, path)
	}
	if err != nil {
		// Written for an earlier model, most often.
		return fmt.Errorf("%s is there already and does not fit the model, so the model is not written: %w\n(remove or move that file and train again, to have one written for this model; or train with --taxonomy)", path, err)
	}
	return nil
}

// writeModelTaxonomy writes, beside a model trained without --taxonomy,
// the taxonomy its themes make: the data's labels, flat and without
// keywords. The worker, tagger try and themes retag take a model only
// with the taxonomy it was trained with. A file already there, which
// checkModelTaxonomy found to fit, is left as it is: it may have been
// given descriptions and keywords since.
func writeModelTaxonomy(w io.Writer, m *learned.Model, model, data string) error {
	path := model + ".taxonomy.yaml"
	if _, err := os.Stat(path); err == nil {
		_, err = fmt.Fprintf(w, "taxonomy   %s is there already, fits the model, and is left as it is\n", path)
		return err
	}
	// Names double-quoted, as labels may be anything YAML reads otherwise
	// ("<<", "yes", "- x").
	themes := &yaml.Node{Kind: yaml.SequenceNode}
	for _, th := range m.Themes() {
		themes.Content = append(themes.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			{Kind: yaml.ScalarNode, Value: "name"},
			{Kind: yaml.ScalarNode, Value: th, Style: yaml.DoubleQuotedStyle},
		}})
	}
	body, err := yaml.Marshal(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Value: "themes"}, themes}})
	if err != nil {
		return err
	}
	if _, err := enrich.ParseTaxonomy(body, path); err != nil {
		return fmt.Errorf("the model's themes make no taxonomy, so it cannot be used: %w", err)
	}
	head := fmt.Sprintf(`# The themes of the model %s, trained without --taxonomy on %s: one
# per label, flat, without keywords. The worker, tagger try and themes
# retag use a model only with the taxonomy it was trained with: set
# enrich.taxonomy to this file. Descriptions and keywords may be added;
# a theme renamed or placed under another needs the model trained again.
`, filepath.Base(model), filepath.Base(data))
	if err := os.WriteFile(path, append([]byte(head), body...), 0o644); err != nil {
		return fmt.Errorf("write the model's taxonomy: %w", err)
	}
	_, err = fmt.Fprintf(w, "taxonomy   %s written (the data's labels, flat): set enrich.taxonomy to it to use the model\n", path)
	return err
}

func printTrainInfo(w io.Writer, m *learned.Model, path string) error {
	info := m.Info()
	mode := "multi-label: each theme decided on its own"
	if info.Exclusive {
		mode = "one outcome per text"
	}
	themes := m.Themes()
	var b strings.Builder
	fmt.Fprintf(&b, "examples   %d\n", info.Examples)
	fmt.Fprintf(&b, "themes     %d (%s): %s\n", len(themes), mode, abbreviate(themes, 8))
	fmt.Fprintf(&b, "method     %s\n", info.Method())
	if info.CV != nil {
		fmt.Fprintf(&b, "internal   %d-fold CV on the training data: accuracy %.3f, micro-F1 %.3f, macro-F1 %.3f\n",
			info.Folds, info.CV.Accuracy, info.CV.MicroF1, info.CV.MacroF1)
	}
	fmt.Fprintf(&b, "time       %s\n", info.Duration.Round(10*time.Millisecond))
	fmt.Fprintf(&b, "model      %s written to %s\n", m.ID(), path)
	_, err := io.WriteString(w, b.String())
	return err
}

func abbreviate(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return strings.Join(names[:n], ", ") + fmt.Sprintf(", … (%d more)", len(names)-n)
}

func newTaggerEvalCmd(a *app) *cobra.Command {
	var (
		labels                 labelFlags
		training               trainFlags
		modelPath, train, test string
		format                 string
		noRules, routing       bool
		withLLM                bool
		threshold              float64
	)
	cmd := &cobra.Command{
		Use: "eval (--model model | --train train.csv) --test test.csv",
		Example: `  feedbackloop tagger eval --taxonomy taxonomy.yaml --model themes.model --test test.csv
  feedbackloop tagger eval --train train.csv --test test.csv --format json`,
		Short: "Measure a model, or one trained on the spot, on labelled test data",
		Long: `Measure a model, or one trained on the spot from --train, on labelled test
data. With --taxonomy, the themes its keywords find are added to the
model's, as the worker does (--no-rules scores the model alone).
Accuracy is the share of texts whose predicted set of themes is exactly
the labelled one; micro-F1 pools every theme decision; macro-F1 averages
the per-theme F1.

--routing adds what hybrid routing would do at each llm.threshold: the
share of texts certain enough to keep these themes, how often those are
exactly right, and the share that would go to the LLM.

--llm measures the worker's hybrid itself: the texts the model is less
sure of than llm.threshold (or --threshold; above 1, every text) go to the
LLM of the configuration (llm section, --config or FEEDBACKLOOP_LLM_*),
redacted, as the worker sends them, and cost tokens, which eval reports
with the share routed and the theme names it answered that the taxonomy
does not define. Its answers are not written to the shared cache.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if (modelPath == "") == (train == "") {
				return errors.New("give one of --model and --train")
			}
			if format != "table" && format != "json" {
				return fmt.Errorf("--format %q: want table or json", format)
			}
			tax, err := labels.load()
			if err != nil {
				return err
			}
			var m *learned.Model
			if modelPath != "" {
				if m, err = learned.Load(modelPath); err != nil {
					return err
				}
				if tax != nil {
					if err := learned.CheckModel(m, modelPath, tax, "the taxonomy "+labels.taxonomy); err != nil {
						return err
					}
				}
			} else {
				examples, err := labels.readTraining(train, tax, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if m, err = training.train(cmd.Context(), examples, tax, cmd.ErrOrStderr()); err != nil {
					return err
				}
			}
			examples, err := labels.readTest(test, tax)
			if err != nil {
				return err
			}
			var ruleThemes []string
			if !noRules {
				ruleThemes = keywordThemes(tax)
			}
			rules := len(ruleThemes) > 0
			if err := learned.CheckPredictable(examples, test, m, ruleThemes); err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: the model can never predict these labels, so each counts as a miss:\n%v\n", err)
			}
			if !slices.ContainsFunc(examples, func(e learned.Example) bool { return len(e.Labels) > 0 }) {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: no text of %s has a theme, so there is nothing for micro- and macro-F1 to count, and they are 0; accuracy is the share of texts given no theme\n", test)
			}
			var tagger enrich.Tagger = m
			if rules {
				fmt.Fprintf(cmd.ErrOrStderr(), "scoring the model with the keyword rules of %s added, as the worker tags (--no-rules: the model alone)\n", labels.taxonomy)
				tagger = learned.WithRules(m, enrich.NewKeywordTagger(tax))
			}
			var stats *llmStats
			if cmd.Flags().Changed("threshold") && (!withLLM || !(threshold >= 0)) { // NaN is not
				return fmt.Errorf("--threshold %v: give it with --llm, at least 0", threshold)
			}
			if withLLM {
				var override *float64
				if cmd.Flags().Changed("threshold") {
					override = &threshold
				}
				if tagger, stats, err = hybridForEval(a, tagger, tax, override); err != nil {
					return err
				}
			}
			report, err := learned.EvaluateTagger(cmd.Context(), m, tax, tagger, examples)
			if err != nil {
				return err
			}
			if !routing {
				report.Routing = nil
			}
			if stats != nil {
				stats.RoutedShare = float64(stats.Routed) / float64(max(report.N, 1))
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				return json.NewEncoder(out).Encode(struct {
					learned.Report
					LLM *llmStats `json:"llm,omitempty"`
				}{report, stats})
			}
			if _, err := fmt.Fprintf(out, "model %s (%s, trained on %d examples)\n",
				m.ID(), m.Info().Method(), m.Info().Examples); err != nil {
				return err
			}
			if err := report.WriteTable(out); err != nil {
				return err
			}
			if stats != nil {
				return stats.write(out)
			}
			return nil
		},
	}
	labels.bind(cmd)
	training.bind(cmd)
	cmd.Flags().StringVar(&modelPath, "model", "", "model file written by tagger train")
	cmd.Flags().StringVar(&train, "train", "", "labelled CSV to train a model from instead of --model")
	cmd.Flags().StringVar(&test, "test", "", "labelled CSV file to measure on")
	cmd.Flags().StringVar(&format, "format", "table", "output: table or json")
	cmd.Flags().BoolVar(&noRules, "no-rules", false, "score the model alone, without the --taxonomy keyword rules the worker adds")
	cmd.Flags().BoolVar(&routing, "routing", false, `also show what hybrid routing would keep offline and send to the LLM at each llm.threshold (JSON: "routing")`)
	cmd.Flags().BoolVar(&withLLM, "llm", false, `score the worker's hybrid: texts less certain than the threshold go to the configured LLM (costs tokens; JSON: "llm")`)
	cmd.Flags().Float64Var(&threshold, "threshold", 0, "with --llm, the routing threshold instead of llm.threshold; above 1 sends every text to the LLM")
	_ = cmd.MarkFlagRequired("test")
	cmd.MarkFlagsMutuallyExclusive("model", "train")
	cmd.MarkFlagsMutuallyExclusive("model", "network") // --network is for training on the spot
	cmd.MarkFlagsMutuallyExclusive("llm", "routing")   // routing forecasts what --llm measures
	return cmd
}

// keywordThemes returns the themes of t whose keyword rules can tag an
// item: those that list keywords, and their ancestors.
func keywordThemes(t *enrich.Taxonomy) []string {
	if t == nil {
		return nil
	}
	var out []string
	for _, name := range t.Names() {
		if def, ok := t.Lookup(name); ok && len(def.Keywords) > 0 {
			out = append(out, name)
			out = append(out, t.Ancestors(name)...)
		}
	}
	return out
}

func newTaggerExportCmd(a *app) *cobra.Command {
	var (
		labels labelFlags
		out    string
		from   string
		tagMap map[string]string
		since  time.Duration
		limit  int
	)
	cmd := &cobra.Command{
		Use:   "export-labels --out labels.csv",
		Short: "Write stored LLM answers, or the sources' own tags, as training data for the offline tagger",
		Long: `Write labelled CSV, text,labels, ready for tagger train, from stored
records (each record once).

--from llm (the default): the themes the LLM gave (rows with tagger llm).
A record the LLM found no theme in is written with empty labels: "no
theme" is an answer too.

--from tags: the tags the records came with from their source (Zendesk,
Freshdesk, GitHub labels, ...). A tag counts for the theme whose name it
is, ignoring case, spaces, hyphens and underscores ("Data_Export" is
"data-export"); --tag-map renames others (--tag-map slowness=performance).
Records none of whose tags names a theme are left out, since a missing
tag does not mean no theme applies; the most common such tags are listed
so that you can map them, with the --tag-map for those that are a theme's
keyword.

Only the most specific themes are written; training with --taxonomy adds
their parents back. The taxonomy is --taxonomy, else the configuration's
(enrich.taxonomy): themes it does not define are left out, and so is a
record left with none of its themes, with a warning.`,
		Example: `  feedbackloop tagger export-labels --out llm.csv
  feedbackloop tagger export-labels --from tags --tag-map slowness=performance --out tags.csv`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if from != "llm" && from != "tags" {
				return fmt.Errorf("--from %q: want llm or tags", from)
			}
			if len(tagMap) > 0 && from != "tags" {
				return errors.New("--tag-map needs --from tags")
			}
			if err := checkMins(minInt{"limit", limit, 1}); err != nil {
				return err
			}
			if since < 0 {
				return fmt.Errorf("--since %s: want a positive duration, or 0 for all", since)
			}
			start := time.Now().Add(-since)
			ago := " since " + start.UTC().Format(time.DateOnly)
			if since == 0 {
				start, ago = time.Unix(0, 0), ""
			}
			tax, err := labels.load()
			if err != nil {
				return err
			}
			if tax == nil {
				// The workers' taxonomy, which the LLM chose from.
				cfg, err := a.config()
				if err != nil {
					return err
				}
				if tax, err = worker.Taxonomy(cfg.Enrich); err != nil {
					return err
				}
			}
			themesOf := func(it stored.Item) []string { return it.Themes }
			var unmatched map[string]int
			if from == "tags" {
				match, err := tagMatcher(tax, tagMap)
				if err != nil {
					return err
				}
				unmatched = make(map[string]int)
				themesOf = func(it stored.Item) []string {
					themes := match(it.Tags)
					if len(themes) == 0 {
						for _, tag := range it.Tags {
							unmatched[tag]++
						}
					}
					return themes
				}
			}
			var items []stored.Item
			err = withFeedback(cmd.Context(), a, func(s *stored.Store) error {
				var err error
				if from == "tags" {
					items, err = s.WithTags(cmd.Context(), start, limit)
				} else {
					items, err = s.TaggedBy(cmd.Context(), llm.TaggerName, start, limit)
				}
				return err
			})
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if out != "-" {
				f, err := os.Create(out)
				if err != nil {
					return err
				}
				defer f.Close()
				w = f
			}
			cw := csv.NewWriter(w)
			if err := cw.Write([]string{"text", "labels"}); err != nil {
				return err
			}
			written, undefinedOnly, repeats, noTheme := 0, 0, 0, 0
			undefined := map[string]int{} // the LLM's themes the taxonomy does not define
			seen := map[[2]string]bool{}  // rows written: a text with its labels
			for _, it := range items {
				themes := themesOf(it)
				if from == "tags" && len(themes) == 0 {
					noTheme++
					continue
				}
				if from == "llm" {
					had := len(themes)
					themes = slices.DeleteFunc(slices.Clone(themes), func(th string) bool {
						_, ok := tax.Lookup(th)
						if !ok {
							undefined[th]++
						}
						return !ok
					})
					if had > 0 && len(themes) == 0 {
						// Written with no label, it would say that no
						// theme applies.
						undefinedOnly++
						continue
					}
				}
				row := [2]string{it.Text(), strings.Join(leaves(themes, tax), "|")}
				if seen[row] {
					// Records of one text (a form's stock answer, a
					// ticket sent twice): once is enough to learn from,
					// and a repeat would sit on both sides of a split.
					repeats++
					continue
				}
				seen[row] = true
				if err := cw.Write(row[:]); err != nil {
					return err
				}
				written++
			}
			cw.Flush()
			if err := cw.Error(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "%d labelled examples written\n", written)
			if repeats > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "%d records with a text and labels already written were left out\n", repeats)
			}
			if len(items) == 0 {
				if from == "llm" {
					fmt.Fprintf(cmd.ErrOrStderr(), "no record ingested%s was tagged by the LLM: it tags only what hybrid routing sends it, with llm.enabled (see llm.threshold); --since looks further back\n", ago)
				} else {
					fmt.Fprintf(cmd.ErrOrStderr(), "no record ingested%s came with tags from its source (Zendesk and Freshdesk tags, GitHub labels, the contract's tags); --since looks further back\n", ago)
				}
			}
			if len(undefined) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "warning: themes of the LLM's answers that the taxonomy does not define were left out (was it another taxonomy's?), and %d records left with none: %s\n",
					undefinedOnly, counted(undefined, commonest(undefined, 5)))
			}
			if noTheme > 0 {
				reportUnmatched(cmd.ErrOrStderr(), noTheme, unmatched, tax)
			}
			return nil
		},
	}
	labels.bindTaxonomy(cmd)
	cmd.Flags().StringVar(&out, "out", "-", "CSV file to write; - for standard output")
	cmd.Flags().StringVar(&from, "from", "llm", "where the labels come from: llm (the LLM's stored answers) or tags (the sources' own tags)")
	cmd.Flags().StringToStringVar(&tagMap, "tag-map", nil, "with --from tags, tag=theme for a tag that is not a theme's name (repeatable)")
	cmd.Flags().DurationVar(&since, "since", 90*24*time.Hour, "only records ingested this recently; 0 for all")
	cmd.Flags().IntVar(&limit, "limit", 100000, "most records to export, oldest first")
	return cmd
}

// tagMatcher returns what themes of t a record's source tags name: a tag
// names the theme whose name it equals once both are folded by enrich.NameKey, or
// the theme tagMap maps it to. It fails when tagMap names a theme t does
// not define.
func tagMatcher(t *enrich.Taxonomy, tagMap map[string]string) (func(tags []string) []string, error) {
	byKey := t.ByNameKey()
	names := t.ByNameKey() // a theme as --tag-map may spell it: "Authentication"
	for tag, theme := range tagMap {
		name, ok := names[enrich.NameKey(theme)]
		if !ok {
			return nil, fmt.Errorf("--tag-map %s=%s: the taxonomy has no theme %q", tag, theme, theme)
		}
		byKey[enrich.NameKey(tag)] = name
	}
	return func(tags []string) []string {
		var themes []string
		for _, tag := range tags {
			if th, ok := byKey[enrich.NameKey(tag)]; ok && !slices.Contains(themes, th) {
				themes = append(themes, th)
			}
		}
		return themes
	}, nil
}

// reportUnmatched tells why records were left out of a --from tags
// export: the commonest tags that name no theme, and, for those that are
// a theme's keyword, the --tag-map that would count them.
func reportUnmatched(w io.Writer, skipped int, unmatched map[string]int, tax *enrich.Taxonomy) {
	common := commonest(unmatched, 10)
	var maps []string
	for _, tag := range common {
		if th := tax.WithKeyword(tag); th != "" {
			arg := tag + "=" + th
			if strings.ContainsFunc(arg, unicode.IsSpace) {
				arg = strconv.Quote(arg) // for the shell
			}
			maps = append(maps, "--tag-map "+arg)
		}
	}
	fmt.Fprintf(w, "%d records left out: none of their tags names a theme; most common such tags: %s\n",
		skipped, counted(unmatched, common))
	if len(maps) > 0 {
		fmt.Fprintf(w, "some are keywords of a theme; if they mean it, add %s\n", strings.Join(maps, " "))
	}
}

// counted lists keys with their counts: "vip (2), follow_up (1)".
func counted(counts map[string]int, keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s (%d)", k, counts[k])
	}
	return strings.Join(parts, ", ")
}

// commonest returns up to n keys of counts, most frequent first.
func commonest(counts map[string]int, n int) []string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		if c := counts[b] - counts[a]; c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}

// leaves keeps the themes that are not an ancestor of another theme in
// the list, sorted.
func leaves(themes []string, t *enrich.Taxonomy) []string {
	var out []string
	for _, th := range themes {
		parent := false
		for _, other := range themes {
			if other != th && slices.Contains(t.Ancestors(other), th) {
				parent = true
				break
			}
		}
		if !parent {
			out = append(out, th)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
