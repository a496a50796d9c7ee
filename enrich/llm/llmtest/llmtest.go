// Package llmtest speaks the OpenAI chat-completions shapes the LLM tagger
// uses, for the local fake servers of tests: it reads the items out of a
// tagging request and writes a completion that answers them.
package llmtest

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Item is one text of a tagging request.
type Item struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// Theme is one theme of an answer, as the tagger's schema asks for it.
type Theme struct {
	Name       string  `json:"name"`
	Evidence   string  `json:"evidence"`
	Confidence float64 `json:"confidence"`
	// Sentiment of the evidence about the theme, in [-1, 1]; left out of
	// the answer when nil, as a model may leave it out.
	Sentiment *float64 `json:"sentiment,omitempty"`
}

// Felt returns a sentiment for Theme.Sentiment or Answer.Sentiment.
func Felt(s float64) *float64 { return &s }

// Answer is the model's answer for one item.
type Answer struct {
	ID string `json:"id"`
	// Sentiment of the whole item; left out when nil.
	Sentiment *float64 `json:"sentiment,omitempty"`
	Themes    []Theme  `json:"themes"`
}

// Items returns the items of a tagging request's body: the user message,
// the second of two, holds {"items":[{"id","text"}]}.
func Items(body []byte) ([]Item, error) {
	var req struct {
		Messages []struct {
			Content string `json:"content"`
		} `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("body is not JSON: %w", err)
	}
	if len(req.Messages) != 2 {
		return nil, fmt.Errorf("%d messages, want a system and a user message", len(req.Messages))
	}
	var user struct {
		Items []Item `json:"items"`
	}
	if err := json.Unmarshal([]byte(req.Messages[1].Content), &user); err != nil || len(user.Items) == 0 {
		return nil, errors.New(`the user message is not {"items":[...]}`)
	}
	return user.Items, nil
}

// Content is the message content that answers with answers; an answer
// without themes says "no theme".
func Content(answers []Answer) string {
	for i := range answers {
		if answers[i].Themes == nil {
			answers[i].Themes = []Theme{}
		}
	}
	b, _ := json.Marshal(struct {
		Items []Answer `json:"items"`
	}{answers})
	return string(b)
}

// WriteCompletion writes a chat completion by model whose message is
// content, billing the given tokens.
func WriteCompletion(w http.ResponseWriter, model, content string, promptTokens, completionTokens int) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"id": "chatcmpl-test", "object": "chat.completion", "created": 1, "model": model,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": content}}},
		"usage": map[string]any{"prompt_tokens": promptTokens, "completion_tokens": completionTokens,
			"total_tokens": promptTokens + completionTokens},
	})
}
