package config

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// LLM is the llm section: theme tagging by a large language model behind
// any OpenAI-compatible API (OpenAI, Azure OpenAI, Ollama, vLLM). It is off
// unless Enabled is set. With it on, items the offline tagger is not sure
// of (confidence below Threshold) go to the model; everything else, and
// everything the model cannot answer in time, within budget or at all,
// keeps the offline tagger's themes.
type LLM struct {
	Enabled bool `yaml:"enabled"`
	// BaseURL of the API, e.g. https://api.openai.com/v1,
	// http://127.0.0.1:11434/v1 (Ollama), or an Azure OpenAI resource
	// https://NAME.openai.azure.com with APIType azure.
	BaseURL string `yaml:"base_url" secret:"url"`
	// APIType is openai (every OpenAI-compatible server) or azure.
	APIType string `yaml:"api_type"`
	// APIVersion is Azure's api-version; ignored otherwise.
	APIVersion string `yaml:"api_version"`
	APIKey     string `yaml:"api_key" secret:"true"`
	// Model is the model name (Azure: the deployment name).
	Model string `yaml:"model"`
	// Threshold routes items: those whose offline answer is at least this
	// certain skip the model (enrich.Item.Certainty: a learned model's
	// probability that its themes, or its "no theme", are exactly right;
	// the keyword tagger's most confident theme, 0 for none).
	Threshold float64 `yaml:"threshold"`
	// OfflineLanguages are the languages the offline tagger reads (a YAML
	// list of tags, or comma-separated in FEEDBACKLOOP_LLM_OFFLINE_LANGUAGES):
	// an item in another, as its record says or as its words show, goes
	// to the model whatever its certainty. [en] by default, for the
	// bundled taxonomy's English keywords; add a language a trained model
	// reads; an empty list routes by certainty alone.
	OfflineLanguages []string `yaml:"offline_languages"`
	// BatchSize is how many items one request carries.
	BatchSize int `yaml:"batch_size"`
	// Concurrency bounds the requests in flight.
	Concurrency int `yaml:"concurrency"`
	// MaxWaiting bounds the enrichment calls that wait for the model at
	// the same time; the others keep offline themes, so that a slow model
	// never stalls the pipeline. A worker.concurrency that is set should be
	// above it (the worker lowers it to one below otherwise); left at 0,
	// the worker runs this many goroutines more than one per CPU (see
	// Config.EnrichGoroutines).
	MaxWaiting int `yaml:"max_waiting"`
	// Linger is how long the worker gathers arriving records into one
	// enrichment call, so that records that trickle in share requests:
	// each request pays for the instructions (about 1,200 tokens with the
	// bundled taxonomy) once, however many texts it holds. Under load a
	// call fills before. It adds up to Linger to every record's latency.
	Linger time.Duration `yaml:"linger"`
	// MaxWait bounds how long one enrichment call waits for the model,
	// retries included; unanswered items keep offline themes. It must be
	// well below nats.ack_wait.
	MaxWait time.Duration `yaml:"max_wait"`
	// RequestTimeout bounds one request.
	RequestTimeout time.Duration `yaml:"request_timeout"`
	// MaxRetries is how many times a failed request (429, 5xx, timeout,
	// unreadable answer) is retried.
	MaxRetries int `yaml:"max_retries"`
	// TokensPerMinute is the most tokens sent and received in any 60
	// seconds by all workers and retag runs together: each keeps to an
	// equal share, counting the others in NATS.
	TokensPerMinute int `yaml:"tokens_per_minute"`
	// DailyTokenBudget is the most tokens spent per UTC day by all workers
	// and retag runs together, counted in NATS (ingest.Spend); past it the
	// offline tagger tags everything until midnight. 0 means no budget.
	DailyTokenBudget int `yaml:"daily_token_budget"`
	// CacheSize is how many answers, by hash of the text, each worker
	// keeps in memory so that the same text never costs twice.
	CacheSize int `yaml:"cache_size"`
	// SharedCacheTTL is how long answers are kept in a NATS key-value
	// bucket that every worker reads and writes, so that a text one worker
	// paid for, or this one before a restart, is not paid for again. 0
	// turns the shared cache off.
	SharedCacheTTL time.Duration `yaml:"shared_cache_ttl"`
	// SharedCacheMaxBytes bounds the bucket; the oldest answers go first.
	SharedCacheMaxBytes ByteSize `yaml:"shared_cache_max_bytes"`
	// MaxTextChars bounds how much of one item's text is sent.
	MaxTextChars int `yaml:"max_text_chars"`
	// ContextTokens is the model's context window in tokens, prompt and
	// answer together, as the server runs it (Ollama's num_ctx or
	// OLLAMA_CONTEXT_LENGTH, vLLM's --max-model-len). Requests then ask
	// about no more texts than fit. 0 means not known: requests carry
	// BatchSize texts, and a server that refuses one as too long teaches
	// the worker its window.
	ContextTokens int `yaml:"context_tokens"`
}

