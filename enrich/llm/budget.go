package llm

import (
	"sync"
	"time"
)

// budget is a daily token allowance. Requests reserve their estimated
// tokens before they are sent and settle the difference when the answer
// says what they cost, so that concurrent requests cannot overshoot the
// allowance by more than one estimate's error each. The day is the UTC
// day; the allowance is per process and starts afresh with it.
type budget struct {
	limit int // 0: no limit
	now   func() time.Time

	mu   sync.Mutex
	day  string
	used int
}

func newBudget(limit int, now func() time.Time) *budget {
	return &budget{limit: limit, now: now}
}

// rollover starts a new day when the date changed. Callers hold mu.
func (b *budget) rollover() {
	if d := b.now().UTC().Format(time.DateOnly); d != b.day {
		b.day, b.used = d, 0
	}
}

// reserve takes n tokens from today's allowance, or reports false when
// they are not there.
func (b *budget) reserve(n int) bool {
	if b.limit == 0 {
		return true
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	if b.used+n > b.limit {
		return false
	}
	b.used += n
	return true
}

// settle replaces a reservation of reserved tokens by what was spent.
func (b *budget) settle(reserved, spent int) {
	if b.limit == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used = max(b.used+spent-reserved, 0)
}

// exhausted reports whether today's allowance cannot pay for n tokens.
func (b *budget) exhausted(n int) bool {
	if b.limit == 0 {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.rollover()
	return b.used+n > b.limit
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
	return max(b.limit-b.used, 0)
}
