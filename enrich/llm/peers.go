package llm

import (
	"context"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Peers counts the processes that ask the LLM together, so that
// Options.TokensPerMinute holds for all of them at once: each books its
// requests against an equal share (ingest.Peers keeps the count in NATS).
type Peers interface {
	// Beat says that this process asks the LLM, and returns how many
	// processes do, this one included.
	Beat(ctx context.Context) (int, error)
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
// share, and then every peerEvery until Close.
func (t *Tagger) runPeers() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	t.stopPeers = func() {
		cancel()
		<-done
	}
	t.beat(ctx)
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Duration(peerEvery.Load()))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				t.beat(ctx)
			}
		}
	}()
}

// beat counts the peers and shares the tokens-per-minute limit among
// them. While they cannot be counted the share stays as it was: the
// limit holds as long as no process joined meanwhile.
func (t *Tagger) beat(ctx context.Context) {
	bctx, cancel := context.WithTimeout(ctx, peerWait)
	n, err := t.opts.Peers.Beat(bctx)
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
	if old := t.peers.Swap(int64(n)); old != int64(n) {
		now := time.Now()
		from := t.limiter.share(now, n)
		t.metrics.peers(n)
		if old != 0 {
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
