package llm

import (
	"context"
	"sync"
	"time"

	"go.uber.org/zap"
)

// SpendLedger counts the tokens that every process spent each UTC day:
// with one, the daily budget holds for all workers and retag runs
// together and across restarts (ingest.Spend keeps it in NATS).
type SpendLedger interface {
	// Add adds tokens to the count of day (2006-01-02) and returns the
	// new count; with 0 tokens it only reads it.
	Add(ctx context.Context, day string, tokens int) (int, error)
}

const (
	// ledgerStartWait bounds the read of the day's count when a Tagger is
	// made: what was spent before a restart counts from the first request.
	ledgerStartWait = 2 * time.Second
	// ledgerReadWait bounds the read before each request. A slower ledger
	// is not waited for: the request goes by the count read last.
	ledgerReadWait = 100 * time.Millisecond
	// ledgerAddWait bounds one add, which runs beside the requests.
	ledgerAddWait = 5 * time.Second
)

// ledgerBackoff is how long a ledger that failed is left alone: no request
// waits for one that is down. A variable for the tests.
var ledgerBackoff = 10 * time.Second

// budget is a daily token allowance. Requests reserve their estimated
// tokens before they are sent and settle the difference when the answer
// says what they cost, so that concurrent requests cannot overshoot the
// allowance by more than one estimate's error each. The day is the UTC
// day.
//
// Without a ledger the allowance is this process's and starts afresh with
// it. With one, each request reads the day's count of every process
// before it reserves (waiting ledgerReadWait at most), and what requests
// cost is added to it in the background: the processes together
// overshoot by what their requests in flight at once, and the adds not yet
// made, spend beyond the allowance. Tokens spent while the ledger fails
// count here and are added once it works again.
type budget struct {
	limit  int // 0: no limit
	now    func() time.Time
	ledger SpendLedger // nil: this process only
	log    *zap.Logger

	mu       sync.Mutex
	day      string
	shared   int       // the ledger's count of the day, as last read or added to (this process's own without a ledger)
	unsynced int       // spent here today and not yet added to the ledger
	adding   int       // being added now
	reserved int       // reserved by requests in flight
	failedAt time.Time // when the ledger last failed; zero while it works
	warned   bool      // the failure was logged
}

func newBudget(limit int, now func() time.Time, ledger SpendLedger, log *zap.Logger) *budget {
	b := &budget{limit: limit, now: now, ledger: ledger, log: log}
	if limit > 0 && ledger != nil {
		ctx, cancel := context.WithTimeout(context.Background(), ledgerStartWait)
		b.read(ctx) // what was spent today before this process started
		cancel()
	}
	return b
}

// rollover starts a new day when the date changed. Callers hold mu.
// Requests in flight keep their reservations: they settle on the new day.
// Yesterday's tokens not yet added are left out of the ledger: they no
// longer count against anything.
func (b *budget) rollover() {
	if d := b.now().UTC().Format(time.DateOnly); d != b.day {
		b.day, b.shared, b.unsynced, b.adding = d, 0, 0, 0
	}
}

// used is what today's allowance has paid for, as this process knows it.
// Callers hold mu.
func (b *budget) used() int { return b.shared + b.unsynced + b.adding + b.reserved }

