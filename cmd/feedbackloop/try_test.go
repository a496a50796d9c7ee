package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feedbackloop/feedbackloop/enrich/llm/llmtest"
)

type triedJSON struct {
	Texts []struct {
		Text, Stored, Tagger, Language string
		Line                           int
		Guessed                        bool   `json:"language_guessed"`
		SentimentBy                    string `json:"sentiment_by"`
		Routed                         bool
		Certainty                      float64
		PromptTokens                   int `json:"prompt_tokens"`
		Themes                         []struct {
			Name, Evidence string
			Confidence     float64
		}
	}
	LLMFallbacks map[string]int `json:"llm_fallbacks"`
}

func tryJSON(t *testing.T, args ...string) triedJSON {
	t.Helper()
	stdout, stderr, err := execute(t, context.Background(), append([]string{"tagger", "try", "--format", "json"}, args...)...)
	if err != nil {
		t.Fatalf("tagger try %v: %v\n%s", args, err, stderr)
	}
	var out triedJSON
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	return out
}

// tagger try runs the worker's chain on texts from the command line or a
// file, and shows what a worker would store: the themes with their
// evidence, the redacted text, the language it guessed, and whether the
// lexicon scored the sentiment.
func TestTaggerTryShowsWhatTheWorkerWouldStore(t *testing.T) {
	tax, _, _ := taggerFiles(t)
	out := tryJSON(t, "--taxonomy", tax,
		"Slow again, mail me at jane@example.com", "total gridlock", "Die App ist fast immer langsam und die Rechnung ist falsch")
	if len(out.Texts) != 3 {
		t.Fatalf("%d texts, want 3", len(out.Texts))
	}
	first, second, german := out.Texts[0], out.Texts[1], out.Texts[2]
	if strings.Contains(first.Stored, "jane@example.com") || !strings.Contains(first.Stored, "[email]") || first.Text != "Slow again, mail me at jane@example.com" {
		t.Errorf("text %q stored as %q, want the address redacted", first.Text, first.Stored)
	}
	if len(second.Themes) != 1 || second.Themes[0].Name != "speed" || second.Themes[0].Evidence != "total gridlock" || second.Tagger != "keywords" || second.Certainty != 0.5 {
		t.Errorf("second text: %+v, want speed from the keyword, with its evidence", second)
	}
	if german.Language != "de" || !german.Guessed || german.SentimentBy != "none" || first.SentimentBy != "lexicon" {
		t.Errorf("german %+v, first %+v: want German guessed and not scored, English scored by the lexicon", german, first)
	}
	if out.LLMFallbacks != nil {
		t.Errorf("llm_fallbacks %v without the LLM", out.LLMFallbacks)
	}

	// A file: one text a line, blank lines skipped, line numbers kept.
	file := filepath.Join(t.TempDir(), "texts.txt")
	if err := os.WriteFile(file, []byte("total gridlock\n\n   \nlove it\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	table, _, err := execute(t, context.Background(), "tagger", "try", "--taxonomy", tax, "--file", file)
	if err != nil || !strings.Contains(table, "1 (line 1): total gridlock") || !strings.Contains(table, "2 (line 4): love it") ||
		!strings.Contains(table, "speed") || !strings.Contains(table, "no theme") {
		t.Errorf("table (%v):\n%s", err, table)
	}

	for _, args := range [][]string{{}, {"--file", file, "a text"}, {"--format", "yaml", "a"}, {"--language", "xx_!!", "a"}, {"a", " "}} {
		if _, _, err := execute(t, context.Background(), append([]string{"tagger", "try", "--taxonomy", tax}, args...)...); err == nil {
			t.Errorf("tagger try %q: no error", args)
		}
	}
}

// With the LLM on, tagger try shows what it answered and what that cost,
// and counts what it did not answer, by reason: here a text a content
// filter refuses.
func TestTaggerTryShowsWhatTheLLMDid(t *testing.T) {
	tax, _, _ := taggerFiles(t)
	configureLLM(t, answeringItems(func(w http.ResponseWriter, items []llmtest.Item) {
		answers := make([]llmtest.Answer, len(items))
		for i, it := range items {
			if strings.Contains(it.Text, "burn") {
				w.WriteHeader(http.StatusBadRequest)
				_, _ = io.WriteString(w, `{"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400}}`)
				return
			}
			answers[i] = llmtest.Answer{ID: it.ID, Sentiment: llmtest.Felt(-0.5),
				Themes: []llmtest.Theme{{Name: "billing", Evidence: "charged", Confidence: 0.9, Sentiment: llmtest.Felt(-0.5)}}}
		}
		llmtest.WriteCompletion(w, "test-model", llmtest.Content(answers), 1000, 7*len(items))
	}))
	t.Setenv("FEEDBACKLOOP_LLM_THRESHOLD", "1") // every text goes to the LLM: no offline answer is certain
	out := tryJSON(t, "--taxonomy", tax, "I was charged twice", "I will burn your office down")
	charged, burn := out.Texts[0], out.Texts[1]
	if !charged.Routed || charged.Tagger != "llm" || charged.PromptTokens == 0 || len(charged.Themes) != 1 || charged.Themes[0].Name != "billing" || charged.SentimentBy != "lexicon" {
		t.Errorf("charged: %+v, want billing from the LLM, its tokens, and the lexicon's sentiment for English", charged)
	}
	if !burn.Routed || burn.Tagger != "keywords" || out.LLMFallbacks["filtered"] != 1 {
		t.Errorf("burn: %+v, fallbacks %v: want it routed, tagged offline, counted as filtered", burn, out.LLMFallbacks)
	}
	table, _, err := execute(t, context.Background(), "tagger", "try", "--taxonomy", tax, "I was charged twice", "I will burn your office down")
	if err != nil || !strings.Contains(table, "LLM: answered") || !strings.Contains(table, "LLM: 2 of 2 texts routed to it, 1 answered; not answered: filtered 1") {
		t.Errorf("table (%v):\n%s", err, table)
	}

	// More texts than one round of requests: each is still answered.
	t.Setenv("FEEDBACKLOOP_LLM_BATCH_SIZE", "2")
	t.Setenv("FEEDBACKLOOP_LLM_CONCURRENCY", "1")
	many := make([]string, 9)
	for i := range many {
		many[i] = fmt.Sprintf("I was charged twice (%d)", i)
	}
	out = tryJSON(t, append([]string{"--taxonomy", tax}, many...)...)
	for i, r := range out.Texts {
		if r.Tagger != "llm" {
			t.Errorf("text %d of 9, in rounds of 2: tagger %s, want every text answered (fallbacks %v)", i, r.Tagger, out.LLMFallbacks)
		}
	}
}

// eval --llm asks about every routed text, round after round. When
// answers for a whole batch do not fit the server's output limit, the
// tagger asks about fewer texts a request from then on, and its rounds
// hold fewer: every text is still answered, none is left as "busy".
func TestTaggerEvalWithTheLLMFollowsSmallerBatches(t *testing.T) {
	tax, train, _ := taggerFiles(t)
	configureLLM(t, answeringItems(func(w http.ResponseWriter, items []llmtest.Item) {
		answers := make([]llmtest.Answer, len(items))
		for i, it := range items {
			answers[i] = llmtest.Answer{ID: it.ID, Sentiment: llmtest.Felt(0)}
		}
		content := llmtest.Content(answers)
		finish := "stop"
		if len(items) > 2 { // the server's output limit fits two answers
			content, finish = content[:len(content)/2], "length"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"id": "x", "object": "chat.completion", "created": 1, "model": "test-model",
			"choices": []any{map[string]any{"index": 0, "finish_reason": finish, "message": map[string]any{"role": "assistant", "content": content}}},
			"usage":   map[string]any{"prompt_tokens": 400, "completion_tokens": 10, "total_tokens": 410},
		})
	}))
	t.Setenv("FEEDBACKLOOP_LLM_BATCH_SIZE", "4")
	t.Setenv("FEEDBACKLOOP_LLM_CONCURRENCY", "1")
	t.Setenv("FEEDBACKLOOP_LLM_THRESHOLD", "1")
	stdout, stderr, err := execute(t, context.Background(), "tagger", "eval", "--format", "json", "--taxonomy", tax, "--train", train, "--test", train, "--llm")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var report struct {
		N   int `json:"n"`
		LLM struct {
			Routed, Answered int
			Fallbacks        map[string]int
		} `json:"llm"`
	}
	if err := json.Unmarshal([]byte(stdout), &report); err != nil {
		t.Fatalf("%v: %s", err, stdout)
	}
	if report.LLM.Routed != report.N || report.LLM.Answered != report.N || len(report.LLM.Fallbacks) != 0 {
		t.Errorf("llm %+v of %d texts: want every text answered", report.LLM, report.N)
	}
}
