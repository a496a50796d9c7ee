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

// ledgerWait bounds one read or add of the ledger: past it, the tokens
// count in this process alone until the next add.
const ledgerWait = 2 * time.Second

// budget is a daily token allowance. Requests reserve their estimated
// tokens before they are sent and settle the difference when the answer
// says what they cost, so that concurrent requests cannot overshoot the
// allowance by more than one estimate's error each. The day is the UTC
// day.
//
// Without a ledger the allowance is this process's and starts afresh with
// it. With one, each request reads the day's count of every process
// before it reserves, and adds what it spent when it settles: the
// processes together overshoot by at most what their requests in flight
// at once spend beyond the allowance, one estimate each.
type budget struct {
	limit  int // 0: no limit
	now    func() time.Time
	ledger SpendLedger // nil: this process only
	log    *zap.Logger

	mu       sync.Mutex
	day      string
	spent    int  // spent today, as far as this process knows
	reserved int  // reserved by requests in flight
	failed   bool // the last ledger call failed; logged once
}

func newBudget(limit int, now func() time.Time, ledger SpendLedger, log *zap.Logger) *budget {
	b := &budget{limit: limit, now: now, ledger: ledger, log: log}
	if limit > 0 && ledger != nil {
		b.mu.Lock()
		b.rollover()
		day := b.day
		b.mu.Unlock()
		b.add(day, 0, 0) // what was spent today before this process started
	}
	return b
}

// rollover starts a new day when the date changed. Callers hold mu.
// Requests in flight keep their reservations: they settle on the new day.
func (b *budget) rollover() {
	if d := b.now().UTC().Format(time.DateOnly); d != b.day {
		b.day, b.spent = d, 0
	}
}

// reserve takes n tokens from today's allowance, or reports false when
// they are not there.
func (b *budget) reserve(n int) bool {
	if b.limit == 0 {
		return true
	}
	if b.ledger != nil {
		b.mu.Lock()
		b.rollover()
		day := b.day
		b.mu.Unlock()
		b.add(day, 0, 0) // what the other processes spent meanwhile
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	if b.spent+b.reserved+n > b.limit {
		return false
	}
	b.reserved += n
	return true
}

// settle replaces a reservation of reserved tokens by what was spent, and
// adds it to the ledger, which says what every process spent today.
func (b *budget) settle(reserved, spent int) {
	if b.limit == 0 {
		return
	}
	b.mu.Lock()
	b.rollover()
	day := b.day
	if b.ledger == nil {
		b.reserved = max(b.reserved-reserved, 0)
		b.spent += spent
		b.mu.Unlock()
		return
	}
	b.mu.Unlock()
	b.add(day, spent, reserved)
}

// add adds spent tokens to day's count in the ledger and takes the count
// it returns as what was spent, then releases a reservation, which kept
// the tokens counted meanwhile; when the ledger fails, the tokens count
// here alone.
func (b *budget) add(day string, spent, reserved int) {
	ctx, cancel := context.WithTimeout(context.Background(), ledgerWait)
	total, err := b.ledger.Add(ctx, day, spent)
	cancel()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reserved = max(b.reserved-reserved, 0)
	if day != b.day {
		return // the day ended meanwhile; its count no longer matters here
	}
	if err != nil {
		b.spent += spent
		if !b.failed && b.log != nil {
			b.log.Warn("the shared count of LLM tokens spent today cannot be read or added to; until it can, this process counts the daily budget on its own",
				zap.Error(err))
		}
		b.failed = true
		return
	}
	if b.failed && b.log != nil {
		b.log.Info("the shared count of LLM tokens spent today works again", zap.Int("spent_today", total))
	}
	b.failed = false
	b.spent = max(b.spent, total)
}

// exhausted reports whether today's allowance cannot pay for n tokens.
func (b *budget) exhausted(n int) bool {
	if b.limit == 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	return b.spent+b.reserved+n > b.limit
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
	return max(b.limit-b.spent-b.reserved, 0)
}
