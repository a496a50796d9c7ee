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

// OpenSpend returns the spend bucket when it exists; the error wraps
// jetstream.ErrBucketNotFound when no process has counted tokens yet.
func OpenSpend(ctx context.Context, js jetstream.JetStream) (*Spend, error) {
	kv, err := js.KeyValue(ctx, SpendBucket)
	if err != nil {
		return nil, fmt.Errorf("spend bucket %s: %w", SpendBucket, err)
	}
	return &Spend{kv: kv}, nil
}

// SpendKeptDays is how many UTC days, today included, the spend bucket
// keeps a day's count.
const SpendKeptDays = int(spendHistory / (24 * time.Hour))

// Add adds tokens to the count of day (2006-01-02), or takes them off
// when negative, and returns the new count and its revision; with 0
// tokens it only reads them. Processes adding at once each add once: an
// add that another overtook reads the count again and retries. A value
// that is no count counts as 0, and an add replaces it. The count does not
// go below 0.
func (s *Spend) Add(ctx context.Context, day string, tokens int) (int, uint64, error) {
	count, rev, _, err := s.change(ctx, day, tokens, 0)
	return count, rev, err
}

// Spent reads the count of day.
func (s *Spend) Spent(ctx context.Context, day string) (int, error) {
	count, _, err := s.Add(ctx, day, 0)
	return count, err
}

// Reserve adds tokens to the count of day unless the count would pass
// limit. Then it adds nothing, reports false, and returns the count as it
// read it. Reading and adding are one step, so that processes reserving
// at once cannot all fit into what is left.
func (s *Spend) Reserve(ctx context.Context, day string, tokens, limit int) (int, uint64, bool, error) {
	return s.change(ctx, day, tokens, limit)
}

// change is Add, refused when limit > 0 and the new count would pass it.
func (s *Spend) change(ctx context.Context, day string, tokens, limit int) (int, uint64, bool, error) {
	for attempt := range maxSpendConflicts {
		if attempt > 0 {
			// Overtaken: a pause of random length, growing, so that the
			// processes adding at once stop retrying in step.
			select {
			case <-time.After(time.Duration(rand.IntN(attempt+1)) * time.Millisecond):
			case <-ctx.Done():
				return 0, 0, false, fmt.Errorf("spend bucket %s: add to %s: %w", SpendBucket, day, ctx.Err())
			}
		}
		count, rev := 0, uint64(0)
		e, err := s.kv.Get(ctx, day)
		switch {
		case errors.Is(err, jetstream.ErrKeyNotFound):
		case err != nil:
			return 0, 0, false, fmt.Errorf("spend bucket %s: get %s: %w", SpendBucket, day, err)
		default:
			rev = e.Revision()
			if count, err = strconv.Atoi(string(e.Value())); err != nil || count < 0 {
				// Written by hand, or damaged: no count to go by, and one
				// that stayed so would leave every process counting on
				// its own. It counts as 0 and the next add replaces it.
				count = 0
			}
		}
		next := max(count+tokens, 0)
		if tokens == 0 || rev == 0 && next == 0 {
			return count, rev, true, nil // a read, or nothing to take off
		}
		if limit > 0 && tokens > 0 && next > limit {
			return count, rev, false, nil
		}
		value := []byte(strconv.Itoa(next))
		if rev == 0 {
			rev, err = s.kv.Create(ctx, day, value)
			if errors.Is(err, jetstream.ErrKeyExists) {
				continue // another process counted the day's first tokens
			}
		} else {
			rev, err = s.kv.Update(ctx, day, value, rev)
			if errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
				continue
			}
		}
		if err != nil {
			return 0, 0, false, fmt.Errorf("spend bucket %s: write %s: %w", SpendBucket, day, err)
		}
		return next, rev, true, nil
	}
	return 0, 0, false, fmt.Errorf("spend bucket %s: %s: overtaken by other processes' adds %d times", SpendBucket, day, maxSpendConflicts)
}
