package llm

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/feedbackloop/feedbackloop/internal/ops"
)

// Metrics are the Prometheus series of LLM tagging. Create them with
// NewMetrics; a nil *Metrics records nothing.
type Metrics struct {
	// Requests counts requests by outcome: ok, rate_limited (429),
	// quota (a 429 for an account out of credit), server_error (5xx),
	// timeout, malformed (an answer that is not the JSON asked for),
	// filtered (a content filter, or the model, refused the prompt or the
	// answer), too_long (the prompt did not fit the model's context),
	// truncated (the answer was cut off at the server's output limit),
	// error (anything else).
	Requests *prometheus.CounterVec
	// Tokens counts tokens by kind: prompt, completion.
	Tokens *prometheus.CounterVec
	// Items counts items a Tagger was asked to tag, by result: llm
	// (answered by the model), cached (by this Tagger), shared (found in
	// the SharedCache), fallback (kept what they had).
	Items *prometheus.CounterVec
	// Fallbacks counts items that kept what they had, by reason: busy,
	// cooldown, budget, rate_limit, error, filtered, too_long.
	Fallbacks *prometheus.CounterVec
	// Routed counts items a Hybrid saw, by route: offline (confident
	// enough to skip the model) or llm.
	Routed *prometheus.CounterVec
	// DroppedLabels counts theme names the model returned that the
	// taxonomy does not have.
	DroppedLabels prometheus.Counter
	// Retries counts retried requests.
	Retries prometheus.Counter
	// RequestSeconds is the latency of one attempt.
	RequestSeconds prometheus.Histogram
	// BudgetRemaining is what is left of today's token budget.
	BudgetRemaining prometheus.Gauge
	// TextsPerRequest is how many texts each request asked about: every
	// request pays for the instructions again, so few texts a request
	// cost more a text.
	TextsPerRequest prometheus.Histogram
	// RequestLimit is what a request may hold now, by limit: texts (the
	// batch size, lower while answers do not fit the output limit) and
	// context_tokens (the model's window as configured or learned; 0 while
	// not known).
	RequestLimit *prometheus.GaugeVec
	// Peers is how many processes share llm.tokens_per_minute, this one
	// included, as last counted (see llm.Peers); this process's share is
	// the limit divided by it.
	Peers prometheus.Gauge

	own *prometheus.Registry // the series the package reads back itself, whatever reg is
}

// NewMetrics creates the series and registers them on reg unless it is nil.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "feedbackloop_llm_requests_total",
			Help: "LLM requests (attempts) by outcome."}, []string{"outcome"}),
		Tokens: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "feedbackloop_llm_tokens_total",
			Help: "Tokens the LLM billed, by kind (prompt, completion)."}, []string{"kind"}),
		Items: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "feedbackloop_llm_items_total",
			Help: "Items sent to the LLM tagger, by result (llm, cached, shared, fallback)."}, []string{"result"}),
		Fallbacks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "feedbackloop_llm_fallback_items_total",
			Help: "Items that kept their offline themes, by reason."}, []string{"reason"}),
		Routed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "feedbackloop_tagging_routed_items_total",
			Help: "Items seen by hybrid tagging, by route: offline (confident) or llm."}, []string{"route"}),
		DroppedLabels: prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_llm_dropped_labels_total",
			Help: "Theme names returned by the LLM that the taxonomy does not define."}),
		Retries: prometheus.NewCounter(prometheus.CounterOpts{Name: "feedbackloop_llm_retries_total",
			Help: "LLM requests retried after a failure."}),
		RequestSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "feedbackloop_llm_request_duration_seconds",
			Help: "Latency of one LLM request attempt.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)}),
		BudgetRemaining: prometheus.NewGauge(prometheus.GaugeOpts{Name: "feedbackloop_llm_budget_remaining_tokens",
			Help: "Tokens left in today's LLM budget (UTC day); -1 without a budget."}),
		TextsPerRequest: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "feedbackloop_llm_texts_per_request",
			Help: "Texts one LLM request asked about.", Buckets: []float64{1, 2, 4, 8, 16, 32, 64}}),
		RequestLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "feedbackloop_llm_request_limit",
			Help: "What one LLM request may hold now, by limit: texts, context_tokens (0: not known)."}, []string{"limit"}),
		Peers: prometheus.NewGauge(prometheus.GaugeOpts{Name: "feedbackloop_llm_peers",
			Help: "Processes that share llm.tokens_per_minute, this one included; each keeps to the limit divided by them."}),
	}
	if reg != nil {
		reg.MustRegister(m.Requests, m.Tokens, m.Items, m.Fallbacks, m.Routed, m.DroppedLabels, m.Retries,
			m.RequestSeconds, m.BudgetRemaining, m.TextsPerRequest, m.RequestLimit, m.Peers)
	}
	m.own = prometheus.NewRegistry()
	m.own.MustRegister(m.Fallbacks)
	return m
}

func (m *Metrics) request(outcome string, seconds float64) {
	if m == nil {
		return
	}
	m.Requests.WithLabelValues(outcome).Inc()
	m.RequestSeconds.Observe(seconds)
}

func (m *Metrics) tokens(prompt, completion int) {
	if m == nil {
		return
	}
	m.Tokens.WithLabelValues("prompt").Add(float64(prompt))
	m.Tokens.WithLabelValues("completion").Add(float64(completion))
}

func (m *Metrics) items(result string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.Items.WithLabelValues(result).Add(float64(n))
}

func (m *Metrics) fallback(reason string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.Items.WithLabelValues("fallback").Add(float64(n))
	m.Fallbacks.WithLabelValues(reason).Add(float64(n))
}

// fallbackTotals returns the items counted under each fallback reason
// so far.
func (m *Metrics) fallbackTotals() map[string]int {
	if m == nil || m.own == nil { // not made by NewMetrics
		return map[string]int{}
	}
	return ops.CounterTotals(m.own, "feedbackloop_llm_fallback_items_total", "reason")
}

func (m *Metrics) routed(offline, llm int) {
	if m == nil {
		return
	}
	m.Routed.WithLabelValues("offline").Add(float64(offline))
	m.Routed.WithLabelValues("llm").Add(float64(llm))
}

func (m *Metrics) dropped(n int) {
	if m == nil || n == 0 {
		return
	}
	m.DroppedLabels.Add(float64(n))
}

func (m *Metrics) retry() {
	if m != nil {
		m.Retries.Inc()
	}
}

func (m *Metrics) asked(texts int) {
	if m != nil {
		m.TextsPerRequest.Observe(float64(texts))
	}
}

func (m *Metrics) limits(texts, contextTokens int) {
	if m != nil {
		m.RequestLimit.WithLabelValues("texts").Set(float64(texts))
		m.RequestLimit.WithLabelValues("context_tokens").Set(float64(contextTokens))
	}
}

func (m *Metrics) peers(n int) {
	if m != nil {
		m.Peers.Set(float64(n))
	}
}

func (m *Metrics) budget(remaining int) {
	if m != nil {
		m.BudgetRemaining.Set(float64(remaining))
	}
}
