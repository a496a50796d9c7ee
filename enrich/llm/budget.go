package llm

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// SpendLedger counts the tokens that every process spent each UTC day:
// with one, the daily budget holds for all workers and retag runs
// together and across restarts (ingest.Spend keeps it in NATS).
type SpendLedger interface {
	// Add adds tokens to the count of day (2006-01-02), or takes them off
	// when negative, and returns the new count and its revision, which
	// grows with every change; with 0 tokens it only reads them.
	Add(ctx context.Context, day string, tokens int) (count int, rev uint64, err error)
	// Reserve adds tokens to the count of day unless the count would pass
	// limit: then it adds nothing, reports false, and returns the count
	// as it read it. Reading and adding are one step.
	Reserve(ctx context.Context, day string, tokens, limit int) (count int, rev uint64, ok bool, err error)
}

const (
	// ledgerStartWait bounds the read of the day's count when a Tagger is
	// made: what was spent before a restart counts from the first request.
	ledgerStartWait = 2 * time.Second
	// ledgerReserveWait bounds the reservation before each request, once
	// this process's reservation before it is done. A slower ledger is
	// not waited for: the request reserves in this process's count
	// instead, as while the ledger fails. QA saw 250 ms run out under a
	// publish burst, with 24 requests reserving at once.
	ledgerReserveWait = time.Second
	// ledgerAddWait bounds one add, which runs beside the requests.
	ledgerAddWait = 5 * time.Second
	// ledgerRefreshEvery is how often a process whose count says the
	// budget is spent reads the ledger again: requests of other processes
	// that reserved more than they spent give tokens back.
	ledgerRefreshEvery = time.Second
)

// ledgerBackoff is how long a ledger that failed is left alone: no request
// waits for one that is down. Short, because the processes may together
// overshoot the budget while they count alone. The tests set it (see
// backoffFor), while timers of earlier tests' budgets may read it.
var ledgerBackoff atomic.Int64

func init() { ledgerBackoff.Store(int64(2 * time.Second)) }

// backoffFor is ledgerBackoff.
func backoffFor() time.Duration { return time.Duration(ledgerBackoff.Load()) }

// minLedgerRetry is the least wait before tokens an add failed to count
// are tried again, when the tests set no backoff.
const minLedgerRetry = 100 * time.Millisecond

// budget is a daily token allowance. Requests reserve their estimated
// tokens before they are sent and settle the difference when the answer
// says what they cost, so that requests in flight at once cannot
// overshoot the allowance by more than what each estimate falls short.
// The day is the UTC day.
//
// Without a ledger the allowance is this process's and starts afresh with
// it. With one, requests reserve in the ledger, against the requests of
// every process, and what they spent beyond or short of their reservation
// is added to it in the background. While the ledger fails or is slow,
// requests reserve in this process's count, against the ledger's count as
// last read, and what they spent is added once it works again: only then
// can the processes together overshoot, by the requests they sent
// meanwhile.
type budget struct {
	limit  int // 0: no limit
	now    func() time.Time
	ledger SpendLedger // nil: this process only
	log    *zap.Logger

	mu       sync.Mutex
	day      string
	shared   int       // the ledger's count of the day at revision rev (this process's own without a ledger)
	rev      uint64    // the revision shared was read at
	unsynced int       // not yet added to the ledger: what was spent beyond (or, negative, short of) reservations in it, and all that was spent while it failed
	adding   int       // being added now
	reserved int       // reserved by requests in flight in this process's count only
	failedAt time.Time // when the ledger last failed; zero while it works
	warned   bool      // the failure was logged
	readAt   time.Time // when the ledger was last read because the budget looked spent
	// reserving holds a token while this process reserves in the ledger:
	// one at a time, so that the processes' compare-and-sets overtake
	// each other once per process, not once per request in flight.
	reserving chan struct{}
	retrying  bool // a retry of the tokens not yet added is set for after the backoff
}

// reservation is what one request reserved.
type reservation struct {
	day      string
	tokens   int
	inLedger bool // reserved in the ledger, not in this process's count
}

func newBudget(limit int, now func() time.Time, ledger SpendLedger, log *zap.Logger) *budget {
	b := &budget{limit: limit, now: now, ledger: ledger, log: log, reserving: make(chan struct{}, 1)}
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
		b.day, b.shared, b.rev, b.unsynced, b.adding = d, 0, 0, 0, 0
	}
}

// used is what today's allowance has paid for, as this process knows it.
// Tokens to be given back to the ledger count until they are. Callers
// hold mu.
func (b *budget) used() int { return b.shared + b.notInLedger() }

// notInLedger is what this process counts that the ledger does not hold
// yet. Callers hold mu.
func (b *budget) notInLedger() int { return max(b.unsynced, 0) + max(b.adding, 0) + b.reserved }

// seen takes a count the ledger returned, unless a later one was seen:
// answers to requests made at once may arrive in any order. Callers hold
// mu.
func (b *budget) seen(count int, rev uint64) {
	if rev >= b.rev {
		b.shared, b.rev = count, rev
	}
}

