package worker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich"
	"github.com/feedbackloop/feedbackloop/feedback"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/ops"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// chunkSize bounds how many messages one enrichment goroutine takes at a
// time; chunks let batch-oriented taggers (an LLM) see several items.
const chunkSize = 256

// Options are what a Worker is built from. All fields are required except
// Metrics and Log.
type Options struct {
	Config      config.Config
	Conn        *nats.Conn
	Consumer    jetstream.Consumer
	DeadLetters *ingest.DeadLetters
	Enricher    enrich.Stage
	Sink        sinks.Sink
	Pinger      sinks.Pinger
	Metrics     *ops.Metrics
	Log         *zap.Logger
}

// Worker consumes feedback messages and stores them. Create it with New
// and call Run once.
type Worker struct {
	cfg      config.Config
	conn     *nats.Conn
	cons     jetstream.Consumer
	dlq      *ingest.DeadLetters
	enricher enrich.Stage
	sink     sinks.Sink
	pinger   sinks.Pinger
	metrics  *ops.Metrics
	log      *zap.Logger

	healthy  atomic.Bool  // false after a failed insert, true again after a successful ping or insert
	failures atomic.Int32 // consecutive failed inserts, for the retry delay
	lastErr  atomic.Pointer[string]
	waiting  sync.Mutex // held by the fetcher that waits for ClickHouse
}

// New checks opts and builds a Worker.
func New(opts Options) (*Worker, error) {
	switch {
	case opts.Conn == nil, opts.Consumer == nil, opts.DeadLetters == nil:
		return nil, errors.New("worker: NATS connection, consumer and dead letters are required")
	case opts.Enricher == nil, opts.Sink == nil, opts.Pinger == nil:
		return nil, errors.New("worker: enricher, sink and pinger are required")
	}
	if err := opts.Config.Validate(); err != nil {
		return nil, err
	}
	if opts.Metrics == nil {
		opts.Metrics = ops.NewMetrics()
	}
	if opts.Log == nil {
		opts.Log = zap.NewNop()
	}
	w := &Worker{
		cfg: opts.Config, conn: opts.Conn, cons: opts.Consumer, dlq: opts.DeadLetters,
		enricher: opts.Enricher, sink: opts.Sink, pinger: opts.Pinger,
		metrics: opts.Metrics, log: opts.Log,
	}
	w.healthy.Store(true)
	return w, nil
}

// Ready reports why the worker cannot take work now, nil when it can.
func (w *Worker) Ready() error {
	if s := w.conn.Status(); s != nats.CONNECTED {
		return fmt.Errorf("nats: %s", s)
	}
	if !w.healthy.Load() {
		msg := "unavailable"
		if p := w.lastErr.Load(); p != nil {
			msg = *p
		}
		return fmt.Errorf("clickhouse: %s", msg)
	}
	return nil
}

// Run consumes until ctx ends, then stops fetching, writes and acks what it
// holds, and returns within the configured shutdown timeout. Messages it
// could not settle in time are left unacked; JetStream redelivers them.
func (w *Worker) Run(ctx context.Context) error {
	// Processing, writing and acking continue after ctx ends, for at most
	// the shutdown timeout, so that what was fetched is stored and acked.
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	stopDeadline := context.AfterFunc(ctx, func() {
		time.AfterFunc(w.cfg.Worker.ShutdownTimeout, cancelWork)
	})
	defer stopDeadline()

	batcher := sinks.NewBatcher(sinks.Observed(w.sink, w), sinks.Policy{
		MaxRows:  w.cfg.Batch.MaxRows,
		MaxBytes: int(w.cfg.Batch.MaxBytes),
		MaxWait:  w.cfg.Batch.MaxWait,
		// A batch whose write outlasts ack_wait (one that moves records
		// waits for its deletions) keeps its messages from being
		// delivered again meanwhile.
		Heartbeat: w.cfg.NATS.AckWait / 3,
	})
	msgs := make(chan jetstream.Msg, chunkSize) // lets chunks form under load; bounded by chunkSize
	chunks := newChunker(msgs, w.cfg)
	var wg sync.WaitGroup
	for range w.cfg.EnrichGoroutines() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.process(work, chunks, batcher)
		}()
	}

	// Two pull requests in flight, so that one is being answered while the
	// messages of the other are processed.
	fetchers, fctx := errgroup.WithContext(ctx)
	for i := 0; i < pullRequests; i++ {
		fetchers.Go(func() error { return w.fetch(fctx, work, msgs) })
	}
	fetchers.Go(func() error { return w.watchConsumer(fctx) })
	fetchErr := fetchers.Wait()
	close(msgs)
	wg.Wait()
	closeErr := batcher.Close(work)
	// Acks are published asynchronously; flush them before the caller
	// closes the connection, or a clean stop would look like a crash.
	flushErr := w.conn.FlushTimeout(5 * time.Second)
	if closeErr != nil {
		w.log.Warn("shutdown timeout reached before every batch was written; unacked messages will be redelivered",
			zap.Duration("shutdown_timeout", w.cfg.Worker.ShutdownTimeout))
	}
	if flushErr != nil && !errors.Is(flushErr, nats.ErrConnectionClosed) {
		w.log.Warn("flush acks", zap.Error(flushErr))
	}
	return fetchErr
}

