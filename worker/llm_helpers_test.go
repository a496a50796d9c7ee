package worker_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich/llm/llmtest"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/ops"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
	"github.com/feedbackloop/feedbackloop/worker"
)

// flakyLLM is a local OpenAI-compatible chat completions server that is
// slow and often fails, the way a loaded provider is: each request waits
// delay, and of every ten requests one gets 500, one 429 with
// Retry-After, one a malformed answer and one a theme outside the
// taxonomy; the rest are answered, tagging "billing" wherever the text
// says "invoice", with a sentiment of -0.4, and the whole text -0.3. It
// keeps every request body, and adds up the tokens its answers bill.
type flakyLLM struct {
	srv   *httptest.Server
	delay time.Duration
	n     atomic.Int64
	// billed is the tokens of every answer's usage, the malformed ones'
	// included.
	billed atomic.Int64

	mu     sync.Mutex
	bodies []string
	// onRequest, when set, runs as each request arrives, before its
	// answer.
	onRequest func()
}

func newFlakyLLM(tb testing.TB, delay time.Duration) *flakyLLM {
	tb.Helper()
	f := &flakyLLM{delay: delay}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(f.srv.Close)
	return f
}

func (f *flakyLLM) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.bodies = append(f.bodies, string(body))
	hook := f.onRequest
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	n := f.n.Add(1)
	select {
	case <-time.After(f.delay):
	case <-r.Context().Done():
		return
	}
	items, err := llmtest.Items(body)
	if err != nil {
		http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	switch n % 10 {
	case 3:
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, `{"error":{"message":"overloaded","type":"server_error"}}`)
		return
	case 6:
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"error":{"message":"rate limit","type":"rate_limit_exceeded"}}`)
		return
	}
	answers := make([]llmtest.Answer, len(items))
	for i, it := range items {
		answers[i].ID = it.ID
		answers[i].Sentiment = llmtest.Felt(-0.3)
		if strings.Contains(it.Text, "invoice") {
			answers[i].Themes = append(answers[i].Themes, llmtest.Theme{Name: "billing", Evidence: "invoice", Confidence: 0.9, Sentiment: llmtest.Felt(-0.4)})
		}
		if n%10 == 8 {
			answers[i].Themes = append(answers[i].Themes, llmtest.Theme{Name: "astrology", Evidence: "x", Confidence: 1})
		}
	}
	content := llmtest.Content(answers)
	if n%10 == 5 {
		content = content[:len(content)/2]
	}
	prompt, completion := 50+40*len(items), 10*len(items)
	f.billed.Add(int64(prompt + completion))
	llmtest.WriteCompletion(w, "fake-model", content, prompt, completion)
}

func (f *flakyLLM) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.bodies...)
}

// tickets returns n records whose texts all differ, so that none is
// answered from another's cached answer.
func tickets(n int) []*feedback.Record {
	recs := make([]*feedback.Record, n)
	for i := range recs {
		recs[i] = record(i)
		recs[i].Body = fmt.Sprintf("Ticket %d: ", i) + recs[i].Body
	}
	return recs
}

// llmConfig turns the LLM on in cfg against f, routing every item to it.
func llmConfig(cfg *config.Config, f *flakyLLM) {
	cfg.LLM = config.Default().LLM
	cfg.LLM.Enabled = true
	cfg.LLM.BaseURL = f.srv.URL + "/v1"
	cfg.LLM.APIKey = "test-key"
	cfg.LLM.Model = "fake-model"
	cfg.LLM.Threshold = 1 // offline confidence never reaches 1: every item is routed
	cfg.LLM.MaxWait = 3 * time.Second
	cfg.LLM.RequestTimeout = time.Second
	cfg.LLM.TokensPerMinute = 10_000_000
	cfg.LLM.BatchSize = 5
	// Up to six enrichment calls wait for the LLM while two go on
	// without it.
	cfg.LLM.MaxWaiting = 6
	cfg.Worker.Concurrency = 8
}

// runWorker runs worker.MainWithMetrics, what `feedbackloop worker` runs,
// against the NATS server and ClickHouse database of cfg (the LLM's shared
// cache included when the LLM is on), and stops it at cleanup. cfg must
// leave the operations endpoint off (metrics.addr empty).
func runWorker(tb testing.TB, cfg config.Config) (stop func() error, reg prometheus.Gatherer) {
	tb.Helper()
	if cfg.Metrics.Addr != "" {
		tb.Fatalf("runWorker: metrics.addr %q, want it empty", cfg.Metrics.Addr)
	}
	metrics := ops.NewMetrics()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- worker.MainWithMetrics(ctx, cfg, zap.NewNop(), metrics) }()
	var once sync.Once
	var result error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case result = <-done:
			case <-time.After(60 * time.Second):
				result = fmt.Errorf("worker did not stop within 60s")
			}
		})
		return result
	}
	tb.Cleanup(func() { _ = stop() })
	return stop, metrics.Registry
}

// benchPipeline is newPipeline for benchmarks: servers and configuration
// only.
func benchPipeline(tb testing.TB) (config.Config, *ingest.Publisher, func(string) uint64) {
	tb.Helper()
	srv := testenv.NATS(tb)
	dsn := testenv.ClickHouse(tb)
	cfg := config.Default()
	cfg.NATS.URL = srv.ClientURL()
	cfg.ClickHouse.DSN = dsn
	cfg.Metrics.Addr = ""
	cfg.Batch.MaxWait = 200 * time.Millisecond
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	_, js, err := ingest.Connect(cfg.NATS, "bench-publisher", zap.NewNop())
	if err != nil {
		tb.Fatal(err)
	}
	if err := ingest.EnsureStreams(context.Background(), js, cfg.NATS); err != nil {
		tb.Fatal(err)
	}
	conn := testenv.Conn(tb, dsn)
	db := cfg.ClickHouse.Database()
	query := func(q string) uint64 {
		return testenv.QueryUint64(tb, conn, strings.ReplaceAll(q, "{db}", db))
	}
	return cfg, ingest.NewPublisher(js, 0), query
}

// gatherLLM reads the LLM series of a registry into name{labels} → value.
func gatherLLM(tb testing.TB, reg prometheus.Gatherer) map[string]float64 {
	tb.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if !strings.HasPrefix(mf.GetName(), "feedbackloop_llm") && !strings.HasPrefix(mf.GetName(), "feedbackloop_tagging") {
			continue
		}
		for _, m := range mf.GetMetric() {
			key := mf.GetName()
			for _, l := range m.GetLabel() {
				key += "{" + l.GetName() + "=" + l.GetValue() + "}"
			}
			if c := m.GetCounter(); c != nil {
				out[key] = c.GetValue()
			} else if g := m.GetGauge(); g != nil {
				out[key] = g.GetValue()
			}
		}
	}
	return out
}