// reserve takes n tokens from today's allowance. It returns errBudget
// when they are not there, and ctx's error when ctx ended first.
func (b *budget) reserve(ctx context.Context, n int) (reservation, error) {
	if b.limit == 0 {
		return reservation{}, nil
	}
	b.mu.Lock()
	b.rollover()
	ceiling := b.limit - b.notInLedger()
	ask := b.ledger != nil && !b.backingOff()
	b.mu.Unlock()
	if ceiling < n {
		return reservation{}, errBudget
	}
	if ask {
		// One reservation of this process at a time, waited for as long
		// as the call may wait: queued behind its own is no fault of the
		// ledger's. QA, with NATS 20 ms away, saw the queue alone outlast
		// ledgerReserveWait and the processes count alone.
		select {
		case b.reserving <- struct{}{}:
		case <-ctx.Done():
			return reservation{}, ctx.Err()
		}
		b.mu.Lock()
		b.rollover()
		day := b.day
		ceiling = b.limit - b.notInLedger() // what the queue saw settle
		b.mu.Unlock()
		if ceiling < n {
			<-b.reserving
			return reservation{}, errBudget
		}
		rctx, cancel := context.WithTimeout(ctx, ledgerReserveWait)
		count, rev, ok, err := b.ledger.Reserve(rctx, day, n, ceiling)
		cancel()
		<-b.reserving
		if err != nil && ctx.Err() != nil {
			// The request's own time ran out (or the worker stops): no
			// fault of the ledger's.
			return reservation{}, ctx.Err()
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		if err == nil {
			b.recovered(count)
			if day == b.day {
				b.seen(count, rev)
			}
			b.startAdd() // tokens kept here while it failed
			if !ok {
				return reservation{}, errBudget
			}
			return reservation{day: day, tokens: n, inLedger: true}, nil
		}
		// A reservation that timed out may still have been made: its
		// tokens then count twice today, which errs on the side of
		// spending less.
		b.failed(err)
	} else {
		b.mu.Lock()
		defer b.mu.Unlock()
	}
	b.rollover()
	if b.used()+n > b.limit {
		return reservation{}, errBudget
	}
	b.reserved += n
	return reservation{day: b.day, tokens: n}, nil
}

// settle replaces reservation r by the spent tokens, and has the
// difference added to the ledger.
func (b *budget) settle(r reservation, spent int) {
	if b.limit == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	switch {
	case r.inLedger && r.day == b.day:
		b.unsynced += spent - r.tokens
	case r.inLedger:
		// Reserved yesterday: that count keeps the reservation, and
		// today's holds what was spent.
		b.unsynced += spent
	default:
		b.reserved = max(b.reserved-r.tokens, 0)
		if b.ledger == nil {
			b.shared += spent
			return
		}
		b.unsynced += spent
	}
	b.startAdd()
}

// startAdd adds the tokens not yet added to the ledger, in the background,
// unless an add is under way or the ledger failed a moment ago (the next
// settle after that tries again). Callers hold mu.
func (b *budget) startAdd() {
	if b.adding != 0 || b.unsynced == 0 || b.backingOff() {
		return
	}
	day, n := b.day, b.unsynced
	b.adding, b.unsynced = n, 0
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), ledgerAddWait)
		defer cancel()
		// In turn with the reservations, and done before the next one
		// reads what is in flight: one that saw this add both in the
		// count and as in flight would refuse tokens that are there.
		select {
		case b.reserving <- struct{}{}:
		case <-ctx.Done():
			// Queued behind reservations all that time: no fault of the
			// ledger's. Tried again a moment later.
			b.mu.Lock()
			if day == b.day {
				b.adding, b.unsynced = 0, b.unsynced+n
				b.retryLater()
			}
			b.mu.Unlock()
			return
		}
		defer func() { <-b.reserving }() // runs after mu.Unlock, deferred below
		count, rev, err := b.ledger.Add(ctx, day, n)
		b.mu.Lock()
		defer b.mu.Unlock()
		if day != b.day {
			return // the day ended meanwhile; its count no longer matters here
		}
		b.adding = 0
		if err != nil {
			// Tried again later, unless it gave tokens back: an add that
			// timed out may have been made, and one made twice must err
			// on the side of spending less.
			if n > 0 {
				b.unsynced += n
			}
			b.failed(err)
			return
		}
		b.recovered(count)
		b.seen(count, rev)
		b.startAdd() // what was spent meanwhile
	}()
}

// read takes the ledger's count of the day, unless it fails or the ledger
// failed a moment ago. It is the way back for a process whose count says
// the budget is spent (see exhausted).
func (b *budget) read(ctx context.Context) {
	b.mu.Lock()
	b.rollover()
	day, skip := b.day, b.backingOff()
	b.mu.Unlock()
	if skip {
		return
	}
	count, rev, err := b.ledger.Add(ctx, day, 0)
	b.mu.Lock()
	defer b.mu.Unlock()
	if err != nil {
		b.failed(err)
		return
	}
	b.recovered(count)
	if day == b.day {
		// Taken as it is, whatever its revision: a day's key deleted by
		// hand to start the count afresh reads as 0 at revision 0, and a
		// bucket made anew numbers its revisions from 1 again. A read
		// that an add overtook is read again within ledgerRefreshEvery.
		b.shared, b.rev = count, rev
	}
	b.startAdd() // tokens kept here while it failed
}

