// Package llm tags themes with a large language model behind any
// OpenAI-compatible chat completions API (OpenAI, Azure OpenAI, Ollama,
// vLLM), at a cost the operator controls, and routes to it only the items
// an offline tagger is unsure of.
//
// [Tagger] sends several items per request, asks for the answer through a
// JSON schema whose only allowed theme names are the taxonomy's, and checks
// every name on return: names outside the taxonomy are dropped and counted.
// Identical texts are answered once (a cache keyed by a hash of the text).
// Requests are bounded by a concurrency limit, a tokens-per-minute limit
// and a daily token budget, retried with backoff that honours Retry-After
// on 429 and 5xx, and each attempt has a timeout. A request that failed
// because of what it asked together (an answer cut off at the output
// limit, a prompt longer than the context, a content filter's refusal) is
// not retried but asked again in halves, so that one text cannot cost the
// others their answers. Requests hold no more texts than fit the model's
// context window when it is known: configured (Options.ContextTokens),
// named by a server that refused a prompt as too long, or shown by the
// token count of a prompt a server cut without a word (Ollama), which is
// then asked about again.
//
// The pipeline never waits on the model for long: a Tag call waits at most
// MaxWait, at most MaxWaiting calls wait at the same time, and a call that
// finds the model busy, cooling down after a long Retry-After, or out of
// budget does not ask it at all. Items the model did not answer keep the
// themes they had, which is what makes [Hybrid] (offline first, the model
// for the unsure rest) a fallback as well as a router. Tag never fails for
// the model's sake; it returns an error only when its context ends.
//
// Text leaves the process only as the redacted title and body of a record:
// the worker's Redactor runs before tagging, and Tagger applies
// [enrich.RedactOutgoing] before building a request, so that an e-mail
// address or phone number cannot reach the model even if a chain is built
// in the wrong order, nor one written in a way that the stored text's
// redaction, which keeps what it cannot tell from a contact detail, lets
// through: the model is sent no run of seven digits or more.
//
// [Tagger.NameClusters] reuses the same client, limits and retries to name
// clusters of feedback no theme fitted (theme discovery); their quotes are
// redacted the same way.
package llm
