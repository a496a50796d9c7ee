package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// AnswerBucket is the key-value bucket that holds the LLM's answers for
// every worker.
const AnswerBucket = "feedbackloop_llm_answers"

// Answers is the LLM tagger's shared cache: a JetStream key-value bucket
// in which every worker finds what any worker, before or after a restart,
// already paid the LLM for. Entries expire after the bucket's TTL and the
// oldest go first when it is full.
type Answers struct {
	kv jetstream.KeyValue
}

// EnsureAnswers creates the answer bucket when it is missing, or updates
// its TTL and size to ttl and maxBytes, and returns it.
func EnsureAnswers(ctx context.Context, js jetstream.JetStream, ttl time.Duration, maxBytes int64, replicas int) (*Answers, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      AnswerBucket,
		Description: "Feedback Loop: the LLM tagger's answers by hash of model, prompt and text",
		History:     1,
		TTL:         ttl,
		MaxBytes:    maxBytes,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("answer bucket %s: %w", AnswerBucket, err)
	}
	return &Answers{kv: kv}, nil
}

// Get returns the answer stored under key; ok is false when there is none.
func (a *Answers) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	e, err := a.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, fmt.Errorf("answer bucket %s: get %s: %w", AnswerBucket, key, err)
	}
	return e.Value(), true, nil
}

// Put stores value under key.
func (a *Answers) Put(ctx context.Context, key string, value []byte) error {
	if _, err := a.kv.Put(ctx, key, value); err != nil {
		return fmt.Errorf("answer bucket %s: put %s: %w", AnswerBucket, key, err)
	}
	return nil
}
