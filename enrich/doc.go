// Package enrich turns validated feedback records into what the insights
// need: redacted text, themes from a taxonomy, sentiment, and a keyed hash
// in place of the author's e-mail address.
//
// Enrichment is a [Chain] of [Stage]s over batches of [Item]s. Stages never
// ack or nak messages and never talk to NATS or ClickHouse; the worker owns
// that. Taggers meet the rest at the [Tagger] interface so that the keyword
// tagger, the learned tagger and the LLM tagger can be swapped or combined
// by wrappers (fallback, hybrid routing) without the worker knowing.
package enrich
