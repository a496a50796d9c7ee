package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// Within the duplicate window, JetStream drops a record published again
// unchanged (a retried publish, a poll that fetched it again), but keeps a
// changed one: a ticket edited at its source, a CSV imported again with
// corrected dates. With the id alone as Nats-Msg-Id, the change was lost.
func TestARecordChangedWithinTheDuplicateWindowIsNotDropped(t *testing.T) {
	srv := testenv.NATS(t)
	_, js := testenv.JetStream(t, srv.ClientURL())
	cfg := config.Default().NATS
	ctx := context.Background()
	if err := ingest.EnsureStreams(ctx, js, cfg); err != nil {
		t.Fatal(err)
	}
	pub := ingest.NewPublisher(js, 0)
	rec := func(created string, body string) *feedback.Record {
		at, err := time.Parse(time.RFC3339, created)
		if err != nil {
			t.Fatal(err)
		}
		return &feedback.Record{ID: "csv:1", Source: "csv", Kind: "survey", CreatedAt: at, Body: body}
	}
	for _, c := range []struct {
		name      string
		r         *feedback.Record
		duplicate bool
	}{
		{"first", rec("2025-03-04T00:00:00Z", "Export times out"), false},
		{"the same again", rec("2025-03-04T00:00:00Z", "Export times out"), true},
		{"another date", rec("2025-04-03T00:00:00Z", "Export times out"), false},
		{"another body", rec("2025-04-03T00:00:00Z", "Export times out on large files"), false},
	} {
		out, err := pub.Publish(ctx, []*feedback.Record{c.r})
		if err != nil || out[0].Err != nil {
			t.Fatalf("%s: %v %v", c.name, err, out[0].Err)
		}
		if out[0].Duplicate != c.duplicate {
			t.Errorf("%s: duplicate %v, want %v", c.name, out[0].Duplicate, c.duplicate)
		}
	}
	s, err := js.Stream(ctx, cfg.Stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != 3 {
		t.Errorf("stream holds %d messages, want 3", info.State.Msgs)
	}
}
