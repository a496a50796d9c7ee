package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	openai "github.com/sashabaranov/go-openai"

	"github.com/feedbackloop/feedbackloop/enrich"
)

// Cluster is what the model is shown of one cluster of feedback that no
// theme fitted: its most telling words and a few quotes.
type Cluster struct {
	Terms  []string
	Quotes []string
}

// ClusterName is the model's proposal for one cluster: a theme name in the
// taxonomy's style and one sentence that says what it covers.
type ClusterName struct {
	Name        string
	Description string
}

// maxQuotesPerCluster and maxQuoteChars bound what one cluster adds to the
// request: enough to name it, little to pay for.
const (
	maxQuotesPerCluster = 5
	maxQuoteChars       = 300
)

const namesSystem = `You name clusters of customer feedback that no theme of a product
taxonomy fitted, so that the team can add them as new themes. Each cluster
comes with its most telling words and a few customer quotes. For each
cluster give a theme name of one to four lower-case words joined by
hyphens (like "offline-mode" or "invoice-currency") that says what the
customers talk about, and one plain sentence describing what the theme
covers. Do not reuse a name of the existing taxonomy. Clusters about the
same subject get the same name: they are shown together.

The input is JSON {"taxonomy":[names...],"clusters":[{"id":...,"terms":[...],"quotes":[...]}]}.
Answer with JSON only, one entry per id, in this shape:
{"clusters":[{"id":"0","name":"<theme-name>","description":"<one sentence>"}]}`

var namesSchema = json.RawMessage(`{"type":"object","properties":{"clusters":{"type":"array","items":{"type":"object","properties":{"id":{"type":"string"},"name":{"type":"string"},"description":{"type":"string"}},"required":["id","name","description"],"additionalProperties":false}}},"required":["clusters"],"additionalProperties":false}`)

// NameClusters asks the model, in one request, to name each cluster. Quotes
// are redacted again and cut short before they leave the process; the
// tokens-per-minute limit and the daily budget apply as for tagging, and
// so do retries. A cluster the model skipped or answered with an empty
// name gets an empty ClusterName, for the caller to name offline. It
// fails when the API is paused or the budget spent, or when no attempt
// succeeded: an answer that names no cluster at all is no success.
func (t *Tagger) NameClusters(ctx context.Context, clusters []Cluster) ([]ClusterName, openai.Usage, error) {
	if len(clusters) == 0 {
		return nil, openai.Usage{}, nil
	}
	type in struct {
		ID     string   `json:"id"`
		Terms  []string `json:"terms"`
		Quotes []string `json:"quotes"`
	}
	msg := struct {
		Taxonomy []string `json:"taxonomy"`
		Clusters []in     `json:"clusters"`
	}{Taxonomy: t.names}
	for i, c := range clusters {
		item := in{ID: strconv.Itoa(i), Terms: c.Terms, Quotes: []string{}}
		for _, q := range c.Quotes[:min(len(c.Quotes), maxQuotesPerCluster)] {
			item.Quotes = append(item.Quotes, t.quote(q))
		}
		msg.Clusters = append(msg.Clusters, item)
	}
	user, err := json.Marshal(msg)
	if err != nil {
		return nil, openai.Usage{}, err
	}
	if reason := t.closed(); reason != "" {
		return nil, openai.Usage{}, fmt.Errorf("LLM not asked: %s", reason)
	}
	names := make([]ClusterName, len(clusters))
	estimate := len(namesSystem)/4 + len(user)/4 + 40*len(clusters)
	usage, err := t.metered(ctx, estimate, func(m *meter) (openai.Usage, error) {
		return t.ask(ctx, m, namesSystem, string(user), "cluster_names", namesSchema, func(resp openai.ChatCompletionResponse) error {
			return parseNames(resp, names)
		})
	})
	switch {
	case errors.Is(err, errBudget), errors.Is(err, errRateLimit):
		return nil, usage, fmt.Errorf("LLM not asked: %w", err)
	case err != nil:
		return nil, usage, err
	}
	return names, usage, nil
}

// quote is what is sent of one quote: redacted and cut to maxQuoteChars.
func (t *Tagger) quote(q string) string {
	return cutAt(t.text("", q), maxQuoteChars)
}

// parseNames fills names from the model's answer.
func parseNames(resp openai.ChatCompletionResponse, names []ClusterName) error {
	if len(resp.Choices) == 0 {
		return errors.New("answer has no choices")
	}
	var a struct {
		Clusters []struct {
			ID          looseID `json:"id"`
			Name        string  `json:"name"`
			Description string  `json:"description"`
		} `json:"clusters"`
	}
	if err := json.Unmarshal([]byte(answerJSON(resp.Choices[0].Message.Content)), &a); err != nil {
		return fmt.Errorf("answer is not the JSON asked for: %w", err)
	}
	clear(names) // what a failed attempt before this one set
	named := 0
	for _, c := range a.Clusters {
		i, err := strconv.Atoi(string(c.ID))
		if err != nil || i < 0 || i >= len(names) {
			continue // a cluster that was not asked about
		}
		names[i] = ClusterName{Name: enrich.NameKey(c.Name), Description: oneLine(c.Description)}
		if names[i].Name != "" {
			named++
		}
	}
	if named == 0 {
		return fmt.Errorf("the answer named no cluster of the %d asked about", len(names))
	}
	return nil
}
