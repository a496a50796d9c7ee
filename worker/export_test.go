package worker

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
)

// SlowSpendAdds makes the workers started after it wait, before each add
// to the day's shared token count (reservations are left alone), for as
// long as the returned function last set; zero at first. It lasts until
// the test ends.
func SlowSpendAdds(t testing.TB) (set func(time.Duration)) {
	var delay atomic.Int64
	old := spendLedger
	spendLedger = func(s *ingest.Spend) llm.SpendLedger { return slowAdds{s, &delay} }
	t.Cleanup(func() { spendLedger = old })
	return func(d time.Duration) { delay.Store(int64(d)) }
}

type slowAdds struct {
	*ingest.Spend
	delay *atomic.Int64
}

func (s slowAdds) Add(ctx context.Context, day string, tokens int) (int, uint64, error) {
	if tokens != 0 {
		select {
		case <-time.After(time.Duration(s.delay.Load())):
		case <-ctx.Done():
			return 0, 0, ctx.Err()
		}
	}
	return s.Spend.Add(ctx, day, tokens)
}
