package ingest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Publisher sends records to the feedback stream, each on
// feedback.<kind>.<source> with Nats-Msg-Id set to its id and a hash of
// its message (see MsgID), so that JetStream drops a republish of the same
// record within the stream's duplicate window, but not a changed one. It
// is safe for concurrent use.
type Publisher struct {
	js           jetstream.JetStream
	maxBodyBytes int
}

// NewPublisher returns a Publisher. Records with a body over maxBodyBytes
// (feedback.DefaultMaxBodyBytes when 0) are refused before they are sent.
func NewPublisher(js jetstream.JetStream, maxBodyBytes int) *Publisher {
	return &Publisher{js: js, maxBodyBytes: maxBodyBytes}
}

// Outcome is what happened to one record.
type Outcome struct {
	// Err is a *feedback.Error for an invalid record (never sent), or the
	// publish failure. Nil means JetStream stored the record or already had it.
	Err error
	// Duplicate is true when JetStream already held this record, with the
	// same message, within its duplicate window (see MsgID).
	Duplicate bool
}

// Message encodes a record as the NATS message the contract describes.
func Message(r *feedback.Record) (*nats.Msg, error) {
	data, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode record %s: %w", r.ID, err)
	}
	msg := nats.NewMsg(feedback.Subject(r))
	msg.Data = data
	msg.Header.Set(jetstream.MsgIDHeader, MsgID(r.ID, data))
	return msg, nil
}

// MsgID is the Nats-Msg-Id of a record's message: its id, '#', and the
// first 16 hex digits of the SHA-256 of the message. A retried publish, or
// a poll that fetched an unchanged record again, repeats it and JetStream
// drops the copy; a record edited at its source, or imported again with
// corrected dates, within the duplicate window has a new one and gets
// through. (With the id alone, such an update was dropped as a duplicate.)
func MsgID(id string, data []byte) string {
	sum := sha256.Sum256(data)
	return id + "#" + hex.EncodeToString(sum[:8])
}

// Publish validates recs, sends the valid ones and waits until JetStream
// acknowledged each: when it returns, every record with a nil Err is
// durable. outcomes[i] belongs to recs[i]. The error is non-nil only when
// ctx ended before all acknowledgements arrived.
func (p *Publisher) Publish(ctx context.Context, recs []*feedback.Record) ([]Outcome, error) {
	outcomes := make([]Outcome, len(recs))
	futures := make([]jetstream.PubAckFuture, len(recs))
	for i, r := range recs {
		if err := r.ValidateLimit(p.maxBodyBytes); err != nil {
			outcomes[i].Err = err
			continue
		}
		msg, err := Message(r)
		if err != nil {
			outcomes[i].Err = err
			continue
		}
		f, err := p.js.PublishMsgAsync(msg)
		if err != nil {
			outcomes[i].Err = fmt.Errorf("publish %s: %w", r.ID, err)
			continue
		}
		futures[i] = f
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			outcomes[i].Duplicate = ack.Duplicate
		case err := <-f.Err():
			outcomes[i].Err = fmt.Errorf("publish %s: %w", recs[i].ID, err)
		case <-ctx.Done():
			return outcomes, ctx.Err()
		}
	}
	return outcomes, nil
}
