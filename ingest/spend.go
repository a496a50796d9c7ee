package ingest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// SpendBucket is the key-value bucket that counts the LLM tokens spent
// each UTC day by every worker and every `retag --llm` run.
const SpendBucket = "feedbackloop_llm_spend"

// spendHistory is how long a day's count is kept: long enough to read it
// back, short enough that the bucket stays a handful of keys.
const spendHistory = 8 * 24 * time.Hour

// maxSpendConflicts bounds the attempts of one Add that other processes'
// adds keep overtaking.
const maxSpendConflicts = 50

// Spend is the LLM tagger's shared count of tokens spent per UTC day (a
// key per day, its value a decimal count), so that llm.daily_token_budget
// holds for all processes together and across restarts, not for each
// process on its own.
type Spend struct {
	kv jetstream.KeyValue
}

// EnsureSpend creates the spend bucket when it is missing and returns it.
func EnsureSpend(ctx context.Context, js jetstream.JetStream, replicas int) (*Spend, error) {
	kv, err := js.CreateOrUpdateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      SpendBucket,
		Description: "Feedback Loop: LLM tokens spent per UTC day by all workers and retag runs",
		History:     1,
		TTL:         spendHistory,
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("spend bucket %s: %w", SpendBucket, err)
	}
	return &Spend{kv: kv}, nil
}

// Add adds tokens to the count of day (2006-01-02) and returns the new
// count; with 0 tokens it only reads it. Processes adding at once each
// add once: an add that another overtook reads the count again and
// retries. A value that is no count counts as 0, and an add replaces it.
func (s *Spend) Add(ctx context.Context, day string, tokens int) (int, error) {
	for attempt := range maxSpendConflicts {
		if attempt > 0 {
			// Overtaken: a pause of random length, growing, so that the
			// processes adding at once stop retrying in step.
			select {
			case <-time.After(time.Duration(rand.IntN(attempt+1)) * time.Millisecond):
			case <-ctx.Done():
				return 0, fmt.Errorf("spend bucket %s: add to %s: %w", SpendBucket, day, ctx.Err())
			}
		}
		e, err := s.kv.Get(ctx, day)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			if tokens == 0 {
				return 0, nil
			}
			_, err = s.kv.Create(ctx, day, []byte(strconv.Itoa(tokens)))
			if errors.Is(err, jetstream.ErrKeyExists) {
				continue // another process counted the day's first tokens
			}
			if err != nil {
				return 0, fmt.Errorf("spend bucket %s: create %s: %w", SpendBucket, day, err)
			}
			return tokens, nil
		}
		if err != nil {
			return 0, fmt.Errorf("spend bucket %s: get %s: %w", SpendBucket, day, err)
		}
		count, err := strconv.Atoi(string(e.Value()))
		if err != nil || count < 0 {
			// Written by hand, or damaged: no count to go by, and one that
			// stayed so would leave every process counting on its own. It
			// counts as 0 and the next add replaces it.
			count = 0
		}
		if tokens == 0 {
			return count, nil
		}
		_, err = s.kv.Update(ctx, day, []byte(strconv.Itoa(count+tokens)), e.Revision())
		if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			continue
		}
		if err != nil {
			return 0, fmt.Errorf("spend bucket %s: update %s: %w", SpendBucket, day, err)
		}
		return count + tokens, nil
	}
	return 0, fmt.Errorf("spend bucket %s: %s: overtaken by other processes' adds %d times", SpendBucket, day, maxSpendConflicts)
}
