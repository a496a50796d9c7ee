// Package ingest is the NATS side of the pipeline: the connection, the
// FEEDBACK and FEEDBACK_DLQ streams, the worker's durable pull consumer, the
// dead-letter publisher, and the Publisher every producer (publish, import,
// intake, poll) sends records through.
//
// Nothing here acks a message on its own: the worker decides, after the
// insert holding the message returned.
package ingest