// fetchWait is how long one pull request waits for messages. A stopping
// worker lets its requests run out rather than abandon them, because the
// server may have sent messages to an abandoned request that nobody then
// receives: they would stay unacked until AckWait. So it also bounds how
// much a stop waits for the stream.
const fetchWait = 500 * time.Millisecond

// pullRequests is how many pull requests a worker keeps in flight.
const pullRequests = 2

// fetch pulls batches into out until ctx ends or the consumer is gone. It
// sends no request while ClickHouse is unavailable, which bounds memory to
// what is already fetched. Every message a request delivers goes to out
// unless the shutdown timeout has run out.
func (w *Worker) fetch(ctx, work context.Context, out chan<- jetstream.Msg) error {
	errDelay := backoff.NewExponentialBackOff()
	errDelay.InitialInterval = 100 * time.Millisecond
	errDelay.MaxInterval = 5 * time.Second
	for ctx.Err() == nil {
		if !w.healthy.Load() {
			if err := w.waitHealthy(ctx); err != nil {
				return nil
			}
		}
		batch, err := w.cons.Fetch(w.cfg.NATS.FetchBatch, jetstream.FetchMaxWait(fetchWait))
		if err == nil {
			for msg := range batch.Messages() {
				select {
				case out <- msg:
				case <-work.Done():
					return nil // left unacked: redelivered after AckWait
				}
			}
			err = batch.Error()
		}
		switch {
		case err == nil:
			errDelay.Reset()
		case errors.Is(err, jetstream.ErrConsumerDeleted):
			return fmt.Errorf("consumer %s: %w", w.cfg.NATS.Consumer, err)
		default:
			// A lost connection, missing heartbeats and similar hiccups:
			// try again, pausing so that a lasting fault does not spin. A
			// consumer that is gone without a word is watchConsumer's to
			// notice.
			w.log.Warn("fetch", zap.Error(err))
			select {
			case <-time.After(errDelay.NextBackOff()):
			case <-ctx.Done():
			}
		}
	}
	return nil
}

// process takes chunks of messages from in until it is closed.
func (w *Worker) process(ctx context.Context, in *chunker, b *sinks.Batcher) {
	chunk := make([]jetstream.Msg, 0, chunkSize)
	for {
		var ok bool
		if chunk, ok = in.next(chunk); !ok {
			return
		}
		w.handle(ctx, chunk, b)
	}
}

// chunker hands the enrichment goroutines chunks of messages, one
// goroutine at a time, so that messages that arrive together are enriched
// together. Idle goroutines that each took a message of a burst would send
// the LLM one small call apiece: past llm.max_waiting of them the rest
// keep their offline themes as "busy", and each request pays for the
// instructions again.
type chunker struct {
	mu     sync.Mutex
	in     <-chan jetstream.Msg
	linger time.Duration // how long a chunk waits for more messages after its first
}

