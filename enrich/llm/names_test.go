package llm_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/feedbackloop/feedbackloop/enrich/llm"
)

// namesAPI is a local OpenAI-compatible server for cluster naming: it
// fails the first failures requests with a 500, then answers with content,
// and keeps every request body.
type namesAPI struct {
	srv      *httptest.Server
	failures int
	content  string

	mu     sync.Mutex
	bodies []string
}

func newNamesAPI(t *testing.T, failures int, content string) *namesAPI {
	a := &namesAPI{failures: failures, content: content}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		a.mu.Lock()
		n := len(a.bodies)
		a.bodies = append(a.bodies, string(body))
		a.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n < a.failures {
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, `{"error":{"message":"overloaded","type":"server_error"}}`)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": fmt.Sprint("chatcmpl-", n), "object": "chat.completion", "created": time.Now().Unix(), "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
				"message": map[string]any{"role": "assistant", "content": a.content}}},
			"usage": map[string]any{"prompt_tokens": 300, "completion_tokens": 40, "total_tokens": 340},
		})
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func namesTagger(t *testing.T, a *namesAPI) *llm.Tagger {
	t.Helper()
	tg, err := llm.New(taxonomy(t), llm.Options{
		BaseURL: a.srv.URL + "/v1", APIKey: "test-key", Model: "test-model",
		MaxWait: 5 * time.Second, RequestTimeout: 2 * time.Second, RetryInitial: 10 * time.Millisecond,
		Metrics: llm.NewMetrics(prometheus.NewRegistry()),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

// Clusters are named in one request through a strict schema, after a
// server error is retried; quotes leave the process redacted; names come
// back in the taxonomy's style, and a cluster the model skipped is left
// unnamed for the caller.
func TestNameClustersAsksOnceWithRedactedQuotes(t *testing.T) {
	a := newNamesAPI(t, 1, `{"clusters":[
		{"id":"0","name":"Offline Mode","description":"Using the app  without a connection."},
		{"id":"7","name":"ghost","description":"not asked about"}]}`)
	tg := namesTagger(t, a)
	names, usage, err := tg.NameClusters(t.Context(), []llm.Cluster{
		{Terms: []string{"offline", "connection"}, Quotes: []string{
			"Please let me read offline, mail me at jane.doe@example.com",
			"No signal on the train, call +44 20 7946 0958"}},
		{Terms: []string{"dark", "theme"}, Quotes: []string{"A dark theme please"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != (llm.ClusterName{Name: "offline-mode", Description: "Using the app without a connection."}) || names[1] != (llm.ClusterName{}) {
		t.Errorf("names %+v", names)
	}
	if usage.PromptTokens != 300 || usage.CompletionTokens != 40 {
		t.Errorf("usage %d/%d tokens, want the answered attempt's 300/40", usage.PromptTokens, usage.CompletionTokens)
	}
	if len(a.bodies) != 2 {
		t.Fatalf("%d requests, want the failed one and its retry", len(a.bodies))
	}
	body := a.bodies[1]
	for _, secret := range []string{"jane.doe@example.com", "7946 0958", "7946"} {
		if strings.Contains(body, secret) {
			t.Errorf("request body holds %q", secret)
		}
	}
	var req struct {
		ResponseFormat struct {
			JSONSchema struct {
				Name   string `json:"name"`
				Strict bool   `json:"strict"`
			} `json:"json_schema"`
		} `json:"response_format"`
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	if s := req.ResponseFormat.JSONSchema; s.Name != "cluster_names" || !s.Strict {
		t.Errorf("schema %+v, want the strict cluster_names schema", s)
	}
	if len(req.Messages) != 2 || !strings.Contains(req.Messages[1].Content, `"terms":["offline","connection"]`) ||
		!strings.Contains(req.Messages[1].Content, `"billing"`) {
		t.Errorf("user message %q lacks the terms or the taxonomy", req.Messages[len(req.Messages)-1].Content)
	}
}

func TestNameClustersFailsWhenEveryAttemptFails(t *testing.T) {
	a := newNamesAPI(t, 100, "")
	tg := namesTagger(t, a)
	if _, _, err := tg.NameClusters(t.Context(), []llm.Cluster{{Terms: []string{"x"}}}); err == nil {
		t.Fatal("no error although the server always failed")
	}
	if len(a.bodies) != 4 {
		t.Errorf("%d attempts, want 1 and 3 retries", len(a.bodies))
	}
}
