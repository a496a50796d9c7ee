package llm

import (
	"errors"
	"net/http"
	"time"

	"go.uber.org/zap"

	"github.com/feedbackloop/feedbackloop/config"
)

// Options configure a Tagger. Zero values take the defaults noted.
type Options struct {
	// BaseURL of an OpenAI-compatible API, e.g. https://api.openai.com/v1.
	BaseURL string
	// APIType is "openai" (the default: every OpenAI-compatible server)
	// or "azure", which also needs APIVersion.
	APIType    string
	APIVersion string
	APIKey     string
	// Model is the model name, or Azure's deployment name. Required.
	Model string

	// BatchSize is the number of items per request (20).
	BatchSize int
	// Concurrency bounds requests in flight (4).
	Concurrency int
	// MaxWaiting bounds Tag calls waiting for the model at once (4);
	// others do not ask it.
	MaxWaiting int
	// MaxWait bounds one Tag call's wait for the model, retries included
	// (10s).
	MaxWait time.Duration
	// RequestTimeout bounds one attempt (20s).
	RequestTimeout time.Duration
	// MaxRetries after the first attempt (3); negative means none.
	MaxRetries int
	// TokensPerMinute limits the tokens sent and received (200,000), by
	// this process, or with Peers by all of them together.
	TokensPerMinute int
	// Peers, when set, counts the processes that ask the LLM together,
	// and each keeps to its share of TokensPerMinute (see Peers); nil
	// means the limit is this process's alone.
	Peers Peers
	// DailyTokenBudget is the most tokens per UTC day; 0 means no budget.
	DailyTokenBudget int
	// CacheSize is the number of answers kept by text hash (100,000).
	CacheSize int
	// Shared, when set, is a cache every worker reads and writes (see
	// SharedCache); nil means each Tagger remembers only its own answers.
	Shared SharedCache
	// Spend, when set, counts the tokens every process spent today, so
	// that DailyTokenBudget holds for them together and across restarts
	// (see SpendLedger); nil means the budget is this process's alone.
	Spend SpendLedger
	// MaxTextChars bounds each item's text in a request (2,000 bytes).
	MaxTextChars int
	// ContextTokens is the model's context window, prompt and answer
	// together; 0 means not known. Requests ask about no more texts than
	// fit it (see Tagger.pack). A server that refuses a prompt as too
	// long narrows it.
	ContextTokens int
	// EveryRound makes one Tag call ask about all its texts, one round of
	// requests after another, each waiting up to MaxWait. Without it a
	// call asks one round and leaves the rest to the offline tagger, as a
	// worker that must keep flowing needs; with it, a measurement or a
	// trial gets every answer the model gives.
	EveryRound bool

	// HTTPClient sends the requests; nil means a new http.Client.
	HTTPClient *http.Client
	// Metrics, when set, receives the Prometheus series.
	Metrics *Metrics
	// Log receives warnings (a model that ignores the schema, a budget
	// used up); nil means none.
	Log *zap.Logger
	// Now is the clock of the daily budget; nil means time.Now.
	Now func() time.Time
	// RetryInitial is the first backoff between attempts without a
	// Retry-After (250ms); it doubles with jitter.
	RetryInitial time.Duration
}

// Patient sets o for a one-off command that waits for every answer
// (tagger eval --llm, tagger try, themes retag --llm), not a pipeline that
// must flow: a call asks about all its texts (EveryRound), one call at a
// time, each round waiting at least patientWait, retries included.
func (o *Options) Patient() {
	o.EveryRound, o.MaxWaiting = true, 1
	o.MaxWait = max(o.MaxWait, patientWait)
}

// patientWait is the least a patient round waits for its answers.
const patientWait = 2 * time.Minute

func (o *Options) setDefaults() {
	if o.APIType == "" {
		o.APIType = "openai"
	}
	if o.BatchSize == 0 {
		o.BatchSize = 20
	}
	if o.Concurrency == 0 {
		o.Concurrency = 4
	}
	if o.MaxWaiting == 0 {
		o.MaxWaiting = 4
	}
	if o.MaxWait == 0 {
		o.MaxWait = 10 * time.Second
	}
	if o.RequestTimeout == 0 {
		o.RequestTimeout = 20 * time.Second
	}
	if o.MaxRetries == 0 {
		o.MaxRetries = 3
	}
	if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.TokensPerMinute == 0 {
		o.TokensPerMinute = 200_000
	}
	if o.CacheSize == 0 {
		o.CacheSize = 100_000
	}
	if o.MaxTextChars == 0 {
		o.MaxTextChars = 2000
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Log == nil {
		o.Log = zap.NewNop()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.RetryInitial == 0 {
		o.RetryInitial = 250 * time.Millisecond
	}
}

func (o *Options) validate() error {
	switch {
	case o.BaseURL == "":
		return errors.New("llm: BaseURL is required")
	case o.Model == "":
		return errors.New("llm: Model is required")
	case o.APIType != "openai" && o.APIType != "azure":
		return errors.New(`llm: APIType must be "openai" or "azure"`)
	case o.APIType == "azure" && o.APIVersion == "":
		return errors.New("llm: APIVersion is required for Azure")
	case o.BatchSize < 1 || o.Concurrency < 1 || o.MaxWaiting < 1 || o.TokensPerMinute < 1 || o.CacheSize < 1:
		return errors.New("llm: BatchSize, Concurrency, MaxWaiting, TokensPerMinute and CacheSize must be positive")
	case o.DailyTokenBudget < 0 || o.ContextTokens < 0:
		return errors.New("llm: DailyTokenBudget and ContextTokens must not be negative")
	}
	return nil
}

// OptionsFrom maps the llm section of the configuration onto Options;
// the caller adds Metrics, Log and what else it needs.
func OptionsFrom(lc config.LLM) Options {
	retries := lc.MaxRetries
	if retries == 0 {
		retries = -1 // the configuration's 0 means no retries; Options reads 0 as "the default"
	}
	return Options{
		BaseURL: lc.BaseURL, APIType: lc.APIType, APIVersion: lc.APIVersion, APIKey: lc.APIKey, Model: lc.Model,
		BatchSize: lc.BatchSize, Concurrency: lc.Concurrency, MaxWaiting: lc.MaxWaiting,
		MaxWait: lc.MaxWait, RequestTimeout: lc.RequestTimeout, MaxRetries: retries,
		TokensPerMinute: lc.TokensPerMinute, DailyTokenBudget: lc.DailyTokenBudget,
		CacheSize: lc.CacheSize, MaxTextChars: lc.MaxTextChars, ContextTokens: lc.ContextTokens,
	}
}
