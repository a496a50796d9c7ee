package llm

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// Hybrid routes items between an offline tagger and a model: every item is
// tagged offline first; those whose Certainty is below the threshold go on
// to the model. Certainty is the offline tagger's probability that its
// answer is exactly right when it gives one (the learned model does, "no
// theme" included), else its most confident theme's confidence, no theme
// counting as 0 (the keyword tagger). An item the model does not answer
// keeps its offline themes, so Hybrid is the fallback too.
//
// An item in a language the offline tagger does not read (see
// OfflineLanguages) goes to the model whatever its certainty: an English
// model is often sure that a German text has no theme, and wrong.
//
// It marks the items it sends on (enrich.Item.Routed, stored per row),
// counts the routes in Metrics.Routed and logs the share of items
// routed to the model, the share the model answered, and why the others
// were not (the reasons Metrics counts), at most once per LogEvery. Safe for concurrent use when both taggers are.
type Hybrid struct {
	offline   enrich.Tagger
	model     enrich.Tagger
	threshold float64
	metrics   *Metrics
	log       *zap.Logger
	// LogEvery is the least time between two routing log lines (a minute).
	LogEvery time.Duration
	// OfflineLanguages are the languages the offline tagger reads, as
	// language tags ("en"); an item in another goes to the model. An item
	// whose record does not say is read for its language
	// (enrich.GuessLanguage), which its record then holds; one whose
	// language cannot be told stays with the certainty rule. Empty, the
	// default of NewHybrid: every language. Set it before the first Tag.
	OfflineLanguages []string

	mu                     sync.Mutex
	since                  time.Time
	seen, routed, answered int
	totalSeen, totalRouted int64
	fellBack               map[string]int // Metrics' fallback totals at the last log line
}

var _ enrich.Tagger = (*Hybrid)(nil)

// NewHybrid combines offline and model; items the offline tagger tags with
// confidence at or above threshold skip the model. metrics and log may be
// nil.
func NewHybrid(offline, model enrich.Tagger, threshold float64, metrics *Metrics, log *zap.Logger) *Hybrid {
	if log == nil {
		log = zap.NewNop()
	}
	return &Hybrid{offline: offline, model: model, threshold: threshold, metrics: metrics, log: log,
		LogEvery: time.Minute, since: time.Now()}
}

// HybridFrom combines offline and model as the configuration's llm
// section routes: by its threshold, and its offline languages.
func HybridFrom(lc config.LLM, offline, model enrich.Tagger, metrics *Metrics, log *zap.Logger) *Hybrid {
	h := NewHybrid(offline, model, lc.Threshold, metrics, log)
	h.OfflineLanguages = lc.Languages()
	return h
}

// Tag tags offline, then sends the unsure items to the model. It fails
// only when one of the taggers does.
func (h *Hybrid) Tag(ctx context.Context, items []*enrich.Item) error {
	if err := h.offline.Tag(ctx, items); err != nil {
		return err
	}
	unsure := make([]*enrich.Item, 0, len(items))
	seen := 0
	for _, it := range items {
		if it == nil || it.Record == nil {
			continue
		}
		seen++
		it.Routed = it.Certainty() < h.threshold || !h.readsOffline(it.Record)
		if it.Routed {
			unsure = append(unsure, it)
		}
	}
	h.metrics.routed(seen-len(unsure), len(unsure))
	var err error
	if len(unsure) > 0 {
		err = h.model.Tag(ctx, unsure)
	}
	answered := 0
	for _, it := range unsure {
		if it.Tagger == TaggerName {
			answered++
		}
	}
	h.record(seen, len(unsure), answered)
	return err
}

// readsOffline reports whether r is in a language of OfflineLanguages,
// guessing its language when it does not say.
func (h *Hybrid) readsOffline(r *feedback.Record) bool {
	if len(h.OfflineLanguages) == 0 {
		return true
	}
	if r.Language == "" {
		if r.Language = enrich.GuessLanguage(r.Title, r.Body); r.Language == "" {
			return true // English, or too short or mixed to tell
		}
	}
	lang := r.Language
	return slices.ContainsFunc(h.OfflineLanguages, func(l string) bool { return enrich.SameLanguage(l, lang) })
}

// Share returns the share of the items seen so far that were routed to
// the model.
func (h *Hybrid) Share() float64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.totalSeen == 0 {
		return 0
	}
	return float64(h.totalRouted) / float64(h.totalSeen)
}

func (h *Hybrid) record(seen, routed, answered int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.totalSeen += int64(seen)
	h.totalRouted += int64(routed)
	h.seen += seen
	h.routed += routed
	h.answered += answered
	if time.Since(h.since) < h.LogEvery {
		return
	}
	h.logRoutes()
}

// LogRoutes logs the routes taken since the last line, if any items came:
// a worker that stops logs the last minute's.
func (h *Hybrid) LogRoutes() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.logRoutes()
}

// logRoutes is LogRoutes. Callers hold mu.
func (h *Hybrid) logRoutes() {
	if h.seen == 0 {
		return
	}
	answeredShare := 0.0
	if h.routed > 0 {
		answeredShare = float64(h.answered) / float64(h.routed)
	}
	fields := []zap.Field{
		zap.Int("items", h.seen),
		zap.Int("routed_to_llm", h.routed),
		zap.Float64("routed_share", float64(h.routed)/float64(h.seen)),
		zap.Float64("llm_answered_share", answeredShare),
		zap.Float64("threshold", h.threshold),
	}
	// Why the routed items the model did not answer kept their offline
	// themes, since the last line: busy, filtered, budget, ...
	totals := h.metrics.fallbackTotals()
	since := map[string]int{}
	for reason, n := range totals {
		if d := n - h.fellBack[reason]; d > 0 {
			since[reason] = d
		}
	}
	if len(since) > 0 {
		fields = append(fields, zap.Any("not_answered", since))
	}
	h.log.Info("theme tagging routes", fields...)
	h.since, h.seen, h.routed, h.answered, h.fellBack = time.Now(), 0, 0, 0, totals
}
