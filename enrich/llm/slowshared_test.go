package llm_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
)

// slowShared is a shared cache whose lookups and claims take delay
// each, as a NATS server far away or under load does.
type slowShared struct {
	*ingest.Answers
	delay time.Duration
}

func (s slowShared) wait(ctx context.Context) error {
	select {
	case <-time.After(s.delay):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s slowShared) Get(ctx context.Context, key string) ([]byte, bool, error) {
	if err := s.wait(ctx); err != nil {
		return nil, false, err
	}
	return s.Answers.Get(ctx, key)
}

func (s slowShared) Claim(ctx context.Context, key string, until time.Time) (bool, error) {
	if err := s.wait(ctx); err != nil {
		return false, err
	}
	return s.Answers.Claim(ctx, key, until)
}

// A round of texts, half of them answered already by another worker, on a
// shared cache with 160 ms round trips: the answered half is not paid for
// again. Before claims, the 80 lookups (16 at a time) took 0.8 s of the
// 1 s they may take; a claim for each of the 40 new texts is one more
// round trip within the same second, so the lookups of the answered texts
// run out of time and those texts are asked about again, unclaimed.
func TestAnsweredTextsAreNotAskedAgainWhenTheSharedCacheIsSlow(t *testing.T) {
	shared, _ := answers(t)
	f := newFakeAPI(t, taxonomy(t).Names(), nil)
	var fresh, answered []string
	for i := range 40 {
		fresh = append(fresh, fmt.Sprintf("The export to CSV fails on report %d", i))
		answered = append(answered, fmt.Sprintf("I want a refund for order %d", i))
	}
	first, _ := newTagger(t, f, func(o *llm.Options) { o.Shared = shared })
	if err := first.Tag(t.Context(), offlineItems(answered...)); err != nil {
		t.Fatal(err)
	}
	before := 0
	for _, n := range f.requestSizes() {
		before += n
	}
	if before != len(answered) {
		t.Fatalf("first tagger asked about %d texts, want %d", before, len(answered))
	}
	second, m := newTagger(t, f, func(o *llm.Options) {
		o.Shared = slowShared{Answers: shared, delay: 160 * time.Millisecond}
		o.BatchSize, o.Concurrency = 20, 4 // the defaults: one round holds 80 texts
	})
	if err := second.Tag(t.Context(), offlineItems(append(fresh, answered...)...)); err != nil {
		t.Fatal(err)
	}
	asked := -before
	for _, n := range f.requestSizes() {
		asked += n
	}
	if asked != len(fresh) {
		t.Errorf("second tagger asked about %d texts, want the %d new ones only (%v items took the shared answer)",
			asked, len(fresh), count(m.Items.WithLabelValues("shared")))
	}
}
