package ingest

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/feedback"
)

// Subjects captured by the two streams.
const (
	FeedbackSubjects = feedback.SubjectPrefix + ".>"
	DLQPrefix        = "dlq"
	DLQSubjects      = DLQPrefix + ".>"
)

// EnsureStreams creates the feedback stream and the dead-letter stream when
// they are missing. Existing streams are left as their operators configured
// them, as long as they capture the contract's subjects.
func EnsureStreams(ctx context.Context, js jetstream.JetStream, cfg config.NATS) error {
	streams := []jetstream.StreamConfig{
		{
			Name:        cfg.Stream,
			Description: "Feedback records, message contract v1 (feedback.<kind>.<source>)",
			Subjects:    []string{FeedbackSubjects},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      cfg.MaxAge,
			Duplicates:  cfg.DuplicateWindow,
			Replicas:    cfg.Replicas,
		},
		{
			Name:        cfg.DLQStream,
			Description: "Feedback messages that can never be stored, with the reason in Feedback-Error",
			Subjects:    []string{DLQSubjects},
			Storage:     jetstream.FileStorage,
			Retention:   jetstream.LimitsPolicy,
			MaxAge:      cfg.DLQMaxAge,
			Duplicates:  cfg.DuplicateWindow,
			Replicas:    cfg.Replicas,
		},
	}
	for _, sc := range streams {
		s, err := js.Stream(ctx, sc.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			if _, err := js.CreateStream(ctx, sc); err != nil && !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
				return fmt.Errorf("create stream %s: %w", sc.Name, err)
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("look up stream %s: %w", sc.Name, err)
		}
		if got := s.CachedInfo().Config.Subjects; !slices.Contains(got, sc.Subjects[0]) {
			return fmt.Errorf("stream %s exists with subjects %v; it must capture %s", sc.Name, got, sc.Subjects[0])
		}
	}
	return nil
}

// EnsureConsumer creates or updates the worker's durable pull consumer.
// Acks are explicit and delivery is unlimited: a message is redelivered
// until it is stored or terminated as poison, never dropped by a count.
func EnsureConsumer(ctx context.Context, js jetstream.JetStream, cfg config.NATS) (jetstream.Consumer, error) {
	c, err := js.CreateOrUpdateConsumer(ctx, cfg.Stream, jetstream.ConsumerConfig{
		Durable:       cfg.Consumer,
		Description:   "Feedback Loop workers: validate, enrich, store in ClickHouse",
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		MaxAckPending: cfg.MaxAckPending,
		MaxDeliver:    -1,
		FilterSubject: FeedbackSubjects,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	})
	if err != nil {
		return nil, fmt.Errorf("consumer %s on stream %s: %w", cfg.Consumer, cfg.Stream, err)
	}
	return c, nil
}
