// Package enrich turns validated feedback records into what the insights
// need: redacted text, themes from a taxonomy, sentiment, and a keyed hash
// in place of the author's e-mail address.
//
// Enrichment is a [Chain] of [Stage]s over batches of [Item]s. Stages never
// ack or nak messages and never talk to NATS or ClickHouse; the worker owns
// that. Taggers meet the rest at the [Tagger] interface so that the keyword
// tagger, the learned tagger and the LLM tagger can be swapped or combined
// by wrappers (fallback, hybrid routing) without the worker knowing.
//
// The offline stages need nothing outside the process and run in this
// order: [Redactor] removes e-mail addresses, phone and card numbers and
// keys the author's address into a hash; [KeywordTagger] tags themes from a
// [Taxonomy] (the bundled [DefaultTaxonomy] or a YAML file read by
// [LoadTaxonomy]); [Sentiment] scores the record and each theme's
// evidence. Together they cost a few microseconds per record
// (BenchmarkEnrichChain), so they can run on every record the worker sees.
package enrich
