package worker

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/learned"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
)

// Taxonomy loads the taxonomy enrich.taxonomy names, or returns the
// bundled one when it names none.
func Taxonomy(ec config.Enrich) (*enrich.Taxonomy, error) {
	if ec.Taxonomy == "" {
		return enrich.DefaultTaxonomy(), nil
	}
	tax, err := enrich.LoadTaxonomy(ec.Taxonomy)
	if err != nil {
		return nil, fmt.Errorf("enrich.taxonomy: %w", err)
	}
	return tax, nil
}

// NewEnricher assembles the enrichment chain the configuration asks for:
// redaction first, so that no later stage (an LLM) sees personal data,
// then tagging, then sentiment, which scores the evidence the tagger chose.
//
// Tagging is the keyword tagger unless enrich.model names a trained model,
// which then tags with the keyword rules added (learned.WithRules). The
// keyword tagger stays the default for the bundled taxonomy: there is no
// labelled data to train a model for it, and it costs about a tenth of
// what a model does per record (docs/tagging.md has the figures). With
// llm.enabled, items the offline tagger is unsure of go to the LLM
// (llm.Hybrid), and llmExtra, when not nil, sets what of the LLM tagger's
// options the configuration does not hold: the worker's shared answers
// (ingest.Answers), a trial's patience. LLM metrics are registered on reg
// when it is not nil.
func NewEnricher(cfg config.Config, reg prometheus.Registerer, log *zap.Logger, llmExtra func(*llm.Options)) (enrich.Stage, error) {
	off, err := loadOffline(cfg.Enrich, log)
	if err != nil {
		return nil, err
	}
	stage, _, err := off.chain(cfg, reg, log, llmExtra)
	return stage, err
}

// offline is offline tagging as the configuration's files define it.
type offline struct {
	tax    *enrich.Taxonomy
	tagger enrich.Tagger
}

// loadOffline reads the taxonomy and, when enrich.model names one, the
// trained model, with the keyword rules on top. Main calls it before
// connecting anywhere, so that a wrong file is the first error a worker
// reports, not the one after NATS and ClickHouse are fixed.
func loadOffline(ec config.Enrich, log *zap.Logger) (*offline, error) {
	tax, err := Taxonomy(ec)
	if err != nil {
		return nil, err
	}
	var tagger enrich.Tagger = enrich.NewKeywordTagger(tax)
	if ec.Model != "" {
		m, err := learned.Load(ec.Model)
		if err != nil {
			return nil, fmt.Errorf("enrich.model: %w", err)
		}
		taxName := "the bundled taxonomy (enrich.taxonomy is not set)"
		if ec.Taxonomy != "" {
			taxName = "the taxonomy " + ec.Taxonomy
		}
		if err := learned.CheckModel(m, ec.Model, tax, taxName); err != nil {
			return nil, fmt.Errorf("enrich.model: %w", err)
		}
		tagger = learned.WithRules(m, tagger)
		log.Info("theme tagging with a trained model", zap.String("model", m.ID()), zap.String("file", ec.Model))
	}
	return &offline{tax: tax, tagger: tagger}, nil
}

// chain builds the enrichment chain around the offline tagger (see
// NewEnricher), and returns what stops its LLM part (a no-op when the LLM
// is off): the routes since the last log line are logged, and the tokens
// spent reach the day's shared count before NATS closes, for the other
// workers and a restart go by it.
func (o *offline) chain(cfg config.Config, reg prometheus.Registerer, log *zap.Logger, llmExtra func(*llm.Options)) (enrich.Stage, func(), error) {
	ec := cfg.Enrich
	tagger := o.tagger
	stop := func() {}
	if cfg.LLM.Enabled {
		h, model, err := newHybrid(cfg, o.tax, tagger, reg, log, llmExtra)
		if err != nil {
			return nil, nil, err
		}
		tagger = h
		stop = func() {
			h.LogRoutes()
			StopLLM(model)
		}
	}
	redactor := newRedactor(ec)
	if !ec.Redact {
		log.Warn("enrich.redact is off: e-mail addresses, phone and card numbers in titles and bodies are stored as written")
	}
	return enrich.Chain{
		redactor,
		enrich.TagStage(tagger),
		enrich.NewSentiment(),
	}, stop, nil
}

// newRedactor is redaction as the enrich section sets it: the key that
// hashes author e-mail addresses, and whether text is redacted at all.
func newRedactor(ec config.Enrich) *enrich.Redactor {
	r := enrich.NewRedactor([]byte(ec.EmailHashKey))
	r.KeepText = !ec.Redact
	return r
}

func newHybrid(cfg config.Config, tax *enrich.Taxonomy, offline enrich.Tagger, reg prometheus.Registerer, log *zap.Logger, llmExtra func(*llm.Options)) (*llm.Hybrid, *llm.Tagger, error) {
	lc := cfg.LLM
	// Calls that wait for the LLM must leave a goroutine to work: with as
	// many waiting as there are goroutines, a slow LLM stalls the pipeline.
	// A worker.concurrency set at or below max_waiting would do that, so
	// max_waiting gives way.
	if goroutines := cfg.EnrichGoroutines(); lc.MaxWaiting >= goroutines {
		if goroutines == 1 {
			log.Warn("one enrichment goroutine (worker.concurrency): a slow LLM holds the pipeline for up to llm.max_wait; raise worker.concurrency")
		} else {
			log.Warn("llm.max_waiting lowered below worker.concurrency, so that a goroutine goes on while the others wait for the LLM",
				zap.Int("llm.max_waiting", lc.MaxWaiting), zap.Int("worker.concurrency", goroutines), zap.Int("now", goroutines-1))
			lc.MaxWaiting = goroutines - 1
		}
	}
	metrics := llm.NewMetrics(reg)
	opts := llm.OptionsFrom(lc)
	opts.Metrics, opts.Log = metrics, log
	if llmExtra != nil {
		llmExtra(&opts)
	}
	model, err := llm.New(tax, opts)
	if err != nil {
		return nil, nil, err // it names the llm section
	}
	log.Info("LLM tagging on for items the offline tagger is unsure of or does not read",
		zap.String("base_url", config.RedactURL(lc.BaseURL)), zap.String("model", lc.Model), zap.Float64("threshold", lc.Threshold),
		zap.Strings("offline_languages", lc.Languages()))
	return llm.HybridFrom(lc, offline, model, metrics, log), model, nil
}