// backingOff reports whether the ledger failed less than ledgerBackoff
// ago. Callers hold mu.
func (b *budget) backingOff() bool {
	return !b.failedAt.IsZero() && time.Since(b.failedAt) < backoffFor()
}

// failed notes a ledger failure, logged the first time, and has the
// tokens not yet added tried again once the backoff is over, whether or
// not a request comes then. Callers hold mu.
func (b *budget) failed(err error) {
	b.failedAt = time.Now()
	b.retryLater()
	if !b.warned && b.log != nil {
		b.log.Warn("the shared count of LLM tokens spent today cannot be read or added to; until it can, this process counts the daily budget on its own",
			zap.Error(err))
	}
	b.warned = true
}

// retryLater sets a retry of the tokens not yet added for after the
// backoff, unless one is set. Callers hold mu.
func (b *budget) retryLater() {
	if !b.retrying {
		b.retrying = true
		time.AfterFunc(max(backoffFor(), minLedgerRetry), b.retry)
	}
}

// retry adds the tokens not yet added, once the ledger's backoff is over.
func (b *budget) retry() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	b.retrying = false
	if b.backingOff() && b.unsynced != 0 {
		b.retryLater() // it failed again meanwhile
		return
	}
	b.startAdd()
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
// ledger failed, and reads the ledger again at most every
// ledgerRefreshEvery: the budget may only have looked spent while other
// processes' requests were in flight.
func (b *budget) exhausted(n int) bool {
	if b.limit == 0 {
		return false
	}
	b.mu.Lock()
	b.rollover()
	spent := b.used()+n > b.limit
	again := false
	if b.ledger != nil {
		b.startAdd()
		if again = spent && time.Since(b.readAt) >= ledgerRefreshEvery && !b.backingOff(); again {
			b.readAt = time.Now()
		}
	}
	b.mu.Unlock()
	if !again {
		return spent
	}
	ctx, cancel := context.WithTimeout(context.Background(), ledgerReserveWait)
	b.read(ctx)
	cancel()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	return b.used()+n > b.limit
}

// flush adds to the ledger what was spent and not yet added, after the add
// under way, unless ctx ends first. A ledger that failed a moment ago is
// not waited for again: what it did not get is lost, with a warning.
func (b *budget) flush(ctx context.Context) {
	if b.ledger == nil {
		return
	}
	for {
		b.mu.Lock()
		if b.adding == 0 {
			n := b.unsynced
			if n == 0 || b.backingOff() {
				b.unsynced = 0
				b.mu.Unlock()
				if n != 0 && b.log != nil {
					b.log.Warn("tokens this process spent could not be added to the shared count of the day: it cannot be reached", zap.Int("tokens", n))
				}
				return
			}
			b.startAdd()
		}
		b.mu.Unlock()
		select {
		case <-time.After(5 * time.Millisecond):
		case <-ctx.Done():
			return
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

// meter is one request's hold on the daily budget over its attempts. The
// first attempt reserves the request's estimate, and so does each retry
// after an attempt that may have been billed: one that got an answer
// (which was unreadable, say), or was cut short after the request left
// (the request's timeout, max_wait, a worker stopping), which counts its
// estimate as spent: the provider may have done, and billed, the work.
// So retries cannot spend past the budget, while those after refusals and
// failed connections, which cost nothing, hold no more of it.
type meter struct {
	ctx      context.Context
	budget   *budget
	estimate int
	held     []reservation
	unbilled int  // attempts cut short after the request left
	costly   bool // the last attempt may have been billed
}

// reserve reserves the estimate for one more attempt; errBudget when the
// budget cannot pay for it.
func (m *meter) reserve() error {
	r, err := m.budget.reserve(m.ctx, m.estimate)
	if err != nil {
		return err
	}
	m.held = append(m.held, r)
	return nil
}

// again makes ready for a retry: it reserves once more if the last
// attempt may have been billed.
func (m *meter) again() error {
	if !m.costly {
		return nil
	}
	m.costly = false
	return m.reserve()
}

// answered notes an attempt that got an answer, billed by its usage.
func (m *meter) answered() { m.costly = true }

// cutShort notes an attempt that ended after the request left and before
// its answer.
func (m *meter) cutShort() { m.unbilled++; m.costly = true }

// settle replaces the reservations by what the attempts spent: the tokens
// their answers counted, and the estimate of each attempt cut short.
func (m *meter) settle(spent int) {
	spent += m.unbilled * m.estimate
	for _, r := range m.held {
		m.budget.settle(r, spent)
		spent = 0
	}
}