// newChunker hands out the messages of in. A chunk waits chunkLinger for
// more messages after its first, or with the LLM on llm.linger, so that
// records that trickle in share requests.
func newChunker(in <-chan jetstream.Msg, cfg config.Config) *chunker {
	c := &chunker{in: in, linger: chunkLinger}
	if cfg.LLM.Enabled {
		c.linger = max(c.linger, cfg.LLM.Linger)
	}
	return c
}

// chunkLinger is how long a chunk waits for more messages after its
// first. The messages of a burst (a publish of many, webhooks at once)
// arrive within a few milliseconds, and 20 are lost in a batch's wait
// (batch.max_wait); under load a chunk fills long before.
const chunkLinger = 20 * time.Millisecond

// next refills chunk with the next chunk of messages. It reports false
// when the channel is closed and drained.
func (c *chunker) next(chunk []jetstream.Msg) ([]jetstream.Msg, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	first, ok := <-c.in
	if !ok {
		return chunk[:0], false
	}
	chunk = append(chunk[:0], first)
	linger := time.NewTimer(c.linger)
	defer linger.Stop()
	for len(chunk) < chunkSize {
		select {
		case m, ok := <-c.in:
			if !ok {
				return chunk, true
			}
			chunk = append(chunk, m)
		case <-linger.C:
			return chunk, true
		}
	}
	return chunk, true
}

// handle validates, enriches and batches one chunk.
func (w *Worker) handle(ctx context.Context, chunk []jetstream.Msg, b *sinks.Batcher) {
	items := make([]*enrich.Item, 0, len(chunk))
	owners := make([]jetstream.Msg, 0, len(chunk))
	seqs := make([]uint64, 0, len(chunk))      // each owner's stream sequence
	stored := make([]time.Time, 0, len(chunk)) // when the stream stored each owner, to the nanosecond
	maxBody := int(w.cfg.Worker.MaxBodyBytes)
	for _, msg := range chunk {
		w.metrics.Consumed.Inc()
		var seq uint64
		at := time.Now()
		if meta, err := msg.Metadata(); err == nil {
			seq, at = meta.Sequence.Stream, meta.Timestamp
			if meta.NumDelivered > 1 {
				w.metrics.Redelivered.Inc()
			}
		}
		rec, err := feedback.Decode(msg.Data(), maxBody)
		if err == nil {
			err = feedback.CheckSubject(msg.Subject(), rec)
		}
		if err != nil {
			verr, _ := feedback.AsError(err)
			w.deadLetter(ctx, msg, verr)
			continue
		}
		items = append(items, &enrich.Item{Record: rec})
		owners = append(owners, msg)
		seqs = append(seqs, seq)
		stored = append(stored, at)
	}
	if len(items) == 0 {
		return
	}
	start := time.Now()
	if err := w.enricher.Enrich(ctx, items); err != nil {
		// Only a passing failure gets here (a remote tagger without a
		// fallback); the messages are retried later.
		w.log.Warn("enrichment failed; messages will be retried", zap.Int("messages", len(owners)), zap.Error(err))
		for _, msg := range owners {
			w.retry(msg)
		}
		return
	}
	w.metrics.EnrichSeconds.Observe(time.Since(start).Seconds())
	// A row's version is when the stream stored its message, in
	// nanoseconds: versions of a record order as they were published,
	// whichever worker took them and however long the LLM kept them,
	// within one second too, and a redelivered older message stays older.
	entries := make([]sinks.Entry, len(items))
	for i, it := range items {
		msg := owners[i]
		entries[i] = sinks.Entry{Row: RowOf(it, stored[i]), Done: w.settle(msg), Seq: seqs[i],
			Working: func() { _ = msg.InProgress() }}
	}
	if err := b.Add(ctx, entries...); err != nil {
		// The shutdown deadline passed: leave the messages unacked.
		w.log.Debug("batcher refused entries", zap.Error(err))
	}
}