func defaultLLM() LLM {
	return LLM{
		BaseURL:          "https://api.openai.com/v1",
		APIType:          "openai",
		APIVersion:       "2024-08-01-preview",
		Model:            "gpt-4o-mini",
		Threshold:        0.8,
		OfflineLanguages: []string{"en"},
		BatchSize:        20,
		Concurrency:      4,
		MaxWaiting:       4, // one for each request in flight (Concurrency)
		Linger:           time.Second,
		MaxWait:          10 * time.Second,
		RequestTimeout:   20 * time.Second,
		MaxRetries:       3,
		TokensPerMinute:  200_000,
		DailyTokenBudget: 2_000_000,
		CacheSize:        100_000,
		MaxTextChars:     2000,

		SharedCacheTTL:      30 * 24 * time.Hour,
		SharedCacheMaxBytes: 256 << 20,
	}
}

// languageTag is what a BCP 47 tag looks like, loosely: "en", "pt-BR",
// "zh_Hant".
var languageTag = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)

// IsLanguageTag reports whether s looks like a BCP 47 language tag, such
// as en, pt-BR or zh_Hant.
func IsLanguageTag(s string) bool { return languageTag.MatchString(s) }

// Languages returns OfflineLanguages with comma-separated entries split,
// as an environment variable sets them.
func (s *LLM) Languages() []string { return splitList(s.OfflineLanguages) }

func (s *LLM) validate() error {
	if !s.Enabled {
		return nil
	}
	if err := firstError(
		notEmpty("llm.base_url", s.BaseURL),
		httpURL("llm.base_url", s.BaseURL),
		oneOf("llm.api_type", s.APIType, "openai", "azure"),
		notEmpty("llm.model", s.Model),
		fraction("llm.threshold", s.Threshold),
		between("llm.batch_size", s.BatchSize, 1, 100),
		between("llm.concurrency", s.Concurrency, 1, 256),
		between("llm.max_waiting", s.MaxWaiting, 1, 256),
		atLeast("llm.max_wait", s.MaxWait, 100*time.Millisecond),
		durationBetween("llm.linger", s.Linger, 0, 10*time.Second),
		atLeast("llm.request_timeout", s.RequestTimeout, 100*time.Millisecond),
		between("llm.max_retries", s.MaxRetries, 0, 10),
		positive("llm.tokens_per_minute", s.TokensPerMinute),
		between("llm.daily_token_budget", s.DailyTokenBudget, 0, math.MaxInt),
		positive("llm.cache_size", s.CacheSize),
		between("llm.max_text_chars", s.MaxTextChars, 100, 100_000),
		contextTokens(s.ContextTokens),
	); err != nil {
		return err
	}
	for _, l := range s.Languages() {
		if !IsLanguageTag(l) {
			return bad("llm.offline_languages", l, "is not a language tag such as en or pt-BR")
		}
	}
	if s.SharedCacheTTL != 0 {
		if err := firstError(
			atLeast("llm.shared_cache_ttl", s.SharedCacheTTL, time.Minute),
			between("llm.shared_cache_max_bytes", int(s.SharedCacheMaxBytes), 1<<20, 1<<40),
		); err != nil {
			return err
		}
	}
	if err := s.checkEndpoint(); err != nil {
		return err
	}
	// Local servers (Ollama, vLLM) take no key; OpenAI and Azure refuse
	// every request without one, which would only show as a warning a
	// minute in the worker's log.
	if u, err := url.Parse(s.BaseURL); s.APIKey == "" && err == nil && (s.APIType == "azure" || u.Hostname() == "api.openai.com") {
		return bad("llm.api_key", "", "is required for %s (set it, or FEEDBACKLOOP_LLM_API_KEY)", u.Hostname())
	}
	if s.APIType == "azure" && s.APIVersion == "" {
		return bad("llm.api_version", s.APIVersion, "is required with llm.api_type azure")
	}
	return nil
}

