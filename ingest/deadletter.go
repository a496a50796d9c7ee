package ingest

import (
	"context"
	"fmt"
	"strconv"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/feedback"
)

// Headers of a dead-lettered message. Feedback-Error and Feedback-Subject
// are part of the public contract; the others help whoever inspects it.
const (
	HeaderError    = "Feedback-Error"
	HeaderSubject  = "Feedback-Subject"
	HeaderField    = "Feedback-Field"
	HeaderDetail   = "Feedback-Detail"
	HeaderSequence = "Feedback-Stream-Sequence"
	HeaderMsgID    = "Feedback-Msg-Id"
)

// DeadLetters publishes messages that can never be stored to the
// dead-letter stream.
type DeadLetters struct {
	js jetstream.JetStream
}

// NewDeadLetters returns a DeadLetters publishing through js.
func NewDeadLetters(js jetstream.JetStream) *DeadLetters { return &DeadLetters{js: js} }

// DLQSubject is where a message that arrived on subject goes.
func DLQSubject(subject string) string {
	return DLQPrefix + "." + feedback.SubjectPrefix + "." + feedback.SourceOfSubject(subject)
}

// Send copies msg to dlq.feedback.<source> with the reason in its headers
// and waits for JetStream to store it. It does not terminate msg: the
// caller does that once Send returned nil, so a failed Send leaves msg to be
// redelivered rather than lost.
//
// The copy's Nats-Msg-Id is derived from the original stream sequence, so a
// message redelivered after a crash between Send and Term is stored once.
func (d *DeadLetters) Send(ctx context.Context, msg jetstream.Msg, verr *feedback.Error) error {
	meta, err := msg.Metadata()
	if err != nil {
		return fmt.Errorf("dead-letter: message metadata: %w", err)
	}
	out := nats.NewMsg(DLQSubject(msg.Subject()))
	out.Data = msg.Data()
	out.Header.Set(HeaderError, string(verr.Reason))
	out.Header.Set(HeaderSubject, msg.Subject())
	out.Header.Set(HeaderField, verr.Field)
	out.Header.Set(HeaderDetail, verr.Error())
	out.Header.Set(HeaderSequence, strconv.FormatUint(meta.Sequence.Stream, 10))
	if id := msg.Headers().Get(jetstream.MsgIDHeader); id != "" {
		out.Header.Set(HeaderMsgID, id)
	}
	out.Header.Set(jetstream.MsgIDHeader, "dlq:"+meta.Stream+":"+strconv.FormatUint(meta.Sequence.Stream, 10))
	if _, err := d.js.PublishMsg(ctx, out); err != nil {
		return fmt.Errorf("dead-letter to %s: %w", out.Subject, err)
	}
	return nil
}
