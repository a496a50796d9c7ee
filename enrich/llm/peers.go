package llm

import (
	"context"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Peers counts the processes that ask the LLM together, so that
// Options.TokensPerMinute holds for all of them at once: each books its
// requests against an equal share, and within what the others have
// booked in the last minute (ingest.Peers keeps both in NATS).
type Peers interface {
	// Beat says that this process asks the LLM and has booked the tokens
	// booked in the last minute, and returns how many processes do, this
	// one included, and the tokens the others said they had booked.
	Beat(ctx context.Context, booked int) (processes, othersBooked int, err error)
}

var (
	// peerEvery is how often a Tagger with Peers beats and takes its
	// share again. The tests shorten it.
	peerEvery atomic.Int64
	// peerWait bounds one beat: a slow count is not waited for, and the
	// share stays what it was.
	peerWait = 2 * time.Second
)

func init() { peerEvery.Store(int64(5 * time.Second)) }

// runPeers beats once, so that the first requests book against the right
// share, again after peerSettle, and then every peerEvery until Close.
//
// Processes started together, as a deployment's replicas are, see each
// other only from their second beat: the first to beat counts itself
// alone. Until its second beat each books as if one more process had
// started unseen; three started at once send about 1.1 times the limit
// in their first minute instead of 1.7 (the first taking all of it).
func (t *Tagger) runPeers() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.stopPeers = func() {
		cancel()
		<-done
	}
	t.beat(ctx, true)
	go func() {
		defer close(done)
		every := time.Duration(peerEvery.Load())
		settle := time.NewTimer(min(peerSettle, every))
		defer settle.Stop()
		select {
		case <-ctx.Done():
			return
		case <-settle.C:
			t.beat(ctx, false)
		}
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				t.beat(ctx, false)
			}
		}
	}()
}

// peerSettle is how long after its first beat a process beats again: by
// then those started with it have beaten once.
const peerSettle = time.Second

// beat counts the peers and shares the tokens-per-minute limit among
// them, and one more on the first beat (see runPeers). While they cannot
// be counted the share stays as it was: the limit holds as long as no
// process joined meanwhile.
func (t *Tagger) beat(ctx context.Context, first bool) {
	bctx, cancel := context.WithTimeout(ctx, peerWait)
	n, others, err := t.opts.Peers.Beat(bctx, t.limiter.bookedBy(time.Now()))
	cancel()
	if err != nil {
		if ctx.Err() == nil && !t.peersFailing.Swap(true) {
			t.log.Warn("counting the processes that share llm.tokens_per_minute failed; keeping this one's share",
				zap.Int64("processes", t.peers.Load()), zap.Error(err))
		}
		return
	}
	if t.peersFailing.Swap(false) {
		t.log.Info("counting the processes that share llm.tokens_per_minute works again")
	}
	n = max(n, 1)
	t.limiter.setOthers(others)
	sharing := n
	if first {
		sharing++ // one more may have started unseen
	}
	guessed := t.guessed
	t.guessed = first
	if old := t.peers.Swap(int64(n)); old != int64(n) || guessed {
		now := time.Now()
		// The unseen process of the first beat was a guess: nothing it
		// sent is in the window, so a larger share holds at once.
		from := t.limiter.share(now, sharing, guessed)
		t.metrics.peers(n)
		if old != 0 && old != int64(n) {
			t.log.Info("processes sharing llm.tokens_per_minute changed", zap.Int64("from", old), zap.Int("to", n),
				zap.Int("tokens_per_minute_here", t.opts.TokensPerMinute/n), zap.Duration("from_in", from.Sub(now)))
		}
	}
}

// Close stops what the Tagger runs in the background: with Peers, the
// beat. A Tagger is not used after Close.
func (t *Tagger) Close() {
	if t.stopPeers != nil {
		t.stopPeers()
	}
}
