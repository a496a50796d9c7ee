// Package bench holds the pipeline benchmarks `make bench` runs against
// real servers: an embedded NATS server and a private clickhouse-server.
//
//   - Throughput: 200,000 records of about 300 characters are published,
//     then consumed by the worker (validation, redaction, tagging,
//     sentiment, batching) and, in the same run, by a bare loop that only
//     fetches, decodes, inserts and acks. Both run as separate processes so
//     that the worker's peak resident memory can be read from /proc.
//   - Latency: records published at a steady rate, timed from the publish
//     call until a poll of ClickHouse's system.parts finds the part that
//     holds them.
//
// Figures are printed and, with FEEDBACKLOOP_BENCH_RECORD=1, written to
// the pipeline section of BENCHMARKS.md. The package has no non-test code.
package bench
