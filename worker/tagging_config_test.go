package worker_test

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
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
