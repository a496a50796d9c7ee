package worker_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/worker"
)

func TestLLMSettingsAreCheckedByName(t *testing.T) {
	for _, tc := range []struct {
		env  []string
		want string
	}{
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_THRESHOLD=1.5"}, `llm.threshold = "1.5"`},
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_BASE_URL=ftp://x"}, "llm.base_url"},
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_TYPE=bedrock"}, "llm.api_type"},
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_BATCH_SIZE=0"}, "llm.batch_size"},
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_DAILY_TOKEN_BUDGET=-5"}, "llm.daily_token_budget"},
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true"}, "llm.api_key"}, // api.openai.com without a key
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k", "FEEDBACKLOOP_LLM_SHARED_CACHE_TTL=5s"}, "llm.shared_cache_ttl"},
		// Endpoints pasted whole, which would 404 on every request.
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_BASE_URL=http://127.0.0.1:11434/v1/chat/completions"}, "set the part before it, http://127.0.0.1:11434/v1 "},
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k", "FEEDBACKLOOP_LLM_API_TYPE=azure",
			"FEEDBACKLOOP_LLM_BASE_URL=https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"},
			`resource alone, https://res.openai.azure.com, llm.model to the deployment, "gpt-4o", and llm.api_version to "2024-10-21"`},
		// The same without api_type azure, which the endpoint would
		// otherwise have fixed to an address that 404s.
		{[]string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k",
			"FEEDBACKLOOP_LLM_BASE_URL=https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21"},
			`set llm.api_type to azure, and set it to the resource alone, https://res.openai.azure.com, llm.model to the deployment, "gpt-4o", and llm.api_version to "2024-10-21"`},
	} {
		_, err := config.Load("", tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "FEEDBACKLOOP_LLM_") {
			t.Errorf("%v: error %v, want one naming %s and the variable", tc.env, err, tc.want)
		}
	}
	// A local server (Ollama) needs no key.
	if _, err := config.Load("", []string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_BASE_URL=http://127.0.0.1:11434/v1"}); err != nil {
		t.Errorf("Ollama without a key: %v", err)
	}
	// Azure with OpenAI's default address.
	if _, err := config.Load("", []string{"FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k", "FEEDBACKLOOP_LLM_API_TYPE=azure"}); err == nil || !strings.Contains(err.Error(), "llm.base_url") {
		t.Errorf("azure at api.openai.com: error %v, want one naming llm.base_url", err)
	}
	// Azure's resource, and its OpenAI-compatible v1 path under api_type openai.
	for _, env := range [][]string{
		{"FEEDBACKLOOP_LLM_API_TYPE=azure", "FEEDBACKLOOP_LLM_BASE_URL=https://res.openai.azure.com/"},
		{"FEEDBACKLOOP_LLM_BASE_URL=https://res.openai.azure.com/openai/v1/"},
	} {
		if _, err := config.Load("", append(env, "FEEDBACKLOOP_LLM_ENABLED=true", "FEEDBACKLOOP_LLM_API_KEY=k")); err != nil {
			t.Errorf("%v: %v", env, err)
		}
	}
	// Off, nothing in the section is checked.
	if _, err := config.Load("", []string{"FEEDBACKLOOP_LLM_THRESHOLD=7"}); err != nil {
		t.Errorf("llm off: %v", err)
	}
	// The API key is a secret.
	cfg, err := config.Load("", []string{"FEEDBACKLOOP_LLM_API_KEY=sk-secret"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.Redacted().LLM.APIKey; got == "sk-secret" {
		t.Error("llm.api_key is not masked in the redacted configuration")
	}
}

func TestAnLLMWaitThatOutlastsAckWaitIsRefused(t *testing.T) {
	cfg := config.Default()
	cfg.LLM.Enabled, cfg.LLM.APIKey = true, "k"
	cfg.LLM.MaxWait = 25 * time.Second // ack_wait 30s - max_wait 1s - insert_timeout 10s = 19s
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "llm.max_wait") || !strings.Contains(err.Error(), "(19s)") {
		t.Fatalf("error %v, want one naming llm.max_wait and the 19s limit", err)
	}
	cfg.LLM.MaxWait = 5 * time.Second
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := worker.NewEnricher(cfg, nil, zap.NewNop(), nil); err != nil {
		t.Fatal(err)
	}
}

// A worker.concurrency set at or below llm.max_waiting would let calls
// waiting for a slow LLM hold every goroutine. max_waiting gives way: with
// two goroutines one call waits, and a second, made meanwhile, goes on
// with its offline themes.
func TestMaxWaitingGivesWayToASmallWorkerConcurrency(t *testing.T) {
	release := make(chan struct{})
	var asked atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
		http.Error(w, `{"error":{"message":"late"}}`, http.StatusServiceUnavailable)
	}))
	defer api.Close()
	defer close(release)
	cfg := config.Default()
	cfg.LLM.Enabled, cfg.LLM.APIKey, cfg.LLM.BaseURL, cfg.LLM.Model = true, "k", api.URL+"/v1", "m"
	cfg.LLM.Threshold = 1 // every item goes to the LLM
	cfg.LLM.MaxWait = 5 * time.Second
	cfg.Worker.Concurrency = 2 // below the default max_waiting, 4
	core, logs := observer.New(zap.WarnLevel)
	stage, err := worker.NewEnricher(cfg, nil, zap.New(core), nil)
	if err != nil {
		t.Fatal(err)
	}
	item := func(body string) []*enrich.Item {
		return []*enrich.Item{{Record: &feedback.Record{ID: body, Source: "s", Kind: "ticket", Body: body}}}
	}
	go func() { _ = stage.Enrich(context.Background(), item("the invoice is wrong")) }()
	for asked.Load() == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	done := make(chan struct{})
	second := item("the export is slow")
	go func() {
		_ = stage.Enrich(context.Background(), second)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * time.Second):
		t.Fatal("a second call waited for the LLM while the first did: every goroutine was held")
	}
	if second[0].Tagger != "keywords" || asked.Load() != 1 {
		t.Errorf("second call: tagger %q after %d requests, want offline themes and no request", second[0].Tagger, asked.Load())
	}
	if got := logs.FilterMessageSnippet("llm.max_waiting lowered").All(); len(got) != 1 || got[0].ContextMap()["now"] != int64(1) {
		t.Errorf("logged %v, want max_waiting lowered to 1", logs.All())
	}
}

// The chain alone says nothing about storage: `tagger try` builds it and
// stores nothing, so the warning that author addresses are dropped
// without a pseudonymous key is the worker's to give, not the chain's.
func TestTheEnricherAloneDoesNotWarnAboutStorage(t *testing.T) {
	core, logs := observer.New(zap.WarnLevel)
	if _, err := worker.NewEnricher(config.Default(), nil, zap.New(core), nil); err != nil {
		t.Fatal(err)
	}
	for _, e := range logs.All() {
		t.Errorf("warned: %s", e.Message)
	}
}
