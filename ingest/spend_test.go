package ingest_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/testenv"
)

// Workers add to the day's count at once, each through its own
// connection: every add counts once, whichever overtakes which.
func TestConcurrentAddsToTheSpendCountEachCountOnce(t *testing.T) {
	ctx := context.Background()
	const workers, adds = 6, 40
	spend, js := atOnce(t, workers, adds, func(w int, spend *ingest.Spend) error {
		_, _, err := spend.Add(ctx, "2026-12-07", w+1)
		return err
	})
	want := adds * workers * (workers + 1) / 2
	if got, err := spend.Spent(ctx, "2026-12-07"); err != nil || got != want {
		t.Errorf("count %d (%v), want %d", got, err, want)
	}
	if got, err := spend.Spent(ctx, "2026-12-08"); err != nil || got != 0 {
		t.Errorf("a day nothing was spent on counts %d (%v), want 0", got, err)
	}

	kv, err := js.KeyValue(ctx, ingest.SpendBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kv.Put(ctx, "2026-12-09", []byte("lots")); err != nil {
		t.Fatal(err)
	}
	// A damaged count counts as 0, and the next add replaces it.
	if got, err := spend.Spent(ctx, "2026-12-09"); err != nil || got != 0 {
		t.Errorf("reading a damaged count: %d (%v), want 0", got, err)
	}
	if got, _, err := spend.Add(ctx, "2026-12-09", 5); err != nil || got != 5 {
		t.Errorf("adding to a damaged count: %d (%v), want 5", got, err)
	}
	if e, err := kv.Get(ctx, "2026-12-09"); err != nil || string(e.Value()) != "5" {
		t.Errorf("the damaged count was not replaced: %v", err)
	}
}

// Workers reserve at once against one limit: together they reserve as
// much as fits and no more, and what a reservation did not spend can be
// given back.
func TestConcurrentReservationsStayWithinTheLimit(t *testing.T) {
	ctx := context.Background()
	const workers, tries, tokens, limit = 6, 40, 7, 1000
	var granted atomic.Int32
	spend, _ := atOnce(t, workers, tries, func(_ int, spend *ingest.Spend) error {
		count, _, ok, err := spend.Reserve(ctx, "2026-12-07", tokens, limit)
		switch {
		case err != nil:
			return err
		case count > limit:
			return fmt.Errorf("a reservation returned the count %d, past the limit %d", count, limit)
		case ok:
			granted.Add(1)
		}
		return nil
	})
	if n := int(granted.Load()); n != limit/tokens {
		t.Errorf("%d reservations of %d granted, want the %d that fit %d", n, tokens, limit/tokens, limit)
	}
	if got, err := spend.Spent(ctx, "2026-12-07"); err != nil || got != limit/tokens*tokens {
		t.Errorf("count %d (%v), want %d", got, err, limit/tokens*tokens)
	}
	// Given back: a request that cost less than it reserved.
	if got, _, err := spend.Add(ctx, "2026-12-07", -2000); err != nil || got != 0 {
		t.Errorf("taking off more than the count holds: %d (%v), want 0", got, err)
	}
	if _, _, ok, err := spend.Reserve(ctx, "2026-12-07", limit, limit); err != nil || !ok {
		t.Errorf("a reservation of the whole limit once the count is 0: granted %v (%v)", ok, err)
	}
}

// atOnce runs fn times times in each of workers goroutines, each with a
// connection of its own to one NATS server, as workers would, and fails
// the test on any error fn returns. It returns the spend count and
// JetStream of another connection, to read what they did.
func atOnce(t *testing.T, workers, times int, fn func(w int, spend *ingest.Spend) error) (*ingest.Spend, jetstream.JetStream) {
	t.Helper()
	srv := testenv.NATS(t)
	connect := func() (*ingest.Spend, jetstream.JetStream) {
		_, js := testenv.JetStream(t, srv.ClientURL())
		spend, err := ingest.EnsureSpend(context.Background(), js, 1)
		if err != nil {
			t.Fatal(err)
		}
		return spend, js
	}
	var wg sync.WaitGroup
	errs := make(chan error, workers*times)
	for w := range workers {
		spend, _ := connect()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range times {
				if err := fn(w, spend); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return connect()
}
