// Package ingest is the NATS side of the pipeline: the connection, the
// FEEDBACK and FEEDBACK_DLQ streams, the worker's durable pull consumer, the
// dead-letter publisher, the Publisher every producer (publish, import,
// intake, poll) sends records through, and Answers, the key-value bucket in
// which workers share the LLM's answers.
//
// Nothing here acks a message on its own: the worker decides, after the
// insert holding the message returned.
package ingest
