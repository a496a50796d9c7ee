package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/internal/ops"
)

// llmStats is what `tagger eval --llm` sent to the LLM and what it cost.
type llmStats struct {
	Model            string  `json:"model"`
	Threshold        float64 `json:"threshold"`
	Routed           int     `json:"routed"`
	RoutedShare      float64 `json:"routed_share"`
	Answered         int     `json:"answered"`
	PromptTokens     int     `json:"prompt_tokens"`
	CompletionTokens int     `json:"completion_tokens"`
	// DroppedLabels counts theme names in the answers that the taxonomy
	// does not define: a model that renames themes scores low for it.
	DroppedLabels int `json:"dropped_labels"`
	// Fallbacks counts the routed texts the LLM did not answer, by reason
	// (filtered, too_long, error, ...); absent when it answered all.
	Fallbacks map[string]int `json:"fallbacks,omitempty"`
}

// measured is the LLM side of a hybrid under measurement: it counts what
// the LLM tagger was given, what it answered and the tokens. The tagger
// asks about every text (llm.Options.EveryRound), where a worker's call
// leaves to the offline tagger what one round of requests cannot hold.
type measured struct {
	tagger  *llm.Tagger
	stats   *llmStats
	metrics prometheus.Gatherer // the tagger's
}

func (m measured) Tag(ctx context.Context, items []*enrich.Item) error {
	if err := m.tagger.Tag(ctx, items); err != nil {
		return err
	}
	m.stats.Routed += len(items)
	for _, it := range items {
		if it.Tagger == llm.TaggerName {
			m.stats.Answered++
			m.stats.PromptTokens += it.PromptTokens
			m.stats.CompletionTokens += it.CompletionTokens
		}
	}
	m.stats.DroppedLabels = ops.CounterTotals(m.metrics, "feedbackloop_llm_dropped_labels_total", "")[""]
	if fell := ops.CounterTotals(m.metrics, "feedbackloop_llm_fallback_items_total", "reason"); len(fell) > 0 {
		m.stats.Fallbacks = fell
	}
	return nil
}

// hybridForEval builds the worker's hybrid of offline and the configured
// LLM, for `tagger eval --llm`, at llm.threshold or at *override when it is
// given: no deadline a worker needs (one call waits as long as the
// requests take) and no shared cache, so that every routed text is asked
// about.
func hybridForEval(a *app, offline enrich.Tagger, tax *enrich.Taxonomy, override *float64) (enrich.Tagger, *llmStats, error) {
	cfg, log, err := a.configAndLogger()
	if err != nil {
		return nil, nil, err
	}
	if !cfg.LLM.Enabled {
		return nil, nil, errors.New("--llm asks the LLM of the configuration: set llm.enabled, llm.base_url, llm.model and llm.api_key (or FEEDBACKLOOP_LLM_*)")
	}
	if tax == nil {
		return nil, nil, errors.New("--llm needs --taxonomy: the LLM chooses among its themes and reads their descriptions, as in the worker")
	}
	lc := cfg.LLM
	if override != nil {
		lc.Threshold = *override
	}
	opts := llm.OptionsFrom(lc)
	opts.Log = log
	opts.Patient()
	opts.MaxWait = time.Hour // a measurement waits as long as the requests take
	reg := prometheus.NewRegistry()
	opts.Metrics = llm.NewMetrics(reg)
	model, err := llm.New(tax, opts)
	if err != nil {
		return nil, nil, err // it names the llm section
	}
	stats := &llmStats{Model: lc.Model, Threshold: lc.Threshold}
	side := measured{tagger: model, stats: stats, metrics: reg}
	return llm.HybridFrom(lc, offline, side, nil, log), stats, nil
}

func (s *llmStats) write(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "LLM %s at threshold %.2f: %d texts routed to it (%.1f%%), %d answered (the rest kept their offline themes), %d prompt and %d completion tokens\n",
		s.Model, s.Threshold, s.Routed, 100*s.RoutedShare, s.Answered, s.PromptTokens, s.CompletionTokens); err != nil {
		return err
	}
	if len(s.Fallbacks) > 0 {
		if _, err := fmt.Fprintf(w, "not answered: %s (the log says more)\n", reasonList(s.Fallbacks)); err != nil {
			return err
		}
	}
	if s.DroppedLabels == 0 {
		return nil
	}
	_, err := fmt.Fprintf(w, "%d theme names in its answers are not in the taxonomy and were dropped (the log names them)\n", s.DroppedLabels)
	return err
}

// reasonList writes counts by reason as "busy 3, filtered 1".
func reasonList(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for reason, n := range counts {
		parts = append(parts, fmt.Sprintf("%s %d", reason, n))
	}
	slices.Sort(parts)
	return strings.Join(parts, ", ")
}
