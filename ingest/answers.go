package ingest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
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

// opError names the bucket, the operation and the key of a failure.
func opError(op, key string, err error) error {
	return fmt.Errorf("answer bucket %s: %s %s: %w", AnswerBucket, op, key, err)
}

// Get returns the answer stored under key; ok is false when there is none
// (a claim is none).
func (a *Answers) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	e, err := a.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, opError("get", key, err)
	}
	if _, claim := claimedUntil(e.Value()); claim {
		return nil, false, nil
	}
	return e.Value(), true, nil
}

// Put stores value under key.
func (a *Answers) Put(ctx context.Context, key string, value []byte) error {
	if _, err := a.kv.Put(ctx, key, value); err != nil {
		return opError("put", key, err)
	}
	return nil
}

// A claim is what a worker stores under an answer's key while it asks the
// LLM about the text, so that the other workers wait for its answer
// instead of paying for the text again; the answer, once in, replaces it.
// It names the time after which its worker has given up: a claim left by
// a worker that failed or stopped is taken over after that. Its value is
// not JSON, so that a worker from before claims existed reads it as an
// unreadable answer and asks, as it always did.
const claimPrefix = "claim:"

func claimValue(until time.Time) []byte {
	return strconv.AppendInt([]byte(claimPrefix), until.UnixNano(), 10)
}

// claimedUntil returns when the claim v expires, and false when v is not a
// claim.
func claimedUntil(v []byte) (time.Time, bool) {
	s, ok := bytes.CutPrefix(v, []byte(claimPrefix))
	if !ok {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(string(s), 10, 64)
	if err != nil {
		return time.Time{}, true // unreadable: expired
	}
	return time.Unix(0, n), true
}

// Claim tells the other workers that the caller is asking about the text
// of key until the time until, and reports true; or reports false when
// the key holds an answer or another worker's claim that has not expired.
// An expired claim is taken over; of two workers taking it over at once
// one gets it.
func (a *Answers) Claim(ctx context.Context, key string, until time.Time) (bool, error) {
	// A key held when Create tried and gone when Get looks (released, or
	// expired with the bucket's TTL) is tried again, a few times: whoever
	// keeps changing it is asking about the text.
	for range 3 {
		_, err := a.kv.Create(ctx, key, claimValue(until))
		if err == nil {
			return true, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) {
			return false, opError("claim", key, err)
		}
		e, err := a.kv.Get(ctx, key)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
			continue
		case err != nil:
			return false, opError("claim", key, err)
		}
		if expires, claim := claimedUntil(e.Value()); !claim || time.Now().Before(expires) {
			return false, nil
		}
		_, err = a.kv.Update(ctx, key, claimValue(until), e.Revision())
		switch {
		case err == nil:
			return true, nil
		case errors.Is(err, jetstream.ErrKeyRevisionMismatch):
			return false, nil // another worker took it over, or answered
		}
		return false, opError("claim", key, err)
	}
	return false, nil
}

// Release withdraws the claim on key made until until, when it is still
// there: its worker got no answer to share, and those waiting for one
// need not wait. Another worker's claim, or an answer, stays.
func (a *Answers) Release(ctx context.Context, key string, until time.Time) error {
	e, err := a.kv.Get(ctx, key)
	switch {
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil
	case err != nil:
		return opError("release", key, err)
	}
	if !bytes.Equal(e.Value(), claimValue(until)) {
		return nil
	}
	err = a.kv.Delete(ctx, key, jetstream.LastRevision(e.Revision()))
	if err != nil && !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
		return opError("release", key, err)
	}
	return nil
}

// Await calls found with each answer stored under keys, as it is or as it
// comes in, or with nil when the key's claim is withdrawn (Release), until
// every key had one or ctx ends. Claims are not answers.
func (a *Answers) Await(ctx context.Context, keys []string, found func(key string, value []byte)) error {
	if len(keys) == 0 {
		return nil
	}
	// WatchFiltered writes the bucket's prefix into the slice it is given.
	w, err := a.kv.WatchFiltered(ctx, slices.Clone(keys))
	if err != nil {
		return fmt.Errorf("answer bucket %s: watch: %w", AnswerBucket, err)
	}
	defer w.Stop()
	left := make(map[string]bool, len(keys))
	for _, k := range keys {
		left[k] = true
	}
	for len(left) > 0 {
		select {
		case <-ctx.Done():
			return nil
		case e, ok := <-w.Updates():
			if !ok {
				return nil
			}
			if e == nil { // the values stored when the watch began are all in
				continue
			}
			if !left[e.Key()] {
				continue
			}
			switch e.Operation() {
			case jetstream.KeyValueDelete, jetstream.KeyValuePurge:
				delete(left, e.Key())
				found(e.Key(), nil)
			case jetstream.KeyValuePut:
				if _, claim := claimedUntil(e.Value()); !claim {
					delete(left, e.Key())
					found(e.Key(), e.Value())
				}
			}
		}
	}
	return nil
}
