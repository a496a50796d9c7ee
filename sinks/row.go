package sinks

import (
	"time"
)

// Row is one row of the feedback table (see sinks/schema); the sink writes
// rows column by column.
type Row struct {
	ID, Source, Kind      string
	CreatedAt, IngestedAt time.Time
	// Version orders the versions of a record: of two rows of one id, the
	// table keeps the one with the higher Version (migration 0009). The
	// worker writes the time the stream stored the record's message, in
	// nanoseconds; IngestedAt is the same time in whole seconds, for
	// people. 0 writes what the column's default computes, IngestedAt's
	// second in nanoseconds, as for rows stored before the column existed.
	Version                               uint64
	Title, Body, URL, Language, Parent    string
	Tags                                  []string
	Rating                                *float64
	AuthorID, AuthorName, AuthorEmailHash string
	AccountID, AccountName, AccountPlan   string
	AccountARR                            float64
	MetadataKeys, MetadataValues          []string
	Themes                                []string
	ThemeConfidence                       []float32
	ThemeEvidence                         []string
	ThemeSentiment                        []float32
	Sentiment                             float32
	// SentimentBy is who judged Sentiment and ThemeSentiment: "" the
	// lexicon (or no one, for a language it does not read), "llm" the LLM
	// (migration 0007).
	SentimentBy                    string
	Tagger, Model                  string
	Routed                         bool
	PromptTokens, CompletionTokens uint32
	// ContractVersion is the message contract the record was written
	// under; 0 writes this build's (feedback.ContractVersion). Rows read
	// back (ClickHouse.Scan) carry theirs, so that rewriting one keeps it.
	ContractVersion uint8
	// RoutingUnknown marks a row read back that was written before
	// migration 0005, whose routed is NULL; rewriting it keeps the NULL.
	RoutingUnknown bool
	// Fingerprint is a hash of what a row read back (ClickHouse.Scan)
	// holds from its record; it is not written.
	Fingerprint uint64
}

// version is the version written for r: Version, or for 0 the second of
// IngestedAt in nanoseconds, as the column's default computes it.
func (r *Row) version() uint64 {
	if r.Version != 0 {
		return r.Version
	}
	return uint64(max(r.IngestedAt.Unix(), 0)) * uint64(time.Second)
}

// Size estimates the bytes a row takes on the wire, for the batch byte limit.
func (r *Row) Size() int {
	n := 96 + len(r.ID) + len(r.Source) + len(r.Kind) + len(r.Title) + len(r.Body) + len(r.URL) +
		len(r.Language) + len(r.Parent) + len(r.AuthorID) + len(r.AuthorName) + len(r.AuthorEmailHash) +
		len(r.AccountID) + len(r.AccountName) + len(r.AccountPlan) + len(r.Tagger) + len(r.Model) + len(r.SentimentBy)
	for _, group := range [][]string{r.Tags, r.MetadataKeys, r.MetadataValues, r.Themes, r.ThemeEvidence} {
		for _, s := range group {
			n += len(s) + 1
		}
	}
	return n + 8*len(r.Themes)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
