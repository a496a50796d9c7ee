package llm

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// memLedger is a spend ledger of one day in memory. giveBackFails makes
// an add that gives tokens back fail after it was made, as one whose
// answer timed out.
type memLedger struct {
	mu            sync.Mutex
	count         int
	rev           uint64
	giveBackFails bool
	addAnswers    time.Duration // how long an add's answer takes, once it is made
}

func (l *memLedger) Add(ctx context.Context, day string, tokens int) (int, uint64, error) {
	count, rev, _, err := l.Reserve(ctx, day, tokens, 0)
	if err == nil && tokens < 0 && l.giveBackFails {
		return 0, 0, errors.New("nats: timeout")
	}
	if tokens != 0 {
		time.Sleep(l.addAnswers)
	}
	return count, rev, err
}

func (l *memLedger) Reserve(ctx context.Context, _ string, tokens, limit int) (int, uint64, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, 0, false, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if limit > 0 && l.count+tokens > limit {
		return l.count, l.rev, false, nil
	}
	if tokens != 0 {
		l.count, l.rev = max(l.count+tokens, 0), l.rev+1
	}
	return l.count, l.rev, true, nil
}

func (l *memLedger) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}

// A request whose own time ran out while it reserved says so, and leaves
// the ledger trusted: the next request reserves in it, against the other
// processes, not in this process's count alone.
func TestARequestOutOfTimeLeavesTheLedgerTrusted(t *testing.T) {
	l := &memLedger{}
	b := newBudget(1000, time.Now, l, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.reserve(ctx, 600); !errors.Is(err, context.Canceled) {
		t.Fatalf("reserving with an ended context: %v, want context.Canceled", err)
	}
	if _, _, ok, _ := l.Reserve(context.Background(), "", 600, 1000); !ok {
		t.Fatal("another process's reservation was refused")
	}
	if _, err := b.reserve(context.Background(), 600); !errors.Is(err, errBudget) {
		t.Errorf("reserving 600 when another process holds 600 of 1000: %v, want errBudget", err)
	}
}

// Tokens given back by an add that may have been made are not given back
// again: the count would fall below what was spent.
func TestAGiveBackThatMayHaveBeenMadeIsNotMadeAgain(t *testing.T) {
	defer SetLedgerBackoff(0)()
	l := &memLedger{giveBackFails: true}
	b := newBudget(1000, time.Now, l, nil)
	r, err := b.reserve(context.Background(), 600)
	if err != nil {
		t.Fatal(err)
	}
	b.settle(r, 200)
	b.flush(context.Background())
	if got := l.total(); got != 200 {
		t.Errorf("the ledger counts %d, want the 200 spent", got)
	}
}

// A reservation waits for this process's add under way: counted both in
// the ledger and as in flight, its tokens would be refused although they
// are there.
func TestAnAddInFlightIsNotCountedTwice(t *testing.T) {
	l := &memLedger{addAnswers: 200 * time.Millisecond}
	b := newBudget(1000, time.Now, l, nil)
	r, err := b.reserve(context.Background(), 600)
	if err != nil {
		t.Fatal(err)
	}
	b.settle(r, 700) // 100 more than reserved, added in the background
	for l.total() != 700 {
		time.Sleep(time.Millisecond) // made, its answer not yet back
	}
	if _, err := b.reserve(context.Background(), 300); err != nil {
		t.Errorf("reserving the 300 tokens left of 1,000 after 700 spent: %v", err)
	}
}

// Of two counts the ledger returned, the later one stands, whichever
// arrives last.
func TestTheLaterCountStands(t *testing.T) {
	b := newBudget(1000, time.Now, nil, nil)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen(900, 5)
	b.seen(300, 4)
	if b.shared != 900 {
		t.Errorf("shared %d after counts 900 at revision 5 and 300 at revision 4, want 900", b.shared)
	}
}
