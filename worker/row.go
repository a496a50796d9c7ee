package worker

import (
	"sort"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// RowOf flattens an enriched item into a row, the version of its record
// stored at stored: the row's Version is that time in nanoseconds and its
// IngestedAt that time's second. The item's record must have passed
// validation and redaction: RowOf copies what it is given.
func RowOf(it *enrich.Item, stored time.Time) sinks.Row {
	r := it.Record
	row := sinks.Row{
		ID: r.ID, Source: r.Source, Kind: r.Kind,
		CreatedAt: r.CreatedAt, IngestedAt: stored.UTC().Truncate(time.Second), Version: uint64(max(stored.UnixNano(), 0)),
		Title: r.Title, Body: r.Body, URL: r.URL, Language: r.Language, Parent: r.Parent,
		Tags: r.Tags, Rating: r.Rating,
		AuthorEmailHash:  it.AuthorEmailHash,
		Sentiment:        float32(it.Sentiment),
		SentimentBy:      it.SentimentBy,
		Tagger:           it.Tagger,
		Model:            it.Model,
		Routed:           it.Routed,
		PromptTokens:     uint32(it.PromptTokens),
		CompletionTokens: uint32(it.CompletionTokens),
	}
	if a := r.Author; a != nil {
		row.AuthorID, row.AuthorName = a.ID, a.Name
	}
	if a := r.Account; a != nil {
		row.AccountID, row.AccountName, row.AccountPlan, row.AccountARR = a.ID, a.Name, a.Plan, a.ARR
	}
	row.MetadataKeys, row.MetadataValues = flattenMetadata(r.Metadata)
	n := len(it.Themes)
	row.Themes = make([]string, n)
	row.ThemeConfidence = make([]float32, n)
	row.ThemeEvidence = make([]string, n)
	row.ThemeSentiment = make([]float32, n)
	for i, t := range it.Themes {
		row.Themes[i] = t.Name
		row.ThemeConfidence[i] = float32(t.Confidence)
		row.ThemeEvidence[i] = t.Evidence
		row.ThemeSentiment[i] = float32(t.Sentiment)
	}
	return row
}

func flattenMetadata(m map[string]string) (keys, values []string) {
	keys = make([]string, 0, len(m))
	values = make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		values = append(values, m[k])
	}
	return keys, values
}