// reserve takes n tokens from today's allowance, or reports false when
// they are not there.
func (b *budget) reserve(ctx context.Context, n int) bool {
	if b.limit == 0 {
		return true
	}
	if b.ledger != nil {
		rctx, cancel := context.WithTimeout(ctx, ledgerReadWait)
		b.read(rctx) // what the other processes spent meanwhile
		cancel()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	if b.used()+n > b.limit {
		return false
	}
	b.reserved += n
	return true
}

// settle replaces a reservation of reserved tokens by what was spent, and
// has it added to the ledger.
func (b *budget) settle(reserved, spent int) {
	if b.limit == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	b.reserved = max(b.reserved-reserved, 0)
	if b.ledger == nil {
		b.shared += spent
		return
	}
	b.unsynced += spent
	b.startAdd()
}

// startAdd adds the tokens not yet added to the ledger, in the background,
// unless an add is under way or the ledger failed a moment ago (the next
// settle after that tries again). Callers hold mu.
func (b *budget) startAdd() {
	if b.adding > 0 || b.unsynced == 0 || b.backingOff() {
		return
	}
	day, n := b.day, b.unsynced
	b.adding, b.unsynced = n, 0
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), ledgerAddWait)
		total, err := b.ledger.Add(ctx, day, n)
		cancel()
		b.mu.Lock()
		defer b.mu.Unlock()
		if day != b.day {
			return // the day ended meanwhile; its count no longer matters here
		}
		b.adding = 0
		if err != nil {
			b.unsynced += n
			b.failed(err)
			return
		}
		b.recovered(total)
		// total holds these tokens, and shared any that a read saw after
		// they were added: the larger is the count, with no token twice.
		b.shared = max(b.shared, total)
		b.startAdd() // what was spent meanwhile
	}()
}

// read takes the ledger's count of the day as what was spent, unless it
// fails or the ledger failed a moment ago.
func (b *budget) read(ctx context.Context) {
	b.mu.Lock()
	b.rollover()
	day, skip := b.day, b.backingOff()
	b.mu.Unlock()
	if skip {
		return
	}
	total, err := b.ledger.Add(ctx, day, 0)
	b.mu.Lock()
	defer b.mu.Unlock()
	if day != b.day {
		return
	}
	if err != nil {
		b.failed(err)
		return
	}
	b.recovered(total)
	b.shared = max(b.shared, total)
	b.startAdd() // tokens kept here while it failed
}

// backingOff reports whether the ledger failed less than ledgerBackoff
// ago. Callers hold mu.
func (b *budget) backingOff() bool {
	return !b.failedAt.IsZero() && time.Since(b.failedAt) < ledgerBackoff
}

// failed notes a ledger failure, logged the first time. Callers hold mu.
func (b *budget) failed(err error) {
	b.failedAt = time.Now()
	if !b.warned && b.log != nil {
		b.log.Warn("the shared count of LLM tokens spent today cannot be read or added to; until it can, this process counts the daily budget on its own",
			zap.Error(err))
	}
	b.warned = true
}

// recovered notes that the ledger answered. Callers hold mu.
func (b *budget) recovered(total int) {
	if b.warned && b.log != nil {
		b.log.Info("the shared count of LLM tokens spent today works again", zap.Int("spent_today", total))
	}
	b.failedAt, b.warned = time.Time{}, false
}

// exhausted reports whether today's allowance cannot pay for n tokens.
// A process that asks nothing more still adds what it kept while the
// ledger failed.
func (b *budget) exhausted(n int) bool {
	if b.limit == 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	if b.ledger != nil {
		b.startAdd()
	}
	return b.used()+n > b.limit
}

// flush adds to the ledger what was spent and not yet added, after the add
// under way, unless ctx ends first.
func (b *budget) flush(ctx context.Context) {
	if b.ledger == nil {
		return
	}
	for {
		b.mu.Lock()
		busy := b.adding > 0
		b.mu.Unlock()
		if !busy {
			break
		}
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return
		}
	}
	b.mu.Lock()
	day, n := b.day, b.unsynced
	b.unsynced = 0
	b.mu.Unlock()
	if n == 0 {
		return
	}
	if _, err := b.ledger.Add(ctx, day, n); err != nil {
		b.mu.Lock()
		b.failed(err)
		b.mu.Unlock()
		if b.log != nil {
			b.log.Warn("tokens this run spent could not be added to the shared count of the day", zap.Int("tokens", n), zap.Error(err))
		}
	}
}

// today is the UTC day the allowance is counted for, as 2006-01-02.
func (b *budget) today() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	return b.day
}

// remaining is what is left today; -1 without a limit.
func (b *budget) remaining() int {
	if b.limit == 0 {
		return -1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	return max(b.limit-b.used(), 0)
}
