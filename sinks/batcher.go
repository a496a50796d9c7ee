package sinks

import (
	"context"
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("batcher closed")

// ErrSuperseded is what Done is given, instead of nil, for an entry whose
// row was not written because a newer version of its record was, in the
// same committed insert (see Entry.Seq).
var ErrSuperseded = errors.New("a newer version of the record was written instead")

// Policy says when a batch is written: when it holds MaxRows rows or
// MaxBytes bytes, or when its oldest row has waited MaxWait, whichever
// comes first.
type Policy struct {
	MaxRows  int
	MaxBytes int
	MaxWait  time.Duration
	// Heartbeat, when set, is how often the batcher calls Entry.Working
	// for the entries of batches that wait to be written or are being
	// written: a write that takes long (an insert that moves records,
	// ClickHouse slow to answer) must not let their messages' ack wait
	// run out, or they would be delivered again while they commit.
	Heartbeat time.Duration
}

// Entry is one row and what to do once its fate is known. Done is called
// exactly once, with nil after the insert holding the row committed, or
// with the insert's error.
type Entry struct {
	Row  Row
	Done func(error)
	// Seq is the JetStream stream sequence of the message the row came
	// from, 0 when unknown. Of two entries with the same record id in one
	// batch only one is written, the newer version as the table orders
	// them (Row.Version), or on a tie the one with the higher Seq (the
	// later, when equal): a batch writes what a merge would keep, and
	// writes one row per record. The other's Done is called with
	// ErrSuperseded once the batch commits, or with its error.
	Seq uint64
	// Working, when set, is called every Policy.Heartbeat while the
	// entry's batch waits for its write or is being written (not while it
	// fills: MaxWait bounds that), until Done.
	Working func()
}

// Batcher groups rows into batches by its Policy and writes each batch to
// its Sink. It is the only place in the pipeline that batches.
//
// One batch is written while the next fills; when the write is slower than
// the input, Add blocks, which is how back-pressure reaches the consumer.
// Add is safe for concurrent use; Close must be called once.
type Batcher struct {
	sink   Sink
	policy Policy

	in      chan []Entry
	flushes chan *pending
	wg      sync.WaitGroup

	heldMu sync.Mutex
	held   map[*pending]struct{} // flushed batches not yet settled

	closeOnce sync.Once
	mu        sync.RWMutex // guards closed against Add racing Close
	closed    bool
}

// NewBatcher starts a batcher writing to sink.
func NewBatcher(sink Sink, p Policy) *Batcher {
	if p.MaxRows <= 0 {
		p.MaxRows = 10000
	}
	if p.MaxBytes <= 0 {
		p.MaxBytes = 16 << 20
	}
	if p.MaxWait <= 0 {
		p.MaxWait = time.Second
	}
	b := &Batcher{
		sink:    sink,
		policy:  p,
		in:      make(chan []Entry),
		flushes: make(chan *pending),
		held:    map[*pending]struct{}{},
	}
	b.wg.Add(2)
	go b.collect()
	go b.write()
	return b
}

// heartbeat calls Working for the entries of every held batch each
// Heartbeat, until stop is closed.
func (b *Batcher) heartbeat(stop <-chan struct{}) {
	t := time.NewTicker(b.policy.Heartbeat)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		b.heldMu.Lock()
		var calls []func()
		for p := range b.held {
			calls = append(calls, p.working...)
		}
		b.heldMu.Unlock()
		for _, working := range calls {
			working()
		}
	}
}

func (b *Batcher) hold(p *pending, held bool) {
	b.heldMu.Lock()
	if held {
		b.held[p] = struct{}{}
	} else {
		delete(b.held, p)
	}
	b.heldMu.Unlock()
}