// settle acks msg when the insert holding it committed and schedules a
// retry otherwise.
func (w *Worker) settle(msg jetstream.Msg) func(error) {
	return func(err error) {
		if errors.Is(err, sinks.ErrSuperseded) {
			// A newer version of the record is stored: this one is done.
			_ = msg.Ack()
			w.metrics.Superseded.Inc()
			return
		}
		if err != nil {
			w.retry(msg)
			return
		}
		// An ack lost on the way is harmless: the message is redelivered,
		// inserted again and deduplicated by id.
		_ = msg.Ack()
		w.metrics.Inserted.Inc()
	}
}

// retry asks JetStream to redeliver msg after a delay that grows with
// consecutive failures.
func (w *Worker) retry(msg jetstream.Msg) {
	_ = msg.NakWithDelay(w.retryDelay())
	w.metrics.Retried.Inc()
}

func (w *Worker) retryDelay() time.Duration {
	d := w.cfg.Worker.RetryInitial
	for i := int32(0); i < w.failures.Load() && d < w.cfg.Worker.RetryMax; i++ {
		d *= 2
	}
	return min(d, w.cfg.Worker.RetryMax)
}

// deadLetter publishes msg to the dead-letter stream and terminates it. If
// the publish fails, msg is retried instead: it is never dropped.
func (w *Worker) deadLetter(ctx context.Context, msg jetstream.Msg, verr *feedback.Error) {
	if err := w.dlq.Send(ctx, msg, verr); err != nil {
		w.log.Warn("dead-letter publish failed; message will be retried", zap.Error(err))
		_ = msg.NakWithDelay(w.cfg.Worker.RetryInitial)
		w.metrics.Retried.Inc()
		return
	}
	_ = msg.Term()
	w.metrics.DeadLettered.WithLabelValues(string(verr.Reason)).Inc()
	w.log.Warn("message dead-lettered",
		zap.String("subject", msg.Subject()),
		zap.String("reason", string(verr.Reason)),
		zap.String("detail", verr.Error()))
}

// ObserveWrite implements sinks.WriteObserver: it keeps the metrics and the
// health that gates fetching.
func (w *Worker) ObserveWrite(rows int, took time.Duration, err error) {
	w.metrics.ObserveWrite(rows, took, err)
	if err == nil {
		w.failures.Store(0)
		w.healthy.Store(true)
		return
	}
	w.failures.Add(1)
	msg := err.Error()
	w.lastErr.Store(&msg)
	if w.healthy.Swap(false) {
		w.log.Warn("insert failed; fetching pauses until ClickHouse answers", zap.Int("rows", rows), zap.Error(err))
	}
}

// waitHealthy pings ClickHouse with backoff until it answers or ctx ends.
// The fetchers wait in turn, so that one pings and the others find it
// healthy again.
func (w *Worker) waitHealthy(ctx context.Context) error {
	w.waiting.Lock()
	defer w.waiting.Unlock()
	if w.healthy.Load() {
		return nil
	}
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = w.cfg.Worker.RetryInitial
	bo.MaxInterval = w.cfg.Worker.RetryMax
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		return struct{}{}, w.pinger.Ping(ctx)
	}, backoff.WithBackOff(bo), backoff.WithMaxElapsedTime(0))
	if err != nil {
		return err
	}
	w.healthy.Store(true)
	w.log.Info("ClickHouse answers again; fetching resumes")
	return nil
}

// watchConsumer keeps the pending gauges current, and ends the worker with
// an error when its consumer is gone: a pull request addressed to a deleted
// consumer is not always answered, so fetching alone may not notice.
func (w *Worker) watchConsumer(ctx context.Context) error {
	t := time.NewTicker(consumerCheck)
	defer t.Stop()
	for {
		infoCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		info, err := w.cons.Info(infoCtx)
		cancel()
		switch {
		case err == nil:
			w.metrics.ConsumerPending.Set(float64(info.NumPending))
			w.metrics.AckPending.Set(float64(info.NumAckPending))
		case errors.Is(err, jetstream.ErrConsumerNotFound):
			return fmt.Errorf("consumer %s: %w", w.cfg.NATS.Consumer, err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// consumerCheck is how often the worker looks at its consumer.
const consumerCheck = 5 * time.Second
