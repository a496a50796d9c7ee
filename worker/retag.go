package worker

import (
	"context"
	"errors"
	"slices"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// RetagOptions says which stored records Retag reads and whether it
// writes.
type RetagOptions struct {
	// Since is the oldest creation time read; the zero time reads all.
	Since time.Time
	// DryRun counts what would change and writes nothing.
	DryRun bool
	// Chunk is how many rows are enriched and written at once; 0 means
	// batch.max_rows, the worker's largest insert.
	Chunk int
	// Progress, when set, is told after each chunk how many rows were read.
	Progress func(read int)
	// LLM routes the records as a worker with the configuration's llm
	// section would, and asks the LLM about those the offline tagger is
	// unsure of: records a busy, paused or failing LLM, or a spent budget,
	// left with offline themes, or that a new model is now unsure of.
	// Records the LLM answered before keep its answer, as without it.
	// With DryRun, the LLM is not asked; LLMAsked counts what would be.
	LLM bool
	// AskAgain, with LLM, routes the records the LLM answered again too,
	// instead of keeping its answer: after themes were added, an answer
	// given without them misses them. Unchanged texts and taxonomy find
	// their answers in the cache.
	AskAgain bool
	// Shared, when set, sets on the LLM's options what the run shares with
	// the workers (SharedLLMState): the count of the day's tokens, which
	// llm.daily_token_budget bounds together, and the answers already paid
	// for. Without it the run has a budget and a cache of its own.
	Shared func(*llm.Options)
}

// RetagStats is what a Retag run read and changed. A record counts in
// Changed when anything the enrichment writes differs: its themes, their
// confidence, evidence or sentiment, the record's sentiment, the tagger,
// or its redacted text.
type RetagStats struct {
	Read    int `json:"read"`
	Changed int `json:"changed"`
	// ThemesChanged records got another set of themes, SentimentChanged
	// another score for the record or for a theme it had,
	// EvidenceChanged another passage or confidence for a theme, and
	// TextRedacted more redaction in their title, body or metadata, and
	// LanguageGuessed a language they did not have (see enrich.Sentiment),
	// and RoutingChanged another routing: to the LLM or not, or a routing
	// now known (a record may count under several); LLMKept were tagged by
	// the LLM, whose themes are kept, and LLMStale of those lost themes
	// the taxonomy no longer defines.
	ThemesChanged    int `json:"themes_changed"`
	SentimentChanged int `json:"sentiment_changed"`
	EvidenceChanged  int `json:"evidence_changed"`
	TextRedacted     int `json:"text_redacted"`
	LanguageGuessed  int `json:"language_guessed"`
	RoutingChanged   int `json:"routing_changed"`
	LLMKept          int `json:"llm_kept"`
	LLMStale         int `json:"llm_stale"`
	// With RetagOptions.LLM: the records routed to the LLM (with DryRun,
	// that would be), those it answered, and what its answers cost.
	// The tokens are those spent by this run: an answer from the cache
	// (LLMFromCache) spends none, whatever its row carries.
	LLMAsked            int `json:"llm_asked,omitempty"`
	LLMAnswered         int `json:"llm_answered,omitempty"`
	LLMFromCache        int `json:"llm_from_cache,omitempty"`
	LLMPromptTokens     int `json:"llm_prompt_tokens,omitempty"`
	LLMCompletionTokens int `json:"llm_completion_tokens,omitempty"`
	// Added and Removed count, per theme, the records that gained or lost it.
	Added   map[string]int `json:"added"`
	Removed map[string]int `json:"removed"`
	Written int            `json:"written"`
	// Superseded would have changed, but a worker stored a newer version
	// of them while the run read them, which they keep: a later run
	// retags that version. They count nowhere else.
	Superseded int `json:"superseded"`
}

// Retag enriches stored feedback again with this build's offline
// enrichment and the configuration's taxonomy, model and redaction, and
// writes the records that change. It is for after the taxonomy, the
// model or this program changed: without it a theme added today counts
// from today on, and would look as if it had just emerged.
//
// Records the LLM tagged keep its themes (asking again would cost tokens)
// and get their sentiment scored again, less any theme the taxonomy no
// longer defines (renamed or removed); one left with none is tagged
// offline, as every other record is. With RetagOptions.LLM such records
// are asked about again. A rewritten row is a new version of the record,
// its version one more than the version read (and its ingested_at that
// version's), so that the table keeps it (ReplacingMergeTree) and the
// insight rollups recompute the days it falls on. A record of which a
// worker stored another version since the run read it keeps that version
// (RetagStats.Superseded): the rewrite, newer than the version read,
// would otherwise replace an edit the run never read. Records that would
// not change are not written, so a second run writes nothing.
func Retag(ctx context.Context, cfg config.Config, ch *sinks.ClickHouse, opts RetagOptions, log *zap.Logger) (RetagStats, error) {
	off, err := loadOffline(cfg.Enrich, log)
	if err != nil {
		return RetagStats{}, err
	}
	if opts.Chunk <= 0 {
		opts.Chunk = cfg.Batch.MaxRows // the worker's insert size
	}
	tagger := off.tagger
	if opts.LLM {
		var model *llm.Tagger
		if tagger, model, err = off.retagHybrid(cfg, opts, log); err != nil {
			return RetagStats{}, err
		}
		if model != nil {
			defer StopLLM(model) // before the caller closes NATS
		}
	}
	// Stored rows hold no e-mail address to hash; the row's hash is kept.
	redactor := newRedactor(cfg.Enrich)
	sentiment := enrich.NewSentiment()
	retag := enrich.Chain{redactor, enrich.TagStage(tagger), sentiment}
	rescore := enrich.Chain{redactor, sentiment}

	st := RetagStats{Added: map[string]int{}, Removed: map[string]int{}}
	err = ch.Scan(ctx, opts.Since, opts.Chunk, func(rows []sinks.Row) error {
		items := make([]*enrich.Item, len(rows))
		var fresh, kept []*enrich.Item
		tagged := make([]bool, len(rows)) // tagged again, not kept
		var again []int                   // LLM answers asked about again (AskAgain)
		// keep keeps the LLM's themes of rows[i]; counted says whether
		// the report counts it so.
		keep := func(i int, counted bool) {
			if keepLLMThemes(items[i], &rows[i], cfg.Enrich.Redact, off.defined) && counted {
				st.LLMStale++
			}
			kept = append(kept, items[i])
			if counted {
				st.LLMKept++
			}
		}
		for i := range rows {
			items[i] = itemOf(&rows[i])
			// An LLM answer is kept as long as it says something the
			// taxonomy still defines: a theme renamed or removed since
			// is dropped from it, and one left with no theme at all is
			// tagged offline.
			answered, stale := rows[i].Tagger == llm.TaggerName, false
			if answered {
				defined := off.definedCount(rows[i].Themes)
				stale = defined < len(rows[i].Themes)
				answered = defined > 0 || !stale
			}
			switch {
			case answered && !(opts.LLM && (opts.AskAgain || stale)):
				keep(i, true)
			default:
				fresh = append(fresh, items[i])
				tagged[i] = true
				if answered {
					again = append(again, i)
				}
			}
		}
		if err := retag.Enrich(ctx, fresh); err != nil {
			return err
		}
		asked := make([]bool, len(rows)) // routed to the LLM by this run
		newAnswer := make([]bool, len(rows))
		for i, it := range items {
			asked[i] = opts.LLM && tagged[i] && it.Routed
			newAnswer[i] = asked[i] && it.Tagger == llm.TaggerName
		}
		// An answer asked about again that the LLM did not answer (down,
		// busy, over the budget, or a dry run) stays: only a new answer
		// replaces what was paid for.
		for _, i := range again {
			if asked[i] && !newAnswer[i] {
				items[i] = itemOf(&rows[i])
				tagged[i] = false
				// Asked for real in a dry run, they would get a new
				// answer: shown as they are, but not counted as kept.
				keep(i, !opts.DryRun)
			}
		}
		if err := rescore.Enrich(ctx, kept); err != nil {
			return err
		}
		var (
			out   []sinks.Row
			read  []*sinks.Row // the stored version each of out replaces
			diffs []retagDiff
		)
		for i, it := range items {
			old := &rows[i]
			row := RowOf(it, old.IngestedAt)
			// One nanosecond newer: a version a worker stores after the
			// run's look-up below was published later than the version
			// read, so it is newer than the rewrite too.
			row.Version = old.Version + 1
			row.AuthorEmailHash, row.ContractVersion = old.AuthorEmailHash, old.ContractVersion
			// Routing is the row's unless this run routed it again.
			rerouted := opts.LLM && tagged[i]
			row.RoutingUnknown = old.RoutingUnknown && !rerouted
			if asked[i] {
				st.LLMAsked++
				if newAnswer[i] {
					st.LLMAnswered++
					if it.FromCache {
						st.LLMFromCache++
					} else {
						st.LLMPromptTokens += it.PromptTokens
						st.LLMCompletionTokens += it.CompletionTokens
					}
				}
			}
			if d := diffOf(old, &row); d.changed() {
				out, read, diffs = append(out, row), append(read, old), append(diffs, d)
			}
		}
		st.Read += len(rows)
		if !opts.DryRun && len(out) > 0 {
			// A worker may have stored a newer version of a record since
			// it was read: the record keeps that one.
			newer, err := ch.Superseded(ctx, read)
			if err != nil {
				return err
			}
			kept := 0
			for k := range out {
				if newer[out[k].ID] {
					st.Superseded++
					continue
				}
				out[kept], read[kept], diffs[kept] = out[k], read[k], diffs[k]
				kept++
			}
			out, read, diffs = out[:kept], read[:kept], diffs[:kept]
		}
		for k := range out {
			st.count(diffs[k], read[k], &out[k])
		}
		if !opts.DryRun && len(out) > 0 {
			if err := ch.Write(ctx, out); err != nil {
				return err
			}
			st.Written += len(out)
		}
		if opts.Progress != nil {
			opts.Progress(st.Read)
		}
		return nil
	})
	return st, err
}

// retagHybrid is the worker's routing for Retag with RetagOptions.LLM:
// the configuration's LLM asked about every routed record, patiently
// (llm.Options.Patient), and that LLM; or, for a dry run, a stand-in that
// answers nothing, and nil.
func (o *offline) retagHybrid(cfg config.Config, ro RetagOptions, log *zap.Logger) (enrich.Tagger, *llm.Tagger, error) {
	lc := cfg.LLM
	if !lc.Enabled {
		return nil, nil, errors.New("asking the LLM needs the llm section: llm.enabled, llm.base_url, llm.model and llm.api_key (or FEEDBACKLOOP_LLM_*)")
	}
	if ro.DryRun {
		return llm.HybridFrom(lc, o.tagger, asksNothing{}, nil, log), nil, nil
	}
	opts := llm.OptionsFrom(lc)
	opts.Log = log
	if ro.Shared != nil {
		ro.Shared(&opts)
	}
	opts.Patient()
	t, err := llm.New(o.tax, opts)
	if err != nil {
		return nil, nil, err // it names the llm section
	}
	return llm.HybridFrom(lc, o.tagger, t, nil, log), t, nil
}

// asksNothing stands in for the LLM in a dry run: the items routed to it
// keep their offline themes.
type asksNothing struct{}

func (asksNothing) Tag(context.Context, []*enrich.Item) error { return nil }

// defined reports whether the taxonomy still defines theme.
func (o *offline) defined(theme string) bool {
	_, ok := o.tax.Lookup(theme)
	return ok
}

// definedCount is how many of themes the taxonomy defines.
func (o *offline) definedCount(themes []string) int {
	n := 0
	for _, th := range themes {
		if o.defined(th) {
			n++
		}
	}
	return n
}

// itemOf is the stored row as the enrichment chain takes it: its record,
// and what the chain does not recompute (routing, the LLM's tokens).
func itemOf(r *sinks.Row) *enrich.Item {
	rec := &feedback.Record{
		ID: r.ID, Source: r.Source, Kind: r.Kind, CreatedAt: r.CreatedAt,
		Title: r.Title, Body: r.Body, URL: r.URL, Language: r.Language, Parent: r.Parent,
		Tags: r.Tags, Rating: r.Rating,
	}
	if r.AuthorID != "" || r.AuthorName != "" {
		rec.Author = &feedback.Author{ID: r.AuthorID, Name: r.AuthorName}
	}
	if r.AccountID != "" || r.AccountName != "" || r.AccountPlan != "" || r.AccountARR != 0 {
		rec.Account = &feedback.Account{ID: r.AccountID, Name: r.AccountName, Plan: r.AccountPlan, ARR: r.AccountARR}
	}
	if len(r.MetadataKeys) > 0 {
		rec.Metadata = make(map[string]string, len(r.MetadataKeys))
		for i, k := range r.MetadataKeys {
			if i < len(r.MetadataValues) {
				rec.Metadata[k] = r.MetadataValues[i]
			}
		}
	}
	return &enrich.Item{Record: rec, Routed: r.Routed}
}

// keepLLMThemes sets the LLM's stored answer on it, with the sentiment it
// judged (which the sentiment stage keeps only where the lexicon cannot
// read), less the themes the taxonomy no longer defines, and reports
// whether there were any. Its evidence is redacted again, as the text is:
// a newer redactor may find more.
func keepLLMThemes(it *enrich.Item, r *sinks.Row, redact bool, defined func(string) bool) (dropped bool) {
	it.Tagger, it.Model, it.SentimentBy = r.Tagger, r.Model, r.SentimentBy
	if r.SentimentBy == enrich.ByLLM {
		it.Sentiment = float64(r.Sentiment)
	}
	it.PromptTokens, it.CompletionTokens = int(r.PromptTokens), int(r.CompletionTokens)
	it.Themes = make([]enrich.Theme, 0, len(r.Themes))
	for i, name := range r.Themes {
		if !defined(name) {
			dropped = true
			continue
		}
		th := enrich.Theme{Name: name}
		if i < len(r.ThemeConfidence) {
			th.Confidence = float64(r.ThemeConfidence[i])
		}
		if i < len(r.ThemeSentiment) {
			th.Sentiment = float64(r.ThemeSentiment[i]) // the LLM's, kept where the lexicon cannot read
		}
		if i < len(r.ThemeEvidence) {
			th.Evidence = r.ThemeEvidence[i]
			if redact {
				th.Evidence = enrich.RedactText(th.Evidence)
			}
		}
		it.Themes = append(it.Themes, th)
	}
	return dropped
}

// retagDiff is what a new version of a stored row changes in it.
type retagDiff struct {
	themes, sentiment, evidence, redacted, guessed, routing, other bool
}

// diffOf compares the stored row with its new version.
func diffOf(old, row *sinks.Row) retagDiff {
	return retagDiff{
		themes:    !slices.Equal(old.Themes, row.Themes),
		sentiment: old.Sentiment != row.Sentiment || themeSentimentMoved(old, row) || old.SentimentBy != row.SentimentBy,
		evidence:  !slices.Equal(old.ThemeConfidence, row.ThemeConfidence) || !slices.Equal(old.ThemeEvidence, row.ThemeEvidence),
		redacted:  old.Title != row.Title || old.Body != row.Body || !slices.Equal(old.MetadataValues, row.MetadataValues),
		guessed:   old.Language != row.Language,
		routing:   old.Routed != row.Routed || old.RoutingUnknown != row.RoutingUnknown,
		other:     !slices.Equal(old.ThemeSentiment, row.ThemeSentiment) || old.Tagger != row.Tagger || old.Model != row.Model,
	}
}

// changed reports whether the new version differs at all.
func (d retagDiff) changed() bool {
	return d.themes || d.sentiment || d.evidence || d.redacted || d.guessed || d.routing || d.other
}

// count adds the difference d between the stored row and its new version
// to the statistics.
func (st *RetagStats) count(d retagDiff, old, row *sinks.Row) {
	st.Changed++
	if d.themes {
		st.ThemesChanged++
		for _, th := range row.Themes {
			if !slices.Contains(old.Themes, th) {
				st.Added[th]++
			}
		}
		for _, th := range old.Themes {
			if !slices.Contains(row.Themes, th) {
				st.Removed[th]++
			}
		}
	}
	if d.sentiment {
		st.SentimentChanged++
	}
	if d.evidence && !d.themes {
		st.EvidenceChanged++
	}
	if d.redacted {
		st.TextRedacted++
	}
	if d.guessed {
		st.LanguageGuessed++
	}
	if d.routing {
		st.RoutingChanged++
	}
}

// themeSentimentMoved reports whether a theme both rows carry has another
// sentiment in row.
func themeSentimentMoved(old, row *sinks.Row) bool {
	for i, th := range row.Themes {
		if j := slices.Index(old.Themes, th); j >= 0 && j < len(old.ThemeSentiment) && i < len(row.ThemeSentiment) &&
			old.ThemeSentiment[j] != row.ThemeSentiment[i] {
			return true
		}
	}
	return false
}
