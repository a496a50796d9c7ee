package feedback

import (
	"time"
)

// ContractVersion is the version of the message contract described in
// README.md ("Message contract").
const ContractVersion = 1

// Kinds lists the values accepted in a record's kind field.
var Kinds = []string{"ticket", "interview", "forum", "review", "survey", "chat", "other"}

// Record is one item of customer feedback as producers publish it.
//
// A Record built in Go and marshalled with encoding/json is a valid message
// when [Record.Validate] returns nil.
type Record struct {
	// ID is stable per source item, e.g. "zendesk:48213". It is the
	// deduplication key all the way to ClickHouse.
	ID string `json:"id"`
	// Source names where the record came from: [a-z0-9_-]{1,64}.
	Source string `json:"source"`
	// Kind is one of [Kinds].
	Kind string `json:"kind"`
	// CreatedAt is when the customer wrote it, as the source reports it.
	CreatedAt time.Time `json:"created_at"`
	// Body is the feedback text: non-empty, valid UTF-8.
	Body string `json:"body"`

	Title    string   `json:"title,omitempty"`
	URL      string   `json:"url,omitempty"`
	Language string   `json:"language,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	// Rating is a source score where there is one (CSAT, stars, NPS).
	Rating *float64 `json:"rating,omitempty"`
	// Parent is the id of the record this one is a part of, e.g. the
	// interview a passage was cut from, or the ticket a comment belongs to.
	Parent   string            `json:"parent,omitempty"`
	Author   *Author           `json:"author,omitempty"`
	Account  *Account          `json:"account,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// Author is the person who wrote the feedback.
type Author struct {
	ID    string `json:"id,omitempty"`
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// Account is the customer organisation the author belongs to.
type Account struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Plan string `json:"plan,omitempty"`
	// ARR is the account's yearly recurring revenue, in the team's currency.
	ARR float64 `json:"arr,omitempty"`
}
