package worker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/feedbackloop/feedbackloop/config"
	"github.com/feedbackloop/feedbackloop/enrich/llm"
	"github.com/feedbackloop/feedbackloop/ingest"
	"github.com/feedbackloop/feedbackloop/internal/ops"
	"github.com/feedbackloop/feedbackloop/sinks"
)

// Main runs a worker from its configuration until ctx ends: it connects to
// NATS, creates the streams and the consumer when missing, waits for
// ClickHouse and migrates it, builds the enrichment chain, serves the
// operations endpoint, and consumes. It is what `feedbackloop worker` and
// `feedbackloop dev` run.
func Main(ctx context.Context, cfg config.Config, log *zap.Logger) error {
	return MainWithMetrics(ctx, cfg, log, ops.NewMetrics())
}

// MainWithMetrics is Main with the caller's metrics, which tests read.
func MainWithMetrics(ctx context.Context, cfg config.Config, log *zap.Logger, metrics *ops.Metrics) error {
	off, err := loadOffline(cfg.Enrich, log)
	if err != nil {
		return err
	}
	if cfg.Enrich.EmailHashKey == "" {
		log.Warn("enrich.email_hash_key is not set: author e-mail addresses are dropped without a pseudonymous key")
	}
	nc, js, err := ingest.Connect(cfg.NATS, "feedbackloop-worker", log)
	if err != nil {
		return err
	}
	defer nc.Close()
	if err := ingest.EnsureStreams(ctx, js, cfg.NATS); err != nil {
		return err
	}
	shared, err := SharedLLMState(ctx, js, cfg, true)
	if err != nil {
		return err
	}
	enricher, stopLLM, err := off.chain(cfg, metrics.Registry, log, shared)
	if err != nil {
		return err
	}
	defer stopLLM()
	cons, err := ingest.EnsureConsumer(ctx, js, cfg.NATS)
	if err != nil {
		return err
	}
	ch, err := sinks.OpenConfig(cfg.ClickHouse)
	if err != nil {
		return err
	}
	defer ch.Close()
	if err := migrateWhenReachable(ctx, ch, cfg, log); err != nil {
		return err
	}
	w, err := New(Options{
		Config: cfg, Conn: nc, Consumer: cons, DeadLetters: ingest.NewDeadLetters(js),
		Enricher: enricher, Sink: ch, Pinger: ch, Metrics: metrics, Log: log,
	})
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	if cfg.Metrics.Addr != "" {
		g.Go(func() error {
			if err := ops.Serve(gctx, cfg.Metrics.Addr, metrics.Registry, w.Ready); err != nil {
				return fmt.Errorf("metrics endpoint %s: %w", cfg.Metrics.Addr, err)
			}
			return nil
		})
	}
	g.Go(func() error {
		log.Info("worker started",
			zap.String("nats", nc.ConnectedUrlRedacted()),
			zap.String("stream", cfg.NATS.Stream),
			zap.String("consumer", cfg.NATS.Consumer),
			zap.String("clickhouse", config.RedactURL(cfg.ClickHouse.DSN)),
			zap.String("metrics", cfg.Metrics.Addr))
		err := w.Run(gctx)
		log.Info("worker stopped")
		return err
	})
	return g.Wait()
}

// spendFlushWait bounds the last add to the shared count of the day's
// LLM tokens when a process stops.
const spendFlushWait = 3 * time.Second

// StopLLM stops t's beat among its peers and adds what t spent and has
// not yet added to the day's shared count, waiting spendFlushWait at
// most: a process that asked the LLM calls it before it closes NATS, for
// the other processes and a restart go by that count.
func StopLLM(t *llm.Tagger) {
	t.Close()
	ctx, cancel := context.WithTimeout(context.Background(), spendFlushWait)
	defer cancel()
	t.FlushSpend(ctx)
}

// SharedLLMState makes sure that NATS holds what every process that asks
// the LLM shares, each when the configuration asks for it: the answers
// already paid for (llm.shared_cache_ttl) and the count of the day's
// tokens (llm.daily_token_budget); and, for a peer (a process that asks
// for long: a worker, a retag run), the count of the processes that share
// llm.tokens_per_minute. It returns what sets them on a Tagger's options.
func SharedLLMState(ctx context.Context, js jetstream.JetStream, cfg config.Config, peer bool) (func(*llm.Options), error) {
	lc := cfg.LLM
	var (
		answers *ingest.Answers
		spend   *ingest.Spend
		peers   *ingest.Peers
		err     error
	)
	if lc.Enabled && peer {
		if peers, err = ingest.EnsurePeers(ctx, js, ingest.PeerTTL, cfg.NATS.Replicas); err != nil {
			return nil, err
		}
	}
	if lc.Enabled && lc.SharedCacheTTL > 0 {
		if answers, err = ingest.EnsureAnswers(ctx, js, lc.SharedCacheTTL, int64(lc.SharedCacheMaxBytes), cfg.NATS.Replicas); err != nil {
			return nil, err
		}
	}
	if lc.Enabled && lc.DailyTokenBudget > 0 {
		if spend, err = ingest.EnsureSpend(ctx, js, cfg.NATS.Replicas); err != nil {
			return nil, err
		}
	}
	return func(o *llm.Options) {
		if answers != nil {
			o.Shared = answers
		}
		if spend != nil {
			o.Spend = spendLedger(spend)
		}
		if peers != nil {
			o.Peers = peers
		}
	}, nil
}

// spendLedger is what a Tagger counts the day's tokens in. A test slows
// it down to see that a stopping worker waits for its last add.
var spendLedger = func(s *ingest.Spend) llm.SpendLedger { return s }

// migrateWhenReachable applies migrations, waiting with backoff while
// ClickHouse cannot be reached: a worker started before its database comes
// up waits for it instead of crash-looping.
func migrateWhenReachable(ctx context.Context, ch *sinks.ClickHouse, cfg config.Config, log *zap.Logger) error {
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval = cfg.Worker.RetryInitial
	bo.MaxInterval = cfg.Worker.RetryMax
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		applied, err := ch.MigrateBesideWorkers(ctx)
		if err != nil {
			if sinks.IsUnavailable(err) {
				log.Warn("waiting for ClickHouse", zap.Error(err))
				return struct{}{}, err
			}
			return struct{}{}, backoff.Permanent(err)
		}
		if len(applied) > 0 {
			log.Info("schema migrated", zap.Ints("applied", applied), zap.Int("version", sinks.SchemaVersion))
		}
		return struct{}{}, nil
	}, backoff.WithBackOff(bo), backoff.WithMaxElapsedTime(0))
	if errors.Is(err, context.Canceled) {
		return err
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}
