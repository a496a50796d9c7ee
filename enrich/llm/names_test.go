package llm_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich/llm"
)

// namesAPI is the fake API for cluster naming: it fails the first
// failures requests with a 500, then answers with content.
func namesAPI(t *testing.T, failures int, content string) *fakeAPI {
	return newFakeAPI(t, taxonomy(t).Names(), func(n int, _ *chatRequest) reply {
		if n < failures {
			return reply{status: http.StatusInternalServerError, body: `{"error":{"message":"overloaded","type":"server_error"}}`}
		}
		return reply{content: content}
	})
}

// Clusters are named in one request through a strict schema, after a
// server error is retried; quotes leave the process redacted; names come
// back in the taxonomy's style, and a cluster the model skipped is left
// unnamed for the caller.
// An id may come back as a number; one that was not asked about is
// ignored.
func TestNameClustersAsksOnceWithRedactedQuotes(t *testing.T) {
	f := namesAPI(t, 1, `{"clusters":[
		{"id":"0","name":"Offline Mode","description":"Using the app  without a connection."},
		{"id":1,"name":"Dark theme","description":"A darker look."},
		{"id":"7","name":"ghost","description":"not asked about"}]}`)
	tg, _ := newTagger(t, f)
	names, usage, err := tg.NameClusters(t.Context(), []llm.Cluster{
		{Terms: []string{"offline", "connection"}, Quotes: []string{
			"Please let me read offline, mail me at jane.doe@example.com",
			"No signal on the train, call +44 20 7946 0958"}},
		{Terms: []string{"dark", "theme"}, Quotes: []string{"A dark theme please"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 2 || names[0] != (llm.ClusterName{Name: "offline-mode", Description: "Using the app without a connection."}) || names[1] != (llm.ClusterName{Name: "dark-theme", Description: "A darker look."}) {
		t.Errorf("names %+v", names)
	}
	if usage.PromptTokens != 120 || usage.CompletionTokens != 14 { // what the fake charges for 2 clusters
		t.Errorf("usage %d/%d tokens, want the answered attempt's 120/14", usage.PromptTokens, usage.CompletionTokens)
	}
	f.verify()
	bodies := f.requests()
	if len(bodies) != 2 {
		t.Fatalf("%d requests, want the failed one and its retry", len(bodies))
	}
	body := bodies[1]
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
	f := namesAPI(t, 100, "")
	tg, _ := newTagger(t, f)
	if _, _, err := tg.NameClusters(t.Context(), []llm.Cluster{{Terms: []string{"x"}}}); err == nil {
		t.Fatal("no error although the server always failed")
	}
	f.verify()
	if n := len(f.requests()); n != 4 {
		t.Errorf("%d attempts, want 1 and 3 retries", n)
	}
}
