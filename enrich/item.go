package enrich

import (
	"context"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Item is one record moving through enrichment together with what the
// stages learned about it. Stages fill their own fields and leave the rest.
//
// Items are owned by the caller of a stage; a stage may keep no reference to
// an Item after it returns.
type Item struct {
	Record *feedback.Record

	// Themes holds the themes the tagger assigned, parents included,
	// most confident first.
	Themes []Theme
	// SetConfidence is the tagger's probability that Themes is exactly
	// right: these themes apply and no other does (for an empty Themes,
	// that no theme applies). 0 when the tagger cannot say, as the keyword
	// and LLM taggers cannot; see Certainty.
	SetConfidence float64
	// Sentiment of the whole record in [-1, 1].
	Sentiment float64
	// SentimentBy says who judged Sentiment and that of Themes: "" for
	// the lexicon (see Sentiment), or for no one when the record is in a
	// language the lexicon does not read; "llm" when the LLM tagger did,
	// which it sets on the items it judged, whole and theme by theme. The
	// sentiment stage keeps the LLM's judgement only for a record the
	// lexicon does not read, and clears SentimentBy when it scores.
	SentimentBy string

	// Tagger names the tagger that produced Themes ("keywords", "learned",
	// "llm", ...), Model the model it used if any.
	Tagger string
	Model  string
	// Routed is set by hybrid routing (llm.Hybrid) on the items it sent
	// on to the model because the offline tagger was unsure of them,
	// whether or not the model answered (Tagger says which did).
	Routed bool
	// Tokens an LLM tagger spent on this item (its share of a batched request).
	PromptTokens     int
	CompletionTokens int
	// FromCache says the LLM tagger answered from its cache, spending
	// nothing now: the tokens above are then what the answer cost when this
	// record first asked for it (0 for another record with the same text).
	FromCache bool

	// AuthorEmailHash is the keyed hash of the author's e-mail address;
	// the address itself is cleared from Record by redaction.
	AuthorEmailHash string

	// words are the words of Record a tagger found, kept for the stages
	// after it (see keepWords); chainDepth counts the Chain.Enrich calls
	// the item is in, which may keep words only while it is above zero.
	words      *keptWords
	chainDepth int32
}

// ByLLM is Item.SentimentBy (and the column sentiment_by) for a sentiment
// the LLM tagger judged.
const ByLLM = "llm"

// Certainty is how sure the tagger is of the item's themes as a whole:
// SetConfidence when the tagger gave one, else the confidence of the most
// confident theme (0 when there is none). Hybrid routing compares it with
// its threshold.
func (it *Item) Certainty() float64 {
	if it.SetConfidence > 0 {
		return it.SetConfidence
	}
	best := 0.0
	for _, th := range it.Themes {
		best = max(best, th.Confidence)
	}
	return best
}

// Theme is one theme assigned to an item.
type Theme struct {
	Name string
	// Confidence in [0, 1] that the theme applies.
	Confidence float64
	// Evidence is the sentence or passage of the record that supports the
	// theme; empty when the tagger cannot point at one.
	Evidence string
	// Sentiment of Evidence in [-1, 1].
	Sentiment float64
}

// Tagger assigns themes to items. Implementations set Item.Themes,
// Item.Tagger and Item.SetConfidence (0 when they cannot say) on every item
// they tag; an item they could not tag keeps whatever it had. Tag returns
// an error only for a failure that a retry may fix (a remote model that is
// down); it must be safe for concurrent use.
type Tagger interface {
	Tag(ctx context.Context, items []*Item) error
}

// Stage is one step of enrichment: redaction, tagging, sentiment. A Stage
// must be safe for concurrent use.
type Stage interface {
	Enrich(ctx context.Context, items []*Item) error
}

// StageFunc adapts a function to Stage.
type StageFunc func(ctx context.Context, items []*Item) error

// Enrich calls f.
func (f StageFunc) Enrich(ctx context.Context, items []*Item) error { return f(ctx, items) }

// Chain runs stages in order and stops at the first error.
//
// Within one call, stages share what is costly to compute twice: the
// tagger's words of each record are kept on the Item for sentiment (see
// keepWords). What is shared is released when the call returns, and no
// stage's result depends on it.
type Chain []Stage

// Enrich runs every stage of the chain.
func (c Chain) Enrich(ctx context.Context, items []*Item) error {
	enterChain(items)
	defer leaveChain(items)
	for _, s := range c {
		if err := s.Enrich(ctx, items); err != nil {
			return err
		}
	}
	return nil
}

// TagStage makes a Tagger a Stage.
func TagStage(t Tagger) Stage { return StageFunc(t.Tag) }