// contextTokens checks llm.context_tokens: 0, not known, or a window
// that holds the instructions and a few texts.
func contextTokens(v int) error {
	if v != 0 && (v < 1024 || v > 100_000_000) {
		return bad("llm.context_tokens", v, "must be 0 (not known) or a model's context window, 1024 to 100000000 tokens")
	}
	return nil
}

// checkEndpoint refuses a base_url the client would append its paths to
// wrongly: the whole endpoint pasted from a provider's page, or OpenAI's
// own address under api_type azure. Such a worker would start, get 404
// for every request and tag everything offline.
func (s *LLM) checkEndpoint() error {
	u, err := url.Parse(s.BaseURL)
	if err != nil {
		return nil // httpURL has said so
	}
	path := strings.TrimRight(u.Path, "/")
	if s.APIType == "azure" {
		if u.Hostname() == "api.openai.com" {
			return bad("llm.base_url", RedactURL(s.BaseURL), "is OpenAI's; with llm.api_type azure set it to your resource, https://NAME.openai.azure.com")
		}
		// Azure's pages show the target URI: resource, deployment and
		// version in one.
		if i := strings.Index(path, "/openai"); i >= 0 {
			return bad("llm.base_url", RedactURL(s.BaseURL), "%s", azureHint(u, path, i))
		}
		return nil
	}
	// The same target URI without api_type azure: its deployment path
	// takes Azure's client. (Azure's OpenAI-style /openai/v1 works as is.)
	if i := strings.Index(path, "/openai/deployments/"); i >= 0 {
		return bad("llm.base_url", RedactURL(s.BaseURL), "is an Azure OpenAI deployment's address: set llm.api_type to azure, and %s", azureHint(u, path, i))
	}
	for _, endpoint := range []string{"/chat/completions", "/completions"} {
		if base, ok := strings.CutSuffix(path, endpoint); ok {
			return bad("llm.base_url", RedactURL(s.BaseURL), "names the endpoint; set the part before it, %s://%s%s (the client adds /chat/completions)", u.Scheme, u.Host, base)
		}
	}
	return nil
}

// azureHint says how to set an Azure OpenAI target URI u, whose path's
// "/openai" starts at path[i:], as the llm section takes it.
func azureHint(u *url.URL, path string, i int) string {
	hint := fmt.Sprintf("set it to the resource alone, %s://%s%s", u.Scheme, u.Host, path[:i])
	if rest, ok := strings.CutPrefix(path[i:], "/openai/deployments/"); ok {
		hint += fmt.Sprintf(", llm.model to the deployment, %q", strings.SplitN(rest, "/", 2)[0])
	}
	if v := u.Query().Get("api-version"); v != "" {
		hint += fmt.Sprintf(", and llm.api_version to %q", v)
	}
	return hint
}

func oneOf(key, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return bad(key, v, "must be one of %v", allowed)
}

func fraction(key string, v float64) error {
	if !(v >= 0 && v <= 1) { // NaN is neither
		return bad(key, fmt.Sprint(v), "must be between 0 and 1")
	}
	return nil
}