// Add hands entries to the batcher. It blocks while the batcher cannot take
// more and returns ctx.Err() if ctx ends first, or ErrClosed after Close;
// in both cases no Done of these entries will be called.
func (b *Batcher) Add(ctx context.Context, entries ...Entry) error {
	if len(entries) == 0 {
		return nil
	}
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return ErrClosed
	}
	select {
	case b.in <- entries:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking entries, writes what is pending and waits until every
// Done has been called or ctx ends.
func (b *Batcher) Close(ctx context.Context) error {
	b.closeOnce.Do(func() {
		b.mu.Lock()
		b.closed = true
		close(b.in)
		b.mu.Unlock()
	})
	done := make(chan struct{})
	go func() {
		b.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pending is a batch being filled: rows and the callbacks of their
// entries, kept apart so that the rows go to the sink without a copy.
type pending struct {
	rows  []Row
	dones []func(error)
	seqs  []uint64
	// superseded are the callbacks of entries that a newer version of
	// their record replaced in the batch (see Entry.Seq).
	superseded []func(error)
	// working are the Working callbacks of every entry above, superseded
	// ones included: all wait for the batch's commit.
	working []func()
}

// keepNewer keeps in row i whichever of it and e is the newer version of
// their record; the other's callback goes with the batch. It returns what
// the batch's size in bytes changed by.
func (p *pending) keepNewer(i int, e Entry) int {
	if v, held := e.Row.version(), p.rows[i].version(); v < held || v == held && e.Seq < p.seqs[i] {
		p.superseded = append(p.superseded, e.Done)
		return 0
	}
	p.superseded = append(p.superseded, p.dones[i])
	grew := e.Row.Size() - p.rows[i].Size()
	p.rows[i], p.dones[i], p.seqs[i] = e.Row, e.Done, e.Seq
	return grew
}

func (b *Batcher) collect() {
	defer b.wg.Done()
	defer close(b.flushes)
	var (
		batch pending
		bytes int
		index = map[string]int{} // the row of each record id in batch
		timer = time.NewTimer(time.Hour)
	)
	timer.Stop()
	flush := func() {
		timer.Stop()
		if len(batch.rows) > 0 {
			p := batch
			b.hold(&p, true) // waiting for the write before it, maybe long
			b.flushes <- &p
		}
		batch, bytes = pending{}, 0
		clear(index)
	}
	for {
		select {
		case entries, ok := <-b.in:
			if !ok {
				flush()
				return
			}
			for _, e := range entries {
				if len(batch.rows) == 0 {
					// Sized for a full batch at once: growing a slice of
					// rows this wide by doubling cost more than it saved.
					n := min(b.policy.MaxRows, 16384)
					batch = pending{rows: make([]Row, 0, n), dones: make([]func(error), 0, n), seqs: make([]uint64, 0, n)}
					timer.Reset(b.policy.MaxWait)
				}
				if e.Working != nil {
					batch.working = append(batch.working, e.Working)
				}
				if i, again := index[e.Row.ID]; again {
					if bytes += batch.keepNewer(i, e); bytes >= b.policy.MaxBytes {
						flush()
					}
					continue
				}
				index[e.Row.ID] = len(batch.rows)
				batch.rows = append(batch.rows, e.Row)
				batch.dones = append(batch.dones, e.Done)
				batch.seqs = append(batch.seqs, e.Seq)
				bytes += e.Row.Size()
				if len(batch.rows) >= b.policy.MaxRows || bytes >= b.policy.MaxBytes {
					flush()
				}
			}
		case <-timer.C:
			flush()
		}
	}
}

func (b *Batcher) write() {
	defer b.wg.Done()
	if b.policy.Heartbeat > 0 {
		stop := make(chan struct{})
		defer close(stop)
		b.wg.Add(1) // Close waits for the last heartbeat too
		go func() {
			defer b.wg.Done()
			b.heartbeat(stop)
		}()
	}
	for batch := range b.flushes {
		// Writes outlive the caller's context on purpose: a stop request
		// must let the batch in hand commit so that it can be acked.
		err := b.sink.Write(context.Background(), batch.rows)
		b.hold(batch, false) // settled below: no more heartbeats
		for _, done := range batch.dones {
			done(err)
		}
		superseded := err
		if err == nil {
			superseded = ErrSuperseded
		}
		for _, done := range batch.superseded {
			done(superseded)
		}
	}
}
