// Package worker runs the pipeline's main loop: fetch feedback messages
// from the durable consumer, decode and validate them, dead-letter the ones
// that can never be stored, enrich the rest, hand them to the batcher, and
// ack each message only after the insert holding it committed.
//
// Ownership: Run owns every goroutine it starts and returns only after
// they all stopped. A message is in exactly one of these states while Run
// holds it: being processed, waiting in the batcher, being written, or
// settled (acked, nacked for a later retry, or terminated after a
// successful dead-letter publish).
package worker
